"""Through a real Celery worker (Redis broker when REDIS_URL is set, else the filesystem broker):
the review form rendered on acceptance, and a worker killed mid-render recovering to exactly one
complete document."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from django.conf import settings

from applications.models import Campaign
from applications.samples import fill_sample_application
from review.documents.models import Document, DocumentKind, DocumentStatus, ScopeKind
from review.documents.scope import ExportScope
from review.documents.services import export_request
from tests.factories import ApplicationFactory, UnitFactory, UnitOfficerFactory

from .conftest import (
    A4_LANDSCAPE,
    A4_PORTRAIT,
    climb_to_accepted,
    page_sizes,
    page_texts,
    pool_children,
    squeeze,
    wait_for,
)
from .test_exports import EXPECTED_HEADER, bulk_accepted

pytestmark = pytest.mark.worker


def test_acceptance_renders_the_review_form_in_the_worker(celery_worker_process, reference,
                                                          remove_worker_files):
    app = climb_to_accepted(fill_sample_application(ApplicationFactory()))
    # The one door called review.effects on commit, which queued the render: nothing else here.
    document = wait_for(lambda: Document.objects.filter(application=app, kind=DocumentKind.REVIEW_FORM,
                                                        status=DocumentStatus.READY).first(),
                        timeout=120, message="the worker did not render the review form:\n"
                        + celery_worker_process.log_path.read_text())
    content = document.file.read()
    assert len(page_sizes(content)) % 2 == 0 and set(page_sizes(content)) == {A4_PORTRAIT}
    texts = page_texts(content)
    assert all(app.code in squeeze(t) for t in texts)
    assert app.applicant.real_name in "".join(texts)

    officer = UnitOfficerFactory(unit=app.unit)
    roster = export_request(user=officer, scope=ExportScope(ScopeKind.UNIT, app.unit.pk, app.unit.name),
                            campaign=app.campaign, kind=DocumentKind.ROSTER_PDF)
    roster = wait_for(lambda: Document.objects.filter(pk=roster.pk, status=DocumentStatus.READY).first(),
                      timeout=60, message=celery_worker_process.log_path.read_text())
    assert set(page_sizes(roster.file.read())) == {A4_LANDSCAPE}
    log = celery_worker_process.log_path.read_text()
    # WeasyPrint and the fonts were loaded once for the worker, not per task.
    assert log.count("documents engine ready") == 1
    assert log.count("succeeded") >= 2


def test_killing_the_worker_mid_render_still_yields_one_complete_document(prefork_worker, reference,
                                                                          remove_worker_files):
    unit = UnitFactory(name="巴州天山电力有限责任公司（测试）")
    rows = 400  # a roster long enough (several seconds of layout) to be caught mid-render
    bulk_accepted(rows, unit=unit)
    officer = UnitOfficerFactory(unit=unit)
    document = export_request(user=officer, scope=ExportScope(ScopeKind.UNIT, unit.pk, unit.name),
                              campaign=Campaign.objects.get(code="demo"), kind=DocumentKind.ROSTER_PDF)

    def rendering():
        doc = Document.objects.get(pk=document.pk)
        return doc.status == DocumentStatus.RENDERING and doc.progress >= 30  # inside the PDF layout

    wait_for(rendering, timeout=90, interval=0.05, message=prefork_worker.log_path.read_text())
    children = pool_children(prefork_worker.pid)
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)  # the render dies half-way; nothing was stored yet

    done = wait_for(lambda: Document.objects.filter(pk=document.pk, status=DocumentStatus.READY).first(),
                    timeout=120, message=prefork_worker.log_path.read_text())
    log = prefork_worker.log_path.read_text()
    assert "WorkerLostError" in log or "exited prematurely" in log
    assert done.attempts == 2 and done.is_current and done.rows == rows
    assert Document.objects.filter(series_key=document.series_key).count() == 1
    content = done.file.read()
    assert set(page_sizes(content)) == {A4_LANDSCAPE} and len(page_sizes(content)) == done.pages
    texts = page_texts(content)
    assert all("".join(EXPECTED_HEADER) in squeeze(t) for t in texts)
    assert squeeze(texts[-1]).find(f"{rows}{unit.name}") >= 0  # the last row is there: a complete file
    folder = Path(settings.MEDIA_ROOT) / Path(done.file.name).parent
    assert [p.name for p in folder.iterdir() if p.name.startswith(done.checksum) or p.suffix == ".part"] == [
        Path(done.file.name).name]
