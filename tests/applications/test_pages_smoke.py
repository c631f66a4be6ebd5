"""Every applicant page renders for its owner (a quick net under the detailed tests)."""

import pytest
from django.urls import reverse

from applications.enums import Section
from applications.samples import fill_sample_application
from tests.factories import ApplicationFactory


@pytest.fixture
def app(reference, private_storage):
    return fill_sample_application(ApplicationFactory())


def test_every_page_renders(client, app):
    client.force_login(app.applicant)
    names = ["overview", "checklist", "preview", "masking"]
    for name in names:
        response = client.get(reverse(f"applications:{name}", args=[app.code]))
        assert response.status_code == 200, name
    for key in Section.values:
        response = client.get(reverse("applications:section", args=[app.code, key]))
        assert response.status_code in (200, 404), key
    attachment = app.attachments.filter(content_type="image/jpeg").first()
    assert client.get(reverse("applications:mask", args=[app.code, attachment.uid])).status_code == 200
    assert client.get(reverse("applications:profile")).status_code == 200
    assert client.get(reverse("applications:profile_section", args=["education"])).status_code == 200
    assert client.get(reverse("applications:new")).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
