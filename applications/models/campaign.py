"""A campaign is one notice (通知): who issues it, what it covers, its windows and its rules.

Everything a notice states differently from another is a field or a child row here, editable in
the admin; ``applications.rules`` turns it into answers.  Dates are calendar days in Asia/Shanghai
and windows include both ends (a window ending 9月15日 closes at 9月15日 24:00).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import CECategory, ChainStep, Kind, MaterialCondition, Requirement, Section, UnitNature
from .reference import Committee, County, Level, Series, Specialty

DEFAULT_UNIT_OPINION = "本单位已对提供的申报材料逐一审核，真实准确，同意推荐"
DEFAULT_COMMITMENT = (
    "本人承诺以上填报内容和提交的材料真实有效，且网上填报与送审报表内容完全一致，如申请人提交弄虚作假确认材料的，"
    "一经查实，不予受理确认申报或取消已确认的资格，并从申报年度下一年度起3年内，不得申报专业技术资格。"
)


def default_chain() -> list[str]:
    return [ChainStep.UNIT, ChainStep.COUNTY, ChainStep.COMMITTEE]


def default_years_in_grade() -> dict[str, int]:
    return {"doctor": 0, "master": 2, "bachelor": 4, "junior_college": 4}


def default_initial_work_years() -> dict[str, int]:
    return {"secondary": 3, "junior_college": 2, "bachelor": 1}


@dataclass(frozen=True)
class Window:
    """A closed range of calendar days in the portal's time zone."""

    name: str
    start: dt.date
    end: dt.date

    def contains(self, moment: dt.datetime | None = None) -> bool:
        day = timezone.localdate(moment) if moment is not None else timezone.localdate()
        return self.start <= day <= self.end

    def __str__(self) -> str:
        if self.start == self.end:
            return f"{self.start.year}年{self.start.month}月{self.start.day}日"
        tail = f"{self.end.month}月{self.end.day}日"
        if self.end.year != self.start.year:
            tail = f"{self.end.year}年{tail}"
        return f"{self.start.year}年{self.start.month}月{self.start.day}日—{tail}"


class Campaign(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    title = models.CharField(_("通知标题"), max_length=200)
    issuer = models.CharField(_("发文单位"), max_length=100)
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("评审委员会（受理机构）")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    published_on = models.DateField(_("发文日期"), null=True, blank=True)
    series = models.ForeignKey(Series, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns",
                               verbose_name=_("系列（跨系列时留空）"))
    specialties = models.ManyToManyField(Specialty, related_name="campaigns", verbose_name=_("专业"))
    levels = models.ManyToManyField(Level, related_name="campaigns", verbose_name=_("级别"))
    kinds = models.JSONField(_("申报类型"), default=list, help_text=_("review / initial / award"))

    # Windows.  Initial determination and award use the initial window when the notice sets one.
    online_start = models.DateField(_("网上申报开始"))
    online_end = models.DateField(_("网上申报截止"))
    initial_start = models.DateField(_("初定、授予开始"), null=True, blank=True)
    initial_end = models.DateField(_("初定、授予截止"), null=True, blank=True)
    # The review window a notice names (002 材料审核; 003 网上申报审核时间); see ``review_window``.
    material_review_start = models.DateField(_("材料审核开始"), null=True, blank=True)
    material_review_end = models.DateField(_("材料审核截止"), null=True, blank=True)
    paper_start = models.DateField(_("纸质材料报送开始"), null=True, blank=True)
    paper_end = models.DateField(_("纸质材料报送截止"), null=True, blank=True)
    fee_start = models.DateField(_("缴费开始"), null=True, blank=True)
    fee_end = models.DateField(_("缴费截止"), null=True, blank=True)
    defense_start = models.DateField(_("答辩开始"), null=True, blank=True)
    defense_end = models.DateField(_("答辩截止"), null=True, blank=True)
    defense_place = models.CharField(_("答辩地点"), max_length=200, default="地点另行通知")

    # Review chain and its clock.
    chain = models.JSONField(_("审核层级"), default=default_chain,
                             help_text=_("依次为 unit（推荐单位）、county（县市人社局或主管单位）、committee（评委会）"))
    return_hours = models.PositiveSmallIntegerField(
        _("退回后修改时限（小时）"), null=True, blank=True, default=48,
        help_text=_("留空：通知未规定修改时限（003、004），退回的申报不会因逾期视为放弃，网上审核时间内均可重新提交"))
    max_submissions = models.PositiveSmallIntegerField(_("最多提交次数"), default=3)
    publicity_working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    unit_opinion_text = models.CharField(_("推荐单位审核意见"), max_length=200, default=DEFAULT_UNIT_OPINION)
    commitment_text = models.TextField(_("个人承诺语"), default=DEFAULT_COMMITMENT)
    summary_max_chars = models.PositiveIntegerField(_("个人工作总结字数上限"), null=True, blank=True)

    # Eligibility.
    years_in_grade = models.JSONField(_("任现职年限（按学历）"), default=default_years_in_grade)
    grade_count_to = models.DateField(_("任职年限计算截止日"), null=True, blank=True,
                                      help_text=_("留空则为申报年度12月31日"))
    initial_work_years = models.JSONField(_("初定所需专业技术工作年限（按学历）"), default=default_initial_work_years)
    # 初级 评审 follows the series' 评审条件, which none of the seed notices restates; empty means the
    # portal does not judge diploma and years for it and says so (applications.rules).
    junior_review_work_years = models.JSONField(
        _("初级评审所需专业技术工作年限（按学历）"), default=dict, blank=True,
        help_text=_("按本系列评审条件填写，例如 {\"junior_college\": 3}；留空则不由平台判断"))
    evaluation_years = models.JSONField(_("所需年度考核年份"), default=list)
    evaluation_basic_delay = models.PositiveSmallIntegerField(_("每个基本合格顺延年数"), default=1)
    evaluation_unqualified_delay = models.PositiveSmallIntegerField(_("每个不合格顺延年数"), default=2)
    private_enterprise_no_evaluation = models.BooleanField(_("民营企业不需年度考核"), default=False)
    south_xinjiang_early_years = models.PositiveSmallIntegerField(
        _("南疆普通高校毕业生首次申报可提前年数"), default=0)
    title_docs_in_xinjiang = models.PositiveSmallIntegerField(
        _("区内取得现职称需上传材料项数（三项中）"), default=2)
    title_docs_elsewhere = models.PositiveSmallIntegerField(_("区外取得现职称需上传材料项数"), default=3)

    # Defense.
    defense_scored = models.BooleanField(_("答辩量化赋分"), default=False,
                                         help_text=_("是：免答辩人员按本专业当年答辩人员平均分赋分；否：视为通过答辩"))
    exempt_junior = models.BooleanField(_("初级免于答辩"), default=True)
    exempt_special_service = models.BooleanField(_("“访惠聚”驻村等人员免于答辩"), default=True)
    exempt_counties = models.ManyToManyField(County, blank=True, related_name="+", verbose_name=_("免于答辩的县"))
    exempt_grassroots = models.BooleanField(_("县级以下基层单位人员免于答辩"), default=True)
    exempt_private_and_freelance = models.BooleanField(_("民营企业和自由职业人员免于答辩"), default=False)

    # Who a kind is open to (002 二: 初定 for staff of enterprises and public institutions only).
    unit_natures_by_kind = models.JSONField(
        _("各申报类型允许的单位性质"), default=dict, blank=True,
        help_text=_("申报类型 → 单位性质列表，例如 {\"initial\": [\"institution\", \"state_enterprise\", "
                    "\"private_enterprise\"]}；未列出的申报类型不限单位性质"))

    # Recommendations the officers upload (scans) before approving.
    unit_recommendation_required = models.BooleanField(
        _("推荐单位须上传《单位推荐意见》"), default=False,
        help_text=_("002 五（一）8：《单位推荐意见》（附件3）；推荐单位审核通过前须上传扫描件"))
    competent_recommendation_required = models.BooleanField(
        _("主管单位须上传加盖公章的推荐意见"), default=False,
        help_text=_("003、004 五（三）：主管单位（县市人社局）审核通过前须上传加盖公章的推荐意见扫描件"))

    # How paper copies are certified (003 五（一）, 002 五（三）): shown to the applicant, on the paper
    # list and above the clerk's receipt checkboxes.
    copy_certification = models.CharField(
        _("复印件审核要求（通知原文）"), max_length=300, blank=True,
        help_text=_("例如 003：所有复印件材料，由所在单位人事（职称）部门审核后加盖公章，并签署“已审核，与原件相符”意见"))

    # 003 八（四）"申报材料由单位统一报送…个人报送材料一律不予受理": a receipt names the unit that delivered.
    paper_by_unit_only = models.BooleanField(
        _("纸质材料须由单位统一报送"), default=False,
        help_text=_("是：登记纸质材料时须选择报送单位（申报人所在单位或其主管单位），个人报送不予受理"))

    # 001 names no committee: the page says the name is the portal's (issue 15, partly-done list).
    committee_note = models.CharField(
        _("评审委员会名称说明"), max_length=200, blank=True,
        help_text=_("通知未写明评审委员会名称时填写，例如“本通知未写明评审委员会名称，平台记为……”"))

    # Integrity.
    person_ban_years = models.PositiveSmallIntegerField(_("个人弄虚作假禁报年数"), default=3)
    unit_ban_years = models.PositiveSmallIntegerField(_("单位取消参评资格年数"), null=True, blank=True)

    fee_clause = models.CharField(_("收费标准（通知原文）"), max_length=300, blank=True)
    # The notice's own words for each rule, cited by the rule engine next to its conclusions; keys
    # are listed in applications.rules.clauses.CLAUSE_KEYS (a missing key falls back to a text
    # built from the fields above).
    clauses = models.JSONField(_("通知原文依据（按规则）"), default=dict, blank=True,
                               help_text=_("规则代码 → 通知原文，例如 {\"scope\": \"一、评审范围：……\"}"))
    office_address = models.CharField(_("受理地点"), max_length=200, blank=True)
    source = models.CharField(_("来源（种子文件）"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("年度评审工作")
        verbose_name_plural = _("年度评审工作")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.title}"

    # -- windows -------------------------------------------------------------------------------
    def _window(self, name: str, start: dt.date | None, end: dt.date | None) -> Window | None:
        if start is None or end is None:
            return None
        return Window(name, start, end)

    @property
    def online_window(self) -> Window:
        return Window(str(_("网上申报")), self.online_start, self.online_end)

    @property
    def initial_window(self) -> Window | None:
        return self._window(str(_("初定、授予")), self.initial_start, self.initial_end)

    @property
    def material_review_window(self) -> Window | None:
        return self._window(str(_("材料审核")), self.material_review_start, self.material_review_end)

    @property
    def paper_window(self) -> Window | None:
        return self._window(str(_("纸质材料报送")), self.paper_start, self.paper_end)

    @property
    def fee_window(self) -> Window | None:
        return self._window(str(_("缴费")), self.fee_start, self.fee_end)

    @property
    def defense_window(self) -> Window | None:
        return self._window(str(_("答辩")), self.defense_start, self.defense_end)

    def submission_window(self, kind: str) -> Window:
        """Initial determination and award use their own window where the notice gives one (000)."""
        if kind in (Kind.INITIAL, Kind.AWARD) and self.initial_window is not None:
            return self.initial_window
        return self.online_window

    def review_window(self, kind: str) -> Window:
        """Officers review from the opening of submissions until the last of: the online window,
        the initial-determination window and the review window the notice names (002 材料审核
        10月14日—10月22日; 003 "网上申报审核时间：8月19日至9月14日", one window for both).  A notice
        that names no review window leaves officers until the day before paper delivery starts, so
        a submission made on the last online day can still climb the chain."""
        sub = self.submission_window(kind)
        ends = [self.online_end, sub.end]
        if self.material_review_end:
            ends.append(self.material_review_end)
        elif self.paper_start:
            ends.append(self.paper_start - dt.timedelta(days=1))
        return Window(str(_("网上审核")), min(sub.start, self.online_start), max(ends))

    def windows(self) -> list[Window]:
        found = [self.online_window, self.initial_window, self.material_review_window, self.paper_window,
                 self.fee_window, self.defense_window]
        return [w for w in found if w is not None]

    def is_open_for_applications(self, moment: dt.datetime | None = None) -> bool:
        return any(self.submission_window(k).contains(moment) for k in (self.kinds or [Kind.REVIEW]))

    @property
    def grade_deadline(self) -> dt.date:
        return self.grade_count_to or dt.date(self.year, 12, 31)

    @property
    def chain_steps(self) -> list[str]:
        return list(self.chain or default_chain())

    @property
    def kind_labels(self) -> list[str]:
        return [str(Kind(k).label) for k in self.kinds]


class CampaignFee(models.Model):
    """评审费 for a level × kind.  No row means no fee (002 sets none)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fees")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, verbose_name=_("级别"))
    kind = models.CharField(_("申报类型"), max_length=10, choices=Kind.choices)
    amount = models.PositiveIntegerField(_("金额（元）"))

    class Meta:
        verbose_name = _("评审费")
        verbose_name_plural = _("评审费")
        constraints = [models.UniqueConstraint(fields=["campaign", "level", "kind"], name="uniq_fee")]

    def __str__(self) -> str:
        return f"{self.level}{self.get_kind_display()} {self.amount}元"


class ContinuingEducationRule(models.Model):
    """Which years of 公需 and 专业 hours a level needs.  A rule limited to some unit natures beats
    the general rule of the same level (004: 民营企业 中级).  ``years_from_eligibility`` (002 初定)
    asks for the years of the work period the eligibility rule requires instead of fixed years."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ce_rules")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, verbose_name=_("级别"))
    unit_natures = models.JSONField(_("仅适用于单位性质"), default=list, blank=True,
                                    help_text=_("留空适用于全部；例如 [\"private_enterprise\"]"))
    kinds = models.JSONField(_("仅适用于申报类型"), default=list, blank=True)
    public_years = models.JSONField(_("公需科目年份"), default=list, blank=True)
    professional_years = models.JSONField(_("专业科目年份"), default=list, blank=True)
    # Hours a year, or None where the notice asks for the year's certificate only (003 五（一）7,
    # 004 五（一）4 "当年继续教育合格证书"): then any certificate row for that year counts.
    public_hours = models.PositiveSmallIntegerField(_("公需科目学时/年"), default=30, null=True, blank=True,
                                                    help_text=_("留空：通知只要求当年合格证书，不规定学时"))
    professional_hours = models.PositiveSmallIntegerField(_("专业科目学时/年"), default=60, null=True, blank=True,
                                                          help_text=_("留空：通知只要求当年合格证书，不规定学时"))
    years_from_eligibility = models.BooleanField(_("按初定条件规定年限"), default=False)
    clause = models.CharField(_("通知原文依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("继续教育要求")
        verbose_name_plural = _("继续教育要求")

    def __str__(self) -> str:
        return f"{self.level} {self.public_years} / {self.professional_years}"

    def years_for(self, category: str) -> list[int]:
        return list(self.public_years if category == CECategory.PUBLIC else self.professional_years)


class MaterialRequirement(models.Model):
    """One item of the campaign's online checklist: a section's attachment slot.

    ``code`` names the slot (``id_card_front``, ``photo``, ``diploma`` …) and is what
    ``Attachment.slot`` stores.  ``conditions`` (all must hold) restrict it to some applicants.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="materials")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("材料名称"), max_length=200)
    section = models.CharField(_("所属栏目"), max_length=20, choices=Section.choices)
    requirement = models.CharField(_("要求"), max_length=10, choices=Requirement.choices, default=Requirement.REQUIRED)
    conditions = models.JSONField(_("适用条件"), default=list, blank=True,
                                  help_text=_("全部满足时适用，可选值见 MaterialCondition"))
    min_count = models.PositiveSmallIntegerField(_("最少份数"), default=1)
    allow_pdf = models.BooleanField(_("允许PDF"), default=False)
    note = models.CharField(_("说明（通知原文）"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("网上申报材料")
        verbose_name_plural = _("网上申报材料")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="uniq_material_code")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.conditions or []) - set(MaterialCondition.values)
        if unknown:
            raise ValidationError({"conditions": _("未知的适用条件：%s") % "、".join(sorted(unknown))})


class PaperItem(models.Model):
    """纸质材料目录清单 item, ticked by the committee clerk when received."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="paper_items")
    name = models.CharField(_("材料名称"), max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # An item that does not apply to an applicant is shown as 不适用 and never asked for (000 社保
    # for enterprise staff only; 003 初定 delivers the 呈报表 alone).
    conditions = models.JSONField(_("适用条件"), default=list, blank=True,
                                  help_text=_("全部满足时适用，可选值见 MaterialCondition；留空适用于全部申报人"))
    optional = models.BooleanField(_("如有则提供"), default=False,
                                   help_text=_("不影响纸质材料是否齐全（例如“其它相关材料”）"))

    class Meta:
        verbose_name = _("纸质材料")
        verbose_name_plural = _("纸质材料目录")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.conditions or []) - set(MaterialCondition.values)
        if unknown:
            raise ValidationError({"conditions": _("未知的适用条件：%s") % "、".join(sorted(unknown))})


class CampaignContact(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("联系人"), max_length=30)
    phone = models.CharField(_("联系电话"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"


__all__ = [
    "Campaign", "CampaignContact", "CampaignFee", "ContinuingEducationRule", "MaterialRequirement",
    "PaperItem", "Window", "UnitNature",
]
