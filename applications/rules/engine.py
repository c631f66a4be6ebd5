"""``evaluate``: one verdict for one profile against one campaign × specialty × level × kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db.models import Q
from django.utils.translation import gettext as _

from ..enums import ChainStep, Kind, UnitNature
from ..materials import MaterialFacts, ResolvedMaterial, resolve_materials
from ..models import Level
from .clauses import clause
from .continuing import continuing_education
from .defense import defense_grounds, defense_note
from .eligibility import eligibility
from .fees import fee_for
from .profile import Profile
from .verdict import Reason, Verdict


def resolve_level(campaign, level):
    """A ``Level`` from a Level, its code or its name, among the campaign's levels (no query when
    prefetched)."""
    if hasattr(level, "rank"):
        return level
    for candidate in campaign.levels.all():
        if level in (candidate.code, candidate.name):
            return candidate
    # A level the campaign does not cover: found for the verdict to say so (one query, rare).
    found = Level.objects.filter(Q(code=level) | Q(name=level)).first()
    if found is None:
        raise ValueError(f"no level {level!r}")
    return found


def materials_for(campaign, level, kind: str, profile: Profile) -> list[ResolvedMaterial]:
    """The campaign's checklist for this applicant, the title-documents count resolved."""
    facts = MaterialFacts(
        unit_nature=profile.unit_nature, kind=kind, level_code=level.code, aid_xinjiang=profile.aid_xinjiang,
        transferred_from_organ=profile.transferred_from_organ, has_title=profile.current_title is not None,
        title_in_xinjiang=profile.title_in_xinjiang, ce_exempt=profile.ce_exempt,
        special_service=tuple(profile.special_service), grassroots_below_county=profile.grassroots_below_county,
    )
    need = campaign.title_docs_in_xinjiang if profile.title_in_xinjiang else campaign.title_docs_elsewhere
    return [replace(m, min_count=need) if m.code == "title_docs" else m
            for m in resolve_materials(campaign.materials.all(), facts)]


def fee_reason(campaign, level, kind: str, fee: int | None) -> Reason:
    if fee is None:
        return Reason("fee", True, _("本通知未规定%(level)s%(kind)s的评审费，无需缴费。") % {
            "level": level.name, "kind": Kind(kind).label}, campaign.fee_clause)
    text = _("%(level)s%(kind)s收费%(fee)d元/人") % {"level": level.name, "kind": Kind(kind).label, "fee": fee}
    if campaign.fee_window:
        text += _("，缴费时间%(window)s") % {"window": campaign.fee_window}
    return Reason("fee", True, text + "。", campaign.fee_clause)


def procedure_notes(campaign, profile: Profile) -> list[Reason]:
    """Who reviews in turn, and the notice's own words on freelancers and competent units (003)."""
    steps = " → ".join(str(ChainStep(s).label) for s in campaign.chain_steps)
    if campaign.return_hours is None:
        notes = [Reason("chain", None, _("审核流程：%(steps)s（逐级审核，退回后须严格按照修改意见修改后提交，最多提交%(n)d次）。") % {
            "steps": steps, "n": campaign.max_submissions})]
    else:
        notes = [Reason("chain", None, _("审核流程：%(steps)s（逐级审核，退回后须在%(hours)d小时内修改提交，最多提交%(n)d次）。") % {
            "steps": steps, "hours": campaign.return_hours, "n": campaign.max_submissions})]
    if profile.unit_nature == UnitNature.FREELANCE:
        notes.append(Reason("route_freelance", None, _("自由职业者由县（市）人力资源和社会保障部门或人事代理机构作为推荐单位，履行审核、公示、推荐程序。"),
                            (campaign.clauses or {}).get("route_freelance", "")))
    elif (campaign.clauses or {}).get("route_competent"):
        notes.append(Reason("route_competent", None, _("所在单位公示推荐后，由主管单位审核并出具推荐意见；纸质材料由单位统一报送，个人报送不予受理。"),
                            clause(campaign, "route_competent")))
    return notes


def evaluate(campaign, specialty, level, kind: str, profile: Profile, *, today: dt.date | None = None) -> Verdict:
    """The whole verdict.  ``level`` is a Level, its code or its name; ``specialty`` a Specialty
    (or None to skip the specialty check); ``today`` only matters for bans given as a day.

    Reads nothing but the campaign's related rows: prefetch them with ``CAMPAIGN_PREFETCH`` and any
    number of profiles costs no query.
    """
    level = resolve_level(campaign, level)
    person = eligibility(campaign, specialty, level, kind, profile, today=today)
    ce = continuing_education(campaign, level, kind, profile, eligibility_years=person.required_work_years)
    fee = fee_for(campaign, level, kind)
    grounds = defense_grounds(campaign, level, kind, profile)
    note = defense_note(campaign, kind, bool(grounds))
    return Verdict(
        campaign=campaign, specialty=specialty, level=level, kind=kind,
        eligible=person.eligible, reasons=person.reasons,
        fee=fee, fee_reason=fee_reason(campaign, level, kind, fee),
        defense_exempt=bool(grounds), defense_grounds=grounds, defense_note=note,
        defense_note_clause=clause(campaign, "defense_scoring") if grounds and note else "",
        ce_required=ce.required, ce_missing=ce.missing, ce_hours_per_year=ce.hours_per_year, ce_reasons=ce.reasons,
        materials=materials_for(campaign, level, kind, profile),
        earliest_year=person.earliest_year,
        notes=procedure_notes(campaign, profile),
    )
