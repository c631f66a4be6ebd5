"""Lookups shared by the applicant's views.  An application is found by its code among the
user's own applications: anything else is 404, whether it exists or not."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from portal.errors import wants_json

from ..models import Application

__all__ = ["own_application", "section_url", "time_left", "wants_json"]


def own_application(user, code: str) -> Application:
    if not user.is_authenticated:
        raise Http404
    qs = (Application.objects.filter(applicant_id=user.pk)
          .select_related("campaign__committee", "level", "specialty__series", "unit__county", "applicant"))
    return get_object_or_404(qs, code=code)


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
