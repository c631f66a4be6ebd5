"""Uploads cheap on the web tier (issue 16 item 2): the request checks and stores the file as sent;
re-encoding, the thumbnail and OCR are the worker's, and the page shows the progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from applications.models import Attachment, Processing
from applications.processing import attachment_process
from tests.factories import ApplicationFactory

from .helpers import scan_bytes, sideways_photo

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def app(reference, private_storage):
    return ApplicationFactory()


@pytest.fixture
def owner(client, app):
    client.force_login(app.applicant)
    return client


def upload(client, app, data):
    return client.post(reverse("applications:upload", args=[app.code]),
                       {"slot": "diploma", "section": "education",
                        "file": SimpleUploadedFile("scan.jpg", data, "image/jpeg")}, **XHR)


def test_upload_request_does_not_re_encode_and_queues_the_worker(owner, app, django_capture_on_commit_callbacks):
    data = sideways_photo()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(owner, app, data)
    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(application=app)
    # Stored byte for byte as sent (no decode-and-encode in the request), no thumbnail yet.
    with attachment.file.open("rb") as handle:
        assert handle.read() == data
    assert not attachment.thumbnail and attachment.processing_status == Processing.PENDING
    assert (attachment.width, attachment.height) == (1240, 1754)  # upright size from the header and EXIF
    queued = [(c.task_name, c.task_kwargs) for c in callbacks if hasattr(c, "task_name")]
    assert queued == [("applications.process_upload", {"attachment_id": attachment.pk})]
    # OCR waits for the finished scan: the worker queues it.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_process(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    assert attachment.processing_status == Processing.DONE and attachment.thumbnail
    with attachment.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (1240, 1754) and not stored.getexif()
    names = [c.task_name for c in callbacks if hasattr(c, "task_name")]
    assert names == (["applications.ocr_propose"] if attachment.ocr_status == "pending" else [])


def test_the_page_shows_the_workers_progress(owner, app):
    response = upload(owner, app, scan_bytes())
    attachment = Attachment.objects.get(application=app)
    assert "正在处理图片" in response.json()["html"] and 'data-processing="pending"' in response.json()["html"]
    section = owner.get(reverse("applications:section", args=[app.code, "education"])).content.decode()
    assert "正在处理图片" in section
    status_url = reverse("applications:mask_status", args=[app.code, attachment.uid]) + "?html=1"
    assert status_url.replace("&", "&amp;") in section or status_url in section
    status = owner.get(status_url).json()
    assert status["processing_status"] == "pending" and "正在处理图片" in status["html"]
    attachment_process(attachment_id=attachment.pk)
    status = owner.get(status_url).json()
    assert status["processing_status"] == "done"
    assert "正在处理" not in status["html"] and reverse(
        "applications:attachment_file", args=[attachment.uid, "thumb"]) in status["html"]
    # Processing twice (the worker after the masking page did it) changes nothing.
    name = Attachment.objects.get(pk=attachment.pk).file.name
    attachment_process(attachment_id=attachment.pk)
    assert Attachment.objects.get(pk=attachment.pk).file.name == name


def test_the_sent_file_goes_once_the_re_encoded_copy_is_committed(owner, app, django_capture_on_commit_callbacks):
    upload(owner, app, sideways_photo())
    attachment = Attachment.objects.get(application=app)
    raw_name, storage = attachment.file.name, attachment.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        attachment_process(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    assert attachment.file.name != raw_name and not storage.exists(raw_name)  # its EXIF (GPS) is gone too
