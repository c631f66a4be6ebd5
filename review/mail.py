"""E-mail of in-portal notifications, sent by the worker (queue ``mail``).

``notifications_mail`` queues one task after commit for the notifications whose readers have an
address; the task (``notifications_mail_task``) sends each message on its own and marks it
``emailed``, so a retry sends only what is still unsent.  A mail server that is down is retried
with growing pauses (30 s, 1 min, 2 min … up to an hour, eight times); it never fails the action
that produced the notification, which has committed long before.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core import mail

from portal.dispatch import enqueue_on_commit

from .models import Notification

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": settings.PORTAL_MAIL_RETRY_BACKOFF, "retry_backoff_max": 3600,
         "retry_jitter": True, "max_retries": settings.PORTAL_MAIL_MAX_RETRIES, "acks_late": True}


def notifications_email(*, notification_ids: list[int]) -> int:
    """Send the notifications not yet e-mailed whose reader has an address; returns how many."""
    notes = (Notification.objects.filter(pk__in=notification_ids, emailed=False).exclude(user__email="")
             .select_related("user").order_by("pk"))
    sent = 0
    with mail.get_connection() as connection:
        for note in notes:
            body = f"{note.body}\n\n{settings.PORTAL_BASE_URL}/"
            message = mail.EmailMessage(f"[{settings.PORTAL_NAME}] {note.title}", body, settings.DEFAULT_FROM_EMAIL,
                                        [note.user.email], connection=connection)
            message.send()
            Notification.objects.filter(pk=note.pk).update(emailed=True)
            sent += 1
    return sent


@shared_task(name="review.send_mail", **RETRY)
def notifications_mail_task(*, notification_ids: list[int]) -> int:
    return notifications_email(notification_ids=notification_ids)


def notifications_mail(notifications: list[Notification]) -> None:
    """Queue the e-mail of ``notifications`` (those whose reader has an address) after commit."""
    ids = [note.pk for note in notifications if note.user.email]
    if ids:
        enqueue_on_commit(notifications_mail_task, notification_ids=ids)
