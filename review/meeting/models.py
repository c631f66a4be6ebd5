"""The committee meeting (评审会), in the order of the work.

* ``Expert`` — the committee's pool (评审专家库), with term and status; an expert logs in through
  ``user`` (role ``expert``, staff second factor).
* ``Meeting`` — one sitting for one campaign: its review period (when the experts may open their
  packages), its date, its chair (主任委员) and the numbers it applies (frozen from the
  committee's ``CommitteeRules`` or the defaults of ``rules.MeetingNumbers``).
* ``PanelGroup`` — a specialty group of the meeting with its size and number of alternates;
  ``Draw`` — each draw (seed, pool snapshot, result, reason of a redraw); ``Membership`` — who the
  current draw put in a group (member / alternate, in order).
* ``AgendaItem`` — an application put before a group; ``Recusal`` (automatic or declared);
  ``Declaration`` — the expert's declaration of interests, required before any package opens;
  ``Attendance``; ``Opinion`` (rubric scores + comment); ``PanelDefenseScore``.
* The secret ballot is two tables that share nothing but the agenda item: ``BallotCast`` says
  *who* voted (for turnout and "one ballot each"), ``BallotChoice`` *what* was voted, under a
  random UUID, with no expert, no timestamp and no sequential id.  No column, index or order
  links one to the other.
* ``MeetingRecord`` — the meeting's hash chain: every record (draw, recusal, declaration,
  attendance, opinion, score, ballot choices, tally, confirmation, outcome) with
  ``sha256(prev_hash + canonical JSON)`` (see ``chain``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import DEFAULT_NUMBERS


class ExpertStatus(models.TextChoices):
    ACTIVE = "active", _("在库")
    SUSPENDED = "suspended", _("暂停")
    LEFT = "left", _("已退出")


class CommitteeRules(models.Model):
    """A committee's own numbers (absent: the national defaults of ``rules.MeetingNumbers``)."""

    committee = models.OneToOneField("applications.Committee", on_delete=models.CASCADE,
                                     related_name="meeting_rules", verbose_name=_("评审委员会"))
    quorum_numerator = models.PositiveSmallIntegerField(_("法定出席比例（分子）"), default=DEFAULT_NUMBERS.quorum_numerator)
    quorum_denominator = models.PositiveSmallIntegerField(_("法定出席比例（分母）"),
                                                          default=DEFAULT_NUMBERS.quorum_denominator)
    pass_numerator = models.PositiveSmallIntegerField(_("通过比例（分子）"), default=DEFAULT_NUMBERS.pass_numerator)
    pass_denominator = models.PositiveSmallIntegerField(_("通过比例（分母）"), default=DEFAULT_NUMBERS.pass_denominator)
    max_term_years = models.PositiveSmallIntegerField(_("专家任期上限（年）"), default=DEFAULT_NUMBERS.max_term_years)
    alternate_ratio_numerator = models.PositiveSmallIntegerField(
        _("候补比例（分子）"), default=DEFAULT_NUMBERS.alternate_ratio_numerator)
    alternate_ratio_denominator = models.PositiveSmallIntegerField(
        _("候补比例（分母）"), default=DEFAULT_NUMBERS.alternate_ratio_denominator)
    rubric = models.JSONField(_("评审意见评分项"), default=list, blank=True,
                              help_text=_('例如 [{"key": "achievement", "label": "业绩", "max": 40}]'))

    class Meta:
        verbose_name = _("评审会规则")
        verbose_name_plural = _("评审会规则")

    def __str__(self) -> str:
        return str(self.committee)


class Expert(models.Model):
    committee = models.ForeignKey("applications.Committee", on_delete=models.PROTECT, related_name="experts",
                                  verbose_name=_("评审委员会"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="expert", verbose_name=_("登录账号"))
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey("applications.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("工作单位（平台内）"))
    unit_name = models.CharField(_("工作单位"), max_length=100)
    series = models.CharField(_("系列"), max_length=50, blank=True)
    specialties = models.JSONField(_("专业"), default=list, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    term_start = models.DateField(_("聘期开始"))
    term_end = models.DateField(_("聘期结束"))
    status = models.CharField(_("状态"), max_length=10, choices=ExpertStatus.choices, default=ExpertStatus.ACTIVE)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家库")
        ordering = ["committee", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["committee", "name", "unit_name"], name="uniq_expert_in_pool")]

    def __str__(self) -> str:
        return self.name

    def in_term_on(self, day) -> bool:
        return self.status == ExpertStatus.ACTIVE and self.term_start <= day <= self.term_end


class MeetingStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    OPEN = "open", _("会议进行中")
    CLOSED = "closed", _("表决结束")
    CONFIRMED = "confirmed", _("主任委员已确认")


class Meeting(models.Model):
    campaign = models.ForeignKey("applications.Campaign", on_delete=models.PROTECT, related_name="meetings",
                                 verbose_name=_("年度评审工作"))
    committee = models.ForeignKey("applications.Committee", on_delete=models.PROTECT, related_name="meetings",
                                  verbose_name=_("评审委员会"))
    title = models.CharField(_("会议名称"), max_length=100)
    date = models.DateField(_("会议日期"))
    review_start = models.DateTimeField(_("评审开始时间"))
    review_end = models.DateTimeField(_("评审结束时间"))
    status = models.CharField(_("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PREPARING)
    chair = models.ForeignKey(Expert, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("主任委员"))
    numbers = models.JSONField(_("适用规则"), default=dict)
    rubric = models.JSONField(_("评审意见评分项"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("开会时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审会")
        verbose_name_plural = _("评审会")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.date:%Y-%m-%d}）"

    def review_open_at(self, now) -> bool:
        return self.review_start <= now <= self.review_end and self.status != MeetingStatus.CONFIRMED


class PanelGroup(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="groups", verbose_name=_("评审会"))
    name = models.CharField(_("学科组"), max_length=50)
    specialties = models.JSONField(_("专业"), default=list, blank=True)
    size = models.PositiveSmallIntegerField(_("委员人数"))
    alternates = models.PositiveSmallIntegerField(_("候补人数"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("学科组")
        verbose_name_plural = _("学科组")
        ordering = ["meeting", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "name"], name="uniq_group_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return f"g{self.pk}"


class Draw(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="draws", verbose_name=_("评审会"))
    number = models.PositiveSmallIntegerField(_("第几次抽取"))
    seed = models.BigIntegerField(_("随机种子"))
    pool_snapshot = models.JSONField(_("专家库快照"))
    groups = models.JSONField(_("学科组设置"))
    result = models.JSONField(_("抽取结果"))
    reason = models.CharField(_("重新抽取原因"), max_length=200, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("经办人"))
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专家抽取")
        verbose_name_plural = _("专家抽取")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="uniq_draw_number")]

    def __str__(self) -> str:
        return f"第{self.number}次抽取（种子{self.seed}）"


class MembershipKind(models.TextChoices):
    MEMBER = "member", _("委员")
    ALTERNATE = "alternate", _("候补")


class Membership(models.Model):
    group = models.ForeignKey(PanelGroup, on_delete=models.CASCADE, related_name="memberships",
                              verbose_name=_("学科组"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("专家"))
    kind = models.CharField(_("类别"), max_length=10, choices=MembershipKind.choices)
    order = models.PositiveSmallIntegerField(_("顺序"))
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("抽取"))

    class Meta:
        verbose_name = _("学科组成员")
        verbose_name_plural = _("学科组成员")
        ordering = ["group", "kind", "order"]
        constraints = [models.UniqueConstraint(fields=["group", "expert"], name="uniq_group_expert")]

    def __str__(self) -> str:
        return f"{self.expert}（{self.get_kind_display()}{self.order}）"


class BallotStatus(models.TextChoices):
    PENDING = "pending", _("未表决")
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("表决结束")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("评审会"))
    group = models.ForeignKey(PanelGroup, on_delete=models.PROTECT, related_name="items", verbose_name=_("学科组"))
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                    related_name="meeting_items", verbose_name=_("申报"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    ballot = models.CharField(_("表决"), max_length=10, choices=BallotStatus.choices, default=BallotStatus.PENDING)
    tally = models.JSONField(_("计票结果"), null=True, blank=True)
    decision_applied = models.BooleanField(_("已记录评审结果"), default=False)

    class Meta:
        verbose_name = _("评审事项")
        verbose_name_plural = _("评审事项")
        ordering = ["meeting", "group", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "application"], name="uniq_meeting_application")]

    def __str__(self) -> str:
        return self.application.code

    @property
    def passed(self) -> bool | None:
        return None if self.tally is None else bool(self.tally.get("passed"))


class RecusalKind(models.TextChoices):
    AUTOMATIC = "automatic", _("自动回避")
    DECLARED = "declared", _("申请回避")


class Recusal(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="recusals", verbose_name=_("评审事项"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="recusals", verbose_name=_("专家"))
    kind = models.CharField(_("类别"), max_length=10, choices=RecusalKind.choices)
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [models.UniqueConstraint(fields=["item", "expert"], name="uniq_recusal")]

    def __str__(self) -> str:
        return f"{self.expert} {self.get_kind_display()}"


class Declaration(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="declarations",
                                verbose_name=_("评审会"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("专家"))
    statement = models.TextField(_("声明"))
    declared_at = models.DateTimeField(_("声明时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避与保密声明")
        verbose_name_plural = _("回避与保密声明")
        constraints = [models.UniqueConstraint(fields=["meeting", "expert"], name="uniq_declaration")]


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("评审会"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+", verbose_name=_("专家"))
    present = models.BooleanField(_("出席"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("出席")
        verbose_name_plural = _("出席")
        constraints = [models.UniqueConstraint(fields=["meeting", "expert"], name="uniq_attendance")]


class BallotChoiceValue(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("不同意")
    ABSTAIN = "abstain", _("弃权")


class BallotCast(models.Model):
    """Who voted on an item (turnout; one ballot each).  Holds no choice."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="casts", verbose_name=_("评审事项"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+", verbose_name=_("专家"))

    class Meta:
        verbose_name = _("投票记录（谁已投票）")
        verbose_name_plural = _("投票记录（谁已投票）")
        constraints = [models.UniqueConstraint(fields=["item", "expert"], name="uniq_ballot_cast")]


class BallotChoice(models.Model):
    """What was voted on an item, under a random id: no expert, no time, no sequence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="choices", verbose_name=_("评审事项"))
    choice = models.CharField(_("表决意见"), max_length=10, choices=BallotChoiceValue.choices)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        ordering = ["id"]


class Opinion(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("评审事项"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("专家"))
    scores = models.JSONField(_("评分"), default=dict)
    total = models.DecimalField(_("合计"), max_digits=6, decimal_places=1)
    comment = models.TextField(_("评审意见"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评审意见")
        verbose_name_plural = _("评审意见")
        ordering = ["item", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "expert"], name="uniq_opinion")]


class PanelDefenseScore(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="defense_scores",
                             verbose_name=_("评审事项"))
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+", verbose_name=_("专家"))
    score = models.DecimalField(_("答辩成绩"), max_digits=5, decimal_places=1)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答辩评分")
        verbose_name_plural = _("答辩评分")
        constraints = [models.UniqueConstraint(fields=["item", "expert"], name="uniq_panel_defense_score")]


class RecordKind(models.TextChoices):
    DRAW = "draw", _("抽取专家")
    RECUSAL = "recusal", _("回避")
    DECLARATION = "declaration", _("声明")
    ATTENDANCE = "attendance", _("出席")
    OPINION = "opinion", _("评审意见")
    DEFENSE_SCORE = "defense_score", _("答辩评分")
    BALLOT_OPEN = "ballot_open", _("开始表决")
    BALLOT_CHOICE = "ballot_choice", _("选票")
    TALLY = "tally", _("计票")
    CONFIRMATION = "confirmation", _("主任委员确认")
    OUTCOME = "outcome", _("记为评审结果")


class MeetingRecord(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="records", verbose_name=_("评审会"))
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类别"), max_length=20, choices=RecordKind.choices)
    ref = models.CharField(_("对象"), max_length=64, blank=True)
    payload = models.JSONField(_("内容"))
    prev_hash = models.CharField(_("前一记录哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("评审会记录链")
        verbose_name_plural = _("评审会记录链")
        ordering = ["meeting", "seq"]
        constraints = [models.UniqueConstraint(fields=["meeting", "seq"], name="uniq_meeting_record_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.ref}"
