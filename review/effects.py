"""What happens after a transition is committed: notifications to the people it affects and
documents to render.  Runs from ``transaction.on_commit``, so a rolled-back transition never
notifies anyone; anything slow is handed to the Celery worker from here."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def transition_committed(change_id: int) -> None:
    from .models import StateChange
    from .notifications import email_notifications, notifications_for_change

    change = (StateChange.objects.select_related("application__applicant", "application__unit",
                                                 "application__campaign", "application__specialty__series",
                                                 "application__level")
              .get(pk=change_id))
    logger.debug("transition committed: StateChange %s (%s → %s)", change_id, change.from_state, change.to_state)
    notes = notifications_for_change(change)
    try:
        email_notifications(notes)
    except Exception:  # noqa: BLE001 - a mail server down must not undo a committed transition
        logger.exception("e-mail for StateChange %s failed", change_id)
    # Documents (issue 6): once the committee accepts, the worker renders the review form.
    from .documents.services import review_form_after_transition

    review_form_after_transition(change_id)
