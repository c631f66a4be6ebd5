"""Keyset paging for the long lists (issue 16): a page's cost does not grow with its depth.

Django's ``Paginator`` reads page *n* with ``OFFSET (n-1)·size``: PostgreSQL reads and throws away
every row before the page, so page 2,000 of a province's queue costs 2,000 pages.  Our pagers only
offer 上一页 / 下一页 (and a bookmark of the last page), so the links can carry a *cursor* instead,
the ordering values of the row they continue from; the next page is then "the first ``size`` rows
after these values", which an index answers in the same time at any depth.

* ``?page=1`` (or nothing): the first page.  ``?page=N`` with N at or past the last page: the last
  page, read backwards from the end (the benchmark's "deep" pages, a bookmark of 末页).  Any other
  bare number (typed by hand, an old bookmark) still works, by offset.
* ``?after=C&page=N`` / ``?before=C&page=N``: the page after / before the row whose ordering values
  the signed cursor ``C`` holds; ``N`` is only the number shown (clamped to the pages there are).
  Cursors are signed (``django.core.signing``): a forged or stale one is ignored (first page), never
  a database error.
* The queryset's ``order_by`` must be explicit and end in a unique field (``id``).  Nullable
  ordering values are sorted last (``NULLS LAST`` in both directions, on every database) and
  "after a value" includes the NULLs; a row whose own ordering values contain NULL gets an offset
  link instead of a cursor (a comparison with NULL matches nothing).

``KeysetPage`` answers what ``django.core.paginator.Page`` answers for the pager templates
(``number``, ``has_previous``, ``has_next``, ``paginator.count``/``num_pages``, iteration) plus
``previous_params`` / ``next_params``, the query strings of its links.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.core import signing
from django.db.models import F, Q, QuerySet

from .lanes import Lanes, lane_ids
from .lanes import usable as lanes_usable

SALT = "portal.paging"

# A count the paginator works out itself (a search, a list nobody counts ahead) stops here: the
# pager then says "超过 500 份" and pages on by the 下一页 links and page numbers, with no last page.
# Counting every match of a search that finds most of a campaign read them all once more on each
# request (the committee's search at 10,000 applications: 10.7 of its 19 ms of SQL), and more as
# the campaign grows (issue 16); nobody pages through 500 matches rather than search more narrowly.
COUNT_LIMIT = 500


def paging_params(param: str = "page") -> tuple[str, str, str]:
    """The GET parameters of one pager: its number and its two cursors (what the page's own links
    drop from the query they keep)."""
    if param == "page":
        return "page", "after", "before"
    return param, f"{param}_after", f"{param}_before"


PAGING_PARAMS = paging_params()


@dataclass
class _Counted:
    count: int
    per_page: int
    more: bool = False  # more rows than ``count``: the count stopped at the paginator's limit

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.per_page))


@dataclass
class KeysetPage:
    object_list: list
    number: int
    paginator: _Counted
    has_previous: bool
    has_next: bool
    previous_params: str = ""
    next_params: str = ""
    offset: bool = False  # reached by a bare page number (no cursor)
    extra: dict = field(default_factory=dict)

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)

    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]


def _encode(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode(value):
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
    return value


def _resolve(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


class KeysetPaginator:
    """Pages of ``queryset`` (explicitly ordered, last key unique), ``per_page`` rows each.

    ``count``: the number of rows when the caller already has it (the queue's tabs); otherwise one
    ``COUNT`` query.  ``param``: the name of the page-number parameter; its cursors are ``after`` /
    ``before`` for ``page`` and ``<param>_after`` / ``<param>_before`` otherwise (two lists on one
    page).  ``rows``: how a page's rows are read from their ids (any order), when they need less
    than the queryset's filters and joins (``review.aftercare.selectors.page_rows``); by default,
    the queryset itself filtered by those ids.  ``lanes``: a relation whose fields lead the
    ordering (``"unit"`` for ``unit__county__order, unit__name, submitted_at, id``), or ``Lanes``
    that split the list (an officer's campaigns and states): on PostgreSQL a page's ids are then
    read lane by lane, each from its own index range (``portal.lanes``).  ``count_limit``: where a
    count the paginator works out itself stops (``COUNT_LIMIT``); ``more``: the given ``count`` is
    such a limit, the caller found more rows (a search's tabs)."""

    def __init__(self, queryset: QuerySet, per_page: int, *, count: int | None = None, param: str = "page",
                 rows=None, lanes: str | Lanes | None = None, count_limit: int = COUNT_LIMIT,
                 more: bool = False):
        ordering = list(queryset.query.order_by)
        if not ordering or any(not isinstance(o, str) for o in ordering):
            raise ValueError("keyset paging needs an explicit order_by of field names")
        self.per_page = per_page
        self.keys = [(o.lstrip("-"), o.startswith("-")) for o in ordering]
        self.nullable = {key for key, _desc in self.keys if _nullable(queryset.model, key)}
        if self.nullable:
            # NULLs last in both directions and on every database, so that "after a value"
            # includes the NULLs and "before a value" never does.
            queryset = queryset.order_by(*[
                (F(key).desc(nulls_last=True) if desc else F(key).asc(nulls_last=True)) if key in self.nullable
                else (f"-{key}" if desc else key) for key, desc in self.keys])
        self.queryset = queryset
        self.param, self.after_param, self.before_param = paging_params(param)
        self.salt = f"{SALT}:{','.join(ordering)}"  # a cursor only fits the ordering it was made for
        self._count = count
        self._more = more and count is not None
        self.count_limit = count_limit
        self._load = rows
        self._lanes = lanes if lanes and lanes_usable(queryset, lanes, self.keys, self.nullable) else None

    # -- what the view calls -------------------------------------------------------------------

    def page(self, params) -> KeysetPage:
        """The page a request's GET parameters ask for (a ``QueryDict`` or a dict).  Without a
        given count, a first page is read before counting, one row more than it shows: when that
        row is not there the page holds every row and is its own count (a search that finds a
        few: no ``COUNT`` reading every match again)."""
        if self._count is None and _first(params, self):
            rows = self._rows(self.queryset, 0, self.per_page + 1)
            if len(rows) <= self.per_page:
                return self._page(rows, 1, _Counted(len(rows), self.per_page), has_previous=False, has_next=False)
            return self._page(rows[: self.per_page], 1, self._counted(), has_previous=False, has_next=True)
        counted = self._counted()
        number = _number(params.get(self.param), counted.num_pages)
        for name, forward in ((self.after_param, True), (self.before_param, False)):
            values = self._cursor(params.get(name))
            if values is not None:
                return self._from_cursor(values, forward, max(number, 2 if forward else 1), counted)
        if counted.more and number > 1:  # no known last page: by offset, past the end the last counted
            return self._by_offset(number, counted)
        number = min(number, counted.num_pages)  # past the end: the last page
        if number == counted.num_pages and number > 1:
            return self._last(counted)
        if number > 1:
            return self._by_offset(number, counted)
        rows = self._rows(self.queryset, 0, self.per_page)
        return self._page(rows, 1, counted, has_previous=False, has_next=counted.count > self.per_page)

    def _counted(self) -> _Counted:
        """The given count, else ``COUNT`` of the rows up to ``count_limit`` (and whether more)."""
        if self._count is not None:
            return _Counted(self._count, self.per_page, more=self._more)
        found = self.queryset.order_by()[: self.count_limit + 1].count()
        return _Counted(min(found, self.count_limit), self.per_page, more=found > self.count_limit)

    # -- reading -------------------------------------------------------------------------------

    def _from_cursor(self, values, forward: bool, number: int, counted: _Counted) -> KeysetPage:
        qs = self.queryset.filter(self._beyond(values, forward))
        if not forward:
            qs = qs.reverse()
        rows = self._rows(qs, 0, self.per_page + 1, cursor=values)
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not counted.more:
            number = min(number, counted.num_pages)
        if forward:
            return self._page(rows, number, counted, has_previous=True, has_next=more)
        rows.reverse()
        # Read backwards, a previous page is always full; fewer rows mean we reached the start.
        return self._page(rows, number if more else 1, counted, has_previous=more, has_next=True)

    def _last(self, counted: _Counted) -> KeysetPage:
        size = counted.count - (counted.num_pages - 1) * self.per_page
        rows = self._rows(self.queryset.reverse(), 0, size)
        rows.reverse()
        return self._page(rows, counted.num_pages, counted, has_previous=True, has_next=False)

    def _by_offset(self, number: int, counted: _Counted) -> KeysetPage:
        start = (number - 1) * self.per_page
        rows = self._rows(self.queryset, start, start + self.per_page + 1)
        if not rows and counted.more and number > counted.num_pages:  # past the end of an uncounted list
            return self._by_offset(counted.num_pages, counted)
        page = self._page(rows[: self.per_page], number, counted, has_previous=True,
                          has_next=len(rows) > self.per_page)
        page.offset = True
        return page

    def _rows(self, qs: QuerySet, start: int, stop: int, cursor: list | None = None) -> list:
        """The rows ``start:stop`` of ``qs`` in two steps: the page's ids by a narrow query (only
        the ordering's columns and joins are sorted), then those rows with everything the page
        reads (``select_related``, prefetches, wide columns).  Sorting the whole selection's wide
        rows to keep 100 of them was most of a list page's SQL at 100,000 applications."""
        if self._lanes:
            ids = lane_ids(qs, self._lanes, self.keys, self.nullable, start=start, stop=stop, cursor=cursor)
        else:
            ids = list(qs.values_list("pk", flat=True)[start:stop])
        if not ids:
            return []
        rows = self._load(ids) if self._load is not None else qs.order_by().filter(pk__in=ids)
        found = {row.pk: row for row in rows}
        return [found[pk] for pk in ids if pk in found]

    def _beyond(self, values: list, forward: bool) -> Q:
        """Rows strictly after (``forward``) or before the row with these ordering values: the
        lexicographic comparison, one OR-term per key."""
        condition = Q()
        for i, (name, descending) in enumerate(self.keys):
            greater = forward != descending
            term = Q(**{f"{name}__{'gt' if greater else 'lt'}": values[i]})
            if forward and name in self.nullable:
                term |= Q(**{f"{name}__isnull": True})
            for earlier, _desc in self.keys[:i]:
                term &= Q(**{earlier: values[self._index(earlier)]})
            condition = condition | term if condition else term
        return condition

    def _index(self, name: str) -> int:
        return next(i for i, (key, _desc) in enumerate(self.keys) if key == name)

    # -- links ---------------------------------------------------------------------------------

    def _page(self, rows: list, number: int, counted: _Counted, *, has_previous: bool, has_next: bool) -> KeysetPage:
        page = KeysetPage(rows, number, counted, has_previous, has_next)
        if has_previous and rows:
            page.previous_params = self._link(rows[0], self.before_param, number - 1)
        if has_next and rows:
            page.next_params = self._link(rows[-1], self.after_param, number + 1)
        return page

    def _link(self, row, name: str, number: int) -> str:
        values = [_resolve(row, key) for key, _desc in self.keys]
        if any(v is None for v in values):  # NULL compares with nothing: fall back to the number
            return urlencode({self.param: number})
        cursor = signing.dumps([_encode(v) for v in values], salt=self.salt, compress=True)
        return urlencode({name: cursor, self.param: number})

    def _cursor(self, raw) -> list | None:
        if not raw:
            return None
        try:
            values = signing.loads(raw, salt=self.salt)
        except signing.BadSignature:
            return None
        if not isinstance(values, list) or len(values) != len(self.keys):
            return None
        try:
            return [_decode(v) for v in values]
        except (TypeError, ValueError):
            return None


def _nullable(model, path: str) -> bool:
    """Whether the ordering value at ``path`` (``unit__county__order``) can be NULL: a nullable
    field or a nullable relation on the way."""
    for part in path.split("__"):
        if part == "pk":
            return False
        field_ = model._meta.get_field(part)
        if getattr(field_, "null", False):
            return True
        model = field_.related_model
        if model is None:
            return False
    return False


def _first(params, paginator: KeysetPaginator) -> bool:
    """Whether ``params`` ask for the first page: no cursor, and no page number or 1."""
    if params.get(paginator.after_param) or params.get(paginator.before_param):
        return False
    return str(params.get(paginator.param) or "1").strip() == "1"


def _number(raw, num_pages: int) -> int:
    if raw == "last":
        return num_pages
    try:
        number = int(str(raw or "1")[:12])
    except ValueError:
        return 1
    return max(1, number)


__all__ = ["PAGING_PARAMS", "KeysetPage", "KeysetPaginator", "paging_params"]
