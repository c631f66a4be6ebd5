"""Writes of accounts: registration of an applicant (one transaction, one audit event)."""

from __future__ import annotations

from django.db import transaction

from portal.audit.actions import AuditAction
from portal.audit.services import audit_record

from .models import Role, User


@transaction.atomic
def applicant_register(*, real_name: str, id_number: str, phone: str, password: str) -> User:
    """An applicant's account: the login is the ID number (already validated by the form)."""
    user = User.objects.create_user(username=id_number, password=password, real_name=real_name,
                                    id_number=id_number, phone=phone, role=Role.APPLICANT)
    audit_record(action=AuditAction.ACCOUNT_REGISTERED, actor=user, obj=user, person=user,
                 after={"username": user.username, "real_name": real_name, "role": user.role})
    return user
