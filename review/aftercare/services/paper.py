"""纸质材料: ticking the campaign's paper checklist as received, one application or many."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.states import State
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record
from portal.errors import Refused

from ..conditions import paper_item_names, paper_status
from ..models import PaperReceipt
from ..permissions import RecordRefused, window_check
from .common import OPEN_AFTER_ACCEPTANCE, Outcome, aftercare_advance, locked, not_future, state_in


def delivering_units(application) -> list:
    """The units that may hand in an applicant's paper where the notice refuses individuals (003
    八（四））: the applicant's unit and its competent unit."""
    unit = application.unit
    return [u for u in (unit, unit.competent_unit) if u is not None]


def paper_receipts_record(*, application_id: int, item_names: list[str], received_on: dt.date, actor,
                          override_reason: str = "", now: dt.datetime | None = None,
                          delivered_by=None) -> Application:
    """Tick items of the campaign's paper checklist as received (already ticked ones stay).
    ``delivered_by`` (a Unit) is required where the campaign takes paper from units only."""
    now = now or timezone.now()
    with transaction.atomic():
        application = locked(application_id, actor)
        state_in(application, OPEN_AFTER_ACCEPTANCE, _("登记纸质材料"))
        reason = window_check(application.campaign.paper_window, actor=actor, now=now, reason=override_reason,
                              what=_("纸质材料报送"))
        not_future(received_on, now, _("接收日期"))
        known = paper_item_names(application.campaign)
        unknown = [name for name in item_names if name not in known]
        if unknown:
            raise RecordRefused(_("纸质材料目录中没有“%s”。") % "、".join(unknown))
        # Items that do not apply to this applicant (PaperItem.conditions) are never recorded: named
        # alone they are refused; named with others (a whole checklist) they are left out.
        applies = paper_status(application)
        not_applicable = [name for name in item_names if name in applies.not_applicable]
        if not_applicable and len(not_applicable) == len(item_names):
            raise RecordRefused(_("“%s”对本申报人不适用，无需登记。") % "、".join(not_applicable))
        item_names = [name for name in item_names if name not in applies.not_applicable]
        if not item_names:
            raise RecordRefused(_("请勾选已接收的纸质材料。"))
        if application.campaign.paper_by_unit_only:
            allowed = delivering_units(application)
            if delivered_by is None:
                raise RecordRefused(_("个人报送材料一律不予受理（通知八（四））：请选择报送单位。"))
            if delivered_by.pk not in {u.pk for u in allowed}:
                raise RecordRefused(_("报送单位须为申报人所在单位或其主管单位（%s）；个人报送材料一律不予受理。")
                                    % "、".join(u.name for u in allowed))
        else:
            delivered_by = None
        have = set(application.paper_receipts.values_list("item_name", flat=True))
        new = [name for name in item_names if name not in have]
        PaperReceipt.objects.bulk_create([
            PaperReceipt(application=application, item_name=name, received_on=received_on, override_reason=reason,
                         delivered_by=delivered_by, recorded_by=actor) for name in new])
        if new:
            audit_record(action=AuditAction.PAPER_RECEIVED, actor=actor, obj=application, after={
                "items": new, "received_on": received_on, "override_reason": reason,
                **({"delivered_by": delivered_by.name} if delivered_by is not None else {})})
        return aftercare_advance(application_id=application_id, actor=actor, now=now)


def paper_receipt_remove(*, application_id: int, item_name: str, actor, now: dt.datetime | None = None) -> None:
    """Untick an item ticked by mistake, while the paper is not yet complete."""
    with transaction.atomic():
        application = locked(application_id, actor)
        state_in(application, (State.ACCEPTED,), _("撤销纸质材料登记"))
        receipt = PaperReceipt.objects.filter(application=application, item_name=item_name).first()
        if receipt is None:
            return
        audit_record(action=AuditAction.PAPER_RECEIPT_REMOVED, actor=actor, obj=application, before={
            "item": item_name, "received_on": receipt.received_on, "recorded_by": receipt.recorded_by_id})
        receipt.delete()


def paper_receipts_record_bulk(*, application_ids: list[int], received_on: dt.date, actor,
                               item_names: list[str] | None = None, override_reason: str = "",
                               now: dt.datetime | None = None) -> Outcome:
    """From the roster: tick ``item_names`` (all items of the checklist when None) for each
    application.  Each is recorded on its own; refusals are reported one by one."""
    outcome = Outcome()
    for application_id in application_ids:
        try:
            with transaction.atomic():
                # Every item (or those named) that applies to this applicant: 不适用 ones are not ticked.
                application = Application.objects.select_related("campaign", "unit", "level").get(pk=application_id)
                applicable = paper_status(application).items
                names = applicable if item_names is None else [n for n in item_names if n in applicable]
                # From the roster of a unit: the applicant's unit hands the paper in (003 八（四））.
                outcome.done.append(paper_receipts_record(
                    application_id=application_id, item_names=names, received_on=received_on, actor=actor,
                    override_reason=override_reason, now=now, delivered_by=application.unit))
        except Refused as refusal:
            outcome.refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            outcome.refused.append((application_id, _("申报不存在或不在您的管理范围内。")))
    return outcome
