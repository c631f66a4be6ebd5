"""Writes of the accounts app: registration, the one-time password-reset link, releasing a login
lock and resetting a second factor — each in one transaction with its audit event.

Registration answers the same whether or not the ID number is registered (issue 13: it told a
stranger which numbers were); the reset link is issued by the applicant's unit officer or an
administrator, never requested by the public, so no public page takes an ID number to reset.
Which applicants a unit officer may reset is known only to ``applications`` (above this app): it
registers that scope with ``reset_scope_register`` in its ``AppConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.actions import AuditAction
from portal.audit.services import audit_record
from portal.dispatch import enqueue_on_commit
from portal.errors import Forbidden

from .lockout import release
from .models import Role, User
from .tasks import send_mail_task

logger = logging.getLogger(__name__)


def applicant_register(*, real_name: str, id_number: str, phone: str, password: str) -> bool:
    """Create the applicant unless the ID number is taken.  The caller shows the same answer
    either way; the return value is for the log only.  A taken number still costs one password
    hash, so the two answers also take the same time."""
    if User.objects.filter(Q(id_number=id_number) | Q(username=id_number)).exists():
        make_password(password)
        logger.info("registration for an ID number that is already registered (nothing changed)")
        return False
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=id_number, password=password, real_name=real_name,
                                            id_number=id_number, phone=phone, role=Role.APPLICANT)
            audit_record(action=AuditAction.ACCOUNT_REGISTERED, actor=user, obj=user, person=user,
                         after={"username": user.username, "real_name": real_name, "role": user.role})
    except IntegrityError:  # registered by a concurrent request
        return False
    return True


# --- Who may reset whose password --------------------------------------------------------------

UnitApplicants = Callable[[int], QuerySet]
_unit_applicants: UnitApplicants | None = None


def reset_scope_register(unit_applicants: UnitApplicants) -> None:
    """``unit_applicants(unit_id)``: the ids of the applicants with an application in that unit."""
    global _unit_applicants
    _unit_applicants = unit_applicants


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN)


def can_issue_reset_links(user) -> bool:
    """Unit officers (for their applicants) and administrators (for anyone)."""
    return is_administrator(user) or (user.is_authenticated and user.role == Role.UNIT_OFFICER
                                      and user.unit_id is not None)


def reset_targets_for(actor) -> QuerySet:
    """Whose password ``actor`` may reset: an officer, the applicants with an application in the
    officer's unit; an administrator, every active user.  Officers reset through an administrator."""
    users = User.objects.filter(is_active=True)
    if is_administrator(actor):
        return users
    if can_issue_reset_links(actor) and _unit_applicants is not None:
        return users.filter(role=Role.APPLICANT, pk__in=_unit_applicants(actor.unit_id))
    return users.none()


def reset_target_find(*, actor, text: str) -> User | None:
    """The user named by an ID number or login name, if ``actor`` may reset them: ``None`` for an
    unknown person and for one outside the actor's scope alike."""
    text = (text or "").strip()
    if not text:
        return None
    return reset_targets_for(actor).filter(Q(username=text) | Q(id_number=text.upper())).first()


@dataclass(frozen=True)
class ResetLink:
    user: User
    url: str
    expires_at: dt.datetime
    emailed_to: str


@transaction.atomic
def password_reset_link_issue(*, actor, target: User, send_by_email: bool) -> ResetLink:
    """A link that sets a new password once: Django's token covers the password hash, so it stops
    working when the password changes, and it expires after ``PASSWORD_RESET_TIMEOUT``.  The
    e-mail, where asked for, goes out from the worker after commit (queue ``mail``, retried)."""
    if reset_target_find(actor=actor, text=target.username) is None:
        raise Forbidden(_("您不能为该用户重置密码。"))
    token = default_token_generator.make_token(target)
    path = reverse("accounts:password_reset_confirm",
                   kwargs={"uidb64": urlsafe_base64_encode(force_bytes(target.pk)), "token": token})
    link = ResetLink(user=target, url=f"{settings.PORTAL_BASE_URL}{path}",
                     expires_at=timezone.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
                     emailed_to=target.email if send_by_email and target.email else "")
    audit_record(action=AuditAction.PASSWORD_RESET_LINK_ISSUED, actor=actor, obj=target, person=target,
                 after={"expires_at": link.expires_at.isoformat(), "emailed": bool(link.emailed_to)})
    if link.emailed_to:
        enqueue_on_commit(
            send_mail_task,
            subject=_("巴州职称申报评审平台：重设密码"),
            body=_("%(name)s：\n\n请在 %(expires)s 前打开以下链接设置新密码（仅能使用一次）：\n%(url)s\n\n"
                   "如非本人申请，请忽略本邮件并告知所在单位人事部门。") % {
                "name": target.real_name or target.username, "url": link.url,
                "expires": timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")},
            recipients=[link.emailed_to],
        )
    return link


@transaction.atomic
def password_reset_done(*, user: User) -> None:
    """The new password was set through a reset link (the form saved it in this transaction)."""
    audit_record(action=AuditAction.PASSWORD_RESET_DONE, actor=user, obj=user, person=user)


@transaction.atomic
def login_lock_release(*, actor, user: User) -> None:
    """An administrator releases a locked account (django-axes' attempts for that login)."""
    release(user.get_username())
    audit_record(action=AuditAction.LOGIN_LOCK_RELEASED, actor=actor, obj=user, person=user)


@transaction.atomic
def second_factor_reset(*, actor, user: User) -> None:
    """Lost phone: the user's TOTP and backup-code devices are removed; the next login enrols anew."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit_record(action=AuditAction.SECOND_FACTOR_RESET, actor=actor, obj=user, person=user,
                 before={"devices": removed})
