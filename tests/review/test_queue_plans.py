"""The officers' queues read a flag on the row and a partial index, not the history (issue 16): the
page query of a committee clerk's and a unit officer's queue is answered from the indexes
``app_committee_queue`` / ``app_unit_queue`` or an index filtered on the flag, never by probing
``StateChange`` (``EXPLAIN`` on PostgreSQL; sequential scans switched off because a test database is
far too small for the planner to prefer an index)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, StateChange
from applications.states import State
from portal.accounts.models import User
from portal.paging import KeysetPaginator
from review.selectors import QueueFilters, queue_for, queue_lanes
from tests.factories import ApplicationFactory
from tests.portal.test_paging import _params, _walk

from .conftest import put_in_state

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("partial indexes and EXPLAIN: PostgreSQL")


def test_queue_pages_use_the_partial_indexes_and_never_the_history(postgres_only, cast, private_storage):
    for state in (State.COMMITTEE_REVIEW, State.UNIT_REVIEW, State.ACCEPTED):
        app = ApplicationFactory(unit=cast.unit.unit)
        put_in_state(app, state)
        if state != State.UNIT_REVIEW:
            StateChange.objects.create(application=app, action="approve", from_state=State.COUNTY_REVIEW,
                                       to_state=State.COMMITTEE_REVIEW, actor_role="county_officer")
    for officer, index, flag in ((cast.clerk, "app_committee_queue", "reached_committee"),
                                 (cast.unit, "app_unit_queue", "reached_unit")):
        rows, _counts = queue_for(officer, QueueFilters(state=State.COMMITTEE_REVIEW))
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            try:
                plan = rows[:50].explain()
            finally:
                cursor.execute("RESET enable_seqscan")
        # The partial index, or (with other statistics left by an earlier test in this database)
        # the (campaign|unit, state) index filtered on the flag: the same rows, no history.
        assert index in plan or flag in plan, plan
        assert "statechange" not in plan.lower(), plan
        assert rows.count() >= 1


def test_every_queue_read_lane_by_lane_gives_the_same_pages(cast, private_storage):
    """``queue_lanes``: the committee's queue by campaign and state, the unit's by state, the
    county's by unit and state (``portal.lanes``) — the same rows in the same order as one sorted
    read, walked forward by cursor and from the last page backwards, on every database."""
    states = [State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW, State.ACCEPTED, State.FEE_PAID]
    start = timezone.now() - timedelta(days=2)
    codes = []
    for i in range(19):
        app = ApplicationFactory(unit=cast.unit.unit)
        state = states[(i * 3) % len(states)]
        reached = states.index(state)
        Application.objects.filter(pk=app.pk).update(
            state=state, submission_count=1, submitted_at=start + timedelta(hours=i % 5),
            reached_unit=True, reached_county=reached >= 1, reached_committee=reached >= 2)
        if i % 2:  # half the applicants found by a name search
            User.objects.filter(pk=app.applicant_id).update(real_name=f"查{i}")
        codes.append(app.code)
    searches = {cast.clerk: codes[14].lower(), cast.unit: "查", cast.county: "查"}  # the committee: by code
    for officer, filters, least in [(o, QueueFilters(), 11) for o in (cast.clerk, cast.unit, cast.county)] + \
            [(o, QueueFilters(q=q), 1 if o is cast.clerk else 6) for o, q in searches.items()]:
        rows, _counts = queue_for(officer, filters)
        lanes = queue_lanes(officer, filters)
        assert lanes is not None
        plain, laned = KeysetPaginator(rows, 4), KeysetPaginator(rows, 4, lanes=lanes)
        expected = list(plain.queryset.values_list("pk", flat=True))
        assert len(expected) >= least
        if filters.q:  # the search found what it should, and only that
            found = Application.objects.filter(pk__in=expected)
            assert all(a.code == codes[14] if officer is cast.clerk else a.applicant.real_name.startswith("查")
                       for a in found)
        with CaptureQueriesContext(connection) as queries:
            assert [a.pk for p in _walk(laned) for a in p] == expected
        lateral = sum("LATERAL" in q["sql"] for q in queries.captured_queries)
        assert lateral == (len(expected) + 3) // 4 if connection.vendor == "postgresql" else lateral == 0
        backward = _walk(laned, "previous", start=_params("page=last"))
        assert [a.pk for p in reversed(backward) for a in p] == expected
        assert [a.pk for a in laned.page(QueryDict())] == expected[:4]
