"""Celery tasks of the chain: thin wrappers around services (ids in, service call)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="review.expire_returns")
def expire_returns_task() -> list[int]:
    """Beat: move returns whose deadline passed to ``abandoned`` (and tell the applicants)."""
    from .services import returns_expire

    return returns_expire()


# After acceptance (issue 7): certificates rendered by the worker.
from .aftercare.tasks import render_certificate_task, render_publicity_list_task  # noqa: E402,F401
