"""个人档案: the sections that do not change between applications, pre-filling each new one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.accounts.models import Role
from portal.fonts import name_warning

from .. import services
from ..enums import Section
from ..forms import SectionContext, SectionEditor, json_to_raw, raw_from_post
from ..forms.presenter import present_section
from ..models import ProfileSection
from ..sections import PROFILE_SECTIONS


def _applicant(request):
    if request.user.role != Role.APPLICANT:
        raise Http404


@login_required
def profile(request):
    _applicant(request)
    saved = {p.key: p for p in ProfileSection.objects.filter(user=request.user)}
    blocks = [{"key": key, "label": Section(key).label, "saved": saved.get(key),
               "present": present_section(key, saved[key].data) if key in saved else None}
              for key in PROFILE_SECTIONS]
    return render(request, "applications/profile.html", {"blocks": blocks})


@login_required
@require_http_methods(["GET", "POST"])
def profile_section(request, key):
    _applicant(request)
    if key not in PROFILE_SECTIONS:
        raise Http404
    context = SectionContext(user=request.user)
    if request.method == "POST":
        saved, editor = services.profile_section_save(user=request.user, key=key, raw=raw_from_post(key, request.POST))
        if saved is not None:
            messages.success(request, _("个人档案“%s”已保存，今后新建申报时自动带入。") % Section(key).label)
            return redirect("applications:profile")
        messages.error(request, _("还有需要修改的地方，见下方红字。"))
        show_errors = True
    else:
        saved = ProfileSection.objects.filter(user=request.user, key=key).first()
        editor = SectionEditor(key, context=context, raw=json_to_raw(key, saved.data if saved else {}))
        editor.hide_errors()
        show_errors = False
    stored = ProfileSection.objects.filter(user=request.user, key=key).values_list("updated_at", flat=True).first()
    return render(request, "applications/profile_section.html", {
        "key": key, "label": Section(key).label, "editor": editor, "show_errors": show_errors,
        "name_warning": name_warning(request.user.real_name) if key == Section.BASIC else "",
        "saved_stamp": stored.timestamp() if stored else 0})
