"""Reads after acceptance, scoped through ``review.selectors.applications_visible_to``.

List builders load a page of applications with everything a row shows in a fixed number of
queries (the names of the items received in one query; payment, defense, decision and certificate
joined; the campaign's checklist and fee rows read once and shared by every row), so their cost
does not grow with the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (Avg, Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value,
                              When, Window)
from django.db.models.functions import RowNumber
from django.db.models.fields.json import KeyTextTransform

from applications.checklist import FACT_SECTIONS
from applications.selectors import LISTED_NAME, listed_name
from applications.enums import Kind
from applications.models import Application, ApplicationSection, Campaign, Level, Specialty, Unit
from applications.rules import fee_for
from applications.states import AFTER_ACCEPTANCE, State
from portal import tallies
from portal.accounts.models import Role
from review.access import scope_key
from review.selectors import (applications_visible_to, campaign_tally, count_by_state, load_campaign,
                              load_campaigns, matching)

from .conditions import (
    FeeStatus,
    PaperStatus,
    fee_status,
    outcome_label,
    paper_item_names,
    paper_status,
    SCORE_STEP,
)
from .models import (Certificate, DecisionResult, DefenseRecord, DefenseSession, FeeBatch, FeePayment, IntegrityRecord,
                     PaperReceipt)
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


def campaign_picker(user) -> list[Campaign]:
    """The campaigns ``user`` manages as every clerk page's picker shows them (year and committee:
    not their clauses and texts), newest first; kept in the cache until a campaign or committee
    changes (``portal.tallies.CAMPAIGN_SETTINGS``): two queries fewer on every clerk page."""
    return tallies.remembered(
        f"campaign-picker:{scope_key(user)}", [tallies.CAMPAIGN_SETTINGS],
        lambda: list(campaigns_managed_by(user).only("id", "code", "year", "committee__name",
                                                     "committee__short_name")))


def choose_campaign(user, code: str | None) -> Campaign | None:
    """The campaign named by ``code`` among those ``user`` manages; else the most recent one with
    accepted applications; else the most recent one."""
    if code:
        found = next((c.pk for c in campaign_picker(user) if c.code == code), None)
        if found is not None:
            return load_campaign(found)
    campaigns = campaigns_managed_by(user)
    busy = campaigns.filter(applications__state__in=AFTER_ACCEPTANCE).distinct().first()
    chosen = busy or campaigns.first()
    return load_campaign(chosen.pk) if chosen else None


# -- rows -----------------------------------------------------------------------------------------

# What a list's row reads: of the application, the columns its rows and its ordering read (not the
# snapshot, nor the dates of each step); of the applicant, the name as the list shows it
# (``listed_name``: the name in the snapshot, else the account's; no account read, no user built);
# of the certificate, its number and revocation and its document's status and file (not the
# certificate's copy of the holder, nor the document's metadata).  The payment,
# defense and decision are read whole: the rules and the labels read their fields.  The small
# reference rows (specialty and series, level, unit and county) are not joined: they come from the
# loaded campaign and one query for the page's units (``attach_references``).  A field not named
# here costs a query per row when read: ``tests/aftercare/test_pages.py`` (``…_queries_do_not_grow``)
# counts the queries of every list with few rows and with more.
ROW_FIELDS = (
    "id", "state", "applicant", "campaign", "specialty", "level", "kind", "unit", "code", "submission_count",
    "submitted_at",
)
# Each record a row may show: what it joins and which of its columns it reads.
ROW_RECORDS = {
    "fee_payment": (("fee_payment",), ("fee_payment",)),
    "defense": (("defense",), ("defense",)),
    "defense_session": (("defense__session",), ()),  # the session's day and place, where a list shows them
    "decision": (("decision",), ("decision",)),
    "certificate": (("certificate__document",), ("certificate__number", "certificate__revoked_at",
                                                 "certificate__document__status", "certificate__document__file")),
}
# The records each list shows, and whether it shows the paper status (the receipts): a list reads
# nothing it does not show (each of the results page's two lists reads one record a row).
LIST_RECORDS = {
    "roster": ("fee_payment", "defense", "defense_session", "decision", "receipts"),  # the units' progress
    "index": ("fee_payment", "defense", "decision", "receipts"),  # 受理后管理: a defense's outcome, not its session
    "fees": ("fee_payment",),
    "pending": ("defense",),  # the results page's applications waiting for a result
    "decided": ("decision",),  # and those decided (the decision carries its defense basis)
    "certificates": ("certificate",),
}


def aftercare_applications(user, campaign: Campaign, *, states=AFTER_ACCEPTANCE) -> QuerySet[Application]:
    """The applications of ``campaign`` after acceptance that ``user`` may see, in the lists' order
    (county, unit, submission): what a list filters, counts and pages.  A page's rows are then read
    by ``page_rows`` (``KeysetPaginator(..., rows=page_rows(campaign), lanes="unit")``: each unit's
    applications in order from the index ``app_after_acceptance``, ``portal.lanes``)."""
    return (applications_visible_to(user).filter(campaign=campaign, state__in=states)
            .order_by("unit__county__order", "unit__name", "submitted_at", "id"))


def page_rows(campaign: Campaign, shows: str = "roster"):
    """How a list reads a page's rows from their ids (``KeysetPaginator``'s ``rows``): by primary
    key alone (the selection was the first step's), with the records the list ``shows``
    (``LIST_RECORDS``) and never the snapshot itself (~6.5 KB of JSON a row): the name and the
    title applied for are read out of it by PostgreSQL (``listed_name``, ``snapshot_title``).
    Joining the five reference tables as well made the row query's plan cost more than its
    execution (PostgreSQL planned 15 joins: 7–9 ms a query at 10,000 applications, issue 16)."""
    def load(ids) -> list[Application]:
        applications = _read_rows(ids, shows)
        attach_references(applications, [campaign])
        return applications
    return load


def rows_over_campaigns(ids) -> list[Application]:
    """``page_rows`` for a list whose rows belong to several campaigns (the units' progress): each
    campaign read once with its rows (``load_campaigns``), not joined to every row."""
    applications = _read_rows(ids, "roster")
    campaigns = load_campaigns({app.campaign_id for app in applications})
    attach_references(applications, campaigns.values())
    for app in applications:
        app.campaign = campaigns[app.campaign_id]
    return applications


def _read_rows(ids, shows: str) -> list[Application]:
    records = [ROW_RECORDS[name] for name in LIST_RECORDS[shows] if name in ROW_RECORDS]
    # Unordered: the paginator puts the rows in the page's order (no ORDER BY compiled, none sorted).
    qs = (Application.objects.filter(pk__in=ids).order_by()
          .select_related(*(join for joins, _columns in records for join in joins))
          .only(*ROW_FIELDS, *(column for _joins, columns in records for column in columns))
          .annotate(listed_name=LISTED_NAME, snapshot_title=KeyTextTransform("title_applied_for", "snapshot")))
    applications = list(qs)
    if "receipts" in LIST_RECORDS[shows]:
        # A list's paper status reads which items arrived, nothing else of a receipt: their names,
        # in one query for the page (not a model instance for each of ~3 receipts a row).
        names: dict[int, list[str]] = defaultdict(list)
        for application_id, item_name in (PaperReceipt.objects.filter(application_id__in=ids)
                                          .order_by("id").values_list("application_id", "item_name")):
            names[application_id].append(item_name)
        for app in applications:
            app.receipt_names = names.get(app.pk, [])
    return applications


def attach_references(applications: list[Application], campaigns) -> None:
    """Give each application its specialty (with its series), level, and unit (with its county)
    without a join: the specialties and levels of ``campaigns`` as ``load_campaign`` read them, the
    units in one query; a specialty or level no campaign lists any more is read too."""
    specialties = {s.pk: s for campaign in campaigns for s in campaign.specialties.all()}
    levels = {fee.level_id: fee.level for campaign in campaigns for fee in campaign.fees.all()}
    wanted = {a.specialty_id for a in applications} - specialties.keys()
    if wanted:
        specialties.update((s.pk, s) for s in Specialty.objects.filter(pk__in=wanted).select_related("series")
                           .order_by())
    wanted = {a.level_id for a in applications} - levels.keys()
    if wanted:
        levels.update((lv.pk, lv) for lv in Level.objects.filter(pk__in=wanted).order_by())
    units = {u.pk: u for u in Unit.objects.filter(pk__in={a.unit_id for a in applications}).select_related("county")
             .order_by()}
    for app in applications:
        Application.specialty.field.set_cached_value(app, specialties[app.specialty_id])
        Application.level.field.set_cached_value(app, levels[app.level_id])
        Application.unit.field.set_cached_value(app, units[app.unit_id])


@dataclass
class Row:
    app: Application
    paper: PaperStatus | None  # None: a list that does not show it (rows_for)
    fee: FeeStatus | None
    defense: object | None
    decision: object | None
    certificate: object | None
    scored: bool = False

    @property
    def name(self) -> str:
        if hasattr(self.app, "listed_name"):  # a list's row (``page_rows``): the name was read for it
            return self.app.listed_name
        return listed_name(self.app)

    @property
    def defense_label(self) -> str:
        if self.defense is None:
            return ""
        if self.defense.exempt:
            return "免于答辩"
        if self.defense.session_id is None:  # the session itself is read only by lists showing it
            return "待安排场次"
        return outcome_label(self.defense, self.scored) if self.defense.has_outcome else "已安排"


def related_or_none(app: Application, name: str):
    """A reverse one-to-one (payment, defense, decision, certificate) or None when missing."""
    try:
        return getattr(app, name)
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist of a missing reverse one-to-one
        return None


def rows_for(applications, campaign: Campaign, shows: str = "roster") -> list[Row]:
    """``applications`` come from ``page_rows(campaign, shows)``; ``campaign`` from
    ``load_campaign``.  No query per row: every row shares the loaded campaign, and a record the
    list does not show (``LIST_RECORDS``) is None, never read.  The paper status (``Row.paper``) is
    worked out only for a list that shows it; for a campaign whose checklist has conditions (000 社保
    for enterprise staff only…) the sections those conditions read come in one query for the page."""
    applications = list(applications)
    records = LIST_RECORDS[shows]
    with_paper = "receipts" in records
    items = paper_item_names(campaign) if with_paper else []
    sections = fact_sections(applications, campaign) if with_paper else {}

    def shown(app, name):
        return related_or_none(app, name) if name in records else None

    rows = []
    for app in applications:
        app.campaign = campaign
        paper = (paper_status(app, items=items, received_names=app.receipt_names, sections=sections.get(app.pk, {}))
                 if with_paper else None)
        fee = fee_status(app, payment=related_or_none(app, "fee_payment")) if "fee_payment" in records else None
        rows.append(Row(app, paper, fee, shown(app, "defense"), shown(app, "decision"), shown(app, "certificate"),
                        campaign.defense_scored))
    return rows


def rows_for_campaigns(applications) -> list[Row]:
    """``rows_for`` over a page from several campaigns (``rows_over_campaigns``), each with its own
    checklist, conditions and fees; in the page's order."""
    groups: dict[int, list[Application]] = defaultdict(list)
    for app in applications:
        groups[app.campaign_id].append(app)
    built = {row.app.pk: row for group in groups.values() for row in rows_for(group, group[0].campaign)}
    return [built[app.pk] for app in applications]


def fact_sections(applications: list[Application], campaign: Campaign) -> dict[int, dict[str, dict]]:
    """Per application, the complete sections the paper checklist's conditions read
    (``applications.checklist.FACT_SECTIONS``), in one query; nothing when no item has conditions."""
    if not any(item.conditions for item in campaign.paper_items.all()):
        return {}
    found: dict[int, dict[str, dict]] = defaultdict(dict)
    for app_id, key, data in (ApplicationSection.objects
                              .filter(application__in=applications, key__in=FACT_SECTIONS, is_complete=True)
                              .values_list("application_id", "key", "data")):
        found[app_id][key] = data
    return found


@campaign_tally("after-states")
def state_counts(user, campaign: Campaign) -> dict[str, int]:
    return count_by_state(applications_visible_to(user).filter(campaign=campaign, state__in=AFTER_ACCEPTANCE))


# Waiting for a result: defense scheduled or exempt (the results page's first list).
RESULT_PENDING = (State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT)
# Decided (its second list): an application is in these states only through its decision (the
# ``decide`` transition records the ``Decision`` in the same step, certifying keeps it, and no
# transition goes back to waiting), so "has a decision" is a filter on the state: each unit's lane
# answers it from the after-acceptance index instead of joining every decision of the campaign.
RESULT_DECIDED = (State.DECIDED, State.CERTIFIED)


@campaign_tally("result-counts")
def result_counts(user, campaign: Campaign) -> dict[str, int]:
    """The results page's figures: waiting for a result, decided, passed.  One aggregate."""
    return (_after_acceptance(user, campaign, (*RESULT_PENDING, *RESULT_DECIDED))
            .aggregate(pending=Count("id", filter=Q(state__in=RESULT_PENDING)),
                       decided=Count("id", filter=Q(state__in=RESULT_DECIDED)),
                       passed=Count("decision", filter=Q(decision__result=DecisionResult.PASS))))


@campaign_tally("certificate-counts")
def certificate_counts(user, campaign: Campaign) -> dict[str, int]:
    """The certificates page's figures: passes, and those still without a certificate."""
    return (_after_acceptance(user, campaign, (State.DECIDED, State.CERTIFIED))
            .filter(decision__result=DecisionResult.PASS)
            .aggregate(passes=Count("id"), to_issue=Count("id", filter=Q(certificate__isnull=True))))


def search(qs: QuerySet[Application], term: str) -> QuerySet[Application]:
    term = (term or "").strip()
    if not term:
        return qs
    return qs.filter(matching(term))


# -- fees -----------------------------------------------------------------------------------------
#
# Totals, the reconciliation and the units with something unpaid are SQL aggregates grouped by
# (unit,) level and kind (a few dozen rows whatever the campaign's size); the rule engine's fee is
# applied to each group in Python.  No application is loaded as a model instance.

def _after_acceptance(user, campaign: Campaign, states=AFTER_ACCEPTANCE) -> QuerySet[Application]:
    return applications_visible_to(user).filter(campaign=campaign, state__in=states).order_by()


def _fee_pairs(campaign: Campaign) -> Q:
    """The (level, kind) pairs the campaign charges a fee for, as a filter (nothing when none)."""
    pairs = Q(pk__in=[])
    for fee in campaign.fees.all():
        pairs |= Q(level_id=fee.level_id, kind=fee.kind)
    return pairs


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


@campaign_tally("fee-totals")
def fee_totals(user, campaign: Campaign) -> tuple[list[FeeTotals], FeeTotals]:
    """Totals per application kind and overall: expected (the rule engine's fee), recorded, left.
    One grouped query (``campaign`` from ``load_campaign``: its fees are prefetched)."""
    groups = (_after_acceptance(user, campaign).values("level_id", "kind")
              .annotate(n=Count("id"), paid_n=Count("fee_payment"), paid=Sum("fee_payment__amount")))
    by_kind: dict[str, FeeTotals] = {}
    overall = FeeTotals("合计")
    for group in groups:
        totals = by_kind.setdefault(group["kind"], FeeTotals(str(Kind(group["kind"]).label)))
        due = fee_for(campaign, group["level_id"], group["kind"])
        for t in (totals, overall):
            t.count += group["n"]
            if due is None:
                t.no_fee += group["n"]
                continue
            t.due += due * group["n"]
            t.paid_count += group["paid_n"]
            t.paid += group["paid"] or Decimal(0)
    return [by_kind[k] for k in Kind.values if k in by_kind], overall


@dataclass
class UnitReconciliation:
    unit: object
    count: int = 0
    expected: int = 0
    recorded: Decimal = Decimal(0)
    paid_count: int = 0
    receipts: list = field(default_factory=list)  # the unit's batch receipts
    individual: int = 0  # payments recorded one by one (their receipts are in the fee list)
    closed_paid: Decimal = Decimal(0)

    @property
    def difference(self) -> Decimal:
        return self.recorded - Decimal(self.expected)

    @property
    def unpaid_count(self) -> int:
        return self.count - self.paid_count


@campaign_tally("fee-reconciliation")
def fee_reconciliation(user, campaign: Campaign) -> list[UnitReconciliation]:
    """Per unit: what the rule engine expects for its accepted applications and what was recorded
    (individually or in batches).  Payments of applications closed afterwards (fraud) are shown
    apart: they were recorded but are no longer expected.  Three queries: the grouped sums, the
    batch receipts, the units' names."""
    after = Q(state__in=AFTER_ACCEPTANCE)
    groups = (applications_visible_to(user).filter(campaign=campaign).filter(after | Q(fee_payment__isnull=False))
              .order_by().values("unit_id", "level_id", "kind")
              .annotate(n=Count("id", filter=after), paid_n=Count("fee_payment", filter=after),
                        individual=Count("fee_payment", filter=after & Q(fee_payment__batch__isnull=True)),
                        recorded=Sum("fee_payment__amount", filter=after),
                        closed_paid=Sum("fee_payment__amount", filter=~after)))
    units: dict[int, UnitReconciliation] = {}
    for group in groups:
        entry = units.setdefault(group["unit_id"], UnitReconciliation(None))
        entry.closed_paid += group["closed_paid"] or Decimal(0)
        due = fee_for(campaign, group["level_id"], group["kind"])
        if due is None or not group["n"]:
            continue
        entry.count += group["n"]
        entry.expected += due * group["n"]
        entry.paid_count += group["paid_n"]
        entry.individual += group["individual"]
        entry.recorded += group["recorded"] or Decimal(0)
    units = {pk: u for pk, u in units.items() if u.count or u.closed_paid}
    if not units:
        return []
    batches = (FeeBatch.objects.filter(campaign=campaign, unit_id__in=list(units)).order_by("id")
               .values_list("unit_id", "receipt_number").distinct())
    for unit_id, receipt in batches:
        if receipt not in units[unit_id].receipts:
            units[unit_id].receipts.append(receipt)
    names = Unit.objects.filter(pk__in=list(units)).only("id", "name").order_by("name", "id")
    result = []
    for unit in names:
        units[unit.pk].unit = unit
        result.append(units[unit.pk])
    return result


@campaign_tally("units-with-unpaid")
def units_with_unpaid(user, campaign: Campaign) -> list:
    """The units (id and name) with an open accepted application whose fee is due and not yet
    recorded: the batch form's choices.  Two queries."""
    from .services.common import OPEN_AFTER_ACCEPTANCE

    unit_ids = (_after_acceptance(user, campaign, OPEN_AFTER_ACCEPTANCE).filter(fee_payment__isnull=True)
                .filter(_fee_pairs(campaign)).values("unit_id").distinct())
    return list(Unit.objects.filter(pk__in=unit_ids).only("id", "name").order_by("county__order", "name", "id"))


@dataclass
class UnpaidEntry:
    pk: int
    name: str
    level: str
    kind_label: str
    due: int


# A unit's batch payment lists at most this many (in submission order); the rest are listed once
# these are recorded.  A parcel of receipts is rarely larger, and the page stays the same size.
UNPAID_SHOWN = 100


def unpaid_of_unit(user, campaign: Campaign, unit) -> list[UnpaidEntry]:
    """The open accepted applications of one unit whose fee is due and not recorded (the batch
    form's list, the first ``UNPAID_SHOWN``): one ``values()`` query of the shown columns."""
    from .services.common import OPEN_AFTER_ACCEPTANCE

    if unit is None:
        return []
    # NOT EXISTS, not a left join: the unit's applications are walked in submission order (the
    # after-acceptance index) and each probed for a payment, until the page is full; the join hashed
    # every payment of the campaign first (52 ms at 100,000 applications).
    paid = FeePayment.objects.filter(application=OuterRef("pk"))
    found = (_after_acceptance(user, campaign, OPEN_AFTER_ACCEPTANCE)
             .filter(~Exists(paid), unit=unit).filter(_fee_pairs(campaign))
             .order_by("submitted_at", "id")
             .values_list("pk", "level_id", "level__name", "kind", LISTED_NAME)[:UNPAID_SHOWN])
    labels = {kind: str(label) for kind, label in Kind.choices}
    dues = {(fee.level_id, fee.kind): fee_for(campaign, fee.level_id, fee.kind) for fee in campaign.fees.all()}
    return [UnpaidEntry(pk, name, level_name, labels[kind], dues[level_id, kind])
            for pk, level_id, level_name, kind, name in found]


# -- defense --------------------------------------------------------------------------------------
#
# Counts per specialty are one grouped query; the names shown (waiting for a session, scheduled,
# exempt) are ``values()`` rows, at most ``DEFENSE_LIST_LIMIT`` / ``DEFENSE_GLIMPSE`` per specialty
# and list (a window function numbers them), so the page costs the same whatever the campaign's size.

DEFENSE_STATES = (State.ACCEPTED, State.PAPER_RECEIVED, State.FEE_PAID, State.DEFENSE_SCHEDULED,
                  State.DEFENSE_EXEMPT, State.DECIDED, State.CERTIFIED)
# Names shown per specialty: those waiting for a session (the clerk schedules them, a session at
# a time), and a glimpse of the scheduled and the exempt (their counts are exact; the full lists
# are the session sheets and the after-acceptance list).
DEFENSE_LIST_LIMIT = 50
DEFENSE_GLIMPSE = 10
# Sessions shown per specialty: those from two weeks ago on (scores to enter, people to place) and
# the ones added last, whatever their date (a defense held weeks ago, recorded afterwards: the clerk
# places its people at once), the first ``DEFENSE_SESSIONS_SHOWN`` of them by date; every session
# is on the paged sessions list.
DEFENSE_SESSIONS_SHOWN = 6
DEFENSE_SESSIONS_RECENT_DAYS = 14
DEFENSE_SESSIONS_LAST_ADDED = 3


@dataclass
class DefenseOutcome:
    """What ``outcome_label`` reads of a defense record."""
    absent: bool
    score: object
    passed: bool | None

    @property
    def has_outcome(self) -> bool:
        return self.absent or self.score is not None or self.passed is not None


@dataclass
class DefenseEntry:
    pk: int
    code: str
    name: str
    level: str
    kind_label: str
    grounds: list = field(default_factory=list)
    session_date: object = None
    session_slot: str = ""
    label: str = ""


@dataclass
class SpecialtyDefense:
    specialty: object
    sessions: list = field(default_factory=list)  # the recent and coming ones, at most DEFENSE_SESSIONS_SHOWN
    sessions_count: int = 0  # all of the specialty's sessions
    waiting: list[DefenseEntry] = field(default_factory=list)  # fee settled, must attend, no session yet
    scheduled: list[DefenseEntry] = field(default_factory=list)
    exempt: list[DefenseEntry] = field(default_factory=list)
    waiting_count: int = 0
    scheduled_count: int = 0
    exempt_count: int = 0
    not_ready: int = 0  # paper or fee still missing (or not yet evaluated)
    unevaluated: int = 0
    average: dict | None = None


def specialty_averages(campaign_id: int) -> dict[int, dict]:
    """``conditions.specialty_average`` for every specialty of a campaign in one grouped query."""
    scored = Q(absent=False, score__isnull=False)
    found = (DefenseRecord.objects.filter(application__campaign_id=campaign_id, exempt=False)
             .exclude(application__state=State.CLOSED).order_by().values("application__specialty_id")
             .annotate(mean=Avg("score", filter=scored), count=Count("pk", filter=scored),
                       pending=Count("pk", filter=Q(session__isnull=False, absent=False, score__isnull=True))))
    result = {}
    for row in found:
        mean = row["mean"]
        if mean is not None:
            mean = Decimal(str(mean)).quantize(SCORE_STEP, rounding=ROUND_HALF_UP)
        result[row["application__specialty_id"]] = {"mean": mean, "count": row["count"], "pending": row["pending"]}
    return result


@campaign_tally("defense-overview")
def defense_overview(user, campaign: Campaign, today) -> list[SpecialtyDefense]:
    base = _after_acceptance(user, campaign, DEFENSE_STATES)
    exempt = Q(defense__exempt=True)
    scheduled = Q(defense__exempt=False, defense__session__isnull=False)
    waiting = Q(defense__exempt=False, defense__session__isnull=True, state=State.FEE_PAID)
    counts = (base.values("specialty_id")
              .annotate(n=Count("id"), unevaluated=Count("id", filter=Q(defense__isnull=True)),
                        exempt=Count("id", filter=exempt), scheduled=Count("id", filter=scheduled),
                        waiting=Count("id", filter=waiting)))
    groups: dict[int, SpecialtyDefense] = {}
    for specialty in campaign.specialties.all():
        groups[specialty.pk] = SpecialtyDefense(specialty)
    all_sessions = DefenseSession.objects.filter(campaign=campaign)
    last_added = all_sessions.order_by("-id").values("pk")[:DEFENSE_SESSIONS_LAST_ADDED]
    recent = (all_sessions.filter(Q(date__gte=today - timedelta(days=DEFENSE_SESSIONS_RECENT_DAYS))
                                  | Q(pk__in=last_added))
              .select_related("specialty__series").annotate(n=Count("records"))
              .annotate(rank=Window(RowNumber(), partition_by=[F("specialty_id")],
                                    order_by=[F("date").asc(), F("time_slot").asc(), F("id").asc()]))
              .filter(rank__lte=DEFENSE_SESSIONS_SHOWN).order_by("date", "time_slot", "id"))
    for session in recent:
        groups.setdefault(session.specialty_id, SpecialtyDefense(session.specialty)).sessions.append(session)
    for specialty_id, n in all_sessions.order_by().values("specialty_id").annotate(n=Count("id")).values_list(
            "specialty_id", "n"):
        groups.setdefault(specialty_id, SpecialtyDefense(None)).sessions_count = n
    for row in counts:
        group = groups.setdefault(row["specialty_id"], SpecialtyDefense(None))
        group.unevaluated, group.exempt_count = row["unevaluated"], row["exempt"]
        group.scheduled_count, group.waiting_count = row["scheduled"], row["waiting"]
        group.not_ready = row["n"] - row["exempt"] - row["scheduled"] - row["waiting"]
    bucket = Case(When(exempt, then=Value("exempt")), When(scheduled, then=Value("scheduled")),
                  When(waiting, then=Value("waiting")), default=Value(""), output_field=CharField())
    listed = (base.annotate(bucket=bucket).exclude(bucket="")
              .annotate(rank=Window(RowNumber(), partition_by=[F("specialty_id"), F("bucket")],
                                    order_by=[F("unit__county__order").asc(), F("unit__name").asc(),
                                              F("submitted_at").asc(), F("id").asc()]))
              .annotate(cap=Case(When(waiting, then=Value(DEFENSE_LIST_LIMIT)), default=Value(DEFENSE_GLIMPSE)))
              .filter(rank__lte=F("cap"))
              .order_by("specialty_id", "bucket", "rank")
              .values_list("pk", "code", "specialty_id", "bucket", "level__name", "kind", LISTED_NAME,
                           "defense__grounds", "defense__session__date",
                           "defense__session__time_slot", "defense__absent", "defense__score", "defense__passed"))
    scored = campaign.defense_scored
    for (pk, code, specialty_id, kind_of_list, level, kind, name, grounds, date, slot, absent, score,
         passed) in listed:
        entry = DefenseEntry(pk, code, name, level, str(Kind(kind).label), grounds or [], date, slot or "")
        if kind_of_list == "scheduled":
            outcome = DefenseOutcome(bool(absent), score, passed)
            entry.label = outcome_label(outcome, scored) if outcome.has_outcome else "已安排"
        getattr(groups[specialty_id], kind_of_list).append(entry)
    unnamed = [pk for pk, g in groups.items() if g.specialty is None]
    if unnamed:  # applications or sessions of a specialty no longer offered by the campaign
        for specialty in Specialty.objects.filter(pk__in=unnamed).select_related("series"):
            groups[specialty.pk].specialty = specialty
    result = [g for g in groups.values()
              if g.sessions_count or g.waiting_count or g.scheduled_count or g.exempt_count or g.not_ready]
    if scored and any(g.scheduled_count or g.exempt_count for g in result):
        averages = specialty_averages(campaign.pk)
        for group in result:
            if group.scheduled_count or group.exempt_count:
                group.average = averages.get(group.specialty.pk, {"mean": None, "count": 0, "pending": 0})
    return result


def sessions_of(campaign: Campaign, specialty_id: int | None = None) -> QuerySet[DefenseSession]:
    """Every session of the campaign (of one specialty), in date order, with its head count: the
    paged sessions list."""
    qs = DefenseSession.objects.filter(campaign=campaign)
    if specialty_id:
        qs = qs.filter(specialty_id=specialty_id)
    return qs.select_related("specialty__series").annotate(n=Count("records")).order_by("date", "time_slot", "id")


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

    last = tallies.remembered(f"last-meeting:{campaign.pk}", [tallies.campaign_scope(campaign.pk)],
                              lambda: Application.objects.filter(campaign=campaign, decision__isnull=False)
                              .aggregate(last=Max("decision__meeting_date"))["last"])
    defaults = {"meeting_date": last or today}
    if last:
        defaults["publicity"] = {"start": last, "end": earliest_publicity_end(last, campaign.publicity_working_days)}
    return defaults


def certificate_of(application: Application) -> Certificate | None:
    return Certificate.objects.filter(application=application).first()


# -- integrity ------------------------------------------------------------------------------------

# What the list shows of a record: not the application (its ~6.5 KB snapshot decoded per row) nor
# the campaign's clauses and texts (issue 16).  A field not named here costs a query per row.
INTEGRITY_LIST_FIELDS = ("id", "name", "id_number", "facts", "person_banned_until", "unit_banned_until",
                         "recorded_at", "unit__name", "campaign__year", "campaign__committee")


def integrity_records_for(user) -> QuerySet[IntegrityRecord]:
    """Integrity records are visible to administrators and committee clerks (every committee's:
    a ban binds every committee), to nobody else."""
    if not (is_admin(user) or getattr(user, "role", None) == Role.COMMITTEE_CLERK):
        return IntegrityRecord.objects.none()
    return (IntegrityRecord.objects.select_related("unit", "campaign__committee").only(*INTEGRITY_LIST_FIELDS)
            .order_by("-recorded_at", "-id"))

