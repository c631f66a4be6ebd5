"""Shared fixtures.

* Reference data and the six campaigns are loaded once into the test database; transactional
  tests (browser, worker) flush the database, so fixtures that need the data ask for
  ``reference`` which reloads it when missing.
* ``celery_worker_process`` starts a real ``celery worker`` subprocess against the test database
  and the configured broker (Redis when ``REDIS_URL`` is set, else the filesystem transport).
* Playwright drives the system Chromium (``/usr/bin/chromium``); it cannot download browsers here.
"""

from __future__ import annotations

import contextlib
import os
import uuid
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told this is deliberate.  Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_configure(config):
    from django.conf import settings

    # Fast hashing: thousands of logins in the suite; real hashers are Django's own concern.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from applications.seeding import load_reference, load_seed_campaigns

    with django_db_blocker.unblock():
        load_reference()
        load_seed_campaigns()


@pytest.fixture(autouse=True)
def isolated_cache(settings, request):
    """Each test gets its own cache namespace, so counters such as the public look-up's rate limit
    never leak from one test into the next.  A key prefix rather than ``cache.clear()``: with Redis
    the cache shares its database with the Celery broker, which a flush would empty."""
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}}


@pytest.fixture
def reference(db):
    """Reference data and campaigns, reloaded if a transactional test flushed them."""
    from applications.models import Campaign
    from applications.seeding import load_reference, load_seed_campaigns, reference_loaded

    if not reference_loaded() or not Campaign.objects.filter(code="demo").exists():
        load_reference()
        load_seed_campaigns()


@pytest.fixture
def demo_campaign(reference):
    from applications.models import Campaign

    return Campaign.objects.get(code="demo")


@pytest.fixture
def private_storage(settings, tmp_path):
    """Each test writes uploads and documents into its own directory."""
    location = tmp_path / "private"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location), "base_url": settings.MEDIA_URL},
    }}
    settings.MEDIA_ROOT = location
    return location


# --- Playwright on the system Chromium ------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1280, "height": 900}}


# Reports every Content-Security-Policy violation of the page to the test (the browser also logs
# them to the console; both are collected, so neither channel's quirks can hide one).
CSP_WATCH_SCRIPT = """
document.addEventListener("securitypolicyviolation", function (e) {
  if (window.__portalCspViolation) {
    window.__portalCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                                " at " + e.sourceFile + ":" + e.lineNumber);
  }
});
"""


def watch_csp(context, found: list[str]) -> None:
    """Collect CSP violations (events, console messages, page errors) of every page of ``context``."""
    def report(source, text):
        found.append(f"{source['page'].url}: {text}")

    def on_console(message):
        if "Content Security Policy" in message.text:
            found.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def on_error(web_error):
        if "Content Security Policy" in str(web_error.error):
            found.append(f"page error: {web_error.error}")

    context.expose_binding("__portalCspViolation", report)
    context.add_init_script(CSP_WATCH_SCRIPT)
    context.on("console", on_console)
    context.on("weberror", on_error)


@pytest.fixture(autouse=True)
def csp_violations(request, monkeypatch):
    """Every browser test fails on a Content-Security-Policy violation in any of its pages: every
    context the test opens (pytest-playwright's ``page``/``context`` or ``browser.new_context``) is
    watched.  Note that ``page.wait_for_function`` must be given a function (``"() => …"``): a bare
    expression string is evaluated with ``eval``, which the policy refuses.  A context opened with
    ``bypass_csp=True`` (the axe-core scan injects its script) is
    not: the pages' own compliance is checked with the policy on."""
    found: list[str] = []
    if request.node.get_closest_marker("browser") is None:
        yield found
        return
    browser = request.getfixturevalue("browser")
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        if not kwargs.get("bypass_csp"):
            watch_csp(context, found)
        return context

    monkeypatch.setattr(browser, "new_context", new_context)
    yield found
    if found:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(found)), pytrace=False)


@pytest.fixture
def login(live_server):
    """``login(page, username, password)``: log in through the real form."""
    from applications.demo import DEMO_PASSWORD

    def _login(page, username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return _login


# --- A real Celery worker -------------------------------------------------------------------

def _worker_env() -> dict[str, str]:
    """Environment for a subprocess that must see the *test* database."""
    from django.db import connection

    env = dict(os.environ)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        user = db.get("USER") or "postgres"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    env["PYTHONPATH"] = str(ROOT)
    return env


@contextlib.contextmanager
def start_celery_worker(*, log_path: Path, pool: str = "solo", args: tuple[str, ...] = (),
                        env: dict[str, str] | None = None, wait_ready: bool = True, timeout: float = 90):
    """Run ``celery -A portal worker`` on the test database until the block ends; yields the Popen
    with ``log_path`` set.  The queue is purged first, so messages left by earlier tests are gone."""
    from portal.celery import app

    app.control.purge()
    environment = {**_worker_env(), **(env or {})}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", f"--pool={pool}", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", *args],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        proc.log_path = log_path
        try:
            deadline = time.monotonic() + timeout
            while wait_ready and "ready." not in log_path.read_text():
                if proc.poll() is not None:
                    raise RuntimeError("celery worker exited early:\n" + log_path.read_text())
                if time.monotonic() > deadline:
                    raise RuntimeError("celery worker did not become ready:\n" + log_path.read_text())
                time.sleep(0.2)
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A solo-pool ``celery worker`` on the test database; the test must commit what the worker
    reads (hence ``transactional_db``)."""
    log_path = Path(settings.DATA_DIR) / f"test-worker-{os.getpid()}.log"
    with start_celery_worker(log_path=log_path) as proc:
        yield proc


@pytest.fixture(scope="session")
def base_url(live_server):
    """Browser pages resolve relative addresses against the live server (``page.goto("/me/")``)."""
    return live_server.url
