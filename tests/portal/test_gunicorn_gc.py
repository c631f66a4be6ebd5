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
    calls = []
    spy = SimpleNamespace(collect=lambda: calls.append("collect"), freeze=lambda: calls.append("freeze"),
                          set_threshold=gc.set_threshold)
    conf["post_request"].__globals__["gc"] = spy  # the hooks' module (run_path hands back a copy of it)
    worker = SimpleNamespace(nr=0)
    conf["post_fork"](None, worker)
    assert gc.get_threshold() == conf["GC_THRESHOLD"]
    for worker.nr in range(1, conf["GC_FREEZE_AFTER"]):
        conf["post_request"](worker, None, {}, None)
    assert calls == [], "frozen before its first requests were served"
    worker.nr = conf["GC_FREEZE_AFTER"]
    conf["post_request"](worker, None, {}, None)
    assert calls == ["collect", "freeze"]
    for worker.nr in range(conf["GC_FREEZE_AFTER"] + 1, conf["GC_FREEZE_AFTER"] + 50):
        conf["post_request"](worker, None, {}, None)
    assert calls == ["collect", "freeze"], "frozen once only"
