"""Writing the audit log: ``audit_record`` (one event) and ``audit_record_many`` (one event per
object of a batch), and the helpers that say what changed.

Call them inside the transaction of the change they record (they refuse to run outside one), so
the change and its record commit or roll back together.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from portal import tallies

from .actions import AuditAction
from .models import SYSTEM_ROLE, AuditEvent

# Changes no campaign-wide figure counts (``portal.tallies``): an applicant's sections and files
# (the most frequent writes of a deadline rush: they change no state, unit, level, kind or
# specialty) and rendered files.  Every other change of an application marks its campaign's
# figures as changed.
UNTALLIED = frozenset({
    AuditAction.SECTION_SAVED, AuditAction.SECTION_DRAFT_SAVED, AuditAction.SECTION_ROW_DELETED,
    AuditAction.PROFILE_SECTION_SAVED, AuditAction.ATTACHMENT_UPLOADED, AuditAction.ATTACHMENT_DELETED,
    AuditAction.MASKING_ANSWERED, AuditAction.DOCUMENT_REQUESTED, AuditAction.DOCUMENT_RENDERED,
})


def _json_value(value):
    """What a field value is in the log: JSON-ready, files by name, related rows by id."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


# Never copied into the log (a password hash is a secret even hashed).
SECRET_FIELDS = {"password"}


def field_values(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """``{field: value}`` of ``obj``'s concrete fields (or of ``fields``), JSON-ready; foreign
    keys by id; secrets left out."""
    wanted = set(fields) if fields is not None else None
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        if wanted is not None and field.name not in wanted and field.attname not in wanted:
            continue
        values[field.name] = _json_value(getattr(obj, field.attname))
    return values


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only what differs: ``(before, after)`` restricted to the keys whose values changed."""
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys if k in before}, {k: after.get(k) for k in keys if k in after}


def _application_model():
    # The FK's target, not an import: applications sits above this app.
    return AuditEvent._meta.get_field("application").related_model


def _application_of(obj: models.Model | None):
    """The application an object belongs to: itself, or its ``application`` (the loaded row when
    cached, else its id), or ``None``."""
    if obj is None:
        return None
    if obj._meta.label == "applications.Application":
        return obj
    cached = obj._state.fields_cache.get("application")
    return cached if cached is not None else getattr(obj, "application_id", None)


def _given_by_id(applications) -> set[int]:
    return {a for a in applications if a is not None and not isinstance(a, models.Model)}


def _applications_read(application_ids: set[int]) -> dict[int, tuple[int, int]]:
    """``{pk: (applicant_id, campaign_id)}`` of applications given by id: one query, for the
    person an event concerns and the campaign it marks as changed."""
    if not application_ids:
        return {}
    return {pk: (applicant, campaign) for pk, applicant, campaign in _application_model().objects
            .filter(pk__in=application_ids).values_list("pk", "applicant_id", "campaign_id")}


def _event(*, action: str, actor, obj: models.Model | None, application, person,
           before: dict | None, after: dict | None) -> AuditEvent:
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}: add it to portal.audit.actions.AuditAction")
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor=actor if authenticated else None,
        actor_role=(getattr(actor, "role", "") or SYSTEM_ROLE) if authenticated else SYSTEM_ROLE,
        action=action,
        object_type=ContentType.objects.get_for_model(obj, for_concrete_model=False) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        application_id=getattr(application, "pk", application),
        person_id=getattr(person, "pk", person),
        before=_json_value(before or {}), after=_json_value(after or {}),
    )


def _campaign_of(obj) -> int | None:
    """The campaign a changed object belongs to, when it says so itself (a fee batch, a defense
    session, the results' publicity; the campaign itself, its fee rules edited in the admin)."""
    if obj is None:
        return None
    if obj._meta.label == "applications.Campaign":
        return obj.pk
    return getattr(obj, "campaign_id", None)


def _mark_tallies(action: str, applications: list, objects: list, read: dict) -> None:
    """Tell ``portal.tallies`` which campaigns this change touched (after the commit): from the
    objects, the loaded applications and those ``read`` by id (``_applications_read``)."""
    if action in UNTALLIED:
        return
    campaigns = {a.campaign_id if isinstance(a, models.Model) else read[a][1] for a in applications
                 if a is not None and (isinstance(a, models.Model) or a in read)}
    campaigns |= {pk for pk in map(_campaign_of, objects) if pk is not None}
    if campaigns:
        tallies.changed(campaigns)


def _in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")


def audit_record(*, action: str, actor=None, obj: models.Model | None = None, application=None, person=None,
                 before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Write one audit event.  ``actor`` ``None`` (or anonymous) is the system.  ``application``
    defaults to ``obj`` (an application) or ``obj.application``; ``person`` to that application's
    applicant.  Users and applications may be given as rows or ids."""
    _in_transaction()
    if application is None:
        application = _application_of(obj)
    # An application given by id is read once, and only when its person or campaign is needed.
    read = _applications_read(_given_by_id([application]) if person is None or action not in UNTALLIED else set())
    if person is None and application is not None:
        person = (application.applicant_id if isinstance(application, models.Model)
                  else read.get(application, (None, None))[0])
    event = _event(action=action, actor=actor, obj=obj, application=application, person=person,
                   before=before, after=after)
    event.save()
    _mark_tallies(action, [application], [obj], read)
    return event


def audit_record_many(*, action: str, actor=None, objects: Iterable[models.Model], after_of=None) -> list[AuditEvent]:
    """One event per object of a batch (two queries whatever its size); ``after_of(obj)`` gives
    each event's ``after`` (default: the object's fields)."""
    _in_transaction()
    objects = list(objects)
    describe = after_of or field_values
    applications = [_application_of(obj) for obj in objects]
    read = _applications_read(_given_by_id(applications))
    events = []
    for obj, application in zip(objects, applications, strict=True):
        person = (application.applicant_id if isinstance(application, models.Model)
                  else read.get(application, (None, None))[0])
        events.append(_event(action=action, actor=actor, obj=obj, application=application, person=person,
                             before=None, after=describe(obj)))
    _mark_tallies(action, applications, objects, read)
    return AuditEvent.objects.bulk_create(events)
