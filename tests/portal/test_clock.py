"""``PORTAL_TEST_TODAY`` moves the whole run to that day: this process (and the live server in it),
and the programs the tests start (``tests/clocked.py``)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from tests.conftest import ROOT, TEST_TODAY, _worker_env, clocked_command

pytestmark = pytest.mark.skipif(not TEST_TODAY, reason="the run is on the real clock (PORTAL_TEST_TODAY unset)")


def test_this_process_is_on_the_day_asked_for():
    assert timezone.localdate().isoformat() == TEST_TODAY


def test_a_subprocess_is_on_the_same_day(tmp_path):
    script = tmp_path / "today.py"
    script.write_text("import datetime, zoneinfo\n"
                      "print(datetime.datetime.now(zoneinfo.ZoneInfo('Asia/Shanghai')).date())\n")
    done = subprocess.run(clocked_command(str(script)), cwd=ROOT, env=_worker_env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert dt.date.fromisoformat(done.stdout.strip()).isoformat() == TEST_TODAY
