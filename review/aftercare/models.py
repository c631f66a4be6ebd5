"""What happens to an application after the committee accepts it (SPEC §3, §6, §7, §9).

Records, in the order of the work: paper files received (``PaperReceipt``), the review fee paid
(``FeePayment``, optionally part of a unit's ``FeeBatch``), the defense (``DefenseSession`` per
specialty and date, ``DefenseRecord`` per application: exemption and its grounds, session, score),
the committee's decision (``Decision``) and its publicity (``ResultPublicity``), the electronic
certificate (``Certificate``), and fraud (``IntegrityRecord``).

These rows are data; the state of the application moves only through the one door
(``review.services.application_transition``), which ``review.aftercare.services`` calls once a
record completes a condition (paper complete → ``paper_received`` …).  The files (the
certificate's PDF, the publicity list's PDF) are ``documents.Document`` rows like every rendered
file: versioned, checksummed, regenerable.

Anonymity after acceptance: the committee's formal review stays blind (issue 5), but receipts,
fee records, results and certificates are named documents, so the clerk's administrative pages
here show names.  What is handed to reviewers or defense panels (defense lists, score sheets)
carries the application code only; the results publicity list (公示) carries names, which is
what a 公示 is.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.choices import ChoiceLabels
from review.documents.models import DocumentStatus

PLACE_TO_BE_ANNOUNCED = "地点另行通知"


class PaperReceipt(models.Model):
    """One item of the campaign's paper checklist (纸质材料目录清单) received for one application.

    Keyed by the item's *name* rather than a foreign key to ``PaperItem``: loading the notices
    again (``load_reference`` / ``seed_demo``) replaces a campaign's checklist rows, and the
    name — the notice's own words — is what stays the same.  An item renamed in the admin is a new
    item, ticked again.
    """

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="paper_receipts", verbose_name=_("申报"))
    item_name = models.CharField(_("纸质材料"), max_length=200)
    received_on = models.DateField(_("接收日期"))
    override_reason = models.CharField(_("窗口外补录原因"), max_length=200, blank=True)
    # Who handed it in, where the notice accepts the paper from units only (003 八（四））.
    delivered_by = models.ForeignKey("applications.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("报送单位"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("经办人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("纸质材料接收")
        verbose_name_plural = _("纸质材料接收")
        ordering = ["application", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "item_name"], name="uniq_paper_receipt")]

    def __str__(self) -> str:
        return self.item_name


class FeeBatch(models.Model):
    """A unit paying for several applicants at once (呈报单位统一缴纳评审费): one receipt, one
    total, one ``FeePayment`` per application it covers."""

    campaign = models.ForeignKey("applications.Campaign", on_delete=models.CASCADE, related_name="fee_batches",
                                 verbose_name=_("年度评审工作"))
    unit = models.ForeignKey("applications.Unit", on_delete=models.PROTECT, related_name="fee_batches",
                             verbose_name=_("缴费单位"))
    amount = models.DecimalField(_("合计金额（元）"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("缴费日期"))
    receipt_number = models.CharField(_("收据号"), max_length=40)
    override_reason = models.CharField(_("窗口外补录原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("经办人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位批量缴费")
        verbose_name_plural = _("单位批量缴费")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.amount}元 {self.receipt_number}"


class FeePayment(models.Model):
    """评审费 recorded for one application (by itself or as part of a unit's batch)."""

    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE,
                                       related_name="fee_payment", verbose_name=_("申报"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("缴费日期"))
    receipt_number = models.CharField(_("收据号"), max_length=40)
    batch = models.ForeignKey(FeeBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="payments",
                              verbose_name=_("批量缴费"))
    override_reason = models.CharField(_("窗口外补录原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("经办人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评审费缴费记录")
        verbose_name_plural = _("评审费缴费记录")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.amount}元 {self.receipt_number}"


class DefenseSession(models.Model):
    """One sitting of the defense (答辩) for one specialty: day, time slot and place.  The place
    stays 「地点另行通知」 until the clerk sets it; applicants are told again when it changes."""

    campaign = models.ForeignKey("applications.Campaign", on_delete=models.CASCADE, related_name="defense_sessions",
                                 verbose_name=_("年度评审工作"))
    specialty = models.ForeignKey("applications.Specialty", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("专业"))
    date = models.DateField(_("答辩日期"))
    time_slot = models.CharField(_("时间段"), max_length=40, help_text=_("例如：上午 9:30—12:00"))
    place = models.CharField(_("地点"), max_length=200, blank=True, help_text=_("留空则显示“地点另行通知”"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答辩场次")
        verbose_name_plural = _("答辩场次")
        ordering = ["date", "time_slot", "id"]

    def __str__(self) -> str:
        return f"{self.specialty} {self.date:%Y-%m-%d} {self.time_slot} {self.place_label}"

    @property
    def place_label(self) -> str:
        return self.place or PLACE_TO_BE_ANNOUNCED


class DefenseRecord(models.Model):
    """The defense of one application: the rule engine's exemption (with every ground, as the
    engine words it), the session it is scheduled in, and the outcome the clerk records — a score
    where the campaign scores the defense, 通过/未通过 where it does not, or absence."""

    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE,
                                       related_name="defense", verbose_name=_("申报"))
    exempt = models.BooleanField(_("免于答辩"))
    grounds = models.JSONField(_("免答辩依据"), default=list, blank=True)
    session = models.ForeignKey(DefenseSession, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="records", verbose_name=_("答辩场次"))
    score = models.DecimalField(_("答辩成绩"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("通过答辩"), null=True, blank=True)
    absent = models.BooleanField(_("缺席"), default=False)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("成绩录入人"))
    scored_at = models.DateTimeField(_("成绩录入时间"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("认定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答辩记录")
        verbose_name_plural = _("答辩记录")

    def __str__(self) -> str:
        return str(_("免于答辩")) if self.exempt else str(_("参加答辩"))

    @property
    def has_outcome(self) -> bool:
        return self.absent or self.score is not None or self.passed is not None


class DecisionResult(models.TextChoices):
    PASS = "pass", _("通过")
    FAIL = "fail", _("未通过")


class Decision(ChoiceLabels, models.Model):
    """The committee's decision on one application, recorded by the clerk with the date of the
    committee's meeting.  ``defense_score`` and ``defense_basis`` freeze what the defense counted
    as at that moment (an exempt applicant's average may not move afterwards)."""

    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE,
                                       related_name="decision", verbose_name=_("申报"))
    result = models.CharField(_("评审结果"), max_length=10, choices=DecisionResult.choices)
    meeting_date = models.DateField(_("评审会议日期"))
    defense_score = models.DecimalField(_("答辩赋分"), max_digits=5, decimal_places=1, null=True, blank=True)
    defense_basis = models.CharField(_("答辩情况"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("经办人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评审结果")
        verbose_name_plural = _("评审结果")

    def __str__(self) -> str:
        return self.get_result_display()

    @property
    def is_pass(self) -> bool:
        return self.result == DecisionResult.PASS


class ResultPublicity(models.Model):
    """The publicity (公示) of a campaign's results; certificates are issued once it has ended.

    The printed list (公示名单) is a ``Document`` of kind ``publicity_list`` (series
    ``publicity_list:c<campaign>``) whose ``source_hash`` is the digest of the data it shows, so a
    list that no longer matches the decisions is rendered again instead of being handed out
    (``review.aftercare.exports``).
    """

    campaign = models.OneToOneField("applications.Campaign", on_delete=models.CASCADE,
                                    related_name="result_publicity", verbose_name=_("年度评审工作"))
    start = models.DateField(_("公示开始日期"))
    end = models.DateField(_("公示结束日期"))
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("经办人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("评审结果公示")
        verbose_name_plural = _("评审结果公示")

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}—{self.end:%Y-%m-%d}"


# No 0/O/1/I: the token is read from paper when the QR code cannot be scanned.
TOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_certificate_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(16))


class CertificateStatus(models.TextChoices):
    """The certificate's file as its pages word it (from its ``Document``'s status)."""

    PENDING = "pending", _("正在生成")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


class Certificate(models.Model):
    """电子证书 of one passed application.

    What it states (holder, ID number, series, specialty, level, title, committee) is copied at
    issue: a certificate is a document, and later edits to a profile must not change it.  The
    public finds it by ID number + name, by its number, or by the token in its QR code (its
    verification code).  Its PDF is ``document`` (kind ``certificate``), rendered by the worker.
    """

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="certificate", verbose_name=_("申报"))
    campaign = models.ForeignKey("applications.Campaign", on_delete=models.PROTECT, related_name="certificates",
                                 verbose_name=_("年度评审工作"))
    number = models.CharField(_("证书编号"), max_length=30, unique=True)
    token = models.CharField(_("二维码校验码"), max_length=16, unique=True, default=new_certificate_token,
                             editable=False)
    holder_name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号码"), max_length=18, db_index=True)
    gender = models.CharField(_("性别"), max_length=4, blank=True)
    series = models.CharField(_("系列"), max_length=50)
    specialty = models.CharField(_("专业"), max_length=50)
    level = models.CharField(_("级别"), max_length=20)
    title = models.CharField(_("专业技术资格"), max_length=50)
    kind = models.CharField(_("取得方式"), max_length=10)
    committee = models.CharField(_("评审委员会"), max_length=100)
    meeting_date = models.DateField(_("评审通过日期"))
    issued_on = models.DateField(_("发证日期"))

    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="certificate", verbose_name=_("证书文件"))

    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("电子证书")
        verbose_name_plural = _("电子证书")
        ordering = ["-issued_on", "number"]
        indexes = [models.Index(fields=["id_number", "holder_name"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def is_ready(self) -> bool:
        return self.document is not None and self.document.is_ready

    @property
    def status(self) -> str:
        if self.is_ready:
            return CertificateStatus.READY
        if self.document is not None and self.document.status == DocumentStatus.FAILED:
            return CertificateStatus.FAILED
        return CertificateStatus.PENDING

    def get_status_display(self) -> str:
        return str(CertificateStatus(self.status).label)

    @property
    def file(self):
        """The PDF (a ``FieldFile``; empty until rendered)."""
        return self.document.file if self.document is not None else None

    @property
    def error(self) -> str:
        return self.document.error if self.document is not None else ""


class IntegrityRecord(models.Model):
    """诚信档案: fraud (弄虚作假) found against a person, and optionally their unit.

    The person is identified by ID number (a ban follows the person, whatever account they use);
    ``person_banned_until`` and ``unit_banned_until`` are the last banned day: 31 December of the
    campaign year plus the notice's ban years (从申报年度下一年度起N年内).
    """

    id_number = models.CharField(_("身份证号码"), max_length=18, db_index=True)
    name = models.CharField(_("姓名"), max_length=50)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="integrity_records", verbose_name=_("申报人账号"))
    unit = models.ForeignKey("applications.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="integrity_records", verbose_name=_("涉及单位"))
    campaign = models.ForeignKey("applications.Campaign", on_delete=models.PROTECT, related_name="integrity_records",
                                 verbose_name=_("年度评审工作"))
    application = models.ForeignKey("applications.Application", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="integrity_records", verbose_name=_("申报"))
    facts = models.TextField(_("弄虚作假情况"))
    person_ban_years = models.PositiveSmallIntegerField(_("个人限制申报年数"))
    person_banned_until = models.DateField(_("个人限制申报至"))
    unit_ban_years = models.PositiveSmallIntegerField(_("单位取消参评资格年数"), null=True, blank=True)
    unit_banned_until = models.DateField(_("单位取消参评资格至"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诚信档案")
        verbose_name_plural = _("诚信档案")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=True) | Q(unit_banned_until__isnull=False),
                                   name="integrity_unit_has_ban_end"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.person_banned_until:%Y-%m-%d}"


__all__ = [
    "PLACE_TO_BE_ANNOUNCED",
    "Certificate",
    "CertificateStatus",
    "Decision",
    "DecisionResult",
    "DefenseRecord",
    "DefenseSession",
    "FeeBatch",
    "FeePayment",
    "IntegrityRecord",
    "PaperReceipt",
    "ResultPublicity",
]
