"""Celery tasks of the chain: thin wrappers around services (ids in, service call).

The e-mail task lives with the mail it sends (``review.mail.notifications_mail_task``); it is
imported here so that the worker, which imports each app's ``tasks`` module, knows it.
"""

from __future__ import annotations

from celery import shared_task

from .mail import notifications_mail_task
from .services import returns_expire

__all__ = ["expire_returns_task", "notifications_mail_task"]


@shared_task(name="review.expire_returns")
def expire_returns_task() -> list[int]:
    """Beat: move returns whose deadline passed to ``abandoned`` (and tell the applicants)."""
    return returns_expire()
