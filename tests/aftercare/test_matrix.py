"""Who may fire each after-acceptance action, in which state: the committee's clerk or an
administrator, in the action's source state; nobody else, never elsewhere (the one door's
predicates, state × action × role)."""

from __future__ import annotations

import pytest

from applications.models import Application
from applications.states import TERMINAL, State
from review.actions import ACTIONS
from review.services import TransitionRefused, application_transition
from tests.factories import UnitOfficerFactory

SOURCES = {
    "receive_paper": {State.ACCEPTED},
    "confirm_fee": {State.PAPER_RECEIVED},
    "exempt_defense": {State.FEE_PAID},
    "schedule_defense": {State.FEE_PAID},
    "decide": {State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT},
    "certify": {State.DECIDED},
    "close_for_fraud": {s for s in State.values if s not in TERMINAL},
}
ROLES = ["clerk", "admin", "other_clerk", "unit", "applicant", "system"]
MANAGERS = {"clerk", "admin"}
# Applications that never reached the committee do not exist for its clerk (review.access): only
# the administrator closes them for fraud.
HIDDEN_FROM_CLERK = {State.DRAFT, State.UNIT_REVIEW, State.COUNTY_REVIEW}


@pytest.mark.parametrize("action", list(SOURCES))
def test_predicates(accepted, staff, action):
    app = accepted()
    actors = {"clerk": staff.clerk, "admin": staff.admin, "other_clerk": staff.other_clerk,
              "unit": UnitOfficerFactory(unit=app.unit), "applicant": app.applicant, "system": None}
    predicate = ACTIONS[action].predicate
    for state in State.values:
        Application.objects.filter(pk=app.pk).update(state=state)
        app = Application.objects.select_related("campaign", "applicant", "unit").get(pk=app.pk)
        for role in ROLES:
            allowed = bool(predicate(actors[role], app))
            expected = state in SOURCES[action] and role in MANAGERS
            if role == "clerk" and state in HIDDEN_FROM_CLERK:
                expected = False
            assert allowed == expected, (action, state, role)


@pytest.mark.parametrize("role", ["other_clerk", "unit", "applicant", "system"])
def test_refused_through_the_door_with_nothing_changed(accepted, staff, role):
    app = accepted()
    actor = {"other_clerk": staff.other_clerk, "unit": UnitOfficerFactory(unit=app.unit),
             "applicant": app.applicant, "system": None}[role]
    before = app.history.count()
    for action in SOURCES:
        with pytest.raises(TransitionRefused):
            application_transition(application_id=app.pk, action=action, actor=actor, comment="x")
    assert Application.objects.get(pk=app.pk).state == State.ACCEPTED and app.history.count() == before
