"""The officers' queues read a flag and a partial index, not the history (issue 16): the page and
the state counts of a committee clerk's and a unit officer's queue can be answered from the
indexes ``app_committee_queue`` and ``app_unit_queue`` (``EXPLAIN`` on PostgreSQL; sequential scans
switched off because a test database is far too small for the planner to prefer an index).  The
plans at 10,000 applications are in ``docs/bench/explain-after-10000.txt``."""

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
    for officer, index in ((cast.clerk, "app_committee_queue"), (cast.unit, "app_unit_queue")):
        rows, _counts = queue_for(officer, QueueFilters(state=State.COMMITTEE_REVIEW))
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            try:
                plan = rows[:50].explain()
            finally:
                cursor.execute("RESET enable_seqscan")
        assert index in plan, plan
        assert "statechange" not in plan.lower(), plan
        assert rows.count() >= 1
