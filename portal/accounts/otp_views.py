"""Second-factor pages: enrolment with a QR code, verification at each login, backup codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.errors import safe_next

from . import otp
from .forms import SecondFactorForm


def _next(request) -> str:
    return safe_next(request, "/me/")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrolment: scan the QR code (or type the key), confirm with one code, get backup codes."""
    if not otp.needs_second_factor(request.user) or otp.has_confirmed_device(request.user):
        return redirect("accounts:otp_verify" if not request.user.is_verified() else _next(request))
    device = otp.pending_totp_device(request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes, refusal = otp.totp_enrol_confirm(request, device, form.cleaned_data["token"])
        if codes:
            return render(request, "accounts/otp_backup_codes.html", {"codes": codes, "next": _next(request),
                                                                      "enrolled": True})
        form.add_error("token", refusal)
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr": otp.qr_svg(device), "secret": otp.secret_text(device), "next": _next(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    if not otp.needs_second_factor(request.user):
        return redirect(_next(request))
    if not otp.has_confirmed_device(request.user):
        return redirect("accounts:otp_setup")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified, refusal = otp.second_factor_verify(request, form.cleaned_data["token"])
        if verified:
            return redirect(_next(request))
        form.add_error("token", refusal)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
@require_http_methods(["GET"])
def otp_backup_codes(request):
    if not otp.needs_second_factor(request.user):
        return redirect("home")
    return render(request, "accounts/otp_backup_codes.html", {"left": otp.backup_codes_left(request.user)})


@never_cache
@login_required
@require_POST
def otp_backup_codes_renew(request):
    """Ten new codes (the old ones stop working).  Reached only with a verified session: the
    middleware stops an unverified one before it."""
    if not otp.needs_second_factor(request.user):
        return redirect("home")
    codes = otp.backup_codes_issue(request.user)
    messages.success(request, _("已生成新的备用验证码，原有备用验证码已作废。"))
    return render(request, "accounts/otp_backup_codes.html", {"codes": codes})
