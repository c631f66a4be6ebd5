"""Forms of the after-acceptance pages.  They catch what a person can get wrong before the
services are asked (dates, amounts, a reason); the services check everything again."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.validators import validate_id_number
from portal.widgets import QuickSelect

from .models import DecisionResult

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today():
    return timezone.localdate()


class OverrideMixin(forms.Form):
    """Administrators may record outside a window, with a reason; clerks never see the field."""

    override_reason = forms.CharField(label=_("窗口外补录原因（仅管理员）"), required=False, max_length=200,
                                      help_text=_("不在规定时间内补录时必填，将随记录保存并显示。"))

    def __init__(self, *args, admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin:
            del self.fields["override_reason"]

    def reason(self) -> str:
        return self.cleaned_data.get("override_reason", "") if self.is_valid() else ""


class PaperForm(OverrideMixin):
    items = forms.MultipleChoiceField(label=_("已接收的纸质材料"), widget=forms.CheckboxSelectMultiple, required=True,
                                      error_messages={"required": _("请勾选已接收的纸质材料。")})
    received_on = forms.DateField(label=_("接收日期"), widget=DATE, initial=_today)

    def __init__(self, *args, items: list[str], received: set[str], units: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(name, name) for name in items if name not in received]
        self.units = {str(u.pk): u for u in units or []}
        if units:
            # 003 八（四）"申报材料由单位统一报送…个人报送材料一律不予受理".
            self.fields["delivered_by"] = forms.ChoiceField(
                label=_("报送单位"), choices=[("", _("——请选择——")), *[(k, u.name) for k, u in self.units.items()]],
                help_text=_("个人报送材料一律不予受理：须由申报人所在单位或其主管单位统一报送。"),
                error_messages={"required": _("个人报送材料一律不予受理：请选择报送单位。")})

    def delivering_unit(self):
        return self.units.get(self.cleaned_data.get("delivered_by") or "")


class BulkPaperForm(OverrideMixin):
    received_on = forms.DateField(label=_("接收日期"), widget=DATE, initial=_today)


class FeeForm(OverrideMixin):
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, max_digits=10, decimal_places=2)
    paid_on = forms.DateField(label=_("缴费日期"), widget=DATE, initial=_today)
    receipt_number = forms.CharField(label=_("收据号"), max_length=40)


class FeeBatchForm(OverrideMixin):
    unit = forms.ChoiceField(label=_("缴费单位"), widget=QuickSelect)  # every unit with something unpaid
    amount = forms.DecimalField(label=_("合计金额（元）"), min_value=0, max_digits=10, decimal_places=2)
    paid_on = forms.DateField(label=_("缴费日期"), widget=DATE, initial=_today)
    receipt_number = forms.CharField(label=_("收据号"), max_length=40)

    def __init__(self, *args, units: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("请选择单位"))] + [(str(u.pk), u.name) for u in units]


class SessionForm(forms.Form):
    specialty = forms.ChoiceField(label=_("专业"))
    date = forms.DateField(label=_("答辩日期"), widget=DATE)
    time_slot = forms.CharField(label=_("时间段"), max_length=40, widget=forms.TextInput(
        attrs={"placeholder": _("例如：上午 9:30—12:00")}))
    place = forms.CharField(label=_("地点"), max_length=200, required=False,
                            help_text=_("暂未确定可留空，申报人看到“地点另行通知”；确定后修改，已安排的申报人会收到通知。"))

    def __init__(self, *args, specialties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [(str(s.pk), str(s)) for s in specialties]


class ScoreForm(forms.Form):
    """One row of the score sheet: a score (scored campaigns) or 通过/未通过, or absence."""

    application = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label=_("成绩"), required=False, min_value=0, max_value=100, max_digits=5,
                               decimal_places=1)
    result = forms.ChoiceField(label=_("结果"), required=False,
                               choices=[("", "—"), ("pass", _("通过")), ("fail", _("未通过"))])
    absent = forms.BooleanField(label=_("缺席"), required=False)


ScoreFormSet = forms.formset_factory(ScoreForm, extra=0)


@dataclass(frozen=True)
class ScoreRow:
    """One row of the score sheet as ``aftercare/_score_rows.html`` draws it: the values its three
    inputs show and, for a refused save, the first error of each field."""

    index: int
    app: object
    application: str  # the hidden input's value: the application's id (as posted, for a refused save)
    score: str | None  # the number input's value, as Django's NumberInput writes it (None: no value)
    result: str  # the chosen option ("" for none)
    absent: bool
    errors: dict[str, str]


def _number(value) -> str | None:
    return None if value is None or value == "" else str(value)


def score_rows(apps, formset) -> list[ScoreRow]:
    """The score sheet's rows without a form per row: 40 forms built and their 120 widgets drawn one
    by one through the widget templates were more than half of the session page's CPU (issue 16).
    An unbound sheet reads its initial values; a bound one (a refused save) its forms, so that what
    was typed and each field's first error are shown again.  ``tests/aftercare/test_score_sheet.py``
    compares the inputs drawn with Django's own widgets."""
    if not formset.is_bound:
        return [ScoreRow(i, app, str(row["application"]), _number(row.get("score")), row.get("result") or "",
                         bool(row.get("absent")), {})
                for i, (row, app) in enumerate(zip(formset.initial or [], apps))]
    return [ScoreRow(i, app, _number(form["application"].value()) or "", _number(form["score"].value()),
                     str(form["result"].value() or ""), bool(form["absent"].value()),
                     {name: errors[0] for name, errors in form.errors.items()})
            for i, (form, app) in enumerate(zip(formset.forms, apps))]


class DecisionForm(forms.Form):
    result = forms.ChoiceField(label=_("评审结果"), choices=DecisionResult.choices, widget=forms.RadioSelect)
    meeting_date = forms.DateField(label=_("评审会议日期"), widget=DATE)


class ResultPublicityForm(forms.Form):
    start = forms.DateField(label=_("公示开始日期"), widget=DATE)
    end = forms.DateField(label=_("公示结束日期"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("公示结束日期不能早于开始日期。"))
        return data


class FraudForm(forms.Form):
    facts = forms.CharField(label=_("弄虚作假的情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                            help_text=_("写明查实的事实，例如：提供的继续教育合格证书系伪造。"))
    include_unit = forms.BooleanField(label=_("单位参与弄虚作假，一并取消单位参评资格"), required=False)
    confirm = forms.BooleanField(label=_("确认已查实：申报将终止并记入诚信档案，不能撤回"), required=True,
                                 error_messages={"required": _("请确认已查实。")})

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        if campaign is not None and campaign.unit_ban_years is None:
            # 000/001/002 set no unit ban: the form does not offer one (issue 15, P2-10).
            del self.fields["include_unit"]


class LookupForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, widget=forms.TextInput(
        attrs={"autocomplete": "off", "inputmode": "text", "placeholder": _("18位身份证号码")}))
    name = forms.CharField(label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("证书编号或校验码"), max_length=40, widget=forms.TextInput(
        attrs={"autocomplete": "off", "placeholder": _("例如 BZ2026-003-00012")}))
