"""Electronic certificates (电子证书): numbering, what they state, how they are shown in public.

Numbers read ``BZ{year}-{committee:03d}-{sequence:05d}`` (``BZ2026-003-00012``): the year of
the campaign, the committee, and the order of issue within both, allocated under a lock on the
committee row so that two clerks issuing at once never share one.  The QR code points at
``/aftercare/c/<token>/``, a random 16-character token, so that scanning proves the printout is
genuine without letting anyone walk through the numbers.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Committee
from applications.selectors import listed_name
from review.documents.models import Document, DocumentKind, ScopeKind

from .models import Certificate


def normalise_number(text: str) -> str:
    """What people type (lower case, spaces, full-width dashes) → ``BZ2026-003-00012``."""
    text = (text or "").strip().upper().replace("－", "-").replace("—", "-").replace(" ", "")
    digits = re.sub(r"[^0-9]", "", text)
    if text.startswith("BZ") and len(digits) == 12:
        return f"BZ{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    return text


def normalise_token(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


def next_certificate_number(campaign) -> str:
    """Must run inside the transaction that saves the certificate."""
    assert transaction.get_connection().in_atomic_block, "allocate numbers inside the saving transaction"
    Committee.objects.select_for_update().filter(pk=campaign.committee_id).exists()
    prefix = f"BZ{campaign.year}-{campaign.committee_id:03d}-"
    last = (Certificate.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def certificate_series(certificate_id: int) -> str:
    return f"certificate:{certificate_id}"


def certificate_create(application, decision, *, actor, now: dt.datetime) -> Certificate:
    """The certificate row of a passed application, and its file to render (a pending
    ``Document``); what it states is copied now."""
    campaign = application.campaign
    applicant = application.applicant
    snapshot = application.snapshot or {}
    certificate = Certificate.objects.create(
        application=application, campaign=campaign, number=next_certificate_number(campaign),
        holder_name=listed_name(application), id_number=(applicant.id_number or "").upper(),
        gender=snapshot.get("gender") or "", series=application.specialty.series.name,
        specialty=application.specialty.name, level=application.level.name, title=application.title_applied_for,
        kind=application.get_kind_display(), committee=campaign.committee.name,
        meeting_date=decision.meeting_date, issued_on=timezone.localdate(now), issued_by=actor,
    )
    certificate.document = Document.objects.create(
        kind=DocumentKind.CERTIFICATE, series_key=certificate_series(certificate.pk), version=1,
        application=application, campaign=campaign, scope_kind=ScopeKind.APPLICATION, scope_id=application.pk,
        requested_by=actor if getattr(actor, "pk", None) else None)
    certificate.save(update_fields=["document"])
    return certificate


def mask_id_number(id_number: str) -> str:
    """``652801199001011232`` → ``6528**********1232``: region and check digits only."""
    value = id_number or ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(name: str) -> str:
    """张建华 → 张*华, 李明 → 李*, 阿依古丽·买买提 → 阿******提."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verify_path(certificate) -> str:
    return reverse("aftercare:certificate_qr", args=[certificate.token])


def verify_url(certificate) -> str:
    """The address printed in the QR code (the public site, not the page that rendered it)."""
    return settings.PORTAL_BASE_URL + verify_path(certificate)


def day_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
