"""The web node's garbage-collector hooks (``portal/deploy/gunicorn.conf.py``): the master freezes
what it loaded before each fork, a worker collects less often and freezes its own long-lived objects
once, after ``GC_FREEZE_AFTER`` requests, never again."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = Path(__file__).resolve().parents[2] / "portal" / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def conf():
    threshold = gc.get_threshold()
    try:
        yield runpy.run_path(str(CONF))
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_master_freezes_the_application_before_forking(conf):
    gc.unfreeze()
    conf["pre_fork"](None, SimpleNamespace())
    assert gc.get_freeze_count() > 0


def test_a_worker_freezes_its_own_objects_once_after_its_first_requests(conf):
    gc.unfreeze()
    worker = SimpleNamespace(nr=0)
    conf["post_fork"](None, worker)
    assert gc.get_threshold() == conf["GC_THRESHOLD"]
    for worker.nr in range(1, conf["GC_FREEZE_AFTER"]):
        conf["post_request"](worker, None, {}, None)
    assert gc.get_freeze_count() == 0, "frozen before its first requests were served"
    worker.nr = conf["GC_FREEZE_AFTER"]
    conf["post_request"](worker, None, {}, None)
    frozen = gc.get_freeze_count()
    assert frozen > 0
    kept = [[object()] for _ in range(1000)]  # built later: tracked, not frozen
    worker.nr += 5
    conf["post_request"](worker, None, {}, None)
    assert gc.get_freeze_count() == frozen and kept
