"""One application climbs the whole chain in Chromium: submitted, returned by the unit with a
note, resubmitted, approved by the unit (publicity dates and scans), the competent department
and the committee, which sees only the code.  The applicant's own steps go through the one door
(their pages belong to the applicant workstream)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from applications import demo as applications_demo
from applications.models import Application, ReturnNote, Unit
from applications.samples import fill_sample_application, sample_scan
from applications.states import State
from review.demo import revise_for_resubmission
from review.services import application_transition
from tests.factories import ApplicantFactory, ApplicationFactory

pytestmark = pytest.mark.browser

SHOTS = Path(settings.DATA_DIR) / "screenshots"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"chain-{name}.png"), full_page=True)


def _as(page, login, username, *password):
    page.context.clear_cookies()
    login(page, username, *password)


def test_one_application_from_submission_to_accepted(page, live_server, login, transactional_db, reference,
                                                     private_storage, tmp_path):
    applications_demo.build()
    unit = Unit.objects.get(name="巴州建筑设计研究院")  # danwei → zhuguan (巴州住建局) → pingwei
    applicant = ApplicantFactory(real_name="努尔兰·别克")
    app = fill_sample_application(ApplicationFactory(applicant=applicant, unit=unit))
    application_transition(application_id=app.pk, action="submit", actor=applicant)

    # The unit returns it with a reason and a note beside the summary.
    _as(page, login, "danwei")
    page.goto(f"{live_server.url}/review/queue/")
    row = page.locator(f"tr[data-application=\"{app.code}\"]")
    assert "努尔兰·别克" in row.inner_text()
    row.get_by_role("button", name="审核").click()
    page.get_by_text("退回申报人修改").click()
    page.fill("textarea[name=reason]", "个人工作总结过于简略")
    page.select_option("select[name=notes-0-target]", "sec:summary")
    page.fill("input[name=notes-0-text]", "请补充近三年主持的项目")
    page.get_by_role("button", name="退回", exact=True).click()
    assert "已退回" in page.locator(".messages").inner_text()
    app.refresh_from_db()
    assert app.state == State.RETURNED
    assert ReturnNote.objects.get(application=app).section == "summary"

    # The applicant fixes it and resubmits (through the one door).
    revise_for_resubmission(app)
    application_transition(application_id=app.pk, action="resubmit", actor=applicant)

    # The unit sees what changed, records the publicity and approves, on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/review/applications/{app.pk}/")
    changes = page.locator("[data-testid=changes]").inner_text()
    assert "个人工作总结" in changes and "新上传附件" in changes
    for field, title in (("publicity_scan", "推荐单位公示"), ("publicity_result_scan", "公示结果")):
        scan = tmp_path / f"{field}.jpg"
        scan.write_bytes(sample_scan(title, lines=("努尔兰·别克 公示期满无异议。",)))
        page.set_input_files(f"input[name={field}]", str(scan))
    page.check("input[name=confirm]")
    _shot(page, "unit-390")
    page.get_by_role("button", name="公示无异议，审核通过").click()
    assert "已审核通过" in page.locator(".messages").inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})

    # The competent department approves.
    _as(page, login, "zhuguan")
    page.goto(f"{live_server.url}/review/applications/{app.pk}/")
    page.fill("textarea[name=comment]", "同意推荐")
    page.get_by_role("button", name="审核通过").click()
    assert "已审核通过" in page.locator(".messages").inner_text()

    # The committee sees the code only, everywhere, and accepts.
    _as(page, login, "pingwei")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/review/queue/")
    assert app.code in page.locator("main").inner_text()
    page.locator(f"tr[data-application=\"{app.code}\"]").get_by_role("button", name="审核").click()
    _shot(page, "committee-390")
    for text in (page.locator("body").inner_text(), page.content()):
        assert "努尔兰" not in text and applicant.id_number not in text
    page.get_by_role("button", name="形式审核通过，接收材料").click()
    assert "已审核通过" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/review/applications/{app.pk}/history/")
    history = page.locator("[data-testid=history]").inner_text()
    assert "评审委员会已接收材料" in history and "努尔兰" not in page.content()
    page.goto(f"{live_server.url}/review/notifications/")
    assert app.code in page.locator("main").inner_text() and "努尔兰" not in page.content()

    app.refresh_from_db()
    assert app.state == State.ACCEPTED
    steps = list(app.history.values_list("to_state", flat=True))
    assert steps == [State.UNIT_REVIEW, State.RETURNED, State.UNIT_REVIEW, State.COUNTY_REVIEW,
                     State.COMMITTEE_REVIEW, State.ACCEPTED]

    # The applicant reads their own history, notes included.
    _as(page, login, applicant.username, "pass-12345")
    page.goto(f"{live_server.url}/review/applications/{app.pk}/history/")
    assert "请补充近三年主持的项目" in page.locator("[data-testid=history]").inner_text()
    page.goto(f"{live_server.url}/review/notifications/")
    assert "评审委员会已接收材料" in page.locator("main").inner_text()
    assert Application.objects.get(pk=app.pk).notifications.filter(user=applicant).count() == 6
