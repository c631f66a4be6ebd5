"""答辩: the rule engine's exemptions, sessions (day, time, place), placing applicants in them,
and the outcome of each attendee's defense."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationSection, Campaign
from applications.rules import CAMPAIGN_PREFETCH
from applications.states import State
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record, audit_record_many, changes, field_values
from portal.errors import Refused
from review.services import application_transition

from ..conditions import exemption_for, session_text
from ..models import DefenseRecord, DefenseSession
from ..notifications import defense_rescheduled, defense_session_changed
from ..permissions import RecordRefused
from .common import OPEN_AFTER_ACCEPTANCE, Outcome, aftercare_advance, campaign_scope, locked, state_in

SESSION_FIELDS = ("specialty", "date", "time_slot", "place")
OUTCOME_FIELDS = ("score", "passed", "absent")


def defense_exemptions_apply(*, campaign: Campaign, actor, now: dt.datetime | None = None) -> dict:
    """Ask the rule engine once for every accepted application of ``campaign`` that has no
    defense record yet, store exemption and grounds, and move the exempt ones whose fee is settled
    to ``defense_exempt``.  A constant number of queries for the evaluation, however many."""
    now = now or timezone.now()
    campaign_scope(actor, campaign)
    loaded = Campaign.objects.prefetch_related(*CAMPAIGN_PREFETCH).get(pk=campaign.pk)
    pending = list(
        Application.objects.filter(campaign=campaign, state__in=OPEN_AFTER_ACCEPTANCE, defense__isnull=True)
        .select_related("unit", "level", "specialty")
        .prefetch_related(Prefetch("sections", queryset=ApplicationSection.objects.filter(is_complete=True))))
    records = []
    for application in pending:
        application.campaign = loaded
        exempt, grounds = exemption_for(application)
        records.append(DefenseRecord(application=application, exempt=exempt, grounds=grounds))
    with transaction.atomic():
        DefenseRecord.objects.bulk_create(records, ignore_conflicts=True)
        # One event per application evaluated (the records have no ids yet: filed by application).
        evaluated = {r.application_id: {"exempt": r.exempt, "grounds": r.grounds} for r in records}
        audit_record_many(action=AuditAction.DEFENSE_EVALUATED, actor=actor, objects=pending,
                          after_of=lambda application: evaluated[application.pk])
    advanced = 0
    ready = (Application.objects.filter(campaign=campaign, state=State.FEE_PAID, defense__exempt=True)
             .values_list("pk", flat=True))
    for application_id in list(ready):
        if aftercare_advance(application_id=application_id, actor=actor, now=now).state == State.DEFENSE_EXEMPT:
            advanced += 1
    return {"evaluated": len(records), "exempt": sum(1 for r in records if r.exempt),
            "attending": sum(1 for r in records if not r.exempt), "advanced": advanced}


def defense_session_save(*, campaign: Campaign, actor, specialty, date: dt.date, time_slot: str, place: str = "",
                         session: DefenseSession | None = None, now: dt.datetime | None = None) -> DefenseSession:
    """Create or change a defense session.  Its day must fall in the campaign's defense window;
    applicants already placed in it are told what changed."""
    campaign_scope(actor, campaign)
    window = campaign.defense_window
    if window is not None and not (window.start <= date <= window.end):
        raise RecordRefused(_("答辩日期须在本通知的答辩时间内（%s）。") % window)
    if not campaign.specialties.filter(pk=specialty.pk).exists():
        raise RecordRefused(_("本通知不受理“%s”专业。") % specialty.name)
    time_slot = (time_slot or "").strip()
    if not time_slot:
        raise RecordRefused(_("请填写答辩时间段，例如“上午 9:30—12:00”。"))
    with transaction.atomic():
        if session is None:
            session = DefenseSession.objects.create(campaign=campaign, specialty=specialty, date=date,
                                                    time_slot=time_slot, place=(place or "").strip(),
                                                    created_by=actor)
            audit_record(action=AuditAction.DEFENSE_SESSION_CREATED, actor=actor, obj=session,
                         after=field_values(session, SESSION_FIELDS))
            return session
        session = DefenseSession.objects.select_for_update().get(pk=session.pk, campaign=campaign)
        if session.specialty_id != specialty.pk and session.records.exists():
            raise RecordRefused(_("该场次已安排答辩人员，不能更改专业。"))
        was, before = field_values(session, SESSION_FIELDS), session_text(session)
        session.specialty, session.date, session.time_slot, session.place = specialty, date, time_slot, \
            (place or "").strip()
        session.save()
        audit_record(action=AuditAction.DEFENSE_SESSION_CHANGED, actor=actor, obj=session,
                     **dict(zip(("before", "after"), changes(was, field_values(session, SESSION_FIELDS)),
                                strict=True)))
        after = session_text(session)
        if after != before:
            session_id = session.pk
            transaction.on_commit(lambda: defense_session_changed(session_id=session_id, before=before))
        return session


def defense_schedule(*, application_ids: list[int], session: DefenseSession, actor,
                     now: dt.datetime | None = None) -> Outcome:
    """Place applications in ``session``: ``schedule_defense`` through the one door for those whose
    fee is settled; those already scheduled move to the new session (and are told)."""
    now = now or timezone.now()
    outcome = Outcome()
    for application_id in application_ids:
        try:
            state = Application.objects.values_list("state", flat=True).get(pk=application_id)
            if state == State.DEFENSE_SCHEDULED:
                outcome.done.append(_defense_move(application_id=application_id, session=session, actor=actor))
            elif state == State.DEFENSE_EXEMPT:
                grounds = DefenseRecord.objects.filter(application_id=application_id).values_list("grounds", flat=True)
                raise RecordRefused(_("该申报人免于答辩（%s），无需安排答辩。") % "；".join(grounds.first() or []))
            else:
                outcome.done.append(application_transition(
                    application_id=application_id, action="schedule_defense", actor=actor,
                    data={"session": session.pk}, now=now))
        except Refused as refusal:
            outcome.refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            outcome.refused.append((application_id, _("申报不存在或不在您的管理范围内。")))
    return outcome


def _defense_move(*, application_id: int, session: DefenseSession, actor) -> Application:
    with transaction.atomic():
        application = locked(application_id, actor)
        record = DefenseRecord.objects.select_for_update().get(application=application)
        if session.campaign_id != application.campaign_id or session.specialty_id != application.specialty_id:
            raise RecordRefused(_("答辩场次的专业与申报专业不一致。"))
        if record.has_outcome:
            raise RecordRefused(_("已录入答辩成绩，不能更换场次。"))
        if record.session_id != session.pk:
            audit_record(action=AuditAction.DEFENSE_MOVED, actor=actor, obj=record, application=application,
                         before={"session": record.session_id}, after={"session": session.pk})
            record.session = session
            record.save(update_fields=["session"])
            transaction.on_commit(lambda: defense_rescheduled(application_id=application_id))
    return application


def defense_outcome_record(*, application_id: int, actor, score=None, passed: bool | None = None,
                           absent: bool = False, now: dt.datetime | None = None) -> DefenseRecord:
    """The outcome of a scheduled applicant's defense, once its day has come: a score from 0 to
    100 where the campaign scores the defense, 通过/未通过 where it does not, or absence."""
    now = now or timezone.now()
    with transaction.atomic():
        application = locked(application_id, actor)
        state_in(application, (State.DEFENSE_SCHEDULED,), _("录入答辩成绩"))
        record = (DefenseRecord.objects.select_for_update(of=("self",)).select_related("session")
                  .get(application=application))
        if record.session is None:
            raise RecordRefused(_("尚未安排答辩场次。"))
        if record.session.date > timezone.localdate(now):
            raise RecordRefused(_("答辩（%s）尚未举行，不能录入成绩。") % session_text(record.session))
        scored = application.campaign.defense_scored
        was = field_values(record, OUTCOME_FIELDS)
        record.absent = bool(absent)
        record.score = None
        record.passed = None
        if not absent:
            if scored:
                if score in (None, ""):
                    raise RecordRefused(_("请填写答辩成绩（0—100分），缺席的请标记缺席。"))
                try:
                    value = Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                except (InvalidOperation, ValueError):
                    raise RecordRefused(_("答辩成绩须为0—100之间的数字。")) from None
                if not (0 <= value <= 100):
                    raise RecordRefused(_("答辩成绩须为0—100之间的数字。"))
                record.score = value
            else:
                if passed is None:
                    raise RecordRefused(_("请选择答辩结果（通过或未通过），缺席的请标记缺席。"))
                record.passed = bool(passed)
        record.scored_by = actor
        record.scored_at = now
        record.save()
        before, after = changes(was, field_values(record, OUTCOME_FIELDS))
        audit_record(action=AuditAction.DEFENSE_OUTCOME_RECORDED, actor=actor, obj=record, application=application,
                     before=before, after=after)
        return record
