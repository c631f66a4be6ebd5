"""Every write of the applicant's services leaves exactly one audit event, in its transaction;
a refused write leaves none."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.forms import json_to_raw
from applications.models import Level, Specialty
from applications.samples import fill_sample_application, sample_scan, sample_sections
from applications.states import State
from portal.audit.actions import AuditAction
from tests.factories import ApplicationFactory, audited

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(reference, private_storage):
    return ApplicationFactory()


def _sections(app):
    user, unit = app.applicant, app.unit
    return sample_sections(name=user.real_name, id_number=user.id_number, unit_name=unit.name,
                           unit_nature=unit.nature, county=unit.county.name, year=app.campaign.year)


def test_creating_an_application(app):
    with audited() as trail:
        new = services.application_create(applicant=app.applicant, campaign=app.campaign,
                                          specialty=Specialty.objects.get(name="电力"),
                                          level=Level.objects.get(code="junior"), kind="review", unit=app.unit)
    event = trail.one(AuditAction.APPLICATION_CREATED)
    assert trail.actions == [AuditAction.APPLICATION_CREATED]
    assert (event.application, event.actor, event.person) == (new, app.applicant, app.applicant)
    assert event.after["kind"] == "review" and "basic" in event.after["prefilled"]


def test_saving_a_section_records_what_changed(app):
    data = _sections(app)["work_history"]
    with audited() as trail:
        services.section_save(application=app, key="work_history", raw=json_to_raw("work_history", data))
    event = trail.one(AuditAction.SECTION_SAVED)
    assert trail.actions == [AuditAction.SECTION_SAVED]
    assert event.after["rows"] == data["rows"] and event.after["is_complete"] is True
    assert event.application == app and event.actor == app.applicant
    # A draft that does not validate: the fields typed are named.
    with audited() as trail:
        services.section_save(application=app, key="summary", raw={"summary-text": [""]})
        services.section_autosave(application=app, key="summary", raw={"summary-text": ["半句话"]})
    assert trail.actions == [AuditAction.SECTION_SAVED, AuditAction.SECTION_DRAFT_SAVED]
    assert trail.events[0].after == {"draft_fields": ["summary-text"]}
    assert trail.events[1].after == {"text": "半句话", "is_complete": True}


def test_deleting_a_row_is_one_event(app):
    data = _sections(app)["awards"]
    services.section_save(application=app, key="awards", raw=json_to_raw("awards", data))
    with audited() as trail:
        services.section_delete_row(application=app, key="awards", raw=json_to_raw("awards", data), index=0)
    event = trail.one(AuditAction.SECTION_ROW_DELETED)
    assert trail.actions == [AuditAction.SECTION_ROW_DELETED] and event.after["row"] == 0


def test_the_profile(app):
    data = _sections(app)["education"]
    with audited() as trail:
        services.profile_section_save(user=app.applicant, key="education", raw=json_to_raw("education", data))
    event = trail.one(AuditAction.PROFILE_SECTION_SAVED)
    assert trail.actions == [AuditAction.PROFILE_SECTION_SAVED]
    assert (event.person, event.actor, event.application) == (app.applicant, app.applicant, None)


def test_upload_masking_and_delete_are_one_event_each(app, settings):
    settings.PORTAL_TESSERACT_CMD = "/nonexistent/tesseract"  # no OCR pass: the events are the subject here
    upload = SimpleUploadedFile("d.jpg", sample_scan("毕业证书", app.applicant.real_name), "image/jpeg")
    with audited() as trail:
        attachment = services.attachment_upload(application=app, upload=upload, slot="diploma")
    event = trail.one(AuditAction.ATTACHMENT_UPLOADED)
    assert trail.actions == [AuditAction.ATTACHMENT_UPLOADED]
    assert event.after["slot"] == "diploma" and event.after["sha256"] == attachment.sha256
    with audited() as trail:
        services.attachment_set_masking(attachment=attachment, needs_masking=True, boxes=[[10, 10, 300, 80]])
    event = trail.one(AuditAction.MASKING_ANSWERED)
    assert event.after["needs_masking"] is True and event.after["mask_boxes"] == [[10, 10, 300, 80]]
    with audited() as trail:
        services.attachment_delete(attachment=attachment)
    assert trail.one(AuditAction.ATTACHMENT_DELETED).before["slot"] == "diploma"
    assert trail.actions == [AuditAction.ATTACHMENT_DELETED]


def test_a_refused_write_leaves_no_event(app):
    fill_sample_application(app)
    type(app).objects.filter(pk=app.pk).update(state=State.UNIT_REVIEW)
    app.refresh_from_db()
    with audited() as trail, pytest.raises(services.ApplicationLocked):
        services.section_save(application=app, key="summary", raw={"summary-text": ["改"]})
    assert trail.actions == []
