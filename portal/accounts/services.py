"""Writes of the accounts app: registration and the one-time password-reset link.

Registration answers the same whether or not the ID number is registered (issue 13: it told a
stranger which numbers were); the reset link is issued by the applicant's unit officer or an
administrator, never requested by the public, so no public page takes an ID number to reset.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import Role, User

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
            User.objects.create_user(username=id_number, password=password, real_name=real_name,
                                     id_number=id_number, phone=phone, role=Role.APPLICANT)
    except IntegrityError:  # registered by a concurrent request
        return False
    return True


# --- One-time password-reset links ---------------------------------------------------------

def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN)


def can_issue_reset_links(user) -> bool:
    """Unit officers (for their applicants) and administrators (for anyone)."""
    return is_administrator(user) or (user.is_authenticated and user.role == Role.UNIT_OFFICER
                                      and user.unit_id is not None)


def reset_targets_for(actor):
    """Whose password ``actor`` may reset: an officer, the applicants with an application in the
    officer's unit; an administrator, every active user.  Officers reset through an administrator."""
    from applications.models import Application  # applications depends on accounts, not the reverse

    users = User.objects.filter(is_active=True)
    if is_administrator(actor):
        return users
    if can_issue_reset_links(actor):
        in_unit = Application.objects.filter(unit_id=actor.unit_id).values("applicant_id")
        return users.filter(role=Role.APPLICANT, pk__in=in_unit)
    return users.none()


def reset_target_find(*, actor, text: str) -> User | None:
    """The user named by an ID number or login name, if ``actor`` may reset them: ``None`` for an
    unknown person and for one outside the actor's scope alike."""
    text = (text or "").strip()
    if not text:
        return None
    candidates = reset_targets_for(actor).filter(Q(username=text) | Q(id_number=text.upper()))
    return candidates.first()


@dataclass(frozen=True)
class ResetLink:
    user: User
    url: str
    expires_at: dt.datetime
    emailed_to: str


def password_reset_link_issue(*, actor, target: User, send_by_email: bool) -> ResetLink:
    """A link that sets a new password once: Django's token covers the password hash, so it stops
    working when the password changes, and it expires after ``PASSWORD_RESET_TIMEOUT``."""
    if reset_target_find(actor=actor, text=target.username) is None:
        raise PermissionDenied(_("您不能为该用户重置密码。"))
    token = default_token_generator.make_token(target)
    path = reverse("accounts:password_reset_confirm",
                   kwargs={"uidb64": urlsafe_base64_encode(force_bytes(target.pk)), "token": token})
    link = ResetLink(user=target, url=f"{settings.PORTAL_BASE_URL}{path}",
                     expires_at=timezone.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
                     emailed_to=target.email if send_by_email and target.email else "")
    # Until the audit app exists, the log is the record of who issued a link for whom.
    logger.info("password reset link issued by user %s for user %s", actor.pk, target.pk)
    if link.emailed_to:
        send_mail(
            _("巴州职称申报评审平台：重设密码"),
            _("%(name)s：\n\n请在 %(expires)s 前打开以下链接设置新密码（仅能使用一次）：\n%(url)s\n\n"
              "如非本人申请，请忽略本邮件并告知所在单位人事部门。") % {
                "name": target.real_name or target.username, "url": link.url,
                "expires": timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")},
            None, [link.emailed_to],
        )
    return link
