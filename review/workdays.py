"""Working days in mainland China: weekends, statutory holidays and make-up working days (调休).

``chinesecalendar`` knows the State Council's holiday arrangements up to the year it was released;
``WorkdayOverride`` rows (admin) correct or extend it, for years it does not know yet or for a
local arrangement.  An override always wins; for a year neither knows, Monday–Friday count.

The publicity rule (公示期不少于5个工作日): the days from start to end, both included, must hold at
least the campaign's number of working days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from .models import WorkdayOverride


@lru_cache(maxsize=4096)
def _library_workday(day: dt.date) -> bool | None:
    """The library's answer, or ``None`` for a year it has no data for."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def calendar_known(year: int) -> bool:
    """Whether the holiday arrangements of ``year`` are known (library or at least one override)."""
    return (_library_workday(dt.date(year, 1, 1)) is not None
            or WorkdayOverride.objects.filter(date__year=year).exists())


class WorkCalendar:
    """Answers for a range of days with one query for the overrides in that range."""

    def __init__(self, start: dt.date, end: dt.date):
        self.overrides = dict(WorkdayOverride.objects.filter(date__range=(start, end))
                              .values_list("date", "is_working_day"))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        known = _library_workday(day)
        if known is not None:
            return known
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return WorkCalendar(day, day).is_working_day(day)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days from ``start`` to ``end``, both included (0 when end is before start)."""
    if end < start:
        return 0
    calendar = WorkCalendar(start, end)
    days = (end - start).days + 1
    return sum(1 for i in range(days) if calendar.is_working_day(start + dt.timedelta(days=i)))


def earliest_publicity_end(start: dt.date, working_days: int) -> dt.date:
    """The first day on which a publicity begun on ``start`` has lasted ``working_days`` working
    days (start included).  Looks at most a year ahead: no holiday arrangement is that long."""
    calendar = WorkCalendar(start, start + dt.timedelta(days=366))
    counted = 0
    day = start
    for _ in range(367):
        if calendar.is_working_day(day):
            counted += 1
            if counted >= working_days:
                return day
        day += dt.timedelta(days=1)
    raise ValueError("no working days within a year")  # pragma: no cover - overrides gone mad


def latest_publicity_start(end: dt.date, working_days: int) -> dt.date:
    """The last start day such that a publicity ending on ``end`` has ``working_days`` working days:
    what the unit-review form proposes for a publicity that has just ended."""
    calendar = WorkCalendar(end - dt.timedelta(days=366), end)
    counted = 0
    day = end
    for _ in range(367):
        if calendar.is_working_day(day):
            counted += 1
            if counted >= working_days:
                return day
        day -= dt.timedelta(days=1)
    raise ValueError("no working days within a year")  # pragma: no cover
