"""Calendar arithmetic the rules share: full years between days, a campaign's day moved to another
year, and how to write days and years the way the notices do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

# How far ahead ``earliest_year`` looks before answering "never by these rules".
HORIZON_YEARS = 60


def full_years(start: dt.date, end: dt.date) -> int:
    """Completed years from ``start`` to ``end`` (满N年); negative when ``end`` is earlier."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def same_day_in(day: dt.date, year: int) -> dt.date:
    """``day`` moved to ``year``; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def grade_deadline(campaign, year: int) -> dt.date:
    """The day years are counted to for a campaign held in ``year`` (default 31 December)."""
    base = campaign.grade_deadline
    return same_day_in(base, base.year + (year - campaign.year))


def first_year(campaign, passes: Callable[[int], bool]) -> int | None:
    """The first campaign year, from this campaign's on, for which ``passes(year)``; None if none."""
    for year in range(campaign.year, campaign.year + HORIZON_YEARS):
        if passes(year):
            return year
    return None


def day_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def years_text(years: Iterable[int]) -> str:
    """[2020, 2021, 2022] → "2020—2022年"; [2019, 2021] → "2019、2021年"; runs are joined by 、."""
    ordered = sorted(set(years))
    if not ordered:
        return ""
    runs: list[list[int]] = [[ordered[0]]]
    for year in ordered[1:]:
        if year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [f"{r[0]}—{r[-1]}" if len(r) > 2 else "、".join(str(y) for y in r) for r in runs]
    return "、".join(parts) + "年"
