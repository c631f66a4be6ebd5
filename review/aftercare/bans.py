"""Bans from the integrity records (诚信档案, SPEC §9): how long, and who is banned now.

A notice bans a person "从申报年度下一年度起N年内" (000/001/002: 3 years, 003/004: 5 years) and a
unit involved for 3 years (003/004).  Choices where the notices are silent (also in the README):

* Both bans run from 1 January of the year after the campaign's year to 31 December of the
  campaign year + N: fraud found in a 2023 campaign with a 3-year ban bars 2024, 2025 and 2026,
  i.e. until 2026年12月31日.  The last banned day is what the rule engine receives
  (``Profile.banned_until`` as a date), so its own wording ("限制申报至2026年12月31日") applies.
* A campaign that sets no unit ban (000/001/002) records no unit: the fraud form does not offer
  it and the service refuses it ("本通知未规定对单位的处理"; issue 15, P2-10).
* The rules receive bans as data (``applications.bans``); this module is where they are read from.
* A ban given as a day bars every campaign whose first day left to submit falls on or before it
  (``applications.rules.eligibility``): from the moment the record is made, the person cannot
  submit another application in the same year either.  The application concerned is closed.
* Several records for the same person or unit: the latest end wins.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q

from applications.bans import Bans

from .models import IntegrityRecord



def ban_end(campaign_year: int, years: int) -> dt.date:
    """The last banned day of a ban of ``years`` years starting the year after ``campaign_year``."""
    return dt.date(campaign_year + years, 12, 31)


def unit_ban_years_for(campaign) -> int | None:
    """The years a unit loses for fraud, or None where the notice sets no unit ban (000/001/002):
    then no unit is recorded at all (issue 15, P2-10)."""
    return campaign.unit_ban_years


def integrity_bans(*, id_number: str | None, unit_id: int | None) -> Bans:
    """The latest ban end of a person (by ID number) and of a unit, from every record: one
    aggregate query (none for nobody).  Registered as the source of ``applications.bans.bans_for``."""
    person_q = Q(id_number=id_number.upper()) if id_number else None
    unit_q = Q(unit_id=unit_id) if unit_id else None
    if person_q is None and unit_q is None:
        return Bans()
    either = person_q | unit_q if person_q is not None and unit_q is not None else (person_q or unit_q)
    wanted = {}
    if person_q is not None:
        wanted["person"] = Max("person_banned_until", filter=person_q)
    if unit_q is not None:
        wanted["unit"] = Max("unit_banned_until", filter=unit_q)
    found = IntegrityRecord.objects.filter(either).aggregate(**wanted)
    return Bans(found.get("person"), found.get("unit"))
