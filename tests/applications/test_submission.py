"""Submission through the page and the one door: inside the online window only (Asia/Shanghai),
only with a clean checklist, counted; after a return the applicant sees the reason and the time
left, edits and resubmits."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.checklist import build_checklist, submission_problems
from applications.models import Campaign, Level, Specialty
from applications.samples import fill_sample_application
from applications.states import State
from review.services import application_transition
from tests.factories import ApplicationFactory, UnitFactory, UnitOfficerFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def app(reference, private_storage):
    return fill_sample_application(ApplicationFactory())


def submit(client, app):
    return client.post(reverse("applications:submit", args=[app.code]), {"state": app.state}, follow=True)


def test_clean_application_submits_from_the_checklist_page(client, app):
    client.force_login(app.applicant)
    page = client.get(reverse("applications:checklist", args=[app.code])).content.decode()
    assert 'data-testid="clean"' in page
    response = submit(client, app)
    app.refresh_from_db()
    assert (app.state, app.submission_count) == (State.UNIT_REVIEW, 1)
    assert "已提交" in response.content.decode()


def test_incomplete_application_is_refused_with_the_first_problem(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory(), masking=False)
    client.force_login(app.applicant)
    response = submit(client, app)
    app.refresh_from_db()
    assert app.state == State.DRAFT
    assert "是否包含本人姓名" in response.content.decode()


def test_submission_outside_the_online_window_is_refused(client, app):
    campaign = app.campaign
    client.force_login(app.applicant)
    # The last day counts until 24:00 Beijing time, i.e. 16:00 UTC.
    last_minute = dt.datetime.combine(campaign.online_end, dt.time(23, 59), tzinfo=SHANGHAI)
    too_late = dt.datetime.combine(campaign.online_end + dt.timedelta(days=1), dt.time(0, 1), tzinfo=SHANGHAI)
    with time_machine.travel(too_late, tick=False):
        client.force_login(app.applicant)  # sessions last 8 hours: log in at the travelled time
        response = submit(client, app)
    app.refresh_from_db()
    assert app.state == State.DRAFT
    assert "逾期不予受理" in response.content.decode() and str(campaign.online_window) in response.content.decode()
    with time_machine.travel(last_minute, tick=False):
        client.force_login(app.applicant)
        submit(client, app)
    app.refresh_from_db()
    assert app.state == State.UNIT_REVIEW


def test_return_shows_reason_and_time_left_then_resubmit(client, app):
    officer = UnitOfficerFactory(unit=app.unit)
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    application_transition(application_id=app.pk, action="return", actor=officer, comment="毕业证书不清晰，请重新上传",
                           data={"notes": [{"section": "education", "text": "学信网备案表已过期"}]})
    app.refresh_from_db()
    client.force_login(app.applicant)
    overview = client.get(reverse("applications:overview", args=[app.code])).content.decode()
    assert "毕业证书不清晰，请重新上传" in overview and "还剩 47 小时" in overview
    deadline = timezone.localtime(app.return_deadline).strftime("%Y-%m-%d %H:%M")
    assert deadline in overview
    section = client.get(reverse("applications:section", args=[app.code, "education"])).content.decode()
    assert "学信网备案表已过期" in section
    home = client.get(reverse("dashboard")).content.decode()
    assert "还剩 47 小时" in home and "按退回意见修改后重新提交" in home
    response = submit(client, app)
    app.refresh_from_db()
    assert (app.state, app.submission_count) == (State.UNIT_REVIEW, 2)
    assert "已提交" in response.content.decode()


def test_withdraw_while_the_unit_has_not_acted(client, app):
    client.force_login(app.applicant)
    submit(client, app)
    app.refresh_from_db()
    client.post(reverse("applications:withdraw", args=[app.code]), {"state": app.state})
    app.refresh_from_db()
    assert app.state == State.DRAFT


def test_submitting_a_stale_page_is_refused(client, app):
    client.force_login(app.applicant)
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    response = client.post(reverse("applications:submit", args=[app.code]), {"state": "draft"}, follow=True)
    assert "已被他人处理" in response.content.decode() or "不能进行此操作" in response.content.decode()


def test_award_rows_each_need_a_certificate(app):
    app.attachments.filter(slot="award_certificate").delete()
    problems = [p.message for p in submission_problems(app)]
    assert any("第1项“自治州优秀工程勘察设计奖”缺少证书扫描件" in m for m in problems)


def test_title_documents_two_of_three_in_xinjiang_three_elsewhere(app):
    assert not submission_problems(app)
    qual = app.sections.get(key="qualification")
    qual.data = {**qual.data, "obtained_in_xinjiang": False}
    qual.save()
    messages = [p.message for p in submission_problems(app)]
    assert any("需要3份，已上传2份" in m for m in messages)


def test_sections_follow_the_applicant(reference, private_storage):
    initial = ApplicationFactory(kind="initial", level=Level.objects.get(code="junior"))
    keys = [s.key for s in build_checklist(initial).sections]
    assert "probation" in keys and "achievements" not in keys and "summary" not in keys
    shihua = Campaign.objects.get(code="bz-2021-shihua")
    private = ApplicationFactory(campaign=shihua, specialty=Specialty.objects.get(name="电力"),
                                 unit=UnitFactory(nature="private_enterprise"))
    keys = [s.key for s in build_checklist(private).sections]
    assert "evaluations" not in keys  # 004: private enterprises need no annual evaluation
    materials = {m.material.code for s in build_checklist(private).sections for m in s.materials}
    assert "representative_works" in materials and "paper_scan" not in materials


def test_applicant_home_query_count_does_not_grow(client, reference, django_assert_max_num_queries):
    first = ApplicationFactory()
    client.force_login(first.applicant)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("dashboard"))
    for specialty in Specialty.objects.filter(name__in=["电力", "质量技术监督"]):
        ApplicationFactory(applicant=first.applicant, specialty=specialty, unit=first.unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("dashboard")).content.decode()
    assert page.count("data-application=") == 3


def test_checklist_and_overview_queries_are_bounded(client, app, django_assert_max_num_queries):
    client.force_login(app.applicant)
    # 17: the checklist also asks the integrity records for bans (one aggregate, issue 7).
    with django_assert_max_num_queries(17):
        assert client.get(reverse("applications:checklist", args=[app.code])).status_code == 200
    # 18: the overview also lists who opened the application (谁查看了我的材料: one query, issue 12).
    with django_assert_max_num_queries(18):
        assert client.get(reverse("applications:overview", args=[app.code])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("applications:masking", args=[app.code])).status_code == 200
