"""Field helpers shared by the section forms: the notices' "no blank field" rule, dates that may
not lie in the future, and yes/no questions that must be answered."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NONE_TEXT = "无"  # what a field with nothing to say holds (不得留有空格)

BLANK_MESSAGE = _("此项不得留空；确实没有内容的，请填写“无”。")
DATE_BLANK_MESSAGE = _("请填写日期。")
CHOICE_BLANK_MESSAGE = _("请选择。")
YES_NO = (("1", _("是")), ("0", _("否")))


def not_in_future(value: dt.date) -> None:
    today = timezone.localdate()
    if value and value > today:
        raise forms.ValidationError(_("日期不能晚于今天（%(today)s）。"), params={"today": today.isoformat()},
                                    code="future")


class TextField(forms.CharField):
    """A required text answer.  ``allow_none`` marks fields where "无" is an honest answer: the page
    shows a one-click "无" button beside them."""

    def __init__(self, *, label, max_length=200, allow_none=False, textarea=False, rows=4, **kwargs):
        attrs = {"data-none": "1"} if allow_none else {}
        widget = forms.Textarea(attrs={**attrs, "rows": rows}) if textarea else forms.TextInput(attrs=attrs)
        kwargs.setdefault("error_messages", {"required": BLANK_MESSAGE})
        super().__init__(label=label, max_length=max_length, widget=widget, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        # Whitespace-only answers are blank answers; "无" written as "/" or "-" is vague (不得模糊).
        if value in {"/", "-", "—", "——", "／", "空", "暂无"}:
            raise forms.ValidationError(_("请写“无”，不要用“%(v)s”代替。"), params={"v": value}, code="vague")
        return value


class DateField(forms.DateField):
    def __init__(self, *, label, required=True, future_ok=False, **kwargs):
        validators = [] if future_ok else [not_in_future]
        kwargs.setdefault("error_messages", {"required": DATE_BLANK_MESSAGE,
                                             "invalid": _("日期格式应为 年-月-日，例如 2020-07-01。")})
        super().__init__(label=label, required=required, validators=validators,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class ChoiceField(forms.ChoiceField):
    def __init__(self, *, label, choices, radio=False, **kwargs):
        kwargs.setdefault("error_messages", {"required": CHOICE_BLANK_MESSAGE,
                                             "invalid_choice": _("请从列表中选择。")})
        widget = forms.RadioSelect if radio else forms.Select
        if not radio:
            choices = [("", "——请选择——"), *choices]
        super().__init__(label=label, choices=choices, widget=widget, **kwargs)


class YesNoField(forms.TypedChoiceField):
    """A yes/no question that must be answered (a blank answer is not "no")."""

    def __init__(self, *, label, **kwargs):
        kwargs.setdefault("error_messages", {"required": _("请选择“是”或“否”。")})
        super().__init__(label=label, choices=YES_NO, coerce=lambda v: v == "1", empty_value=None,
                         widget=forms.RadioSelect(attrs={"class": "yes-no"}), **kwargs)
