"""The clerk's campaign-wide figures (fee totals, reconciliation, counts) come from the cache until
a service changes the campaign's data (``portal.tallies``, marked by ``portal.audit``), per scope."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.rules import fee_for
from applications.samples import fill_sample_application
from portal import tallies
from review.aftercare.selectors import fee_reconciliation, fee_totals, load_campaign, state_counts
from review.aftercare.services import fee_payment_record, paper_receipts_record
from review.selectors import QueueFilters, queue_for
from review.services import application_transition
from tests.factories import ApplicationFactory, ClerkFactory, UnitFactory, UnitOfficerFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _token(scope: str) -> str:
    return tallies._tokens([scope])[0]


def test_fee_figures_are_read_once_and_follow_a_payment_at_once(accepted, staff, demo_campaign,
                                                                django_assert_num_queries):
    app = accepted()
    campaign = load_campaign(demo_campaign.pk)
    _, overall = fee_totals(staff.clerk, campaign)
    assert (overall.count, overall.paid_count) == (1, 0)
    fee_reconciliation(staff.clerk, campaign)
    with django_assert_num_queries(0):  # the grouped sums are not read again
        assert fee_totals(staff.clerk, campaign)[1].paid_count == 0
        assert fee_reconciliation(staff.clerk, campaign)[0].paid_count == 0
    items = list(app.campaign.paper_items.values_list("name", flat=True))
    paper_receipts_record(application_id=app.pk, item_names=items, received_on=TODAY(), actor=staff.clerk)
    fee_payment_record(application_id=app.pk, amount=fee_for(app.campaign, app.level, app.kind), paid_on=TODAY(),
                       receipt_number="T-1", actor=staff.clerk)
    _, overall = fee_totals(staff.clerk, campaign)
    assert (overall.count, overall.paid_count) == (1, 1)
    assert fee_reconciliation(staff.clerk, campaign)[0].paid_count == 1


def test_the_fee_page_shows_a_payment_recorded_through_the_page(client, accepted, staff, demo_campaign):
    app = accepted()
    client.force_login(staff.clerk)
    url = reverse("aftercare:fees") + "?campaign=demo"
    before = client.get(url).content.decode()
    assert "T-2" not in before
    items = list(app.campaign.paper_items.values_list("name", flat=True))
    paper_receipts_record(application_id=app.pk, item_names=items, received_on=TODAY(), actor=staff.clerk)
    due = fee_for(app.campaign, app.level, app.kind)
    response = client.post(reverse("aftercare:fee_record", args=[app.pk]),
                           {"amount": str(due), "paid_on": TODAY().isoformat(), "receipt_number": "T-2"})
    assert response.status_code == 302
    assert state_counts(staff.clerk, load_campaign(demo_campaign.pk)) == {"fee_paid": 1}
    after = client.get(url).content.decode()
    assert "T-2" in after and after != before
    # The units' reconciliation, kept as drawn (``_reconciliation_html``), is drawn again too.
    table = lambda page: page.split('data-testid="reconciliation"')[1].split("</table>")[0]  # noqa: E731
    assert "单独缴费1笔" not in table(before) and "单独缴费1笔" in table(after)
    assert f"<td data-label=\"已登记\">{due:.2f}</td>" in table(after)


def test_figures_are_kept_per_scope(accepted, staff, demo_campaign):
    """Two clerks of the committee share a figure; a clerk of another committee never reads it."""
    accepted()
    campaign = load_campaign(demo_campaign.pk)
    colleague = ClerkFactory(committee=staff.clerk.committee)
    assert state_counts(staff.clerk, campaign) == {"accepted": 1}
    assert state_counts(colleague, campaign) == {"accepted": 1}
    assert state_counts(staff.other_clerk, campaign) == {}


def test_what_marks_a_campaign_as_changed(accepted, staff, demo_campaign, private_storage):
    """A change of state, paper or fee marks the campaign; an applicant's typing and files (the
    most frequent writes in a rush) do not, they change nothing a figure counts."""
    app = accepted()
    scope = tallies.campaign_scope(demo_campaign.pk)
    token = _token(scope)
    draft = ApplicationFactory(campaign=demo_campaign)
    application_services.section_autosave(application=draft, key="summary", raw={"summary-text": ["半句话"]})
    assert _token(scope) == token
    items = list(app.campaign.paper_items.values_list("name", flat=True))
    paper_receipts_record(application_id=app.pk, item_names=items[:1], received_on=TODAY(), actor=staff.clerk)
    assert _token(scope) != token


def test_a_unit_officers_queue_counts_follow_a_submission(reference, private_storage):
    """The queue's tabs are counted once per change of any application; a submission (through the
    door) is seen at once."""
    unit = UnitFactory()
    officer = UnitOfficerFactory(unit=unit)
    assert queue_for(officer, QueueFilters())[1] == {}
    app = ApplicationFactory(unit=unit)
    fill_sample_application(app)
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    assert queue_for(officer, QueueFilters())[1] == {"unit_review": 1}
