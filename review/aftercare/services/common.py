"""What every after-acceptance service shares: the row lock with the scope check, the state and
date checks, and ``aftercare_advance``, which moves an application on through the one door as
far as its records allow."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Campaign
from applications.states import State
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record
from review.services import TransitionRefused, application_transition

from ..conditions import exemption_for, fee_status, paper_status
from ..models import DefenseRecord
from ..permissions import RecordRefused, can_manage, is_admin

logger = logging.getLogger(__name__)

# Before the decision: where receipts, payments and defense records may still change.
OPEN_AFTER_ACCEPTANCE = (State.ACCEPTED, State.PAPER_RECEIVED, State.FEE_PAID, State.DEFENSE_SCHEDULED,
                         State.DEFENSE_EXEMPT)


@dataclass
class Outcome:
    """What a batch did: each application went through on its own."""

    done: list[Application] = field(default_factory=list)
    refused: list[tuple[Application | int, str]] = field(default_factory=list)


def locked(application_id: int, actor) -> Application:
    """The application row, locked, after the scope check (a row out of scope is refused the same
    way as a missing one)."""
    application = (Application.objects.select_for_update()
                   .select_related("campaign__committee", "unit", "level", "specialty__series", "applicant")
                   .filter(pk=application_id).first())
    if application is None:
        raise RecordRefused(_("申报不存在或不在您的管理范围内。"))
    decision = can_manage(actor, application)
    if not decision:
        raise RecordRefused(decision.reason if actor is not None and actor.is_authenticated
                            else _("申报不存在或不在您的管理范围内。"))
    return application


def state_in(application: Application, states, what: str) -> None:
    if application.state not in states:
        raise RecordRefused(_("该申报当前状态为“%(state)s”，不能%(what)s。") % {
            "state": application.get_state_display(), "what": what})


def not_future(day: dt.date, now: dt.datetime, label: str) -> None:
    if day > timezone.localdate(now):
        raise RecordRefused(_("%s不能晚于今天。") % label)


def campaign_scope(actor, campaign: Campaign) -> None:
    if is_admin(actor):
        return
    if actor is None or not actor.is_authenticated or getattr(actor, "committee_id", None) != campaign.committee_id:
        raise RecordRefused(_("只有本评审委员会办公室可以进行此操作。"))


def defense_record_ensure(application, *, actor=None) -> DefenseRecord:
    """The application's ``DefenseRecord``, created from the rule engine when missing (with its
    audit event, ``defense.evaluated``)."""
    record = DefenseRecord.objects.filter(application=application).select_related("session").first()
    if record is not None:
        return record
    exempt, grounds = exemption_for(application)
    with transaction.atomic():
        record, created = DefenseRecord.objects.get_or_create(application=application,
                                                              defaults={"exempt": exempt, "grounds": grounds})
        if created:
            audit_record(action=AuditAction.DEFENSE_EVALUATED, actor=actor, obj=record, application=application,
                         after={"exempt": exempt, "grounds": grounds})
    return record


# -- moving on -----------------------------------------------------------------------------------

def aftercare_advance(*, application_id: int, actor, now: dt.datetime | None = None) -> Application:
    """Fire every after-acceptance transition whose condition the records now meet, in order;
    each through the one door, which re-checks its condition under the row lock."""
    now = now or timezone.now()
    while True:
        application = (Application.objects.select_related("campaign", "level", "unit", "specialty", "applicant")
                       .get(pk=application_id))
        state = application.state
        if state == State.ACCEPTED and paper_status(application).complete:
            action = "receive_paper"
        elif state == State.PAPER_RECEIVED and fee_status(application).settled:
            action = "confirm_fee"
        elif state == State.FEE_PAID and defense_record_ensure(application, actor=actor).exempt:
            action = "exempt_defense"
        else:
            return application
        try:
            application_transition(application_id=application_id, action=action, actor=actor,
                                   expected_state=state, now=now)
        except TransitionRefused as refusal:
            logger.info("advance of application %s stopped at %s: %s", application_id, state, refusal.message)
            return Application.objects.get(pk=application_id)
