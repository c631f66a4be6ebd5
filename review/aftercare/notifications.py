"""What applicants read after acceptance: one text per after-acceptance transition (each action's
``applicant_text``, which ``review.notifications`` asks), and news that is not a transition (a
defense session's day, time or place changed, an applicant moved to another session), written
after commit and e-mailed by the worker (``review.mail``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from applications.models import Application
from applications.rules.defense import defense_note
from review.mail import notifications_mail
from review.models import Notification

from .conditions import fee_status, session_text
from .models import DefenseSession


def applicant_text(change, application) -> tuple[str, str] | None:
    """(title, body) for the applicant, or None when ``change`` is not an after-acceptance action."""
    action = change.action
    if action == "receive_paper":
        return _("纸质材料已接收"), _("评审委员会已收齐您的纸质材料。") + _fee_hint(change, application)
    if action == "confirm_fee":
        return _("评审费已确认"), change.comment
    if action == "exempt_defense":
        grounds = "；".join(change.data.get("grounds") or [])
        return _("免于答辩"), _("根据本通知，您免于答辩：%s") % grounds + _scoring_note(application)
    if action == "schedule_defense":
        return _("答辩安排"), change.comment + _("请携带身份证按时参加答辩。")
    if action == "decide":
        result = (change.data.get("decision") or {}).get("result")
        if result == "pass":
            return _("评审结果：通过"), change.comment + _("评审结果公示期满后发放电子证书。")
        return _("评审结果：未通过"), change.comment
    if action == "certify":
        return _("电子证书已发放"), _("%s可在“我的申报”中下载电子证书，也可在“证书查询”页面凭身份证号码和姓名查询。") % change.comment
    if action == "close_for_fraud":
        return _("申报已终止"), change.comment
    return None


def _fee_hint(change, application) -> str:
    status = fee_status(application)
    if status.settled:
        return ""
    return _("请按通知在缴费时间内缴纳评审费%d元。") % status.due


def _scoring_note(application) -> str:
    note = defense_note(application.campaign, application.kind, True)
    return f"\n{note}" if note else ""


def _notify(applications_and_texts) -> None:
    rows = [Notification(user=application.applicant, application=application, change=None,
                         title=f"{title} · {application.code}", body=body)
            for application, title, body in applications_and_texts]
    notifications_mail(Notification.objects.bulk_create(rows))


def defense_session_changed(*, session_id: int, before: str) -> None:
    """Tell everyone placed in a session that its day, time or place changed."""
    session = DefenseSession.objects.get(pk=session_id)
    after = session_text(session)
    applications = Application.objects.filter(defense__session=session).select_related("applicant")
    _notify([(a, _("答辩安排变更"), _("答辩安排已更新：%(after)s（原为：%(before)s）。") % {"after": after, "before": before})
             for a in applications])


def defense_rescheduled(*, application_id: int) -> None:
    application = Application.objects.select_related("applicant", "defense__session").get(pk=application_id)
    session = application.defense.session
    _notify([(application, _("答辩场次调整"), _("您的答辩已调整为：%s。") % session_text(session))])
