"""The after-acceptance actions' own checks and records, run by the one door
(``review.services.application_transition``) under the application's row lock, in the same
transaction as the state change and its history row.

What each action checks and records (``prepare``):

* ``receive_paper``: every item of the campaign's paper checklist has a receipt.
* ``confirm_fee``: the fee the rule engine sets is paid in full, or the campaign charges none.
* ``exempt_defense`` / ``schedule_defense``: the rule engine's exemption (stored once in a
  ``DefenseRecord`` with its grounds); scheduling needs a session of the application's specialty.
* ``decide``: 通过/未通过 and the meeting date; the defense outcome it rests on (own score,
  the specialty's average for an exempt applicant where the campaign scores the defense, or
  "counts as passed") is frozen in the ``Decision``.
* ``certify``: a pass whose results publicity has ended; writes the ``Certificate`` (its PDF is
  rendered by the worker after commit).
* ``close_for_fraud``: the facts; writes the ``IntegrityRecord`` with the campaign's ban lengths.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..states import State
from .bans import ban_end, unit_ban_years_for
from .conditions import exemption_for, fee_status, outcome_label, paper_status

AFTERCARE_ACTIONS = ("receive_paper", "confirm_fee", "exempt_defense", "schedule_defense", "decide", "certify",
                     "close_for_fraud")


def prepare(application, action: str, request, now: dt.datetime) -> None:
    from ..services import TransitionRefused

    def refuse(message: str) -> TransitionRefused:
        return TransitionRefused(message, state=application.state)

    handler = _HANDLERS[action]
    handler(application, request, now, refuse)


def _receive_paper(application, request, now, refuse) -> None:
    status = paper_status(application)
    if not status.complete:
        raise refuse(_("纸质材料尚未齐全，还缺：%s。") % "、".join(status.missing))
    request.comment = request.comment or _("纸质材料已齐全（共%d项）。") % len(status.items)


def _confirm_fee(application, request, now, refuse) -> None:
    status = fee_status(application)
    if not status.settled:
        if status.payment is None:
            raise refuse(_("尚未记录缴费（应缴%d元）。") % status.due)
        raise refuse(_("已缴%(paid)s元，少于应缴的%(due)d元。") % {"paid": status.paid_amount, "due": status.due})
    if status.no_fee:
        request.comment = _("本通知未规定%(level)s%(kind)s的评审费，无需缴费。") % {
            "level": application.level.name, "kind": application.get_kind_display()}
        request.data["fee"] = {"due": None}
        return
    payment = status.payment
    request.comment = _("已缴评审费%(amount)s元（收据号%(receipt)s）。") % {
        "amount": payment.amount, "receipt": payment.receipt_number}
    request.data["fee"] = {"due": status.due, "amount": str(payment.amount), "receipt": payment.receipt_number}


def defense_record_ensure(application):
    """The application's ``DefenseRecord``, created from the rule engine when missing."""
    from .models import DefenseRecord

    record = DefenseRecord.objects.filter(application=application).select_related("session").first()
    if record is None:
        exempt, grounds = exemption_for(application)
        record, _created = DefenseRecord.objects.get_or_create(application=application,
                                                               defaults={"exempt": exempt, "grounds": grounds})
    return record


def session_text(session) -> str:
    return _("%(date)s %(slot)s，%(place)s") % {
        "date": f"{session.date.year}年{session.date.month}月{session.date.day}日", "slot": session.time_slot,
        "place": session.place_label}


def _exempt_defense(application, request, now, refuse) -> None:
    record = defense_record_ensure(application)
    if not record.exempt:
        raise refuse(_("根据本通知的免答辩规则，该申报人须参加答辩。"))
    request.comment = _("免于答辩：%s") % "；".join(record.grounds)
    request.data["grounds"] = list(record.grounds)


def _schedule_defense(application, request, now, refuse) -> None:
    from .models import DefenseSession

    record = defense_record_ensure(application)
    if record.exempt:
        raise refuse(_("该申报人免于答辩（%s），无需安排答辩。") % "；".join(record.grounds))
    session = (DefenseSession.objects.filter(pk=request.data.get("session"), campaign_id=application.campaign_id)
               .select_related("specialty").first())
    if session is None:
        raise refuse(_("请选择本年度评审工作的答辩场次。"))
    if session.specialty_id != application.specialty_id:
        raise refuse(_("答辩场次的专业（%(session)s）与申报专业（%(own)s）不一致。")
                     % {"session": session.specialty.name, "own": application.specialty.name})
    record.session = session
    record.save(update_fields=["session"])
    request.comment = _("答辩安排：%s。") % session_text(session)
    request.data["session"] = session.pk


# -- decision ------------------------------------------------------------------------------------

SCORE_STEP = Decimal("0.1")


def specialty_average(campaign_id: int, specialty_id: int) -> dict:
    """The mean score of a specialty's attendees in a campaign (that year's defense), how many it
    is taken over, and how many scheduled attendees still have no outcome.  Applications closed
    for fraud do not count.  One query."""
    from .models import DefenseRecord

    scored = Q(absent=False, score__isnull=False)
    found = (DefenseRecord.objects
             .filter(application__campaign_id=campaign_id, application__specialty_id=specialty_id, exempt=False)
             .exclude(application__state=State.CLOSED)
             .aggregate(mean=Avg("score", filter=scored), count=Count("pk", filter=scored),
                        pending=Count("pk", filter=Q(session__isnull=False, absent=False, score__isnull=True))))
    mean = found["mean"]
    if mean is not None:
        mean = Decimal(str(mean)).quantize(SCORE_STEP, rounding=ROUND_HALF_UP)
    return {"mean": mean, "count": found["count"], "pending": found["pending"]}


def defense_outcome(application, record) -> tuple[Decimal | None, str, str]:
    """(score counted, basis in words, refusal or "") for the decision of ``application``."""
    scored = application.campaign.defense_scored
    if record is None:
        return None, "", _("尚未认定答辩或免答辩。")
    if not record.exempt:
        recorded = record.absent or (record.score is not None if scored else record.passed is not None)
        if not recorded:
            return None, "", (_("请先录入答辩成绩（缺席的请标记缺席）。") if scored
                              else _("请先录入答辩结果（缺席的请标记缺席）。"))
        return (record.score if scored and not record.absent else None,
                _("参加现场答辩：%s") % outcome_label(record, scored), "")
    if not scored:
        return None, _("免于答辩，按通过现场答辩环节对待"), ""
    average = specialty_average(application.campaign_id, application.specialty_id)
    if average["pending"]:
        return None, "", _("本专业仍有%d名答辩人员未录入成绩，免答辩人员的平均分尚未确定。") % average["pending"]
    if average["mean"] is None:
        return None, _("免于答辩；本专业当年无人参加现场答辩，不赋分"), ""
    return (average["mean"],
            _("免于答辩，按本专业%(n)d名答辩人员平均分赋分：%(mean)s分")
            % {"n": average["count"], "mean": average["mean"]},
            "")


def _decide(application, request, now, refuse) -> None:
    from .models import Decision, DecisionResult, DefenseRecord

    result = request.data.get("result")
    if result not in DecisionResult.values:
        raise refuse(_("请选择评审结果（通过或未通过）。"))
    try:
        meeting = dt.date.fromisoformat(str(request.data.get("meeting_date") or ""))
    except ValueError:
        raise refuse(_("请填写评审会议日期（年-月-日）。")) from None
    if meeting > timezone.localdate(now):
        raise refuse(_("评审会议日期不能晚于今天。"))
    window = application.campaign.defense_window
    if window is not None and meeting < window.start:
        raise refuse(_("评审会议日期不能早于答辩开始日期（%s）。") % window)
    record = DefenseRecord.objects.filter(application=application).first()
    score, basis, problem = defense_outcome(application, record)
    if problem:
        raise refuse(problem)
    Decision.objects.update_or_create(application=application, defaults={
        "result": result, "meeting_date": meeting, "defense_score": score, "defense_basis": basis,
        "recorded_by": request.actor})
    label = DecisionResult(result).label
    request.comment = _("评审结果：%(result)s（评审会议日期%(date)s；%(basis)s）。") % {
        "result": label, "date": meeting.isoformat(), "basis": basis}
    request.data["decision"] = {"result": result, "meeting_date": meeting.isoformat(),
                                "defense_score": str(score) if score is not None else None}


def _certify(application, request, now, refuse) -> None:
    from .certificates import certificate_create
    from .models import Decision, ResultPublicity

    decision = Decision.objects.filter(application=application).first()
    if decision is None or not decision.is_pass:
        raise refuse(_("评审结果为未通过，不能发放证书。"))
    publicity = ResultPublicity.objects.filter(campaign_id=application.campaign_id).first()
    if publicity is None:
        raise refuse(_("请先公示评审结果，公示期满无异议后方可发放证书。"))
    if publicity.end > timezone.localdate(now):
        raise refuse(_("评审结果公示尚未结束（%s止），公示期满无异议后方可发放证书。") % publicity.end.isoformat())
    certificate = certificate_create(application, decision, actor=request.actor, now=now)
    request.comment = _("已发放电子证书，证书编号%s。") % certificate.number
    request.data["certificate"] = certificate.number


def integrity_record_write(application, *, facts: str, include_unit: bool, actor, now: dt.datetime):
    """Write the 诚信档案 row of ``application``'s applicant (and unit) with the campaign's bans."""
    from .models import IntegrityRecord

    campaign = application.campaign
    person_years = campaign.person_ban_years
    unit_years = unit_ban_years_for(campaign) if include_unit else None
    applicant = application.applicant
    return IntegrityRecord.objects.create(
        id_number=(applicant.id_number or "").upper(),
        name=(application.snapshot or {}).get("name") or applicant.real_name,
        person=applicant, unit=application.unit if include_unit else None, campaign=campaign,
        application=application, facts=facts, person_ban_years=person_years,
        person_banned_until=ban_end(campaign.year, person_years), unit_ban_years=unit_years,
        unit_banned_until=ban_end(campaign.year, unit_years) if unit_years else None, recorded_by=actor)


def ban_summary(record) -> str:
    text = _("个人自%(from)d年起%(n)d年内不得申报，至%(until)s") % {
        "from": record.campaign.year + 1, "n": record.person_ban_years, "until": _day(record.person_banned_until)}
    if record.unit_id:
        text += _("；%(unit)s%(n)d年内取消参评资格，至%(until)s") % {
            "unit": record.unit.name, "n": record.unit_ban_years, "until": _day(record.unit_banned_until)}
    return text


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _close_for_fraud(application, request, now, refuse) -> None:
    facts = request.comment.strip()
    if not facts:
        raise refuse(_("请填写弄虚作假的情况。"))
    record = integrity_record_write(application, facts=facts, include_unit=bool(request.data.get("include_unit")),
                                    actor=request.actor, now=now)
    request.comment = _("经查实弄虚作假：%(facts)s。申报终止，记入诚信档案（%(bans)s）。") % {
        "facts": facts.rstrip("。"), "bans": ban_summary(record)}
    request.data["integrity_record"] = record.pk


_HANDLERS = {
    "receive_paper": _receive_paper,
    "confirm_fee": _confirm_fee,
    "exempt_defense": _exempt_defense,
    "schedule_defense": _schedule_defense,
    "decide": _decide,
    "certify": _certify,
    "close_for_fraud": _close_for_fraud,
}

__all__ = ["AFTERCARE_ACTIONS", "defense_outcome", "prepare", "specialty_average"]
