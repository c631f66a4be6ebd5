"""The engine as others use it: the issue's JSON shape, a Profile from an application's sections,
and no query per profile for a prefetched campaign."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Campaign, Level
from applications.rules import CAMPAIGN_PREFETCH, CurrentTitle, Profile, evaluate, profile_from_sections
from applications.samples import fill_sample_application
from tests.factories import ApplicationFactory, UnitFactory

from .rules_support import D, campaign, education, profile, promoted, specialty

pytestmark = pytest.mark.django_db

OUTPUT_KEYS = ["eligible", "reasons", "fee", "defense_exempt", "defense_exempt_reasons", "ce_required",
               "ce_missing", "materials", "earliest_year"]


def test_to_json_is_exactly_the_issue_format(reference):
    verdict = evaluate(campaign("bz-2024-zhijian"), specialty("bz-2024-zhijian"), "intermediate", "review",
                       promoted(D(2018, 9, 30), evaluations={2021: "qualified", 2022: "basic", 2023: "qualified"},
                                county="且末县", ce_hours={2022: {"public": 30, "professional": 60}}))
    data = verdict.to_json()
    assert list(data) == OUTPUT_KEYS
    assert data["eligible"] is True and data["fee"] == 380 and data["earliest_year"] == 2024
    assert data["defense_exempt"] is True
    assert data["ce_required"] == {"公需": [2020, 2021, 2022, 2023, 2024], "专业": [2022, 2023, 2024]}
    assert data["ce_missing"] == {"公需": [2020, 2021, 2023, 2024], "专业": [2023, 2024]}
    assert all(set(m) == {"code", "name", "required"} for m in data["materials"])
    assert all(isinstance(r, str) and "依据：" in r for r in data["reasons"])


@pytest.mark.parametrize("level", ["intermediate", "中级"])
def test_level_may_be_given_by_code_name_or_object(reference, level):
    c = campaign("bz-2023-jianzhu")
    person = promoted(D(2015, 1, 1), years=[2020, 2021, 2022])
    by_object = evaluate(c, specialty("bz-2023-jianzhu"), Level.objects.get(code="intermediate"), "review", person)
    assert evaluate(c, specialty("bz-2023-jianzhu"), level, "review", person).to_json() == by_object.to_json()


def test_profile_from_an_applications_sections(reference, private_storage):
    unit = UnitFactory(nature="state_enterprise", grassroots_below_county=True)
    application = ApplicationFactory(unit=unit)
    fill_sample_application(application, with_files=False, special_service=["fanghuiju"], aid_xinjiang=True)
    sections = {s.key: s.data for s in application.sections.all()}
    person = Profile.from_sections(application, sections)
    basic, qual = sections["basic"], sections["qualification"]
    assert person.id_number == application.applicant.id_number
    assert person.unit_nature == "state_enterprise" and person.county == "库尔勒市"
    assert person.grassroots_below_county is True and person.aid_xinjiang is True
    assert person.special_service == ["fanghuiju"]
    assert [e.level for e in person.education] == ["junior_college", "bachelor"]
    assert person.current_title == CurrentTitle("junior", dt.date.fromisoformat(qual["obtained"]))
    assert person.professional_work_start == dt.date.fromisoformat(qual["professional_work_start"])
    year = application.campaign.year
    assert person.annual_evaluations == {y: "qualified" for y in range(year - 3, year)}
    assert person.ce_hours[year] == {"public": 30, "professional": 60}
    assert profile_from_sections(application, sections) == person
    assert basic["name"]  # sections really came from the sample builder

    # The sample application is a complete, eligible 中级 review in the demo campaign.
    verdict = evaluate(application.campaign, application.specialty, application.level, application.kind, person)
    assert verdict.eligible is True, [str(r) for r in verdict.blocking]
    assert verdict.ce_missing == {"public": [], "professional": []}
    assert verdict.defense_exempt is True  # 访惠聚 and grassroots
    codes = {m.code for m in verdict.materials}
    assert {"social_insurance", "aid_approval", "title_docs"} <= codes


def test_profile_from_a_draft_with_missing_sections(reference):
    application = ApplicationFactory()
    person = profile_from_sections(application, {})
    assert person.education == [] and person.current_title is None
    assert person.unit_nature == application.unit.nature
    verdict = evaluate(application.campaign, application.specialty, application.level, application.kind, person)
    assert verdict.eligible is False  # no title, no diploma: said so, not crashed


def test_many_profiles_cost_no_query_for_a_prefetched_campaign(reference, django_assert_num_queries):
    c = Campaign.objects.prefetch_related(*CAMPAIGN_PREFETCH).get(code="bz-2021-shihua")
    s, level = specialty("bz-2021-shihua"), Level.objects.get(code="intermediate")
    natures = ["institution", "state_enterprise", "private_enterprise", "freelance", "organ"]
    profiles = [
        promoted(D(2010 + i % 12, 1 + i % 12, 1), ["bachelor", "master", "doctor", "junior_college"][i % 4],
                 unit_nature=natures[i % 5], county=["且末县", "库尔勒市", "若羌县"][i % 3],
                 evaluations={2018 + i % 3: ["basic", "qualified", "unqualified"][i % 3]},
                 special_service=["fanghuiju"] if i % 7 == 0 else [], ce_exempt=i % 11 == 0,
                 banned_until=2022 if i % 13 == 0 else None, title_in_xinjiang=i % 2 == 0)
        for i in range(1000)
    ]
    with django_assert_num_queries(0):
        verdicts = [evaluate(c, s, level, kind, p).to_json() for p in profiles for kind in ("review", "award")]
    assert len(verdicts) == 2000
    assert {v["eligible"] for v in verdicts} == {True, False}
    assert {v["defense_exempt"] for v in verdicts} == {True, False}


def test_a_level_code_costs_no_query_either(reference, django_assert_num_queries):
    c = Campaign.objects.prefetch_related(*CAMPAIGN_PREFETCH).get(code="bz-2023-jianzhu")
    s = specialty("bz-2023-jianzhu")
    with django_assert_num_queries(0):
        for i in range(50):
            evaluate(c, s, "junior", "initial", profile(education=[education("bachelor", D(2020, 7, 1))]))


def test_evaluate_writes_nothing(reference):
    c = campaign("bz-2023-jianzhu")
    with CaptureQueriesContext(connection) as queries:
        evaluate(c, specialty("bz-2023-jianzhu"), "junior", "review", profile())
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
