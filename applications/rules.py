"""The rule engine: pure functions over a campaign's data and an applicant's profile.

Nothing here reads the request; database access is limited to the campaign's own related rows,
which callers prefetch (``CAMPAIGN_PREFETCH``) when they evaluate many applications.
"""

from __future__ import annotations

CAMPAIGN_PREFETCH = ("fees__level", "ce_rules__level", "materials", "exempt_counties", "levels")


def fee_for(campaign, level, kind: str) -> int | None:
    """评审费 in yuan for ``level`` × ``kind``, or ``None`` when the notice sets none (002).

    Reads ``campaign.fees.all()`` so a prefetched campaign costs no query.
    """
    level_id = getattr(level, "pk", level)
    for fee in campaign.fees.all():
        if fee.level_id == level_id and fee.kind == kind:
            return fee.amount
    return None
