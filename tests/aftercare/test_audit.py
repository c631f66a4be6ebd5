"""Every after-acceptance service leaves exactly one audit event per change, in its transaction:
the record it writes, and each transition the records then fire through the one door."""

from __future__ import annotations

import pytest
from django.utils import timezone

from applications.models import Level, Specialty
from applications.rules import fee_for
from applications.states import State
from portal.audit.actions import AuditAction
from review.aftercare.models import Certificate
from review.aftercare.services import (
    RecordRefused,
    certificate_render_request,
    certificates_issue,
    decisions_record,
    defense_exemptions_apply,
    defense_outcome_record,
    defense_schedule,
    defense_session_save,
    fee_batch_record,
    fee_payment_record,
    integrity_record_create,
    paper_receipt_remove,
    paper_receipts_record,
    result_publicity_set,
)
from review.documents.models import Document, DocumentStatus
from tests.aftercare.conftest import results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.factories import UnitFactory, audited

TODAY = timezone.localdate
A = AuditAction


def _items(app) -> list[str]:
    return list(app.campaign.paper_items.values_list("name", flat=True))


def test_paper_receipts_then_the_transitions_they_complete(accepted, staff):
    app = accepted()
    items = _items(app)
    with audited() as trail:
        paper_receipts_record(application_id=app.pk, item_names=items[:2], received_on=TODAY(), actor=staff.clerk)
    assert trail.actions == [A.PAPER_RECEIVED] and trail.events[0].after["items"] == items[:2]
    with audited() as trail:
        paper_receipt_remove(application_id=app.pk, item_name=items[0], actor=staff.clerk)
    assert trail.actions == [A.PAPER_RECEIPT_REMOVED] and trail.events[0].before["item"] == items[0]
    with audited() as trail:
        paper_receipts_record(application_id=app.pk, item_names=items, received_on=TODAY(), actor=staff.clerk)
    assert trail.actions == [A.PAPER_RECEIVED, A.TRANSITION_RECEIVE_PAPER]
    assert trail.events[0].after["items"] == [items[0], *items[2:]]  # only what was new
    with audited() as trail, pytest.raises(RecordRefused):
        paper_receipts_record(application_id=app.pk, item_names=["不存在的材料"], received_on=TODAY(),
                              actor=staff.clerk)
    assert trail.actions == []


def test_a_payment_and_a_units_batch(accepted, staff, demo_campaign):
    app = accepted()
    paper_receipts_record(application_id=app.pk, item_names=_items(app), received_on=TODAY(), actor=staff.clerk)
    with audited() as trail:
        fee_payment_record(application_id=app.pk, amount=fee_for(app.campaign, app.level, app.kind), paid_on=TODAY(),
                           receipt_number="R-1", actor=staff.clerk)
    assert trail.actions[:2] == [A.FEE_RECORDED, A.TRANSITION_CONFIRM_FEE]
    assert trail.one(A.FEE_RECORDED).after["receipt_number"] == "R-1"
    unit = UnitFactory()
    apps = [accepted(unit=unit), accepted(unit=unit)]
    with audited() as trail:
        fee_batch_record(campaign=demo_campaign, unit=unit, application_ids=[a.pk for a in apps], amount=760,
                         paid_on=TODAY(), receipt_number="PL-9", actor=staff.clerk)
    assert trail.actions == [A.FEE_BATCH_RECORDED, A.FEE_RECORDED, A.FEE_RECORDED]  # paper still missing
    assert {e.application_id for e in trail.events[1:]} == {a.pk for a in apps}
    assert trail.events[0].after["applications"] == [a.code for a in sorted(apps, key=lambda a: a.pk)]


def test_defense_evaluation_sessions_scheduling_moves_and_scores(accepted, staff, demo_campaign):
    junior = accepted(level=Level.objects.get(code="junior"))
    attendee = accepted()
    with audited() as trail:
        defense_exemptions_apply(campaign=demo_campaign, actor=staff.clerk)
    assert trail.actions == [A.DEFENSE_EVALUATED, A.DEFENSE_EVALUATED]
    assert {(e.application_id, e.after["exempt"]) for e in trail.events} == {(junior.pk, True), (attendee.pk, False)}
    to_fee_paid(attendee, staff.clerk)
    building = Specialty.objects.get(series__name="工程系列", name="建筑")
    with audited() as trail:
        session = defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=building,
                                       date=demo_campaign.defense_start, time_slot="上午")
        other = defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=building,
                                     date=demo_campaign.defense_start, time_slot="下午")
        defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=building, session=other,
                             date=demo_campaign.defense_start, time_slot="下午 3:00", place="301室")
    assert trail.actions == [A.DEFENSE_SESSION_CREATED, A.DEFENSE_SESSION_CREATED, A.DEFENSE_SESSION_CHANGED]
    assert trail.events[2].after == {"time_slot": "下午 3:00", "place": "301室"}
    with audited() as trail:
        defense_schedule(application_ids=[attendee.pk], session=session, actor=staff.clerk)
        defense_schedule(application_ids=[attendee.pk], session=other, actor=staff.clerk)
    assert trail.actions == [A.TRANSITION_SCHEDULE_DEFENSE, A.DEFENSE_MOVED]
    assert trail.events[1].after == {"session": other.pk}
    held = results_timeline(demo_campaign)  # the defense window moves into the past
    type(other).objects.filter(pk=other.pk).update(date=held.defense_start)
    with audited() as trail:
        defense_outcome_record(application_id=attendee.pk, actor=staff.clerk, score=86.5)  # the demo scores it
    assert trail.actions == [A.DEFENSE_OUTCOME_RECORDED] and trail.events[0].after["score"] == "86.5"


def test_decisions_publicity_certificates_and_a_render_asked_again(accepted, staff, demo_campaign):
    timeline = results_timeline(demo_campaign)
    app = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
    with audited() as trail:
        decisions_record(application_ids=[app.pk], result="pass", meeting_date=timeline.meeting, actor=staff.clerk)
    assert trail.actions == [A.TRANSITION_DECIDE] and trail.events[0].after["decision"]["result"] == "pass"
    with audited() as trail:
        result_publicity_set(campaign=demo_campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                             actor=staff.clerk)
    assert trail.actions == [A.RESULT_PUBLICITY_SET] and trail.events[0].after["end"] == timeline.publicity_end.isoformat()
    with audited() as trail:
        certificates_issue(application_ids=[app.pk], actor=staff.clerk)
    assert trail.actions == [A.TRANSITION_CERTIFY]
    certificate = Certificate.objects.select_related("document").get(application=app)
    Document.objects.filter(pk=certificate.document_id).update(status=DocumentStatus.FAILED)
    certificate.refresh_from_db()
    certificate = Certificate.objects.select_related("document").get(pk=certificate.pk)
    with audited() as trail:
        certificate_render_request(certificate=certificate, actor=staff.clerk)
    assert trail.actions == [A.DOCUMENT_REQUESTED] and trail.events[0].before == {"status": DocumentStatus.FAILED}


def test_fraud_open_and_after_the_certificate(accepted, staff, demo_campaign):
    app = accepted()
    with audited() as trail:
        integrity_record_create(application_id=app.pk, facts="伪造获奖证书", actor=staff.clerk)
    assert trail.actions == [A.INTEGRITY_RECORDED, A.TRANSITION_CLOSE_FOR_FRAUD]
    timeline = results_timeline(demo_campaign)
    certified = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
    decisions_record(application_ids=[certified.pk], result="pass", meeting_date=timeline.meeting, actor=staff.clerk)
    result_publicity_set(campaign=demo_campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                         actor=staff.clerk)
    certificates_issue(application_ids=[certified.pk], actor=staff.clerk)
    with audited() as trail:
        integrity_record_create(application_id=certified.pk, facts="学历证书系伪造", actor=staff.clerk)
    assert trail.actions == [A.INTEGRITY_RECORDED, A.CERTIFICATE_REVOKED]
    certified.refresh_from_db()
    assert certified.state == State.CERTIFIED and trail.events[1].after["revoke_reason"] == "弄虚作假，撤销证书"
