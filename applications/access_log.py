"""Writing the 查阅记录 (``AccessEvent``): one call per request, one query whatever the number of
applications.  Only staff opens are recorded (officers, clerks, administrators, and any other
non-applicant role); an applicant opening their own application is not."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from portal.accounts.models import Role

from .models import AccessEvent, AccessWhat

__all__ = ["AccessWhat", "access_record", "access_record_many", "access_label"]


def _recorded(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.pk
                and (user.is_superuser or user.role != Role.APPLICANT))


def access_record_many(*, user, application_ids: Iterable[int], what: str, detail: str = "") -> int:
    """Record that ``user`` opened ``what`` for each application (one bulk insert); returns the rows."""
    if not _recorded(user):
        return 0
    role = Role.ADMIN if user.is_superuser and user.role == Role.APPLICANT else user.role
    rows = [AccessEvent(application_id=pk, actor_id=user.pk, role=role, scope_label=user.scope_label[:200],
                        what=what, detail=detail[:120]) for pk in dict.fromkeys(application_ids)]
    AccessEvent.objects.bulk_create(rows)
    return len(rows)


def access_record(request_or_user, *, application, what: str, detail: str = "") -> None:
    user = getattr(request_or_user, "user", request_or_user)
    access_record_many(user=user, application_ids=[application.pk], what=what, detail=detail)


def access_label(event: AccessEvent) -> str:
    """What the applicant reads: the role and the unit or committee, never the person."""
    try:
        role = str(Role(event.role).label)
    except ValueError:
        role = _("评审专家") if event.role == "expert" else event.role
    return f"{role}（{event.scope_label}）" if event.scope_label else role
