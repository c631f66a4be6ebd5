"""Bounded input outside the section forms (issue 13 item 6): posted ids, NUL characters, review
comments; never a 500."""

import pytest
from django.urls import reverse

from tests.factories import UnitOfficerFactory


@pytest.mark.parametrize("value, expected", [("12", 12), (" 7 ", 7), ("²", None), ("١٢", None), ("9" * 5000, None),
                                             ("99999999999999999999", None), ("-1", None), ("", None)])
def test_posted_ids_are_plain_small_integers(value, expected):
    from portal.errors import small_int

    assert small_int(value) == expected


@pytest.mark.django_db
def test_batch_approval_with_odd_ids_is_not_a_server_error(client, reference):
    client.force_login(UnitOfficerFactory())
    response = client.post(reverse("review:batch_approve"), {"ids": ["²", "9" * 5000, "99999999999999999999"]})
    assert response.status_code == 302


@pytest.mark.django_db
def test_nul_is_dropped_from_query_and_form(client, reference):
    """PostgreSQL refuses NUL in text and jsonb: a query or form with one was a 500."""
    from applications.models import ApplicationSection
    from tests.factories import ApplicationFactory

    app = ApplicationFactory()
    client.force_login(app.applicant)
    response = client.post(reverse("applications:autosave", args=[app.code, "summary"]),
                           {"summary-text": "半\x00句话", "x\x00": "1"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    assert ApplicationSection.objects.get(application=app, key="summary").draft == {"summary-text": ["半句话"]}
    assert client.get(reverse("applications:new") + "?campaign=demo%00x").status_code == 200


@pytest.mark.django_db
def test_an_overlong_review_comment_is_refused_in_chinese(client, reference, private_storage):
    from applications.states import State
    from review.views.application import MAX_COMMENT_CHARS
    from tests.factories import CountyOfficerFactory, UnitFactory
    from tests.review.test_pages import _queue_rows

    [app] = _queue_rows(UnitFactory(), 1, State.COUNTY_REVIEW)
    client.force_login(CountyOfficerFactory(county=app.unit.county))
    url = reverse("review:act", args=[app.pk, "approve"])
    response = client.post(url, {"comment": "意" * (MAX_COMMENT_CHARS + 1)})
    assert response.status_code == 400 and "审核意见最多" in response.content.decode()
    app.refresh_from_db()
    assert app.state == State.COUNTY_REVIEW
