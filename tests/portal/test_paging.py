"""Keyset paging (``portal.paging``, issue 16): walking the 下一页 / 上一页 links visits every row
once, in order, with no ``OFFSET`` in the SQL; the last page is read backwards; forged cursors and
NULL ordering values fall back safely."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.models import User
from portal.paging import KeysetPaginator

pytestmark = pytest.mark.django_db

NAMES = ["柏甲", "柏乙", "柏丙", "柏甲", "柏丁", "柏乙", "柏甲"]  # ties: the id decides


@pytest.fixture
def people():
    start = timezone.now() - timedelta(days=30)
    User.objects.bulk_create([
        User(username=f"paging{i:02d}", real_name=NAMES[i % len(NAMES)], date_joined=start + timedelta(hours=i % 9),
             last_login=None if i % 5 == 0 else start + timedelta(minutes=i))
        for i in range(23)])
    return User.objects.filter(username__startswith="paging")


def _params(query: str) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in parse_qsl(query):
        q[key] = value
    return q


def _walk(paginator, direction="next", start=None):
    page = paginator.page(start or QueryDict())
    pages = [page]
    while getattr(page, f"has_{direction}"):
        page = paginator.page(_params(getattr(page, f"{'previous' if direction == 'previous' else 'next'}_params")))
        pages.append(page)
        assert len(pages) < 50, "the links go round in circles"
    return pages


@pytest.mark.parametrize("ordering", [("real_name", "id"), ("-date_joined", "id"), ("-real_name", "-id")])
def test_walking_forward_then_back_visits_every_row_once_in_order(people, ordering):
    qs = people.order_by(*ordering)
    expected = list(qs.values_list("pk", flat=True))
    paginator = KeysetPaginator(qs, 5)
    forward = _walk(paginator)
    assert [p.number for p in forward] == [1, 2, 3, 4, 5]
    assert [u.pk for p in forward for u in p] == expected
    assert forward[-1].paginator.num_pages == 5 and forward[-1].paginator.count == 23
    assert not forward[-1].has_next and len(forward[-1]) == 3
    # And back from the last page, by the 上一页 links: the same pages in reverse.
    backward = _walk(paginator, "previous", start=_params("page=99999"))
    assert [p.number for p in backward] == [5, 4, 3, 2, 1]
    assert [[u.pk for u in p] for p in backward] == [[u.pk for u in p] for p in reversed(forward)]
    assert not backward[-1].has_previous


def test_cursor_pages_have_no_offset_and_the_same_query_count_at_any_depth(people):
    paginator = KeysetPaginator(people.order_by("real_name", "id"), 5, count=23)
    pages = _walk(paginator)
    with CaptureQueriesContext(connection) as second:
        paginator.page(_params(pages[0].next_params))
    with CaptureQueriesContext(connection) as fourth:
        paginator.page(_params(pages[2].next_params))
    with CaptureQueriesContext(connection) as last:
        paginator.page(_params("page=99999"))
    for captured in (second, fourth, last):
        # The count was given: the page's ids (narrow, ordered, limited), then those rows.
        assert len(captured) == 2
        ids, rows = (q["sql"].upper() for q in captured)
        assert "OFFSET" not in ids and " LIMIT " in ids and "ORDER BY" in ids, ids
        assert "ORDER BY" not in rows and " IN (" in rows, rows


def test_a_first_page_that_holds_every_row_is_its_own_count(people):
    few = people.filter(real_name="柏甲").order_by("real_name", "id")  # a search finding a few
    expected = list(few.values_list("pk", flat=True))
    assert 0 < len(expected) < 20
    with CaptureQueriesContext(connection) as captured:
        page = KeysetPaginator(few, 20).page(QueryDict())
    assert [u.pk for u in page] == expected and page.paginator.count == len(expected)
    assert page.paginator.num_pages == 1 and not page.has_other_pages()
    assert not any("COUNT(" in q["sql"].upper() for q in captured), "counted what the page already holds"
    # More rows than a page: counted, and the first page shows a page of them with a next link.
    with CaptureQueriesContext(connection) as captured:
        page = KeysetPaginator(people.order_by("real_name", "id"), 5).page(_params("page=1"))
    assert page.paginator.count == 23 and len(page) == 5 and page.has_next and not page.has_previous
    assert sum("COUNT(" in q["sql"].upper() for q in captured) == 1
    # Nothing found: an empty first page, no count.
    with CaptureQueriesContext(connection) as captured:
        page = KeysetPaginator(people.filter(real_name="无此人").order_by("id"), 5).page(QueryDict())
    assert len(page) == 0 and page.paginator.count == 0 and not page.has_other_pages()
    assert not any("COUNT(" in q["sql"].upper() for q in captured)


def test_a_count_the_paginator_works_out_stops_at_its_limit_and_paging_goes_on(people):
    """Issue 16: a search that finds most of a campaign is not counted to the end on every page;
    past ``count_limit`` the pager says "超过 N 份" and the links and page numbers still reach every
    row, in order, with no last page (a number past the end gives the last counted page)."""
    from django.template.loader import render_to_string

    qs = people.order_by("real_name", "id")
    expected = list(qs.values_list("pk", flat=True))
    paginator = KeysetPaginator(qs, 5, count_limit=10)
    with CaptureQueriesContext(connection) as captured:
        first = paginator.page(QueryDict())
    counts = [q["sql"].upper() for q in captured if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 11" in counts[0], counts
    assert first.paginator.count == 10 and first.paginator.more and first.has_next
    pages = _walk(paginator)
    assert [p.number for p in pages] == [1, 2, 3, 4, 5] and [u.pk for p in pages for u in p] == expected
    third = paginator.page(_params("page=4"))
    assert third.offset and [u.pk for u in third] == expected[15:20] and third.has_next
    for query in ("page=99999", "page=last"):
        past = paginator.page(_params(query))
        assert past.number == 2 and [u.pk for u in past] == expected[5:10] and past.has_next
    text = render_to_string("review/pager.html", {"page": third, "query": ""})
    assert "第 4 页，超过 10 份" in text and "/" not in text.split("<span>")[1].split("</span>")[0]
    # Within the limit nothing changes: the count is exact and the pager names the last page.
    exact = KeysetPaginator(qs, 5, count_limit=23).page(QueryDict())
    assert exact.paginator.count == 23 and not exact.paginator.more
    assert "第 1 / 5 页，共 23 份" in render_to_string("review/pager.html", {"page": exact, "query": ""})


def test_a_bare_middle_number_still_works_by_offset_and_links_on_by_cursor(people):
    qs = people.order_by("real_name", "id")
    expected = list(qs.values_list("pk", flat=True))
    page = KeysetPaginator(qs, 5).page(_params("page=3"))
    assert page.offset and page.number == 3 and [u.pk for u in page] == expected[10:15]
    after = KeysetPaginator(qs, 5).page(_params(page.next_params))
    assert after.number == 4 and [u.pk for u in after] == expected[15:20]


def test_a_number_past_the_only_page_gives_that_page(people):
    qs = people.order_by("real_name", "id")
    for query in ("page=99999", "page=2", "page=last"):
        page = KeysetPaginator(qs, 50).page(_params(query))
        assert page.number == 1 and len(page) == 23 and not page.has_other_pages()


@pytest.mark.parametrize("query", ["after=forged", "before=x:y:z", "after=", "page=abc", "page=-4", "page=0"])
def test_forged_or_broken_parameters_give_the_first_page(people, query):
    qs = people.order_by("real_name", "id")
    page = KeysetPaginator(qs, 5).page(_params(query))
    assert page.number == 1 and [u.pk for u in page] == list(qs.values_list("pk", flat=True)[:5])


def test_a_cursor_of_another_ordering_is_refused_not_an_error(people):
    by_name = KeysetPaginator(people.order_by("real_name", "id"), 5)
    link = by_name.page(QueryDict()).next_params
    qs = people.order_by("-date_joined", "id")
    page = KeysetPaginator(qs, 5).page(_params(link))  # the cursor is ignored, the number kept
    assert page.offset and page.number == 2
    assert [u.pk for u in page] == list(qs.values_list("pk", flat=True)[5:10])


def test_a_null_ordering_value_gets_a_number_link_not_a_cursor(people):
    qs = people.order_by("last_login", "id")  # the paginator sorts the NULLs last, on both databases
    paginator = KeysetPaginator(qs, 5)
    expected = list(paginator.queryset.values_list("pk", flat=True))
    assert User.objects.get(pk=expected[-1]).last_login is None
    pages = _walk(paginator)
    assert [u.pk for p in pages for u in p] == expected
    backward = _walk(paginator, "previous", start=_params("page=last"))
    assert [u.pk for p in reversed(backward) for u in p] == expected
    assert any("after=" not in p.next_params for p in pages if p.has_next)  # from a NULL row: a number


def test_two_lists_on_one_page_keep_their_own_cursors(people):
    qs = people.order_by("real_name", "id")
    pending = KeysetPaginator(qs, 5, param="pending").page(QueryDict())
    assert pending.next_params.startswith("pending_after=") and "pending=2" in pending.next_params
    main = KeysetPaginator(qs, 5).page(_params(pending.next_params))
    assert main.number == 1  # the other list's cursor is not this one's


# -- lanes (``portal.lanes``): the after-acceptance lists' order read unit by unit ----------------

LANE_ORDER = ("unit__county__order", "unit__name", "submitted_at", "id")


@pytest.fixture
def accepted_in_units(reference):
    """23 accepted applications in five units of three counties (ties in submission time and one
    missing), created in no particular order."""
    from applications.models import Application, County
    from applications.states import State
    from tests.factories import ApplicationFactory, UnitFactory

    counties = list(County.objects.order_by("-order")[:3])
    units = [UnitFactory(name=name, county=county) for name, county in
             [("乙单位", counties[0]), ("甲单位", counties[0]), ("丁单位", counties[1]), ("丙单位", counties[2]),
              ("戊单位", counties[2])]]
    start = timezone.now() - timedelta(days=3)
    apps = [ApplicationFactory(unit=units[(i * 7) % 5]) for i in range(23)]
    for i, app in enumerate(apps):
        Application.objects.filter(pk=app.pk).update(
            state=State.ACCEPTED, submitted_at=None if i == 11 else start + timedelta(hours=i % 4))
    return Application.objects.filter(pk__in=[a.pk for a in apps])


def test_a_list_read_unit_by_unit_gives_the_same_pages_as_one_sorted_read(accepted_in_units):
    qs = accepted_in_units.order_by(*LANE_ORDER)
    plain, laned = KeysetPaginator(qs, 4), KeysetPaginator(qs, 4, lanes="unit")
    expected = list(plain.queryset.values_list("pk", flat=True))
    assert len(expected) == 23
    with CaptureQueriesContext(connection) as queries:
        forward = _walk(laned)
    assert [a.pk for p in forward for a in p] == expected
    backward = _walk(laned, "previous", start=_params("page=last"))
    assert [a.pk for p in reversed(backward) for a in p] == expected
    assert [a.pk for a in laned.page(_params("page=3"))] == expected[8:12]  # by offset
    middle = plain.page(_params("page=2"))  # a cursor made by one reads the same with the other
    assert [a.pk for a in laned.page(_params(middle.next_params))] == expected[8:12]
    lateral = [q["sql"] for q in queries.captured_queries if "LATERAL" in q["sql"]]
    if connection.vendor == "postgresql":  # elsewhere the plain read (SQLite has no LATERAL)
        assert len(lateral) == len(forward)
    else:
        assert lateral == []


def test_a_search_read_unit_by_unit_gives_the_same_pages_and_only_its_matches(accepted_in_units):
    """A search names its applicants in a subquery (``review.selectors.matching``), so its pages
    are read lane by lane too: the same rows as one sorted read, and only those it matches."""
    from portal.accounts.models import User
    from review.selectors import matching

    odd = list(accepted_in_units.order_by("pk").values_list("applicant_id", flat=True))[1::2]
    User.objects.filter(pk__in=odd).update(real_name="查某")
    qs = accepted_in_units.filter(matching("查")).order_by(*LANE_ORDER)
    plain, laned = KeysetPaginator(qs, 4), KeysetPaginator(qs, 4, lanes="unit")
    expected = list(plain.queryset.values_list("pk", flat=True))
    assert sorted(accepted_in_units.filter(applicant_id__in=odd).values_list("pk", flat=True)) == sorted(expected)
    assert len(expected) == 11
    assert [a.pk for p in _walk(laned) for a in p] == expected
    backward = _walk(laned, "previous", start=_params("page=last"))
    assert [a.pk for p in reversed(backward) for a in p] == expected
