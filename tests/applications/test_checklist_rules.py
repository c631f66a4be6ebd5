"""The checklist asks the rule engine once the sections it reads are complete: missing
continuing-education years and what blocks eligibility are listed where they can be fixed."""

import datetime as dt

import pytest
from django.urls import reverse

from applications.checklist import build_checklist, submission_problems
from applications.models import Level
from applications.samples import fill_sample_application
from tests.factories import ApplicationFactory


@pytest.fixture
def app(reference, private_storage):
    return fill_sample_application(ApplicationFactory())


def messages_of(app, section):
    return [p.message for p in build_checklist(app).problems if p.section == section]


def test_complete_sample_has_a_verdict_and_no_problem(app):
    checklist = build_checklist(app)
    assert checklist.verdict is not None and checklist.verdict.eligible
    assert checklist.problems == []


def test_missing_ce_years_are_listed_with_the_demo_numbers(app):
    year = app.campaign.year
    ce = app.sections.get(key="ce")
    # 中级 (demo = notices 000/001): 公需 the last five years, 专业 the last three, 30 / 60 hours a year.
    ce.data = {"exempt": False, "rows": [r for r in ce.data["rows"]
                                         if not (r["year"] == year and r["category"] == "public")
                                         and not (r["year"] == year - 1 and r["category"] == "professional")]}
    ce.save()
    found = messages_of(app, "ce")
    assert f"继续教育公需科目缺少{year}年度（每年需30学时）。" in found
    assert f"继续教育专业科目缺少{year - 1}年度（每年需60学时）。" in found


def test_ce_hours_short_of_a_year_count_as_missing(app):
    year = app.campaign.year
    ce = app.sections.get(key="ce")
    ce.data = {"exempt": False, "rows": [dict(r, hours=20) if (r["year"], r["category"]) == (year - 2, "public") else r
                                         for r in ce.data["rows"]]}
    ce.save()
    assert any(f"公需科目缺少{year - 2}年度" in m for m in messages_of(app, "ce"))


def test_civil_servant_is_refused_under_basic(app):
    basic = app.sections.get(key="basic")
    basic.data = {**basic.data, "civil_servant": True}
    basic.save()
    found = messages_of(app, "basic")
    assert any("不符合申报条件" in m and "公务员" in m for m in found)
    assert submission_problems(app)


def test_too_few_years_in_the_current_title_is_shown_under_qualification(app):
    qual = app.sections.get(key="qualification")
    recent = dt.date(app.campaign.year - 1, 9, 30).isoformat()
    qual.data = {**qual.data, "obtained": recent, "appointed": recent}
    qual.save()
    found = messages_of(app, "qualification")
    assert any("不符合申报条件" in m for m in found), found


def test_overview_shows_fee_and_defense_from_the_verdict(client, app):
    client.force_login(app.applicant)
    page = client.get(reverse("applications:overview", args=[app.code])).content.decode()
    assert "380元" in page  # 中级评审 (notice 000)
    assert "需参加答辩" in page


def test_junior_applicant_is_exempt_from_defense(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory(level=Level.objects.get(code="junior")))
    client.force_login(app.applicant)
    page = client.get(reverse("applications:overview", args=[app.code])).content.decode()
    assert "免于答辩" in page and "220元" in page


def test_002_organ_unit_is_shown_under_basic_and_blocks_submission(reference, private_storage):
    """002 二 "企事业单位工作的全日制普通大、中专院校毕业生" (issue 15 item 8)."""
    from applications.models import Campaign, Specialty

    app = fill_sample_application(ApplicationFactory(
        campaign=Campaign.objects.get(code="yq-2024-chuding"), kind="initial",
        level=Level.objects.get(code="junior"), specialty=Specialty.objects.get(series__name="工程系列", name="电力")))
    basic = app.sections.get(key="basic")
    basic.data = {**basic.data, "unit_nature": "organ"}
    basic.save()
    found = messages_of(app, "basic")
    assert any("单位性质为“机关”的不能申报" in m and "企事业单位工作的全日制普通大、中专院校毕业生" in m for m in found), found
    assert submission_problems(app)
