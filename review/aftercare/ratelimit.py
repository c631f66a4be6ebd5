"""Rate limits of the public certificate pages, on the shared counters of
``portal.accounts.ratelimit`` (fixed windows in the cache, keyed on the real client address).

* ``lookup_ip``: every look-up from one address (10 per 10 minutes): one machine cannot sweep.
* ``lookup_id_ip``: *failed* pairs for one ID number from one address (5 per hour).
* ``lookup_id``: *failed* pairs for one ID number from every address (30 per 15 minutes).

Only failed pairs count against an ID number, so strangers' guesses from other addresses do not
touch the holder's own address, and a holder who finds their certificate uses up nothing.  When
many addresses guess at one number, it is closed to everyone, but only until the 15-minute window
ends: the right pair is never blocked for longer than that (README, "证书查询").

When the cache is down the pages fail closed ("请稍后再试", HTTP 503): a look-up is never
answered without its limits.
"""

from __future__ import annotations

from portal.accounts.client_ip import client_ip
from portal.accounts.ratelimit import Limit, RateLimitUnavailable, Verdict, check, hit, limit, record

DEFAULTS = {
    "lookup_ip": (10, 600),
    "lookup_id_ip": (5, 3600),
    "lookup_id": (30, 900),
    "verify_ip": (30, 600),
}


def rule(name: str) -> Limit:
    return limit(name, DEFAULTS[name])


def client_address(request) -> str:
    return client_ip(request)


__all__ = ["DEFAULTS", "RateLimitUnavailable", "Verdict", "check", "client_address", "hit", "record", "rule"]
