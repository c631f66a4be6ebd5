"""Lookups shared by the applicant's views.  Every application is found through
``review.selectors.applications_visible_to`` and the applicant's own id: anything else is 404."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from review.selectors import applications_visible_to

from ..models import Application


def own_application(user, code: str) -> Application:
    if not user.is_authenticated:
        raise Http404
    qs = (applications_visible_to(user).filter(applicant_id=user.pk)
          .select_related("campaign__committee", "level", "specialty__series", "unit__county", "applicant"))
    return get_object_or_404(qs, code=code)


def wants_json(request) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest" or "application/json" in request.headers.get(
        "accept", "")


def time_left(deadline: dt.datetime | None, now: dt.datetime | None = None) -> dict | None:
    """Hours and minutes until ``deadline`` (None when there is no clock)."""
    if deadline is None:
        return None
    now = now or timezone.now()
    seconds = max(0, int((deadline - now).total_seconds()))
    return {"deadline": timezone.localtime(deadline), "hours": seconds // 3600, "minutes": seconds % 3600 // 60,
            "expired": seconds == 0, "urgent": seconds < 12 * 3600}


def section_url(application: Application, key: str) -> str:
    return reverse("applications:section", args=[application.code, key])
