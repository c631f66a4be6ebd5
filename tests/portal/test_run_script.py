"""The README's run command on a fresh data directory: little output (the address, the logins and
where the logs are), the portal on 127.0.0.1 only, and Chinese error pages (DEBUG off)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.worker  # starts gunicorn and a Celery worker: slow, like the worker tests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_run_command_is_quiet_local_and_answers_in_chinese(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG")}
    env.update(PORT=str(port), PORTAL_DATA_DIR=str(tmp_path / "data"), PORTAL_LOG_DIR=str(tmp_path / "log"))
    out = tmp_path / "out.txt"
    with open(out, "w") as sink:
        proc = subprocess.Popen(["sh", "portal/scripts/run.sh"], cwd=ROOT, env=env, stdout=sink,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while "门户已启动" not in out.read_text() or _free_port_is(port):
            assert proc.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(1)
        text = out.read_text()
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) <= 25, text
        assert f"http://127.0.0.1:{port}/" in text and "652801199001011232" in text and "pingwei" in text
        assert "portal.log" in text and "PORTAL_DEBUG=1" in text
        assert "Operations to perform" not in text and "Collecting" not in text  # installer noise stays in logs
        listening = subprocess.run(["ss", "-ltn", f"sport = :{port}"], capture_output=True, text=True, check=True).stdout
        assert f"127.0.0.1:{port}" in listening and f"0.0.0.0:{port}" not in listening
        status, page = _get(f"http://127.0.0.1:{port}/no-such-page/")
        assert status == 404 and "页面不存在" in page and "URLconf" not in page and "Page not found" not in page
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "年度评审工作" in page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _free_port_is(port: int) -> bool:
    """True while nothing listens on the port yet."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0
