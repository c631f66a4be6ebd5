"""Paper files and fees: receipts and payments in their windows (administrators outside them with
a reason), either order, the state moved on through the one door, totals and reconciliation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Campaign, Level, Specialty, StateChange
from applications.states import State
from review.aftercare.models import FeeBatch, FeePayment, PaperReceipt
from review.aftercare.selectors import (
    aftercare_applications,
    fee_reconciliation,
    fee_totals,
    load_campaign,
    page_rows,
    rows_for,
)
from review.aftercare.services import (
    RecordRefused,
    fee_batch_record,
    fee_payment_record,
    paper_receipt_remove,
    paper_receipts_record,
    paper_receipts_record_bulk,
)
from review.models import Notification
from tests.aftercare.conftest import move_window
from tests.factories import UnitFactory, UnitOfficerFactory

TODAY = timezone.localdate


def _items(app):
    return list(app.campaign.paper_items.values_list("name", flat=True))


def _receive_all(app, actor, **kwargs):
    return paper_receipts_record(application_id=app.pk, item_names=_items(app), received_on=TODAY(), actor=actor,
                                 **kwargs)


def _pay(app, actor, amount=380, receipt="R-0001", **kwargs):
    return fee_payment_record(application_id=app.pk, amount=amount, paid_on=TODAY(), receipt_number=receipt,
                              actor=actor, **kwargs)


def test_paper_items_are_ticked_until_complete_then_the_state_moves(accepted, staff):
    app = accepted()
    items = _items(app)
    assert len(items) == 7  # the demo notice's 纸质材料目录
    app = paper_receipts_record(application_id=app.pk, item_names=items[:3], received_on=TODAY(), actor=staff.clerk)
    assert app.state == State.ACCEPTED
    assert PaperReceipt.objects.filter(application=app).count() == 3
    # Ticking the same items again changes nothing; the rest completes the paper.
    app = paper_receipts_record(application_id=app.pk, item_names=items, received_on=TODAY(), actor=staff.clerk)
    assert app.state == State.PAPER_RECEIVED
    assert PaperReceipt.objects.filter(application=app).count() == 7
    change = StateChange.objects.filter(application=app).latest("id")
    assert (change.action, change.to_state, change.actor) == ("receive_paper", State.PAPER_RECEIVED, staff.clerk)
    assert change.comment == "纸质材料已齐全（共7项）。"


def test_an_item_ticked_by_mistake_can_be_unticked_before_the_paper_is_complete(accepted, staff):
    app = accepted()
    items = _items(app)
    paper_receipts_record(application_id=app.pk, item_names=items[:2], received_on=TODAY(), actor=staff.clerk)
    paper_receipt_remove(application_id=app.pk, item_name=items[1], actor=staff.clerk)
    assert list(PaperReceipt.objects.filter(application=app).values_list("item_name", flat=True)) == items[:1]
    _receive_all(app, staff.clerk)
    with pytest.raises(RecordRefused, match="纸质材料已接收"):
        paper_receipt_remove(application_id=app.pk, item_name=items[0], actor=staff.clerk)


def test_unknown_item_and_future_date_are_refused_with_nothing_written(accepted, staff):
    app = accepted()
    with pytest.raises(RecordRefused, match="纸质材料目录中没有“户口本”"):
        paper_receipts_record(application_id=app.pk, item_names=["户口本"], received_on=TODAY(), actor=staff.clerk)
    with pytest.raises(RecordRefused, match="接收日期不能晚于今天"):
        paper_receipts_record(application_id=app.pk, item_names=_items(app)[:1],
                              received_on=TODAY() + dt.timedelta(days=1), actor=staff.clerk)
    assert not PaperReceipt.objects.filter(application=app).exists()


@pytest.mark.parametrize("who", ["other_clerk", "unit_officer", "applicant"])
def test_only_the_committee_clerk_or_an_admin_records(accepted, staff, who):
    app = accepted()
    actor = {"other_clerk": staff.other_clerk, "unit_officer": UnitOfficerFactory(unit=app.unit),
             "applicant": app.applicant}[who]
    with pytest.raises(RecordRefused):
        _receive_all(app, actor)
    with pytest.raises(RecordRefused):
        _pay(app, actor)
    assert not PaperReceipt.objects.exists() and not FeePayment.objects.exists()


# -- windows --------------------------------------------------------------------------------------

@pytest.mark.parametrize("window,record", [("paper", _receive_all), ("fee", _pay)])
@pytest.mark.parametrize("when", ["before", "after"])
def test_each_window_is_enforced_and_shown(accepted, staff, demo_campaign, window, record, when):
    if when == "before":
        move_window(demo_campaign, window, 3, 10)
    else:
        move_window(demo_campaign, window, -10, -1)
    app = accepted()
    label = {"paper": "纸质材料报送", "fee": "缴费"}[window]
    shown = str(getattr(demo_campaign, f"{window}_window"))
    with pytest.raises(RecordRefused) as refused:
        record(app, staff.clerk)
    assert refused.value.message == f"不在{label}时间内（{shown}），逾期不予受理。"
    # An administrator is refused too until they give a reason, and then recorded with it.
    with pytest.raises(RecordRefused, match="管理员补录须填写原因"):
        record(app, staff.admin)
    record(app, staff.admin, override_reason="单位因道路封闭延误报送，经评委会同意补录")
    stored = (PaperReceipt.objects.filter(application=app).first() if window == "paper"
              else FeePayment.objects.get(application=app))
    assert stored.override_reason == "单位因道路封闭延误报送，经评委会同意补录"
    assert stored.recorded_by == staff.admin


def test_inside_the_window_a_clerk_needs_no_reason(accepted, staff, demo_campaign):
    move_window(demo_campaign, "paper", 0, 0)  # the window is today only: both ends count
    app = _receive_all(accepted(), staff.clerk)
    assert app.state == State.PAPER_RECEIVED
    assert set(PaperReceipt.objects.values_list("override_reason", flat=True)) == {""}


# -- fees -----------------------------------------------------------------------------------------

def test_fee_before_paper_waits_and_the_last_receipt_moves_through_both_steps(accepted, staff,
                                                                            django_capture_on_commit_callbacks):
    """001's fee window precedes its paper window: the payment waits in its record."""
    app = _pay(accepted(), staff.clerk)
    assert app.state == State.ACCEPTED
    with django_capture_on_commit_callbacks(execute=True):
        app = _receive_all(app, staff.clerk)
    assert app.state == State.FEE_PAID
    actions = list(StateChange.objects.filter(application=app).order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["receive_paper", "confirm_fee"]
    assert StateChange.objects.get(application=app, action="confirm_fee").comment == "已缴评审费380.00元（收据号R-0001）。"
    titles = list(Notification.objects.filter(application=app, user=app.applicant).values_list("title", flat=True))
    assert any(t.startswith("纸质材料已接收") for t in titles) and any(t.startswith("评审费已确认") for t in titles)


def test_paper_then_fee(accepted, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = _receive_all(accepted(), staff.clerk)
    assert app.state == State.PAPER_RECEIVED
    note = Notification.objects.filter(application=app, user=app.applicant).latest("id")
    assert "请按通知在缴费时间内缴纳评审费380元。" in note.body
    assert _pay(app, staff.clerk).state == State.FEE_PAID


def test_fee_amount_comes_from_the_rule_engine(accepted, staff):
    junior = accepted(level=Level.objects.get(code="junior"))
    with pytest.raises(RecordRefused, match="缴费金额应为220元（初级评审），与填写的380.00元不符"):
        _pay(junior, staff.clerk, amount=380)
    _pay(junior, staff.clerk, amount=220)
    assert FeePayment.objects.get(application=junior).amount == Decimal("220.00")
    with pytest.raises(RecordRefused, match="已登记缴费（收据号R-0001）"):
        _pay(junior, staff.clerk, amount=220, receipt="R-0002")


def test_a_receipt_number_is_used_once_per_campaign(accepted, staff):
    first, second = accepted(), accepted()
    _pay(first, staff.clerk, receipt="BZ-2026-17")
    with pytest.raises(RecordRefused, match=f"收据号BZ-2026-17已登记过（申报 {first.code}）"):
        _pay(second, staff.clerk, receipt="BZ-2026-17")


def test_a_campaign_without_a_fee_goes_from_paper_to_fee_paid(accepted, staff):
    """002 (焉耆县 初定) sets no fee: complete paper is enough."""
    campaign = Campaign.objects.get(code="yq-2024-chuding")
    app = accepted(campaign=campaign, level=Level.objects.get(code="junior"), kind="initial",
                   specialty=campaign.specialties.first())
    with pytest.raises(RecordRefused, match="本通知未规定初级初次确定的评审费，无需缴费"):
        fee_payment_record(application_id=app.pk, amount=100, paid_on=dt.date(2024, 10, 25), receipt_number="X",
                           actor=staff.admin, override_reason="测试", now=timezone.make_aware(dt.datetime(2024, 10, 25, 10)))
    app = paper_receipts_record(application_id=app.pk, item_names=_items(app), received_on=dt.date(2024, 10, 25),
                                actor=staff.admin, now=timezone.make_aware(dt.datetime(2024, 10, 25, 10)))
    # 初定 初级 is exempt from the defense, so the application moves on to defense_exempt at once.
    assert list(StateChange.objects.filter(application=app).order_by("id").values_list("to_state", flat=True))[-3:] == [
        State.PAPER_RECEIVED, State.FEE_PAID, State.DEFENSE_EXEMPT]
    assert app.state == State.DEFENSE_EXEMPT
    assert StateChange.objects.get(application=app, action="confirm_fee").comment == "本通知未规定初级初次确定的评审费，无需缴费。"


def test_unit_batch_pays_for_several_applicants_all_or_nothing(accepted, staff, demo_campaign):
    unit = UnitFactory()
    junior = Level.objects.get(code="junior")
    apps = [accepted(unit=unit), accepted(unit=unit), accepted(unit=unit, level=junior)]
    ids = [a.pk for a in apps]
    with pytest.raises(RecordRefused, match="缴费金额900.00元与所选3人应缴合计980元不符"):
        fee_batch_record(campaign=demo_campaign, unit=unit, application_ids=ids, amount=900, paid_on=TODAY(),
                         receipt_number="PL-1", actor=staff.clerk)
    stranger = accepted()
    with pytest.raises(RecordRefused, match=f"申报 {stranger.code} 不属于{unit.name}"):
        fee_batch_record(campaign=demo_campaign, unit=unit, application_ids=[*ids, stranger.pk], amount=1360,
                         paid_on=TODAY(), receipt_number="PL-1", actor=staff.clerk)
    assert not FeeBatch.objects.exists() and not FeePayment.objects.exists()
    _receive_all(apps[0], staff.clerk)
    batch = fee_batch_record(campaign=demo_campaign, unit=unit, application_ids=ids, amount=980, paid_on=TODAY(),
                             receipt_number="PL-1", actor=staff.clerk)
    assert batch.amount == Decimal("980.00")
    assert sorted(p.amount for p in batch.payments.all()) == [Decimal(220), Decimal(380), Decimal(380)]
    states = {a.pk: a.state for a in type(apps[0]).objects.filter(pk__in=ids)}
    assert states == {ids[0]: State.FEE_PAID, ids[1]: State.ACCEPTED, ids[2]: State.ACCEPTED}


def test_bulk_paper_receipt_from_the_roster_reports_each_refusal(accepted, staff):
    mine = [accepted(), accepted()]
    foreign = accepted(campaign=Campaign.objects.get(code="bz-2024-zhijian"),
                       specialty=Specialty.objects.get(series__name="工程系列", name="质量技术监督"))
    outcome = paper_receipts_record_bulk(application_ids=[mine[0].pk, foreign.pk, mine[1].pk], received_on=TODAY(),
                                         actor=staff.clerk)
    assert [a.state for a in outcome.done] == [State.PAPER_RECEIVED, State.PAPER_RECEIVED]
    assert outcome.refused == [(foreign.pk, "该申报不在您的管理范围内。")]


def test_fee_totals_and_reconciliation_per_unit(accepted, staff, demo_campaign):
    unit_a, unit_b = UnitFactory(name="甲单位"), UnitFactory(name="乙单位")
    junior = Level.objects.get(code="junior")
    a1, a2, a3 = accepted(unit=unit_a), accepted(unit=unit_a, level=junior), accepted(unit=unit_a)
    b1, b2 = accepted(unit=unit_b), accepted(unit=unit_b, kind="initial", level=junior)
    _pay(a1, staff.clerk, receipt="A1")
    _pay(a2, staff.clerk, amount=220, receipt="A2")
    _pay(b2, staff.clerk, amount=100, receipt="B2")
    campaign = load_campaign(demo_campaign.pk)
    by_kind, overall = fee_totals(staff.clerk, campaign)
    assert (overall.count, overall.due, overall.paid_count, overall.paid, overall.unpaid_count, overall.unpaid) == (
        5, 380 * 3 + 220 + 100, 3, Decimal(700), 2, Decimal(760))
    assert [(t.label, t.count, t.due, t.paid) for t in by_kind] == [
        ("评审", 4, 1360, Decimal(600)), ("初次确定", 1, 100, Decimal(100))]
    units = {u.unit.name: u for u in fee_reconciliation(staff.clerk, campaign)}
    assert (units["甲单位"].expected, units["甲单位"].recorded, units["甲单位"].difference) == (980, Decimal(600), Decimal(-380))
    assert (units["乙单位"].expected, units["乙单位"].recorded, units["乙单位"].unpaid_count) == (480, Decimal(100), 1)
    assert a3.pk and b1.pk


def test_fee_list_queries_do_not_grow_with_rows(accepted, staff, demo_campaign, django_assert_num_queries):
    for n in range(3):
        _pay(accepted(), staff.clerk, receipt=f"Q{n}")
    campaign = load_campaign(demo_campaign.pk)

    def build():
        ids = list(aftercare_applications(staff.clerk, campaign).values_list("pk", flat=True))
        rows = rows_for(page_rows(campaign)(ids), campaign)
        fee_totals(staff.clerk, campaign)
        fee_reconciliation(staff.clerk, campaign)
        return rows


    with CaptureQueriesContext(connection) as small:
        assert len(build()) == 3
    for n in range(6):
        _pay(accepted(), staff.clerk, receipt=f"P{n}")
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(build()) == 9
