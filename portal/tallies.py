"""Figures over a whole campaign or queue (counts by state, fee totals, the reconciliation, the units
with something unpaid) kept in the cache until the data they count changes.

Such a figure is an aggregate over every application in scope: its SQL grows with the campaign
(the fee page's three aggregates took 30 of its 41 ms of SQL at 10,000 applications, ten times that
at 100,000), while the data under it changes a few times an hour once applications are accepted.

How it stays right: every change of an application's data is recorded by ``portal.audit`` in the
change's own transaction, and the audit marks what it touched as changed once that transaction has
committed (``changed``: a fresh random token for the application's campaign and one for all
applications).  A figure is cached under the tokens read *before* it is computed (``remembered``),
so a change committed after that read replaces a token the figure was not stored under, and the next
page computes it again; a page never reads a figure older than a change it could already see.
Random tokens rather than counters: two processes marking the same campaign at once cannot land on
the same value (the file cache's ``incr`` is not atomic).

What it gives up: a figure may be computed twice by two pages at once (no lock: harmless); a change
whose mark is lost (the cache unreachable right after the commit, the process killed in between)
is seen within ``TALLY_SECONDS``, the lifetime of every figure.  With the cache unreachable the figure
is computed on every page, as if there were no cache.  Writes that no audit records (the benchmark's
``COPY``, a migration) and changes of no campaign (a unit or specialty renamed in the admin: the
name a figure shows) are therefore seen within ``TALLY_SECONDS`` too.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Every figure lives at most this long; the bound on staleness when a change's mark was lost.
TALLY_SECONDS = 600

ALL_APPLICATIONS = "applications"


def campaign_scope(campaign_id: int) -> str:
    return f"campaign:{campaign_id}"


def _token_key(scope: str) -> str:
    return f"tally:token:{scope}"


def _tokens(scopes: list[str]) -> list[str]:
    keys = [_token_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        # Never marked (or evicted): start one; of two pages starting it at once, ``add`` keeps one.
        for key in missing:
            cache.add(key, uuid.uuid4().hex, None)
        found = cache.get_many(keys)
    return [found[key] for key in keys]  # KeyError if the cache lost them again: not cached


def remembered(name: str, scopes: Iterable[str], compute: Callable[[], T], *, seconds: int = TALLY_SECONDS) -> T:
    """``compute()``, or its value stored under ``name`` since none of ``scopes`` changed.

    ``name`` must say everything the figure depends on besides the data of ``scopes``: whose
    figure it is (the user's scope) and its parameters (filters, the day)."""
    try:
        key = "tally:{}:{}".format(name, ":".join(_tokens(list(scopes))))
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache client error: compute it, as without a cache
        logger.warning("tally %s: cache unreadable, computed", name)
        return compute()
    if found is not None:
        return found[0]
    value = compute()
    try:
        cache.set(key, (value,), seconds)
    except Exception:  # noqa: BLE001
        logger.warning("tally %s: could not be cached", name)
    return value


def changed(campaign_ids: Iterable[int]) -> None:
    """Mark the campaigns' figures (and every queue's) as changed, now and again once the current
    transaction commits.  Called by ``portal.audit`` for every change it records.

    After the commit is what makes it right: a figure computed between the change and its commit
    counted the data before it, and must not be kept.  At once as well, so that no figure from
    before the change is read after it where a commit is never seen (a test runs in a transaction
    that never commits); a change rolled back has only cost a recomputation."""
    _mark([ALL_APPLICATIONS, *(campaign_scope(pk) for pk in sorted(set(campaign_ids)))])


# The campaigns' settings as the review and after-acceptance pages load them (the campaign with its
# checklist, fees, specialties and exempt counties: ``review.selectors.load_campaign``), and the
# reference rows they name.  Marked as changed by ``settings_changed`` whenever one of those rows is
# saved or deleted (signals, ``applications.apps``), whoever saves it: the admin, a seed command, a
# test.  A ``QuerySet.update()`` sends no signal: its change is seen within ``TALLY_SECONDS``.
CAMPAIGN_SETTINGS = "campaign-settings"


def settings_changed(**_signal) -> None:
    """Mark every campaign's settings as changed (now and after the commit, as ``changed``)."""
    _mark([CAMPAIGN_SETTINGS])


def _mark(scopes: list[str]) -> None:
    def mark() -> None:
        try:
            cache.set_many({_token_key(scope): uuid.uuid4().hex for scope in scopes}, None)
        except Exception:  # noqa: BLE001 - the figures are then at most TALLY_SECONDS old
            logger.warning("tallies of %s not marked as changed (cache unreachable)", scopes)

    mark()
    transaction.on_commit(mark)
