"""What happens after a transition is committed: notifications to the people it affects, then the
effects the apps above review registered (``transition_effect_register``; the documents app
renders the review form once the committee accepts).  Runs from ``transaction.on_commit``, so a
rolled-back transition never notifies anyone; anything slow is handed to the Celery worker from
here.  One failing effect is logged and does not stop the others: the transition has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from applications.models import StateChange

from .notifications import notifications_for_change, notifications_mail

logger = logging.getLogger(__name__)

TransitionEffect = Callable[[StateChange], None]
EFFECTS: list[TransitionEffect] = []


def transition_effect_register(effect: TransitionEffect) -> None:
    """Run ``effect(change)`` after every committed transition (once, however often registered)."""
    if effect not in EFFECTS:
        EFFECTS.append(effect)


def transition_committed(change_id: int) -> None:
    change = (StateChange.objects.select_related("application__applicant", "application__unit",
                                                 "application__campaign", "application__specialty__series",
                                                 "application__level")
              .get(pk=change_id))
    logger.debug("transition committed: StateChange %s (%s → %s)", change_id, change.from_state, change.to_state)
    notifications_mail(notifications_for_change(change))
    for effect in EFFECTS:
        try:
            effect(change)
        except Exception:  # noqa: BLE001 - the transition has committed; the effect is logged for the admin
            logger.exception("effect %s of StateChange %s failed", getattr(effect, "__name__", effect), change_id)
