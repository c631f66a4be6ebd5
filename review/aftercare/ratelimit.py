"""A fixed-window rate limit on Django's cache (Redis, or the file cache: both are shared by every
web process, which a per-process counter would not be).

Used by the public certificate pages: per client address, and per ID number looked up, so that
neither one machine nor many machines can try names against one ID number for long.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    seconds: int


def _limits() -> dict[str, Limit]:
    configured = getattr(settings, "PORTAL_RATE_LIMITS", {}) or {}
    defaults = {
        "lookup_ip": (10, 600),  # 10 look-ups per address per 10 minutes
        "lookup_id": (10, 3600),  # 10 look-ups of one ID number per hour, from anywhere
        "verify_ip": (30, 600),  # 30 number checks per address per 10 minutes
    }
    return {name: Limit(name, *configured.get(name, value)) for name, value in defaults.items()}


def _key(limit: Limit, subject: str) -> str:
    # Hashed: the cache never holds ID numbers in the clear.
    digest = hashlib.sha256(f"{limit.name}:{subject}".encode()).hexdigest()[:32]
    return f"aftercare:rl:{limit.name}:{digest}"


def hit(name: str, subject: str) -> bool:
    """Count one attempt of ``subject`` under limit ``name``; False once over the limit."""
    limit = _limits()[name]
    key = _key(limit, subject)
    if cache.add(key, 1, timeout=limit.seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds)
        count = 1
    return count <= limit.attempts


def wait_minutes(name: str) -> int:
    return max(1, _limits()[name].seconds // 60)


def client_address(request) -> str:
    """The client's address as the server sees it (``REMOTE_ADDR``; a trusted proxy in front must
    set it, e.g. gunicorn's ``--forwarded-allow-ips``)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
