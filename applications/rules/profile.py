"""What the rules need to know about an applicant: the ``Profile``.

The fields are the ``precheck`` input format with enum *values* instead of Chinese labels
(``"bachelor"``, ``"basic"``, ``"public"``, ``"private_enterprise"``); the command and the
self-check page map labels at their boundary.  ``profile_from_sections`` builds one from an
application's validated section data (shapes in ``applications/sections.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Union

from ..enums import Education, Section

Ban = Union[int, dt.date, None]  # a last banned year (inclusive), a last banned day, or no ban


@dataclass(frozen=True)
class EducationEntry:
    level: str  # Education value
    full_time: bool = True
    graduated: dt.date | None = None
    # 到南疆地区工作的普通高校毕业生 (000, 新人社发〔2023〕69号)
    south_xinjiang_graduate: bool = False

    @property
    def rank(self) -> int:
        return Education.rank(self.level)


@dataclass(frozen=True)
class CurrentTitle:
    level: str  # Level.code: "junior", "intermediate", …
    obtained: dt.date


@dataclass
class Profile:
    """An applicant as the rules see them.  ``banned_until`` and ``unit_banned_until`` come from the
    integrity records (诚信档案) when evaluated inside the portal, from the batch file otherwise."""

    id_number: str = ""
    unit_nature: str = "institution"  # UnitNature value
    county: str = ""  # County name
    grassroots_below_county: bool = False
    special_service: list[str] = field(default_factory=list)  # SpecialService values
    retired: bool = False
    civil_servant: bool = False  # 公务员或参照公务员法管理的事业单位人员
    aid_xinjiang: bool = False
    education: list[EducationEntry] = field(default_factory=list)
    professional_work_start: dt.date | None = None
    current_title: CurrentTitle | None = None
    annual_evaluations: dict[int, str] = field(default_factory=dict)  # year → EvaluationResult value
    ce_hours: dict[int, dict[str, int]] = field(default_factory=dict)  # year → {CECategory value: hours}
    ce_exempt: bool = False
    banned_until: Ban = None
    unit_banned_until: Ban = None
    # Not in the batch format (optional there): they only change the materials checklist
    # and the South-Xinjiang early year.
    transferred_from_organ: bool = False
    title_in_xinjiang: bool = True
    # Whether the applicant has already obtained a title through review (评审) before; a title
    # obtained by initial determination (初定) does not count.  Decides "首次申报职称评审" (000).
    previous_review: bool = False

    @classmethod
    def from_sections(cls, application, sections: dict[str, dict]) -> Profile:
        return profile_from_sections(application, sections)

    def highest_education(self) -> EducationEntry | None:
        return max(self.education, key=lambda e: e.rank, default=None)

    def ce_hours_for(self, year: int, category: str) -> int:
        return int((self.ce_hours.get(year) or {}).get(category) or 0)


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def profile_from_sections(application, sections: dict[str, dict]) -> Profile:
    """A ``Profile`` from an application's validated sections ({section key: data}).

    Missing sections give the neutral default (no title, no evaluations, no CE hours), so a draft
    can be checked too.  The ban fields stay empty: the integrity records fill them.
    """
    basic = sections.get(Section.BASIC) or {}
    education = sections.get(Section.EDUCATION) or {}
    qual = sections.get(Section.QUALIFICATION) or {}
    evaluations = sections.get(Section.EVALUATIONS) or {}
    ce = sections.get(Section.CE) or {}

    unit_nature = basic.get("unit_nature") or application.unit.nature
    title = None
    if qual.get("has_title") and qual.get("title_level") and qual.get("obtained"):
        title = CurrentTitle(level=qual["title_level"], obtained=_date(qual["obtained"]))
    hours: dict[int, dict[str, int]] = {}
    for row in ce.get("rows") or []:
        per_year = hours.setdefault(int(row["year"]), {})
        per_year[row["category"]] = per_year.get(row["category"], 0) + int(row.get("hours") or 0)
    return Profile(
        id_number=basic.get("id_number") or "",
        unit_nature=unit_nature,
        county=basic.get("county") or "",
        grassroots_below_county=bool(basic.get("grassroots_below_county")),
        special_service=list(basic.get("special_service") or []),
        retired=bool(basic.get("retired")),
        civil_servant=bool(basic.get("civil_servant")),
        aid_xinjiang=bool(basic.get("aid_xinjiang")),
        education=[
            EducationEntry(level=row["level"], full_time=bool(row.get("full_time")),
                           graduated=_date(row.get("graduated")),
                           south_xinjiang_graduate=bool(row.get("south_xinjiang_graduate")))
            for row in education.get("rows") or []
        ],
        professional_work_start=_date(qual.get("professional_work_start")),
        current_title=title,
        annual_evaluations={int(row["year"]): row["result"] for row in evaluations.get("rows") or []},
        ce_hours=hours,
        ce_exempt=bool(ce.get("exempt")),
        transferred_from_organ=bool(basic.get("transferred_from_organ")),
        title_in_xinjiang=bool(qual.get("obtained_in_xinjiang", True)),
    )
