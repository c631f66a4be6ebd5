from __future__ import annotations

import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import validate_id_number, validate_person_name

PHONE_RE = re.compile(r"^1\d{10}$")


class RegistrationForm(forms.Form):
    """实名注册: real name, resident ID number (GB 11643 check digit, birth date not in the future),
    mobile phone and password.  The ID number becomes the login name."""

    real_name = forms.CharField(label=_("真实姓名"), max_length=50)
    # No min_length: validate_id_number says what is wrong with a short number, in its own words.
    id_number = forms.CharField(label=_("身份证号码"), max_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label=_("手机号码"), max_length=11, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    password1 = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("至少8位，不能全是数字，不能与身份证号相似。"))
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    error_messages = {
        "mismatch": _("两次输入的密码不一致。"),
    }

    def clean_real_name(self) -> str:
        name = validate_person_name(self.cleaned_data["real_name"])
        if len(name) < 2:
            raise forms.ValidationError(_("请填写身份证上的真实姓名。"))
        return name

    def clean_id_number(self) -> str:
        # Whether the number is already registered is deliberately not checked here: the form
        # answers the same either way (``services.applicant_register``).
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not PHONE_RE.match(phone):
            raise forms.ValidationError(_("请填写11位手机号码。"))
        return phone

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", self.error_messages["mismatch"])
        elif p1:
            probe = User(username=cleaned.get("id_number") or "", real_name=cleaned.get("real_name") or "")
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned



class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("身份证号码或用户名"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))

    error_messages = {
        "invalid_login": _("账号或密码不正确。申报人请用身份证号码登录（末位X大小写均可）。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip()
        # ID numbers are stored upper-case; applicants often type a lower-case x.
        return value.upper() if re.fullmatch(r"\d{17}[\dxX]", value) else value


class ResetIssueForm(forms.Form):
    who = forms.CharField(label=_("申报人身份证号码"), max_length=150,
                          help_text=_("管理员也可以填写单位经办人的登录名。"),
                          widget=forms.TextInput(attrs={"autocomplete": "off"}))
    send_by_email = forms.BooleanField(label=_("同时发送到该用户登记的电子邮箱（如有）"), required=False)


class SecondFactorForm(forms.Form):
    token = forms.CharField(label=_("验证码"), max_length=16, strip=True,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}),
                            help_text=_("身份验证器应用上显示的6位数字；手机不在身边时，可输入一个备用验证码。"))
