"""Person-level rules (SPEC §3, §9) with the notices' own numbers: who may not apply, bans, years in
grade to 31 December, deferrals, the South-Xinjiang early year, and 初定 by diploma and years."""

from __future__ import annotations

import pytest

from applications.rules import CurrentTitle, evaluate

from .rules_support import (
    D,
    REVIEW_CAMPAIGNS,
    SEED_FILES,
    campaign,
    education,
    notice,
    profile,
    promoted,
    rule_reasons,
    specialty,
)

pytestmark = pytest.mark.django_db

SCOPE_PHRASES = {
    "bz-2023-jianzhu": "离退休人员、公务员及参照公务员法管理的事业单位人员不得参加",
    "bz-2023-dangxiao": "离退休人员、公务员及参照公务员法管理的事业单位人员不得参加",
    "bz-2024-zhijian": "退休人员、公务员及参照公务员法管理的事业单位人员不得参加职称评审",
    "yq-2024-chuding": "企事业单位工作的全日制普通大、中专院校毕业生",
    "bz-2021-shihua": "申报职称人员应符合",
}


def verdict_for(code, level, kind, prof, **kw):
    c = campaign(code)
    return evaluate(c, specialty(code), level, kind, prof, **kw)


# -- ineligible groups ----------------------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(SEED_FILES))
@pytest.mark.parametrize("group", ["retired", "civil_servant"])
def test_retirees_and_civil_servants_may_not_apply(reference, code, group):
    kind = "initial" if code == "yq-2024-chuding" else "review"
    level = "junior"
    verdict = verdict_for(code, level, kind, profile(**{group: True}))
    assert verdict.eligible is False
    assert verdict.earliest_year is None
    (reason,) = rule_reasons(verdict, group)
    assert reason.ok is False
    assert SCOPE_PHRASES[code] in reason.clause
    assert SCOPE_PHRASES[code] in notice(code)


def test_an_ordinary_applicant_is_told_they_are_not_in_an_excluded_group(reference):
    verdict = verdict_for("bz-2023-jianzhu", "junior", "review", profile())
    (reason,) = rule_reasons(verdict, "groups")
    assert reason.ok is True and "不属于离退休人员" in reason.text


# -- bans (§9) ------------------------------------------------------------------------------------

@pytest.mark.parametrize("code,years,phrase", [
    ("bz-2023-jianzhu", 3, "3年内不得申报相应职称评审"),
    ("bz-2023-dangxiao", 3, "3年内不得申报相应职称评审"),
    ("yq-2024-chuding", 3, "记录期限为3年"),
    ("bz-2024-zhijian", 5, "个人五年内不得申报相应职称评审"),
    ("bz-2021-shihua", 5, "个人五年内不得申报相应职称评审"),
])
def test_person_ban_runs_from_the_year_after_the_fraud(reference, code, years, phrase):
    c = campaign(code)
    assert c.person_ban_years == years
    fraud_year = c.year - 1  # found last year: banned from this year for ``years`` years
    banned_until = fraud_year + years
    kind = "initial" if code == "yq-2024-chuding" else "review"
    verdict = evaluate(c, specialty(code), "junior", kind, profile(banned_until=banned_until))
    (reason,) = rule_reasons(verdict, "person_ban")
    assert verdict.eligible is False and reason.ok is False
    assert verdict.earliest_year == banned_until + 1 == c.year + years
    assert f"限制申报至{banned_until}年" in reason.text and f"最早可于{banned_until + 1}年申报" in reason.text
    assert phrase in reason.clause and phrase in notice(code)


def test_an_expired_person_ban_is_reported_but_does_not_block(reference):
    verdict = verdict_for("bz-2023-jianzhu", "junior", "review", profile(banned_until=2022))
    (reason,) = rule_reasons(verdict, "person_ban")
    assert verdict.eligible is True and reason.ok is True
    assert verdict.earliest_year == 2023


@pytest.mark.parametrize("code", ["bz-2024-zhijian", "bz-2021-shihua"])
def test_a_banned_unit_cannot_recommend_for_three_years(reference, code):
    c = campaign(code)
    assert c.unit_ban_years == 3
    verdict = evaluate(c, specialty(code), "junior", "review", profile(unit_banned_until=c.year + 2))
    (reason,) = rule_reasons(verdict, "unit_ban")
    assert verdict.eligible is False and reason.ok is False
    assert verdict.earliest_year == c.year + 3
    assert "被处理单位三年内取消参评资格" in reason.clause
    assert "被处理单位三年内取消参评资格" in notice(code)


def test_a_ban_given_as_a_day_counts_against_the_window_and_today(reference):
    # 003's online window is 2024-08-19 — 09-14.  A ban to 08-25 covers the opening day …
    verdict = verdict_for("bz-2024-zhijian", "junior", "review", profile(banned_until=D(2024, 8, 25)))
    assert verdict.eligible is False
    assert verdict.earliest_year == 2025
    assert "限制申报至2024年8月25日" in rule_reasons(verdict, "person_ban")[0].text
    # … but on 08-26 the window is still open and the ban is over.
    later = verdict_for("bz-2024-zhijian", "junior", "review", profile(banned_until=D(2024, 8, 25)),
                        today=D(2024, 8, 26))
    assert later.eligible is True and later.earliest_year == 2024


# -- the level applied for ------------------------------------------------------------------------

def test_nobody_applies_for_a_level_they_hold(reference):
    holder = profile(current_title=CurrentTitle("intermediate", D(2015, 9, 1)))
    verdict = verdict_for("bz-2023-jianzhu", "intermediate", "review", holder)
    assert verdict.eligible is False and verdict.earliest_year is None
    assert [r.rule for r in verdict.blocking] == ["title_level"]
    assert "已于2015年9月1日取得中级" in verdict.blocking[0].text


def test_campaign_scope_002_takes_only_junior_initial_determination(reference):
    verdict = verdict_for("yq-2024-chuding", "intermediate", "review", profile())
    assert verdict.eligible is False
    (reason,) = rule_reasons(verdict, "campaign_scope")
    assert "本通知不受理中级" in reason.text and "本通知不受理评审" in reason.text


def test_intermediate_review_needs_a_junior_title(reference):
    verdict = verdict_for("bz-2023-jianzhu", "intermediate", "review", profile())
    (reason,) = rule_reasons(verdict, "years_in_grade")
    assert reason.ok is False and "须已取得初级专业技术资格" in reason.text
    assert verdict.earliest_year is None


# -- years in grade (promotion to 中级), counted to 31 December ------------------------------------

@pytest.mark.parametrize("code", sorted(REVIEW_CAMPAIGNS))
@pytest.mark.parametrize("edu,need", [("doctor", 0), ("master", 2), ("bachelor", 4), ("junior_college", 4)])
def test_years_in_grade_by_diploma_counted_to_31_december(reference, code, edu, need):
    year = REVIEW_CAMPAIGNS[code]
    c = campaign(code)
    years = c.evaluation_years
    # Exactly ``need`` full years on 31 December of the campaign year: eligible this year.
    enough = evaluate(c, specialty(code), "intermediate", "review",
                      promoted(D(year - need, 12, 31), edu, years=years))
    assert enough.eligible is True, [str(r) for r in enough.reasons]
    assert enough.earliest_year == year
    (reason,) = rule_reasons(enough, "years_in_grade")
    assert f"任现职满{need}年" in reason.text and f"需任现职{need}年" in reason.text
    assert f"{year}年12月31日" in reason.text
    if need == 0:
        return
    # One day later: a year short, and the verdict says when.
    short = evaluate(c, specialty(code), "intermediate", "review",
                     promoted(D(year - need + 1, 1, 1), edu, years=years))
    assert short.eligible is False
    assert short.earliest_year == year + 1
    assert f"最早可于{year + 1}年申报" in rule_reasons(short, "years_in_grade")[0].text


def test_a_campaign_may_count_years_to_another_day(reference):
    c = campaign("bz-2023-jianzhu")
    on_time = promoted(D(2019, 12, 31), years=c.evaluation_years)
    assert evaluate(c, specialty("bz-2023-jianzhu"), "intermediate", "review", on_time).eligible is True
    c.grade_count_to = D(2023, 9, 15)  # not saved: the rule reads the field, whatever its source
    verdict = evaluate(c, specialty("bz-2023-jianzhu"), "intermediate", "review", on_time)
    assert verdict.eligible is False and verdict.earliest_year == 2024
    assert "计算至2023年9月15日任现职满3年" in rule_reasons(verdict, "years_in_grade")[0].text


@pytest.mark.parametrize("code", sorted(REVIEW_CAMPAIGNS))
def test_a_diploma_the_rule_does_not_list_is_never_eligible_by_these_rules(reference, code):
    c = campaign(code)
    verdict = evaluate(c, specialty(code), "intermediate", "review",
                       promoted(D(2000, 1, 1), "secondary", years=c.evaluation_years))
    assert verdict.eligible is False and verdict.earliest_year is None
    assert "中专学历晋升中级的任职年限不在本通知所列条件之内" in rule_reasons(verdict, "years_in_grade")[0].text


# -- deferral by annual evaluations ---------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(REVIEW_CAMPAIGNS))
@pytest.mark.parametrize("results,delay", [
    (("basic",), 1), (("unqualified",), 2), (("basic", "unqualified"), 3), (("basic", "basic"), 2),
])
def test_each_basic_defers_one_year_each_unqualified_two(reference, code, results, delay):
    c = campaign(code)
    year = c.year
    evaluation_years = sorted(c.evaluation_years)
    assert len(evaluation_years) == 3 and evaluation_years[-1] < year  # 近三年, before the campaign year
    evaluations = dict(zip(evaluation_years, results))
    need = 4 + delay  # 本科
    just = evaluate(c, specialty(code), "intermediate", "review",
                    promoted(D(year - need, 6, 30), years=evaluation_years, evaluations=evaluations))
    assert just.eligible is True
    short = evaluate(c, specialty(code), "intermediate", "review",
                     promoted(D(year - need + 1, 6, 30), years=evaluation_years, evaluations=evaluations))
    assert short.eligible is False and short.earliest_year == year + 1
    (deferral,) = rule_reasons(short, "evaluations")
    assert f"顺延{delay}年" in deferral.text
    assert f"共需{need}年" in rule_reasons(short, "years_in_grade")[0].text


def test_000_states_the_deferral_rule_itself(reference):
    verdict = evaluate(campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu"), "intermediate", "review",
                       promoted(D(2016, 1, 1), years=[2020, 2021, 2022], evaluations={2021: "basic"}))
    phrase = "年度考核每出现1次考核结果为基本合格者，顺延1年申报；每出现1次考核结果为不合格者，顺延2年申报"
    assert phrase in rule_reasons(verdict, "evaluations")[0].clause
    assert phrase in notice("bz-2023-jianzhu")


def test_003_example_from_the_issue(reference):
    """Issue 3's sample: 本科, 初级 since 2018-09-30, 2022 基本合格, 2024 campaign → needs 5, has 6."""
    verdict = evaluate(campaign("bz-2024-zhijian"), specialty("bz-2024-zhijian"), "intermediate", "review",
                       promoted(D(2018, 9, 30), evaluations={2021: "qualified", 2022: "basic", 2023: "qualified"},
                                county="且末县"))
    assert verdict.eligible is True and verdict.earliest_year == 2024
    text = rule_reasons(verdict, "years_in_grade")[0].text
    assert "任现职满6年" in text and "共需5年" in text and "符合" in text


def test_004_private_enterprises_need_no_evaluations(reference):
    c = campaign("bz-2021-shihua")
    private = promoted(D(2017, 6, 30), unit_nature="private_enterprise", evaluations={2019: "basic"})
    verdict = evaluate(c, specialty("bz-2021-shihua"), "intermediate", "review", private)
    assert verdict.eligible is True  # 4 years, the 基本合格 does not count
    (reason,) = rule_reasons(verdict, "evaluations")
    assert "民营企业不需提供" in reason.clause and "（民营企业不需提供）" in notice("bz-2021-shihua")
    # The same person in a state enterprise is deferred, and told which years are missing.
    state = promoted(D(2017, 6, 30), unit_nature="state_enterprise", evaluations={2019: "basic"})
    deferred = evaluate(c, specialty("bz-2021-shihua"), "intermediate", "review", state)
    assert deferred.eligible is False and deferred.earliest_year == 2022
    (missing,) = rule_reasons(deferred, "evaluations_missing")
    assert missing.ok is None and "2018、2020年" in missing.text


def test_missing_evaluations_are_reported_not_failed(reference):
    verdict = evaluate(campaign("bz-2024-zhijian"), specialty("bz-2024-zhijian"), "intermediate", "review",
                       promoted(D(2018, 9, 30)))
    assert verdict.eligible is True
    (missing,) = rule_reasons(verdict, "evaluations_missing")
    assert "未填写2021—2023年的年度考核结果" in missing.text


# -- South-Xinjiang graduates: first review one year early (000 only) -------------------------------

def south(obtained, **kw):
    return promoted(obtained, years=[2020, 2021, 2022], **kw)


def test_000_south_xinjiang_graduate_first_review_one_year_early(reference):
    c, s = campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu")
    assert c.south_xinjiang_early_years == 1
    three_years = D(2020, 6, 1)
    plain = evaluate(c, s, "intermediate", "review", south(three_years))
    assert plain.eligible is False and plain.earliest_year == 2024
    graduate = south(three_years, education=[education("bachelor", D(2015, 7, 1), south=True)])
    verdict = evaluate(c, s, "intermediate", "review", graduate)
    assert verdict.eligible is True and verdict.earliest_year == 2023
    (early,) = rule_reasons(verdict, "south_xinjiang")
    assert early.ok is True
    phrase = "到南疆地区工作的普通高校毕业生，首次申报职称评审（以考代评的专业除外）可提前1年"
    assert phrase in early.clause and phrase in notice("bz-2023-jianzhu")
    assert "南疆普通高校毕业生提前1年，共需3年" in rule_reasons(verdict, "years_in_grade")[0].text


@pytest.mark.parametrize("change,why", [
    ({"previous_review": True}, "不是首次申报职称评审"),
    ({"education": [education("bachelor", D(2015, 7, 1), south=True, full_time=False)]}, "普通高校"),
])
def test_000_early_year_only_for_a_first_review_by_a_regular_graduate(reference, change, why):
    values = {"education": [education("bachelor", D(2015, 7, 1), south=True)], **change}
    verdict = evaluate(campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu"), "intermediate", "review",
                       south(D(2020, 6, 1), **values))
    assert verdict.eligible is False and verdict.earliest_year == 2024
    (reason,) = rule_reasons(verdict, "south_xinjiang")
    assert reason.ok is None and why in reason.text


def test_other_notices_give_no_early_year(reference):
    c = campaign("bz-2023-dangxiao")
    assert c.south_xinjiang_early_years == 0
    verdict = evaluate(c, specialty("bz-2023-dangxiao"), "intermediate", "review",
                       south(D(2020, 6, 1), education=[education("bachelor", D(2015, 7, 1), south=True)]))
    assert verdict.eligible is False
    assert "本通知未规定南疆普通高校毕业生提前申报" in rule_reasons(verdict, "south_xinjiang")[0].text


# -- 初定: full-time 中专 3, 大专 2, 本科 1 years of professional work (002) ----------------------------

@pytest.mark.parametrize("edu,years", [("secondary", 3), ("junior_college", 2), ("bachelor", 1)])
def test_002_initial_determination_by_diploma_and_years(reference, edu, years):
    c = campaign("yq-2024-chuding")
    assert c.initial_work_years[edu] == years
    phrase = {"secondary": "中专毕业从事专业技术工作满3年", "junior_college": "大专毕业从事专业技术工作满2年",
              "bachelor": "大学本科毕业，从事专业技术工作满1年"}[edu]
    assert phrase in notice("yq-2024-chuding")

    def person(start):
        return profile(education=[education(edu, D(start.year, 7, 1))], professional_work_start=start)

    enough = evaluate(c, specialty("yq-2024-chuding"), "junior", "initial", person(D(2024 - years, 8, 1)))
    assert enough.eligible is True and enough.earliest_year == 2024
    (reason,) = rule_reasons(enough, "initial")
    assert f"至2024年12月31日满{years}年" in reason.text and f"需满{years}年" in reason.text
    assert "大学本科毕业，从事专业技术工作满1年" in reason.clause
    short = evaluate(c, specialty("yq-2024-chuding"), "junior", "initial", person(D(2024 - years + 1, 8, 1)))
    assert short.eligible is False and short.earliest_year == 2025


def test_002_initial_determination_is_for_full_time_graduates_only(reference):
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial",
                       profile(education=[education("bachelor", D(2018, 7, 1), full_time=False)]))
    assert verdict.eligible is False and verdict.earliest_year is None
    assert "限全日制" in rule_reasons(verdict, "initial")[0].text


def test_002_a_master_counts_as_the_highest_listed_diploma(reference):
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial",
                       profile(education=[education("master", D(2023, 7, 1))], professional_work_start=D(2023, 8, 1)))
    assert verdict.eligible is True
    assert "需满1年" in rule_reasons(verdict, "initial")[0].text


def test_002_work_before_graduation_does_not_count(reference):
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial",
                       profile(education=[education("junior_college", D(2023, 7, 1))],
                               professional_work_start=D(2020, 3, 1)))
    assert verdict.eligible is False and verdict.earliest_year == 2025
    assert "自2023年7月1日起计算" in rule_reasons(verdict, "initial")[0].text


def test_002_a_basic_evaluation_defers_initial_determination(reference):
    person = profile(education=[education("bachelor", D(2023, 7, 1))], professional_work_start=D(2023, 8, 1),
                     annual_evaluations={2023: "basic"})
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial", person)
    assert verdict.eligible is False and verdict.earliest_year == 2025
    assert "经考核合格的" in rule_reasons(verdict, "evaluations")[0].clause


def test_002_already_junior_may_not_be_determined_again(reference):
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial",
                       profile(current_title=CurrentTitle("junior", D(2020, 9, 1))))
    assert verdict.eligible is False and [r.rule for r in verdict.blocking] == ["title_level"]


@pytest.mark.parametrize("code", sorted(REVIEW_CAMPAIGNS))
def test_other_notices_apply_the_same_initial_rule(reference, code):
    year = REVIEW_CAMPAIGNS[code]
    c = campaign(code)
    verdict = evaluate(c, specialty(code), "junior", "initial",
                       profile(education=[education("junior_college", D(year - 2, 7, 1))],
                               professional_work_start=D(year - 2, 8, 1)))
    assert verdict.eligible is True
    assert "初定" in rule_reasons(verdict, "initial")[0].clause or "初次确定" in rule_reasons(verdict, "initial")[0].clause


# -- what the notices leave to the series' conditions -----------------------------------------------

@pytest.mark.parametrize("code", sorted(REVIEW_CAMPAIGNS))
def test_junior_review_years_are_left_to_the_committee_unless_entered(reference, code):
    c = campaign(code)
    verdict = evaluate(c, specialty(code), "junior", "review", profile())
    assert verdict.eligible is True
    (reason,) = rule_reasons(verdict, "series_conditions")
    assert reason.ok is None and "本通知未列明" in reason.text
    assert "评审条件" in reason.clause


def test_junior_review_years_when_the_campaign_enters_them(reference):
    c = campaign("bz-2023-jianzhu")
    c.junior_review_work_years = {"junior_college": 3, "secondary": 5}
    person = profile(education=[education("junior_college", D(2021, 7, 1), full_time=False)],
                     professional_work_start=D(2021, 8, 1))
    verdict = evaluate(c, specialty("bz-2023-jianzhu"), "junior", "review", person)
    assert verdict.eligible is False and verdict.earliest_year == 2024
    assert "非全日制大专毕业" in rule_reasons(verdict, "junior_review")[0].text


def test_a_past_window_is_judged_at_its_last_day(reference):
    # Looking back at 003 (window 2024-08-19 — 09-14) from 2026: a ban to 09-01 left two weeks to
    # submit, a ban to 09-20 left none.
    later = D(2026, 11, 22)
    left_time = verdict_for("bz-2024-zhijian", "junior", "review", profile(banned_until=D(2024, 9, 1)), today=later)
    assert left_time.eligible is True
    none_left = verdict_for("bz-2024-zhijian", "junior", "review", profile(banned_until=D(2024, 9, 20)), today=later)
    assert none_left.eligible is False and none_left.earliest_year == 2025


# -- issue 15 items 8 and 9: unit natures per kind (002 二), exam-only specialties -------------------

@pytest.mark.parametrize("nature", ["organ", "freelance"])
def test_002_an_organ_unit_is_refused_for_initial_determination(reference, nature):
    """002 二 "初定条件：企事业单位工作的全日制普通大、中专院校毕业生": 初定 is for staff of
    enterprises and public institutions, so a 机关 (or a freelancer) is refused with the clause."""
    phrase = "企事业单位工作的全日制普通大、中专院校毕业生"
    assert phrase in notice("yq-2024-chuding")
    person = dict(education=[education("bachelor", D(2022, 7, 1))], professional_work_start=D(2022, 8, 1))
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial",
                       profile(unit_nature=nature, **person))
    assert verdict.eligible is False
    (reason,) = rule_reasons(verdict, "unit_nature")
    label = {"organ": "机关", "freelance": "自由职业"}[nature]
    assert reason.ok is False and f"单位性质为“{label}”的不能申报" in reason.text and phrase in reason.clause
    for allowed in ("institution", "state_enterprise", "private_enterprise"):
        ok = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial",
                      profile(unit_nature=allowed, **person))
        assert ok.eligible is True and rule_reasons(ok, "unit_nature") == []


def test_000_unit_natures_are_not_limited(reference):
    verdict = evaluate(campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu"), "intermediate", "review",
                       promoted(D(2018, 6, 1), years=[2020, 2021, 2022], unit_nature="organ"))
    assert rule_reasons(verdict, "unit_nature") == [] and verdict.eligible is True


def test_002_exam_only_specialty_is_not_determined(reference):
    """002 二 "可初次确定初级专业技术职务任职资格（国家以考代评的专业除外）"."""
    phrase = "可初次确定初级专业技术职务任职资格（国家以考代评的专业除外）"
    assert phrase in notice("yq-2024-chuding")
    s = specialty("yq-2024-chuding")
    s.exam_only = True
    s.save()
    person = profile(education=[education("bachelor", D(2022, 7, 1))], professional_work_start=D(2022, 8, 1))
    verdict = evaluate(campaign("yq-2024-chuding"), s, "junior", "initial", person)
    assert verdict.eligible is False
    (reason,) = rule_reasons(verdict, "exam_only")
    assert "“电力”为国家以考代评的专业，不能初次确定职称" in reason.text and "国家以考代评的专业除外" in reason.clause
    s.exam_only = False
    s.save()
    assert evaluate(campaign("yq-2024-chuding"), s, "junior", "initial", person).eligible is True


def test_000_exam_only_specialty_gets_no_early_year(reference):
    """000 五（一）12 "首次申报职称评审（以考代评的专业除外）可提前1年": a marked 建筑 needs the
    full 3 years in grade (本科), not 2."""
    c, s = campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu")
    s.exam_only = True
    s.save()
    graduate = south(D(2020, 6, 1), education=[education("bachelor", D(2015, 7, 1), south=True)])
    verdict = evaluate(c, s, "intermediate", "review", graduate)
    assert verdict.eligible is False and verdict.earliest_year == 2024
    (early,) = rule_reasons(verdict, "south_xinjiang")
    assert early.ok is None and "以考代评的专业不适用提前申报" in early.text
    assert "以考代评的专业除外" in early.clause


def test_002_initial_determination_lists_missing_evaluation_years(reference):
    """002 五（一）5 "按要求上传初定条件规定年限内年度考核表": a 大专 graduate working since 2021-08 needs
    2 years, so 2022 and 2023 are asked; only 2023 given → 2022 reported (information, not a refusal)."""
    assert "按要求上传初定条件规定年限内年度考核表" in notice("yq-2024-chuding")
    person = profile(education=[education("junior_college", D(2021, 7, 1))], professional_work_start=D(2021, 8, 1),
                     annual_evaluations={2023: "qualified"})
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial", person)
    (missing,) = rule_reasons(verdict, "evaluations_missing")
    assert "未填写2022年的年度考核结果" in missing.text and missing.ok is None
    assert verdict.eligible is True
    both = profile(education=[education("junior_college", D(2021, 7, 1))], professional_work_start=D(2021, 8, 1),
                   annual_evaluations={2022: "qualified", 2023: "qualified"})
    done = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial", both)
    assert rule_reasons(done, "evaluations_missing") == []
    assert "2022、2023年的年度考核均为合格及以上" in rule_reasons(done, "evaluations")[0].text


def test_002_high_school_alone_is_not_a_diploma_for_initial_determination(reference):
    """002 二 "全日制普通大、中专院校毕业生": a 高中 row (kept for 003 附件7's resume) counts for nothing."""
    person = profile(education=[education("high_school", D(2018, 7, 1))], professional_work_start=D(2018, 8, 1))
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial", person)
    assert verdict.eligible is False
    assert "所填学历不在规定条件之内" in rule_reasons(verdict, "initial")[0].text
    with_college = profile(education=[education("high_school", D(2016, 7, 1)), education("junior_college", D(2019, 7, 1))],
                           professional_work_start=D(2019, 8, 1))
    assert evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial",
                    with_college).eligible is True
