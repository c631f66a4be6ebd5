"""The pages: scope is security (404 outside it), files only through the scoped download view,
constant query counts as the lists grow, and the public verification page."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Campaign
from applications.samples import fill_sample_application
from portal import tallies
from review.documents.models import Document, DocumentKind, DocumentStatus, ScopeKind
from review.documents.scope import ExportScope
from review.documents.services import document_render, export_request, review_form_render
from tests.conftest import ROOT
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    ClerkFactory,
    CountyOfficerFactory,
    UnitFactory,
    UnitOfficerFactory,
)

from .test_exports import bulk_accepted


@pytest.fixture
def unit_export(reference, private_storage):
    unit = UnitFactory()
    bulk_accepted(3, unit=unit)
    officer = UnitOfficerFactory(unit=unit)
    document = export_request(user=officer, scope=ExportScope(ScopeKind.UNIT, unit.pk, unit.name),
                              campaign=Campaign.objects.get(code="demo"), kind=DocumentKind.ROSTER_XLSX)
    return officer, document_render(document_id=document.pk)


def test_officer_downloads_own_units_export(client, unit_export):
    officer, document = unit_export
    client.force_login(officer)
    response = client.get(reverse("documents:download", args=[document.uid]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


@pytest.mark.parametrize("who", ["other_unit", "applicant", "county_elsewhere", "anonymous"])
def test_export_is_404_outside_its_scope(client, unit_export, who):
    _officer, document = unit_export
    users = {
        "other_unit": lambda: UnitOfficerFactory(),
        "applicant": lambda: ApplicantFactory(),
        "county_elsewhere": lambda: CountyOfficerFactory(county=None, competent_unit=UnitFactory()),
        "anonymous": lambda: None,
    }
    user = users[who]()
    if user:
        client.force_login(user)
    for name in ("download", "status", "detail"):
        response = client.get(reverse(f"documents:{name}", args=[document.uid]))
        assert response.status_code in (404, 302)
        if user:
            assert response.status_code == 404


def test_status_reports_progress_and_the_download(client, unit_export):
    officer, document = unit_export
    client.force_login(officer)
    data = client.get(reverse("documents:status", args=[document.uid])).json()
    assert data == {"status": "ready", "label": "已完成", "progress": 100, "ready": True, "error": "",
                    "download_url": reverse("documents:download", args=[document.uid])}


def test_export_create_queues_a_render_for_the_officers_scope(client, reference, private_storage,
                                                               django_capture_on_commit_callbacks):
    unit = UnitFactory()
    bulk_accepted(2, unit=unit)
    officer = UnitOfficerFactory(unit=unit)
    client.force_login(officer)
    campaign = Campaign.objects.get(code="demo")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("documents:export_create"),
                               {"campaign": campaign.pk, "kind": DocumentKind.FEE_LIST_PDF, "include": "submitted"})
    assert response.status_code == 302
    document = Document.objects.get(kind=DocumentKind.FEE_LIST_PDF)
    assert (document.scope_kind, document.scope_id, document.requested_by) == (ScopeKind.UNIT, unit.pk, officer)
    assert document.options == {"include": "accepted"}  # fee lists always cover accepted applications
    assert len(callbacks) == 1


def test_export_create_refuses_a_campaign_outside_the_scope(client, reference):
    officer = UnitOfficerFactory()
    client.force_login(officer)
    response = client.post(reverse("documents:export_create"),
                           {"campaign": Campaign.objects.get(code="demo").pk, "kind": DocumentKind.ROSTER_PDF},
                           follow=True)
    assert "请选择本范围内有申报的年度评审工作" in response.content.decode()
    assert not Document.objects.exists()


def test_applicants_have_no_exports_page(client, reference):
    client.force_login(ApplicantFactory())
    assert client.get(reverse("documents:exports")).status_code == 404


def test_exports_page_query_count_is_constant_as_lists_grow(client, reference, private_storage,
                                                            django_assert_max_num_queries):
    clerk = ClerkFactory()
    client.force_login(clerk)
    scope = ExportScope(ScopeKind.COMMITTEE, clerk.committee_id, clerk.committee.name)
    campaign = Campaign.objects.get(code="demo")
    counts = []
    for batch in (2, 12):
        bulk_accepted(batch, unit=UnitFactory())
        tallies.changed([campaign.pk])  # as the door's audit record marks them (the counts are kept till then)
        for kind in (DocumentKind.ROSTER_XLSX, DocumentKind.FEE_LIST_XLSX):
            document_render(document_id=export_request(user=clerk, scope=scope, campaign=campaign, kind=kind).pk)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("documents:exports"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(10):
        client.get(reverse("documents:exports"))


def test_review_form_download_is_for_the_applicant_and_officers_in_scope(client, accepted_app):
    document = review_form_render(application_id=accepted_app.pk)
    url = reverse("documents:download", args=[document.uid])
    client.force_login(accepted_app.applicant)
    assert client.get(url).status_code == 200
    client.force_login(UnitOfficerFactory(unit=accepted_app.unit))
    assert client.get(url).status_code == 200
    for outsider in (ApplicantFactory(), UnitOfficerFactory(), CountyOfficerFactory(county=None,
                                                                                     competent_unit=UnitFactory())):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("documents:application", args=[accepted_app.pk])).status_code == 404


def test_prefilled_url_contract_and_scope(client, accepted_app, django_capture_on_commit_callbacks):
    url = reverse("documents:prefilled", args=[accepted_app.pk, "publicity"])
    assert url == f"/documents/application/{accepted_app.pk}/prefilled/publicity/"
    client.force_login(ApplicantFactory())
    assert client.get(url).status_code == 404
    client.force_login(accepted_app.applicant)
    assert client.get(reverse("documents:prefilled", args=[accepted_app.pk, "no_such"])).status_code == 404
    with django_capture_on_commit_callbacks() as callbacks:
        offer = client.get(url)  # GET only reads: no Document, no render, a button to ask for one
    assert offer.status_code == 200 and "生成PDF" in offer.content.decode()
    assert not callbacks and not Document.objects.filter(kind=DocumentKind.PREFILLED).exists()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url)
    document = Document.objects.get(kind=DocumentKind.PREFILLED, template_key="publicity")
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[document.uid])
    assert len(callbacks) == 1
    document_render(document_id=document.pk)
    client.force_login(UnitOfficerFactory(unit=accepted_app.unit))
    ready = client.get(url)  # current and unchanged: the PDF at once
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"


def test_application_page_and_mine_page(client, accepted_app, django_assert_max_num_queries):
    review_form_render(application_id=accepted_app.pk)
    client.force_login(accepted_app.applicant)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("documents:application", args=[accepted_app.pk])).content.decode()
    assert "重新生成评审表" in page and "推荐单位公示" in page and "自由职业专业技术人员思想政治情况表" in page
    with django_assert_max_num_queries(8):
        mine = client.get(reverse("documents:mine")).content.decode()
    assert accepted_app.code in mine and reverse("documents:application", args=[accepted_app.pk]) in mine


def test_review_form_generate_requires_acceptance(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    client.force_login(app.applicant)
    response = client.post(reverse("documents:review_form_generate", args=[app.pk]), follow=True)
    assert "评审委员会形式审核通过（已接收材料）后才能生成评审表" in response.content.decode()
    assert not Document.objects.exists()


def test_verify_page_is_public_and_unknown_codes_are_404(client, accepted_app):
    document = review_form_render(application_id=accepted_app.pk)
    page = client.get(reverse("documents:verify_lookup"), {"code": document.display_verify_code.lower()})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-verdict="current"' in body
    assert accepted_app.code in body and accepted_app.applicant.real_name not in body  # name is masked
    assert accepted_app.applicant.real_name[0] in body
    missing = client.get(reverse("documents:verify", args=["ZZZZZ-ZZZZZ"]))
    assert missing.status_code == 404 and 'data-verdict="unknown"' in missing.content.decode()
    assert client.get(reverse("documents:verify_lookup")).status_code == 200


def test_pending_documents_show_progress_not_a_download(client, unit_export):
    officer, document = unit_export
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.RENDERING, progress=40)
    client.force_login(officer)
    response = client.get(reverse("documents:download", args=[document.uid]))
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[document.uid])
    detail = client.get(reverse("documents:detail", args=[document.uid])).content.decode()
    assert "正在生成（40%）" in detail and 'value="40"' in detail


def test_the_web_process_never_imports_weasyprint():
    """Views only queue work: WeasyPrint (and its ~100 MB of fonts) lives in the worker."""
    code = ("import django, sys; django.setup(); import portal.urls, review.documents.views, "
            "review.documents.services, review.documents.tasks, review.effects; "
            "print('weasyprint' in sys.modules, 'fontTools.subset' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"})
    assert result.stdout.split() == ["False", "False"]


@pytest.mark.django_db(transaction=True)
def test_prefilled_get_with_a_render_under_way_reads_outside_a_transaction(client, accepted_app):
    """The GET of a template only reads (no row lock): with a render under way it sends the reader
    to it, also with autocommit (the fault test found a 500 here: select_for_update outside a
    transaction)."""
    url = reverse("documents:prefilled", args=[accepted_app.pk, "publicity"])
    client.force_login(accepted_app.applicant)
    asked = client.post(url)
    assert asked.status_code == 302
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == asked["Location"]
