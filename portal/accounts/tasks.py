"""Mail the accounts app sends (password-reset links), from the worker: queue ``mail``, retried
with growing pauses; a mail server that is down never fails the officer's action."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

RETRY = {"autoretry_for": (Exception,), "retry_backoff": settings.PORTAL_MAIL_RETRY_BACKOFF, "retry_backoff_max": 3600,
         "retry_jitter": True, "max_retries": settings.PORTAL_MAIL_MAX_RETRIES, "acks_late": True}


@shared_task(name="accounts.send_mail", **RETRY)
def send_mail_task(*, subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
