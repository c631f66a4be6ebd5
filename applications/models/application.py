"""The application (申报): one per applicant × campaign × specialty × level × kind.

Section contents are JSON (``ApplicationSection``), one row per section, because a draft must keep
whatever the applicant typed, even when it does not validate yet: ``draft`` holds the raw input,
``data`` the last valid, normalised content (the shapes are documented in
``applications/sections.py``).  The profile (``ProfileSection``) keeps the sections that do not
change between applications and pre-fills each new one; the application keeps its own copy.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.choices import ChoiceLabels

from ..enums import Kind, Section
from ..states import AFTER_ACCEPTANCE, State
from .campaign import Campaign
from .reference import Level, Specialty, Unit
from .state_machine import ApplicationStateMachine

# No 0/O/1/I: codes are read aloud over the phone and copied from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_application_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Application(ChoiceLabels, ApplicationStateMachine):
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications",
                                  verbose_name=_("申报人"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="applications",
                                 verbose_name=_("年度评审工作"))
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="applications",
                                  verbose_name=_("专业"))
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="applications", verbose_name=_("级别"))
    kind = models.CharField(_("申报类型"), max_length=10, choices=Kind.choices, default=Kind.REVIEW)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("推荐单位"))
    # Anonymous code: the only identifier committee reviewers ever see.
    code = models.CharField(_("申报编号"), max_length=12, unique=True, default=new_application_code, editable=False)

    submission_count = models.PositiveSmallIntegerField(_("已提交次数"), default=0)
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_deadline = models.DateTimeField(_("修改截止时间"), null=True, blank=True, db_index=True)
    # Frozen at each submission: the columns rosters and fee lists print, so exports read one row
    # per application instead of walking its sections (see applications.services.snapshot).
    snapshot = models.JSONField(_("提交时快照"), default=dict, blank=True, editable=False)

    # The chain steps reached at least once (``states.REACHED_FIELD_OF_STATE``): set by the history
    # row that enters them, never cleared; what an officer's queue filters on.
    reached_unit = models.BooleanField(_("曾进入单位审核"), default=False, db_default=False, editable=False)
    reached_county = models.BooleanField(_("曾进入主管/县市审核"), default=False, db_default=False, editable=False)
    reached_committee = models.BooleanField(_("曾进入评委会审核"), default=False, db_default=False, editable=False)
    # The state the latest history row left (blank before any): set by that row, in its
    # transaction.  The committee side sees a returned or closed application only when it left a
    # committee state (``review.access``): a column of the row instead of a correlated subquery on
    # the history, which every committee list and count had built and run.
    left_from = models.CharField(_("上一状态"), max_length=20, choices=State.choices, blank=True, default="",
                                 db_default="", editable=False)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("职称申报")
        verbose_name_plural = _("职称申报")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "campaign", "specialty", "level", "kind"],
                                    name="uniq_application_per_campaign_choice"),
        ]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["unit", "state"]),
            # The officers' queues (issue 16): the page and the state counts read these in order,
            # partial so that only what reached the step is in the index.
            models.Index(fields=["campaign", "state", "submitted_at", "id"], name="app_committee_queue",
                         condition=models.Q(reached_committee=True)),
            models.Index(fields=["unit", "state", "submitted_at", "id"], name="app_unit_queue",
                         condition=models.Q(reached_unit=True)),
            models.Index(fields=["unit", "state", "submitted_at", "id"], name="app_county_queue",
                         condition=models.Q(reached_county=True)),
            # The administrator's list (Django admin) in the model's order, most recently changed
            # first: read backwards, 50 rows instead of sorting every application (issue 16).
            models.Index(fields=["updated_at", "id"], name="app_recently_changed"),
            # The after-acceptance lists, grouped by unit.
            models.Index(fields=["campaign", "unit", "submitted_at", "id"], name="app_after_acceptance",
                         condition=models.Q(state__in=AFTER_ACCEPTANCE)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.campaign.year}年 {self.specialty} {self.level}{self.get_kind_display()}"

    @property
    def title_applied_for(self) -> str:
        """拟晋升专业技术职务 (specialty-specific title first, then the series title)."""
        titles = {(t.specialty_id, t.level_id): t.name for t in self.specialty.series.titles.all()}
        return titles.get((self.specialty_id, self.level_id)) or titles.get((None, self.level_id)) or str(self.level)


class ApplicationSection(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("栏目"), max_length=20, choices=Section.choices)
    draft = models.JSONField(_("草稿（原始输入）"), default=dict, blank=True)
    data = models.JSONField(_("已校验内容"), default=dict, blank=True)
    is_complete = models.BooleanField(_("已通过校验"), default=False)
    errors = models.JSONField(_("校验问题"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报栏目")
        verbose_name_plural = _("申报栏目")
        constraints = [models.UniqueConstraint(fields=["application", "key"], name="uniq_section_per_application")]

    def __str__(self) -> str:
        return self.get_key_display()


class ProfileSection(models.Model):
    """The applicant's reusable sections (basic, education, work history, titles, awards, papers, CE)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_sections")
    key = models.CharField(_("栏目"), max_length=20, choices=Section.choices)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("个人档案栏目")
        verbose_name_plural = _("个人档案栏目")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_profile_section")]
