"""查阅记录 in Chromium: after a walk through the chain, the applicant's "谁查看了我的材料" lists the
unit officer's and the committee clerk's opens, by role and unit / committee, never by name; the
clerk's page shows only the code."""

from __future__ import annotations

import pytest

from applications import demo as applications_demo
from applications.models import Unit
from applications.samples import fill_sample_application
from portal.accounts.models import User
from review.demo import approve_at_unit
from review.services import application_transition
from tests.factories import ApplicantFactory, ApplicationFactory

pytestmark = pytest.mark.browser


def _as(page, login, username, *password):
    page.context.clear_cookies()
    login(page, username, *password)


def test_applicant_sees_who_opened_the_application(page, live_server, login, transactional_db, reference,
                                                   private_storage):
    applications_demo.build()
    unit = Unit.objects.get(name="巴州建筑设计研究院")  # danwei → zhuguan → pingwei
    applicant = ApplicantFactory(real_name="努尔兰·别克")
    app = fill_sample_application(ApplicationFactory(applicant=applicant, unit=unit))
    application_transition(application_id=app.pk, action="submit", actor=applicant)
    danwei, zhuguan, pingwei = (User.objects.get(username=u) for u in ("danwei", "zhuguan", "pingwei"))

    # The unit officer opens the application and a scan, then approves.
    _as(page, login, "danwei")
    page.goto(f"{live_server.url}/review/applications/{app.pk}/")
    assert "努尔兰·别克" in page.locator("main").inner_text()
    approve_at_unit(app, danwei)
    application_transition(application_id=app.pk, action="approve", actor=zhuguan, comment="同意推荐")

    # The committee clerk opens it from the queue: the code only.
    _as(page, login, "pingwei")
    page.goto(f"{live_server.url}/review/queue/")
    page.locator(f"tr[data-application=\"{app.code}\"]").get_by_role("button", name="审核").click()
    page.wait_for_load_state("networkidle")
    assert app.code in page.locator("main").inner_text() and "努尔兰" not in page.content()

    # The applicant reads who looked.
    _as(page, login, applicant.username, "pass-12345")
    page.goto(f"{live_server.url}/apply/{app.code}/")
    viewed = page.locator("#viewed-by").inner_text()
    assert "推荐单位人事（职称）部门（巴州建筑设计研究院）" in viewed
    assert f"评审委员会办公室（{pingwei.committee}）" in viewed
    for officer in (danwei, pingwei):
        assert officer.real_name not in viewed and officer.username not in viewed
