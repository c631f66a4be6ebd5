"""What the queues look like, for the admin page and the readiness probe: the broker's queue
lengths, the outbox by state, the oldest task not yet done, and the workers' heartbeat."""

from __future__ import annotations

import time

from django.utils import timezone

HEARTBEAT_KEY = "portal:worker:heartbeat"


def broker_client(timeout: float = 1.0):
    """A Redis client on the broker with short timeouts, or None for the embedded broker."""
    from django.conf import settings

    if not getattr(settings, "REDIS_URL", ""):
        return None
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)


def queue_lengths() -> dict[str, int] | None:
    """Messages waiting per queue (Redis lists), or None when the broker does not answer."""
    from portal.queues import known_queues

    client = broker_client()
    if client is None:
        return {}
    try:
        return {name: int(client.llen(name)) for name in known_queues()}
    except Exception:  # noqa: BLE001 - the page says the broker is unreachable
        return None


def _heartbeat_file():
    from pathlib import Path

    from django.conf import settings

    return Path(settings.DATA_DIR) / "worker-heartbeat"


def heartbeat_beat() -> None:
    """Written by every worker every 10 s (``portal.dispatch.signals``): its last sign of life, in
    Redis (shared by every machine), or in a file in the embedded setup (one machine)."""
    client = broker_client()
    if client is not None:
        client.set(HEARTBEAT_KEY, str(time.time()), ex=600)
    else:
        _heartbeat_file().write_text(str(time.time()))


def heartbeat_age() -> float | None:
    """Seconds since a worker last said it was alive; None if never (raises if Redis is down)."""
    client = broker_client()
    if client is None:
        try:
            value = _heartbeat_file().read_text()
        except OSError:
            return None
    else:
        value = client.get(HEARTBEAT_KEY)
    return None if not value else max(0.0, time.time() - float(value))


def queue_overview() -> dict:
    from django.db.models import Count

    from .models import OPEN_STATUSES, Outbox, OutboxStatus

    by_status = dict(Outbox.objects.values_list("status").annotate(n=Count("pk")).order_by())
    oldest = Outbox.objects.filter(status__in=OPEN_STATUSES).order_by("created_at").first()
    try:
        age = heartbeat_age()
    except Exception:  # noqa: BLE001
        age = None
    return {
        "queues": queue_lengths(),
        "statuses": [(label, by_status.get(value, 0)) for value, label in OutboxStatus.choices],
        "oldest": oldest,
        "oldest_age": (timezone.now() - oldest.created_at) if oldest else None,
        "heartbeat_age": age,
    }
