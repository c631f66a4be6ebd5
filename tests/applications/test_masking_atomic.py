"""Masking changes are atomic: a refused or failed change leaves the previous masked copy on disk,
referenced and served; a successful one deletes the previous copy only after the commit."""

import json

import pytest
from django.urls import reverse

from applications import services
from applications.samples import fill_sample_application
from applications.services import MaskingRefused, attachment_set_masking
from tests.factories import ApplicationFactory

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def masked_diploma(client, reference, private_storage):
    """A draft whose diploma already has a masked copy (a box over the name)."""
    app = fill_sample_application(ApplicationFactory())
    client.force_login(app.applicant)
    diploma = app.attachments.get(slot="diploma")
    assert diploma.needs_masking is True and diploma.masked
    return app, diploma


def served(client, attachment, variant="review") -> bytes:
    response = client.get(reverse("applications:attachment_file", args=[attachment.uid, variant]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_yes_without_boxes_keeps_the_existing_masked_copy(client, masked_diploma):
    app, diploma = masked_diploma
    before_name, before_bytes = diploma.masked.name, stored(diploma.masked)
    response = client.post(reverse("applications:mask", args=[app.code, diploma.uid]),
                           {"needs_masking": "1", "boxes": "[]"}, **XHR)
    assert response.status_code == 400 and "框出本人姓名" in response.json()["message"]
    diploma.refresh_from_db()
    assert diploma.masked.name == before_name and diploma.needs_masking is True
    assert diploma.masked.storage.exists(before_name)
    assert served(client, diploma) == before_bytes


def test_a_crash_while_burning_leaves_the_old_copy(client, masked_diploma, monkeypatch):
    app, diploma = masked_diploma
    before_name, before_bytes = diploma.masked.name, stored(diploma.masked)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "burn_mask_boxes", broken)
    with pytest.raises(OSError):
        attachment_set_masking(attachment=diploma, needs_masking=True, boxes=[[10, 10, 200, 200]])
    diploma.refresh_from_db()
    assert diploma.masked.name == before_name and diploma.mask_boxes == [[100, 285, 700, 90]]
    assert served(client, diploma) == before_bytes


def test_a_failure_after_writing_rolls_back_and_drops_the_new_copy(client, masked_diploma, monkeypatch):
    app, diploma = masked_diploma
    before_name, before_bytes = diploma.masked.name, stored(diploma.masked)
    storage = diploma.masked.storage
    directory = before_name.rsplit("/", 1)[0]
    files_before = set(storage.listdir(directory)[1])

    def audit_fails(*args, **kwargs):
        raise RuntimeError("audit table locked")

    monkeypatch.setattr(services, "audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        attachment_set_masking(attachment=diploma, needs_masking=True, boxes=[[10, 10, 200, 200]])
    diploma.refresh_from_db()
    assert diploma.masked.name == before_name
    assert set(storage.listdir(directory)[1]) == files_before  # no orphan copy left behind
    assert served(client, diploma) == before_bytes


def test_new_copy_replaces_the_old_one_which_goes_after_commit(client, masked_diploma,
                                                                django_capture_on_commit_callbacks):
    app, diploma = masked_diploma
    old_name = diploma.masked.name
    storage = diploma.masked.storage
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("applications:mask", args=[app.code, diploma.uid]),
                               {"needs_masking": "1", "boxes": json.dumps([[50, 50, 300, 300]])}, **XHR)
        assert response.status_code == 200
    diploma.refresh_from_db()
    assert diploma.masked.name != old_name and storage.exists(diploma.masked.name)
    assert storage.exists(old_name)  # not yet committed: the old copy is still there
    for callback in callbacks:
        callback()
    assert not storage.exists(old_name) and storage.exists(diploma.masked.name)


def test_answer_no_deletes_the_masked_copy_only_after_commit(masked_diploma, django_capture_on_commit_callbacks):
    _app, diploma = masked_diploma
    old_name = diploma.masked.name
    storage = diploma.masked.storage
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_set_masking(attachment=diploma, needs_masking=False)
    assert storage.exists(old_name)
    for callback in callbacks:
        callback()
    assert not storage.exists(old_name)


def test_refused_garbage_boxes_change_nothing(masked_diploma):
    _app, diploma = masked_diploma
    before = (diploma.masked.name, diploma.mask_boxes)
    with pytest.raises(MaskingRefused):
        attachment_set_masking(attachment=diploma, needs_masking=True, boxes=[["a", 1, 2, 3]])
    diploma.refresh_from_db()
    assert (diploma.masked.name, diploma.mask_boxes) == before and diploma.masked.storage.exists(before[0])
