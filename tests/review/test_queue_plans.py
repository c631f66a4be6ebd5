"""The officers' queues read a flag on the row and a partial index, not the history (issue 16): the
page query of a committee clerk's and a unit officer's queue is answered from the indexes
``app_committee_queue`` / ``app_unit_queue`` or an index filtered on the flag, never by probing
``StateChange`` (``EXPLAIN`` on PostgreSQL; sequential scans switched off because a test database is
far too small for the planner to prefer an index)."""

from __future__ import annotations

import pytest
from django.db import connection

from applications.models import StateChange
from applications.states import State
from review.selectors import QueueFilters, queue_for
from tests.factories import ApplicationFactory

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
