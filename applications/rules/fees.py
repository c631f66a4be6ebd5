"""Fees (评审费) and the prefetch list that makes a campaign's rule rows free to read."""

from __future__ import annotations

# Every related row the rule engine reads.  ``Campaign.objects.prefetch_related(*CAMPAIGN_PREFETCH)``
# lets ``evaluate`` run for any number of profiles without another query.
CAMPAIGN_PREFETCH = ("fees__level", "ce_rules__level", "materials", "exempt_counties", "levels", "specialties")


def fee_for(campaign, level, kind: str) -> int | None:
    """评审费 in yuan for ``level`` × ``kind``, or ``None`` when the notice sets none (002).

    Reads ``campaign.fees.all()`` so a prefetched campaign costs no query.
    """
    level_id = getattr(level, "pk", level)
    for fee in campaign.fees.all():
        if fee.level_id == level_id and fee.kind == kind:
            return fee.amount
    return None
