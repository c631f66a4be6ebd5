"""The review chain as a django-fsm state machine, and what it leaves behind.

``ReviewStateMachine`` is mixed into ``applications.Application``; its transitions are declared
below in chain order.  Transitions only move the state: who may fire them, when, and what they
record is decided by the one door, ``review.services.application_transition``.  Never call a
transition method from anywhere else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from .states import REVIEW_STATE_OF_STEP, TERMINAL, State


def _step_after(application, step: str) -> str:
    """The state an application enters once ``step`` approves it: the next step of the campaign's
    chain, or ``accepted`` when ``step`` is the last one."""
    steps = application.campaign.chain_steps
    following = steps[steps.index(step) + 1:] if step in steps else []
    return REVIEW_STATE_OF_STEP[following[0]] if following else State.ACCEPTED


def _first_review_state(application) -> str:
    steps = application.campaign.chain_steps
    return REVIEW_STATE_OF_STEP[steps[0]]


def _returned_or_closed(application) -> str:
    """A return after the last permitted submission closes the application (本年度不再受理)."""
    if application.submission_count >= application.campaign.max_submissions:
        return State.CLOSED
    return State.RETURNED


class ReviewStateMachine(ConcurrentTransitionMixin, models.Model):
    """Optimistic locking: ``ConcurrentTransitionMixin`` makes the UPDATE conditional on the state
    read, so of two officers acting at once exactly one write succeeds."""

    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)

    class Meta:
        abstract = True

    # -- applicant -------------------------------------------------------------------------------
    @transition(field=state, source=State.DRAFT,
                target=GET_STATE(_first_review_state, states=list(REVIEW_STATE_OF_STEP.values())))
    def submit(self) -> None:
        """提交: enter the first review step of the campaign's chain."""

    @transition(field=state, source=State.RETURNED,
                target=GET_STATE(_first_review_state, states=list(REVIEW_STATE_OF_STEP.values())))
    def resubmit(self) -> None:
        """修改后逐级提交: a resubmission climbs the chain again from its first step."""

    @transition(field=state, source=State.UNIT_REVIEW, target=State.DRAFT)
    def withdraw(self) -> None:
        """撤回: only while the unit has not acted."""

    # -- the chain, in order ---------------------------------------------------------------------
    @transition(field=state, source=State.UNIT_REVIEW,
                target=GET_STATE(lambda app: _step_after(app, "unit"),
                                 states=[State.COUNTY_REVIEW, State.COMMITTEE_REVIEW, State.ACCEPTED]))
    def approve_unit(self) -> None:
        """推荐单位审核通过（公示无异议，同意推荐）."""

    @transition(field=state, source=State.COUNTY_REVIEW,
                target=GET_STATE(lambda app: _step_after(app, "county"),
                                 states=[State.COMMITTEE_REVIEW, State.ACCEPTED]))
    def approve_county(self) -> None:
        """县（市）人社局／主管单位审核通过."""

    @transition(field=state, source=State.COMMITTEE_REVIEW, target=State.ACCEPTED)
    def accept(self) -> None:
        """评委会形式审核通过: 评审委员会已接收材料."""

    @transition(field=state, source=[State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW],
                target=GET_STATE(_returned_or_closed, states=[State.RETURNED, State.CLOSED]))
    def return_to_applicant(self) -> None:
        """退回: the return clock starts, or the application closes after the last submission."""

    @transition(field=state, source=State.RETURNED, target=State.ABANDONED)
    def abandon(self) -> None:
        """视为放弃申报: the return deadline passed without a resubmission."""

    # -- after acceptance (review.aftercare fires these once their records complete a condition) --
    @transition(field=state, source=State.ACCEPTED, target=State.PAPER_RECEIVED)
    def receive_paper(self) -> None:
        """纸质材料已接收: every item of the campaign's paper checklist was ticked."""

    @transition(field=state, source=State.PAPER_RECEIVED, target=State.FEE_PAID)
    def confirm_fee(self) -> None:
        """已缴费: the review fee is recorded (or the campaign charges none, 002)."""

    @transition(field=state, source=State.FEE_PAID, target=State.DEFENSE_EXEMPT)
    def exempt_defense(self) -> None:
        """免于答辩: the rule engine found at least one ground of exemption."""

    @transition(field=state, source=State.FEE_PAID, target=State.DEFENSE_SCHEDULED)
    def schedule_defense(self) -> None:
        """待答辩: placed in a defense session of the application's specialty."""

    @transition(field=state, source=[State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT], target=State.DECIDED)
    def decide(self) -> None:
        """已评审: the committee's decision (通过／未通过) is recorded."""

    @transition(field=state, source=State.DECIDED, target=State.CERTIFIED)
    def certify(self) -> None:
        """已发证: the electronic certificate of a pass is issued."""

    @transition(field=state, source=[s for s in State.values if s not in TERMINAL], target=State.CLOSED)
    def close_for_fraud(self) -> None:
        """弄虚作假: the committee records fraud; the application is closed (诚信档案)."""


class StateChange(models.Model):
    """Append-only history of an application: one row per transition, written in the same
    transaction as the state change.  ``actor_label`` is what reviewers may see; committee views
    show the role only, never the applicant's name."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="history", verbose_name=_("申报"))
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=20, choices=State.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    actor_role = models.CharField(_("操作人角色"), max_length=20, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    submission_round = models.PositiveSmallIntegerField(_("提交轮次"), default=0)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"

    def save(self, *args, **kwargs):
        # Append-only: history rows are written once and never updated.
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("StateChange rows are append-only")
        super().save(*args, **kwargs)


class ReturnNote(models.Model):
    """A reviewer's note on a return, attached to the whole application (``section`` blank), to a
    section, or to one attachment; the applicant sees each beside the field it concerns."""

    change = models.ForeignKey(StateChange, on_delete=models.CASCADE, related_name="notes",
                               verbose_name=_("退回记录"))
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="return_notes")
    section = models.CharField(_("栏目"), max_length=20, blank=True)
    attachment = models.ForeignKey("applications.Attachment", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="return_notes", verbose_name=_("附件"))
    text = models.TextField(_("修改意见"))

    class Meta:
        verbose_name = _("退回意见")
        verbose_name_plural = _("退回意见")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:40]


class UnitPublicity(models.Model):
    """The unit's publicity (公示) of an application: dates and the fixed opinion it approved with.

    One row per application, rewritten when the unit approves again after a resubmission; every
    approval also keeps its own dates in the history row (``StateChange.data["publicity"]``).  The
    scans themselves are ``Attachment`` rows of section ``other``, slots ``publicity`` and
    ``publicity_result``."""

    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE,
                                       related_name="publicity", verbose_name=_("申报"))
    start = models.DateField(_("公示开始日期"))
    end = models.DateField(_("公示结束日期"))
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))
    opinion = models.CharField(_("推荐单位审核意见"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("经办人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("推荐单位公示")
        verbose_name_plural = _("推荐单位公示")

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}—{self.end:%Y-%m-%d}"


class WorkdayOverride(models.Model):
    """A day whose working status differs from what ``chinesecalendar`` says, or that it does not
    know (years after its release): 法定节假日 (``is_working_day`` off) or 调休上班 (on)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是工作日"), help_text=_("勾选：调休上班；不勾选：放假"))
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("例如：2027年春节"))

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整（节假日与调休）")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_working_day else '放假'}"


class Notification(models.Model):
    """An in-portal message to one user about one transition.  Texts are written when the
    transition commits, for their reader: a committee clerk's never names the applicant."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("接收人"))
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="notifications", verbose_name=_("申报"))
    # Blank for news that is not a transition (a defense session's place announced later).
    change = models.ForeignKey(StateChange, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="notifications", verbose_name=_("审核记录"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    emailed = models.BooleanField(_("已发送邮件"), default=False)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
from .documents.models import *  # noqa: E402,F401,F403
from .aftercare.models import *  # noqa: E402,F401,F403
