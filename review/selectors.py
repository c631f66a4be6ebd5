"""Reads scoped to the user: the one place that decides which applications a user may see.

Every view, export and file download starts from ``applications_visible_to(user)``; a row outside
it is answered with 404, whether it exists or not (an officer cannot probe other units).
"""

from __future__ import annotations

from django.db.models import QuerySet

from applications.models import Application

from .models import ReturnNote, StateChange
from portal.accounts.models import Role


def applications_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.APPLICANT:
        return qs.filter(applicant=user)
    if user.role == Role.UNIT_OFFICER:
        return qs.filter(unit_id=user.unit_id) if user.unit_id else qs.none()
    if user.role == Role.COUNTY_OFFICER:
        # The second step belongs to the unit's competent department when it has one,
        # otherwise to the HR bureau of the unit's county.
        if user.competent_unit_id:
            return qs.filter(unit__competent_unit_id=user.competent_unit_id)
        if user.county_id:
            return qs.filter(unit__county_id=user.county_id, unit__competent_unit__isnull=True)
        return qs.none()
    if user.role == Role.COMMITTEE_CLERK:
        return qs.filter(campaign__committee_id=user.committee_id) if user.committee_id else qs.none()
    return qs.none()


def latest_return(application) -> StateChange | None:
    """The most recent return of the application, or ``None``."""
    return (StateChange.objects.filter(application=application, action="return")
            .order_by("-created_at", "-id").first())


def return_notes_by_section(application) -> dict[str, list[ReturnNote]]:
    """Notes of the latest return, keyed by section ("" for the whole application).  Notes on an
    attachment are keyed by its section too and carry ``attachment_id``."""
    change = latest_return(application)
    if change is None:
        return {}
    grouped: dict[str, list[ReturnNote]] = {}
    for note in change.notes.select_related("attachment"):
        key = note.section or (note.attachment.section if note.attachment else "")
        grouped.setdefault(key, []).append(note)
    return grouped
