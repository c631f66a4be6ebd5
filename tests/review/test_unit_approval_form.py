"""The unit's approval form: a publicity that cannot be about this application is refused, and a
refused approval keeps the scans the officer chose (issue 18, items 3 and 6)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.samples import fill_sample_application
from review.demo import publicity_dates, publicity_files
from review.services import application_transition
from applications.states import State
from tests.factories import ApplicationFactory, UnitOfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(reference, private_storage, client):
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    client.force_login(UnitOfficerFactory(unit=app.unit))
    return app


def _approve(client, app, start, end, *, files=True):
    data = {"expected_state": State.UNIT_REVIEW, "publicity_start": start, "publicity_end": end, "confirm": "on"}
    if files:
        scans = publicity_files(app.unit.name, "x")
        data.update(publicity_scan=scans["publicity"], publicity_result_scan=scans["publicity_result"])
    return client.post(reverse("review:act", args=[app.pk, "approve"]), data)


def test_a_publicity_before_the_campaign_opened_is_refused(client, submitted):
    # The dates: a 2024 publicity for an application of this year's campaign.
    response = _approve(client, submitted, "2024-09-27", "2024-10-09")
    page = response.content.decode()
    assert response.status_code == 400
    opened = submitted.campaign.online_start
    assert f"公示开始日期不能早于本年度网上申报开始日期（{opened.year}年{opened.month}月{opened.day}日）" in page
    submitted.refresh_from_db()
    assert submitted.state == State.UNIT_REVIEW


def test_a_publicity_not_yet_over_is_refused(client, submitted):
    today = timezone.localdate()
    response = _approve(client, submitted, today.isoformat(), (today + dt.timedelta(days=10)).isoformat())
    assert response.status_code == 400 and "公示尚未结束" in response.content.decode()


def test_a_refused_approval_keeps_the_chosen_scans(client, submitted):
    publicity = publicity_dates(submitted.campaign, timezone.localdate())
    too_short = (dt.date.fromisoformat(publicity["start"]) + dt.timedelta(days=1)).isoformat()
    response = _approve(client, submitted, publicity["start"], too_short)
    page = response.content.decode()
    assert response.status_code == 400 and "公示期不少于5个工作日" in page
    assert set(submitted.attachments.filter(slot__in=["publicity", "publicity_result"])
               .values_list("slot", flat=True)) == {"publicity", "publicity_result"}
    assert "请上传扫描件" not in page and page.count("已上传；如需更换请重新选择。") == 2
    # One red line per problem: the date's error; the help below it stays a (grey) help text.
    errors = re.findall(r'<small class="field-error" id="id_(\w+)_error">', page)
    assert errors == ["publicity_end"]
    assert 'aria-describedby="id_publicity_end_helptext id_publicity_end_error"' in page
    # Correcting the date is enough: no file chosen again.
    response = _approve(client, submitted, publicity["start"], publicity["end"], files=False)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == State.COUNTY_REVIEW


def test_the_batch_form_refuses_a_publicity_before_the_campaign_opened(client, submitted):
    scans = publicity_files(submitted.unit.name, "x")
    response = client.post(reverse("review:batch_approve"), {
        "ids": [submitted.pk], "publicity_start": "2024-09-27", "publicity_end": "2024-10-09",
        "publicity_scan": scans["publicity"], "publicity_result_scan": scans["publicity_result"]}, follow=True)
    assert "公示开始日期不能早于本年度网上申报开始日期" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == State.UNIT_REVIEW


def test_a_publicity_inside_the_campaign_and_ended_is_accepted(client, reference, private_storage):
    # Today as the test clock has it (the demo campaign's window is counted from it).
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    client.force_login(UnitOfficerFactory(unit=app.unit))
    publicity = publicity_dates(app.campaign, timezone.localdate())
    assert dt.date.fromisoformat(publicity["start"]) >= app.campaign.online_start
    assert _approve(client, app, publicity["start"], publicity["end"]).status_code == 302
