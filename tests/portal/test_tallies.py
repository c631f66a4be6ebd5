"""portal.tallies: a campaign-wide figure is computed once per change of the campaign's data."""

from __future__ import annotations

import pytest

from portal import tallies

pytestmark = pytest.mark.django_db


class Unreachable:
    """The cache client when Redis is down: every call fails."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")
        return fail


class Computations:
    """A figure that counts how often it was computed."""

    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return {"computed": self.n}


def test_a_figure_is_computed_once_until_its_campaign_changes():
    compute = Computations()
    scopes = [tallies.campaign_scope(7)]
    assert tallies.remembered("fees", scopes, compute) == {"computed": 1}
    assert tallies.remembered("fees", scopes, compute) == {"computed": 1}
    tallies.changed([8])  # another campaign
    assert tallies.remembered("fees", scopes, compute) == {"computed": 1}
    tallies.changed([7])
    assert tallies.remembered("fees", scopes, compute) == {"computed": 2}
    assert compute.n == 2


def test_every_change_marks_the_figures_over_all_applications():
    compute = Computations()
    tallies.remembered("queue", [tallies.ALL_APPLICATIONS], compute)
    tallies.changed([3])
    tallies.remembered("queue", [tallies.ALL_APPLICATIONS], compute)
    assert compute.n == 2


def test_a_figure_that_is_falsy_is_kept_too():
    calls = []
    assert tallies.remembered("empty", ["campaign:1"], lambda: calls.append(1) or {}) == {}
    assert tallies.remembered("empty", ["campaign:1"], lambda: calls.append(1) or {}) == {}
    assert calls == [1]


def test_a_figure_computed_between_a_change_and_its_commit_is_not_kept(django_capture_on_commit_callbacks):
    """The mark at once invalidates what was computed before the change; a page that reads between
    the change and its commit still counts the data before it, and the mark after the commit
    throws that away."""
    compute = Computations()
    scopes = [tallies.campaign_scope(5)]
    tallies.remembered("fees", scopes, compute)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        tallies.changed([5])
    assert tallies.remembered("fees", scopes, compute) == {"computed": 2}  # the commit not yet seen
    assert len(after_commit) == 1
    after_commit[0]()  # the transaction commits
    assert tallies.remembered("fees", scopes, compute) == {"computed": 3}


def test_without_a_cache_the_figure_is_computed_on_every_read(monkeypatch, caplog):
    monkeypatch.setattr(tallies, "cache", Unreachable())
    compute = Computations()
    assert tallies.remembered("fees", ["campaign:1"], compute) == {"computed": 1}
    assert tallies.remembered("fees", ["campaign:1"], compute) == {"computed": 2}
    assert "cache unreadable" in caplog.text


def test_a_lost_mark_only_logs(monkeypatch, caplog):
    """Marking never fails the change it follows: the figures are then at most TALLY_SECONDS old."""
    monkeypatch.setattr(tallies, "cache", Unreachable())
    tallies.changed([1])
    assert "not marked as changed" in caplog.text
