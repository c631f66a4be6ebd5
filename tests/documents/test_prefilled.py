"""The eight pre-filled templates of the notices, filled from a real application."""

from __future__ import annotations

import datetime as dt

import pytest

from applications.samples import fill_sample_application
from review.documents.facts import application_facts, application_for_documents
from review.documents.prefilled import TEMPLATES, render_prefilled
from tests.factories import ApplicationFactory, UnitFactory

from .conftest import A4_PORTRAIT, climb_to_accepted, page_sizes, page_texts, pdf_reader, squeeze

DAY = dt.date(2026, 9, 1)
# 2024 National Day: 1–7 October off, Sunday 29 September and Saturday 12 October worked: 5 working days.
PUBLICITY = {"publicity_start": "2024-09-27", "publicity_end": "2024-10-09"}


@pytest.fixture
def filled(reference, private_storage):
    competent = UnitFactory(name="巴州住房和城乡建设局（测试）")
    app = ApplicationFactory(unit=UnitFactory(name="巴州建筑设计研究院（测试）", competent_unit=competent))
    fill_sample_application(app, special_service=["fanghuiju"])
    climb_to_accepted(app, unit_data=PUBLICITY)
    loaded = application_for_documents(app.pk)
    photo = app.attachments.get(slot="photo").file.read()
    return app, application_facts(loaded), photo


def render(key, facts, photo=None):
    return render_prefilled(key, facts, generated_on=DAY, photo=photo)


def test_the_eight_keys_of_the_contract():
    """Eight from the notices' attachments and the 目录清单 of 003 五（六） (issue 15, P2-09)."""
    assert list(TEMPLATES) == ["publicity", "publicity_result", "recommendation", "commitment", "ce_exemption",
                               "authenticity_pledge", "review_responsibility", "freelance_political", "paper_list"]


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_each_template_is_one_a4_page_with_the_name(filled, key):
    app, facts, photo = filled
    pdf = render(key, facts, photo)
    assert pdf.pages == 1 and page_sizes(pdf.content) == [A4_PORTRAIT]
    assert app.applicant.real_name in page_texts(pdf.content)[0]


def test_publicity_fills_the_notice_text_and_masks_the_id_number(filled):
    app, facts, _photo = filled
    text = squeeze(page_texts(render("publicity", facts).content)[0])
    name = app.applicant.real_name
    assert f"关于{name}同志申报工程系列建筑专业中级职称的公示" in text
    assert f"现对{name}同志申报工程系列建筑专业中级专业技术任职资格进行公示" in text
    id_number = app.applicant.id_number
    assert f"{id_number[:6]}********{id_number[14:]}" in text and id_number not in text
    assert "公示时间从2024年9月27日起至2024年10月9日止（公示期不少于5个工作日）" in text
    assert "主持库尔勒市某住宅小区结构设计" in text  # 业绩成果 from the application


def test_publicity_result_states_the_days_it_ran(filled):
    """附件2 "在本单位公示××天": 2024年9月27日 to 10月9日 is 13 days (5 working days, which the unit's
    approval checked)."""
    app, facts, _photo = filled
    text = squeeze(page_texts(render("publicity_result", facts).content)[0])
    assert f"{app.applicant.real_name}同志申报材料于2024年9月27日至2024年10月9日在本单位公示13天" in text
    assert "巴州建筑设计研究院（测试）（公章）" in text


def test_recommendation_is_signed_by_the_competent_unit(filled):
    app, facts, _photo = filled
    text = squeeze(page_texts(render("recommendation", facts).content)[0])
    assert f"经审核，同意推荐{app.applicant.real_name}同志申报工程系列建筑专业中级专业技术任职资格" in text
    assert "巴州住房和城乡建设局（测试）（公章）" in text


def test_commitment_and_pledges_carry_the_notice_text(filled):
    app, facts, _photo = filled
    # The demo campaign has no 附件3 text of its own: it prints the sentence written by hand online.
    assert squeeze(app.campaign.commitment_text) in squeeze(page_texts(render("commitment", facts).content)[0])
    pledge = squeeze(page_texts(render("authenticity_pledge", facts).content)[0])
    assert "本人今年申报工程系列建筑专业（中级）专业技术职务任职资格评审" in pledge
    assert "签名和日期必须手写，不得打印" in pledge
    duty = squeeze(page_texts(render("review_responsibility", facts).content)[0])
    assert "兹保证本单位（系统）所属专业技术人员提交的职称申报材料" in duty and app.code in duty


def test_ce_exemption_names_the_service(filled):
    _app, facts, _photo = filled
    text = squeeze(page_texts(render("ce_exemption", facts).content)[0])
    assert "免除继续教育学习申请表" in text and "参加“访惠聚”驻村工作" in text
    assert "何时何学校何专业毕业" in text and "新疆大学" in text


def test_freelance_political_form_has_the_photo(filled):
    _app, facts, photo = filled
    pdf = render("freelance_political", facts, photo)
    text = squeeze(page_texts(pdf.content)[0])
    assert f"巴州{facts['year']}年度自由职业专业技术人员职称评审" in text and "常住地辖区派出所意见" in text
    assert len(pdf_reader(pdf.content).pages[0].images) == 1


def test_003_paper_list_pdf_lists_the_items_that_apply(reference, private_storage):
    """003 五（六） "用纸质档案袋封装，并附目录清单": the 16 paper items numbered on one A4 page, with
    the copy-certification rule of 五（一） as a note."""
    from applications.models import Campaign, Level, Specialty

    app = ApplicationFactory(campaign=Campaign.objects.get(code="bz-2024-zhijian"),
                             level=Level.objects.get(code="intermediate"),
                             specialty=Specialty.objects.get(series__name="工程系列", name="质量技术监督"))
    fill_sample_application(app)
    facts = application_facts(application_for_documents(app.pk))
    assert len(facts["paper_items"]) == 16
    pdf = render("paper_list", facts)
    assert pdf.pages == 1 and page_sizes(pdf.content) == [A4_PORTRAIT]
    # One page whatever the factory's random names: the longest unit and name still fit.
    longest = {**facts, "unit": "巴音郭楞蒙古自治州市场监督管理局质量技术监督检验检测综合服务中心第二分中心",
               "basic": {**facts["basic"], "name": "阿依古丽·买买提艾力·阿卜杜热合曼"}}
    assert render("paper_list", longest).pages == 1
    text = squeeze(page_texts(pdf.content)[0])
    assert "纸质材料目录清单" in text and app.code in text
    assert "1现实表现政治鉴定材料" in text and "16《申报人员花名册》" in text
    assert "已审核，与原件相符" in text and "经办人（签名）" in text
    # 八（三）: the 呈报表 is for 初定 only, struck out as 不适用 for a review applicant (P2-08) …
    assert facts["paper_items_not_applicable"] == ["《初聘专业技术职务任职资格呈报表》一式两份"] and "不适用" in text
    # … and the only item (with the roster) of an 初定 applicant.
    initial = ApplicationFactory(campaign=app.campaign, level=Level.objects.get(code="junior"), kind="initial",
                                 specialty=app.specialty)
    fill_sample_application(initial)
    assert application_facts(application_for_documents(initial.pk))["paper_items"] == [
        "《初聘专业技术职务任职资格呈报表》一式两份", "《申报人员花名册》"]
