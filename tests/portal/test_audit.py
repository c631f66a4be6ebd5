"""The audit log: one event per change, written in the transaction of the change; the admin's
edits are recorded like everyone else's; administrators filter the log by application, person
and action."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse

from applications.models import Campaign, CampaignFee, Level
from applications.samples import fill_sample_application
from portal.accounts.models import Role, User
from portal.audit.actions import AuditAction, transition_action
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record, changes
from review.aftercare.models import Certificate
from review.aftercare.services import certificates_issue, decisions_record, result_publicity_set
from review.services import application_transition
from tests.aftercare.conftest import put_accepted, results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    ClerkFactory,
    UserFactory,
    audited,
    valid_id_number,
)

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The values a browser would post from the admin's change form (the main form only)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def admin_form(client, url: str) -> dict[str, list[str]]:
    parser = _Form()
    page = client.get(url)
    assert page.status_code == 200
    parser.feed(page.content.decode())
    # A newline right after <textarea> is not part of the value.
    return {k: [v.removeprefix("\n") for v in values] for k, values in parser.data.items()}


@pytest.fixture
def admin_client(client, reference):
    admin = UserFactory(role=Role.ADMIN, is_superuser=True, is_staff=True, username="root")
    client.force_login(admin)
    client.admin = admin
    return client


# -- the service -------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_an_event_is_written_only_inside_the_transaction_of_its_change(reference):
    applicant = ApplicantFactory()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(action=AuditAction.ACCOUNT_REGISTERED, actor=applicant, obj=applicant)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(action=AuditAction.ACCOUNT_REGISTERED, actor=applicant, obj=applicant)
        1 / 0  # the change fails: its record goes with it
    assert not AuditEvent.objects.exists()


def test_unknown_codes_are_refused_and_events_are_append_only(reference):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(action="made.up")
    with pytest.raises(ValueError, match="no audit action for the transition"):
        transition_action("teleport")
    event = audit_record(action=AuditAction.ACCOUNT_REGISTERED)
    assert event.actor_role == "system" and event.actor is None
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_changes_keep_only_what_differs():
    assert changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ({"b": 2}, {"b": 3, "c": 4})


def test_an_event_files_itself_under_the_application_and_its_applicant(reference):
    app = ApplicationFactory()
    with audited() as trail:
        audit_record(action=AuditAction.TRANSITION_SUBMIT, actor=app.applicant, obj=app, before={"state": "draft"},
                     after={"state": "unit_review"})
    event = trail.one(AuditAction.TRANSITION_SUBMIT)
    assert (event.application, event.person, event.actor, event.actor_role) == (
        app, app.applicant, app.applicant, Role.APPLICANT)
    assert (event.before, event.after, event.object_repr) == ({"state": "draft"}, {"state": "unit_review"}, str(app))


def test_registration_is_recorded_without_the_password(client, reference):
    number = valid_id_number()
    with audited() as trail:
        client.post(reverse("accounts:register"), {
            "real_name": "阿不都热合曼", "id_number": number, "phone": "13912345678",
            "password1": "Tian-shan-2026", "password2": "Tian-shan-2026"})
    event = trail.one(AuditAction.ACCOUNT_REGISTERED)
    user = User.objects.get(username=number)
    assert (event.actor, event.person, event.after["real_name"]) == (user, user, "阿不都热合曼")
    assert "password" not in event.after and trail.actions == [AuditAction.ACCOUNT_REGISTERED]


# -- the admin -----------------------------------------------------------------------------------------

def test_a_campaign_edit_in_the_admin_is_one_event_with_before_and_after(admin_client):
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    url = reverse("admin:applications_campaign_change", args=[campaign.pk])
    data = admin_form(admin_client, url)
    data["return_hours"] = ["72"]
    with audited() as trail:
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = trail.one(AuditAction.ADMIN_CHANGED)
    assert (event.before, event.after) == ({"return_hours": None}, {"return_hours": 72})
    assert event.actor == admin_client.admin and event.object_repr == str(campaign)
    assert trail.actions == [AuditAction.ADMIN_CHANGED]
    with audited() as trail:  # saved again unchanged: nothing to record
        admin_client.post(url, admin_form(admin_client, url))
    assert trail.actions == []


def test_a_fee_changed_in_the_campaigns_inline_is_its_own_event(admin_client):
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    fee = CampaignFee.objects.filter(campaign=campaign).order_by("id").first()
    url = reverse("admin:applications_campaign_change", args=[campaign.pk])
    data = admin_form(admin_client, url)
    row = next(k.rsplit("-", 1)[0] for k, v in data.items() if k.endswith("-id") and v == [str(fee.pk)])
    data[f"{row}-amount"] = [str(fee.amount + 20)]
    with audited() as trail:
        assert admin_client.post(url, data).status_code == 302
    event = trail.one(AuditAction.ADMIN_CHANGED)
    assert event.object_id == str(fee.pk) and event.after == {"amount": fee.amount + 20}
    assert event.before == {"amount": fee.amount}


def test_admin_edits_of_decisions_certificates_and_payments_are_recorded(admin_client, accepted_to_certificate):
    certificate = accepted_to_certificate
    app = certificate.application
    for url_name, obj, field, value in (
            ("admin:aftercare_decision_change", app.decision, "defense_basis", "经复核更正"),
            ("admin:aftercare_certificate_change", certificate, "revoke_reason", "经复核撤销"),
            ("admin:aftercare_feepayment_change", app.fee_payment, "receipt_number", "R-FIXED-1")):
        url = reverse(url_name, args=[obj.pk])
        data = admin_form(admin_client, url)
        data[field] = [value]
        with audited() as trail:
            response = admin_client.post(url, data)
        assert response.status_code == 302, (url_name, response.content.decode()[:1500])
        event = trail.one(AuditAction.ADMIN_CHANGED)
        assert event.after == {field: value} and event.application == app and event.person == app.applicant
    payment = app.fee_payment
    with audited() as trail:
        admin_client.post(reverse("admin:aftercare_feepayment_delete", args=[payment.pk]), {"post": "yes"})
    event = trail.one(AuditAction.ADMIN_DELETED)
    assert event.before["receipt_number"] == "R-FIXED-1" and event.application == app


@pytest.fixture
def accepted_to_certificate(reference, private_storage):
    """A certified application (through the services), for the admin to correct."""
    campaign = Campaign.objects.get(code="demo")
    timeline = results_timeline(campaign)
    app = ApplicationFactory(level=Level.objects.get(code="junior"))  # exempt from the defense
    fill_sample_application(app, with_files=False)
    put_accepted(app)
    clerk = ClerkFactory()
    to_fee_paid(app, clerk)
    decisions_record(application_ids=[app.pk], result="pass", meeting_date=timeline.meeting, actor=clerk)
    result_publicity_set(campaign=campaign, start=timeline.publicity_start, end=timeline.publicity_end, actor=clerk)
    certificates_issue(application_ids=[app.pk], actor=clerk)
    return Certificate.objects.select_related("application").get(application=app)


def test_the_audit_page_filters_by_application_person_and_action(admin_client, private_storage):
    one, other = ApplicationFactory(), ApplicationFactory()
    for app in (one, other):
        fill_sample_application(app)
        application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    changelist = reverse("admin:audit_auditevent_changelist")
    page = admin_client.get(changelist, {"application_code": one.code}).content.decode()
    assert one.code in page and other.code not in page
    page = admin_client.get(changelist, {"person": other.applicant.id_number}).content.decode()
    assert other.code in page and one.code not in page
    page = admin_client.get(changelist, {"action": AuditAction.TRANSITION_SUBMIT, "person": one.applicant.real_name})
    assert page.status_code == 200 and one.code in page.content.decode()
    assert admin_client.get(changelist, {"action": AuditAction.ADMIN_DELETED,
                                         "application_code": one.code}).context["cl"].result_count == 0
    # The application's admin page links to its events.
    detail = admin_client.get(reverse("admin:applications_application_change", args=[one.pk])).content.decode()
    assert f"{changelist}?application_code={one.code}" in detail
