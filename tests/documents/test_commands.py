"""Command line for clerks and scripts: the same files as the web."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from applications.models import Campaign
from review.documents.models import Document, DocumentKind, ScopeKind
from review.documents.scope import ExportScope
from review.documents.services import document_render, export_request
from tests.factories import ClerkFactory, UnitFactory, UnitOfficerFactory

from .conftest import page_sizes, workbook
from .test_exports import EXPECTED_HEADER, bulk_accepted


def test_render_review_form_writes_the_registered_document(accepted_app, tmp_path):
    out = tmp_path / "out" / "form.pdf"
    call_command("render_review_form", str(accepted_app.pk), "--out", str(out))
    document = Document.objects.get(application=accepted_app, kind=DocumentKind.REVIEW_FORM, is_current=True)
    assert out.read_bytes() == document.file.read()
    assert len(page_sizes(out.read_bytes())) % 2 == 0
    call_command("render_review_form", str(accepted_app.pk), "--out", str(out))  # unchanged: same version
    assert Document.objects.filter(application=accepted_app).count() == 1


def test_render_review_form_refuses_unknown_or_unaccepted(reference, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("render_review_form", "999999", "--out", str(tmp_path / "x.pdf"))


@pytest.mark.parametrize("fmt, kind", [("xlsx", DocumentKind.ROSTER_XLSX), ("pdf", DocumentKind.ROSTER_PDF)])
def test_export_roster_matches_the_web_export_of_a_unit(reference, private_storage, tmp_path, fmt, kind):
    unit = UnitFactory()
    bulk_accepted(3, unit=unit)
    bulk_accepted(2, unit=UnitFactory())
    officer = UnitOfficerFactory(unit=unit)
    web = document_render(document_id=export_request(
        user=officer, scope=ExportScope(ScopeKind.UNIT, unit.pk, unit.name),
        campaign=Campaign.objects.get(code="demo"), kind=kind).pk)
    out = tmp_path / f"roster.{fmt}"
    call_command("export_roster", "--campaign", "demo", "--unit", str(unit.pk), "--format", fmt, "--out", str(out))
    assert out.read_bytes() == web.file.read()


def test_export_roster_of_the_whole_campaign_is_the_clerks_export(reference, private_storage, tmp_path):
    bulk_accepted(2, unit=UnitFactory())
    bulk_accepted(3, unit=UnitFactory())
    clerk = ClerkFactory()
    web = document_render(document_id=export_request(
        user=clerk, scope=ExportScope(ScopeKind.COMMITTEE, clerk.committee_id, clerk.committee.name),
        campaign=Campaign.objects.get(code="demo"), kind=DocumentKind.ROSTER_XLSX).pk)
    out = tmp_path / "all.xlsx"
    call_command("export_roster", "--campaign", "demo", "--format", "xlsx", "--out", str(out))
    assert out.read_bytes() == web.file.read()
    sheet = workbook(out.read_bytes()).worksheets[0]
    assert [c.value for c in sheet[3]] == EXPECTED_HEADER and sheet.max_row >= 3 + 5


def test_export_roster_reports_bad_arguments(reference, tmp_path):
    with pytest.raises(CommandError, match="年度评审工作 nope 不存在"):
        call_command("export_roster", "--campaign", "nope", "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    with pytest.raises(CommandError, match="单位 999999 不存在"):
        call_command("export_roster", "--campaign", "demo", "--unit", "999999", "--format", "pdf",
                     "--out", str(tmp_path / "r.pdf"))
