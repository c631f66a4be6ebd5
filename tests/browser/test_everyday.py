"""What a newcomer stumbled on (issue 18), in Chromium at phone and desktop sizes: pages that fit
a phone, the preview in the applicant's words, one confirm per double click, and a refused unit
approval that keeps the chosen scans."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications import demo
from applications.models import Unit
from applications.samples import fill_sample_application, sample_scan
from review.services import application_transition
from applications.states import State
from tests.factories import ApplicantFactory, ApplicationFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
PUBLIC = ["/", "/selfcheck/", "/aftercare/certificates/lookup/", "/accounts/login/", "/accounts/register/",
          "/documents/verify/"]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(**PHONE, base_url=live_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo_world(transactional_db, reference):
    demo.build()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _overflowing(page) -> list[str]:
    """The elements sticking out on the right: what to fix when a page is wider than the screen."""
    return page.evaluate("""() => Array.from(document.querySelectorAll("body *"))
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .slice(0, 8).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)""")


def test_public_pages_fit_a_phone(phone, demo_world):
    for path in PUBLIC:
        phone.goto(path)
        assert _width(phone) <= 390, (path, _width(phone), _overflowing(phone))


def test_the_preview_reads_like_the_form_and_fits_a_phone(phone, login, demo_world, private_storage):
    applicant = ApplicantFactory(real_name="王小燕")
    app = fill_sample_application(ApplicationFactory(applicant=applicant))
    login(phone, applicant.username, "pass-12345")
    phone.goto(reverse("applications:preview", args=[app.code]))
    qualification = phone.locator("section[data-section=qualification]").inner_text()
    assert "初级" in qualification and "junior" not in qualification
    assert _width(phone) <= 390, (_width(phone), _overflowing(phone))
    cell = phone.locator("section[data-section=education] tbody tr td").first
    assert cell.get_attribute("data-label")
    assert cell.bounding_box()["width"] > 200  # one card a row, not one character a line
    for image in phone.locator(".att-list.preview img").all():
        assert image.get_attribute("alt")


def test_a_double_click_on_submit_asks_once_and_sends_once(page, login, demo_world, private_storage):
    applicant = ApplicantFactory()
    app = fill_sample_application(ApplicationFactory(applicant=applicant))
    login(page, applicant.username, "pass-12345")
    page.goto(reverse("applications:checklist", args=[app.code]))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.dblclick("[data-testid=submit]")
    page.wait_for_load_state("networkidle")
    assert len(dialogs) == 1, dialogs
    app.refresh_from_db()
    assert app.state == State.UNIT_REVIEW and app.submission_count == 1


def test_a_refused_approval_keeps_the_chosen_scans(page, login, demo_world, private_storage, tmp_path):
    unit = Unit.objects.get(name="巴州建筑设计研究院")
    app = fill_sample_application(ApplicationFactory(unit=unit))
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    scans = []
    for name, title in (("gongshi.jpg", "推荐单位公示"), ("jieguo.jpg", "公示结果")):
        path = tmp_path / name
        path.write_bytes(sample_scan(title, lines=("公示期满无异议。",)))
        scans.append(str(path))
    login(page, "danwei")
    page.goto(reverse("review:detail", args=[app.pk]))
    page.fill("input[name=publicity_start]", "2024-09-27")  # the dates: before this campaign
    page.fill("input[name=publicity_end]", "2024-10-09")
    page.set_input_files("input[name=publicity_scan]", scans[0])
    page.set_input_files("input[name=publicity_result_scan]", scans[1])
    page.check("input[name=confirm]")
    with page.expect_navigation():
        page.get_by_role("button", name="公示无异议，审核通过").click()
    assert "公示开始日期不能早于本年度网上申报开始日期" in page.locator("main").inner_text()
    kept = page.locator(".approve-form small.help", has_text="已上传；如需更换请重新选择。")
    assert kept.count() == 2
    # Grey help, one red line (the date's error), not two.
    assert kept.first.evaluate("e => getComputedStyle(e).color") != page.locator(
        ".approve-form .field-error").first.evaluate("e => getComputedStyle(e).color")
    assert page.locator(".approve-form .field-error:not(:empty)").count() == 1
