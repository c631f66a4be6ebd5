"""Scans streamed after the scope check; never a public URL.

Two doors, one rule: ``attachment`` (``/review/attachments/<id>/``, the reviewers' pages) and
``attachment_file`` (``/files/<uid>/<variant>/``, in the applicant's namespace) both serve what
``review.access.scan_file`` gives the user: the applicant and in-scope unit / county officers
(and administrators) every variant; the committee side only what a blind reviewer may see (the
masked copy, or the original of an image answered "no name on it"; never the photo or the
publicity scans); everyone else 404, whether the file exists or not.  Every scan served to staff
leaves an ``AccessEvent`` (查阅记录).
"""

from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from applications.access_log import AccessWhat, access_record
from applications.models import Attachment

from ..access import applications_visible_to, scan_file



def _stream(attachment: Attachment, field, variant: str) -> FileResponse:
    content_type = attachment.content_type if variant == "original" else (
        mimetypes.guess_type(field.name)[0] or "image/jpeg")
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # The slot, never the file name the applicant typed (it may be their name).
    response["Content-Disposition"] = f'inline; filename="{attachment.slot}-{variant}{_ext(field.name)}"'
    return response


def _visible_attachment(user, **lookup) -> Attachment:
    attachment = (Attachment.objects.select_related("application")
                  .filter(application__in=applications_visible_to(user), **lookup).first())
    if attachment is None:
        raise Http404
    return attachment


@login_required
@require_GET
def attachment(request, pk: int):
    """The reviewers' door: the scan as the reader may see it (``review.access.scan_file``);
    ``?thumb=1`` asks for the thumbnail."""
    attachment = _visible_attachment(request.user, pk=pk)
    variant = "thumb" if request.GET.get("thumb") else "review"
    field = scan_file(request.user, attachment, variant)
    if not field and variant == "thumb":  # no thumbnail the reader may have: the page itself
        variant = "review"
        field = scan_file(request.user, attachment, variant)
    if not field:
        raise Http404
    access_record(request, application=attachment.application, what=AccessWhat.SCAN, detail=attachment.slot)
    return _stream(attachment, field, variant)


@login_required
@require_GET
def attachment_file(request, uid, variant):
    """Every variant of a scan, by its UUID, under the same rule as ``attachment``."""
    attachment = _visible_attachment(request.user, uid=uid)
    field = scan_file(request.user, attachment, variant)
    if not field:
        raise Http404
    access_record(request, application=attachment.application, what=AccessWhat.SCAN, detail=attachment.slot)
    return _stream(attachment, field, variant)


def _ext(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""
