"""Scans: upload and delete, and the masking (信息遮盖) pages.

The files themselves are streamed by ``review.views.files`` (same addresses, ``/files/…``): who
may read which variant of a scan is the review chain's scope rule.  A refusal made to the page's
script is answered as JSON by ``portal.errors``; a form posted by the browser goes back to its
page with the message on top.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.errors import Refused

from .. import services
from ..checklist import build_checklist
from ..enums import Section
from ..mask_input import parse_boxes
from ..models import Attachment
from ..ocr import ocr_available
from ..processing import ensure_processed
from ..states import EDITABLE
from .common import own_application, section_url, wants_json


def _row(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@login_required
@require_POST
def attachment_upload(request, code):
    application = own_application(request.user, code)
    upload = request.FILES.get("file")
    slot = request.POST.get("slot", "")
    section = request.POST.get("section", "")
    back = section_url(application, section) if section in Section.values else \
        reverse("applications:overview", args=[application.code])
    try:
        if upload is None:
            raise services.ApplicationRefused(_("请选择要上传的文件。"))
        attachment = services.attachment_upload(application=application, upload=upload, slot=slot,
                                                row=_row(request.POST.get("row")))
    except Refused as refused:
        if wants_json(request):
            raise
        messages.error(request, refused.message)
        return redirect(back)
    if wants_json(request):
        html = render_to_string("applications/_attachment.html",
                                {"a": attachment, "application": application, "editable": True}, request=request)
        return JsonResponse({"ok": True, "id": str(attachment.uid), "html": html,
                             "mask_url": reverse("applications:mask", args=[application.code, attachment.uid])})
    messages.success(request, _("已上传。"))
    return redirect(back)


@login_required
@require_POST
def attachment_delete(request, code, uid):
    application = own_application(request.user, code)
    attachment = get_object_or_404(application.attachments, uid=uid)
    section = attachment.section
    try:
        services.attachment_delete(attachment=attachment)
    except Refused as refused:
        if wants_json(request):
            raise
        messages.error(request, refused.message)
    else:
        if wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, _("已删除。"))
    return redirect(section_url(application, section))


def _material_names(checklist) -> dict[str, str]:
    return {m.material.code: m.material.name for s in checklist.sections for m in s.materials}


@login_required
def masking_index(request, code):
    application = own_application(request.user, code)
    checklist = build_checklist(application)
    names = _material_names(checklist)
    images = list(checklist.attachments)  # every scan, PDFs included: each is asked about
    return render(request, "applications/masking_index.html", {
        "application": application, "images": images, "names": names, "ocr_available": ocr_available(),
        "unanswered": sum(1 for a in images if not a.masking_answered), "editable": application.state in EDITABLE,
    })


def _next_unanswered(application, after: Attachment | None):
    images = [a for a in application.attachments.all() if not a.masking_answered]
    return next((a for a in images if after is None or a.pk != after.pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def masking_edit(request, code, uid):
    application = own_application(request.user, code)
    attachment = get_object_or_404(application.attachments, uid=uid)
    if request.method == "POST":
        answer = request.POST.get("needs_masking")
        try:
            if answer not in ("1", "0"):
                raise services.MaskingRefused(_("请回答“这张图片上有没有本人姓名”：选择“是”或“否”。"))
            boxes = parse_boxes(request.POST.get("boxes", "")) if answer == "1" else []
            services.attachment_set_masking(attachment=attachment, needs_masking=answer == "1", boxes=boxes)
        except Refused as refused:
            if wants_json(request):
                raise
            messages.error(request, refused.message)
        else:
            if wants_json(request):
                return JsonResponse({"ok": True, **_status(attachment)})
            messages.success(request, _("已保存遮盖设置。") if answer == "1" else _("已确认：此图片无需遮盖。"))
            following = _next_unanswered(application, attachment) if "_next" in request.POST else None
            if following is not None:
                return redirect("applications:mask", application.code, following.uid)
            return redirect("applications:mask", application.code, attachment.uid)
        return redirect("applications:mask", application.code, attachment.uid)
    if application.state in EDITABLE:
        # The boxes are drawn on the finished scan: if the worker has not got to it yet, now.
        attachment = ensure_processed(attachment)
    checklist = build_checklist(application)
    names = _material_names(checklist)
    return render(request, "applications/masking_edit.html", {
        "application": application, "a": attachment, "name": names.get(attachment.slot, attachment.slot),
        "ocr_available": ocr_available(), "editable": application.state in EDITABLE,
        "status_json": _status(attachment), "unanswered": sum(
            1 for a in checklist.attachments if not a.masking_answered),
        "pages": [{"number": n, "width": p["width"], "height": p["height"],
                   "url": reverse("applications:mask_page", args=[application.code, attachment.uid, n])}
                  for n, p in enumerate(attachment.pages)],
    })


def _status(attachment: Attachment) -> dict:
    return {"processing_status": attachment.processing_status,
            "ocr_status": attachment.ocr_status, "ocr_hits": attachment.ocr_hits,
            "mask_check_status": attachment.mask_check_status, "mask_check": attachment.mask_check,
            "needs_masking": attachment.needs_masking, "boxes": attachment.mask_boxes,
            "answered": attachment.masking_answered}


@login_required
@require_GET
def masking_status(request, code, uid):
    """The worker's progress on one scan, polled by the pages; ``?html=1`` adds the scan's list
    item as the section page shows it (thumbnail once processed)."""
    application = own_application(request.user, code)
    attachment = get_object_or_404(application.attachments, uid=uid)
    status = _status(attachment)
    if request.GET.get("html"):
        status["html"] = render_to_string("applications/_attachment.html", {
            "a": attachment, "application": application, "editable": application.state in EDITABLE},
            request=request)
    return JsonResponse(status)


@login_required
@require_GET
def masking_page(request, code, uid, number):
    """Page ``number`` (0-based) of the applicant's own PDF, rasterised, to draw mask boxes on."""
    application = own_application(request.user, code)
    attachment = get_object_or_404(application.attachments, uid=uid)
    if not 0 <= number < len(attachment.pages):
        raise Http404
    response = FileResponse(attachment.file.storage.open(attachment.pages[number]["name"], "rb"),
                            content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
