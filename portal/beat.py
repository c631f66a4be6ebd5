"""Celery beat for a portal on several machines: ``celery beat --scheduler portal.beat:Scheduler``.

* Exactly one beat sends the schedule: each holds a leader lock in Redis (``SET NX`` with a time to
  live, renewed every tick); a second beat started by mistake waits as a standby and takes over
  within ``LOCK_SECONDS`` if the leader dies.  Without Redis (the embedded setup) there is one
  machine and no lock.
* The schedule itself is code (``CELERY_BEAT_SCHEDULE``); the file beat keeps of last run times is
  disposable (a new machine starts without it; every scheduled task is idempotent).
* A heartbeat file (``PORTAL_BEAT_HEARTBEAT``) is touched every tick and removed at shutdown:
  ``python -m portal.healthcheck beat`` reads it.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from celery.beat import PersistentScheduler

log = logging.getLogger(__name__)

LOCK_KEY = "portal:beat:leader"
LOCK_SECONDS = 60
TICK_SECONDS = 15  # beat wakes at least this often: lock renewal and heartbeat


def heartbeat_path() -> Path:
    return Path(os.environ.get("PORTAL_BEAT_HEARTBEAT") or "/tmp/portal-beat-heartbeat")


# Renew only a lock we hold: GET and EXPIRE in one step.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) end
return 0
"""


class Scheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self._identity = f"{socket.gethostname()}:{os.getpid()}"
        self._redis = None
        self.leader: bool | None = None  # unknown until the first tick, which logs what it is
        super().__init__(*args, **kwargs)

    def _client(self):
        from django.conf import settings

        if not settings.REDIS_URL:
            return None
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
        return self._redis

    def _hold_lock(self) -> bool:
        client = self._client()
        if client is None:
            return True
        try:
            if client.set(LOCK_KEY, self._identity, nx=True, ex=LOCK_SECONDS):
                return True
            return bool(client.eval(_RENEW, 1, LOCK_KEY, self._identity, LOCK_SECONDS))
        except Exception:  # Redis unreachable: do not send (another beat may hold the lock)
            log.warning("beat leader lock unavailable", exc_info=True)
            return False

    def tick(self, *args, **kwargs):
        leader = self._hold_lock()
        if leader != self.leader:
            log.info("beat %s", "is the leader: sending the schedule" if leader else "is on standby")
            self.leader = leader
        self._beat(leader)
        if not leader:
            return TICK_SECONDS
        return min(super().tick(*args, **kwargs), TICK_SECONDS)

    def _beat(self, leader: bool) -> None:
        path = heartbeat_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("leader\n" if leader else "standby\n")

    def close(self):
        client = self._client()
        if client is not None and self.leader:
            try:
                client.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end "
                            "return 0", 1, LOCK_KEY, self._identity)
            except Exception:
                log.warning("could not release the beat leader lock", exc_info=True)
        heartbeat_path().unlink(missing_ok=True)
        super().close()
