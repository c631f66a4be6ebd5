"""The committee meeting's rules as pure functions: no database, no clock, no request.

The numbers are data (``MeetingNumbers``): a committee may store its own (``CommitteeRules``) and
each meeting freezes the ones it was opened with.  Defaults, from 《职称评审管理暂行规定》
(人社部令第40号, 2019) as commonly applied:

* **term** — an expert serves at most 3 years (``term_ok``), and is drawn only while in term
  (``in_term``);
* **quorum** — the meeting is valid when at least 2/3 of the panel's drawn members attend
  (``quorum_met``; alternates do not count towards it);
* **threshold** — an application passes with 同意 from at least 2/3 of its *voters*: the panel
  members present who are not recused from it, plus the alternates who stepped in for it and are
  present (``voters_for`` / ``passes``).  A voter who does not vote, or abstains (弃权), counts
  as not 同意: the denominator is the voters, not the ballots cast (the documented choice for
  "the experts present": a recused expert is neither in the numerator nor in the denominator);
* **draw** — ``draw_panel`` shuffles a *sorted* snapshot of the eligible pool with
  ``random.Random(seed)``, so the same seed and snapshot give the same panel and the same ordered
  alternates, whoever repeats it;
* **recusal** — automatic when the expert's unit is the applicant's unit or its competent unit
  (``automatic_recusal``); declared ones come from the expert;
* **alternates step in** in their drawn order where recusals leave a group below its size
  (``seated_for``).

All comparisons are in integers (``a * den >= num * b``): no float rounding at exactly 2/3.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MeetingNumbers:
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    pass_numerator: int = 2
    pass_denominator: int = 3
    max_term_years: int = 3
    alternate_ratio_numerator: int = 1  # alternates per member drawn: 1/3 → a group of 9 has 3
    alternate_ratio_denominator: int = 3

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


DEFAULT_NUMBERS = MeetingNumbers()


def at_least(part: int, whole: int, numerator: int, denominator: int) -> bool:
    """``part / whole >= numerator / denominator``, exactly, in integers; nothing of nothing fails."""
    if whole <= 0:
        return False
    return part * denominator >= numerator * whole


def quorum_needed(panel_size: int, numbers: MeetingNumbers = DEFAULT_NUMBERS) -> int:
    """The fewest members present for a valid meeting (ceil of 2/3 of the panel)."""
    return -(-panel_size * numbers.quorum_numerator // numbers.quorum_denominator)


def quorum_met(present: int, panel_size: int, numbers: MeetingNumbers = DEFAULT_NUMBERS) -> bool:
    return at_least(present, panel_size, numbers.quorum_numerator, numbers.quorum_denominator)


def yes_needed(voters: int, numbers: MeetingNumbers = DEFAULT_NUMBERS) -> int:
    """The fewest 同意 for a pass among ``voters`` (ceil of 2/3)."""
    return -(-voters * numbers.pass_numerator // numbers.pass_denominator)


def passes(yes: int, voters: int, numbers: MeetingNumbers = DEFAULT_NUMBERS) -> bool:
    return at_least(yes, voters, numbers.pass_numerator, numbers.pass_denominator)


def alternates_for(size: int, numbers: MeetingNumbers = DEFAULT_NUMBERS) -> int:
    """The default number of alternates of a group of ``size`` (ceil of the ratio)."""
    return -(-size * numbers.alternate_ratio_numerator // numbers.alternate_ratio_denominator)


# -- terms -----------------------------------------------------------------------------------------

def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_ok(start: dt.date, end: dt.date, numbers: MeetingNumbers = DEFAULT_NUMBERS) -> bool:
    """A term runs forwards and lasts at most ``max_term_years`` (start + 3 years, exclusive)."""
    return start <= end < add_years(start, numbers.max_term_years)


def in_term(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return start is not None and end is not None and start <= day <= end


# -- the draw --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PoolEntry:
    """One expert as the draw sees them (the snapshot stored with the draw)."""

    id: int
    specialties: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"id": self.id, "specialties": list(self.specialties)}

    @classmethod
    def from_dict(cls, data: dict) -> PoolEntry:
        return cls(id=int(data["id"]), specialties=tuple(data.get("specialties") or ()))


@dataclass(frozen=True)
class GroupSpec:
    key: str
    size: int
    alternates: int
    specialties: tuple[str, ...] = ()  # empty: any specialty

    def accepts(self, entry: PoolEntry) -> bool:
        return not self.specialties or bool(set(self.specialties) & set(entry.specialties))


@dataclass(frozen=True)
class DrawnGroup:
    key: str
    members: tuple[int, ...]
    alternates: tuple[int, ...]


class DrawImpossible(ValueError):
    """Too few eligible experts for a group; ``group`` and ``needed``/``available`` say how."""

    def __init__(self, group: str, needed: int, available: int):
        super().__init__(f"group {group}: needs {needed}, {available} eligible")
        self.group, self.needed, self.available = group, needed, available


def snapshot(pool: Iterable[PoolEntry]) -> list[PoolEntry]:
    """The pool in its canonical order (by id): what the seed shuffles."""
    return sorted(pool, key=lambda e: e.id)


def draw_panel(pool: Iterable[PoolEntry], groups: Sequence[GroupSpec], seed: int) -> list[DrawnGroup]:
    """Draw each group in turn from the experts not yet drawn: ``size`` members, then
    ``alternates`` ordered alternates.  Deterministic in ``(sorted pool, groups, seed)``."""
    rng = random.Random(seed)
    ordered = snapshot(pool)
    taken: set[int] = set()
    drawn = []
    for group in groups:
        candidates = [e.id for e in ordered if e.id not in taken and group.accepts(e)]
        needed = group.size + group.alternates
        if len(candidates) < needed:
            raise DrawImpossible(group.key, needed, len(candidates))
        chosen = rng.sample(candidates, needed)
        taken.update(chosen)
        drawn.append(DrawnGroup(group.key, tuple(chosen[:group.size]), tuple(chosen[group.size:])))
    return drawn


# -- recusal and who votes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitLink:
    """An applicant's unit and its competent unit (主管单位), by id."""

    unit_id: int | None
    competent_unit_id: int | None = None


def automatic_recusal(expert_unit_id: int | None, applicant: UnitLink) -> str:
    """Why the expert must step aside from the application ('' when they need not)."""
    if expert_unit_id is None:
        return ""
    if expert_unit_id == applicant.unit_id:
        return "same_unit"
    if expert_unit_id == applicant.competent_unit_id:
        return "competent_unit"
    return ""


@dataclass(frozen=True)
class Seating:
    """Who sits for one application: the members not recused, then alternates in order."""

    seated: tuple[int, ...]
    stepped_in: tuple[int, ...] = field(default=())


def seated_for(members: Sequence[int], alternates: Sequence[int], recused: Iterable[int]) -> Seating:
    """The group's seats for one application: members not recused, filled up to the group's size
    from the alternates (in order) who are not recused either."""
    recused = set(recused)
    seated = [m for m in members if m not in recused]
    stepped = []
    for alternate in alternates:
        if len(seated) + len(stepped) >= len(members):
            break
        if alternate not in recused:
            stepped.append(alternate)
    return Seating(tuple(seated) + tuple(stepped), tuple(stepped))


def voters_for(seating: Seating, present: Iterable[int]) -> tuple[int, ...]:
    """Those seated for the application who attend: the only ones who may vote on it."""
    present = set(present)
    return tuple(e for e in seating.seated if e in present)


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    voters: int
    needed: int
    passed: bool

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def tally(choices: Iterable[str], voters: int, numbers: MeetingNumbers = DEFAULT_NUMBERS) -> Tally:
    """Count 同意 (``yes``) / 不同意 (``no``) / 弃权 (``abstain``) and apply the threshold to the
    voters (not to the ballots cast)."""
    choices = list(choices)
    if len(choices) > voters:
        raise ValueError("more ballots than voters")
    yes = choices.count("yes")
    return Tally(yes=yes, no=choices.count("no"), abstain=choices.count("abstain"), voters=voters,
                 needed=yes_needed(voters, numbers), passed=passes(yes, voters, numbers))
