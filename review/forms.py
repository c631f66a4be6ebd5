"""Forms of the review pages.  They check what a person can get wrong before the one door is
asked (dates, files, a reason); the door checks everything again under the row lock."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Attachment, Campaign, Level, Specialty, Unit
from applications.states import State
from portal.widgets import QuickSelect

from .selectors import is_blind, queue_options
from .services import PUBLICITY_SLOTS
from .workdays import calendar_known, latest_publicity_start, working_days_between

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QueueFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(Campaign.objects.none(), required=False, label=_("年度评审工作"),
                                      empty_label=_("全部"))
    specialty = forms.ModelChoiceField(Specialty.objects.none(), required=False, label=_("专业"),
                                       empty_label=_("全部"))
    level = forms.ModelChoiceField(Level.objects.all(), required=False, label=_("级别"), empty_label=_("全部"))
    unit = forms.ModelChoiceField(Unit.objects.none(), required=False, label=_("单位"), empty_label=_("全部"))
    state = forms.ChoiceField(choices=[("", _("全部状态")), *State.choices], required=False, label=_("状态"))
    q = forms.CharField(required=False, label=_("搜索"), max_length=40)

    def __init__(self, *args, user, base, **kwargs):
        super().__init__(*args, **kwargs)
        if is_blind(user):
            del self.fields["unit"]
            self.fields["q"].label = _("申报编号")
            self.fields["q"].widget.attrs["placeholder"] = _("输入8位申报编号")
        else:
            self.fields["q"].widget.attrs["placeholder"] = _("姓名或身份证号码")
        # The choices are the cached (pk, label) pairs of ``queue_options``; the queryset only
        # checks a submitted value (one read, when the officer filters).
        options = queue_options(user, base)
        for name, model in (("campaign", Campaign), ("specialty", Specialty), ("level", Level), ("unit", Unit)):
            field = self.fields.get(name)
            if field is not None:
                field.queryset = model.objects.filter(pk__in=[pk for pk, _label in options[name]])
                field.widget.choices = [("", field.empty_label), *options[name]]


class PublicityForm(forms.Form):
    """推荐单位公示: dates and, unless already attached, the two scans."""

    publicity_start = forms.DateField(label=_("公示开始日期"), widget=DATE_WIDGET)
    publicity_end = forms.DateField(label=_("公示结束日期"), widget=DATE_WIDGET)
    publicity_scan = forms.FileField(label=_("推荐单位公示扫描件（JPG）"), required=False,
                                     widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg"}))
    publicity_result_scan = forms.FileField(label=_("公示结果扫描件（JPG）"), required=False,
                                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg"}))

    def __init__(self, *args, campaign, has_scans: dict[str, bool] | None = None, **kwargs):
        self.campaign = campaign
        self.has_scans = has_scans or {}
        super().__init__(*args, **kwargs)
        n = campaign.publicity_working_days
        self.fields["publicity_end"].help_text = _("公示期不少于%d个工作日（自动扣除法定节假日、计入调休上班日），期满无异议后方可审核通过。") % n
        if self.has_scans.get("publicity"):
            self.fields["publicity_scan"].help_text = _("已上传；如需更换请重新选择。")
        if self.has_scans.get("publicity_result"):
            self.fields["publicity_result_scan"].help_text = _("已上传；如需更换请重新选择。")
        if not self.is_bound and "publicity_start" not in self.initial:
            today = timezone.localdate()
            self.initial.update(publicity_end=today, publicity_start=latest_publicity_start(today, n))

    def clean(self):
        data = super().clean()
        start, end = data.get("publicity_start"), data.get("publicity_end")
        if start and end:
            n = self.campaign.publicity_working_days
            opened = self.campaign.online_start
            if start < opened:
                # A publicity held before this year's campaign opened cannot be about this application.
                self.add_error("publicity_start", _("公示开始日期不能早于本年度网上申报开始日期（%(opened)s），"
                                                    "请填写为本次申报所做公示的日期。")
                               % {"opened": f"{opened.year}年{opened.month}月{opened.day}日"})
            elif end < start:
                self.add_error("publicity_end", _("公示结束日期不能早于开始日期。"))
            elif end > timezone.localdate():
                self.add_error("publicity_end", _("公示尚未结束，期满无异议后方可审核通过。"))
            else:
                days = working_days_between(start, end)
                if days < n:
                    self.add_error("publicity_end", _("公示期不少于%(n)d个工作日，所填期间只有%(days)d个工作日。")
                                   % {"n": n, "days": days})
            unknown = sorted({y for y in range(start.year, end.year + 1) if not calendar_known(y)})
            if unknown:
                self.warning = _("系统尚无%s年的节假日安排，按周一至周五计算；如有调休请联系管理员维护“工作日调整”。") % "、".join(
                    str(y) for y in unknown)
        for slot in self.scan_slots:
            name = f"{slot}_scan"
            if not data.get(name) and not self.has_scans.get(slot):
                self.add_error(name, _("请上传扫描件。"))
        return data

    @property
    def scan_slots(self) -> list[str]:
        return [slot for slot in PUBLICITY_SLOTS if f"{slot}_scan" in self.fields]

    def publicity_data(self) -> dict:
        return {"start": self.cleaned_data["publicity_start"].isoformat(),
                "end": self.cleaned_data["publicity_end"].isoformat()}

    def files_by_slot(self) -> dict:
        return {slot: self.cleaned_data.get(f"{slot}_scan") for slot in self.scan_slots}


class UnitApprovalForm(PublicityForm):
    confirm = forms.BooleanField(label="", required=True,
                                 error_messages={"required": _("请确认审核意见。")})

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, campaign=campaign, **kwargs)
        self.fields["confirm"].label = _("审核意见：%s") % campaign.unit_opinion_text
        if campaign.unit_recommendation_required:
            # 002 五（一）8 "《单位推荐意见》（附件3）": one per applicant, so not on the batch form.
            self.fields["unit_recommendation_scan"] = forms.FileField(
                label=_("单位推荐意见（附件3）扫描件（JPG）"), required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg"}),
                help_text=_("已上传；如需更换请重新选择。") if self.has_scans.get("unit_recommendation") else
                _("按附件3填写、加盖单位公章后扫描上传。"))
            self.order_fields([name for name in self.fields if name != "confirm"] + ["confirm"])


class CountyApprovalForm(forms.Form):
    """The county / competent unit's approval: an optional opinion and, where the notice asks for
    it (003 / 004 五（三）"上传加盖公章的推荐意见"), the sealed recommendation's scan."""

    comment = forms.CharField(label=_("推荐意见（可选）"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))
    competent_recommendation_scan = forms.FileField(
        label=_("加盖公章的推荐意见扫描件（JPG）"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg"}))

    def __init__(self, *args, campaign, has_scans: dict[str, bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_scans = has_scans or {}
        field = self.fields["competent_recommendation_scan"]
        if self.has_scans.get("competent_recommendation"):
            field.help_text = _("已上传；如需更换请重新选择。")
        else:
            field.help_text = _("通知五（三）：上传加盖公章的推荐意见“同意推荐×××同志申报××系列××专业（中、初）级专业技术任职资格”。")

    def clean(self):
        data = super().clean()
        if not data.get("competent_recommendation_scan") and not self.has_scans.get("competent_recommendation"):
            self.add_error("competent_recommendation_scan", _("请上传加盖公章的推荐意见的扫描件。"))
        return data

    def files_by_slot(self) -> dict:
        return {"competent_recommendation": self.cleaned_data.get("competent_recommendation_scan")}


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             error_messages={"required": _("退回时必须填写退回原因。")})


class ReturnNoteForm(forms.Form):
    """One note beside a section or a scan; the applicant sees it there."""

    target = forms.ChoiceField(label=_("针对"), required=False, widget=QuickSelect)
    text = forms.CharField(label=_("修改意见"), required=False, max_length=500,
                           widget=forms.TextInput(attrs={"placeholder": _("如：毕业证书扫描件不清晰，请重新上传")}))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("整体意见")), *targets]

    def note(self) -> dict | None:
        text = (self.cleaned_data.get("text") or "").strip()
        if not text:
            return None
        target = self.cleaned_data.get("target") or ""
        if target.startswith("att:"):
            attachment = Attachment.objects.filter(pk=int(target[4:])).only("section").first()
            return {"section": attachment.section if attachment else "",
                    "attachment_id": attachment.pk if attachment else None, "text": text}
        return {"section": target.removeprefix("sec:"), "attachment_id": None, "text": text}


ReturnNoteFormSet = forms.formset_factory(ReturnNoteForm, extra=3, max_num=20)


def note_targets(sections) -> list:
    """Choices for a note: the sections the applicant filled in or attached scans to, then those
    scans grouped under their section.  A scan is numbered only where several share a name
    (毕业证书、学位证书（1）, （2）); the unit's own publicity scans are not the applicant's to fix."""
    own = []
    for s in sections:
        scans = [v for v in s.scans if v.visible and v.attachment.slot not in PUBLICITY_SLOTS]
        if s.fields or s.rows or scans:
            own.append((s, scans))
    choices = [(f"sec:{s.key}", s.label) for s, _scans in own]
    for s, scans in own:
        total, seen = Counter(v.name for v in scans), Counter()
        items = []
        for v in scans:
            seen[v.name] += 1
            items.append((f"att:{v.attachment.pk}", f"{v.name}（{seen[v.name]}）" if total[v.name] > 1 else v.name))
        if items:
            choices.append((s.label + _(" · 附件"), items))
    return choices
