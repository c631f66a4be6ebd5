"""Fixtures for the documents tests: applications that went through the real chain (the one
door) to ``accepted``, and helpers that read PDFs and workbooks back."""

from __future__ import annotations

import io
import os
import re
import subprocess
import time
from pathlib import Path

import openpyxl
import pypdf
import pytest
from django.utils import timezone

from applications.models import Attachment
from applications.samples import fill_sample_application
from applications.states import State
from review.demo import publicity_dates, publicity_files
from review.documents.models import Document
from review.services import application_transition, publicity_scans_attach
from tests.conftest import start_celery_worker
from tests.factories import ApplicationFactory, ClerkFactory, CountyOfficerFactory, UnitOfficerFactory

A4_PORTRAIT = (595, 842)
A4_LANDSCAPE = (842, 595)


def climb_to_accepted(app, *, unit_officer=None, county_officer=None, clerk=None, unit_data=None):
    """Submit and approve through every step of the demo chain, as the real officers
    (``unit_data``: what the unit's approval records, e.g. the publicity period)."""
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    unit_officer = unit_officer or UnitOfficerFactory(unit=app.unit)
    if county_officer is None:
        # The second step belongs to the unit's competent department when it has one.
        competent = app.unit.competent_unit
        county_officer = (CountyOfficerFactory(competent_unit=competent, county=None) if competent
                          else CountyOfficerFactory(county=app.unit.county))
    clerk = clerk or ClerkFactory()
    # The unit approves with its publicity: scans uploaded and the period recorded (``unit_data``
    # may give the period as publicity_start/publicity_end ISO dates; default: one ending today).
    publicity_scans_attach(application=app, files=publicity_files(app.unit.name, app.applicant.real_name),
                           actor=unit_officer)
    period = (({"start": unit_data["publicity_start"], "end": unit_data["publicity_end"]}) if unit_data
              else publicity_dates(app.campaign, timezone.localdate()))
    application_transition(application_id=app.pk, action="approve", actor=unit_officer,
                           data={"publicity": period})
    for actor in (county_officer, clerk):
        application_transition(application_id=app.pk, action="approve", actor=actor)
    app.refresh_from_db()
    assert app.state == State.ACCEPTED
    return app


@pytest.fixture
def accepted_app(reference, private_storage):
    return climb_to_accepted(fill_sample_application(ApplicationFactory()))


def pdf_reader(content: bytes):
    return pypdf.PdfReader(io.BytesIO(content))


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pdf_reader(content).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_sizes(content: bytes) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf_reader(content).pages]


def pdftotext(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdffonts(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


@pytest.fixture
def remove_worker_files(transactional_db):
    """Worker tests share the worker's storage (``DATA_DIR/private``): remove what they wrote."""
    yield

    for document in Document.objects.exclude(file=""):
        document.file.storage.delete(document.file.name)
    for attachment in Attachment.objects.all():
        for field in (attachment.file, attachment.masked, attachment.thumbnail):
            if field:
                field.storage.delete(field.name)


# --- a prefork worker, whose pool child can be killed mid-task --------------------------------

@pytest.fixture
def prefork_worker(transactional_db, settings):
    """``celery worker --pool=prefork --concurrency=1``: killing its child mid-task is the crash
    ``acks_late`` + ``reject_on_worker_lost`` recover from (the parent re-queues the message)."""
    log_path = Path(settings.DATA_DIR) / f"test-prefork-worker-{os.getpid()}.log"
    with start_celery_worker(log_path=log_path, pool="prefork", args=("--concurrency=1",)) as proc:
        yield proc


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.1, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or "timed out")
