"""Faults lose nothing (issue 14), against real processes: the test starts its own
``redis-server`` on a free port (and stops only that process), gunicorn, a Celery worker (prefork)
and beat on the test database, then

* runs a burst of mixed actions (submissions, approvals, uploads, exports, review forms,
  pre-filled templates, certificate look-ups and checks) while Redis is stopped and started again
  five times and the worker is killed (SIGKILL, its whole process group) twice mid-render, and
  asserts: no response 500, no request over 5 s, every document and OCR result complete after
  recovery, every outbox row done, no duplicate document;
* breaks SMTP: the mail task is retried, then recorded as a dead letter, and 「重新发送」 sends it
  once the mail server works;
* checks that ``/readyz`` answers 503 naming the broker while Redis is down, 200 after.

Marked ``faults`` (``-m faults``); part of the default run.  Needs ``redis-server`` and
PostgreSQL (SQLite serialises writers, which is not the deployment): skipped otherwise.
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Attachment, Campaign
from applications.samples import fill_sample_application, sample_scan
from applications.states import State
from portal import dispatch
from portal.dispatch.models import OPEN_STATUSES, Outbox, OutboxStatus
from review.demo import publicity_dates, publicity_files
from review.documents.models import Document, DocumentStatus
from review.models import Notification
from review.services import application_transition, publicity_scans_attach
from tests.conftest import ROOT, _force_login_with_second_factor, _worker_env, clocked_command
from tests.factories import (
    ApplicationFactory,
    ClerkFactory,
    CountyOfficerFactory,
    UnitFactory,
    UnitOfficerFactory,
)

REDIS_SERVER = shutil.which("redis-server")
pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (apt-get install redis-server)"),
]

SLOW = 5.0  # no request may take longer (seconds)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(predicate, timeout: float, message: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message() if callable(message) else message)


class RedisServer:
    """Our own redis-server (no persistence: a restart loses every queued message, the worst case)."""

    def __init__(self, workdir: Path):
        self.port, self.workdir, self.proc = free_port(), workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: answers(self.port), 10, "redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # only this PID: ours
            self.proc.wait(timeout=10)
        self.proc = None


class Process:
    """A subprocess in its own process group (killed as a group), output to a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log: Path):
        self.name, self.args, self.env, self.log, self.proc = name, args, env, log, None

    def start(self) -> None:
        handle = open(self.log, "a")  # noqa: SIM115 - kept open by the child
        env = dict(self.env)
        if "PORTAL_TEST_NOW" in env:  # a frozen run: a process (re)started now starts at the run's now
            env["PORTAL_TEST_NOW"] = repr(time.time())
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        handle.close()

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # what is left of the group (pool children)
            self.proc.wait()
        self.proc = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def collect_static(root: Path, env: dict) -> None:
    """DEBUG off, as deployed, needs the hashed static files (the image build's collectstatic):
    made once, again only when a file under static/ is newer."""
    manifest = root / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


@pytest.fixture(scope="module")
def processes(django_db_setup, django_db_blocker):
    """Own Redis, gunicorn, worker and beat on the test database, for the module (both tests);
    yields a namespace.  Their logs stay in ``DATA_DIR/faults/last-run/`` after the run."""
    from django.conf import settings

    if connection.vendor != "postgresql":
        pytest.skip("the fault tests need PostgreSQL (DATABASE_URL): SQLite serialises writers")
    tmp_path = Path(settings.DATA_DIR) / "faults" / "last-run"
    shutil.rmtree(tmp_path, ignore_errors=True)
    tmp_path.mkdir(parents=True)
    redis = RedisServer(tmp_path)
    redis.start()
    web_port = free_port()
    env = {
        **_worker_env(), "REDIS_URL": redis.url, "DJANGO_DEBUG": "0", "DJANGO_SECURE": "0",
        # The test's own key: the sessions it makes for the logins are read by gunicorn.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_STATIC_ROOT": str(tmp_path.parent / "static"),
        "PORTAL_DATA_DIR": str(settings.DATA_DIR), "LOG_FORMAT": "plain",
        # Short deadlines, so that recovery fits in the test's time (production: README).
        "PORTAL_OUTBOX_SWEEP_SECONDS": "2", "PORTAL_OUTBOX_QUEUED_SECONDS": "5", "PORTAL_OUTBOX_QUEUED_MAX": "10",
        "PORTAL_OUTBOX_PUBLISH_GRACE": "2", "PORTAL_OUTBOX_RUNNING_GRACE": "5", "PORTAL_TASK_TIME_LIMIT": "20",
        "PORTAL_TASK_SOFT_TIME_LIMIT": "15", "PORTAL_OUTBOX_MAX_PUBLICATIONS": "50",
        "PORTAL_BEAT_HEARTBEAT": str(tmp_path / "beat-heartbeat"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    collect_static(tmp_path.parent / "static", env)
    web = Process("web", clocked_command("gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{web_port}", "--workers", "2",
                                         "--threads", "4", "--timeout", "60"), env, tmp_path / "web.log")
    worker = Process("worker", clocked_command(
        "celery", "-A", "portal", "worker", "--pool=prefork", "--concurrency=2", "--max-tasks-per-child=20",
        "-n", "faults@%h", "--without-gossip", "--without-mingle", "--loglevel=INFO"), env, tmp_path / "worker.log")
    beat = Process("beat", clocked_command("celery", "-A", "portal", "beat", "-s", str(tmp_path / "beat-schedule"),
                                           "--loglevel=INFO"), env, tmp_path / "beat.log")
    ns = type("Stack", (), {})()
    ns.redis, ns.web, ns.worker, ns.beat, ns.env, ns.tmp = redis, web, worker, beat, env, tmp_path
    ns.base = f"http://127.0.0.1:{web_port}"
    try:
        for process in (web, worker, beat):
            process.start()
        wait_until(lambda: answers(web_port), 60, web.tail)
        wait_until(lambda: "ready." in worker.tail(), 90, worker.tail)
        yield ns
    finally:
        for process in (beat, worker, web):
            process.kill(signal.SIGKILL)  # nothing to keep: the test database is flushed after
        redis.stop()


@pytest.fixture
def stack(processes, transactional_db, reference, monkeypatch):
    # The set-up's own on-commit publications would go to the suite's broker: keep them in the
    # outbox, where the sweep of this module's beat finds them.
    monkeypatch.setattr(dispatch, "publish", lambda pk: False)
    if processes.worker.proc is None or processes.worker.proc.poll() is not None:
        processes.worker.start()
    return processes


def session_for(stack, user=None) -> requests.Session:
    """A requests session logged in as ``user`` (staff with the second factor passed)."""
    http = requests.Session()
    token = secrets.token_hex(16)
    http.cookies.set("csrftoken", token, domain="127.0.0.1")
    http.headers.update({"X-CSRFToken": token, "Referer": stack.base + "/"})
    if user is not None:
        client = Client()
        _force_login_with_second_factor(client, user)
        http.cookies.set("sessionid", client.cookies["sessionid"].value, domain="127.0.0.1")
    return http


def to_committee(app, unit_officer, county_officer):
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    publicity_scans_attach(application=app, files=publicity_files(app.unit.name, app.applicant.real_name),
                           actor=unit_officer)
    application_transition(application_id=app.pk, action="approve", actor=unit_officer,
                           data={"publicity": publicity_dates(app.campaign, timezone.localdate())})
    application_transition(application_id=app.pk, action="approve", actor=county_officer)
    app.refresh_from_db()
    return app


def test_a_burst_of_actions_survives_redis_restarts_and_worker_kills(stack):
    setup_began = time.monotonic()
    unit = UnitFactory(name="巴州故障演练单位")
    officer, clerk = UnitOfficerFactory(unit=unit), ClerkFactory()
    county = CountyOfficerFactory(county=unit.county) if not unit.competent_unit else CountyOfficerFactory(
        competent_unit=unit.competent_unit, county=None)
    filled = [fill_sample_application(ApplicationFactory(unit=unit)) for _ in range(8)]
    drafts, at_committee = filled[:3], [to_committee(a, officer, county) for a in filled[3:]]
    accepted = at_committee[:2]
    for app in accepted:  # accepted before the burst: their review forms render while faults happen
        application_transition(application_id=app.pk, action="approve", actor=clerk)
    at_committee = at_committee[2:]
    uploaders = [ApplicationFactory(unit=unit) for _ in range(5)]
    campaign = Campaign.objects.get(pk=filled[0].campaign_id)
    Outbox.objects.filter(status__in=OPEN_STATUSES).update(due_at=timezone.now())  # the sweep sends them

    http = {"anon": session_for(stack), "officer": session_for(stack, officer), "clerk": session_for(stack, clerk)}
    applicants = {a.pk: session_for(stack, a.applicant) for a in filled + uploaders}
    base = stack.base

    def submit(app):
        return applicants[app.pk].post(base + reverse("applications:submit", args=[app.code]), {"state": State.DRAFT},
                                       allow_redirects=False, timeout=15)

    def approve(app):
        return http["clerk"].post(base + reverse("review:act", args=[app.pk, "approve"]),
                                  {"expected_state": app.state}, allow_redirects=False, timeout=15)

    def upload(app):
        scan = sample_scan("毕业证书", app.applicant.real_name, lines=(f"身份证号：{app.applicant.id_number}",))
        return applicants[app.pk].post(base + reverse("applications:upload", args=[app.code]),
                                       {"slot": "diploma", "section": "education"},
                                       files={"file": ("scan.jpg", scan, "image/jpeg")},
                                       headers={"X-Requested-With": "XMLHttpRequest"}, timeout=15)

    def export(kind):
        return http["officer"].post(base + reverse("documents:export_create"), {"kind": kind, "campaign": campaign.pk},
                                    allow_redirects=False, timeout=15)

    def review_form(app):
        return http["clerk"].post(base + reverse("documents:review_form_generate", args=[app.pk]),
                                  allow_redirects=False, timeout=15)

    def prefilled(app):
        return applicants[app.pk].get(base + reverse("documents:prefilled", args=[app.pk, "publicity"]),
                                      allow_redirects=False, timeout=15)

    def lookup(n):
        return http["anon"].post(base + reverse("aftercare:certificate_lookup"),
                                 {"id_number": filled[n % len(filled)].applicant.id_number, "name": "某某"}, timeout=15)

    def verify(n):
        return http["anon"].get(base + reverse("aftercare:certificate_verify"), params={"number": f"BZ2026-001-{n:05d}"},
                                timeout=15)

    def page(n):
        return http["officer"].get(base + reverse("review:queue"), timeout=15)

    actions = ([("submit", submit, a) for a in drafts] + [("approve", approve, a) for a in at_committee]
               + [("upload", upload, a) for a in uploaders]
               + [("export", export, k) for k in ("roster_xlsx", "roster_pdf", "fee_list_xlsx") * 3]
               + [("review_form", review_form, a) for a in accepted * 2]
               + [("prefilled", prefilled, a) for a in drafts[:3]]
               + [("lookup", lookup, n) for n in range(8)] + [("verify", verify, n) for n in range(6)]
               + [("page", page, n) for n in range(9)])
    random.Random(14).shuffle(actions)
    assert len(actions) == 50, len(actions)

    results = []

    def timed(label, action, arg):
        time.sleep(random.uniform(0, 0.3))
        began = time.monotonic()
        try:
            response = action(arg)
            status, body = response.status_code, response.text[:300]
        except Exception as exc:  # noqa: BLE001 - a timeout or a dropped connection counts as a failure
            status, body = 599, repr(exc)
        results.append((label, status, time.monotonic() - began, body))

    def chaos():
        """Five Redis stops/starts; the worker killed (SIGKILL, whole group) after the 2nd and 4th."""
        try:
            for cycle in range(5):
                time.sleep(2.0)
                stack.redis.stop()
                time.sleep(2.5)
                stack.redis.start()
                if cycle in (1, 3):
                    # Mid-render if a render is under way within 5 s; killed anyway after that.
                    with contextlib.suppress(AssertionError):
                        wait_until(lambda: Document.objects.filter(status=DocumentStatus.RENDERING).exists(), 5, "",
                                   interval=0.05)
                    stack.worker.kill(signal.SIGKILL)
                    stack.worker.start()
        finally:
            connection.close()  # this thread's own database connection (else the test database stays in use)

    began = time.monotonic()
    chaos_thread = threading.Thread(target=chaos)
    chaos_thread.start()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for label, action, arg in actions:
            pool.submit(timed, label, action, arg)
            time.sleep(0.35)  # spread over the faults
    chaos_thread.join()
    burst = time.monotonic() - began

    errors = [r for r in results if r[1] >= 500 and r[1] != 503 or r[1] == 599]
    assert len(results) == 50
    assert not [r for r in results if r[1] == 500], errors
    assert not errors, errors
    slow = [r[:3] for r in results if r[2] > SLOW]
    assert not slow, slow
    assert {r[1] for r in results} <= {200, 302, 429, 503}, [r[:3] for r in results]
    # Only the rate-limited public pages may answer 503 ("稍后再试") while the cache is down.
    assert {r[0] for r in results if r[1] == 503} <= {"lookup", "verify"}, results

    def settled():
        return (not Outbox.objects.filter(status__in=OPEN_STATUSES).exists()
                and not Document.objects.exclude(status=DocumentStatus.READY).exists()
                and not Attachment.objects.filter(ocr_status="pending").exists())

    def state():
        return (f"outbox: {list(Outbox.objects.values_list('status').annotate(n=Count('pk')))}; documents: "
                f"{list(Document.objects.values_list('kind', 'status'))}; OCR pending: "
                f"{Attachment.objects.filter(ocr_status='pending').count()}\nworker:\n{stack.worker.tail()}"
                f"\nbeat:\n{stack.beat.tail()[-1500:]}")

    wait_until(settled, 120, state, interval=1)
    recovery = time.monotonic() - began - burst
    assert not Outbox.objects.filter(status=OutboxStatus.DEAD).exists(), state()
    # Every asked-for document exists once: one row per version of a series, one current file.
    assert not Document.objects.values("series_key", "version").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Document.objects.filter(is_current=True).values("series_key").annotate(n=Count("pk")).filter(n__gt=1)
    for app in accepted + [a for a in at_committee]:
        assert Document.objects.filter(application=app, kind="review_form", status=DocumentStatus.READY).count() == 1
    uploaded = Attachment.objects.filter(application__in=uploaders)
    assert uploaded.count() == sum(1 for r in results if r[0] == "upload" and r[1] == 200)
    assert not uploaded.exclude(ocr_status__in=("done", "unavailable")).exists()
    notifications = Notification.objects.exclude(user__email="")
    assert not notifications.filter(emailed=False).exists()
    print(f"\nfaults: set-up {began - setup_began:.1f} s; 50 actions in {burst:.1f} s, recovered {recovery:.1f} s later; slowest request "
          f"{max(r[2] for r in results):.2f} s ({max(results, key=lambda r: r[2])[0]}); statuses {sorted({r[1] for r in results})}; "
          f"outbox rows {Outbox.objects.count()}, published more than once "
          f"{Outbox.objects.filter(publications__gt=1).count()}")


def test_readiness_names_the_broker_and_broken_smtp_ends_in_a_dead_letter_that_resend_delivers(stack):
    from django.contrib.auth import get_user_model

    from portal.accounts.tasks import send_mail_task
    from portal.dispatch import enqueue_on_commit

    # Readiness: 503 naming the broker while Redis is down, 200 once it is back (and the worker's
    # heartbeat written again).
    def ready():
        return requests.get(stack.base + "/readyz", timeout=5)

    wait_until(lambda: ready().status_code == 200, 30, lambda: ready().text)
    stack.redis.stop()
    down = ready()
    assert down.status_code == 503 and "broker" in down.json()["failed"], down.text
    assert requests.get(stack.base + "/healthz", timeout=5).status_code == 200  # liveness stays cheap
    stack.redis.start()
    wait_until(lambda: ready().status_code == 200, 30, lambda: ready().text)

    # SMTP broken: nothing listens on the mail port.  Retried with back-off, then a dead letter.
    stack.worker.kill(signal.SIGTERM)
    broken = Process("worker", stack.worker.args, {
        **stack.env, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()), "PORTAL_MAIL_RETRY_BACKOFF": "1", "PORTAL_MAIL_MAX_RETRIES": "2",
    }, stack.tmp / "worker-smtp.log")
    broken.start()
    try:
        enqueue_on_commit(send_mail_task, subject="重置密码链接（故障演练）", body="…", recipients=["someone@example.com"])
        Outbox.objects.update(due_at=timezone.now())  # the sweep of the test's beat publishes it
        row = Outbox.objects.get(task="accounts.send_mail")
        wait_until(lambda: Outbox.objects.get(pk=row.pk).status == OutboxStatus.DEAD, 60, broken.tail, interval=0.5)
        row.refresh_from_db()
        assert row.runs == 3 and "Connection refused" in row.error, (row.runs, row.error)
    finally:
        broken.kill(signal.SIGTERM)

    # The mail server works again; an administrator sends the dead letter again from the admin.
    stack.worker.start()
    admin = get_user_model().objects.create_superuser("faults-admin", "admin@example.com", "x")
    page = session_for(stack, admin).post(stack.base + "/admin/dispatch/outbox/",
                                          {"action": "resend_selected", "_selected_action": [row.pk]}, timeout=10)
    assert page.status_code == 200 and "已重新发送 1 个任务" in page.text, page.text[:500]
    wait_until(lambda: Outbox.objects.get(pk=row.pk).status == OutboxStatus.DONE, 60, stack.worker.tail,
               interval=0.5)
    sent = list((stack.tmp / "mail").glob("*.log"))
    assert len(sent) == 1 and "someone@example.com" in sent[0].read_text()
