import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# How often beat looks for expired returns.  A deadline is honoured to within this interval; the
# one door re-checks the deadline, so an early look never abandons anyone.
EXPIRE_RETURNS_EVERY_SECONDS = 300


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("逐级审核与评审")

    def ready(self) -> None:
        every = float(os.environ.get("PORTAL_EXPIRE_RETURNS_EVERY", EXPIRE_RETURNS_EVERY_SECONDS))
        # settings.CELERY_BEAT_SCHEDULE is the dict Celery reads (config_from_object is lazy).
        settings.CELERY_BEAT_SCHEDULE.setdefault("review-expire-returns", {
            "task": "review.expire_returns", "schedule": every,
        })
