"""Resolve a campaign's checklist (``MaterialRequirement`` rows) for one applicant.

Pure: takes the rows and a small set of facts about the applicant, touches nothing else.
The rule engine (``applications.rules``) builds the facts from a profile or an application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .enums import Kind, MaterialCondition, UnitNature


@dataclass(frozen=True)
class MaterialFacts:
    """What the checklist conditions ask about an applicant."""

    unit_nature: str
    kind: str
    level_code: str  # Level.code: "junior", "intermediate", …
    aid_xinjiang: bool = False
    transferred_from_organ: bool = False
    has_title: bool = False
    title_in_xinjiang: bool = True
    ce_exempt: bool = False
    special_service: tuple[str, ...] = ()
    grassroots_below_county: bool = False
    has_papers: bool = False


@dataclass(frozen=True)
class ResolvedMaterial:
    code: str
    name: str
    section: str
    required: bool
    min_count: int = 1
    allow_pdf: bool = False
    note: str = ""
    conditions: tuple[str, ...] = field(default_factory=tuple)


def condition_holds(condition: str, facts: MaterialFacts) -> bool:
    C = MaterialCondition
    checks = {
        C.ENTERPRISE: lambda: facts.unit_nature in UnitNature.enterprises(),
        C.PRIVATE_ENTERPRISE: lambda: facts.unit_nature == UnitNature.PRIVATE_ENTERPRISE,
        C.NOT_PRIVATE_ENTERPRISE: lambda: facts.unit_nature != UnitNature.PRIVATE_ENTERPRISE,
        C.FREELANCE: lambda: facts.unit_nature == UnitNature.FREELANCE,
        C.AID_XINJIANG: lambda: facts.aid_xinjiang,
        C.TRANSFERRED_FROM_ORGAN: lambda: facts.transferred_from_organ,
        C.TITLE_ELSEWHERE: lambda: facts.has_title and not facts.title_in_xinjiang,
        C.HAS_TITLE: lambda: facts.has_title,
        C.INITIAL: lambda: facts.kind == Kind.INITIAL,
        C.NOT_INITIAL: lambda: facts.kind != Kind.INITIAL,
        C.JUNIOR: lambda: facts.level_code == "junior",
        C.INTERMEDIATE: lambda: facts.level_code == "intermediate",
        C.CE_EXEMPT: lambda: facts.ce_exempt,
        C.NOT_CE_EXEMPT: lambda: not facts.ce_exempt,
        C.SPECIAL_SERVICE: lambda: bool(facts.special_service),
        C.GRASSROOTS: lambda: facts.grassroots_below_county,
        C.HAS_PAPERS: lambda: facts.has_papers,
        C.NOT_FREELANCE: lambda: facts.unit_nature != UnitNature.FREELANCE,
        C.SERVICE: lambda: bool(facts.special_service) or facts.grassroots_below_county,
    }
    try:
        return checks[condition]()
    except KeyError:
        raise ValueError(f"unknown material condition {condition!r}") from None


def resolve_materials(requirements: Iterable, facts: MaterialFacts) -> list[ResolvedMaterial]:
    """The checklist items that apply to these facts, in the campaign's order.

    ``requirements`` are ``MaterialRequirement`` rows (or anything with the same attributes).
    """
    resolved = []
    for item in requirements:
        conditions = tuple(item.conditions or ())
        if all(condition_holds(c, facts) for c in conditions):
            resolved.append(ResolvedMaterial(
                code=item.code, name=item.name, section=item.section,
                required=item.requirement == "required", min_count=item.min_count,
                allow_pdf=item.allow_pdf, note=item.note, conditions=conditions,
            ))
    return resolved


@dataclass(frozen=True)
class PaperItems:
    """The campaign's paper checklist for one applicant: the items that apply (in order), those
    that do not (shown as 不适用, never asked for) and the optional ones (其它相关材料)."""

    applicable: list[str]
    not_applicable: list[str]
    optional: frozenset[str] = frozenset()

    @property
    def required(self) -> list[str]:
        return [name for name in self.applicable if name not in self.optional]


def resolve_paper_items(items: Iterable, facts: MaterialFacts | None) -> PaperItems:
    """``items`` are ``PaperItem`` rows; without ``facts`` every item applies."""
    applicable, not_applicable, optional = [], [], set()
    for item in items:
        conditions = tuple(getattr(item, "conditions", None) or ())
        if facts is None or all(condition_holds(c, facts) for c in conditions):
            applicable.append(item.name)
            if getattr(item, "optional", False):
                optional.add(item.name)
        else:
            not_applicable.append(item.name)
    return PaperItems(applicable, not_applicable, frozenset(optional))
