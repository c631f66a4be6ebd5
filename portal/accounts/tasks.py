"""Mail the accounts app sends (password-reset links), from the worker: queue ``mail``, retried
with growing pauses; a mail server that is down never fails the officer's action."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

RETRY = {"autoretry_for": (Exception,), "retry_backoff": 30, "retry_backoff_max": 3600, "retry_jitter": True,
         "max_retries": 8, "acks_late": True}


@shared_task(name="accounts.send_mail", **RETRY)
def send_mail_task(*, subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
