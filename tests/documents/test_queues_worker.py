"""Queues by kind of work (issue 16): one real Celery worker per queue, as compose runs them.  A
small XLSX export asked for while two roster PDFs are rendering is ready within 5 seconds: the
PDFs go to ``bulk``, the spreadsheet to ``interactive``, so it never waits behind them."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

import pytest
from django.conf import settings

from applications.models import Campaign
from review.documents.models import Document, DocumentKind, DocumentStatus, ScopeKind
from review.documents.scope import ExportScope
from review.documents.services import export_request
from tests.conftest import start_celery_worker
from tests.factories import UnitFactory, UnitOfficerFactory

from .conftest import wait_for
from .test_exports import bulk_accepted

pytestmark = pytest.mark.worker


def _scope(unit) -> ExportScope:
    return ExportScope(ScopeKind.UNIT, unit.pk, unit.name)


def test_a_small_export_does_not_wait_behind_two_roster_pdfs(transactional_db, reference, private_storage,
                                                               remove_worker_files):
    campaign = Campaign.objects.get(code="demo")
    big = [UnitFactory(name=f"巴州队列测试大单位{i}") for i in range(2)]
    for unit in big:
        bulk_accepted(200, unit=unit)  # a roster PDF of several seconds each (ID numbers: < 500 a test)
    small = UnitFactory(name="巴州队列测试小单位")
    bulk_accepted(3, unit=small)
    logs = Path(settings.DATA_DIR)
    default = settings.CELERY_TASK_DEFAULT_QUEUE
    with contextlib.ExitStack() as stack:
        bulk = stack.enter_context(start_celery_worker(
            log_path=logs / "test-queue-bulk.log", args=("-Q", "bulk", "-n", "bulk@%h")))
        interactive = stack.enter_context(start_celery_worker(
            log_path=logs / "test-queue-interactive.log", args=("-Q", f"interactive,{default}",
                                                                 "-n", "interactive@%h")))
        pdfs = [export_request(user=UnitOfficerFactory(unit=unit), scope=_scope(unit), campaign=campaign,
                               kind=DocumentKind.ROSTER_PDF) for unit in big]
        # The bulk worker is busy with the first PDF, the second waits behind it.
        wait_for(lambda: Document.objects.filter(pk=pdfs[0].pk, status=DocumentStatus.RENDERING).exists(),
                 timeout=60, interval=0.05, message=bulk.log_path.read_text())
        asked = time.monotonic()
        xlsx = export_request(user=UnitOfficerFactory(unit=small), scope=_scope(small), campaign=campaign,
                              kind=DocumentKind.ROSTER_XLSX)
        ready = wait_for(lambda: Document.objects.filter(pk=xlsx.pk, status=DocumentStatus.READY).first(),
                         timeout=30, interval=0.05, message=interactive.log_path.read_text())
        waited = time.monotonic() - asked
        pending_pdfs = Document.objects.filter(pk__in=[d.pk for d in pdfs]).exclude(status=DocumentStatus.READY)
        behind = pending_pdfs.count()
        for document in pdfs:  # let the PDFs finish before the workers stop
            wait_for(lambda d=document: Document.objects.filter(pk=d.pk, status=DocumentStatus.READY).exists(),
                     timeout=240, interval=0.2, message=bulk.log_path.read_text())
        bulk_log, interactive_log = bulk.log_path.read_text(), interactive.log_path.read_text()
    assert ready.file and waited < 5, (waited, interactive_log)
    assert behind >= 1  # the spreadsheet overtook at least one PDF
    # Each worker did only its own kind of work: the two PDFs on bulk, the spreadsheet on interactive.
    received = re.compile(r"Task documents\.render_document\[[^]]*\] received")
    assert len(received.findall(bulk_log)) == 2 and len(received.findall(interactive_log)) == 1, (bulk_log, interactive_log)
    print(f"small export ready {waited:.2f} s after it was asked for, {behind} roster PDF(s) still behind it")
