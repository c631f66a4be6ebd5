"""The chain's writes: every transition through the one door is one audit event (state and
clocks before and after) beside its history row; the unit's publicity scans are one each; a
refused transition leaves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import StateChange
from applications.samples import fill_sample_application
from applications.states import State
from portal.audit.actions import AuditAction
from review.demo import approve_at_unit, publicity_files
from review.services import TransitionRefused, application_transition, publicity_scans_attach, returns_expire
from tests.factories import ApplicationFactory, UnitOfficerFactory, audited

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(reference, private_storage):
    return fill_sample_application(ApplicationFactory())


def test_each_transition_is_one_event_beside_its_history_row(app):
    with audited() as trail:
        application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    event = trail.one(AuditAction.TRANSITION_SUBMIT)
    assert trail.actions == [AuditAction.TRANSITION_SUBMIT]
    assert event.before["state"] == State.DRAFT and event.after["state"] == State.UNIT_REVIEW
    assert event.before["submission_count"] == 0 and event.after["submission_count"] == 1
    assert "round" not in event.after  # the sections stay in the history row
    assert StateChange.objects.filter(application=app, action="submit").count() == 1
    officer = UnitOfficerFactory(unit=app.unit)
    with audited() as trail:
        application_transition(application_id=app.pk, action="return", actor=officer, comment="请补充",
                               data={"notes": [{"section": "summary", "text": "太简略"}]})
    event = trail.one(AuditAction.TRANSITION_RETURN)
    assert event.after["state"] == State.RETURNED and event.after["comment"] == "请补充"
    assert event.after["return_deadline"] and event.actor == officer and event.person == app.applicant


def test_the_units_approval_its_scans_and_the_system_are_recorded(app):
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    officer = UnitOfficerFactory(unit=app.unit)
    with audited() as trail:
        approve_at_unit(app, officer)
    assert trail.actions == [AuditAction.PUBLICITY_SCANS_ATTACHED, AuditAction.PUBLICITY_SCANS_ATTACHED,
                             AuditAction.TRANSITION_APPROVE]
    assert {e.after["slot"] for e in trail.events[:2]} == {"publicity", "publicity_result"}
    assert trail.events[2].after["publicity"]["working_days"] >= 5


def test_scans_are_refused_to_an_officer_who_may_not_approve(app):
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    stranger = UnitOfficerFactory()
    with audited() as trail, pytest.raises(TransitionRefused, match="不在您的审核范围内"):
        publicity_scans_attach(application=app, files=publicity_files(app.unit.name, "x"), actor=stranger)
    assert trail.actions == [] and not app.attachments.filter(slot="publicity").exists()


def test_a_refused_transition_leaves_no_event(app):
    with audited() as trail, pytest.raises(TransitionRefused):
        application_transition(application_id=app.pk, action="withdraw", actor=app.applicant)
    assert trail.actions == []


def test_the_system_abandons_with_its_own_events(app):
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    application_transition(application_id=app.pk, action="return", actor=UnitOfficerFactory(unit=app.unit),
                           comment="请补充")
    later = timezone.now() + dt.timedelta(hours=app.campaign.return_hours + 1)
    with audited() as trail:
        assert returns_expire(now=later) == [app.pk]
    event = trail.one(AuditAction.TRANSITION_ABANDON)
    assert (event.actor, event.actor_role, event.after["state"]) == (None, "system", State.ABANDONED)
