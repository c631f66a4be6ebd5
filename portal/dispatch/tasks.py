"""The beat job of the outbox: publish what is pending or overdue (``portal.dispatch.sweep``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dispatch.sweep", ignore_result=True)
def sweep_task() -> int:
    from . import sweep

    return sweep()
