"""Who may fire which transition, and when.  Each predicate returns a ``Decision`` whose reason
the UI shows as is; views, templates and the one door (``review.services``) all ask here.

Scope is checked through ``review.selectors.applications_visible_to`` (one source of truth), the
chain step through the role, the time through the campaign's windows (Asia/Shanghai days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.bans import ban_refusal, bans_for
from applications.states import REVIEW_STATE_OF_STEP, State
from portal.accounts.models import Role

from .selectors import applications_visible_to

STEP_OF_ROLE = {Role.UNIT_OFFICER: "unit", Role.COUNTY_OFFICER: "county", Role.COMMITTEE_CLERK: "committee"}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def refuse(reason: str) -> Decision:
    return Decision(False, reason)


def in_scope(user, application) -> bool:
    """Whether ``application`` is among those ``user`` may see; asked once per user and state of an
    instance (a review page asks for approve and for return: one query, not two)."""
    if user is None:
        return False
    answers = application.__dict__.setdefault("_in_scope", {})
    key = (user.pk, application.state)
    if key not in answers:
        answers[key] = applications_visible_to(user).filter(pk=application.pk).exists()
    return answers[key]


def _state_is(application, *states) -> Decision:
    if application.state in states:
        return ALLOW
    return refuse(_("该申报当前状态为“%s”，不能进行此操作。") % application.get_state_display())


def _own(user, application) -> Decision:
    if user is not None and user.is_authenticated and application.applicant_id == user.pk:
        return ALLOW
    return refuse(_("只能操作本人的申报。"))


def _submission_window(application, now) -> Decision:
    window = application.campaign.submission_window(application.kind)
    if window.contains(now):
        return ALLOW
    return refuse(_("不在网上申报时间内（%s），逾期不予受理。") % window)


def _not_banned(application, now) -> Decision:
    """诚信档案: a banned person, or a person of a banned unit, may not submit (says until when)."""
    bans = bans_for(id_number=application.applicant.id_number, unit_id=application.unit_id)
    if not bans:
        return ALLOW
    reason = ban_refusal(application.campaign, application.kind, bans, today=timezone.localdate(now))
    return refuse(reason) if reason else ALLOW


def can_submit(user, application, now: dt.datetime | None = None) -> Decision:
    for check in (_own(user, application), _state_is(application, State.DRAFT),
                  _submission_window(application, now)):
        if not check:
            return check
    campaign = application.campaign
    if application.submission_count >= campaign.max_submissions:
        return refuse(_("已提交%d次，达到本年度提交次数上限。") % application.submission_count)
    return _not_banned(application, now)


def can_resubmit(user, application, now: dt.datetime | None = None) -> Decision:
    """Within the return deadline, even if the online window has closed meanwhile: a return on the
    window's last day must still leave the applicant their 48 hours."""
    for check in (_own(user, application), _state_is(application, State.RETURNED)):
        if not check:
            return check
    now = now or timezone.now()
    if application.return_deadline and now > application.return_deadline:
        local = timezone.localtime(application.return_deadline)
        return refuse(_("已超过退回修改期限（%s），视为放弃申报。") % local.strftime("%Y-%m-%d %H:%M"))
    if application.return_deadline is None and application.campaign.return_hours is None:
        # No deadline in the notice (003 四（三）, 004 四): resubmit while officers can still review.
        window = application.campaign.review_window(application.kind)
        if not window.contains(now):
            return refuse(_("网上审核时间已过（%s），不能重新提交。") % window)
    if application.submission_count >= application.campaign.max_submissions:
        return refuse(_("已提交%d次，达到本年度提交次数上限。") % application.submission_count)
    return _not_banned(application, now)


def can_withdraw(user, application, now: dt.datetime | None = None) -> Decision:
    for check in (_own(user, application), _state_is(application, State.UNIT_REVIEW)):
        if not check:
            return check
    return ALLOW


def _officer_at_step(user, application, now) -> Decision:
    step = STEP_OF_ROLE.get(getattr(user, "role", None))
    if step is None or user is None or not user.is_authenticated:
        return refuse(_("只有审核人员可以进行此操作。"))
    if step not in application.campaign.chain_steps:
        return refuse(_("本年度评审工作的审核流程不包含此层级。"))
    expected = REVIEW_STATE_OF_STEP[step]
    if application.state != expected:
        return refuse(_("该申报当前状态为“%s”，不在您的审核环节。") % application.get_state_display())
    if not in_scope(user, application):
        return refuse(_("该申报不在您的审核范围内。"))
    window = application.campaign.review_window(application.kind)
    if not window.contains(now):
        return refuse(_("不在网上审核时间内（%s）。") % window)
    return ALLOW


def can_approve(user, application, now: dt.datetime | None = None) -> Decision:
    return _officer_at_step(user, application, now)


def can_return(user, application, now: dt.datetime | None = None) -> Decision:
    return _officer_at_step(user, application, now)


def can_abandon(user, application, now: dt.datetime | None = None) -> Decision:
    """Only the system (``user is None``) abandons, and only once the deadline has passed."""
    if user is not None:
        return refuse(_("只有系统可以在修改期限届满后将申报视为放弃。"))
    check = _state_is(application, State.RETURNED)
    if not check:
        return check
    now = now or timezone.now()
    if application.return_deadline is None or now <= application.return_deadline:
        return refuse(_("退回修改期限尚未届满。"))
    return ALLOW
