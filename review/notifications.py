"""Who hears of a transition, and what they read (in the portal and by e-mail).

Each text is written for its reader: the applicant reads what happened and what to do next; the
officers of the step an application enters read that it waits for them; a committee clerk only
ever reads the application's code.  Called from ``review.effects`` after the transition commits;
the e-mail goes out from the worker (``review.mail``).  The applicant's text of an action
registered by an app above review comes from that action (``Action.applicant_text``).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import StateChange
from applications.selectors import listed_name
from applications.states import State
from portal.accounts.models import Role, User

from .actions import ACTIONS
from .mail import notifications_mail
from .models import Notification

__all__ = ["notifications_for_change", "notifications_mail", "officers_of_state"]

STEP_WORDS = {
    State.UNIT_REVIEW: "推荐单位",
    State.COUNTY_REVIEW: "县（市）人社局／主管单位",
    State.COMMITTEE_REVIEW: "评审委员会",
}


def officers_of_state(application, state: str):
    """The officers whose queue holds ``application`` while it is in ``state`` (same scope rule
    as ``review.selectors.applications_visible_to``)."""
    unit = application.unit
    if state == State.UNIT_REVIEW:
        return User.objects.filter(role=Role.UNIT_OFFICER, unit_id=unit.pk, is_active=True)
    if state == State.COUNTY_REVIEW:
        if unit.competent_unit_id:
            scope = Q(competent_unit_id=unit.competent_unit_id)
        else:
            scope = Q(county_id=unit.county_id, competent_unit__isnull=True)
        return User.objects.filter(scope, role=Role.COUNTY_OFFICER, is_active=True)
    if state == State.COMMITTEE_REVIEW:
        return User.objects.filter(role=Role.COMMITTEE_CLERK, committee_id=application.campaign.committee_id,
                                   is_active=True)
    return User.objects.none()


def _subject(application, blind: bool) -> str:
    what = f"{application.specialty} {application.level}{application.get_kind_display()}"
    if blind:
        return _("申报 %(code)s（%(what)s）") % {"code": application.code, "what": what}
    name = listed_name(application)
    return _("%(name)s的申报 %(code)s（%(what)s）") % {"name": name, "code": application.code, "what": what}


def _applicant_text(change: StateChange, application) -> tuple[str, str]:
    action = ACTIONS.get(change.action)
    if action is not None and action.applicant_text is not None:
        return action.applicant_text(change, application)
    to = change.to_state
    deadline = timezone.localtime(application.return_deadline).strftime("%Y-%m-%d %H:%M") \
        if application.return_deadline else ""
    if to in STEP_WORDS and change.action in ("submit", "resubmit"):
        return (_("申报已提交（第%d次）") % change.submission_round,
                _("您的申报已提交，等待%s审核。") % STEP_WORDS[to])
    if to in STEP_WORDS:
        return (_("申报已通过上一级审核"), _("您的申报已审核通过，现等待%s审核。") % STEP_WORDS[to])
    if to == State.ACCEPTED:
        return (_("评审委员会已接收材料"), _("您的申报已通过形式审核，评审委员会已接收材料。请按通知打印评审表并报送纸质材料。"))
    if to == State.RETURNED and not deadline:
        return (_("申报被退回，请修改后重新提交"),
                _("退回原因：%(reason)s\n请严格按照修改意见修改后，在网上审核时间（%(window)s）内重新提交。")
                % {"reason": change.comment, "window": application.campaign.review_window(application.kind)})
    if to == State.RETURNED:
        return (_("申报被退回，请在%s前修改") % deadline,
                _("退回原因：%(reason)s\n请在%(deadline)s前修改并重新提交，逾期视为放弃申报。")
                % {"reason": change.comment, "deadline": deadline})
    if to == State.CLOSED:
        return (_("申报被退回，本年度不再受理"),
                _("退回原因：%(reason)s\n已提交%(n)d次，达到本年度提交次数上限，本年度不再受理。")
                % {"reason": change.comment, "n": application.submission_count})
    if to == State.ABANDONED:
        return (_("逾期未重新提交，视为放弃申报"), _("您的申报未在修改期限内重新提交，已视为放弃本年度申报。"))
    if to == State.DRAFT:
        return (_("申报已撤回"), _("您已撤回申报，可修改后重新提交。"))
    return (str(State(to).label), "")


def notifications_for_change(change: StateChange) -> list[Notification]:
    """Write the notifications of one committed transition; returns them (unsaved mail state)."""
    application = change.application
    rows = []
    title, body = _applicant_text(change, application)
    rows.append(Notification(user=application.applicant, application=application, change=change,
                             title=f"{title} · {application.code}", body=body))
    if change.to_state in STEP_WORDS:
        for officer in officers_of_state(application, change.to_state):
            blind = officer.role == Role.COMMITTEE_CLERK
            again = _("（修改后重新提交）") if change.action == "resubmit" else ""
            rows.append(Notification(user=officer, application=application, change=change,
                                     title=_("待审核：%s") % _subject(application, blind) + again,
                                     body=_("请在“待审核”中处理。")))
    elif change.action == "withdraw":
        for officer in officers_of_state(application, State.UNIT_REVIEW):
            rows.append(Notification(user=officer, application=application, change=change,
                                     title=_("申报人已撤回：%s") % _subject(application, False), body=""))
    return Notification.objects.bulk_create(rows)
