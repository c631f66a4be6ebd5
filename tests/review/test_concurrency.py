"""Two officers approving the same application at the same moment, on two real PostgreSQL
sessions: exactly one wins; the other is told, with the state the application is in now."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import StateChange
from applications.samples import fill_sample_application
from applications.states import State
from review.demo import publicity_dates, publicity_files
from review.services import TransitionRefused, application_transition, publicity_scans_attach
from tests.factories import ApplicationFactory, UnitOfficerFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def submitted(transactional_db, reference, private_storage):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the expected_state refusal is tested in test_one_door")
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    publicity_scans_attach(application=app, files=publicity_files(app.unit.name, app.applicant.real_name),
                           actor=UnitOfficerFactory(unit=app.unit))
    return app


def _race(workers):
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[index] = exc
        finally:
            connection.close()  # each thread had its own session

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_sessions_approve_at_once_exactly_one_wins(submitted):
    app = submitted
    officers = [UnitOfficerFactory(unit=app.unit), UnitOfficerFactory(unit=app.unit)]
    publicity = publicity_dates(app.campaign, timezone.localdate())

    def approve(officer):
        return lambda: application_transition(application_id=app.pk, action="approve", actor=officer,
                                              expected_state=State.UNIT_REVIEW, data={"publicity": publicity})

    results = _race([approve(o) for o in officers])
    refusals = [r for r in results if isinstance(r, TransitionRefused)]
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1 and len(refusals) == 1, results
    assert refusals[0].state == State.COUNTY_REVIEW
    assert "已被他人处理" in refusals[0].message and "待主管/县市审核" in refusals[0].message
    approvals = StateChange.objects.filter(application=app, action="approve")
    assert approvals.count() == 1
    assert approvals.get().actor_id == wins[0].history.last().actor_id


def test_two_browsers_approve_at_once_the_loser_sees_the_message(submitted):
    app = submitted
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(UnitOfficerFactory(unit=app.unit))
        clients.append(client)
    publicity = publicity_dates(app.campaign, timezone.localdate())
    form = {"expected_state": State.UNIT_REVIEW, "publicity_start": publicity["start"],
            "publicity_end": publicity["end"], "confirm": "on"}
    url = reverse("review:act", args=[app.pk, "approve"])
    responses = _race([lambda c=c: c.post(url, form) for c in clients])
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], responses
    loser = next(r for r in responses if r.status_code == 409)
    text = loser.content.decode()
    assert "已被他人处理" in text and "待主管/县市审核" in text
    assert StateChange.objects.filter(application=app, action="approve").count() == 1


def test_the_loser_whose_page_was_read_before_the_winner_committed_gets_the_same_message(submitted):
    """The race above, when the loser's request passes the form before the winner commits and
    reaches the publicity scans after: 409 and 已被他人处理, not a 400 with the permission's reason."""
    app = submitted
    winner = UnitOfficerFactory(unit=app.unit)
    application_transition(application_id=app.pk, action="approve", actor=winner, expected_state=State.UNIT_REVIEW,
                           data={"publicity": publicity_dates(app.campaign, timezone.localdate())})
    with pytest.raises(TransitionRefused) as refused:
        publicity_scans_attach(application=app, files={}, actor=UnitOfficerFactory(unit=app.unit),
                               expected_state=State.UNIT_REVIEW)
    assert refused.value.status == 409 and refused.value.state == State.COUNTY_REVIEW
    assert "已被他人处理" in refused.value.message and "待主管/县市审核" in refused.value.message
