"""The demo covers every state after acceptance, with a certified application whose certificate
is rendered and found by the public look-up; building it twice changes nothing."""

from __future__ import annotations

from django.urls import reverse

from applications import demo as applications_demo
from applications.models import Application
from applications.states import State
from review import demo as review_demo
from review.aftercare import demo as aftercare_demo
from review.aftercare.models import Certificate, DefenseSession, IntegrityRecord


def _build_demo():
    """What ``seed_demo`` runs: each layer's builder, lowest first."""
    context: dict = {}
    for builder in (applications_demo, review_demo, aftercare_demo):
        context.update(builder.build(context=context))


def test_demo_after_acceptance(client, reference, private_storage):
    _build_demo()
    states = set(Application.objects.filter(campaign__code="demo").values_list("state", flat=True))
    assert {State.ACCEPTED, State.PAPER_RECEIVED, State.FEE_PAID, State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT,
            State.CLOSED} <= states
    session = DefenseSession.objects.get(campaign__code="demo")
    assert session.place_label == "地点另行通知" and session.records.count() == 1
    record = IntegrityRecord.objects.get(name="钱伟")
    assert record.person_banned_until.year == record.campaign.year + 5
    certificate = Certificate.objects.get(application__campaign__code="bz-2023-jianzhu")
    assert certificate.is_ready and certificate.application.state == State.CERTIFIED
    assert (certificate.holder_name, certificate.title, certificate.meeting_date.isoformat()) == (
        "古丽娜尔·艾买提", "工程师", "2023-10-25")
    page = client.post(reverse("aftercare:certificate_lookup"),
                       {"id_number": certificate.id_number, "name": "古丽娜尔·艾买提"}).content.decode()
    assert certificate.number in page
    count = Application.objects.count()
    _build_demo()
    assert Application.objects.count() == count and Certificate.objects.count() == 1
