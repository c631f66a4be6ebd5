"""Shared fixtures.

* Reference data and the six campaigns are loaded once into the test database; transactional
  tests (browser, worker) flush the database, so fixtures that need the data ask for
  ``reference`` which reloads it when missing.
* ``celery_worker_process`` starts a real ``celery worker`` subprocess against the test database
  and the configured broker (Redis when ``REDIS_URL`` is set, else the filesystem transport).
* Playwright drives the system Chromium (``/usr/bin/chromium``); it cannot download browsers here.
* ``PORTAL_TEST_TODAY=YYYY-MM-DD`` runs the whole suite with the clock at that day, 10:00 Beijing
  time, ticking (time-machine, started before the test database is set up, so the demo campaign's
  windows are computed from that day too).  The live server runs in this process and shares the
  clock; the subprocesses the tests start (Celery workers, ``manage.py`` commands) are started
  through ``tests/clocked.py`` with the current instant (``clocked_command``, ``subprocess_env``).
  No test reads the real today for a business date: tests that need a particular day travel there
  themselves (nested travels restore this clock).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client

from applications.demo import DEMO_PASSWORD
from applications.models import Campaign
from applications.seeding import load_reference, load_seed_campaigns, reference_loaded
from portal.celery import app as celery_app

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told this is deliberate.  Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TEST_TODAY = os.environ.get("PORTAL_TEST_TODAY", "")


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("PORTAL_PARALLEL_ISOLATED") != worker:
        pytest.exit("a parallel run (-n) needs -p tests.parallel, which gives each process its own Redis "
                    "database and data folder (portal/scripts/test.sh passes it)", returncode=4)
    # Fast hashing: thousands of logins in the suite; real hashers are Django's own concern.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TEST_TODAY:
        start = dt.datetime.combine(dt.date.fromisoformat(TEST_TODAY), dt.time(10), ZoneInfo("Asia/Shanghai"))
        config.portal_clock = time_machine.travel(start, tick=True)
        config.portal_clock.start()


# The slowest tests (over 20 s each, ``--durations``), slowest first.  In a parallel run
# (portal/scripts/test.sh, pytest-xdist) they are moved to the front of their part of the run, so
# that the two processes share them instead of one process running the last of them alone while
# the other has finished.
SLOWEST_FIRST = (
    "tests/portal/test_run_script.py::",
    "tests/browser/test_accessibility.py::",
    "tests/deploy/test_topology.py::",
    "tests/review/test_leak_audit.py::",
    "tests/deploy/test_upgrade.py::",
    "tests/browser/test_demo_walk.py::",
    "tests/browser/test_meeting.py::",
    "tests/aftercare/test_demo.py::",
    "tests/deploy/test_backup.py::",
    "tests/meeting/test_demo.py::",
    "tests/applications/test_edit_lock.py::test_autosave_raced_with_submit",
    "tests/review/test_pages.py::test_demo_has_every_state",
    "tests/documents/test_paginate.py::test_long_roster",
)


def _django_part(item) -> int:
    """pytest-django's order (its ``pytest_collection_modifyitems``): 0 tests on the database in a
    transaction, 1 transactional ones (they flush the database), 2 tests without the database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    if transactional or "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """After pytest-django has ordered the tests by their use of the database, move the slowest to
    the front of their part (only within it: a test on the database in a transaction must not run
    after a transactional test has flushed the reference data).  Left as it is if the parts are not
    where expected."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    parts = [_django_part(item) for item in items]
    if parts != sorted(parts):
        return

    def rank(item) -> int:
        return next((i for i, prefix in enumerate(SLOWEST_FIRST) if item.nodeid.startswith(prefix)),
                    len(SLOWEST_FIRST))

    order = {id(item): (part, rank(item), index) for index, (item, part) in enumerate(zip(items, parts))}
    items.sort(key=lambda item: order[id(item)])


def pytest_unconfigure(config):
    clock = getattr(config, "portal_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    if TEST_TODAY:
        return f"clock: every test runs on {TEST_TODAY} from 10:00 Asia/Shanghai, ticking (PORTAL_TEST_TODAY)"
    return "clock: real (set PORTAL_TEST_TODAY=YYYY-MM-DD to run the suite on another day)"


def clocked_command(*args: str) -> list[str]:
    """``python -m tests.clocked …``: a subprocess on the run's clock (see the module docstring)."""
    return [sys.executable, "-m", "tests.clocked", *args]


# --- The staff second factor in tests ----------------------------------------------------------
# Staff pages need a session verified by a second factor (portal/accounts/middleware.py).  Tests
# that are not about it log staff in with ``client.force_login(officer)``; the autouse fixture
# below makes that log in *and* verify, with a confirmed TOTP device created on demand.  Tests of
# the second factor itself use ``raw_client``, whose ``force_login`` is Django's own.
_DJANGO_FORCE_LOGIN = Client.force_login


def staff_totp_device(user):
    """The user's confirmed TOTP device (created if missing); its replay guard is cleared so that a
    test may log the same user in twice within one 30-second step."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    return device



def _force_login_with_second_factor(self, user, backend=None):
    from django_otp import DEVICE_ID_SESSION_KEY

    from portal.accounts.otp import needs_second_factor

    _DJANGO_FORCE_LOGIN(self, user, backend)
    if needs_second_factor(user):
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = staff_totp_device(user).persistent_id
        session.save()


@pytest.fixture(autouse=True)
def staff_second_factor_shim(monkeypatch):
    monkeypatch.setattr(Client, "force_login", _force_login_with_second_factor)


@pytest.fixture
def raw_client():
    """A test client whose ``force_login`` does not pass the second factor."""
    client = Client()
    client.force_login = _DJANGO_FORCE_LOGIN.__get__(client)
    return client


def current_totp(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):

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

    if not reference_loaded() or not Campaign.objects.filter(code="demo").exists():
        load_reference()
        load_seed_campaigns()


@pytest.fixture
def demo_campaign(reference):

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

    def _login(page, username: str, password: str = DEMO_PASSWORD):
        from portal.accounts.models import User
        from portal.accounts.otp import needs_second_factor

        user = User.objects.filter(username=username).first()
        device = staff_totp_device(user) if user is not None and needs_second_factor(user) else None
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        # Each step waits for the page the form leads to (its load event), not for half a second
        # of network silence: a login is done once its answer page has loaded.
        with page.expect_navigation():
            page.click("form button[type=submit]")
        if device is not None and page.locator("form[data-testid=otp-verify]").count():
            # The second step of a staff login: the code the user's authenticator shows now.
            page.fill("input[name=token]", current_totp(device))
            with page.expect_navigation():
                page.click("form[data-testid=otp-verify] button[type=submit]")
        return page

    return _login


# --- A real Celery worker -------------------------------------------------------------------

def _worker_env() -> dict[str, str]:
    """Environment for a subprocess that must see the *test* database (and the run's clock)."""

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
    if TEST_TODAY:
        env["PORTAL_TEST_NOW"] = repr(time.time())  # the travelled instant: the subprocess ticks on from it
    return env


@contextlib.contextmanager
def start_celery_worker(*, log_path: Path, pool: str = "solo", args: tuple[str, ...] = (),
                        env: dict[str, str] | None = None, wait_ready: bool = True, timeout: float = 90):
    """Run ``celery -A portal worker`` on the test database until the block ends; yields the Popen
    with ``log_path`` set.  The queue is purged first, so messages left by earlier tests are gone."""

    celery_app.control.purge()
    environment = {**_worker_env(), **(env or {})}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [*clocked_command("celery", "-A", "portal", "worker"), f"--pool={pool}", "--loglevel=INFO",
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
