"""Scope is security: another applicant, or an officer out of scope, gets 404 for any of this
applicant's pages and files; in-scope officers get originals; the committee only masked copies."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from applications.masking import MASK_COLOUR
from applications.models import Application, Attachment, Campaign, County
from applications.samples import fill_sample_application
from applications.states import State
from portal.accounts.models import Role
from review.access import BLIND_HIDDEN_SLOTS
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    ClerkFactory,
    CountyOfficerFactory,
    UnitOfficerFactory,
    UserFactory,
)


@pytest.fixture
def app(reference, private_storage):
    return fill_sample_application(ApplicationFactory())


def page_urls(app):
    masked = app.attachments.filter(needs_masking=True).first()
    return [
        reverse("applications:overview", args=[app.code]),
        reverse("applications:section", args=[app.code, "basic"]),
        reverse("applications:checklist", args=[app.code]),
        reverse("applications:preview", args=[app.code]),
        reverse("applications:masking", args=[app.code]),
        reverse("applications:mask", args=[app.code, masked.uid]),
        reverse("applications:mask_status", args=[app.code, masked.uid]),
    ]


def file_urls(app):
    return [reverse("applications:attachment_file", args=[a.uid, v])
            for a in app.attachments.all() for v in ("original", "thumb", "masked", "review")]


def outsiders(app):
    other_county = County.objects.get(name="且末县")
    return {
        "other_applicant": ApplicantFactory(),
        "other_unit_officer": UnitOfficerFactory(),
        "other_county_officer": CountyOfficerFactory(county=other_county),
        "other_committee_clerk": UserFactory(role=Role.COMMITTEE_CLERK, committee=_other_committee()),
        "in_scope_officer_on_applicant_pages": UnitOfficerFactory(unit=app.unit),
    }


def _other_committee():
    return Campaign.objects.get(code="bz-2024-zhijian").committee


@pytest.mark.parametrize("who", ["other_applicant", "other_unit_officer", "other_county_officer",
                                 "other_committee_clerk", "in_scope_officer_on_applicant_pages"])
def test_outsiders_get_404_on_the_applicants_pages(client, app, who):
    client.force_login(outsiders(app)[who])
    for url in page_urls(app):
        assert client.get(url).status_code == 404, url
    for name in ("submit", "withdraw", "upload"):
        assert client.post(reverse(f"applications:{name}", args=[app.code])).status_code == 404, name
    attachment = app.attachments.first()
    assert client.post(reverse("applications:attachment_delete", args=[app.code, attachment.uid])).status_code == 404
    assert app.attachments.filter(pk=attachment.pk).exists()


@pytest.mark.parametrize("who", ["other_applicant", "other_unit_officer", "other_county_officer",
                                 "other_committee_clerk"])
def test_outsiders_get_404_for_every_file(client, app, who):
    client.force_login(outsiders(app)[who])
    for url in file_urls(app):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login_for_files(client, app):
    response = client.get(file_urls(app)[0])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def read(response) -> bytes:
    return b"".join(response.streaming_content)


def test_owner_and_in_scope_officers_get_the_original(client, app):
    named = app.attachments.filter(needs_masking=True).first()
    with named.file.open("rb") as handle:
        original = handle.read()
    for user in (app.applicant, UnitOfficerFactory(unit=app.unit), CountyOfficerFactory(county=app.unit.county)):
        client.force_login(user)
        response = client.get(reverse("applications:attachment_file", args=[named.uid, "original"]))
        assert response.status_code == 200
        assert read(response) == original
        assert response["Cache-Control"] == "private, no-store"


def test_committee_clerk_gets_only_masked_copies(client, app):
    # The committee side sees an application only from its own step on (review.access).
    Application.objects.filter(pk=app.pk).update(state=State.COMMITTEE_REVIEW)
    clerk = ClerkFactory()
    client.force_login(clerk)
    named = app.attachments.filter(needs_masking=True).first()
    # An image (a PDF goes to the committee only rasterised) outside the blind-hidden slots.
    plain = next(a for a in app.attachments.all()
                 if a.is_image and a.slot not in BLIND_HIDDEN_SLOTS and a.pk != named.pk)
    Attachment.objects.filter(pk=plain.pk).update(needs_masking=False, masked="")
    for variant in ("original", "thumb"):
        assert client.get(reverse("applications:attachment_file", args=[named.uid, variant])).status_code == 404
    response = client.get(reverse("applications:attachment_file", args=[named.uid, "review"]))
    assert response.status_code == 200
    with named.masked.open("rb") as handle:
        assert read(response) == handle.read()
    x, y, w, h = named.mask_boxes[0]
    with Image.open(io.BytesIO(read(client.get(reverse("applications:attachment_file",
                                                         args=[named.uid, "masked"]))))) as image:
        centre = image.convert("RGB").getpixel((x + w // 2, y + h // 2))
        assert all(abs(c - m) <= 8 for c, m in zip(centre, MASK_COLOUR))
    # An image answered "no name on it" may be seen as it is.
    assert client.get(reverse("applications:attachment_file", args=[plain.uid, "review"])).status_code == 200
    assert client.get(reverse("applications:attachment_file", args=[plain.uid, "original"])).status_code == 200


def test_committee_clerk_gets_nothing_for_an_unanswered_image(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory(), masking=False)
    client.force_login(ClerkFactory())
    attachment = app.attachments.first()
    for variant in ("original", "thumb", "masked", "review"):
        assert client.get(reverse("applications:attachment_file", args=[attachment.uid, variant])).status_code == 404
