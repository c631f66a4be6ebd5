"""Demo second factor: every staff demo login gets a confirmed TOTP device with one fixed,
published secret, so that the demo can be tried with any authenticator app (or with
``manage.py demo_totp``, which prints the current code).  DEMO ONLY: the secret is in the README
and in this file; a real deployment never runs ``seed_demo`` and every officer enrols their own
phone at first login."""

from __future__ import annotations

import base64

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .otp import needs_second_factor

DEMO_TOTP_SECRET = "BAZHOUZHICHENGDEMOONLYTOTPSECRET"  # base32, 20 bytes
DEMO_DEVICE_NAME = "演示验证器（仅限演示）"


def demo_totp_key() -> str:
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


@transaction.atomic
def build(*, stdout=None) -> dict:
    """Called by ``seed_demo`` after ``applications.demo`` created the logins (idempotent)."""
    from applications.demo import LOGINS  # the demo logins are the applications app's data

    for user in User.objects.filter(username__in=[login.username for login in LOGINS]):
        if needs_second_factor(user):
            TOTPDevice.objects.update_or_create(user=user, name=DEMO_DEVICE_NAME, defaults={
                "key": demo_totp_key(), "confirmed": True, "last_t": -1})
    if stdout is not None:
        stdout.write(f"演示经办人、管理员账号的两步验证密钥（仅限演示）：{DEMO_TOTP_SECRET}；"
                     "当前验证码：python manage.py demo_totp")
    return {}
