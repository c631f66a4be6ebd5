"""The 48-hour clock, run by the real thing: a Celery worker with its beat scheduler abandons a
return whose deadline has passed, and the applicant is told in the portal and by e-mail."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from django.utils import timezone

from applications.samples import fill_sample_application
from applications.states import State
from review.models import Notification
from review.services import application_transition
from tests.conftest import start_celery_worker
from tests.factories import ApplicationFactory, UnitOfficerFactory

pytestmark = pytest.mark.worker


@pytest.fixture
def worker_with_beat(transactional_db, settings, tmp_path):
    """``celery worker -B`` on the test database, beat looking for expired returns every second,
    mail written by Django's file backend into ``tmp_path/mail``."""
    env = {"PORTAL_EXPIRE_RETURNS_EVERY": "1", "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "EMAIL_FILE_PATH": str(tmp_path / "mail")}
    with start_celery_worker(log_path=tmp_path / "worker.log", args=("-B", "--schedule", str(tmp_path / "beat")),
                             env=env, wait_ready=False) as proc:
        proc.mail_dir = tmp_path / "mail"
        yield proc


def test_beat_abandons_an_expired_return_and_tells_the_applicant(reference, private_storage, worker_with_beat):
    app = fill_sample_application(ApplicationFactory())
    app.applicant.email = "applicant@example.invalid"
    app.applicant.save(update_fields=["email"])
    officer = UnitOfficerFactory(unit=app.unit)
    # The return happened 49 hours ago: the 48-hour clock has run out.
    then = timezone.now() - dt.timedelta(hours=49)
    application_transition(application_id=app.pk, action="submit", actor=app.applicant, now=then)
    application_transition(application_id=app.pk, action="return", actor=officer, comment="年度考核表不清晰", now=then)
    # A return still inside its 48 hours is left alone.
    fresh = fill_sample_application(ApplicationFactory(unit=app.unit))
    application_transition(application_id=fresh.pk, action="submit", actor=fresh.applicant)
    application_transition(application_id=fresh.pk, action="return", actor=officer, comment="请补充")

    # The state commits first; the notification and the mail follow on commit, so wait for both.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        told = Notification.objects.filter(user=app.applicant, title__contains="视为放弃申报").exists()
        if (told and any(Path(worker_with_beat.mail_dir).glob("*.log"))) or worker_with_beat.poll() is not None:
            break
        time.sleep(0.5)
    app.refresh_from_db()
    log = Path(worker_with_beat.log_path).read_text()
    assert app.state == State.ABANDONED, log
    assert "review.expire_returns" in log  # sent by beat, run by the worker
    change = app.history.last()
    assert (change.action, change.actor_id, change.actor_role) == ("abandon", None, "system")
    notice = Notification.objects.get(user=app.applicant, change=change)
    assert "视为放弃申报" in notice.title
    mails = "".join(p.read_text() for p in Path(worker_with_beat.mail_dir).glob("*.log"))
    assert "applicant@example.invalid" in mails
    fresh.refresh_from_db()
    assert fresh.state == State.RETURNED
