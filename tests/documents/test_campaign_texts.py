"""Words a campaign prints on paper, each the notice's own (issue 15): the form's title, the opinion
written by hand on it, the publicity's opening words, the commitment.  Checked in the HTML the
renderer lays out (the PDF tests in test_review_form.py / test_prefilled.py cover the layout)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from applications.enums import Kind
from applications.models import Campaign, Level, Specialty
from review.documents.facts import application_facts, application_for_documents
from review.documents.prefilled import prefilled_html
from review.documents.review_form import review_form_html
from tests.applications.rules_support import notice
from tests.factories import ApplicationFactory

DAY = dt.date(2024, 9, 1)


def facts_for(code: str, specialty: str, *, level: str = "junior", kind: str = Kind.REVIEW,
              series: str = "工程系列", **extra) -> dict:
    app = ApplicationFactory(campaign=Campaign.objects.get(code=code), kind=kind,
                             specialty=Specialty.objects.get(series__name=series, name=specialty),
                             level=Level.objects.get(code=level))
    return {**application_facts(application_for_documents(app.pk)), **extra}


def text_of(html: str) -> str:
    """The words a reader sees: tags and whitespace removed."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html.split("<body", 1)[-1]))


def review_form_text(facts: dict) -> str:
    return text_of(review_form_html(facts, photo=None, verify_code="ABCDE-23456", verify_url="http://x.invalid/v/",
                                    generated_on=DAY, version=1))


def prefilled_text(key: str, facts: dict) -> str:
    return text_of(prefilled_html(key, facts, generated_on=DAY))


def test_002_initial_determination_prints_the_review_form(reference):
    """002 五（三）1: "由申报人打印《专业技术职务任职资格评审表》" — not 003's 呈报表."""
    text = review_form_text(facts_for("yq-2024-chuding", "电力", kind=Kind.INITIAL))
    assert "专业技术职务任职资格评审表" in text and "呈报表" not in text
    assert "打印《专业技术职务任职资格评审表》" in notice("yq-2024-chuding")


def test_003_initial_determination_prints_the_chengbao_form_and_review_the_review_form(reference):
    """003 八（三）: 初定 "提供纸质材料：《初聘专业技术职务任职资格呈报表》一式两份"; 评审 五（五）: 评审表."""
    initial = review_form_text(facts_for("bz-2024-zhijian", "质量技术监督", kind=Kind.INITIAL))
    assert "初聘专业技术职务任职资格呈报表" in initial
    review = review_form_text(facts_for("bz-2024-zhijian", "质量技术监督"))
    assert "专业技术职务任职资格评审表" in review and "呈报表" not in review
    assert "《初聘专业技术职务任职资格呈报表》一式两份" in notice("bz-2024-zhijian")


@pytest.mark.parametrize("code, specialty", [("bz-2023-jianzhu", "建筑"), ("bz-2021-shihua", "电力")])
def test_other_notices_print_the_review_form_for_initial_determination(reference, code, specialty):
    text = review_form_text(facts_for(code, specialty, kind=Kind.INITIAL))
    assert "专业技术职务任职资格评审表" in text and "呈报表" not in text


def test_003_paper_opinion_differs_from_the_online_opinion(reference):
    """003 五（五）: both boxes on paper read "本单位已对提供的申报材料逐一审核，真实准确，同意推荐";
    online (五（二）) the unit records "…真实、完整、有效，同意推荐"."""
    facts = facts_for("bz-2024-zhijian", "质量技术监督", level="intermediate")
    assert facts["unit_opinion_text"] == "本单位已对提供的申报材料逐一审核，真实、完整、有效，同意推荐"
    text = review_form_text(facts)
    assert text.count("（手工填写：“本单位已对提供的申报材料逐一审核，真实准确，同意推荐”）") == 2
    assert "真实、完整、有效，同意推荐" not in text
    assert "意见栏手工填写“本单位已对提供的申报材料逐一审核，真实准确，同意推荐”" in notice("bz-2024-zhijian")


def test_publicity_opens_with_its_notices_words(reference):
    """附件1: 000 "根据自治区职称评审工作的要求"; 003 "根据自治州职称评审的工作要求"."""
    assert "根据自治区职称评审工作的要求，现对" in prefilled_text("publicity", facts_for("bz-2023-jianzhu", "建筑"))
    text = prefilled_text("publicity", facts_for("bz-2024-zhijian", "质量技术监督"))
    assert "根据自治州职称评审的工作要求，现对" in text and "自治区" not in text
    assert "根据自治州职称评审的工作要求" in notice("bz-2024-zhijian")


def test_publicity_result_states_the_days_of_the_period(reference):
    """附件2: "在本单位公示××天" — days, as the period printed beside them (9月2日—9月8日: 7天)."""
    facts = facts_for("bz-2023-jianzhu", "建筑", publicity_start="2023-09-02", publicity_end="2023-09-08")
    text = prefilled_text("publicity_result", facts)
    assert "于2023年9月2日至2023年9月8日在本单位公示7天" in text and "工作日" not in text
    assert "在本单位公示××天" in notice("bz-2023-jianzhu")


@pytest.mark.parametrize("code, series, specialty", [("bz-2023-jianzhu", "工程系列", "建筑"),
                                                      ("bz-2023-dangxiao", "党干校教师系列", "党干校教师")])
def test_000_001_commitment_template_is_attachment_3(reference, code, series, specialty):
    """附件3 个人承诺书: "本人承诺以上填报的内容和提交的材料完全真实有效…从申报年度下一年起3年内"; the
    applicant still writes 五（一）14's sentence by hand online (``Campaign.commitment_text``)."""
    facts = facts_for(code, specialty, series=series)
    text = prefilled_text("commitment", facts)
    assert "本人承诺以上填报的内容和提交的材料完全真实有效，且网上填报与送审报表内容一致。" in text
    assert "并从申报年度下一年起3年内，不得申报专业技术资格。" in text
    assert "本人承诺以上填报的内容和提交的材料完全真实有效" in notice(code)
    assert facts["commitment_text"].startswith("本人承诺以上填报内容和提交的材料真实有效")


def test_004_commitment_says_five_years_everywhere_it_is_printed(reference):
    """004 七（一）: "个人五年内不得申报相应职称评审"; the form and the template print it, not "3年内"."""
    facts = facts_for("bz-2021-shihua", "电力", level="intermediate")
    for text in (review_form_text(facts), prefilled_text("commitment", facts)):
        assert "个人五年内不得申报相应职称评审" in text and "3年内" not in text


def test_000_publicity_title_and_result_words(reference):
    """000 附件1 "推荐单位公示（模板）", 附件2 "推荐单位公示结果（模板）" … "公示无异议，未收到投诉、举报，
    申报材料真实、完整、有效"; 003 keeps its own "关于…的公示" and "公示期间无投诉、举报，公示无异议"."""
    assert "公示无异议，未收到投诉、举报，申报材料真实、完整、有效" in notice("bz-2023-jianzhu")
    facts = facts_for("bz-2023-jianzhu", "建筑", publicity_start="2023-09-02", publicity_end="2023-09-08")
    assert prefilled_text("publicity", facts).lstrip(">").startswith("推荐单位公示根据")
    result = prefilled_text("publicity_result", facts)
    assert result.lstrip(">").startswith("推荐单位公示结果") and "公示7天，公示无异议，未收到投诉、举报，申报材料真实、完整、有效，同意推荐" in result
    facts = facts_for("bz-2024-zhijian", "质量技术监督", publicity_start="2024-09-02", publicity_end="2024-09-08")
    assert prefilled_text("publicity", facts).lstrip(">").startswith("关于")
    result = prefilled_text("publicity_result", facts)
    assert result.lstrip(">").startswith("关于") and "公示期间无投诉、举报，公示无异议，申报材料真实、完整、有效" in result
    assert "公示期间无投诉、举报，公示无异议，申报材料真实、完整、有效" in notice("bz-2024-zhijian")


def test_003_commitment_box_closes_the_summary(reference):
    """003 五（五） "本人在“任现职后主要专业技术工作业绩登记（或个人总结）”栏的最后填写如下承诺语": the
    handwriting box follows section 十一, before 十二; 十三 keeps the signature only.  000 keeps 十三."""
    text = review_form_text(facts_for("bz-2024-zhijian", "质量技术监督", level="intermediate"))
    summary, commitment, materials = (text.index("十一、任现职以来个人工作总结"), text.index("请在本栏最后手写以下承诺语"),
                                      text.index("十二、网上申报材料清单"))
    assert summary < commitment < materials and "五年内不得申报相应职称评审" in text[commitment:materials]
    assert "承诺语已在第十一栏最后手写" in text[text.index("十三、本人承诺"):]
    other = review_form_text(facts_for("bz-2023-jianzhu", "建筑", level="intermediate"))
    assert "请在本栏最后手写以下承诺语" not in other and "请在下方空白处手写以下承诺语" in other


def test_003_review_form_page_count_stays_even(reference):
    from review.documents.review_form import render_review_form

    for chars in (20, 1400, 3000):
        facts = facts_for("bz-2024-zhijian", "质量技术监督", level="intermediate")
        facts["summary"] = ("本人负责质量技术监督检验检测工作，参与计量器具检定和标准化管理。" * 100)[:chars]
        rendered = render_review_form(facts, photo=None, verify_code="ABCDE-23456",
                                      verify_url="http://x.invalid/v/", generated_on=DAY)
        assert rendered.pages % 2 == 0


def test_003_freelancer_resume_starts_at_high_school(reference, private_storage):
    """003 附件7 "（简历从高中填起）": a 高中 row can be entered (first, 从低到高) and the resume prints
    it first; the highest diploma stays the 本科."""
    from applications.forms import SectionEditor, json_to_raw
    from applications.samples import fill_sample_application
    from applications.services import section_context

    assert "简历从高中填起" in notice("bz-2024-zhijian")
    app = ApplicationFactory(campaign=Campaign.objects.get(code="bz-2024-zhijian"), kind=Kind.REVIEW,
                             specialty=Specialty.objects.get(series__name="工程系列", name="质量技术监督"),
                             level=Level.objects.get(code="intermediate"))
    fill_sample_application(app, with_files=False, unit_nature="freelance")
    section = app.sections.get(key="education")
    high = {"level": "high_school", "full_time": True, "school": "库尔勒市第二中学", "major": "无", "degree": "无",
            "start": "2003-09-01", "graduated": "2006-07-01", "south_xinjiang_graduate": False}
    rows = [high, *section.data["rows"]]
    editor = SectionEditor("education", context=section_context(app), raw=json_to_raw("education", {"rows": rows}))
    assert editor.is_valid()
    section.data = {**section.data, "rows": rows}
    section.save()
    facts = application_facts(application_for_documents(app.pk))
    text = prefilled_text("freelance_political", facts)
    resume = text[text.index("（简历从高中填起）"):]
    assert resume.index("库尔勒市第二中学") < resume.index("新疆大学") and "（高中）" in resume
    assert facts["highest_education"] == "本科"
