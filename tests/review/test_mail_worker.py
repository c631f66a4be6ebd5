"""Mail is sent by the worker, never by the request: a transition committed in the web process is
mailed from the ``mail`` queue; a mail server that is down is retried with back-off and never
undoes the action."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from applications.samples import fill_sample_application
from applications.states import State
from review.models import Notification
from review.services import application_transition
from tests.conftest import start_celery_worker
from tests.factories import ApplicationFactory, UnitOfficerFactory

pytestmark = pytest.mark.worker


def _wait(predicate, proc, seconds=90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate() and proc.poll() is None:
        time.sleep(0.3)


def _submitted_with_addresses():
    app = fill_sample_application(ApplicationFactory())
    app.applicant.email = "applicant@example.invalid"
    app.applicant.save(update_fields=["email"])
    UnitOfficerFactory(unit=app.unit, email="unit@example.invalid")
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)  # commits: mail queued
    return app


def test_the_worker_mails_what_the_web_process_committed(transactional_db, reference, private_storage, tmp_path):
    mail_dir = tmp_path / "mail"
    env = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(mail_dir)}
    with start_celery_worker(log_path=tmp_path / "worker.log", env=env) as proc:
        app = _submitted_with_addresses()
        _wait(lambda: Notification.objects.filter(application=app, emailed=True).count() == 2, proc)
        log = Path(proc.log_path).read_text()
    assert Notification.objects.filter(application=app, emailed=True).count() == 2, log
    assert "review.send_mail" in log
    mails = "".join(p.read_text() for p in mail_dir.glob("*.log"))
    assert "applicant@example.invalid" in mails and "unit@example.invalid" in mails


def test_a_dead_mail_server_is_retried_and_the_action_stands(transactional_db, reference, private_storage, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on: the mail server is "down"
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(port)}
    with start_celery_worker(log_path=tmp_path / "worker.log", env=env) as proc:
        app = _submitted_with_addresses()
        _wait(lambda: "Retry in" in Path(proc.log_path).read_text(), proc)
        log = Path(proc.log_path).read_text()
    assert "review.send_mail" in log and "Retry in" in log, log
    app.refresh_from_db()
    assert app.state == State.UNIT_REVIEW  # the submission stands
    assert Notification.objects.filter(application=app).count() == 2
    assert not Notification.objects.filter(application=app, emailed=True).exists()
