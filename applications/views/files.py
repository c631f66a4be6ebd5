"""Scans: upload, delete, stream through the scope check, and the masking (信息遮盖) pages.

Who gets which file (``attachment_file``): the applicant and in-scope unit / county officers
(and administrators) the original; the committee clerk only what reviewers may see
(``Attachment.reviewer_file``: the masked copy, or the original of an image answered "no name on
it"); everyone else 404, whether the file exists or not.
"""

from __future__ import annotations

import json
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.models import Role
from review.selectors import applications_visible_to
from review.states import EDITABLE

from .. import services
from ..checklist import build_checklist
from ..models import Attachment
from ..ocr import ocr_available
from .common import own_application, section_url, wants_json

VARIANTS = ("original", "thumb", "masked", "review")


def _file_for(user, attachment: Attachment, variant: str):
    if user.role == Role.COMMITTEE_CLERK and not user.is_superuser:
        # Committee side: masked copies only, never the applicant's original of a named page.
        if variant in ("thumb", "original") and attachment.needs_masking is False:
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
    back = section_url(application, request.POST.get("section") or "basic") if request.POST.get("section") else \
        reverse("applications:overview", args=[application.code])
    try:
        if upload is None:
            raise services.ApplicationRefused(_("请选择要上传的文件。"))
        attachment = services.attachment_upload(application=application, upload=upload, slot=slot,
                                                row=_row(request.POST.get("row")))
    except (services.ApplicationRefused, services.UploadRefused) as refused:
        if wants_json(request):
            return JsonResponse({"ok": False, "message": refused.message,
                                 "code": getattr(refused, "code", "refused")}, status=400)
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
    except services.ApplicationRefused as refused:
        if wants_json(request):
            return JsonResponse({"ok": False, "message": refused.message}, status=409)
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
    images = [a for a in checklist.attachments if a.is_image]
    return render(request, "applications/masking_index.html", {
        "application": application, "images": images, "names": names, "ocr_available": ocr_available(),
        "unanswered": sum(1 for a in images if not a.masking_answered), "editable": application.state in EDITABLE,
    })


def _next_unanswered(application, after: Attachment | None):
    images = [a for a in application.attachments.all() if a.is_image and not a.masking_answered]
    return next((a for a in images if after is None or a.pk != after.pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def masking_edit(request, code, uid):
    application = own_application(request.user, code)
    attachment = get_object_or_404(application.attachments, uid=uid)
    if not attachment.is_image:
        raise Http404
    if request.method == "POST":
        answer = request.POST.get("needs_masking")
        try:
            if answer not in ("1", "0"):
                raise services.MaskingRefused(_("请回答“这张图片上有没有本人姓名”：选择“是”或“否”。"))
            boxes = json.loads(request.POST.get("boxes") or "[]")
            services.attachment_set_masking(attachment=attachment, needs_masking=answer == "1", boxes=boxes)
        except json.JSONDecodeError:
            messages.error(request, _("遮盖区域格式不正确，请重新框选。"))
        except services.ApplicationRefused as refused:
            if wants_json(request):
                return JsonResponse({"ok": False, "message": refused.message}, status=400)
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
    checklist = build_checklist(application)
    names = _material_names(checklist)
    return render(request, "applications/masking_edit.html", {
        "application": application, "a": attachment, "name": names.get(attachment.slot, attachment.slot),
        "ocr_available": ocr_available(), "editable": application.state in EDITABLE,
        "status_json": _status(attachment), "unanswered": sum(
            1 for a in checklist.attachments if a.is_image and not a.masking_answered),
    })


def _status(attachment: Attachment) -> dict:
    return {"ocr_status": attachment.ocr_status, "ocr_hits": attachment.ocr_hits,
            "mask_check_status": attachment.mask_check_status, "mask_check": attachment.mask_check,
            "needs_masking": attachment.needs_masking, "boxes": attachment.mask_boxes,
            "answered": attachment.masking_answered}


@login_required
@require_GET
def masking_status(request, code, uid):
    application = own_application(request.user, code)
    attachment = get_object_or_404(application.attachments, uid=uid)
    return JsonResponse(_status(attachment))
