"""The conditions that move an application on after acceptance, read from its records.

Pure reads, shared by the one door (which re-checks them under the row lock before a transition)
and by the pages (which show what is still missing).  Each takes the application and, when the
caller already has them, the rows it needs, so lists ask once for all applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from applications.rules import defense_exemption, fee_for, profile_from_sections

# -- paper files -----------------------------------------------------------------------------------

def paper_item_names(campaign) -> list[str]:
    """The campaign's paper checklist, in order (reads ``campaign.paper_items.all()``)."""
    return [item.name for item in campaign.paper_items.all()]


@dataclass
class PaperStatus:
    items: list[str]
    received: dict[str, object]  # item name → PaperReceipt

    @property
    def missing(self) -> list[str]:
        return [name for name in self.items if name not in self.received]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def count(self) -> int:
        return sum(1 for name in self.items if name in self.received)


def paper_status(application, *, items: list[str] | None = None, receipts=None) -> PaperStatus:
    items = paper_item_names(application.campaign) if items is None else items
    receipts = application.paper_receipts.all() if receipts is None else receipts
    return PaperStatus(items, {r.item_name: r for r in receipts})


# -- fees ------------------------------------------------------------------------------------------

@dataclass
class FeeStatus:
    due: int | None  # None: the campaign charges no fee for this level and kind (002)
    payment: object | None  # FeePayment

    @property
    def no_fee(self) -> bool:
        return self.due is None

    @property
    def paid_amount(self) -> Decimal:
        return self.payment.amount if self.payment is not None else Decimal(0)

    @property
    def settled(self) -> bool:
        """Paid in full, or nothing to pay."""
        return self.due is None or (self.payment is not None and self.payment.amount >= self.due)

    @property
    def shortfall(self) -> Decimal:
        if self.due is None:
            return Decimal(0)
        return max(Decimal(0), Decimal(self.due) - self.paid_amount)


def _payment_of(application):
    from .models import FeePayment

    try:
        return application.fee_payment
    except FeePayment.DoesNotExist:
        return None


def fee_status(application, *, payment=...) -> FeeStatus:
    """``payment``: pass the FeePayment (or None) when known; otherwise read through the reverse
    one-to-one (free after ``select_related("fee_payment")``)."""
    payment = _payment_of(application) if payment is ... else payment
    return FeeStatus(fee_for(application.campaign, application.level, application.kind), payment)


# -- defense ---------------------------------------------------------------------------------------

def sections_data(application) -> dict[str, dict]:
    """Validated sections ({key: data}); reads ``application.sections.all()`` (prefetchable)."""
    return {s.key: s.data for s in application.sections.all() if s.is_complete}


def exemption_for(application, sections: dict[str, dict] | None = None) -> tuple[bool, list[str]]:
    """The rule engine's answer (``applications.rules.defense_exemption``): exempt?, and every
    ground with the clause it rests on."""
    data = sections_data(application) if sections is None else sections
    profile = profile_from_sections(application, data)
    return defense_exemption(application.campaign, application.level, application.kind, profile)


def outcome_label(record, scored: bool) -> str:
    """What a scheduled applicant's defense came to, for lists and the decision record."""
    if record is None or not record.has_outcome:
        return _("尚未录入")
    if record.absent:
        return _("缺席")
    if scored:
        return _("%s分") % record.score
    return _("通过") if record.passed else _("未通过")
