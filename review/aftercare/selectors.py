"""Reads after acceptance, scoped through ``review.selectors.applications_visible_to``.

List builders load a page of applications with everything a row shows in a fixed number of
queries (receipts prefetched; payment, defense, decision and certificate joined; the campaign's
checklist and fee rows read once and shared by every row), so their cost does not grow with the
number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from applications.enums import Kind
from applications.models import Application, Campaign, CampaignFee, PaperItem
from applications.rules import fee_for
from applications.states import AFTER_ACCEPTANCE, State
from portal.accounts.models import Role
from review.selectors import applications_visible_to

from .conditions import (
    FeeStatus,
    PaperStatus,
    fee_status,
    outcome_label,
    paper_item_names,
    paper_status,
    specialty_average,
)
from .models import Certificate, DefenseSession, IntegrityRecord, PaperReceipt
from .permissions import is_admin

# -- campaigns ------------------------------------------------------------------------------------

def campaigns_managed_by(user) -> QuerySet[Campaign]:
    """The campaigns whose after-acceptance work ``user`` does: their committee's, or all for an
    administrator."""
    qs = Campaign.objects.select_related("committee").order_by("-year", "code")
    if is_admin(user):
        return qs
    if getattr(user, "role", None) == Role.COMMITTEE_CLERK and user.committee_id:
        return qs.filter(committee_id=user.committee_id)
    return qs.none()


def load_campaign(campaign_id: int) -> Campaign:
    """A campaign with the rows every list reads (paper checklist, fees, committee)."""
    return (Campaign.objects.select_related("committee", "series")
            .prefetch_related("paper_items", Prefetch("fees", queryset=CampaignFee.objects.select_related("level")),
                              "specialties__series", "exempt_counties")
            .get(pk=campaign_id))


def choose_campaign(user, code: str | None) -> Campaign | None:
    """The campaign named by ``code`` among those ``user`` manages; else the most recent one with
    accepted applications; else the most recent one."""
    campaigns = campaigns_managed_by(user)
    if code:
        found = campaigns.filter(code=code).first()
        if found is not None:
            return load_campaign(found.pk)
    busy = campaigns.filter(applications__state__in=AFTER_ACCEPTANCE).distinct().first()
    chosen = busy or campaigns.first()
    return load_campaign(chosen.pk) if chosen else None


# -- rows -----------------------------------------------------------------------------------------

def aftercare_applications(user, campaign: Campaign, *, states=AFTER_ACCEPTANCE) -> QuerySet[Application]:
    return (applications_visible_to(user).filter(campaign=campaign, state__in=states)
            .select_related("applicant", "unit", "level", "specialty__series", "fee_payment__batch",
                            "defense__session", "decision", "certificate__document")
            .prefetch_related(Prefetch("paper_receipts", queryset=PaperReceipt.objects.order_by("id")))
            .order_by("unit__county__order", "unit__name", "submitted_at", "id"))


@dataclass
class Row:
    app: Application
    paper: PaperStatus
    fee: FeeStatus
    defense: object | None
    decision: object | None
    certificate: object | None
    scored: bool = False

    @property
    def name(self) -> str:
        return (self.app.snapshot or {}).get("name") or self.app.applicant.real_name

    @property
    def defense_label(self) -> str:
        if self.defense is None:
            return ""
        if self.defense.exempt:
            return "免于答辩"
        if self.defense.session is None:
            return "待安排场次"
        return outcome_label(self.defense, self.scored) if self.defense.has_outcome else "已安排"


def related_or_none(app: Application, name: str):
    """A reverse one-to-one (payment, defense, decision, certificate) or None when missing."""
    try:
        return getattr(app, name)
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist of a missing reverse one-to-one
        return None


def rows_for(applications, campaign: Campaign) -> list[Row]:
    """``applications`` come from ``aftercare_applications``; ``campaign`` from ``load_campaign``.
    No query per row: every row shares the loaded campaign."""
    items = paper_item_names(campaign)
    rows = []
    for app in applications:
        app.campaign = campaign
        payment = related_or_none(app, "fee_payment")
        rows.append(Row(app, paper_status(app, items=items, receipts=app.paper_receipts.all()),
                        fee_status(app, payment=payment), related_or_none(app, "defense"),
                        related_or_none(app, "decision"), related_or_none(app, "certificate"),
                        campaign.defense_scored))
    return rows


def state_counts(user, campaign: Campaign) -> dict[str, int]:
    qs = applications_visible_to(user).filter(campaign=campaign, state__in=AFTER_ACCEPTANCE)
    return dict(qs.order_by().values_list("state").annotate(n=Count("id")))


def search(qs: QuerySet[Application], term: str) -> QuerySet[Application]:
    term = (term or "").strip()
    if not term:
        return qs
    return qs.filter(Q(applicant__real_name__icontains=term) | Q(applicant__id_number__icontains=term)
                     | Q(code__iexact=term))


# -- fees -----------------------------------------------------------------------------------------

@dataclass
class FeeTotals:
    label: str
    count: int = 0
    due: int = 0
    paid_count: int = 0
    paid: Decimal = Decimal(0)
    no_fee: int = 0

    @property
    def unpaid_count(self) -> int:
        return self.count - self.paid_count - self.no_fee

    @property
    def unpaid(self) -> Decimal:
        return Decimal(self.due) - self.paid


def fee_totals(rows: list[Row]) -> tuple[list[FeeTotals], FeeTotals]:
    """Totals per application kind and overall: expected (the rule engine's fee), recorded, left."""
    by_kind: dict[str, FeeTotals] = {}
    overall = FeeTotals("合计")
    for row in rows:
        totals = by_kind.setdefault(row.app.kind, FeeTotals(str(Kind(row.app.kind).label)))
        for t in (totals, overall):
            t.count += 1
            if row.fee.no_fee:
                t.no_fee += 1
                continue
            t.due += row.fee.due
            if row.fee.payment is not None:
                t.paid_count += 1
                t.paid += row.fee.payment.amount
    return [by_kind[k] for k in Kind.values if k in by_kind], overall


@dataclass
class UnitReconciliation:
    unit: object
    count: int = 0
    expected: int = 0
    recorded: Decimal = Decimal(0)
    paid_count: int = 0
    receipts: set = field(default_factory=set)
    closed_paid: Decimal = Decimal(0)

    @property
    def difference(self) -> Decimal:
        return self.recorded - Decimal(self.expected)

    @property
    def unpaid_count(self) -> int:
        return self.count - self.paid_count


def fee_reconciliation(user, campaign: Campaign) -> list[UnitReconciliation]:
    """Per unit: what the rule engine expects for its accepted applications and what was recorded
    (individually or in batches).  Payments of applications closed afterwards (fraud) are shown
    apart: they were recorded but are no longer expected.  One query."""
    apps = (applications_visible_to(user).filter(campaign=campaign)
            .filter(Q(state__in=AFTER_ACCEPTANCE) | Q(fee_payment__isnull=False))
            .select_related("unit", "level", "fee_payment").order_by("unit__name", "id"))
    units: dict[int, UnitReconciliation] = {}
    for app in apps:
        entry = units.setdefault(app.unit_id, UnitReconciliation(app.unit))
        payment = related_or_none(app, "fee_payment")
        if app.state not in AFTER_ACCEPTANCE:
            if payment is not None:
                entry.closed_paid += payment.amount
            continue
        due = fee_for(campaign, app.level, app.kind)
        if due is None:
            continue
        entry.count += 1
        entry.expected += due
        if payment is not None:
            entry.paid_count += 1
            entry.recorded += payment.amount
            entry.receipts.add(payment.receipt_number)
    return [u for u in units.values() if u.count or u.closed_paid]


# -- defense --------------------------------------------------------------------------------------

@dataclass
class SpecialtyDefense:
    specialty: object
    sessions: list = field(default_factory=list)
    waiting: list[Row] = field(default_factory=list)  # fee settled, must attend, no session yet
    scheduled: list[Row] = field(default_factory=list)
    exempt: list[Row] = field(default_factory=list)
    not_ready: list[Row] = field(default_factory=list)  # paper or fee still missing
    unevaluated: int = 0
    average: dict | None = None


def defense_overview(user, campaign: Campaign) -> list[SpecialtyDefense]:
    rows = rows_for(aftercare_applications(user, campaign, states=(
        State.ACCEPTED, State.PAPER_RECEIVED, State.FEE_PAID, State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT,
        State.DECIDED, State.CERTIFIED)), campaign)
    sessions = (DefenseSession.objects.filter(campaign=campaign).select_related("specialty")
                .order_by("date", "time_slot", "id"))
    sessions = sessions.annotate(n=Count("records"))
    groups: dict[int, SpecialtyDefense] = {}
    for specialty in campaign.specialties.all():
        groups[specialty.pk] = SpecialtyDefense(specialty)
    for session in sessions:
        groups.setdefault(session.specialty_id, SpecialtyDefense(session.specialty)).sessions.append(session)
    for row in rows:
        group = groups.setdefault(row.app.specialty_id, SpecialtyDefense(row.app.specialty))
        record = row.defense
        if record is None:
            group.unevaluated += 1
            group.not_ready.append(row)
        elif record.exempt:
            group.exempt.append(row)
        elif record.session_id:
            group.scheduled.append(row)
        elif row.app.state == State.FEE_PAID:
            group.waiting.append(row)
        else:
            group.not_ready.append(row)
    result = [g for g in groups.values() if g.sessions or g.waiting or g.scheduled or g.exempt or g.not_ready]
    if campaign.defense_scored:
        for group in result:
            if group.scheduled or group.exempt:
                group.average = specialty_average(campaign.pk, group.specialty.pk)
    return result


def session_rows(session: DefenseSession) -> list[Application]:
    """The panel's list: applications placed in ``session``, by code (no names)."""
    return list(Application.objects.filter(defense__session=session)
                .select_related("defense", "level", "specialty").order_by("code"))


# -- certificates ---------------------------------------------------------------------------------

def certificates_of_holder(id_number: str, name: str) -> list[Certificate]:
    """Certificates stating exactly this ID number and this name (both must match: a wrong pair
    finds nothing, like an unknown one)."""
    return list(Certificate.objects.filter(id_number=id_number.upper(), holder_name=name.strip())
                .select_related("document").order_by("-issued_on", "number"))


def certificate_by_number(number: str) -> Certificate | None:
    return Certificate.objects.filter(number=number).select_related("document").first()


def certificate_by_token(token: str) -> Certificate | None:
    return Certificate.objects.filter(token=token).select_related("document").first()


def decision_defaults(campaign: Campaign, today) -> dict:
    """What the results forms propose: the meeting date already used for this campaign (decisions
    of one meeting are recorded in several goes), else today; a publicity that begins on the last
    meeting day and lasts the campaign's working days."""
    from django.db.models import Max

    from ..workdays import earliest_publicity_end

    last = (Application.objects.filter(campaign=campaign, decision__isnull=False)
            .aggregate(last=Max("decision__meeting_date"))["last"])
    defaults = {"meeting_date": last or today}
    if last:
        defaults["publicity"] = {"start": last, "end": earliest_publicity_end(last, campaign.publicity_working_days)}
    return defaults


def certificate_of(application: Application) -> Certificate | None:
    return Certificate.objects.filter(application=application).first()


# -- integrity ------------------------------------------------------------------------------------

def integrity_records_for(user) -> QuerySet[IntegrityRecord]:
    """Integrity records are visible to administrators and committee clerks (every committee's:
    a ban binds every committee), to nobody else."""
    if not (is_admin(user) or getattr(user, "role", None) == Role.COMMITTEE_CLERK):
        return IntegrityRecord.objects.none()
    return (IntegrityRecord.objects.select_related("unit", "campaign__committee", "application", "recorded_by")
            .order_by("-recorded_at", "-id"))


def paper_missing_by_application(applications: list[Application]) -> dict[int, list[str]]:
    """For the applicant's and the unit's pages: which paper items are still missing, for each
    application (two queries: receipts, and the checklists of their campaigns)."""
    campaign_ids = {a.campaign_id for a in applications}
    items: dict[int, list[str]] = defaultdict(list)
    for campaign_id, name in (PaperItem.objects.filter(campaign_id__in=campaign_ids)
                              .order_by("order", "id").values_list("campaign_id", "name")):
        items[campaign_id].append(name)
    received: dict[int, set[str]] = defaultdict(set)
    for app_id, name in PaperReceipt.objects.filter(application__in=[a.pk for a in applications]).values_list(
            "application_id", "item_name"):
        received[app_id].add(name)
    return {a.pk: [n for n in items[a.campaign_id] if n not in received[a.pk]] for a in applications}
