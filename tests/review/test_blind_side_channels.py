"""The five side channels of issue 12, each reproduced with the request an attacker holding only a
clerk's login would make, now refused (404) or served masked.  (The fifth, masking that deletes
the masked copy, is fixed by the uploads branch: issue 12 item 3.)"""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfWriter

from applications.models import Application, Attachment, StateChange
from applications.states import AFTER_ACCEPTANCE, State
from review.documents.models import Document, DocumentKind
from review.services import application_transition

TEMPLATE_KEYS = ("commitment", "publicity", "authenticity_pledge")


def _left_from(app, from_state: str, to_state: str) -> None:
    """Put ``app`` in ``to_state`` as if the holder of ``from_state`` had moved it there."""
    StateChange.objects.create(application=app, action="return", from_state=from_state, to_state=to_state,
                               actor_role="system")
    Application.objects.filter(pk=app.pk).update(state=to_state)
    app.refresh_from_db()


@pytest.fixture
def app_in(app_in):
    """The chain fixture, with the way to the committee in the history for committee states."""

    def make(state: str, **kwargs):
        app = app_in(state, **kwargs)
        if state in (State.COMMITTEE_REVIEW, *AFTER_ACCEPTANCE):
            StateChange.objects.create(application=app, action="approve", from_state=State.COUNTY_REVIEW,
                                       to_state=State.COMMITTEE_REVIEW, actor_role="county_officer")
        return app

    return make


@pytest.fixture
def clerk_client(client, cast):
    client.force_login(cast.clerk)
    return client


# 1. Pre-filled templates --------------------------------------------------------------------------

@pytest.mark.parametrize("state", [State.DRAFT, State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW])
def test_clerk_cannot_get_or_post_a_prefilled_template_before_acceptance(clerk_client, app_in, state,
                                                                        django_capture_on_commit_callbacks):
    app = app_in(state)
    for key in TEMPLATE_KEYS:
        url = f"/documents/application/{app.pk}/prefilled/{key}/"
        with django_capture_on_commit_callbacks() as callbacks:
            assert clerk_client.get(url).status_code == 404
            assert clerk_client.post(url).status_code == 404
        assert not callbacks
    assert not Document.objects.filter(application=app).exists()


def test_a_get_of_a_template_has_no_side_effect(client, cast, app_in, django_capture_on_commit_callbacks):
    """An ``<img src=…/prefilled/…>`` planted anywhere cannot create documents or queue renders."""
    app = app_in(State.UNIT_REVIEW)
    for user in (cast.applicant, cast.unit, cast.county):
        client.force_login(user)
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.get(f"/documents/application/{app.pk}/prefilled/commitment/")
        assert response.status_code == 200 and not callbacks
    assert not Document.objects.filter(application=app).exists()
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(f"/documents/application/{app.pk}/prefilled/commitment/").status_code == 302
    assert len(callbacks) == 1
    assert Document.objects.filter(application=app, kind=DocumentKind.PREFILLED).count() == 1


def test_templates_are_for_the_applicant_and_own_officers_only(client, cast, app_in):
    app = app_in(State.COUNTY_REVIEW)
    url = f"/documents/application/{app.pk}/prefilled/commitment/"
    for outsider in (cast.other_applicant, cast.other_unit, cast.other_county, cast.other_clerk, cast.clerk):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider.role


def test_clerk_opens_templates_after_acceptance(clerk_client, app_in):
    app = app_in(State.ACCEPTED)
    assert clerk_client.get(f"/documents/application/{app.pk}/prefilled/commitment/").status_code == 200


# 2. Applications that never reached the committee ------------------------------------------------------

@pytest.mark.parametrize("state", [State.DRAFT, State.UNIT_REVIEW, State.COUNTY_REVIEW, State.RETURNED,
                                   State.CLOSED, State.ABANDONED])
def test_clerk_gets_404_for_applications_that_never_reached_the_committee(clerk_client, app_in, state):
    app = app_in(State.UNIT_REVIEW)
    if state in (State.RETURNED, State.CLOSED, State.ABANDONED):
        _left_from(app, State.UNIT_REVIEW, state)  # the unit returned or closed it
    else:
        Application.objects.filter(pk=app.pk).update(state=state)
    for url in (f"/aftercare/applications/{app.pk}/", f"/documents/application/{app.pk}/",
                f"/review/applications/{app.pk}/", f"/review/applications/{app.pk}/history/"):
        assert clerk_client.get(url).status_code == 404, url
    for attachment in app.attachments.all():
        assert clerk_client.get(f"/review/attachments/{attachment.pk}/").status_code == 404


def test_clerk_sees_what_the_committee_itself_returned_blind(clerk_client, app_in):
    app = app_in(State.COMMITTEE_REVIEW, files=True)
    _left_from(app, State.COMMITTEE_REVIEW, State.RETURNED)
    page = clerk_client.get(f"/review/applications/{app.pk}/")
    assert page.status_code == 200
    assert app.applicant.real_name not in page.content.decode()
    assert clerk_client.get(f"/aftercare/applications/{app.pk}/").status_code == 404


def test_closed_after_acceptance_is_opened_by_the_clerk_with_its_record(clerk_client, app_in):
    app = app_in(State.ACCEPTED)
    _left_from(app, State.ACCEPTED, State.CLOSED)  # fraud, after acceptance
    StateChange.objects.create(application=app, action="accept", from_state=State.COMMITTEE_REVIEW,
                               to_state=State.ACCEPTED, actor_role="committee_clerk")
    assert clerk_client.get(f"/aftercare/applications/{app.pk}/").status_code == 200


# 3. The file path ------------------------------------------------------------------------------------

def test_files_path_serves_the_clerk_masked_copies_only(clerk_client, app_in):
    app = app_in(State.COMMITTEE_REVIEW, files=True)
    named = app.attachments.filter(needs_masking=True).first()
    photo = app.attachments.filter(slot="photo").first()
    assert named is not None and photo is not None
    for variant in ("original", "thumb"):
        assert clerk_client.get(f"/files/{named.uid}/{variant}/").status_code == 404
    for variant in ("original", "thumb", "masked", "review"):
        assert clerk_client.get(f"/files/{photo.uid}/{variant}/").status_code == 404
    assert clerk_client.get(f"/review/attachments/{photo.pk}/").status_code == 404
    named.masked.open("rb")
    masked_bytes = named.masked.read()
    named.masked.close()
    for url in (f"/files/{named.uid}/masked/", f"/files/{named.uid}/review/", f"/review/attachments/{named.pk}/",
                f"/review/attachments/{named.pk}/?thumb=1"):
        response = clerk_client.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == masked_bytes, url


def test_files_path_and_reviewers_door_give_the_same_answer(clerk_client, app_in):
    app = app_in(State.COMMITTEE_REVIEW, files=True)
    for attachment in app.attachments.all():
        door = clerk_client.get(f"/review/attachments/{attachment.pk}/")
        path = clerk_client.get(f"/files/{attachment.uid}/review/")
        assert door.status_code == path.status_code, attachment.slot
        if door.status_code == 200:
            assert b"".join(door.streaming_content) == b"".join(path.streaming_content)


def test_the_applicant_and_own_unit_still_get_the_original(client, cast, app_in):
    app = app_in(State.COMMITTEE_REVIEW, files=True)
    photo = app.attachments.get(slot="photo")
    for user in (cast.applicant, cast.unit):
        client.force_login(user)
        assert client.get(f"/files/{photo.uid}/original/").status_code == 200


# 4. PDF attachments ----------------------------------------------------------------------------------

def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": "Applicant Name"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_unmasked_pdf_is_never_served_to_the_clerk(clerk_client, client, cast, app_in):
    app = app_in(State.COMMITTEE_REVIEW, files=True)
    pdf = Attachment(application=app, section="achievements", slot="ip_certificate", content_type="application/pdf",
                     original_name="张三的专利证书.pdf", needs_masking=False)
    pdf.file.save("patent.pdf", ContentFile(_pdf()), save=True)
    for variant in ("original", "thumb", "masked", "review"):
        assert clerk_client.get(f"/files/{pdf.uid}/{variant}/").status_code == 404
    assert clerk_client.get(f"/review/attachments/{pdf.pk}/").status_code == 404
    page = clerk_client.get(f"/review/applications/{app.pk}/")
    assert page.status_code == 200
    page = page.content.decode()
    assert "张三的专利证书" not in page and str(pdf.uid) not in page
    client.force_login(cast.unit)
    assert client.get(f"/files/{pdf.uid}/original/").status_code == 200


# 5. Masking that deletes the masked copy ------------------------------------------------------------------

def test_refused_masking_keeps_the_masked_copy(client, cast, app_in):
    app = app_in(State.RETURNED, files=True)
    named = app.attachments.filter(needs_masking=True).first()
    before = named.masked.name
    client.force_login(cast.applicant)
    client.post(reverse("applications:mask", args=[app.code, named.uid]), {"needs_masking": "1", "boxes": "[]"})
    named.refresh_from_db()
    assert named.masked.name == before and named.masked.storage.exists(before)


def test_the_committee_side_follows_the_latest_change_made_through_the_door(clerk_client, app_in, cast):
    """``Application.left_from`` is written with each history row: returned by the committee, the
    clerk sees the application; resubmitted and then returned by the unit, it is gone again."""
    app = app_in(State.COMMITTEE_REVIEW, files=True)
    url = f"/review/applications/{app.pk}/"
    application_transition(application_id=app.pk, action="return", actor=cast.clerk, comment="请补充继续教育证书",
                           expected_state=State.COMMITTEE_REVIEW)
    app.refresh_from_db()
    assert (app.state, app.left_from) == (State.RETURNED, State.COMMITTEE_REVIEW)
    assert clerk_client.get(url).status_code == 200
    application_transition(application_id=app.pk, action="resubmit", actor=app.applicant)
    application_transition(application_id=app.pk, action="return", actor=cast.unit, comment="单位意见未填写")
    app.refresh_from_db()
    assert (app.state, app.left_from) == (State.RETURNED, State.UNIT_REVIEW)
    assert clerk_client.get(url).status_code == 404
