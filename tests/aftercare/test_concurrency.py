"""Two clerks at once, on two real PostgreSQL sessions: one fee is recorded once, and two
certificates issued at the same moment never share a number."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from applications.models import Campaign, Level
from applications.samples import fill_sample_application
from review.aftercare.models import Certificate, FeePayment
from review.aftercare.services import (
    RecordRefused,
    certificates_issue,
    decisions_record,
    fee_payment_record,
    result_publicity_set,
)
from tests.aftercare.conftest import put_accepted, results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.factories import ApplicationFactory, ClerkFactory
from tests.review.test_concurrency import _race

pytestmark = pytest.mark.postgres


@pytest.fixture
def clerks(transactional_db, reference, private_storage):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers")
    return ClerkFactory(), ClerkFactory()


def _accepted(**kwargs):
    app = ApplicationFactory(**kwargs)
    fill_sample_application(app, with_files=False)
    return put_accepted(app)


def test_two_clerks_record_the_same_fee_once(clerks):
    app = _accepted()

    def pay(clerk, receipt):
        return lambda: fee_payment_record(application_id=app.pk, amount=380, paid_on=timezone.localdate(),
                                          receipt_number=receipt, actor=clerk)

    results = _race([pay(clerks[0], "A-1"), pay(clerks[1], "B-1")])
    refusals = [r for r in results if isinstance(r, RecordRefused)]
    assert len(refusals) == 1 and "已登记缴费" in refusals[0].message, results
    assert FeePayment.objects.filter(application=app).count() == 1


def test_certificates_issued_at_once_get_distinct_numbers(clerks):
    campaign = Campaign.objects.get(code="demo")
    timeline = results_timeline(campaign)
    apps = [to_fee_paid(_accepted(level=Level.objects.get(code="junior")), clerks[0]) for _ in range(4)]
    decisions_record(application_ids=[a.pk for a in apps], result="pass", meeting_date=timeline.meeting,
                     actor=clerks[0])
    result_publicity_set(campaign=campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                         actor=clerks[0])
    results = _race([lambda a=a, c=clerks[i % 2]: certificates_issue(application_ids=[a.pk], actor=c)
                     for i, a in enumerate(apps)])
    assert all(not isinstance(r, Exception) and not r.refused for r in results), results
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    prefix = f"BZ{campaign.year}-{campaign.committee_id:03d}-"
    assert numbers == [f"{prefix}{n:05d}" for n in range(1, 5)]
