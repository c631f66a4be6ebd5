"""A web process builds what its first requests would otherwise build, before it serves any
(``portal.warmup``, called by ``portal/wsgi.py``: in gunicorn's master, before the fork)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.template import engines
from django.template.loaders.filesystem import Loader

from portal import warmup

ROOT = Path(__file__).resolve().parents[2]


def test_every_template_of_the_portal_is_compiled_once_warmed(monkeypatch):
    found = warmup.warm_up()
    own = [p for p in (ROOT / "templates").rglob("*") if p.suffix in warmup.TEMPLATE_SUFFIXES]
    assert found["templates"] >= len(own)

    def read(*args, **kwargs):
        raise AssertionError("a template read from disk after the warm-up")

    monkeypatch.setattr(Loader, "get_contents", read)
    monkeypatch.setattr(engines["jinja2"].env.loader, "get_source", read)
    engines["django"].get_template("aftercare/results.html")  # compiled: the cached loader answers
    engines["jinja2"].get_template("aftercare/_results_decided.html")
    with pytest.raises(AssertionError, match="read from disk"):  # the spy itself works
        engines["django"].get_template("no/such/template.html")


def test_a_django_engine_leaves_the_jinja2_folder_inside_its_own_to_jinja2():
    django_engine = engines["django"]
    assert warmup._skipped_dirs(django_engine) == (ROOT / "templates" / "jinja2",)
    assert warmup._skipped_dirs(engines["jinja2"]) == ()


def test_the_id_number_table_is_read_before_the_first_id_number(monkeypatch):
    from stdnum import numdb

    from portal.accounts.validators import validate_id_number

    warmup.warm_up()

    def read(*args, **kwargs):
        raise AssertionError("stdnum read its table on a request")

    monkeypatch.setattr(numdb, "read", read)
    validate_id_number("11010519491231002X")  # a valid number: the region looked up in memory


def test_warming_up_touches_no_database_cache_or_broker(tmp_path):
    """In gunicorn's master: a connection opened there would be shared by every forked worker.
    Pointed at ports where nothing listens, the application still loads and warms up."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_DATA_DIR=str(tmp_path), DJANGO_DEBUG="0",
               DJANGO_SECRET_KEY="k" * 50, DATABASE_URL="postgres://nobody@127.0.0.1:9/none",
               REDIS_URL="redis://127.0.0.1:9/0")
    code = ("import portal.wsgi; from django.db import connections; "
            "print('warm', connections['default'].connection is None)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "warm True"
    assert "warmed up" in out.stdout + out.stderr
