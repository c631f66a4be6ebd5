"""个人档案: validated without a campaign, kept only when valid, typed input re-rendered on errors;
officers have no profile pages."""

import pytest
from django.urls import reverse

from applications.forms import json_to_raw
from applications.models import ProfileSection
from applications.samples import sample_sections
from tests.factories import ApplicantFactory, UnitOfficerFactory


def flat(raw):
    return {k: v if len(v) != 1 else v[0] for k, v in raw.items()}


@pytest.fixture
def user(reference):
    return ApplicantFactory()


def test_profile_section_saves_valid_content(client, user):
    client.force_login(user)
    data = sample_sections(name=user.real_name, id_number=user.id_number, unit_name="某单位",
                           unit_nature="institution", county="库尔勒市", year=2026)["education"]
    response = client.post(reverse("applications:profile_section", args=["education"]),
                           flat(json_to_raw("education", data)))
    assert response.status_code == 302
    assert ProfileSection.objects.get(user=user, key="education").data == data
    page = client.get(reverse("applications:profile")).content.decode()
    assert "共 2 行" in page


def test_invalid_profile_input_is_shown_again_and_not_saved(client, user):
    client.force_login(user)
    response = client.post(reverse("applications:profile_section", args=["basic"]),
                           {"basic-name": "别人", "basic-ethnicity": "汉族"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "须与实名注册的姓名" in page and 'value="汉族"' in page
    assert not ProfileSection.objects.filter(user=user).exists()


def test_officers_have_no_profile(client, reference):
    client.force_login(UnitOfficerFactory())
    assert client.get(reverse("applications:profile")).status_code == 404
    assert client.get(reverse("applications:new")).status_code == 404
