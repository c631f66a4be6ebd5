"""The after-acceptance actions of the one door (``review.services.application_transition``),
registered with it when the app loads (``register``, from ``AftercareConfig.ready``).

Each action's ``prepare`` runs under the application's row lock, in the same transaction as the
state change, its history row and its audit event; it raises ``TransitionRefused`` (nothing is
written then) or records what the action rests on:

* ``receive_paper``: every item of the campaign's paper checklist has a receipt.
* ``confirm_fee``: the fee the rule engine sets is paid in full, or the campaign charges none.
* ``exempt_defense`` / ``schedule_defense``: the rule engine's exemption (stored once in a
  ``DefenseRecord`` with its grounds); scheduling needs a session of the application's specialty.
* ``decide``: 通过/未通过 and the meeting date; the defense outcome it rests on (own score,
  the specialty's average for an exempt applicant where the campaign scores the defense, or
  "counts as passed") is frozen in the ``Decision``.
* ``certify``: a pass whose results publicity has ended; writes the ``Certificate`` and its
  pending file, which the worker renders after commit (queue ``bulk``).
* ``close_for_fraud``: the facts; writes the ``IntegrityRecord`` with the campaign's ban lengths.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from review.actions import Action, action_register
from review.documents.services import render_on_commit
from review.services import TransitionRefused

from .certificates import certificate_create
from .conditions import defense_outcome, fee_status, paper_status, session_text
from .models import Decision, DecisionResult, DefenseRecord, DefenseSession, ResultPublicity
from .notifications import applicant_text
from .permissions import (
    can_arrange_defense,
    can_certify,
    can_close_for_fraud,
    can_confirm_fee,
    can_decide,
    can_receive_paper,
)
from .services.common import defense_record_ensure
from .services.integrity import ban_summary, integrity_record_write


def _refuse(application, message: str) -> TransitionRefused:
    return TransitionRefused(message, state=application.state)


def _receive_paper(application, request, now: dt.datetime) -> None:
    status = paper_status(application)
    if not status.complete:
        raise _refuse(application, _("纸质材料尚未齐全，还缺：%s。") % "、".join(status.missing))
    request.comment = request.comment or _("纸质材料已齐全（共%d项）。") % len(status.items)


def _confirm_fee(application, request, now: dt.datetime) -> None:
    status = fee_status(application)
    if not status.settled:
        if status.payment is None:
            raise _refuse(application, _("尚未记录缴费（应缴%d元）。") % status.due)
        raise _refuse(application, _("已缴%(paid)s元，少于应缴的%(due)d元。") % {"paid": status.paid_amount, "due": status.due})
    if status.no_fee:
        request.comment = _("本通知未规定%(level)s%(kind)s的评审费，无需缴费。") % {
            "level": application.level.name, "kind": application.get_kind_display()}
        request.data["fee"] = {"due": None}
        return
    payment = status.payment
    request.comment = _("已缴评审费%(amount)s元（收据号%(receipt)s）。") % {
        "amount": payment.amount, "receipt": payment.receipt_number}
    request.data["fee"] = {"due": status.due, "amount": str(payment.amount), "receipt": payment.receipt_number}


def _exempt_defense(application, request, now: dt.datetime) -> None:
    record = defense_record_ensure(application, actor=request.actor)
    if not record.exempt:
        raise _refuse(application, _("根据本通知的免答辩规则，该申报人须参加答辩。"))
    request.comment = _("免于答辩：%s") % "；".join(record.grounds)
    request.data["grounds"] = list(record.grounds)


def _schedule_defense(application, request, now: dt.datetime) -> None:
    record = defense_record_ensure(application, actor=request.actor)
    if record.exempt:
        raise _refuse(application, _("该申报人免于答辩（%s），无需安排答辩。") % "；".join(record.grounds))
    session = (DefenseSession.objects.filter(pk=request.data.get("session"), campaign_id=application.campaign_id)
               .select_related("specialty").first())
    if session is None:
        raise _refuse(application, _("请选择本年度评审工作的答辩场次。"))
    if session.specialty_id != application.specialty_id:
        raise _refuse(application, _("答辩场次的专业（%(session)s）与申报专业（%(own)s）不一致。")
                     % {"session": session.specialty.name, "own": application.specialty.name})
    record.session = session
    record.save(update_fields=["session"])
    request.comment = _("答辩安排：%s。") % session_text(session)
    request.data["session"] = session.pk


def _decide(application, request, now: dt.datetime) -> None:
    result = request.data.get("result")
    if result not in DecisionResult.values:
        raise _refuse(application, _("请选择评审结果（通过或未通过）。"))
    try:
        meeting = dt.date.fromisoformat(str(request.data.get("meeting_date") or ""))
    except ValueError:
        raise _refuse(application, _("请填写评审会议日期（年-月-日）。")) from None
    if meeting > timezone.localdate(now):
        raise _refuse(application, _("评审会议日期不能晚于今天。"))
    window = application.campaign.defense_window
    if window is not None and meeting < window.start:
        raise _refuse(application, _("评审会议日期不能早于答辩开始日期（%s）。") % window)
    record = DefenseRecord.objects.filter(application=application).first()
    score, basis, problem = defense_outcome(application, record)
    if problem:
        raise _refuse(application, problem)
    Decision.objects.update_or_create(application=application, defaults={
        "result": result, "meeting_date": meeting, "defense_score": score, "defense_basis": basis,
        "recorded_by": request.actor})
    label = DecisionResult(result).label
    request.comment = _("评审结果：%(result)s（评审会议日期%(date)s；%(basis)s）。") % {
        "result": label, "date": meeting.isoformat(), "basis": basis}
    request.data["decision"] = {"result": result, "meeting_date": meeting.isoformat(),
                                "defense_score": str(score) if score is not None else None}


def _certify(application, request, now: dt.datetime) -> None:
    decision = Decision.objects.filter(application=application).first()
    if decision is None or not decision.is_pass:
        raise _refuse(application, _("评审结果为未通过，不能发放证书。"))
    publicity = ResultPublicity.objects.filter(campaign_id=application.campaign_id).first()
    if publicity is None:
        raise _refuse(application, _("请先公示评审结果，公示期满无异议后方可发放证书。"))
    if publicity.end > timezone.localdate(now):
        raise _refuse(application, _("评审结果公示尚未结束（%s止），公示期满无异议后方可发放证书。") % publicity.end.isoformat())
    certificate = certificate_create(application, decision, actor=request.actor, now=now)
    render_on_commit(certificate.document, queue="bulk")
    request.comment = _("已发放电子证书，证书编号%s。") % certificate.number
    request.data["certificate"] = certificate.number


def _close_for_fraud(application, request, now: dt.datetime) -> None:
    facts = request.comment.strip()
    if not facts:
        raise _refuse(application, _("请填写弄虚作假的情况。"))
    record = integrity_record_write(application, facts=facts, include_unit=bool(request.data.get("include_unit")),
                                    actor=request.actor, now=now)
    request.comment = _("经查实弄虚作假：%(facts)s。申报终止，记入诚信档案（%(bans)s）。") % {
        "facts": facts.rstrip("。"), "bans": ban_summary(record)}
    request.data["integrity_record"] = record.pk


ACTIONS = (
    Action("receive_paper", "纸质材料已接收", can_receive_paper, "receive_paper", _receive_paper, applicant_text),
    Action("confirm_fee", "确认缴费", can_confirm_fee, "confirm_fee", _confirm_fee, applicant_text),
    Action("exempt_defense", "免于答辩", can_arrange_defense, "exempt_defense", _exempt_defense, applicant_text),
    Action("schedule_defense", "安排答辩", can_arrange_defense, "schedule_defense", _schedule_defense,
           applicant_text),
    Action("decide", "记录评审结果", can_decide, "decide", _decide, applicant_text),
    Action("certify", "发放电子证书", can_certify, "certify", _certify, applicant_text),
    Action("close_for_fraud", "弄虚作假，终止申报", can_close_for_fraud, "close_for_fraud", _close_for_fraud,
           applicant_text),
)


def register() -> None:
    """Give the door the after-acceptance actions (``AftercareConfig.ready``)."""
    for action in ACTIONS:
        action_register(action)
