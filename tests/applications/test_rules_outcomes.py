"""What the verdict tells an eligible applicant, with each notice's own numbers: continuing
education years and hours, the materials checklist, the fee, and the defense exemption."""

from __future__ import annotations

import pytest

from applications.rules import defense_exemption, evaluate

from .rules_support import D, SEED_FILES, campaign, education, notice, profile, promoted, specialty

pytestmark = pytest.mark.django_db

PUBLIC, PROFESSIONAL = "public", "professional"


def span(a, b):
    return list(range(a, b + 1))


# -- continuing education ---------------------------------------------------------------------------

CE_CASES = [
    # code, level, kind, unit nature, 公需 years, 专业 years, phrase of the notice stating them
    ("bz-2023-jianzhu", "junior", "review", "institution", span(2022, 2023), span(2022, 2023), "初级提供近两年的继续教育合格证书"),
    ("bz-2023-jianzhu", "intermediate", "review", "institution", span(2019, 2023), span(2021, 2023),
     "2019-2023年的公需课，2021-2023年的专业课"),
    ("bz-2023-dangxiao", "junior", "review", "institution", span(2022, 2023), span(2022, 2023), "初级提供近两年的继续教育合格证书"),
    ("bz-2023-dangxiao", "intermediate", "review", "institution", span(2019, 2023), span(2021, 2023),
     "2019-2023年的公需课，2021-2023年的专业课"),
    ("bz-2024-zhijian", "junior", "review", "institution", span(2023, 2024), span(2023, 2024),
     "参加初级职称评审人员，需参加近两年的继续教育"),
    ("bz-2024-zhijian", "intermediate", "review", "freelance", span(2020, 2024), span(2022, 2024),
     "近五年（2020年-2024年）公需课及近三年（2022年-2024年）专业课"),
    ("bz-2021-shihua", "junior", "review", "institution", [2021], [2021], "参评初级职称人员，需上传当年继续教育合格证书"),
    ("bz-2021-shihua", "junior", "review", "private_enterprise", [2021], [2021], "参评初级职称人员，需上传当年继续教育合格证书"),
    ("bz-2021-shihua", "intermediate", "review", "institution", span(2018, 2021), [2021],
     "需上传近4年公需课继续教育合格证书和当年专业课继续教育合格证书"),
    ("bz-2021-shihua", "intermediate", "review", "private_enterprise", span(2020, 2021), [2021],
     "民营企业参评中级职称人员，需上传近2年公需课继续教育合格证书和当年专业课继续教育合格证书"),
]


@pytest.mark.parametrize("code,level,kind,nature,public,professional,phrase", CE_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CE_CASES])
def test_ce_years_per_notice_level_and_unit_nature(reference, code, level, kind, nature, public, professional, phrase):
    assert phrase in notice(code)
    verdict = evaluate(campaign(code), specialty(code), level, kind, profile(unit_nature=nature))
    assert verdict.ce_required == {PUBLIC: public, PROFESSIONAL: professional}
    assert verdict.ce_missing == {PUBLIC: public, PROFESSIONAL: professional}  # nothing done yet
    # 000/001 state 30/60 hours a year; 003 and 004 ask for the years' certificates only (issue 15 item 5).
    per_year = (None, None) if code in ("bz-2024-zhijian", "bz-2021-shihua") else (30, 60)
    assert verdict.ce_hours_per_year == {PUBLIC: per_year[0], PROFESSIONAL: per_year[1]}
    # Done to the hour: nothing missing.
    hours = {y: {PUBLIC: 30} for y in public}
    for y in professional:
        hours.setdefault(y, {})[PROFESSIONAL] = 60
    done = evaluate(campaign(code), specialty(code), level, kind, profile(unit_nature=nature, ce_hours=hours))
    assert done.ce_missing == {PUBLIC: [], PROFESSIONAL: []}
    assert "已全部完成" in done.ce_reasons[0].text


def test_003_ce_needs_certificates_not_hours(reference):
    """003 五（一）7 "需提供近五年（2020年-2024年）公需课及近三年（2022年-2024年）专业课合格证书": a
    certificate a year, whatever its hours (issue 15 item 5)."""
    assert "近五年（2020年-2024年）公需课及近三年（2022年-2024年）专业课合格证书" in notice("bz-2024-zhijian")
    hours = {y: {PUBLIC: 10} for y in span(2020, 2024)}
    for y in span(2022, 2024):
        hours[y][PROFESSIONAL] = 10
    args = (campaign("bz-2024-zhijian"), specialty("bz-2024-zhijian"), "intermediate", "review")
    done = evaluate(*args, profile(ce_hours=hours))
    assert done.ce_missing == {PUBLIC: [], PROFESSIONAL: []}
    assert "学时" not in done.ce_reasons[0].text and "公需科目2020—2024年" in done.ce_reasons[0].text.replace("-", "—")
    del hours[2021][PUBLIC]
    short = evaluate(*args, profile(ce_hours=hours))
    assert short.ce_missing == {PUBLIC: [2021], PROFESSIONAL: []}
    assert "2021" in short.ce_reasons[0].text and "学时" not in short.ce_reasons[0].text


def test_004_ce_current_year_certificates(reference):
    """004 五（一）4 "参评初级职称人员，需上传当年继续教育合格证书（公需课及专业课）": 2021 rows of one
    hour each pass."""
    assert "需上传当年继续教育合格证书（公需课及专业课）" in notice("bz-2021-shihua")
    args = (campaign("bz-2021-shihua"), specialty("bz-2021-shihua"), "junior", "review")
    done = evaluate(*args, profile(ce_hours={2021: {PUBLIC: 1, PROFESSIONAL: 1}}))
    assert done.ce_missing == {PUBLIC: [], PROFESSIONAL: []}
    assert evaluate(*args, profile(ce_hours={2021: {PUBLIC: 1}})).ce_missing == {PUBLIC: [], PROFESSIONAL: [2021]}


def test_ce_standard_is_30_and_60_hours_a_year(reference):
    phrase = "按照公需科目30课时/年、专业科目60课时/年的标准"
    assert phrase in notice("bz-2023-jianzhu")
    hours = {2019: {PUBLIC: 29}, 2020: {PUBLIC: 30}, 2021: {PUBLIC: 30, PROFESSIONAL: 59},
             2022: {PUBLIC: 45, PROFESSIONAL: 60}, 2023: {PROFESSIONAL: 90}}
    verdict = evaluate(campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu"), "intermediate", "review",
                       promoted(D(2015, 1, 1), years=[2020, 2021, 2022], ce_hours=hours))
    assert verdict.ce_missing == {PUBLIC: [2019, 2023], PROFESSIONAL: [2021]}
    assert "尚缺：公需科目2019、2023年；专业科目2021年" in verdict.ce_reasons[0].text
    assert verdict.eligible is True  # CE shortfalls are reported, not held against eligibility


@pytest.mark.parametrize("edu,years", [("secondary", [2022, 2023, 2024]), ("junior_college", [2023, 2024]),
                                       ("bachelor", [2024])])
def test_002_ce_years_follow_the_initial_period(reference, edu, years):
    assert "提供初定条件规定年限内公需科目及专业科目合格证书" in notice("yq-2024-chuding")
    person = profile(education=[education(edu, D(2019, 7, 1))], professional_work_start=D(2019, 8, 1))
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial", person)
    assert verdict.ce_required == {PUBLIC: years, PROFESSIONAL: years}


def test_ce_exemption_replaces_certificates_with_the_form(reference):
    verdict = evaluate(campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu"), "intermediate", "review",
                       profile(ce_exempt=True, special_service=["fanghuiju"]))
    assert verdict.ce_required[PUBLIC] == span(2019, 2023)
    assert verdict.ce_missing == {PUBLIC: [], PROFESSIONAL: []}
    codes = {m.code for m in verdict.materials}
    assert "ce_exemption" in codes and "ce_certificate" not in codes
    assert "继续教育免试审批表" in verdict.ce_reasons[1].clause
    assert all(r.ok is not None for r in verdict.ce_reasons)
    # Without 访惠聚-type service the page asks the applicant to make sure they qualify.
    unsure = evaluate(campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu"), "intermediate", "review",
                      profile(ce_exempt=True))
    assert any(r.ok is None and "请确认符合条件" in r.text for r in unsure.ce_reasons)


# -- materials ------------------------------------------------------------------------------------

def materials(code, level="intermediate", kind="review", **kw):
    person = promoted(D(2015, 1, 1), **kw) if level == "intermediate" and kind == "review" else profile(**kw)
    return {m.code: m for m in evaluate(campaign(code), specialty(code), level, kind, person).materials}


@pytest.mark.parametrize("code,has_it", [("bz-2023-jianzhu", True), ("bz-2024-zhijian", True),
                                         ("yq-2024-chuding", True), ("bz-2023-dangxiao", False),
                                         ("bz-2021-shihua", False)])
def test_social_insurance_proof_only_for_enterprises(reference, code, has_it):
    level, kind = ("junior", "initial") if code == "yq-2024-chuding" else ("intermediate", "review")
    for nature in ("state_enterprise", "private_enterprise"):
        assert ("social_insurance" in materials(code, level, kind, unit_nature=nature)) is has_it
    for nature in ("institution", "organ", "freelance"):
        assert "social_insurance" not in materials(code, level, kind, unit_nature=nature)
    if has_it:
        assert "社保缴费" in notice(code)
    else:
        assert "社保" not in notice(code)


@pytest.mark.parametrize("code", ["bz-2024-zhijian", "bz-2021-shihua"])
def test_aid_xinjiang_approval_only_for_aid_staff_where_the_notice_asks(reference, code):
    assert "正在援疆期间的专业技术人员，申报材料经派出单位" in notice(code)
    assert materials(code, aid_xinjiang=True)["aid_approval"].required is True
    assert "aid_approval" not in materials(code, aid_xinjiang=False)


def test_000_does_not_demand_an_aid_approval(reference):
    assert "援疆" not in notice("bz-2023-jianzhu")
    assert materials("bz-2023-jianzhu", aid_xinjiang=True)["aid_approval"].required is False


def test_003_political_form_only_for_freelancers(reference):
    assert "自由职业者申报职称，须按要求填写" in notice("bz-2024-zhijian")
    freelancer = materials("bz-2024-zhijian", unit_nature="freelance")
    assert freelancer["freelance_political"].required is True
    assert "附件7" in freelancer["freelance_political"].name
    for nature in ("institution", "state_enterprise", "private_enterprise"):
        assert "freelance_political" not in materials("bz-2024-zhijian", unit_nature=nature)


def test_004_private_enterprise_intermediate_needs_no_papers_but_two_works(reference):
    assert "民营企业参加中级以上职称评审的专业技术人员，论文不作为必备要求，提供2篇及以上" in notice("bz-2021-shihua")
    private = materials("bz-2021-shihua", unit_nature="private_enterprise")
    assert "paper_scan" not in private
    assert private["representative_works"].required and private["representative_works"].min_count == 2
    assert "evaluation_form" not in private  # 民营企业不需提供
    institution = materials("bz-2021-shihua", unit_nature="institution")
    assert institution["paper_scan"].required and "representative_works" not in institution
    assert "evaluation_form" in institution
    freelancer = materials("bz-2021-shihua", unit_nature="freelance")
    assert freelancer["paper_scan"].required  # the relief is for private enterprises only
    junior_private = materials("bz-2021-shihua", "junior", unit_nature="private_enterprise")
    assert junior_private["representative_works_junior"].required  # 中级以上 only
    assert "representative_works" not in junior_private


@pytest.mark.parametrize("code", ["yq-2024-chuding", "bz-2024-zhijian"])
def test_probation_summary_for_initial_determination(reference, code):
    initial = materials(code, "junior", "initial")
    assert initial["probation_summary"].required and initial["probation_summary"].section == "probation"
    if code == "bz-2024-zhijian":
        assert "probation_summary" not in materials(code, "junior", "review")
        assert "初次确定为实习期小结" in notice(code)
    else:
        assert "见习期工作小结" in notice(code)


@pytest.mark.parametrize("code,xinjiang,elsewhere,phrase", [
    ("bz-2023-jianzhu", 2, 3, "三项中的两项即可"),
    ("bz-2023-dangxiao", 2, 3, "三项中的两项即可"),
    ("bz-2024-zhijian", 1, 3, "上传“任职资格文件”或“职称证书”或“专业技术职务任职资格评审表”"),
    ("bz-2021-shihua", 1, 1, "任职资格文件或任职资格证书"),
])
def test_title_documents_count_by_where_the_title_was_obtained(reference, code, xinjiang, elsewhere, phrase):
    assert phrase in notice(code)
    assert materials(code, title_in_xinjiang=True)["title_docs"].min_count == xinjiang
    assert materials(code, title_in_xinjiang=False)["title_docs"].min_count == elsewhere
    assert "title_docs" not in materials(code, "junior", "review")  # no title yet


def test_initial_determination_asks_no_achievements_and_review_does(reference):
    assert "achievement_evidence" not in materials("bz-2023-jianzhu", "junior", "initial")
    assert "achievement_evidence" in materials("bz-2023-jianzhu", "junior", "review")


def test_materials_json_lists_required_and_optional(reference):
    verdict = evaluate(campaign("bz-2023-jianzhu"), specialty("bz-2023-jianzhu"), "junior", "review", profile())
    items = verdict.to_json()["materials"]
    assert {"code": "photo", "name": "近期一寸免冠照片", "required": True} in items
    assert any(m["code"] == "award_certificate" and m["required"] is False for m in items)


# -- fees -----------------------------------------------------------------------------------------

FEES = [("intermediate", "review", 380), ("junior", "review", 220), ("junior", "initial", 100),
        ("intermediate", "initial", 380), ("intermediate", "award", 380)]


# 003 takes review and 初定 only (no 授予); 002 sets no fee at all.
FEE_CASES = [(code, *fee) for code in sorted(set(SEED_FILES) - {"yq-2024-chuding"}) for fee in FEES
             if not (code == "bz-2024-zhijian" and fee[1] == "award")]


@pytest.mark.parametrize("code,level,kind,fee", FEE_CASES)
def test_fee_table_of_each_notice(reference, code, level, kind, fee):
    c = campaign(code)
    assert kind in c.kinds
    verdict = evaluate(c, specialty(code), level, kind, profile())
    assert verdict.fee == fee
    assert f"{fee}元/人" in verdict.fee_reason.text
    assert "初级220元/人" in verdict.fee_reason.clause.replace(" ", "")
    assert "中级380元/人" in notice(code) and "初级220元/人" in notice(code)


def test_002_sets_no_fee(reference):
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial", profile())
    assert verdict.fee is None and verdict.to_json()["fee"] is None
    assert "无需缴费" in verdict.fee_reason.text
    assert "元" not in notice("yq-2024-chuding")


# -- defense exemption ------------------------------------------------------------------------------

REVIEW_CODES = ["bz-2023-jianzhu", "bz-2023-dangxiao", "bz-2024-zhijian", "bz-2021-shihua"]


def defense(code, level="intermediate", kind="review", **kw):
    return evaluate(campaign(code), specialty(code), level, kind, promoted(D(2015, 1, 1), **kw))


@pytest.mark.parametrize("code,window", [("bz-2023-jianzhu", "2023年10月20日"), ("bz-2023-dangxiao", "2023年10月30日"),
                                         ("bz-2024-zhijian", "2024年10月8日—10月15日"),
                                         ("bz-2021-shihua", "2021年9月25日—9月27日")])
def test_an_ordinary_intermediate_applicant_defends(reference, code, window):
    verdict = defense(code)
    assert verdict.defense_exempt is False and verdict.defense_exempt_reasons == []
    assert window in verdict.defense_note and "地点另行通知" in verdict.defense_note


@pytest.mark.parametrize("code", REVIEW_CODES)
def test_junior_applicants_are_exempt(reference, code):
    verdict = defense(code, "junior")
    assert verdict.defense_exempt is True
    assert any("申报初级专业技术职务任职资格人员免于答辩" in r for r in verdict.defense_exempt_reasons)
    assert "申报初级专业技术职务任职资格人员免于答辩" in notice(code)


@pytest.mark.parametrize("code", REVIEW_CODES)
@pytest.mark.parametrize("county", ["且末县", "若羌县"])
def test_qiemo_and_ruoqiang_are_exempt(reference, code, county):
    verdict = defense(code, county=county)
    assert verdict.defense_exempt is True
    assert verdict.defense_grounds[0].text == f"在{county}工作。"
    assert "在且末县、若羌县工作的专业技术人员" in verdict.defense_grounds[0].clause
    assert "在且末县、若羌县工作的专业技术人员" in notice(code)
    assert defense(code, county="和静县").defense_exempt is False


@pytest.mark.parametrize("code", REVIEW_CODES)
@pytest.mark.parametrize("service", ["fanghuiju", "temple", "preschool", "inland", "first_secretary"])
def test_special_service_is_exempt(reference, code, service):
    verdict = defense(code, special_service=[service])
    assert verdict.defense_exempt is True
    (ground,) = verdict.defense_grounds
    assert ground.rule == "defense_service" and "深度贫困村第一书记" in ground.clause
    assert "深度贫困村第一书记等专业技术人" in notice(code)


@pytest.mark.parametrize("code", REVIEW_CODES)
def test_grassroots_below_county_is_exempt(reference, code):
    verdict = defense(code, grassroots_below_county=True)
    assert verdict.defense_exempt is True
    assert verdict.defense_grounds[0].text == "在县级以下基层单位工作。"
    # 000 writes 县级以上 (a slip the other notices do not make); the clause quotes it and says so.
    written = "县级以上基层单位" if code == "bz-2023-jianzhu" else "县级以下基层单位"
    assert written in verdict.defense_grounds[0].clause and written in notice(code)


@pytest.mark.parametrize("nature", ["private_enterprise", "freelance"])
def test_004_private_and_freelance_are_exempt_elsewhere_not(reference, nature):
    verdict = defense("bz-2021-shihua", unit_nature=nature)
    assert verdict.defense_exempt is True
    assert "民营企业和自由职业专业技术人员免于答辩" in verdict.defense_exempt_reasons[0]
    assert "民营企业和自由职业专业技术人员免于答辩" in notice("bz-2021-shihua")
    for code in ("bz-2023-jianzhu", "bz-2024-zhijian"):
        assert defense(code, unit_nature=nature).defense_exempt is False


def test_every_applicable_ground_is_listed(reference):
    verdict = defense("bz-2024-zhijian", "junior", county="若羌县", special_service=["fanghuiju", "preschool"],
                      grassroots_below_county=True)
    assert [g.rule for g in verdict.defense_grounds] == [
        "defense_junior", "defense_service", "defense_county", "defense_grassroots"]
    assert "“访惠聚”驻村、南疆学前教育支教" in verdict.defense_grounds[1].text
    assert len(verdict.to_json()["defense_exempt_reasons"]) == 4


def test_initial_determination_has_no_defense(reference):
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial", profile())
    assert verdict.defense_exempt is True
    assert verdict.defense_grounds[0].text == "初次确定不参加评审答辩。"
    assert verdict.defense_note == ""


def test_exemption_means_passed_or_average_score(reference):
    exempt = defense("bz-2023-jianzhu", county="且末县")
    assert "按通过现场答辩环节对待" in exempt.defense_note
    assert "现场答辩环节不实行量化赋分的，按照通过现场答辩环节对待" in exempt.defense_note_clause
    assert "现场答辩环节不实行量化赋分的，按照通过现场答辩环节对待" in notice("bz-2023-jianzhu")
    demo = campaign("demo")
    assert demo.defense_scored is True
    verdict = evaluate(demo, specialty("demo"), "intermediate", "review", promoted(D(2015, 1, 1), county="且末县"))
    assert "平均分" in verdict.defense_note


def test_defense_exemption_on_its_own_takes_a_level_code(reference):
    exempt, reasons = defense_exemption(campaign("bz-2021-shihua"), "intermediate", "review",
                                        profile(unit_nature="private_enterprise", county="且末县"))
    assert exempt is True and len(reasons) == 2
    assert not defense_exemption(campaign("bz-2021-shihua"), "intermediate", "review", profile())[0]


# -- procedure: who recommends (003's freelancer and competent-unit variants) ----------------------------

def test_003_freelancers_are_recommended_by_the_county_bureau_or_an_agency(reference):
    verdict = evaluate(campaign("bz-2024-zhijian"), specialty("bz-2024-zhijian"), "intermediate", "review",
                       promoted(D(2015, 1, 1), unit_nature="freelance"))
    (route,) = [n for n in verdict.notes if n.rule == "route_freelance"]
    phrase = "由县（市）人力资源和社会保障部门或人事代理机构履行审核、公示、推荐等程序"
    assert phrase in route.clause and phrase in notice("bz-2024-zhijian")


def test_003_units_go_through_their_competent_unit(reference):
    verdict = evaluate(campaign("bz-2024-zhijian"), specialty("bz-2024-zhijian"), "intermediate", "review",
                       promoted(D(2015, 1, 1)))
    (route,) = [n for n in verdict.notes if n.rule == "route_competent"]
    assert "主管单位" in route.text
    assert "个人报送材料一律不予受理" in route.clause and "个人报送材料一律不予受理" in notice("bz-2024-zhijian")
    chain = [n for n in verdict.notes if n.rule == "chain"][0]
    assert "推荐单位 → 县（市）人社局／主管单位 → 评审委员会" in chain.text and "严格按照修改意见修改后提交" in chain.text  # 003 四（三）: no hours


def test_002_chain_ends_at_the_county_bureau(reference):
    verdict = evaluate(campaign("yq-2024-chuding"), specialty("yq-2024-chuding"), "junior", "initial", profile())
    chain = [n for n in verdict.notes if n.rule == "chain"][0]
    assert "推荐单位 → 县（市）人社局／主管单位（" in chain.text and "评审委员会" not in chain.text
    assert not [n for n in verdict.notes if n.rule == "route_competent"]
