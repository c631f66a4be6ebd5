"""Scans streamed after the scope check; never a public URL.

``attachment`` (``/review/attachments/<id>/``) is the reviewers' door; ``attachment_file``
(``/files/<uid>/<variant>/``, in the applicant's namespace) serves every variant of a scan to
whoever may see it: the applicant and in-scope unit / county officers (and administrators) the
original; the committee clerk only what reviewers may see (``Attachment.reviewer_file``: the
masked copy, or the original of an image answered "no name on it"); everyone else 404, whether
the file exists or not.
"""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from applications.models import Attachment
from portal.accounts.models import Role

from ..display import blind_may_open
from ..selectors import applications_visible_to, is_blind
from .common import application_for

VARIANTS = ("original", "thumb", "masked", "review")


@login_required
def attachment(request, pk: int):
    """Stream one scan after the scope check.  Committee clerks get the masked copy, and nothing
    (404) for a scan they may not see; ``?thumb=1`` asks for the thumbnail (not for them: it is
    cut from the unmasked original)."""
    user = request.user
    attachment = Attachment.objects.select_related("application").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    application_for(user, attachment.application_id)
    if is_blind(user):
        if not blind_may_open(attachment):
            raise Http404
        file = attachment.reviewer_file
    elif request.GET.get("thumb") and attachment.thumbnail:
        file = attachment.thumbnail
    else:
        file = attachment.file
    if not file:
        raise Http404
    content_type = "application/pdf" if file.name.endswith(".pdf") else "image/jpeg"
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_for(user, attachment: Attachment, variant: str):
    if user.role == Role.COMMITTEE_CLERK and not user.is_superuser:
        # Committee side: masked copies only, never the applicant's original of a named page.
        # A PDF never goes as uploaded (text layer, metadata): only its rasterised masked copy.
        if variant in ("thumb", "original") and attachment.needs_masking is False and not attachment.is_pdf:
            return attachment.thumbnail if variant == "thumb" else attachment.file
        if variant in ("review", "masked"):
            if attachment.needs_masking is None:
                return None
            return attachment.reviewer_file
        return None
    if variant == "review":
        return attachment.reviewer_file if attachment.needs_masking is not None else attachment.file
    return {"original": attachment.file, "thumb": attachment.thumbnail, "masked": attachment.masked}[variant]


@login_required
@require_GET
def attachment_file(request, uid, variant):
    if variant not in VARIANTS:
        raise Http404
    attachment = get_object_or_404(
        Attachment.objects.select_related("application"),
        uid=uid, application__in=applications_visible_to(request.user))
    field = _file_for(request.user, attachment, variant)
    if not field:
        raise Http404
    handle = field.open("rb")
    content_type = attachment.content_type if variant == "original" else (
        mimetypes.guess_type(field.name)[0] or "image/jpeg")
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{attachment.slot}-{variant}{_ext(field.name)}"'
    return response


def _ext(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""
