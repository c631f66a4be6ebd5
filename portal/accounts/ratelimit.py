"""Fixed-window counters on Django's cache (Redis, or the file cache: both shared by every web
process, which a per-process counter would not be).

A limit is ``attempts`` per ``seconds``; windows are aligned on the clock (``time.time() //
seconds``), so a refusal can say exactly how long to wait and ``time_machine`` can move a test past
a window.  Subjects (addresses, ID numbers) are hashed: the cache never holds them in the clear.

``PORTAL_RATE_LIMITS = {"name": (attempts, seconds)}`` in settings overrides any default.

When the cache does not answer, every function raises ``RateLimitUnavailable``: callers fail
closed (a Chinese "请稍后再试" page), never open and never with a server error.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


class RateLimitUnavailable(Exception):
    """The cache holding the counters did not answer."""


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the current window ends

    @property
    def wait_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def limit(name: str, default: tuple[int, int]) -> Limit:
    configured = (getattr(settings, "PORTAL_RATE_LIMITS", None) or {}).get(name, default)
    return Limit(name, *configured)


def _window(rule: Limit) -> tuple[int, int]:
    now = time.time()
    index = int(now // rule.seconds)
    return index, max(1, int((index + 1) * rule.seconds - now))


def _key(rule: Limit, subject: str, index: int) -> str:
    digest = hashlib.sha256(f"{rule.name}:{subject}".encode()).hexdigest()[:32]
    return f"rl:{rule.name}:{index}:{digest}"


def _guarded(operation):
    try:
        return operation()
    except Exception as exc:  # any cache client error (connection refused, timeout, …)
        logger.warning("rate-limit cache unavailable: %s", exc)
        raise RateLimitUnavailable from exc


def count(rule: Limit, subject: str) -> int:
    """How many attempts ``subject`` made in the current window."""
    index, _ = _window(rule)
    return int(_guarded(lambda: cache.get(_key(rule, subject, index), 0)) or 0)


def record(rule: Limit, subject: str) -> int:
    """Count one attempt; returns the count in the current window."""
    index, _ = _window(rule)
    key = _key(rule, subject, index)

    def add_or_incr() -> int:
        if cache.add(key, 1, timeout=rule.seconds + 60):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rule.seconds + 60)
            return 1

    return _guarded(add_or_incr)


def check(rule: Limit, subject: str) -> Verdict:
    """Whether another attempt is allowed, without counting one (for limits on failures)."""
    _, retry_after = _window(rule)
    return Verdict(count(rule, subject) < rule.attempts, retry_after)


def hit(rule: Limit, subject: str) -> Verdict:
    """Count one attempt and say whether it was within the limit."""
    _, retry_after = _window(rule)
    return Verdict(record(rule, subject) <= rule.attempts, retry_after)
