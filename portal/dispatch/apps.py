from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "portal.dispatch"
    label = "dispatch"
    verbose_name = "后台任务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from . import signals, tasks  # noqa: F401 - the worker's signal handlers and the sweep task

        every = float(getattr(settings, "PORTAL_OUTBOX_SWEEP_SECONDS", 30))
        # A sweep that waited longer than its period is dropped: the next one does the same work.
        settings.CELERY_BEAT_SCHEDULE.setdefault("dispatch-sweep", {
            "task": "dispatch.sweep", "schedule": every, "options": {"expires": every},
        })
