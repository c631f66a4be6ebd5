"""Working days with the real 2024/2025 holiday arrangements, and the admin overrides."""

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import Campaign, Specialty
from applications.samples import fill_sample_application
from applications.states import State
from review.demo import publicity_files
from review.models import UnitPublicity, WorkdayOverride
from review.services import TransitionRefused, application_transition, publicity_scans_attach
from review.workdays import (
    earliest_publicity_end,
    is_working_day,
    latest_publicity_start,
    working_days_between,
)
from tests.factories import ApplicationFactory, UnitOfficerFactory

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize("start,end", [
    (D(2024, 11, 4), D(2024, 11, 8)),    # an ordinary week
    (D(2024, 9, 27), D(2024, 10, 9)),    # 国庆 2024: 9/29 (Sun) is a make-up working day, 10/1–7 off
    (D(2025, 9, 26), D(2025, 10, 9)),    # 国庆+中秋 2025: 9/28 (Sun) make-up, 10/1–8 off
    (D(2024, 9, 10), D(2024, 9, 14)),    # 中秋 2024: 9/14 (Sat) make-up, 9/15–17 off
    (D(2025, 1, 24), D(2025, 2, 6)),     # 春节 2025: 1/26 (Sun) make-up, 1/28–2/4 off, 2/8 (Sat) make-up
])
def test_five_working_days_across_real_holidays(start, end):
    assert earliest_publicity_end(start, 5) == end
    assert working_days_between(start, end) == 5
    assert working_days_between(start, end - dt.timedelta(days=1)) == 4
    assert latest_publicity_start(end, 5) == start


@pytest.mark.django_db
def test_override_wins_over_the_library_and_covers_unknown_years():
    assert is_working_day(D(2024, 11, 5))
    WorkdayOverride.objects.create(date=D(2024, 11, 5), is_working_day=False, note="地方放假")
    assert earliest_publicity_end(D(2024, 11, 4), 5) == D(2024, 11, 11)
    # 2027 is after the library's data: Monday–Friday, corrected by the table.
    assert earliest_publicity_end(D(2027, 2, 4), 5) == D(2027, 2, 10)
    WorkdayOverride.objects.bulk_create([
        WorkdayOverride(date=D(2027, 2, 8), is_working_day=False, note="2027年春节"),
        WorkdayOverride(date=D(2027, 2, 6), is_working_day=True, note="2027年春节调休"),
    ])
    assert working_days_between(D(2027, 2, 4), D(2027, 2, 10)) == 5  # 4, 5, 6 (调休), 9, 10
    assert earliest_publicity_end(D(2027, 2, 4), 5) == D(2027, 2, 10)


@pytest.fixture
def app_2024(reference, private_storage):
    """An application to notice 003 (质量技术监督, 2024), submitted inside its online window."""
    # 003 closes online review on 9月14日; these tests are about the working-day count of publicities
    # that end later, so the notice's review window is lifted (officers then review until the day
    # before paper delivery, 9月17日).
    Campaign.objects.filter(code="bz-2024-zhijian").update(material_review_start=None, material_review_end=None)
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    app = ApplicationFactory(campaign=campaign, specialty=Specialty.objects.get(name="质量技术监督"))
    fill_sample_application(app)
    submitted = dt.datetime(2024, 9, 2, 10, tzinfo=timezone.get_current_timezone())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant, now=submitted)
    publicity_scans_attach(application=app, files=publicity_files(app.unit.name, app.applicant.real_name),
                           actor=UnitOfficerFactory(unit=app.unit), now=submitted)
    return app


def _approve(app, start, end, day):
    officer = UnitOfficerFactory(unit=app.unit)
    now = dt.datetime.combine(day, dt.time(16), tzinfo=timezone.get_current_timezone())
    return application_transition(application_id=app.pk, action="approve", actor=officer, now=now,
                                  data={"publicity": {"start": start.isoformat(), "end": end.isoformat()}})


def test_unit_approval_refuses_publicity_shortened_by_mid_autumn(app_2024):
    with pytest.raises(TransitionRefused) as refused:
        _approve(app_2024, D(2024, 9, 11), D(2024, 9, 17), D(2024, 9, 17))
    assert "公示期不少于5个工作日" in refused.value.message
    assert "只有4个工作日" in refused.value.message
    app_2024.refresh_from_db()
    assert app_2024.state == State.UNIT_REVIEW


def test_unit_approval_counts_the_make_up_saturday(app_2024):
    _approve(app_2024, D(2024, 9, 10), D(2024, 9, 14), D(2024, 9, 14))
    app_2024.refresh_from_db()
    assert app_2024.state == State.COUNTY_REVIEW
    publicity = UnitPublicity.objects.get(application=app_2024)
    assert (publicity.start, publicity.end, publicity.working_days) == (D(2024, 9, 10), D(2024, 9, 14), 5)
    # Notice 003 words its opinion its own way; the campaign's text is what gets recorded.
    assert publicity.opinion == app_2024.campaign.unit_opinion_text == "本单位已对提供的申报材料逐一审核，真实、完整、有效，同意推荐"
    change = app_2024.history.last()
    assert change.comment == publicity.opinion
    assert change.data["publicity"] == {"start": "2024-09-10", "end": "2024-09-14", "working_days": 5}


def test_unit_approval_refuses_a_publicity_still_running(app_2024):
    with pytest.raises(TransitionRefused) as refused:
        _approve(app_2024, D(2024, 9, 9), D(2024, 9, 13), D(2024, 9, 12))
    assert "公示尚未结束" in refused.value.message


def test_unit_approval_requires_both_scans(reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    officer = UnitOfficerFactory(unit=app.unit)
    today = timezone.localdate()
    publicity = {"start": latest_publicity_start(today, 5).isoformat(), "end": today.isoformat()}
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=app.pk, action="approve", actor=officer, data={"publicity": publicity})
    assert "推荐单位公示、公示结果" in refused.value.message
    files = publicity_files(app.unit.name, "x")
    publicity_scans_attach(application=app, files={"publicity": files["publicity"]}, actor=officer)
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=app.pk, action="approve", actor=officer, data={"publicity": publicity})
    assert "公示结果" in refused.value.message and "推荐单位公示" not in refused.value.message
    publicity_scans_attach(application=app, files={"publicity_result": files["publicity_result"]}, actor=officer)
    application_transition(application_id=app.pk, action="approve", actor=officer, data={"publicity": publicity})
    app.refresh_from_db()
    assert app.state == State.COUNTY_REVIEW
    # The scans are masked whole: the committee never reads the names they list, and the applicant
    # is never asked to answer the masking question for them.
    for scan in app.attachments.filter(slot__in=["publicity", "publicity_result"]):
        assert scan.needs_masking is True and scan.masked and scan.masking_answered
