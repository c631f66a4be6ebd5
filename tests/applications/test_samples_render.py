"""Sample content (demo and tests) must open in the real editor exactly like typed content."""

import pytest
from django.urls import reverse

from applications.enums import Section
from applications.samples import fill_sample_application
from tests.factories import ApplicationFactory


@pytest.mark.parametrize("key", [Section.EDUCATION, Section.WORK_HISTORY, Section.CE, Section.BASIC])
def test_sample_sections_open_in_the_editor_with_their_rows(client, reference, private_storage, key):
    app = fill_sample_application(ApplicationFactory())
    client.force_login(app.applicant)
    page = client.get(reverse("applications:section", args=[app.code, key])).content.decode()
    assert "隐藏字段" not in page and "这个字段是必填项" not in page  # no management-form errors
    expected = {Section.EDUCATION: "新疆大学", Section.WORK_HISTORY: "项目技术负责人",
                Section.CE: "新疆专业技术人员继续教育平台", Section.BASIC: app.applicant.real_name}[key]
    assert expected in page


def test_sample_scans_have_thumbnails_served_to_their_owner(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    client.force_login(app.applicant)
    diploma = app.attachments.get(slot="diploma")
    assert diploma.thumbnail and diploma.sha256
    response = client.get(reverse("applications:attachment_file", args=[diploma.uid, "thumb"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
