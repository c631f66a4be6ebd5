"""Documents in the browser, with a real worker: an officer generates a roster and downloads it
once the progress finishes; an applicant downloads the review form the worker rendered on
acceptance; the public checks its code.  Screenshots (desktop and 390 px phone) go to
``DATA_DIR/screens/`` for a human to look at."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from django.conf import settings

from applications.samples import fill_sample_application
from review.documents.models import Document, DocumentKind, DocumentStatus
from tests.documents.conftest import climb_to_accepted, remove_worker_files, wait_for, workbook  # noqa: F401 (fixture)
from tests.documents.test_exports import EXPECTED_HEADER, bulk_accepted
from tests.factories import ApplicationFactory, UnitFactory, UnitOfficerFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]

PASSWORD = "pass-12345"  # tests.factories.UserFactory's
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    folder = Path(settings.DATA_DIR) / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"documents-{name}.png"), full_page=True)


@pytest.fixture
def world(celery_worker_process, reference, remove_worker_files):  # noqa: F811 (imported fixture)
    unit = UnitFactory(name="巴州建筑设计研究院（浏览器测试）")
    app = climb_to_accepted(fill_sample_application(ApplicationFactory(unit=unit)))
    bulk_accepted(4, unit=unit)
    officer = UnitOfficerFactory(unit=unit, username="danwei-browser")
    return {"unit": unit, "app": app, "officer": officer, "worker": celery_worker_process}


def test_officer_generates_a_roster_and_downloads_it(page, live_server, login, world):
    login(page, world["officer"].username, PASSWORD)
    page.get_by_role("link", name="花名册与清单").click()
    card = page.locator("article.export-card").first
    assert "评审委员会已接收 5 人" in card.inner_text()
    card.get_by_role("button", name="生成申报人员花名册（Excel）").click()
    assert "已开始生成" in page.locator(".messages").inner_text()
    link = page.locator("article.export-card .doc-list li").first.locator("a[data-download]")
    link.wait_for(state="visible", timeout=60_000)  # progress.js polls until the worker is done
    shot(page, "exports-desktop")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx") and "申报人员花名册" in download.suggested_filename
    sheet = workbook(Path(download.path()).read_bytes()).worksheets[0]
    assert [c.value for c in sheet[3]] == EXPECTED_HEADER
    assert sheet.max_row >= 3 + 5

    page.set_viewport_size(PHONE)
    page.reload()
    shot(page, "exports-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the exports page scrolls sideways on a phone ({width}px)"


def test_applicant_downloads_the_review_form_and_the_public_verifies_it(page, live_server, login, world):
    app = world["app"]
    document = wait_for(lambda: Document.objects.filter(application=app, kind=DocumentKind.REVIEW_FORM,
                                                        status=DocumentStatus.READY).first(),
                        timeout=90, message=world["worker"].log_path.read_text())
    page.set_viewport_size(PHONE)
    login(page, app.applicant.username, PASSWORD)
    page.goto(live_server.url + "/me/")
    page.get_by_role("link", name="打印与下载").click()
    page.get_by_role("button", name="评审表与预填模板").click()
    shot(page, "application-phone")
    assert document.display_verify_code in page.locator("#review-form").inner_text()
    with page.expect_download() as download_info:
        page.locator("#review-form a[data-download]").click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf == document.file.read()

    # A pre-filled template: progress page, then the download (the worker renders it).
    page.get_by_role("row", name="个人承诺书").get_by_role("button", name="下载PDF").click()
    link = page.locator("a[data-download]")
    link.wait_for(state="visible", timeout=60_000)
    with page.expect_download() as download_info:
        link.click()

    text = pypdf.PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes())).pages[0].extract_text()
    assert "个人承诺书" in text and app.applicant.real_name in text

    page.context.clear_cookies()  # the public, not logged in
    page.goto(f"{live_server.url}/documents/verify/")
    page.fill("input[name=code]", document.display_verify_code.lower())
    page.get_by_role("button", name="验证").click()
    assert page.locator("[data-verdict=current]").is_visible()
    shot(page, "verify-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
