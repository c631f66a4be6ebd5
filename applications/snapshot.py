"""The roster row of an application, frozen at each submission (``Application.snapshot``).

Rosters (花名册, notice 003 附件8) and fee lists read these columns directly, so an export of
10,000 applications is one query, not a walk through 10,000 × 15 sections.
"""

from __future__ import annotations

import datetime as dt

from .enums import Education, Gender, UnitNature
from .models import Application

ROSTER_COLUMNS = [
    "序号", "工作单位", "单位性质", "姓名", "性别", "族别", "出生年月", "最高学历", "何时、何校何专业毕业",
    "专业技术工作年限", "现任专业技术职务", "获现任专业技术职务时间", "拟晋升专业技术职务", "是否继续教育", "备注",
]


def _month(value: str | None) -> str:
    if not value:
        return "无"
    day = dt.date.fromisoformat(value)
    return f"{day.year}.{day.month:02d}"


def _label(enum, value, default="无") -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return default


def build_snapshot(application: Application, sections: dict[str, dict]) -> dict:
    """``sections`` maps section key to validated data (``ApplicationSection.data``)."""
    basic = sections.get("basic", {})
    education = sorted(sections.get("education", {}).get("rows", []), key=lambda r: Education.rank(r["level"]))
    highest = education[-1] if education else None
    qual = sections.get("qualification", {})
    ce = sections.get("ce", {})
    graduated = "无"
    if highest:
        when = dt.date.fromisoformat(highest["graduated"])
        graduated = f"{when.year}年{when.month}月 {highest['school']} {highest['major']}专业"
    return {
        "unit_name": basic.get("unit_name") or application.unit.name,
        "unit_nature": _label(UnitNature, basic.get("unit_nature")),
        "name": basic.get("name") or application.applicant.real_name,
        "gender": _label(Gender, basic.get("gender")),
        "ethnicity": basic.get("ethnicity", "无"),
        "birth_month": _month(basic.get("birth_date")),
        "county": basic.get("county", ""),
        "highest_education": _label(Education, highest["level"]) if highest else "无",
        "graduation": graduated,
        "work_years": qual.get("professional_work_years", 0),
        "current_title": qual.get("title_name") or "无",
        "current_title_date": _month(qual.get("obtained")) if qual.get("has_title") else "无",
        "title_applied_for": application.title_applied_for,
        "continuing_education": "免试" if ce.get("exempt") else ("是" if ce.get("rows") else "否"),
        "remarks": "",
    }


def roster_row(index: int, snapshot: dict) -> list:
    """One row of the roster, in ``ROSTER_COLUMNS`` order."""
    s = snapshot
    return [index, s.get("unit_name", ""), s.get("unit_nature", ""), s.get("name", ""), s.get("gender", ""),
            s.get("ethnicity", ""), s.get("birth_month", ""), s.get("highest_education", ""),
            s.get("graduation", ""), s.get("work_years", ""), s.get("current_title", ""),
            s.get("current_title_date", ""), s.get("title_applied_for", ""), s.get("continuing_education", ""),
            s.get("remarks", "")]
