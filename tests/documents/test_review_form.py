"""The review form rendered from a real accepted application: what committees check on paper."""

from __future__ import annotations

import datetime as dt

import pytest

from applications.enums import Kind, Section
from applications.models import ApplicationSection, Level
from applications.samples import fill_sample_application
from review.documents.facts import application_facts, application_for_documents
from review.documents.models import Document, DocumentStatus
from review.documents.review_form import render_review_form
from review.documents.services import DocumentRefused, review_form_render
from tests.factories import ApplicationFactory

from .conftest import A4_PORTRAIT, climb_to_accepted, page_sizes, page_texts, pdf_reader, pdftotext, squeeze


def test_review_form_is_even_a4_watermarked_with_name_and_photo(accepted_app, tmp_path):
    app = accepted_app
    document = review_form_render(application_id=app.pk)
    content = document.file.read()

    assert document.status == DocumentStatus.READY and document.is_current
    sizes = page_sizes(content)
    assert set(sizes) == {A4_PORTRAIT}
    assert len(sizes) % 2 == 0 and len(sizes) == document.pages
    committee = squeeze(app.campaign.committee.name)
    for number, text in enumerate(page_texts(content), start=1):
        flat = squeeze(text)
        # The watermark names the committee and the application code on every page …
        assert committee in flat and app.code in flat, f"watermark missing on page {number}"
        # … and every page carries the verification code and page x / y.
        assert document.display_verify_code in flat
        assert f"第{number}页/共{len(sizes)}页" in flat
    assert app.applicant.real_name in pdftotext(content, tmp_path)
    assert len(content) <= 500 * 1024


def test_review_form_prints_the_uploaded_photo_in_the_basic_section(accepted_app):
    content = review_form_render(application_id=accepted_app.pk).file.read()
    reader = pdf_reader(content)
    basic_pages = [p for p in reader.pages if "一、基本情况" in (p.extract_text() or "")]
    assert len(basic_pages) == 1
    images = basic_pages[0].images
    assert len(images) == 1
    photo = accepted_app.attachments.get(slot="photo")
    assert images[0].image.size == (photo.width, photo.height)


def test_every_section_is_printed(accepted_app):
    text = squeeze("".join(page_texts(review_form_render(application_id=accepted_app.pk).file.read())))
    for heading in ("一、基本情况", "二、学历学位", "三、专业技术资格", "四、工作经历", "五、实践能力、业绩成果",
                    "六、获奖情况", "七、知识产权", "八、论文著作", "九、任现职期间年度考核", "十、继续教育",
                    "十一、任现职以来个人工作总结", "十二、网上申报材料清单", "十三、本人承诺", "十四、推荐单位意见",
                    "十五、县（市）人社局意见", "十六、评审委员会意见"):
        assert squeeze(heading) in text
    # Section contents, not just headings: the sample's paper title, award and school.
    for value in ("寒旱地区砌体结构抗震加固技术探讨", "自治州优秀工程勘察设计奖", "新疆大学", "本单位已对提供的申报材料逐一审核"):
        assert value in text
    # The materials list names the unit's publicity scans, never their slot codes.
    assert "推荐单位公示" in text and "publicity" not in text


@pytest.mark.parametrize("summary_chars, work_rows", [(20, 1), (600, 2), (1400, 4), (2200, 8), (3000, 16)])
def test_page_count_is_even_whatever_the_length(accepted_app, summary_chars, work_rows):
    facts = application_facts(application_for_documents(accepted_app.pk))
    facts["summary"] = ("本人负责结构设计与施工技术管理，参与多项工程的图纸会审和质量验收。" * 100)[:summary_chars]
    facts["work_history"] = [{"period": f"{2000 + i}.01—{2000 + i}.12", "unit": "巴州建筑设计研究院",
                              "position": "技术员"} for i in range(work_rows)]
    rendered = render_review_form(facts, photo=None, verify_code="ABCDE-23456", verify_url="http://x.invalid/v/",
                                  generated_on=dt.date(2026, 9, 1))
    assert rendered.pages % 2 == 0
    assert set(page_sizes(rendered.content)) == {A4_PORTRAIT}


def test_blank_back_page_is_added_when_the_sections_end_on_a_front_page(accepted_app):
    """The opinion sheet starts on a front page; when the sections end on a front page too, a
    marked blank back page is inserted (seen at some summary length between 0 and 3000)."""
    facts = application_facts(application_for_documents(accepted_app.pk))
    seen_blank = False
    for chars in range(0, 3001, 500):
        facts["summary"] = ("任现职以来认真履行岗位职责。" * 300)[:chars] or "无"
        rendered = render_review_form(facts, photo=None, verify_code="ABCDE-23456",
                                      verify_url="http://x.invalid/v/", generated_on=dt.date(2026, 9, 1))
        assert rendered.pages % 2 == 0
        texts = page_texts(rendered.content)
        # The watermark is on every page, the inserted blank back page included.
        assert all(squeeze(facts["committee"]) in squeeze(t) and facts["code"] in t for t in texts)
        seen_blank |= any("此页无正文" in t for t in texts)
    assert seen_blank


def test_initial_determination_prints_the_review_form_with_the_probation_sections(reference, private_storage):
    """The demo campaign, like 000/001/002, names no other form for 初定 (only 003 八（三） asks for
    the 呈报表, see test_campaign_texts.py)."""
    app = ApplicationFactory(kind=Kind.INITIAL, level=Level.objects.get(code="junior"))
    climb_to_accepted(fill_sample_application(app))
    text = squeeze("".join(page_texts(review_form_render(application_id=app.pk).file.read())))
    assert "专业技术职务任职资格评审表" in text and "呈报表" not in text
    assert "见习期工作情况" in text and "见习期工作小结" in text


def test_not_yet_accepted_application_has_no_review_form(reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    with pytest.raises(DocumentRefused) as refused:
        review_form_render(application_id=app.pk)
    assert "尚未通过评审委员会形式审核" in refused.value.message
    assert not Document.objects.filter(application=app).exists()


def test_unchanged_data_keeps_the_version_and_code(accepted_app):
    first = review_form_render(application_id=accepted_app.pk)
    again = review_form_render(application_id=accepted_app.pk)
    assert again.pk == first.pk and again.verify_code == first.verify_code
    assert Document.objects.filter(application=accepted_app).count() == 1


def test_regenerating_after_edits_supersedes_the_old_code(accepted_app, client):
    first = review_form_render(application_id=accepted_app.pk)
    section = ApplicationSection.objects.get(application=accepted_app, key=Section.SUMMARY)
    section.data = {"text": "更正后的个人工作总结。"}
    section.save()
    second = review_form_render(application_id=accepted_app.pk)
    first.refresh_from_db()
    assert (second.version, first.version) == (2, 1)
    assert second.verify_code != first.verify_code
    assert second.is_current and not first.is_current and first.superseded_at is not None
    assert "更正后的个人工作总结" in "".join(page_texts(second.file.read()))

    old = client.get(f"/documents/verify/{first.display_verify_code}/")
    assert old.status_code == 200 and 'data-verdict="superseded"' in old.content.decode()
    assert "请以第 2 版为准" in old.content.decode()
    new = client.get(f"/documents/verify/{second.verify_code.lower()}/")
    assert 'data-verdict="current"' in new.content.decode()
