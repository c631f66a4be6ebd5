"""Bans as the rules receive them: the last banned day of a person and of a unit (``Bans``), and
the rule engine's words for the first one that bars a campaign (``ban_refusal``).

The integrity records (诚信档案) that set bans belong to ``review.aftercare``, which sits above this
app; it registers where bans are read from (``ban_source_register``, in ``AftercareConfig.ready``).
Rules and checks take ``Bans`` as data; ``bans_for`` asks the registered source (nobody is banned
while none is registered: the public self-check never reads the records).  Why a ban lasts as long
as it does is in ``review.aftercare.bans``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from .rules.eligibility import check_ban


@dataclass(frozen=True)
class Bans:
    person_until: dt.date | None = None
    unit_until: dt.date | None = None

    def __bool__(self) -> bool:
        return bool(self.person_until or self.unit_until)


BanSource = Callable[..., Bans]  # (*, id_number: str | None, unit_id: int | None) -> Bans
_source: BanSource | None = None


def ban_source_register(source: BanSource) -> None:
    global _source
    _source = source


def bans_for(*, id_number: str | None, unit_id: int | None) -> Bans:
    """The latest ban end of a person (by ID number) and of a unit, from the registered source."""
    if _source is None:
        return Bans()
    return _source(id_number=id_number, unit_id=unit_id)


def ban_refusal(campaign, kind: str, bans: Bans, *, today: dt.date | None = None) -> str:
    """The rule engine's words for the first ban that bars ``campaign``, or "" when none does.

    Asks ``applications.rules.eligibility.check_ban`` so that the submission predicate, the
    checklist and the self-check all judge a ban the same way.
    """
    for until, unit in ((bans.person_until, False), (bans.unit_until, True)):
        if until is None:
            continue
        check = check_ban(campaign, kind, until, unit=unit, today=today)
        blocking = [reason for reason in check.reasons if reason.ok is False]
        if blocking:
            return blocking[0].text
    return ""
