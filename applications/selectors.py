"""Reads of an application's own data and history, shared by the applicant's pages, the one door
and the reviewers' pages."""

from __future__ import annotations

from django.db.models import CharField, F, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf

from .models import Application, ReturnNote, StateChange

# The applicant's name as the lists and documents print it, worked out by the database: the one in
# the snapshot (as submitted), else the account's ("" in the snapshot counts as none).  For a
# ``values_list``/``annotate`` that reads no model instance (no snapshot, no user built).
LISTED_NAME = Coalesce(NullIf(KeyTextTransform("name", "snapshot"), Value("")), F("applicant__real_name"),
                       output_field=CharField())


def listed_name(application: Application) -> str:
    """``LISTED_NAME`` for an application already read: its snapshot's name, else its account's."""
    return (application.snapshot or {}).get("name") or application.applicant.real_name


def sections_data(application: Application) -> dict[str, dict]:
    """Validated sections, ``{key: data}``; reads ``application.sections.all()`` (prefetchable)."""
    return {s.key: s.data for s in application.sections.all() if s.is_complete}


def latest_return(application: Application) -> StateChange | None:
    """The most recent return of the application, or ``None``."""
    return (StateChange.objects.filter(application=application, action="return")
            .order_by("-created_at", "-id").first())


def return_notes_by_section(application: Application, change: StateChange | None = None) -> dict[str, list[ReturnNote]]:
    """Notes of the latest return (``change`` when the caller has read it), keyed by section (""
    for the whole application).  Notes on an attachment are keyed by its section too and carry
    ``attachment_id``."""
    change = change or latest_return(application)
    if change is None:
        return {}
    grouped: dict[str, list[ReturnNote]] = {}
    for note in change.notes.select_related("attachment"):
        key = note.section or (note.attachment.section if note.attachment else "")
        grouped.setdefault(key, []).append(note)
    return grouped


def submission_rounds(application: Application) -> list[StateChange]:
    """The submissions (``submit``/``resubmit``) that carry a round record, oldest first."""
    return list(StateChange.objects.filter(application=application, action__in=("submit", "resubmit"))
                .order_by("created_at", "id"))
