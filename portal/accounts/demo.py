"""Demo second factor: every staff demo login gets a confirmed TOTP device with one fixed,
published secret, so that the demo can be tried with any authenticator app (or with
``manage.py demo_totp``, which prints the current code).  DEMO ONLY: the secret is in the README
and in this file; a real deployment never runs ``seed_demo`` and every officer enrols their own
phone at first login."""

from __future__ import annotations

import base64

from django_otp.plugins.otp_totp.models import TOTPDevice

from .otp import needs_second_factor

DEMO_TOTP_SECRET = "BAZHOUZHICHENGDEMOONLYTOTPSECRET"  # base32, 20 bytes
DEMO_DEVICE_NAME = "演示验证器（仅限演示）"


def demo_totp_key() -> str:
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


def second_factor_demo_set(users) -> int:
    """Give each of ``users`` that needs a second factor the demo device (idempotent).  Called by
    ``applications.demo.build`` for the demo logins it creates; returns how many got one."""
    count = 0
    for user in users:
        if needs_second_factor(user):
            TOTPDevice.objects.update_or_create(user=user, name=DEMO_DEVICE_NAME, defaults={
                "key": demo_totp_key(), "confirmed": True, "last_t": -1})
            count += 1
    return count
