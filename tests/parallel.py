"""Each pytest-xdist worker (``pytest -n 2``, as ``portal/scripts/test.sh`` runs the suite) gets
services of its own, so that two workers never see each other's data:

* the database: pytest-django already gives each worker its own test database (``test_…_gw0``);
* Redis (broker, cache, heartbeat, beat lock): worker ``gwN`` uses database number
  ``REDIS_URL``'s + N, so one worker's Celery subprocess never takes a task published by the
  other, and a purge before a worker test empties only its own queues;
* ``PORTAL_DATA_DIR``: worker ``gwN`` writes into ``$PORTAL_DATA_DIR/gwN`` (embedded broker and
  cache, private files, logs of the subprocesses).

Loaded with ``-p tests.parallel`` (``portal/scripts/test.sh`` passes it) because the environment
must be set before pytest-django reads the settings, which happens before any conftest is imported;
``tests/conftest.py`` stops a parallel run without it.  Without xdist (``PYTEST_XDIST_WORKER``
unset) it changes nothing.  The subprocesses the tests start inherit the changed environment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REDIS_DATABASES = 16  # redis-server's default ``databases``


def worker_redis_url(url: str, index: int) -> str:
    """``url`` with its database number moved ``index`` up (``redis://h:6379/5``, 1 → ``…/6``)."""
    match = re.match(r"^(rediss?://[^/?#]*)(?:/(\d*))?([?#].*)?$", url)
    if match is None:
        raise ValueError(f"REDIS_URL not understood for a parallel run: {url!r}")
    base = int(match.group(2) or 0)
    number = base + index
    if number >= REDIS_DATABASES:
        raise ValueError(f"REDIS_URL database {base} + worker {index} is past Redis's {REDIS_DATABASES} databases: "
                         "run fewer workers (PORTAL_TEST_WORKERS) or a lower database number")
    return f"{match.group(1)}/{number}{match.group(3) or ''}"


def _isolate(worker: str) -> None:
    index = int(worker.removeprefix("gw"))
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], index)
    root = Path(__file__).resolve().parent.parent
    data = Path(os.environ.get("PORTAL_DATA_DIR") or root / "var") / worker
    data.mkdir(parents=True, exist_ok=True)
    os.environ["PORTAL_DATA_DIR"] = str(data)


_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and os.environ.get("PORTAL_PARALLEL_ISOLATED") != _WORKER:
    os.environ["PORTAL_PARALLEL_ISOLATED"] = _WORKER  # once per process, even if imported twice
    _isolate(_WORKER)
