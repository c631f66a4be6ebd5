"""Writes after acceptance: receipts, payments, defense, decisions, certificates, fraud.

Every service takes keyword-only arguments, checks who acts (``permissions.can_manage``: the
committee clerk of the application's committee or an administrator) and when (the campaign's
paper and fee windows; an administrator may record outside them with a reason, stored on the
record), writes its rows in one transaction with the application row locked, and then asks
``aftercare_advance`` to move the state on through the one door
(``review.services.application_transition``) as far as the records allow:

    accepted ──paper complete──▶ paper_received ──fee settled──▶ fee_paid ──exempt──▶ defense_exempt
                                                                        └──session──▶ defense_scheduled

Paper and fee may arrive in either order (001's fee window precedes its paper window): a
payment recorded while paper is still missing waits in its record, and the receipt that
completes the paper moves the application through both steps at once.

Refusals raise ``RecordRefused`` (or the one door's ``TransitionRefused``) with a message in
Chinese; nothing is written then.  Batch services handle each application on its own and
report every refusal with its reason, like ``review.services.applications_batch_approve``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import partial
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationSection, Campaign
from applications.rules import CAMPAIGN_PREFETCH

from ..services import TransitionRefused, application_transition
from ..states import AFTER_ACCEPTANCE, TERMINAL, State
from .conditions import exemption_for, fee_status, paper_item_names, paper_status
from .door import defense_record_ensure, integrity_record_write, session_text
from .models import (
    Certificate,
    DefenseRecord,
    DefenseSession,
    FeeBatch,
    FeePayment,
    IntegrityRecord,
    PaperReceipt,
    ResultPublicity,
)
from .permissions import RecordRefused, can_manage, is_admin, window_check

logger = logging.getLogger(__name__)

# Before the decision: where receipts, payments and defense records may still change.
OPEN_AFTER_ACCEPTANCE = (State.ACCEPTED, State.PAPER_RECEIVED, State.FEE_PAID, State.DEFENSE_SCHEDULED,
                         State.DEFENSE_EXEMPT)


@dataclass
class Outcome:
    """What a batch did: each application went through on its own."""

    done: list[Application] = field(default_factory=list)
    refused: list[tuple[Application | int, str]] = field(default_factory=list)


def _locked(application_id: int, actor) -> Application:
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


def _state_in(application: Application, states, what: str) -> None:
    if application.state not in states:
        raise RecordRefused(_("该申报当前状态为“%(state)s”，不能%(what)s。") % {
            "state": application.get_state_display(), "what": what})


def _not_future(day: dt.date, now: dt.datetime, label: str) -> None:
    if day > timezone.localdate(now):
        raise RecordRefused(_("%s不能晚于今天。") % label)


def _campaign_scope(actor, campaign: Campaign) -> None:
    if is_admin(actor):
        return
    if actor is None or not actor.is_authenticated or getattr(actor, "committee_id", None) != campaign.committee_id:
        raise RecordRefused(_("只有本评审委员会办公室可以进行此操作。"))


# -- moving on -----------------------------------------------------------------------------------

def aftercare_advance(*, application_id: int, actor, now: dt.datetime | None = None) -> Application:
    """Fire every after-acceptance transition whose condition the records now meet, in order;
    each through the one door, which re-checks its condition under the row lock."""
    now = now or timezone.now()
    while True:
        application = (Application.objects.select_related("campaign", "level", "unit", "specialty")
                       .get(pk=application_id))
        state = application.state
        if state == State.ACCEPTED and paper_status(application).complete:
            action = "receive_paper"
        elif state == State.PAPER_RECEIVED and fee_status(application).settled:
            action = "confirm_fee"
        elif state == State.FEE_PAID and defense_record_ensure(application).exempt:
            action = "exempt_defense"
        else:
            return application
        try:
            application_transition(application_id=application_id, action=action, actor=actor,
                                   expected_state=state, now=now)
        except TransitionRefused as refusal:
            logger.info("advance of application %s stopped at %s: %s", application_id, state, refusal.message)
            return Application.objects.get(pk=application_id)


# -- paper files ---------------------------------------------------------------------------------

def paper_receipts_record(*, application_id: int, item_names: list[str], received_on: dt.date, actor,
                          override_reason: str = "", now: dt.datetime | None = None) -> Application:
    """Tick items of the campaign's paper checklist as received (already ticked ones stay)."""
    now = now or timezone.now()
    with transaction.atomic():
        application = _locked(application_id, actor)
        _state_in(application, OPEN_AFTER_ACCEPTANCE, _("登记纸质材料"))
        reason = window_check(application.campaign.paper_window, actor=actor, now=now, reason=override_reason,
                              what=_("纸质材料报送"))
        _not_future(received_on, now, _("接收日期"))
        known = paper_item_names(application.campaign)
        unknown = [name for name in item_names if name not in known]
        if unknown:
            raise RecordRefused(_("纸质材料目录中没有“%s”。") % "、".join(unknown))
        if not item_names:
            raise RecordRefused(_("请勾选已接收的纸质材料。"))
        have = set(application.paper_receipts.values_list("item_name", flat=True))
        PaperReceipt.objects.bulk_create([
            PaperReceipt(application=application, item_name=name, received_on=received_on, override_reason=reason,
                         recorded_by=actor) for name in item_names if name not in have])
        return aftercare_advance(application_id=application_id, actor=actor, now=now)


def paper_receipt_remove(*, application_id: int, item_name: str, actor, now: dt.datetime | None = None) -> None:
    """Untick an item ticked by mistake, while the paper is not yet complete."""
    with transaction.atomic():
        application = _locked(application_id, actor)
        _state_in(application, (State.ACCEPTED,), _("撤销纸质材料登记"))
        PaperReceipt.objects.filter(application=application, item_name=item_name).delete()


def paper_receipts_record_bulk(*, application_ids: list[int], received_on: dt.date, actor,
                               item_names: list[str] | None = None, override_reason: str = "",
                               now: dt.datetime | None = None) -> Outcome:
    """From the roster: tick ``item_names`` (all items of the checklist when None) for each
    application.  Each is recorded on its own; refusals are reported one by one."""
    outcome = Outcome()
    for application_id in application_ids:
        try:
            with transaction.atomic():
                names = item_names
                if names is None:
                    campaign_id = Application.objects.values_list("campaign_id", flat=True).get(pk=application_id)
                    names = list(Campaign.objects.get(pk=campaign_id).paper_items.values_list("name", flat=True))
                outcome.done.append(paper_receipts_record(
                    application_id=application_id, item_names=names, received_on=received_on, actor=actor,
                    override_reason=override_reason, now=now))
        except (RecordRefused, TransitionRefused) as refusal:
            outcome.refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            outcome.refused.append((application_id, _("申报不存在或不在您的管理范围内。")))
    return outcome


# -- fees ----------------------------------------------------------------------------------------

def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise RecordRefused(_("请填写正确的金额。")) from None
    if amount <= 0:
        raise RecordRefused(_("金额须大于0。"))
    return amount


def _receipt(value: str) -> str:
    receipt = (value or "").strip()
    if not receipt:
        raise RecordRefused(_("请填写收据号。"))
    if len(receipt) > 40:
        raise RecordRefused(_("收据号不能超过40个字符。"))
    return receipt


def _receipt_unused(campaign: Campaign, receipt: str) -> None:
    used = (FeePayment.objects.filter(application__campaign=campaign, receipt_number=receipt)
            .select_related("application__applicant").first())
    if used is not None:
        raise RecordRefused(_("收据号%(receipt)s已登记过（申报 %(code)s），请核对。") % {
            "receipt": receipt, "code": used.application.code})


def _payable(application: Application) -> int:
    """The fee still to record for ``application``; refuses when none is due or it is paid."""
    status = fee_status(application)
    if status.no_fee:
        raise RecordRefused(_("本通知未规定%(level)s%(kind)s的评审费，无需缴费。") % {
            "level": application.level.name, "kind": application.get_kind_display()})
    if status.payment is not None:
        raise RecordRefused(_("申报 %(code)s 已登记缴费（收据号%(receipt)s）。") % {
            "code": application.code, "receipt": status.payment.receipt_number})
    return status.due


def fee_payment_record(*, application_id: int, amount, paid_on: dt.date, receipt_number: str, actor,
                       override_reason: str = "", now: dt.datetime | None = None) -> Application:
    """Record the review fee of one application: the amount the rule engine sets, its date and
    receipt number, inside the fee window."""
    now = now or timezone.now()
    with transaction.atomic():
        application = _locked(application_id, actor)
        _state_in(application, OPEN_AFTER_ACCEPTANCE, _("登记缴费"))
        reason = window_check(application.campaign.fee_window, actor=actor, now=now, reason=override_reason,
                              what=_("缴费"))
        due = _payable(application)
        amount = _amount(amount)
        if amount != due:
            raise RecordRefused(_("缴费金额应为%(due)d元（%(level)s%(kind)s），与填写的%(amount)s元不符。") % {
                "due": due, "level": application.level.name, "kind": application.get_kind_display(),
                "amount": amount})
        _not_future(paid_on, now, _("缴费日期"))
        receipt = _receipt(receipt_number)
        _receipt_unused(application.campaign, receipt)
        FeePayment.objects.create(application=application, amount=amount, paid_on=paid_on, receipt_number=receipt,
                                  override_reason=reason, recorded_by=actor)
        return aftercare_advance(application_id=application_id, actor=actor, now=now)


def fee_batch_record(*, campaign: Campaign, unit, application_ids: list[int], amount, paid_on: dt.date,
                     receipt_number: str, actor, override_reason: str = "",
                     now: dt.datetime | None = None) -> FeeBatch:
    """One payment by a unit for several of its applicants (one receipt).  All or nothing: the
    total must equal what the rule engine sets for the applications chosen."""
    now = now or timezone.now()
    if not application_ids:
        raise RecordRefused(_("请勾选本次缴费包含的申报。"))
    with transaction.atomic():
        _campaign_scope(actor, campaign)
        reason = window_check(campaign.fee_window, actor=actor, now=now, reason=override_reason, what=_("缴费"))
        _not_future(paid_on, now, _("缴费日期"))
        receipt = _receipt(receipt_number)
        _receipt_unused(campaign, receipt)
        total = _amount(amount)
        applications = []
        due_total = 0
        for application_id in sorted(set(application_ids)):
            application = _locked(application_id, actor)
            if application.campaign_id != campaign.pk or application.unit_id != unit.pk:
                raise RecordRefused(_("申报 %(code)s 不属于%(unit)s本年度的申报。") % {
                    "code": application.code, "unit": unit.name})
            _state_in(application, OPEN_AFTER_ACCEPTANCE, _("登记缴费"))
            due_total += _payable(application)
            applications.append(application)
        if total != due_total:
            raise RecordRefused(_("缴费金额%(amount)s元与所选%(n)d人应缴合计%(due)d元不符。") % {
                "amount": total, "n": len(applications), "due": due_total})
        batch = FeeBatch.objects.create(campaign=campaign, unit=unit, amount=total, paid_on=paid_on,
                                        receipt_number=receipt, override_reason=reason, recorded_by=actor)
        FeePayment.objects.bulk_create([
            FeePayment(application=application, amount=fee_status(application, payment=None).due, paid_on=paid_on,
                       receipt_number=receipt, batch=batch, override_reason=reason, recorded_by=actor)
            for application in applications])
        for application in applications:
            aftercare_advance(application_id=application.pk, actor=actor, now=now)
    return batch


# -- defense -------------------------------------------------------------------------------------

def defense_exemptions_apply(*, campaign: Campaign, actor, now: dt.datetime | None = None) -> dict:
    """Ask the rule engine once for every accepted application of ``campaign`` that has no
    defense record yet, store exemption and grounds, and move the exempt ones whose fee is settled
    to ``defense_exempt``.  A constant number of queries for the evaluation, however many."""
    now = now or timezone.now()
    _campaign_scope(actor, campaign)
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
    DefenseRecord.objects.bulk_create(records, ignore_conflicts=True)
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
    _campaign_scope(actor, campaign)
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
            return DefenseSession.objects.create(campaign=campaign, specialty=specialty, date=date,
                                                 time_slot=time_slot, place=(place or "").strip(), created_by=actor)
        session = DefenseSession.objects.select_for_update().get(pk=session.pk, campaign=campaign)
        if session.specialty_id != specialty.pk and session.records.exists():
            raise RecordRefused(_("该场次已安排答辩人员，不能更改专业。"))
        before = session_text(session)
        session.specialty, session.date, session.time_slot, session.place = specialty, date, time_slot, \
            (place or "").strip()
        session.save()
        after = session_text(session)
        if after != before:
            from .notifications import defense_session_changed

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
        except (RecordRefused, TransitionRefused) as refusal:
            outcome.refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            outcome.refused.append((application_id, _("申报不存在或不在您的管理范围内。")))
    return outcome


def _defense_move(*, application_id: int, session: DefenseSession, actor) -> Application:
    with transaction.atomic():
        application = _locked(application_id, actor)
        record = DefenseRecord.objects.select_for_update().get(application=application)
        if session.campaign_id != application.campaign_id or session.specialty_id != application.specialty_id:
            raise RecordRefused(_("答辩场次的专业与申报专业不一致。"))
        if record.has_outcome:
            raise RecordRefused(_("已录入答辩成绩，不能更换场次。"))
        if record.session_id != session.pk:
            record.session = session
            record.save(update_fields=["session"])
            from .notifications import defense_rescheduled

            transaction.on_commit(lambda: defense_rescheduled(application_id=application_id))
    return application


def defense_outcome_record(*, application_id: int, actor, score=None, passed: bool | None = None,
                           absent: bool = False, now: dt.datetime | None = None) -> DefenseRecord:
    """The outcome of a scheduled applicant's defense, once its day has come: a score from 0 to
    100 where the campaign scores the defense, 通过/未通过 where it does not, or absence."""
    now = now or timezone.now()
    with transaction.atomic():
        application = _locked(application_id, actor)
        _state_in(application, (State.DEFENSE_SCHEDULED,), _("录入答辩成绩"))
        record = (DefenseRecord.objects.select_for_update(of=("self",)).select_related("session")
                  .get(application=application))
        if record.session is None:
            raise RecordRefused(_("尚未安排答辩场次。"))
        if record.session.date > timezone.localdate(now):
            raise RecordRefused(_("答辩（%s）尚未举行，不能录入成绩。") % session_text(record.session))
        scored = application.campaign.defense_scored
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
        return record


# -- results -------------------------------------------------------------------------------------

def decisions_record(*, application_ids: list[int], result: str, meeting_date: dt.date, actor,
                     now: dt.datetime | None = None) -> Outcome:
    """通过/未通过 with the committee's meeting date, each through the one door (``decide``)."""
    outcome = Outcome()
    for application_id in application_ids:
        try:
            outcome.done.append(application_transition(
                application_id=application_id, action="decide", actor=actor,
                data={"result": result, "meeting_date": meeting_date.isoformat()}, now=now))
        except TransitionRefused as refusal:
            outcome.refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            outcome.refused.append((application_id, _("申报不存在或不在您的管理范围内。")))
    return outcome


def result_publicity_set(*, campaign: Campaign, start: dt.date, end: dt.date, actor,
                         now: dt.datetime | None = None) -> ResultPublicity:
    """The period of the results publicity (公示): at least the campaign's working days, not
    before the last meeting date; fixed once certificates are issued."""
    from django.db.models import Max

    from ..workdays import working_days_between

    _campaign_scope(actor, campaign)
    if end < start:
        raise RecordRefused(_("公示结束日期不能早于开始日期。"))
    last_meeting = (Application.objects.filter(campaign=campaign, decision__isnull=False)
                    .aggregate(last=Max("decision__meeting_date"))["last"])
    if last_meeting is None:
        raise RecordRefused(_("尚未记录评审结果，不能公示。"))
    if start < last_meeting:
        raise RecordRefused(_("公示开始日期不能早于评审会议日期（%s）。") % last_meeting.isoformat())
    days = working_days_between(start, end)
    if days < campaign.publicity_working_days:
        raise RecordRefused(_("公示期不少于%(need)d个工作日：%(start)s至%(end)s只有%(days)d个工作日。") % {
            "need": campaign.publicity_working_days, "start": start.isoformat(), "end": end.isoformat(),
            "days": days})
    with transaction.atomic():
        if Certificate.objects.filter(campaign=campaign).exists():
            raise RecordRefused(_("已发放证书，不能再修改公示期。"))
        publicity, _created = ResultPublicity.objects.update_or_create(campaign=campaign, defaults={
            "start": start, "end": end, "working_days": days, "recorded_by": actor})
    return publicity


def certificates_issue(*, application_ids: list[int], actor, now: dt.datetime | None = None) -> Outcome:
    """Issue the certificate of each passed application (``certify`` through the one door); the
    worker renders each PDF after commit."""
    outcome = Outcome()
    for application_id in application_ids:
        try:
            with transaction.atomic():
                application = application_transition(application_id=application_id, action="certify", actor=actor,
                                                     expected_state=State.DECIDED, now=now)
                certificate_id = Certificate.objects.values_list("pk", flat=True).get(application_id=application_id)
                transaction.on_commit(partial(certificate_render_queue, certificate_id=certificate_id))
            outcome.done.append(application)
        except TransitionRefused as refusal:
            outcome.refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            outcome.refused.append((application_id, _("申报不存在或不在您的管理范围内。")))
    return outcome


def certificate_render_queue(*, certificate_id: int) -> None:
    """Hand the PDF to the worker; a broker outage leaves the certificate pending (the page
    offers to render it again)."""
    from .tasks import render_certificate_task

    try:
        render_certificate_task.delay(certificate_id=certificate_id)
    except Exception:
        logger.exception("could not queue the certificate %s", certificate_id)


# -- integrity -----------------------------------------------------------------------------------

def integrity_record_create(*, application_id: int, facts: str, actor, include_unit: bool = False,
                            now: dt.datetime | None = None) -> IntegrityRecord:
    """诚信档案: record fraud against the applicant (and their unit) with the campaign's ban
    lengths and close the application.  A certified application keeps its state and loses its
    certificate (撤销), which the public verification then reports."""
    now = now or timezone.now()
    facts = (facts or "").strip()
    if not facts:
        raise RecordRefused(_("请填写弄虚作假的情况。"))
    with transaction.atomic():
        application = _locked(application_id, actor)
        if application.state not in TERMINAL:
            application_transition(application_id=application_id, action="close_for_fraud", actor=actor,
                                   comment=facts, data={"include_unit": include_unit}, now=now)
            return IntegrityRecord.objects.filter(application=application).latest("recorded_at", "id")
        record = integrity_record_write(application, facts=facts, include_unit=include_unit, actor=actor, now=now)
        Certificate.objects.filter(application=application, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason=_("弄虚作假，撤销证书"))
        return record


__all__ = [
    "AFTER_ACCEPTANCE", "Outcome", "RecordRefused", "aftercare_advance", "certificates_issue",
    "decisions_record", "defense_exemptions_apply", "defense_outcome_record", "defense_schedule",
    "defense_session_save", "fee_batch_record", "fee_payment_record", "integrity_record_create",
    "paper_receipt_remove", "paper_receipts_record", "paper_receipts_record_bulk", "result_publicity_set",
]
