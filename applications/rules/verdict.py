"""The answer of the rule engine: a ``Verdict`` made of ``Reason``s, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ..enums import CECategory, Kind
from ..materials import ResolvedMaterial
from .dates import years_text

# The batch format (issue 3) names CE categories by their short Chinese names.
CE_JSON_LABELS = {CECategory.PUBLIC.value: "公需", CECategory.PROFESSIONAL.value: "专业"}


@dataclass(frozen=True)
class Reason:
    """One conclusion and why.

    ``ok``: True when the condition is met, False when it stands in the way, None for
    information the applicant should act on (a missing evaluation result, a deferral that only
    the committee can weigh).  ``clause`` is the notice's own words the conclusion rests on.
    """

    rule: str
    ok: bool | None
    text: str
    clause: str = ""

    def __str__(self) -> str:
        if not self.clause:
            return self.text
        return _("%(text)s（依据：%(clause)s）") % {"text": self.text, "clause": self.clause}


@dataclass
class Verdict:
    campaign: Any
    specialty: Any
    level: Any
    kind: str
    eligible: bool
    reasons: list[Reason]
    fee: int | None
    fee_reason: Reason
    defense_exempt: bool
    defense_grounds: list[Reason]
    defense_note: str
    ce_required: dict[str, list[int]]
    ce_missing: dict[str, list[int]]
    ce_hours_per_year: dict[str, int | None]
    ce_reasons: list[Reason]
    materials: list[ResolvedMaterial]
    earliest_year: int | None
    notes: list[Reason] = field(default_factory=list)  # procedure: who recommends, where files go
    defense_note_clause: str = ""

    @property
    def defense_exempt_reasons(self) -> list[str]:
        return [str(r) for r in self.defense_grounds]

    @property
    def blocking(self) -> list[Reason]:
        return [r for r in self.reasons if r.ok is False]

    @property
    def warnings(self) -> list[Reason]:
        return [r for r in self.reasons if r.ok is None]

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def ce_rows(self) -> list[dict[str, Any]]:
        """One row per category for the page: label, years required, hours a year, years missing."""
        rows = []
        for c in (CECategory.PUBLIC.value, CECategory.PROFESSIONAL.value):
            required, missing = self.ce_required.get(c, []), self.ce_missing.get(c, [])
            rows.append({"category": c, "label": CE_JSON_LABELS[c], "required": required, "missing": missing,
                         "required_text": years_text(required), "missing_text": years_text(missing),
                         "hours": self.ce_hours_per_year.get(c)})
        return rows

    @property
    def ce_complete(self) -> bool:
        return not any(self.ce_missing.values())

    def to_json(self) -> dict[str, Any]:
        """Exactly the batch output format of issue 3 (keys, order, Chinese CE labels)."""
        return {
            "eligible": self.eligible,
            "reasons": [str(r) for r in self.reasons],
            "fee": self.fee,
            "defense_exempt": self.defense_exempt,
            "defense_exempt_reasons": self.defense_exempt_reasons,
            "ce_required": {CE_JSON_LABELS[c]: list(years) for c, years in self.ce_required.items()},
            "ce_missing": {CE_JSON_LABELS[c]: list(years) for c, years in self.ce_missing.items()},
            "materials": [{"code": m.code, "name": m.name, "required": m.required} for m in self.materials],
            "earliest_year": self.earliest_year,
        }
