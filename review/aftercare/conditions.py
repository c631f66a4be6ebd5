"""The conditions that move an application on after acceptance, read from its records.

Reads only, shared by the one door (which re-checks them under the row lock before a transition)
and by the pages (which show what is still missing).  Each takes the application and, when the
caller already has them, the rows it needs, so lists ask once for all applications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from applications.checklist import paper_items_for
from applications.rules import defense_exemption, fee_for, profile_from_sections
from applications.selectors import sections_data
from applications.states import State

from .models import DefenseRecord, FeePayment

# -- paper files -----------------------------------------------------------------------------------

def paper_item_names(campaign) -> list[str]:
    """The campaign's paper checklist, in order (reads ``campaign.paper_items.all()``)."""
    return [item.name for item in campaign.paper_items.all()]


@dataclass
class PaperStatus:
    items: list[str]  # the items that apply to this applicant
    received: dict[str, object]  # item name → PaperReceipt (None in a list's rows: names only)
    not_applicable: list[str] = field(default_factory=list)  # shown as 不适用
    optional: frozenset[str] = frozenset()  # never hold the paper back

    @property
    def missing(self) -> list[str]:
        return [name for name in self.items if name not in self.received and name not in self.optional]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def count(self) -> int:
        return sum(1 for name in self.items if name in self.received)


def paper_status(application, *, items: list[str] | None = None, receipts=None,
                 sections: dict[str, dict] | None = None, received_names=None) -> PaperStatus:
    """``items``: the campaign's item names when the caller has them (a list shares one campaign);
    the items that apply to this applicant are resolved by ``applications.checklist.paper_items_for``
    (conditions read the application's sections only when the campaign has conditional items;
    ``sections``: those the conditions read, when the caller has them, see ``fact_sections``).
    ``received_names``: a list's rows, which read only the names of the items received (then
    ``PaperStatus.received`` maps each name to None instead of its receipt)."""
    resolved = paper_items_for(application, sections)
    applicable = [n for n in resolved.applicable if items is None or n in items]
    if received_names is not None:
        received = dict.fromkeys(received_names)
    else:
        receipts = application.paper_receipts.all() if receipts is None else receipts
        received = {r.item_name: r for r in receipts}
    return PaperStatus(applicable, received, list(resolved.not_applicable), resolved.optional)


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


def session_text(session) -> str:
    return _("%(date)s %(slot)s，%(place)s") % {
        "date": f"{session.date.year}年{session.date.month}月{session.date.day}日", "slot": session.time_slot,
        "place": session.place_label}


# -- the decision's defense outcome ---------------------------------------------------------------

SCORE_STEP = Decimal("0.1")


def specialty_average(campaign_id: int, specialty_id: int) -> dict:
    """The mean score of a specialty's attendees in a campaign (that year's defense), how many it
    is taken over, and how many scheduled attendees still have no outcome.  Applications closed
    for fraud do not count.  One query."""
    scored = Q(absent=False, score__isnull=False)
    found = (DefenseRecord.objects
             .filter(application__campaign_id=campaign_id, application__specialty_id=specialty_id, exempt=False)
             .exclude(application__state=State.CLOSED)
             .aggregate(mean=Avg("score", filter=scored), count=Count("pk", filter=scored),
                        pending=Count("pk", filter=Q(session__isnull=False, absent=False, score__isnull=True))))
    mean = found["mean"]
    if mean is not None:
        mean = Decimal(str(mean)).quantize(SCORE_STEP, rounding=ROUND_HALF_UP)
    return {"mean": mean, "count": found["count"], "pending": found["pending"]}


def defense_outcome(application, record) -> tuple[Decimal | None, str, str]:
    """(score counted, basis in words, refusal or "") for the decision of ``application``."""
    scored = application.campaign.defense_scored
    if record is None:
        return None, "", _("尚未认定答辩或免答辩。")
    if not record.exempt:
        recorded = record.absent or (record.score is not None if scored else record.passed is not None)
        if not recorded:
            return None, "", (_("请先录入答辩成绩（缺席的请标记缺席）。") if scored
                              else _("请先录入答辩结果（缺席的请标记缺席）。"))
        return (record.score if scored and not record.absent else None,
                _("参加现场答辩：%s") % outcome_label(record, scored), "")
    if not scored:
        return None, _("免于答辩，按通过现场答辩环节对待"), ""
    average = specialty_average(application.campaign_id, application.specialty_id)
    if average["pending"]:
        return None, "", _("本专业仍有%d名答辩人员未录入成绩，免答辩人员的平均分尚未确定。") % average["pending"]
    if average["mean"] is None:
        return None, _("免于答辩；本专业当年无人参加现场答辩，不赋分"), ""
    return (average["mean"],
            _("免于答辩，按本专业%(n)d名答辩人员平均分赋分：%(mean)s分")
            % {"n": average["count"], "mean": average["mean"]},
            "")


def paid_ids(applications: list) -> set[int]:
    """Of ``applications`` (sharing a loaded campaign), the ids whose fee is recorded as paid in
    full: one query for the payments.  Registered as the documents app's fee-list source."""
    payments = {p.application_id: p for p in FeePayment.objects.filter(application__in=[a.pk for a in applications])}
    return {a.pk for a in applications
            if a.pk in payments and fee_status(a, payment=payments[a.pk]).settled}
