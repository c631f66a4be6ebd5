"""Every (state, action, role) through the one door: the allowed ones succeed and leave a history
row, every other is refused with the state untouched; plus out-of-scope and out-of-window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import Application, StateChange
from applications.states import State
from review.demo import publicity_dates, publicity_files
from review.services import TransitionRefused, application_transition, publicity_scans_attach

STATES = [State.DRAFT, State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW, State.RETURNED,
          State.ABANDONED, State.CLOSED, State.ACCEPTED]
ACTIONS = ["submit", "resubmit", "withdraw", "approve", "return", "abandon"]
ROLES = ["applicant", "other_applicant", "unit", "county", "clerk", "admin", "system"]

# (state, action, role) -> state after; everything else is refused.
ALLOWED = {
    (State.DRAFT, "submit", "applicant"): State.UNIT_REVIEW,
    (State.RETURNED, "resubmit", "applicant"): State.UNIT_REVIEW,
    (State.UNIT_REVIEW, "withdraw", "applicant"): State.DRAFT,
    (State.UNIT_REVIEW, "approve", "unit"): State.COUNTY_REVIEW,
    (State.COUNTY_REVIEW, "approve", "county"): State.COMMITTEE_REVIEW,
    (State.COMMITTEE_REVIEW, "approve", "clerk"): State.ACCEPTED,
    (State.UNIT_REVIEW, "return", "unit"): State.RETURNED,
    (State.COUNTY_REVIEW, "return", "county"): State.RETURNED,
    (State.COMMITTEE_REVIEW, "return", "clerk"): State.RETURNED,
}


def _fire(app, action, actor, *, now=None):
    data = {}
    if action == "approve":
        data["publicity"] = publicity_dates(app.campaign, timezone.localdate(now))
    return application_transition(application_id=app.pk, action=action, actor=actor, comment="材料需补充",
                                  data=data, now=now)


def _prepare(app, state, action, cast):
    if state == State.UNIT_REVIEW and action == "approve":
        publicity_scans_attach(application=app, files=publicity_files(app.unit.name, "x"), actor=cast.unit)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_matrix(app_in, cast, state, action, role):
    expected = ALLOWED.get((state, action, role))
    app = app_in(state, files=expected is not None and action in ("submit", "resubmit"))
    _prepare(app, state, action, cast)
    actor = None if role == "system" else getattr(cast, role)
    before = StateChange.objects.filter(application=app).count()
    if expected:
        _fire(app, action, actor)
        app.refresh_from_db()
        assert app.state == expected
        last = StateChange.objects.filter(application=app).order_by("-id").first()
        assert (last.from_state, last.to_state, last.action) == (state, expected, action)
        assert last.actor == actor
    else:
        with pytest.raises(TransitionRefused) as refused:
            _fire(app, action, actor)
        # Refused by who/when/state, never by the checklist that would hide a wrong "yes".
        assert "不完整" not in refused.value.message
        assert refused.value.state == state
        app.refresh_from_db()
        assert app.state == state
        assert StateChange.objects.filter(application=app).count() == before


REVIEW_CASES = [(s, a, r) for (s, a, r) in ALLOWED if r in ("unit", "county", "clerk")]


@pytest.mark.parametrize("state,action,role", REVIEW_CASES)
def test_out_of_scope_officer_is_refused(app_in, cast, state, action, role):
    app = app_in(state)
    _prepare(app, state, action, cast)
    with pytest.raises(TransitionRefused) as refused:
        _fire(app, action, getattr(cast, f"other_{role}"))
    assert "不在您的审核范围内" in refused.value.message
    app.refresh_from_db()
    assert app.state == state


@pytest.mark.parametrize("state,action,role", [*REVIEW_CASES, (State.DRAFT, "submit", "applicant")])
def test_outside_the_window_is_refused_with_the_window(app_in, cast, state, action, role):
    app = app_in(state, files=action == "submit")
    _prepare(app, state, action, cast)
    too_late = timezone.now() + dt.timedelta(days=120)  # the demo windows close within ~3 weeks
    with pytest.raises(TransitionRefused) as refused:
        _fire(app, action, getattr(cast, role), now=too_late)
    assert "时间内" in refused.value.message
    assert str(app.campaign.online_end.month) in refused.value.message
    app.refresh_from_db()
    assert app.state == state


def test_resubmission_is_allowed_after_the_window_within_the_deadline(app_in, cast):
    """A return on the window's last day must still leave the applicant their 48 hours."""
    app = app_in(State.RETURNED, files=True, deadline_hours=48)
    window_end = dt.datetime.combine(app.campaign.online_end, dt.time(23, 0), tzinfo=timezone.get_current_timezone())

    Application.objects.filter(pk=app.pk).update(return_deadline=window_end + dt.timedelta(hours=48))
    application_transition(application_id=app.pk, action="resubmit", actor=cast.applicant,
                           now=window_end + dt.timedelta(hours=30))
    app.refresh_from_db()
    assert app.state == State.UNIT_REVIEW


def test_expired_return_can_only_be_abandoned_by_the_system(app_in, cast):
    app = app_in(State.RETURNED, files=True, deadline_hours=-1)
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=app.pk, action="resubmit", actor=cast.applicant)
    assert "视为放弃申报" in refused.value.message
    with pytest.raises(TransitionRefused):
        application_transition(application_id=app.pk, action="abandon", actor=cast.unit)
    application_transition(application_id=app.pk, action="abandon", actor=None)
    app.refresh_from_db()
    assert app.state == State.ABANDONED
    assert StateChange.objects.filter(application=app).last().actor_role == "system"
