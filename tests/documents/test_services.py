"""Asking for, rendering and storing documents: idempotent, crash-safe, one current per series."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from applications.enums import Section
from applications.models import ApplicationSection, Campaign, StateChange
from applications.states import State
from review.documents import engine as engine_module
from review.documents.models import Document, DocumentKind, DocumentStatus, ScopeKind
from review.documents.scope import ExportScope
from review.documents.services import (
    document_render,
    export_request,
    prefilled_request,
    review_form_after_transition,
    review_form_render,
    write_atomically,
)
from tests.factories import UnitFactory, UnitOfficerFactory

from .conftest import page_texts, workbook
from .test_exports import bulk_accepted


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "documents").rglob("*") if p.is_file()) if (root / "documents").exists() else []


@pytest.fixture
def unit_with_apps(reference, private_storage):
    unit = UnitFactory()
    bulk_accepted(4, unit=unit)
    return unit


def test_export_request_queues_once_and_renders_idempotently(unit_with_apps, private_storage,
                                                             django_capture_on_commit_callbacks):
    officer = UnitOfficerFactory(unit=unit_with_apps)
    scope = ExportScope(ScopeKind.UNIT, unit_with_apps.pk, unit_with_apps.name)
    campaign = Campaign.objects.get(code="demo")
    with django_capture_on_commit_callbacks() as callbacks:
        first = export_request(user=officer, scope=scope, campaign=campaign, kind=DocumentKind.ROSTER_XLSX)
        again = export_request(user=officer, scope=scope, campaign=campaign, kind=DocumentKind.ROSTER_XLSX)
    assert again.pk == first.pk and first.status == DocumentStatus.PENDING
    assert len(callbacks) == 1  # a second click while pending queues nothing more
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)), \
            django_capture_on_commit_callbacks() as callbacks:
        stuck = export_request(user=officer, scope=scope, campaign=campaign, kind=DocumentKind.ROSTER_XLSX)
    # Asked again a minute later, still pending (its message lost?): the same row, published again.
    assert stuck.pk == first.pk and [(c.task_name, c.task_kwargs) for c in callbacks] == [
        ("documents.render_document", {"document_id": first.pk})]

    done = document_render(document_id=first.pk)
    assert done.status == DocumentStatus.READY and done.is_current and done.rows == 4
    assert done.filename == f"申报人员花名册_{campaign.year}_{unit_with_apps.name}.xlsx"
    rerun = document_render(document_id=first.pk)
    assert rerun.pk == done.pk and rerun.checksum == done.checksum and rerun.attempts == 1
    files = stored_files(private_storage)
    assert len(files) == 1 and hashlib.sha256(files[0].read_bytes()).hexdigest() == done.checksum
    assert workbook(files[0].read_bytes()).worksheets[0]["A3"].value == "序号"


def test_a_crash_mid_render_leaves_nothing_and_the_retry_completes(unit_with_apps, private_storage, monkeypatch):
    officer = UnitOfficerFactory(unit=unit_with_apps)
    scope = ExportScope(ScopeKind.UNIT, unit_with_apps.pk, unit_with_apps.name)
    document = export_request(user=officer, scope=scope, campaign=Campaign.objects.get(code="demo"),
                              kind=DocumentKind.ROSTER_PDF)
    real_render = engine_module.Engine.render

    def crash(self, html, **kwargs):
        real_render(self, html, **kwargs)  # the layout runs …
        raise MemoryError("worker ran out of memory mid-render")  # … and the process dies before storing

    monkeypatch.setattr(engine_module.Engine, "render", crash)
    with pytest.raises(MemoryError):
        document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and "生成失败" in document.error
    assert not document.file and stored_files(private_storage) == []

    monkeypatch.setattr(engine_module.Engine, "render", real_render)
    done = document_render(document_id=document.pk)
    assert done.status == DocumentStatus.READY and done.attempts == 2 and done.pages >= 1
    assert Document.objects.filter(series_key=document.series_key).count() == 1
    files = stored_files(private_storage)
    assert len(files) == 1 and files[0].read_bytes()[:5] == b"%PDF-"


def test_a_half_written_file_from_a_killed_process_is_replaced(private_storage):
    content = b"%PDF-1.7 complete document bytes"
    checksum = hashlib.sha256(content).hexdigest()
    name = f"documents/1/roster_pdf/{checksum}.pdf"
    target = private_storage / name
    target.parent.mkdir(parents=True)
    target.write_bytes(content[:9])  # what a kill during a non-atomic write would leave
    write_atomically(name, content, checksum)
    assert target.read_bytes() == content
    write_atomically(name, content, checksum)  # same bytes already there: kept as is
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary files left


def test_accepting_queues_the_review_form(accepted_app, django_capture_on_commit_callbacks):
    change = StateChange.objects.filter(application=accepted_app, to_state=State.ACCEPTED).get()
    with django_capture_on_commit_callbacks() as callbacks:
        review_form_after_transition(change)
    pending = Document.objects.get(application=accepted_app, kind=DocumentKind.REVIEW_FORM)
    assert pending.status == DocumentStatus.PENDING and pending.verify_code
    assert len(callbacks) == 1
    earlier = StateChange.objects.filter(application=accepted_app, to_state=State.COMMITTEE_REVIEW).get()
    review_form_after_transition(earlier)  # other transitions render nothing
    assert Document.objects.filter(application=accepted_app).count() == 1

    done = review_form_render(application_id=accepted_app.pk)
    assert done.pk == pending.pk and done.status == DocumentStatus.READY  # the pending row is completed


def test_prefilled_request_reuses_the_current_pdf_until_the_data_changes(accepted_app, private_storage):
    document = prefilled_request(application=accepted_app, key="publicity", user=accepted_app.applicant)
    document_render(document_id=document.pk)
    again = prefilled_request(application=accepted_app, key="publicity", user=accepted_app.applicant)
    assert again.pk == document.pk and again.is_ready
    text = "".join(page_texts(again.file.read()))
    assert accepted_app.applicant.real_name in text and "公示" in text

    basic = ApplicationSection.objects.get(application=accepted_app, key=Section.BASIC)
    basic.data = {**basic.data, "ethnicity": "回族"}
    basic.save()
    changed = prefilled_request(application=accepted_app, key="publicity", user=accepted_app.applicant)
    assert changed.pk != document.pk and changed.status == DocumentStatus.PENDING
    done = document_render(document_id=changed.pk)
    document.refresh_from_db()
    assert done.is_current and not document.is_current
    assert "回族" in "".join(page_texts(done.file.read()))
