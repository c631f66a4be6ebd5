"""The staff second factor: a TOTP authenticator app (django-otp's ``TOTPDevice``) with ten
single-use backup codes (``StaticDevice``).

Who needs it is decided by role, not by a list: every account that is not an applicant (unit,
county and committee officers, administrators, and any role added later such as experts), and any
account with Django's staff or superuser flag.  ``SecondFactorMiddleware`` sends such a user to
enrolment (no confirmed device yet) or verification before any page but these and logout.
"""

from __future__ import annotations

import base64
import io

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.actions import AuditAction
from portal.audit.services import audit_record

from .models import Role

BACKUP_CODES = 10
TOTP_NAME = "身份验证器"
BACKUP_NAME = "备用验证码"


def needs_second_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role != Role.APPLICANT or user.is_staff or user.is_superuser


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user) -> TOTPDevice:
    """The device being enrolled: the same one (and so the same QR code) until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG (no image request, no data: URL for a strict CSP)."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True,
                                                    title=_("用身份验证器扫描此二维码"))
    return out.getvalue().decode()


def _clean(token: str) -> str:
    return "".join((token or "").split()).lower()


def _throttled(device) -> str:
    allowed, data = device.verify_is_allowed()
    if allowed or not (data or {}).get("locked_until"):
        return ""
    seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return _("验证码错误次数过多，请%(s)d秒后再试。") % {"s": seconds}


@transaction.atomic
def totp_enrol_confirm(request, device: TOTPDevice, token: str) -> tuple[list[str], str]:
    """Confirm ``device`` with a code from the app; on success the session counts as verified and
    the new backup codes are returned (shown once).  Otherwise ``([], refusal)``."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
    refusal = _throttled(device)
    if refusal:
        return [], refusal
    if not device.verify_token(_clean(token)):
        return [], _("验证码不正确。请确认手机时间准确，并输入应用上当前显示的6位数字。")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    otp_login(request, device)
    audit_record(action=AuditAction.SECOND_FACTOR_ENROLLED, actor=request.user, obj=request.user,
                 person=request.user)
    return backup_codes_issue(request.user), ""


def backup_codes_issue(user) -> list[str]:
    """Ten new single-use codes; the previous ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_verify(request, token: str) -> tuple[bool, str]:
    """Check a 6-digit code from the app, or a backup code, against the user's own devices.
    Returns (verified, message for a refusal)."""
    token = _clean(token)
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    devices = [d for d in devices_for_user(request.user, confirmed=True) if isinstance(d, kind)]
    if not devices:
        return False, _("验证码不正确。请输入身份验证器上显示的6位数字，或一个备用验证码。")
    refusal = ""
    for device in devices:
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            refusal = _throttled(device)
            if refusal:
                continue
            if device.verify_token(token):
                otp_login(request, device)
                return True, ""
    if refusal:
        return False, refusal
    return False, _("验证码不正确或已使用过。请输入身份验证器上当前显示的6位数字，或一个未用过的备用验证码。")
