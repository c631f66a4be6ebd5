"""The real worker renders what the clerk issues: the certificate PDF (queued on commit by the
issue) and the results publicity list PDF (queued by the page), into the shared storage, both as
``Document`` rows like every rendered file."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from applications.models import Campaign, Level
from applications.samples import fill_sample_application
from review.aftercare.exports import publicity_list_request
from review.aftercare.models import Certificate
from review.aftercare.services import certificates_issue, decisions_record, result_publicity_set
from review.documents.models import Document, DocumentStatus
from tests.aftercare.conftest import put_accepted, results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.factories import ApplicationFactory, ClerkFactory

pytestmark = pytest.mark.worker


def _wait(predicate, proc, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate() or proc.poll() is not None:
            return
        time.sleep(0.3)


def _text(name: str) -> str:
    with default_storage.open(name, "rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages).replace(" ", "")


def test_worker_renders_the_certificate_and_the_publicity_list(reference, celery_worker_process):
    # Default storage on purpose: the worker process reads and writes the same private directory.
    campaign = Campaign.objects.get(code="demo")
    timeline = results_timeline(campaign)
    app = ApplicationFactory(level=Level.objects.get(code="junior"))
    fill_sample_application(app)
    put_accepted(app)
    clerk = ClerkFactory()
    to_fee_paid(app, clerk)
    decisions_record(application_ids=[app.pk], result="pass", meeting_date=timeline.meeting, actor=clerk)
    result_publicity_set(campaign=campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                         actor=clerk)
    certificates_issue(application_ids=[app.pk], actor=clerk)  # commits: the render is queued

    certificate = Certificate.objects.get(application=app)
    _wait(lambda: Document.objects.filter(pk=certificate.document_id, status=DocumentStatus.READY).exists(),
          celery_worker_process)
    certificate = Certificate.objects.select_related("document").get(pk=certificate.pk)
    log = Path(celery_worker_process.log_path).read_text()
    assert certificate.is_ready, log
    assert "documents.render_document" in log
    text = _text(certificate.file.name)
    assert app.applicant.real_name in text and certificate.number in text

    stored, ready = publicity_list_request(campaign=campaign)
    assert not ready
    _wait(lambda: Document.objects.filter(pk=stored.pk, status=DocumentStatus.READY).exists(), celery_worker_process)
    stored.refresh_from_db()
    assert stored.is_ready, Path(celery_worker_process.log_path).read_text()
    assert app.applicant.real_name in _text(stored.file.name)
    assert publicity_list_request(campaign=campaign)[1] is True
    for name in (certificate.file.name, stored.file.name):
        default_storage.delete(name)
    for attachment in app.attachments.all():
        for f in (attachment.file, attachment.masked, attachment.thumbnail):
            if f:
                f.delete(save=False)
