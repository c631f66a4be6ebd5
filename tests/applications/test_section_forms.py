"""Form rules of the notices, enforced on the server (SPEC §4), and the sample content passing them."""

import datetime as dt

import pytest
from django.utils import timezone

from applications.enums import Section
from applications.forms import SPECS, SectionContext, SectionEditor, json_to_raw
from applications.models import Campaign, Specialty
from applications.samples import fill_sample_application, sample_sections
from tests.factories import ApplicationFactory, valid_id_number


@pytest.fixture
def app(reference):
    return ApplicationFactory()


def editor_for(app, key, data):
    return SectionEditor(key, context=SectionContext(user=app.applicant, application=app), raw=json_to_raw(key, data))


def sample(app, **overrides):
    user, unit = app.applicant, app.unit
    return sample_sections(name=user.real_name, id_number=user.id_number, unit_name=unit.name,
                           unit_nature=unit.nature, county=unit.county.name, year=app.campaign.year,
                           level_code=app.level.code, **overrides)


def test_sample_content_passes_every_section_form(app):
    for key, content in sample(app).items():
        editor = editor_for(app, key, content)
        assert editor.is_valid(), (key, editor.error_messages())
        assert editor.to_json() == content, key


def test_sample_application_sections_round_trip(app, private_storage):
    fill_sample_application(app)
    for section in app.sections.all():
        editor = editor_for(app, section.key, section.data)
        assert editor.is_valid(), (section.key, editor.error_messages())
        assert editor.to_json() == section.data


def errors(app, key, data):
    editor = editor_for(app, key, data)
    assert not editor.is_valid()
    return " ".join(editor.error_messages())


def test_blank_fields_ask_for_wu(app):
    data = sample(app)[Section.EDUCATION]
    data["rows"][1]["degree"] = ""
    assert "请填写“无”" in errors(app, Section.EDUCATION, data)
    data["rows"][1]["degree"] = "/"
    assert "请写“无”" in errors(app, Section.EDUCATION, data)
    data["rows"][1]["degree"] = "无"
    assert editor_for(app, Section.EDUCATION, data).is_valid()


def test_education_must_run_from_lowest_to_highest(app):
    data = sample(app)[Section.EDUCATION]
    data["rows"].reverse()
    message = errors(app, Section.EDUCATION, data)
    assert "从低到高" in message and "本科" in message and "大专" in message


def test_work_history_must_join_without_gap_or_overlap(app):
    data = sample(app)[Section.WORK_HISTORY]
    first_end = dt.date.fromisoformat(data["rows"][0]["end"])
    gap = dict(data, rows=[data["rows"][0], {**data["rows"][1], "start": (first_end + dt.timedelta(days=40)).isoformat()}])
    message = errors(app, Section.WORK_HISTORY, gap)
    assert "空档" in message and (first_end + dt.timedelta(days=1)).isoformat() in message
    overlap = dict(data, rows=[data["rows"][0], {**data["rows"][1], "start": (first_end - dt.timedelta(days=30)).isoformat()}])
    assert "重叠" in errors(app, Section.WORK_HISTORY, overlap)
    open_middle = dict(data, rows=[{**data["rows"][0], "end": None}, data["rows"][1]])
    assert "只有最后一段" in errors(app, Section.WORK_HISTORY, open_middle)


def test_birth_date_and_gender_must_agree_with_the_id_number(app):
    data = sample(app)[Section.BASIC]
    wrong = dict(data, birth_date="1991-02-03", gender="female" if data["gender"] == "male" else "male")
    message = errors(app, Section.BASIC, wrong)
    assert "出生日期与身份证号码不一致" in message and data["birth_date"] in message
    assert "性别与身份证号码不一致" in message


def test_id_number_must_be_the_registered_one(app):
    data = sample(app)[Section.BASIC]
    other = valid_id_number()
    assert "实名注册" in errors(app, Section.BASIC, dict(data, id_number=other))
    assert "校验位" in errors(app, Section.BASIC, dict(data, id_number=data["id_number"][:17] + ("0" if data["id_number"][17] != "0" else "1")))


def test_dates_may_not_lie_in_the_future(app):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = sample(app)[Section.AWARDS]
    data["rows"][0]["date"] = tomorrow
    assert "不能晚于今天" in errors(app, Section.AWARDS, data)


def test_work_summary_limited_to_3000_characters_in_notice_003(reference):
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    assert campaign.summary_max_chars == 3000
    app = ApplicationFactory(campaign=campaign, specialty=Specialty.objects.get(name="质量技术监督"))
    assert editor_for(app, Section.SUMMARY, {"text": "字" * 3000}).is_valid()
    # Spaces and line breaks are not characters of the text.
    assert editor_for(app, Section.SUMMARY, {"text": "字" * 1500 + "\n \n" + "字" * 1500}).is_valid()
    message = errors(app, Section.SUMMARY, {"text": "字" * 3001})
    assert "不能超过3000字" in message and "现为3001字" in message


def test_evaluations_need_the_campaigns_years_notice_003(reference):
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    assert campaign.evaluation_years == [2021, 2022, 2023]
    app = ApplicationFactory(campaign=campaign, specialty=Specialty.objects.get(name="质量技术监督"))
    rows = [{"year": 2021, "result": "qualified"}, {"year": 2023, "result": "excellent"}]
    assert "缺少2022年度" in errors(app, Section.EVALUATIONS, {"rows": rows})
    rows.append({"year": 2023, "result": "qualified"})
    assert "2023年度填写了多次" in errors(app, Section.EVALUATIONS, {"rows": rows})
    assert editor_for(app, Section.EVALUATIONS, {"rows": [
        {"year": y, "result": "qualified"} for y in (2021, 2022, 2023)]}).is_valid()


def test_optional_section_takes_an_explicit_wu(app):
    context = SectionContext(user=app.applicant, application=app)
    blank = SectionEditor("awards", context=context, raw=json_to_raw("awards", {}))
    assert not blank.is_valid() and "勾选“无”" in " ".join(blank.error_messages())
    none = SectionEditor("awards", context=context, raw={**json_to_raw("awards", {}), "awards-none": ["on"]})
    assert none.is_valid() and none.to_json() == {"rows": []}
    both = json_to_raw("awards", sample(app)[Section.AWARDS])
    both["awards-none"] = ["on"]
    assert "已勾选“无”" in " ".join(SectionEditor("awards", context=context, raw=both).error_messages())


def test_blank_row_in_the_middle_is_an_error(app):
    raw = json_to_raw("education", sample(app)[Section.EDUCATION])
    # Move row 1 to index 2 and leave index 1 blank.
    for name in list(raw):
        if name.startswith("education-rows-1-"):
            raw[name.replace("-1-", "-2-")] = raw.pop(name)
    raw["education-rows-TOTAL_FORMS"] = ["3"]
    editor = SectionEditor("education", context=SectionContext(user=app.applicant, application=app), raw=raw)
    assert "第2行是空的" in " ".join(editor.error_messages())


def test_every_section_has_a_chinese_label_on_every_field():
    for spec in SPECS.values():
        for form in (spec.head, spec.row_form):
            if form is None:
                continue
            for name, field in form.base_fields.items():
                assert any("\u4e00" <= ch <= "\u9fff" for ch in str(field.label)), (spec.key, name)


def test_002_aid_xinjiang_must_be_answered_yes_or_no(reference):
    """002 五（一）3: "“是否援疆”一栏是否按要求填写“是”或“否”" — a blank answer is refused, either
    answer is kept."""
    from applications.models import Campaign, Level, Specialty

    app = ApplicationFactory(campaign=Campaign.objects.get(code="yq-2024-chuding"), kind="initial",
                             level=Level.objects.get(code="junior"),
                             specialty=Specialty.objects.get(series__name="工程系列", name="电力"))
    data = sample(app)[Section.BASIC]
    data["aid_xinjiang"] = None
    assert "请选择“是”或“否”" in errors(app, Section.BASIC, data)
    for answer in (True, False):
        editor = editor_for(app, Section.BASIC, {**data, "aid_xinjiang": answer})
        assert editor.is_valid() and editor.to_json()["aid_xinjiang"] is answer
