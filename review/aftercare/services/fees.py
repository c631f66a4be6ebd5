"""评审费: one application's payment, or one unit's batch for several of its applicants.

Each payment and each batch leaves its audit event (``fee.recorded``, ``fee.batch_recorded``:
a batch records itself and each payment it covers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Campaign
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record, audit_record_many

from ..conditions import fee_status
from ..models import FeeBatch, FeePayment
from ..permissions import RecordRefused, window_check
from .common import OPEN_AFTER_ACCEPTANCE, aftercare_advance, campaign_scope, locked, not_future, state_in


def _payment_values(payment: FeePayment) -> dict:
    return {"amount": payment.amount, "paid_on": payment.paid_on, "receipt_number": payment.receipt_number,
            "batch": payment.batch_id, "override_reason": payment.override_reason}


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise RecordRefused(_("请填写正确的金额。")) from None
    if amount <= 0:
        raise RecordRefused(_("金额须大于0。"))
    return amount


def _receipt(value: str) -> str:
    receipt = (value or "").strip()
    if not receipt:
        raise RecordRefused(_("请填写收据号。"))
    if len(receipt) > 40:
        raise RecordRefused(_("收据号不能超过40个字符。"))
    return receipt


def _receipt_unused(campaign: Campaign, receipt: str) -> None:
    used = (FeePayment.objects.filter(application__campaign=campaign, receipt_number=receipt)
            .select_related("application__applicant").first())
    if used is not None:
        raise RecordRefused(_("收据号%(receipt)s已登记过（申报 %(code)s），请核对。") % {
            "receipt": receipt, "code": used.application.code})


def _payable(application: Application) -> int:
    """The fee still to record for ``application``; refuses when none is due or it is paid."""
    status = fee_status(application)
    if status.no_fee:
        raise RecordRefused(_("本通知未规定%(level)s%(kind)s的评审费，无需缴费。") % {
            "level": application.level.name, "kind": application.get_kind_display()})
    if status.payment is not None:
        raise RecordRefused(_("申报 %(code)s 已登记缴费（收据号%(receipt)s）。") % {
            "code": application.code, "receipt": status.payment.receipt_number})
    return status.due


def fee_payment_record(*, application_id: int, amount, paid_on: dt.date, receipt_number: str, actor,
                       override_reason: str = "", now: dt.datetime | None = None) -> Application:
    """Record the review fee of one application: the amount the rule engine sets, its date and
    receipt number, inside the fee window."""
    now = now or timezone.now()
    with transaction.atomic():
        application = locked(application_id, actor)
        state_in(application, OPEN_AFTER_ACCEPTANCE, _("登记缴费"))
        reason = window_check(application.campaign.fee_window, actor=actor, now=now, reason=override_reason,
                              what=_("缴费"))
        due = _payable(application)
        amount = _amount(amount)
        if amount != due:
            raise RecordRefused(_("缴费金额应为%(due)d元（%(level)s%(kind)s），与填写的%(amount)s元不符。") % {
                "due": due, "level": application.level.name, "kind": application.get_kind_display(),
                "amount": amount})
        not_future(paid_on, now, _("缴费日期"))
        receipt = _receipt(receipt_number)
        _receipt_unused(application.campaign, receipt)
        payment = FeePayment.objects.create(application=application, amount=amount, paid_on=paid_on,
                                            receipt_number=receipt, override_reason=reason, recorded_by=actor)
        audit_record(action=AuditAction.FEE_RECORDED, actor=actor, obj=payment, application=application,
                     after=_payment_values(payment))
        return aftercare_advance(application_id=application_id, actor=actor, now=now)


def fee_batch_record(*, campaign: Campaign, unit, application_ids: list[int], amount, paid_on: dt.date,
                     receipt_number: str, actor, override_reason: str = "",
                     now: dt.datetime | None = None) -> FeeBatch:
    """One payment by a unit for several of its applicants (one receipt).  All or nothing: the
    total must equal what the rule engine sets for the applications chosen."""
    now = now or timezone.now()
    if not application_ids:
        raise RecordRefused(_("请勾选本次缴费包含的申报。"))
    with transaction.atomic():
        campaign_scope(actor, campaign)
        reason = window_check(campaign.fee_window, actor=actor, now=now, reason=override_reason, what=_("缴费"))
        not_future(paid_on, now, _("缴费日期"))
        receipt = _receipt(receipt_number)
        _receipt_unused(campaign, receipt)
        total = _amount(amount)
        applications = []
        due_total = 0
        for application_id in sorted(set(application_ids)):
            application = locked(application_id, actor)
            if application.campaign_id != campaign.pk or application.unit_id != unit.pk:
                raise RecordRefused(_("申报 %(code)s 不属于%(unit)s本年度的申报。") % {
                    "code": application.code, "unit": unit.name})
            state_in(application, OPEN_AFTER_ACCEPTANCE, _("登记缴费"))
            due_total += _payable(application)
            applications.append(application)
        if total != due_total:
            raise RecordRefused(_("缴费金额%(amount)s元与所选%(n)d人应缴合计%(due)d元不符。") % {
                "amount": total, "n": len(applications), "due": due_total})
        batch = FeeBatch.objects.create(campaign=campaign, unit=unit, amount=total, paid_on=paid_on,
                                        receipt_number=receipt, override_reason=reason, recorded_by=actor)
        payments = FeePayment.objects.bulk_create([
            FeePayment(application=application, amount=fee_status(application, payment=None).due, paid_on=paid_on,
                       receipt_number=receipt, batch=batch, override_reason=reason, recorded_by=actor)
            for application in applications])
        audit_record(action=AuditAction.FEE_BATCH_RECORDED, actor=actor, obj=batch, after={
            "unit": unit.pk, "amount": total, "paid_on": paid_on, "receipt_number": receipt,
            "override_reason": reason, "applications": [a.code for a in applications]})
        audit_record_many(action=AuditAction.FEE_RECORDED, actor=actor, objects=payments, after_of=_payment_values)
        for application in applications:
            aftercare_advance(application_id=application.pk, actor=actor, now=now)
    return batch
