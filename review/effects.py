"""What happens after a transition is committed: notifications to the people it affects and
documents to render.  Runs from ``transaction.on_commit``, so a rolled-back transition never
notifies anyone; anything slow is handed to the Celery worker from here."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def transition_committed(change_id: int) -> None:
    logger.info("transition committed: StateChange %s", change_id)
    # Documents (issue 6): once the committee accepts, the worker renders the review form.
    from .documents.services import review_form_after_transition

    review_form_after_transition(change_id)
