"""One exception base for every refusal, handled in one place: a Chinese page with the way back,
or JSON for the page's own script, with the refusal's status."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.services import ApplicationLocked, ApplicationRefused, MaskingRefused
from applications.uploads import UploadRefused
from portal.errors import Conflict, Forbidden, NotFound, RefusalMiddleware, Refused
from review.aftercare.permissions import RecordRefused
from review.documents.services import DocumentRefused
from review.services import TransitionRefused
from tests.applications.helpers import png_bytes
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_every_refusal_of_the_portal_is_a_refused_with_its_status():
    for refusal, status in ((TransitionRefused("x"), 409), (RecordRefused("x"), 409), (ApplicationLocked("x"), 409),
                            (ApplicationRefused("x"), 400), (MaskingRefused("x"), 400), (DocumentRefused("x"), 400),
                            (UploadRefused("x", "broken"), 400), (Forbidden("x"), 403), (NotFound("x"), 404),
                            (Conflict("x"), 409)):
        assert isinstance(refusal, Refused) and refusal.status == status and refusal.message == "x"


def _handled(rf, refusal, **headers):
    request = rf.post("/somewhere/", **headers)
    request.user = AnonymousUser()
    return RefusalMiddleware(lambda r: None).process_exception(request, refusal)


def test_a_page_in_chinese_with_the_status_and_the_way_back(rf, reference):
    response = _handled(rf, TransitionRefused("该申报已被他人处理"), HTTP_REFERER="http://testserver/review/queue/")
    page = response.content.decode()
    assert response.status_code == 409 and "无法办理" in page and "该申报已被他人处理" in page
    assert 'href="http://testserver/review/queue/"' in page and "没有做任何修改" in page
    foreign = _handled(rf, Refused("x"), HTTP_REFERER="https://elsewhere.example/")
    assert "elsewhere.example" not in foreign.content.decode()  # no way "back" to another site


def test_json_for_the_pages_script(rf):
    response = _handled(rf, UploadRefused("文件是空的", "empty"), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 400
    assert json.loads(response.content) == {"ok": False, "message": "文件是空的", "code": "empty"}


def test_other_exceptions_are_not_its_business(rf):
    assert _handled(rf, ValueError("bug")) is None


def test_through_a_real_view(client, reference, private_storage):
    app = ApplicationFactory()
    client.force_login(app.applicant)
    response = client.post(reverse("applications:upload", args=[app.code]),
                           {"slot": "diploma", "file": SimpleUploadedFile("d.jpg", png_bytes(), "image/jpeg")},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 400 and response.json()["code"] == "not_jpeg"
    assert "不是JPG图片" in response.json()["message"]
