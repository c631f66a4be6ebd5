"""Sections save on their own; nothing typed is lost: invalid input stays as a draft, autosave
keeps drafts without a click, the profile pre-fills new applications which then keep their copy."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from applications.enums import Section
from applications.forms import json_to_raw
from applications.models import (
    Application,
    ApplicationSection,
    Attachment,
    Campaign,
    Level,
    ProfileSection,
    Specialty,
)
from applications.samples import fill_sample_application, sample_scan, sample_sections
from applications.services import ApplicationLocked, ApplicationRefused, application_create, section_save
from review.services import application_transition
from tests.factories import ApplicantFactory, ApplicationFactory, UnitFactory


@pytest.fixture
def app(reference, private_storage):
    return ApplicationFactory()


def as_post(raw):
    return {k: v if len(v) != 1 else v[0] for k, v in raw.items()}


def test_invalid_save_keeps_everything_typed_and_shows_the_errors(client, app):
    client.force_login(app.applicant)
    raw = {"education-rows-TOTAL_FORMS": "1", "education-rows-INITIAL_FORMS": "0",
           "education-rows-0-school": "新疆大学", "education-rows-0-major": "", "education-rows-0-start": "2030-01-01"}
    response = client.post(reverse("applications:section", args=[app.code, "education"]), raw)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="新疆大学"' in page and "不得留空" in page and "不能晚于今天" in page
    section = ApplicationSection.objects.get(application=app, key="education")
    assert section.draft["education-rows-0-school"] == ["新疆大学"]
    assert not section.is_complete and section.errors["messages"]


def test_autosave_stores_the_draft_without_a_click(client, app):
    client.force_login(app.applicant)
    response = client.post(reverse("applications:autosave", args=[app.code, "summary"]),
                           {"summary-text": "半句话"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200 and response.json()["ok"]
    section = ApplicationSection.objects.get(application=app, key="summary")
    assert section.draft == {"summary-text": ["半句话"]} and section.is_complete
    page = client.get(reverse("applications:section", args=[app.code, "summary"])).content.decode()
    assert "半句话" in page and "最近保存" in page


def test_valid_save_updates_content_and_profile(client, app):
    client.force_login(app.applicant)
    user, unit = app.applicant, app.unit
    data = sample_sections(name=user.real_name, id_number=user.id_number, unit_name=unit.name,
                           unit_nature=unit.nature, county=unit.county.name, year=app.campaign.year)[Section.WORK_HISTORY]
    response = client.post(reverse("applications:section", args=[app.code, "work_history"]),
                           as_post(json_to_raw("work_history", data)))
    assert response.status_code == 302
    assert ApplicationSection.objects.get(application=app, key="work_history").data == data
    assert ProfileSection.objects.get(user=user, key="work_history").data == data


def test_profile_prefills_a_new_application_which_keeps_its_copy(reference, private_storage):
    first = fill_sample_application(ApplicationFactory())
    user = first.applicant
    for section in first.sections.filter(key__in=["education", "awards"]):
        ProfileSection.objects.create(user=user, key=section.key, data=section.data)
    campaign = first.campaign
    second = application_create(applicant=user, campaign=campaign, specialty=Specialty.objects.get(name="电力"),
                                level=Level.objects.get(code="intermediate"), kind="review", unit=first.unit)
    education = second.sections.get(key="education")
    assert education.is_complete and education.data == first.sections.get(key="education").data
    basic = second.sections.get(key="basic")  # from the registration: name, ID number, birth date, gender
    assert basic.draft["basic-name"] == [user.real_name] and basic.draft["basic-id_number"] == [user.id_number]
    ProfileSection.objects.filter(user=user, key="education").update(data={"rows": []})
    assert second.sections.get(key="education").data == first.sections.get(key="education").data


def test_duplicate_application_is_refused_with_a_pointer(reference):
    app = ApplicationFactory()

    with pytest.raises(ApplicationRefused) as refused:
        application_create(applicant=app.applicant, campaign=app.campaign, specialty=app.specialty, level=app.level,
                           kind=app.kind, unit=app.unit)
    assert "我的申报" in refused.value.message


def test_new_application_page_creates_a_draft(client, reference):
    user = ApplicantFactory()
    unit = UnitFactory()
    client.force_login(user)

    demo = Campaign.objects.get(code="demo")
    page = client.get(reverse("applications:new") + "?campaign=demo")
    assert page.status_code == 200 and "开始填写" in page.content.decode()
    response = client.post(reverse("applications:new"), {
        "campaign": "demo", "specialty": Specialty.objects.get(name="建筑").pk,
        "level": Level.objects.get(code="junior").pk, "kind": "review", "unit": unit.pk})
    app = Application.objects.get(applicant=user)
    assert response.status_code == 302 and response["Location"].endswith(f"/apply/{app.code}/")
    assert app.campaign == demo and app.state == "draft"


def test_deleting_an_award_row_moves_its_certificates(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    data = app.sections.get(key="awards").data
    second = {**data["rows"][0], "name": "第二个奖"}
    section_save(application=app, key="awards", raw=json_to_raw("awards", {"rows": [data["rows"][0], second]}))

    extra = Attachment(application=app, section="awards", slot="award_certificate", row=1, content_type="image/jpeg")
    extra.file.save("x.jpg", ContentFile(sample_scan("证书")), save=False)
    extra.needs_masking = False
    extra.save()
    client.force_login(app.applicant)
    raw = json_to_raw("awards", app.sections.get(key="awards").data)
    response = client.post(reverse("applications:section", args=[app.code, "awards"]),
                           {**as_post(raw), "_delete_row": "0"})
    assert response.status_code == 302
    assert [r["name"] for r in app.sections.get(key="awards").data["rows"]] == ["第二个奖"]
    assert list(app.attachments.filter(slot="award_certificate").values_list("pk", "row")) == [(extra.pk, 0)]


def test_submitted_application_cannot_be_changed(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    app.refresh_from_db()
    with pytest.raises(ApplicationLocked):
        section_save(application=app, key="summary", raw={"summary-text": ["改"]})
    client.force_login(app.applicant)
    response = client.post(reverse("applications:autosave", args=[app.code, "summary"]), {"summary-text": "改"})
    assert response.status_code == 409 and "不能修改" in response.json()["message"]
    page = client.get(reverse("applications:section", args=[app.code, "summary"])).content.decode()
    assert "<fieldset disabled>" in page


def test_new_application_takes_the_chosen_unit_over_the_profiles(reference, private_storage):
    first = fill_sample_application(ApplicationFactory())
    user = first.applicant
    ProfileSection.objects.create(user=user, key="basic", data=first.sections.get(key="basic").data)
    new_unit = UnitFactory(name="新单位", nature="state_enterprise")
    second = application_create(applicant=user, campaign=first.campaign, specialty=Specialty.objects.get(name="电力"),
                                level=Level.objects.get(code="intermediate"), kind="review", unit=new_unit)
    basic = second.sections.get(key="basic")
    assert basic.is_complete
    assert (basic.data["unit_name"], basic.data["unit_nature"]) == ("新单位", "state_enterprise")
    assert basic.data["ethnicity"] == first.sections.get(key="basic").data["ethnicity"]
