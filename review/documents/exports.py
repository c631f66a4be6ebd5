"""The data of the exports: the roster (申报人员花名册, notice 003 附件8) and the fee list (缴费清单).

Each builder reads one scope's applications of one campaign in a constant number of queries,
however many rows there are (rosters read the ``snapshot`` frozen at submission; fees come from
``applications.rules.fee_for`` over the campaign's prefetched fee rows), and returns plain data
that the renderers in ``roster.py`` / ``fee_list.py`` lay out.  The web export, the worker and the
command line all call these, so their files are identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.enums import Kind
from applications.models import Campaign, CampaignFee
from applications.selectors import LISTED_NAME
from applications.rules import fee_for
from applications.snapshot import ROSTER_COLUMNS, roster_row
from applications.states import AFTER_ACCEPTANCE, IN_REVIEW, State

from .models import ScopeKind
from .scope import ExportScope

INCLUDE_ACCEPTED = "accepted"
INCLUDE_SUBMITTED = "submitted"
INCLUDE_CHOICES = {
    INCLUDE_ACCEPTED: gettext_lazy("评审委员会已接收的申报（报送用）"),
    INCLUDE_SUBMITTED: gettext_lazy("全部已提交的申报（含审核中）"),
}

FEE_COLUMNS = [gettext_lazy(c) for c in ("序号", "姓名", "工作单位", "专业", "级别", "申报类型", "评审费（元）", "是否缴费")]

# Which applications have paid their review fee.  Payments are recorded by ``review.aftercare``,
# which sits above this app: it registers the answer (``paid_source_register``) when it loads.
# The state says nothing here: paper and fee arrive in either order, so a fee may be paid while
# the application still waits for paper.
PaidSource = Callable[[list], set]  # (applications sharing a loaded campaign) -> ids paid in full
_paid_source: PaidSource | None = None


def paid_source_register(source: PaidSource) -> None:
    global _paid_source
    _paid_source = source


def paid_application_ids(applications: list) -> set[int]:
    """The ids of ``applications`` whose fee is recorded as paid in full (one query for a list)."""
    if _paid_source is None or not applications:
        return set()
    return _paid_source(applications)


def fee_is_paid(*, application) -> bool:
    return application.pk in paid_application_ids([application])


def states_for(include: str) -> tuple[str, ...]:
    """Rosters default to what is delivered to the committee: applications it has accepted."""
    if include == INCLUDE_SUBMITTED:
        return (*IN_REVIEW, *AFTER_ACCEPTANCE)
    return AFTER_ACCEPTANCE


def export_states(scope: ExportScope, include: str) -> tuple[str, ...]:
    """The committee's rosters list accepted applications only, whatever was asked: a roster
    names people, and the committee side reviews blind until it accepts (``review.access``)."""
    return AFTER_ACCEPTANCE if scope.kind == ScopeKind.COMMITTEE else states_for(include)


def campaign_subject(campaign: Campaign) -> str:
    """工程系列质量技术监督专业 / 党干校教师系列 / "" for cross-series notices (002)."""
    specialties = list(campaign.specialties.all())
    if len(specialties) == 1:
        specialty = specialties[0]
        if specialty.name == specialty.series.short_name:
            return specialty.series.name
        return f"{specialty.series.name}{specialty.name}{_('专业')}"
    if campaign.series_id:
        return campaign.series.name
    return ""


def load_campaign(campaign_id: int) -> Campaign:
    return (Campaign.objects.select_related("committee", "series")
            .prefetch_related("specialties__series",
                              Prefetch("fees", queryset=CampaignFee.objects.select_related("level")))
            .get(pk=campaign_id))


@dataclass
class Roster:
    title: str
    scope_line: str
    scope_name: str
    generated_on: dt.date
    include: str
    columns: list[str] = field(default_factory=lambda: list(ROSTER_COLUMNS))
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def as_data(self) -> dict:
        return {"title": self.title, "scope_line": self.scope_line, "scope_name": self.scope_name,
                "generated_on": self.generated_on.isoformat(), "include": self.include,
                "columns": self.columns, "rows": self.rows, "note": self.note}


def _remarks(snapshot: dict, kind: str, state: str) -> str:
    parts = [snapshot.get("remarks") or ""]
    if kind != Kind.REVIEW:
        parts.append(str(Kind(kind).label))
    if state not in AFTER_ACCEPTANCE:
        parts.append(str(State(state).label))
    return "；".join(p for p in parts if p)


def roster_for(*, campaign: Campaign, scope: ExportScope, include: str = INCLUDE_ACCEPTED,
               generated_on: dt.date) -> Roster:
    """The roster of ``scope`` in ``campaign``: one query for the rows."""
    records = (scope.applications()
               .filter(campaign=campaign, state__in=export_states(scope, include))
               .order_by("unit__county__order", "unit__name", "submitted_at", "id")
               .values_list("snapshot", "kind", "state"))
    rows = []
    for index, (snapshot, kind, state) in enumerate(records.iterator(chunk_size=2000), start=1):
        snapshot = dict(snapshot or {})
        snapshot["remarks"] = _remarks(snapshot, kind, state)
        rows.append(roster_row(index, snapshot))
    subject = campaign_subject(campaign)
    return Roster(
        title=_("%(year)s年度%(subject)s职称评审申报人员花名册") % {"year": campaign.year, "subject": subject},
        scope_line=scope.seal_label, scope_name=scope.label, generated_on=generated_on, include=include,
        rows=rows, note=_("注：此表由主管单位负责汇总并统一报送。"),
    )


@dataclass
class FeeList:
    title: str
    scope_line: str
    scope_name: str
    generated_on: dt.date
    fee_clause: str
    rows: list[dict] = field(default_factory=list)
    totals: list[dict] = field(default_factory=list)
    overall: dict = field(default_factory=dict)

    def as_data(self) -> dict:
        return {"title": self.title, "scope_line": self.scope_line, "scope_name": self.scope_name,
                "generated_on": self.generated_on.isoformat(), "fee_clause": self.fee_clause,
                "rows": self.rows, "totals": self.totals, "overall": self.overall}


@dataclass
class FeeRecord:
    """One application of the fee list: what ``fee_for`` and the fee-paid hook read (``level`` is
    the level's id), and the printed columns."""
    pk: int
    campaign: Campaign
    level: int
    kind: str
    shown: tuple


def fee_list_for(*, campaign: Campaign, scope: ExportScope, generated_on: dt.date) -> FeeList:
    """Accepted applications (fees are due once the committee accepts) with the rule engine's fee.

    Two queries whatever the row count: the printed columns of the applications as ``values_list``
    (no model instance per row) and their payments (the campaign's fee rows are prefetched by
    ``load_campaign``).
    """
    found = (scope.applications()
             .filter(campaign=campaign, state__in=AFTER_ACCEPTANCE)
             .order_by("unit__county__order", "unit__name", "submitted_at", "id")
             .values_list("pk", "kind", "level_id", "level__name", "unit__name", "specialty__name",
                          "specialty__series__name", LISTED_NAME))
    # What the fee-paid hook reads of an application: its id, campaign, level and kind.
    records = [FeeRecord(pk, campaign, level_id, kind, (level_name, unit, specialty, series, name))
               for pk, kind, level_id, level_name, unit, specialty, series, name in found]
    paid_ids = paid_application_ids(records)
    rows = []
    by_kind: dict[str, dict] = {k: {"kind": str(label), "count": 0, "due": 0, "paid_count": 0, "paid": 0}
                                for k, label in Kind.choices}
    for index, app in enumerate(records, start=1):
        level_name, unit, specialty, series, name = app.shown
        amount = fee_for(campaign, app.level, app.kind)
        paid = app.pk in paid_ids
        rows.append({
            "index": index, "name": name, "unit": unit,
            # As ``str(Specialty)``: a series without specialties is named once.
            "specialty": series if specialty == series.removesuffix("系列") else f"{series}·{specialty}",
            "level": level_name, "kind": str(Kind(app.kind).label), "amount": amount, "paid": paid,
        })
        total = by_kind[app.kind]
        total["count"] += 1
        total["due"] += amount or 0
        if paid:
            total["paid_count"] += 1
            total["paid"] += amount or 0
    totals = [t for t in by_kind.values() if t["count"]]
    overall = {"kind": _("合计"), "count": sum(t["count"] for t in totals), "due": sum(t["due"] for t in totals),
               "paid_count": sum(t["paid_count"] for t in totals), "paid": sum(t["paid"] for t in totals)}
    overall["unpaid"] = overall["due"] - overall["paid"]
    for t in totals:
        t["unpaid"] = t["due"] - t["paid"]
    subject = campaign_subject(campaign)
    return FeeList(
        title=_("%(year)s年度%(subject)s职称评审缴费清单") % {"year": campaign.year, "subject": subject},
        scope_line=scope.seal_label, scope_name=scope.label, generated_on=generated_on,
        fee_clause=campaign.fee_clause, rows=rows, totals=totals, overall=overall,
    )
