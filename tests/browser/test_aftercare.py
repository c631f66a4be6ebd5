"""One accepted application in Chromium, after acceptance: the clerk ticks the paper files,
records the fee, applies the exemption rules, sets a defense session and schedules it, enters
the score, records the pass and the publicity, issues the certificate (rendered by a real
worker); the applicant downloads it from their home page; the public finds it by ID number and
name, verifies its number and opens the page its QR code points at."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from applications import demo as applications_demo
from applications.models import Campaign, Unit
from applications.samples import fill_sample_application
from applications.states import State
from review.aftercare.models import Certificate, CertificateStatus
from tests.aftercare.conftest import put_accepted, results_timeline
from tests.factories import ApplicantFactory, ApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]

SHOTS = Path(settings.DATA_DIR) / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"aftercare-{name}.png"), full_page=True)


def _as(page, login, username, *password):
    page.context.clear_cookies()
    login(page, username, *password)


def _message(page) -> str:
    return page.locator(".messages").inner_text()


def test_accepted_application_to_certificate_and_public_lookup(page, live_server, login, reference,
                                                             celery_worker_process):
    applications_demo.build()
    campaign = Campaign.objects.get(code="demo")
    # The defense was held, the meeting met and a publicity of the campaign's working days ended
    # yesterday: dates counted back from today, holidays included (any day of the year).
    timeline = results_timeline(campaign)
    applicant = ApplicantFactory(real_name="努尔兰·别克")
    app = ApplicationFactory(applicant=applicant, unit=Unit.objects.get(name="巴州建筑设计研究院"))
    fill_sample_application(app)  # default storage: the worker reads the photo from it
    put_accepted(app)

    # Paper files, ticked on the application's page, on a phone.
    _as(page, login, "pingwei")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/aftercare/?campaign=demo")
    row = page.locator(f"tr[data-application=\"{app.code}\"]")
    assert "努尔兰·别克" in row.inner_text() and "0/7" in row.inner_text()
    row.get_by_role("button", name="办理").click()
    for box in page.locator("input[name=items]").all():
        box.check()
    _shot(page, "paper-390")
    page.get_by_role("button", name="登记接收").click()
    assert "当前状态：纸质材料已接收" in _message(page)

    # The fee, amount as the rule engine sets it.
    assert page.locator("input[name=amount]").input_value() in ("380", "380.00")
    page.fill("input[name=receipt_number]", "BZ-PJ-0001")
    page.get_by_role("button", name="登记缴费").click()
    assert "当前状态：已缴费" in _message(page)
    page.set_viewport_size(DESKTOP)

    # Defense: the rules say this 中级 applicant of a 库尔勒市 institute attends; a session, then scheduling.
    page.goto(f"{live_server.url}/aftercare/defense/?campaign=demo")
    assert "待安排答辩（1人，已缴费）" in page.locator("[data-specialty=建筑]").inner_text()
    page.select_option("select[name=specialty]", label="工程系列·建筑")
    page.fill("input[name=date]", campaign.defense_start.isoformat())
    page.fill("input[name=time_slot]", "上午 9:30—12:00")
    page.fill("input[name=place]", "巴州住建大厦13楼1311室")
    page.get_by_role("button", name="添加场次").click()
    assert "已添加答辩场次" in _message(page)
    page.locator("[data-testid=schedule-form]").get_by_role("button", name="安排并通知申报人").click()
    assert "已安排1人参加答辩" in _message(page)

    # The score sheet lists the code only.
    page.get_by_role("link", name="修改、录入成绩").click()
    sheet = page.locator("[data-testid=scores]")
    assert app.code in sheet.inner_text() and "努尔兰" not in sheet.inner_text()
    sheet.locator("input[name$=score]").fill("86.5")
    sheet.get_by_role("button", name="保存", exact=True).click()
    assert "已录入1人的答辩情况" in _message(page)

    # The committee's decision, then the publicity of the results.
    page.goto(f"{live_server.url}/aftercare/results/?campaign=demo")
    pending = page.locator("[data-testid=pending]")
    pending.locator(f"tr[data-application=\"{app.code}\"] input[name=ids]").check()
    pending.locator("input[name=result][value=pass]").check()
    pending.locator("input[name=meeting_date]").fill(timeline.meeting.isoformat())
    pending.get_by_role("button", name="记录所选申报的评审结果").click()
    assert "已记录1份申报的评审结果" in _message(page)
    assert "参加现场答辩：86.5分" in page.locator("[data-testid=decided]").inner_text()
    page.fill("input[name=start]", timeline.publicity_start.isoformat())
    page.fill("input[name=end]", timeline.publicity_end.isoformat())
    page.get_by_role("button", name="设置公示期").click()
    assert "已设置评审结果公示期" in _message(page)

    # Certificates: issued here, rendered by the worker.
    page.goto(f"{live_server.url}/aftercare/certificates/?campaign=demo")
    page.get_by_role("button", name="全部发放").click()
    assert "已发放1份电子证书" in _message(page)
    for _ in range(300):
        certificate = Certificate.objects.select_related("document").get(application=app)
        if certificate.status != CertificateStatus.PENDING:
            break
        page.wait_for_timeout(200)
    assert certificate.is_ready, Path(celery_worker_process.log_path).read_text()
    app.refresh_from_db()
    assert app.state == State.CERTIFIED
    assert list(app.history.order_by("id").values_list("to_state", flat=True))[-5:] == [
        State.PAPER_RECEIVED, State.FEE_PAID, State.DEFENSE_SCHEDULED, State.DECIDED, State.CERTIFIED]
    page.reload()
    _shot(page, "certificates")

    # The applicant downloads it from their home page.
    _as(page, login, applicant.username, "pass-12345")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/me/")
    _shot(page, "home-390")
    with page.expect_download() as download:
        page.locator("[data-testid=certificate-download]").click()
    pdf = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    assert "努尔兰·别克" in text and certificate.number in text and "工程师" in text
    qr_path = re.search(r"/aftercare/c/[0-9A-Z]{16}/", text).group(0)
    page.goto(f"{live_server.url}/aftercare/my/{app.code}/")
    _shot(page, "mine-390")
    progress = page.locator("main").inner_text()
    assert "评审委员会已收齐纸质材料" in progress and "已缴380.00元（收据号BZ-PJ-0001）" in progress
    assert "巴州住建大厦13楼1311室" in progress and "通过" in progress

    # The public: look-up by ID number and name, number verification, the QR page.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/aftercare/certificates/lookup/")
    page.fill("input[name=id_number]", applicant.id_number)
    page.fill("input[name=name]", "努尔兰·别克")
    page.get_by_role("button", name="查询", exact=True).click()
    found = page.locator("[data-testid=certificate]")
    masked = applicant.id_number[:4] + "*" * 10 + applicant.id_number[-4:]
    assert masked in found.inner_text() and certificate.number in found.inner_text()
    assert applicant.id_number not in found.inner_text()
    _shot(page, "lookup-390")
    with page.expect_download() as public_download:
        found.get_by_role("button", name="下载电子证书（PDF）").click()
    assert Path(public_download.value.path()).read_bytes() == pdf
    # A wrong name reveals nothing.
    page.fill("input[name=id_number]", applicant.id_number)
    page.fill("input[name=name]", "努尔兰")
    page.get_by_role("button", name="查询", exact=True).click()
    assert page.locator("[data-testid=not-found]").is_visible() and page.locator("[data-testid=certificate]").count() == 0
    page.fill("input[name=number]", certificate.number)
    page.get_by_role("button", name="验证").click()
    assert "证书有效" in page.locator("[data-testid=verified]").inner_text()
    page.goto(live_server.url + qr_path)
    result = page.locator("[data-testid=qr-result]").inner_text()
    assert "证书真实有效" in result and "努尔兰·别克" in result and certificate.number in result
    _shot(page, "qr-390")
