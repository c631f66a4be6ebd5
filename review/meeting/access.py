"""What an expert may see: ``expert_may_see(user, application)``.

An expert sees an application only (1) while a meeting that has it on its agenda is in its
review period, (2) when they sit for it in that meeting (a drawn member not recused, or an
alternate who stepped in), and (3) after their declaration of interests for that meeting; and
then only blind (the views show the code, masked scans, the blind review form, the rule engine's
verdict and the defense score).  Everything else answers 404, whether it exists or not.

``review.access`` counts experts as of the committee side (blind) but gives them no application
through the general doors (``applications_visible_to`` is empty for them): the meeting's views
are their only doors, and each asks ``seat_for``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import AgendaItem, Declaration
from .selectors import expert_for, seating_of


def seat_for(user, application, now: dt.datetime | None = None) -> AgendaItem | None:
    """The agenda item through which ``user`` may see ``application`` now, or ``None``."""
    expert = expert_for(user)
    if expert is None or application is None:
        return None
    now = now or timezone.now()
    application_id = getattr(application, "pk", application)
    items = (AgendaItem.objects.filter(application_id=application_id, group__memberships__expert=expert,
                                       meeting__committee_id=expert.committee_id)
             .select_related("meeting").distinct())
    for item in items:
        if not item.meeting.review_open_at(now):
            continue
        if expert.pk not in seating_of(item).seated:
            continue
        if not Declaration.objects.filter(meeting_id=item.meeting_id, expert=expert).exists():
            continue
        return item
    return None


def expert_may_see(user, application, now: dt.datetime | None = None) -> bool:
    return seat_for(user, application, now) is not None
