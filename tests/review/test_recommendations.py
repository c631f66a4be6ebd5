"""Recommendations officers upload before approving (issue 15 items 10 and 11).

* 002 五（一）8 "以及《单位推荐意见》（附件3）": the unit's approval requires the scan of its
  recommendation (``Campaign.unit_recommendation_required``), beside the publicity and its result.
* 003 / 004 五（三） "上传加盖公章的推荐意见“同意推荐×××同志申报…”": the competent unit (county
  step) approves only with its sealed recommendation attached
  (``Campaign.competent_recommendation_required``).  000 asks for neither."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.models import Campaign, Level, Specialty, StateChange
from applications.samples import sample_scan
from applications.states import State
from review.demo import approve_at_unit
from review.services import TransitionRefused, application_transition, publicity_scans_attach
from tests.applications.rules_support import notice
from tests.factories import ApplicationFactory, CountyOfficerFactory

from .conftest import put_in_state


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def scan(title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("tuijian.jpg", sample_scan(title, lines=("同意推荐张建华同志申报。", "（盖章）")),
                              content_type="image/jpeg")


def _app(cast, code: str, series: str, specialty: str, level: str, kind: str, state: str):
    app = ApplicationFactory(applicant=cast.applicant, unit=cast.unit.unit, campaign=Campaign.objects.get(code=code),
                             specialty=Specialty.objects.get(series__name=series, name=specialty),
                             level=Level.objects.get(code=level), kind=kind)
    put_in_state(app, state)
    if state == State.COUNTY_REVIEW:  # reached the county's queue through the unit's approval
        StateChange.objects.create(application=app, action="approve", from_state=State.UNIT_REVIEW,
                                   to_state=State.COUNTY_REVIEW, actor=cast.unit, actor_role="unit_officer")
    return app


def test_002_unit_approval_requires_the_unit_recommendation(cast, private_storage):
    assert "以及《单位推荐意见》（附件3）" in notice("yq-2024-chuding")
    app = _app(cast, "yq-2024-chuding", "工程系列", "电力", "junior", "initial", State.UNIT_REVIEW)
    now = at(dt.date(2024, 10, 21))
    with pytest.raises(TransitionRefused, match="请上传单位推荐意见（附件3）的扫描件"):
        approve_at_unit(app, cast.unit, now=now)
    app.refresh_from_db()
    assert app.state == State.UNIT_REVIEW
    publicity_scans_attach(application=app, files={"unit_recommendation": scan("单位推荐意见")}, actor=cast.unit,
                           now=now)
    attachment = app.attachments.get(slot="unit_recommendation")
    assert attachment.needs_masking is True and attachment.masked  # names the applicant: masked whole
    assert approve_at_unit(app, cast.unit, now=now).state == State.COUNTY_REVIEW


def test_000_unit_approval_needs_no_recommendation_scan(cast, private_storage):
    app = _app(cast, "bz-2023-jianzhu", "工程系列", "建筑", "intermediate", "review", State.UNIT_REVIEW)
    assert approve_at_unit(app, cast.unit, now=at(dt.date(2023, 9, 14))).state == State.COUNTY_REVIEW


@pytest.mark.parametrize("code,specialty,day", [("bz-2024-zhijian", "质量技术监督", dt.date(2024, 9, 10)),
                                                ("bz-2021-shihua", "石油", dt.date(2021, 9, 10))])
def test_003_competent_unit_approval_without_the_sealed_recommendation_is_refused(cast, private_storage, code,
                                                                                  specialty, day):
    assert "上传加盖公章的推荐意见" in notice(code)
    app = _app(cast, code, "工程系列", specialty, "intermediate", "review", State.COUNTY_REVIEW)
    county = CountyOfficerFactory(county=cast.unit.unit.county)
    with pytest.raises(TransitionRefused, match="请上传加盖公章的推荐意见（通知五（三））"):
        application_transition(application_id=app.pk, action="approve", actor=county, now=at(day))
    app.refresh_from_db()
    assert app.state == State.COUNTY_REVIEW
    # The unit may not upload it for the competent unit; the county officer may.
    with pytest.raises(TransitionRefused):
        publicity_scans_attach(application=app, files={"competent_recommendation": scan("推荐意见")},
                               actor=cast.unit, now=at(day))
    publicity_scans_attach(application=app, files={"competent_recommendation": scan("推荐意见")}, actor=county,
                           now=at(day))
    done = application_transition(application_id=app.pk, action="approve", actor=county, now=at(day))
    assert done.state == State.COMMITTEE_REVIEW


def test_000_county_approval_unchanged(cast, private_storage):
    app = _app(cast, "bz-2023-jianzhu", "工程系列", "建筑", "intermediate", "review", State.COUNTY_REVIEW)
    county = CountyOfficerFactory(county=cast.unit.unit.county)
    done = application_transition(application_id=app.pk, action="approve", actor=county,
                                  now=at(dt.date(2023, 9, 14)))
    assert done.state == State.COMMITTEE_REVIEW


@time_machine.travel(dt.datetime(2024, 9, 10, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_003_county_page_asks_for_the_sealed_recommendation(client, cast, private_storage):
    app = _app(cast, "bz-2024-zhijian", "工程系列", "质量技术监督", "intermediate", "review", State.COUNTY_REVIEW)
    county = CountyOfficerFactory(county=cast.unit.unit.county)
    client.force_login(county)
    page = client.get(reverse("review:detail", args=[app.pk])).content.decode()
    assert "加盖公章的推荐意见扫描件（JPG）" in page and "同意推荐×××同志申报" in page
    url = reverse("review:act", args=[app.pk, "approve"])
    refused = client.post(url, {"expected_state": State.COUNTY_REVIEW, "comment": "同意推荐"})
    assert refused.status_code == 400 and "请上传加盖公章的推荐意见的扫描件。" in refused.content.decode()
    done = client.post(url, {"expected_state": State.COUNTY_REVIEW, "comment": "同意推荐",
                             "competent_recommendation_scan": scan("推荐意见")})
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.state == State.COMMITTEE_REVIEW and app.attachments.filter(slot="competent_recommendation").exists()


def test_002_unit_form_asks_for_the_recommendation_scan(reference):
    from review.forms import PublicityForm, UnitApprovalForm

    form = UnitApprovalForm(campaign=Campaign.objects.get(code="yq-2024-chuding"))
    assert form.fields["unit_recommendation_scan"].label == "单位推荐意见（附件3）扫描件（JPG）"
    assert list(form.fields)[-1] == "confirm"
    assert "unit_recommendation_scan" not in UnitApprovalForm(campaign=Campaign.objects.get(code="bz-2023-jianzhu")).fields
    # The batch form carries one publicity for many applicants, never a personal recommendation.
    assert "unit_recommendation_scan" not in PublicityForm(campaign=Campaign.objects.get(code="yq-2024-chuding")).fields
