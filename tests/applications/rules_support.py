"""Builders shared by the rule-engine tests (tests/applications/test_rules*.py, test_precheck.py).

``profile`` gives an unremarkable applicant (事业单位 in 库尔勒市, full-time 本科 2010, no title);
each test states what it depends on.  ``notice`` returns a notice's text without whitespace so a
test can check that a number or clause it relies on is really the notice's own.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from applications.models import Campaign, Specialty
from applications.rules import CAMPAIGN_PREFETCH, CurrentTitle, EducationEntry, Profile

D = dt.date
NOTICES = Path(__file__).resolve().parents[2] / "fixtures" / "notices"
SEED_FILES = {
    "bz-2023-jianzhu": "000_644aaefd655d5b34.txt",
    "bz-2023-dangxiao": "001_5051c4e8b02ad7aa.txt",
    "yq-2024-chuding": "002_d134644847635b82.txt",
    "bz-2024-zhijian": "003_1414cbde161d11cb.txt",
    "bz-2021-shihua": "004_0a5763cc64cb9d74.txt",
}
# The review campaigns (both levels) and the year each notice is for.
REVIEW_CAMPAIGNS = {"bz-2023-jianzhu": 2023, "bz-2023-dangxiao": 2023, "bz-2024-zhijian": 2024, "bz-2021-shihua": 2021}
SPECIALTY_OF = {"bz-2023-jianzhu": "建筑", "bz-2023-dangxiao": "党干校教师", "yq-2024-chuding": "电力",
                "bz-2024-zhijian": "质量技术监督", "bz-2021-shihua": "电力", "demo": "建筑"}


_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})


def notice(code: str) -> str:
    """The notice without whitespace, its ASCII punctuation (some passages use it) made full-width."""
    text = re.sub(r"\s+", "", (NOTICES / SEED_FILES[code]).read_text(encoding="utf-8"))
    return text.translate(_FULL_WIDTH)


def campaign(code: str) -> Campaign:
    return Campaign.objects.prefetch_related(*CAMPAIGN_PREFETCH).get(code=code)


def specialty(code: str) -> Specialty:
    return Specialty.objects.get(name=SPECIALTY_OF[code], campaigns__code=code)


def education(level: str = "bachelor", graduated: dt.date = D(2010, 7, 1), *, full_time: bool = True,
              south: bool = False) -> EducationEntry:
    return EducationEntry(level=level, full_time=full_time, graduated=graduated, south_xinjiang_graduate=south)


def profile(**overrides) -> Profile:
    values = dict(
        id_number="652801199001011232", unit_nature="institution", county="库尔勒市",
        education=[education()], professional_work_start=D(2010, 8, 1), current_title=None,
    )
    values.update(overrides)
    return Profile(**values)


def promoted(obtained: dt.date, level_of_education: str = "bachelor", *, evaluations: dict | None = None,
             years: list[int] | tuple = (), **overrides) -> Profile:
    """Holds 初级 since ``obtained``; rated 合格 in ``years`` unless ``evaluations`` says otherwise."""
    results = {y: "qualified" for y in years}
    results.update(evaluations or {})
    overrides.setdefault("education", [education(level_of_education, D(obtained.year - 5, 7, 1))])
    return profile(current_title=CurrentTitle("junior", obtained), annual_evaluations=results, **overrides)


def rule_reasons(verdict, rule: str):
    return [r for r in verdict.reasons if r.rule == rule]
