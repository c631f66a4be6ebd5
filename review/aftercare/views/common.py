"""Helpers shared by the after-acceptance pages: who may open them, which campaign, which
application (404 for anything outside the user's scope, existing or not)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from applications.models import Application
from portal.errors import posted_ids, safe_next
from applications.states import AFTER_ACCEPTANCE, State
from review.access import identity_hidden, was_accepted
from review.selectors import applications_visible_to

from ..permissions import is_admin, is_clerk_or_admin
from ..selectors import campaign_picker, choose_campaign

# What the clerk's pages open: accepted onwards, and what fraud closed after acceptance (to read
# its record).
OPENABLE = (*AFTER_ACCEPTANCE, State.CLOSED)


def clerk_or_404(user) -> None:
    if not is_clerk_or_admin(user):
        raise Http404


def campaign_for(request):
    """The campaign the page works on (``?campaign=code`` or the form's hidden field)."""
    clerk_or_404(request.user)
    campaign = choose_campaign(request.user, request.GET.get("campaign") or request.POST.get("campaign"))
    if campaign is None:
        raise Http404
    return campaign


def managed_application(user, pk: int) -> Application:
    """An application the clerk manages after acceptance (``review.access``: visible, and its
    applicant no longer hidden); a closed one only when it was closed after acceptance (fraud),
    never one the unit or county closed before it reached the committee."""
    clerk_or_404(user)
    application = (applications_visible_to(user).filter(pk=pk, state__in=OPENABLE)
                   .select_related("campaign__committee", "applicant", "unit__county", "level", "specialty__series")
                   .first())
    if application is None or identity_hidden(user, application) or not was_accepted(application):
        raise Http404
    return application


def back(request, default: str) -> str:
    return safe_next(request, default)


def redirect_back(request, default: str):
    return redirect(back(request, default))


def report_outcome(request, outcome, done_text: str, codes: dict[int, str]) -> None:
    """Messages for a batch: how many went through, and each refusal with its reason."""
    if outcome.done:
        messages.success(request, done_text % len(outcome.done))
    for application_id, reason in outcome.refused:
        code = codes.get(application_id, application_id)
        messages.error(request, _("申报 %(code)s：%(reason)s") % {"code": code, "reason": reason})


def ids_from(request) -> list[int]:
    return posted_ids(request)



def page_context(request, campaign, active: str) -> dict:
    """What every clerk page shows on top: the campaign picker and the tabs."""
    return {"campaign": campaign, "campaigns": campaign_picker(request.user), "active": active,
            "is_admin": is_admin(request.user)}
