"""The meeting's rules with their numbers (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from review.meeting.rules import (
    DrawImpossible,
    GroupSpec,
    MeetingNumbers,
    PoolEntry,
    UnitLink,
    automatic_recusal,
    draw_panel,
    passes,
    quorum_met,
    quorum_needed,
    seated_for,
    tally,
    term_ok,
    voters_for,
    yes_needed,
)


def test_quorum_at_exactly_two_thirds_and_just_below():
    assert quorum_needed(9) == 6
    assert quorum_met(6, 9)          # 6/9 = 2/3 exactly
    assert not quorum_met(5, 9)      # 5/9 just below
    assert quorum_met(8, 12) and not quorum_met(7, 12)
    assert quorum_needed(10) == 7    # 20/3 = 6.67 → 7
    assert quorum_met(7, 10) and not quorum_met(6, 10)
    assert not quorum_met(0, 0)


def test_threshold_at_exactly_two_thirds_and_just_below():
    assert passes(6, 9) and not passes(5, 9)  # 6/9 = 2/3 exactly
    assert yes_needed(8) == 6
    assert passes(6, 8) and not passes(5, 8)  # 8 present: 6 同意 pass, 5 fail
    assert passes(2, 3) and not passes(1, 3)
    assert not passes(0, 0)


def test_numbers_are_data():
    half = MeetingNumbers(quorum_numerator=1, quorum_denominator=2, pass_numerator=1, pass_denominator=2)
    assert quorum_met(5, 10, half) and not quorum_met(4, 10, half)
    assert passes(4, 8, half) and not passes(3, 8, half)


def test_tally_counts_abstentions_and_missing_ballots_against():
    result = tally(["yes"] * 6 + ["no", "abstain"], voters=8)
    assert (result.yes, result.no, result.abstain, result.needed, result.passed) == (6, 1, 1, 6, True)
    # A voter who did not vote is still a voter: 5 同意 of 8 voters fails even with only 5 ballots.
    assert not tally(["yes"] * 5, voters=8).passed
    with pytest.raises(ValueError):
        tally(["yes"] * 3, voters=2)


def test_term_at_most_three_years():
    start = dt.date(2024, 1, 1)
    assert term_ok(start, dt.date(2026, 12, 31))
    assert not term_ok(start, dt.date(2027, 1, 1))
    assert not term_ok(start, dt.date(2023, 12, 31))
    assert term_ok(dt.date(2024, 2, 29), dt.date(2027, 2, 27))


def _pool(n, specialties=("建筑",)):
    return [PoolEntry(id=i, specialties=specialties) for i in range(1, n + 1)]


def test_draw_is_reproducible_from_seed_and_sorted_snapshot():
    groups = [GroupSpec("g1", size=9, alternates=3)]
    first = draw_panel(_pool(15), groups, seed=20260601)
    again = draw_panel(list(reversed(_pool(15))), groups, seed=20260601)  # order of the pool does not matter
    assert first == again
    assert len(first[0].members) == 9 and len(first[0].alternates) == 3
    assert not set(first[0].members) & set(first[0].alternates)
    assert draw_panel(_pool(15), groups, seed=7) != first


def test_draw_by_specialty_and_refused_when_too_few():
    pool = _pool(5, ("建筑",)) + [PoolEntry(id=i, specialties=("农业",)) for i in range(6, 12)]
    drawn = draw_panel(pool, [GroupSpec("agri", 4, 2, ("农业",))], seed=1)
    assert set(drawn[0].members + drawn[0].alternates) <= set(range(6, 12))
    with pytest.raises(DrawImpossible) as caught:
        draw_panel(pool, [GroupSpec("build", 5, 2, ("建筑",))], seed=1)
    assert (caught.value.needed, caught.value.available) == (7, 5)


def test_automatic_recusal_same_unit_or_competent_unit():
    assert automatic_recusal(3, UnitLink(3, 9)) == "same_unit"
    assert automatic_recusal(9, UnitLink(3, 9)) == "competent_unit"
    assert automatic_recusal(4, UnitLink(3, 9)) == ""
    assert automatic_recusal(None, UnitLink(None)) == ""


def test_recused_excluded_from_voters_and_alternate_steps_in():
    members, alternates = list(range(1, 10)), [10, 11, 12]
    seating = seated_for(members, alternates, recused={4})
    assert 4 not in seating.seated and seating.stepped_in == (10,)
    assert len(seating.seated) == 9
    # 8 of the 9 attend (member 9 absent), alternate 10 attends too.
    voters = voters_for(seating, present=[1, 2, 3, 4, 5, 6, 7, 8, 10])
    assert 4 not in voters and 10 in voters and len(voters) == 8
    # A recused alternate is skipped: the next one steps in.
    assert seated_for(members, alternates, recused={4, 10}).stepped_in == (11,)
    # No recusal: the alternates stay out.
    assert seated_for(members, alternates, recused=()).stepped_in == ()
