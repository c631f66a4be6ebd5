"""Lookups shared by the review pages: who is an officer, which application a user may open
(404 for everything else, existing or not)."""

from __future__ import annotations

from django.http import Http404

from portal.accounts.models import OFFICER_ROLES

from ..selectors import applications_in_queue_of, applications_visible_to, load_campaign

PAGE_SIZE = 20


def officer_or_404(user) -> None:
    if not (user.role in OFFICER_ROLES or user.is_superuser):
        raise Http404


def application_for(user, pk: int):
    """The application if ``user`` may open it, else 404 (missing and forbidden look alike).  Its
    campaign comes from the cache (``load_campaign``, with its committee, checklist and fees), not
    joined: the campaign's row and clauses decoded on every review page were a quarter of reading
    the application."""
    base = applications_in_queue_of(user) if user.role in OFFICER_ROLES else applications_visible_to(user)
    application = (base.select_related("unit__county", "unit__competent_unit", "specialty__series", "level",
                                       "applicant").filter(pk=pk).first())
    if application is None:
        raise Http404
    application.campaign = load_campaign(application.campaign_id)
    return application
