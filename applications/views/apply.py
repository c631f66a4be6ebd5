"""The applicant's application: start one, fill its sections, check it, preview it.  Submitting and
withdrawing go through the one door: ``review.views.applicant``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.models import Role
from portal.fonts import name_warning
from portal.errors import Refused, answers_json

from .. import rules, services
from ..access_log import access_label
from ..checklist import ROW_SLOTS, build_checklist
from ..enums import Section
from ..forms import MAX_ROWS, SPECS, SectionEditor, json_to_raw, raw_from_post
from ..forms.application import NewApplicationForm
from ..forms.presenter import present_section, row_titles
from ..models import Campaign
from ..ocr import ocr_available
from ..selectors import latest_return, return_notes_by_section
from ..states import EDITABLE, State
from .common import own_application, section_url, time_left


def _open_campaigns():
    today = timezone.localdate()
    return [c for c in Campaign.objects.select_related("committee").order_by("-online_end")
            if any(c.submission_window(k).start <= today <= c.submission_window(k).end for k in c.kinds or ["review"])]


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request):
    if request.user.role != Role.APPLICANT:
        raise Http404
    campaigns = _open_campaigns()
    code = request.GET.get("campaign") or request.POST.get("campaign")
    campaign = next((c for c in campaigns if c.code == code), None)
    if campaign is None and len(campaigns) == 1:
        campaign = campaigns[0]
    form = None
    if campaign is not None:
        form = NewApplicationForm(request.POST or None, campaign=campaign)
        if request.method == "POST" and form.is_valid():
            try:
                application = services.application_create(applicant=request.user, campaign=campaign,
                                                          **form.cleaned_data)
            except Refused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("申报已创建。个人档案中已有的内容已自动带入，请逐栏核对、补充。"))
                return redirect("applications:overview", application.code)
    return render(request, "applications/new.html", {"campaigns": campaigns, "campaign": campaign, "form": form})


def _return_context(application):
    if application.state != State.RETURNED and not application.return_deadline:
        return {}
    change = latest_return(application)
    return {"returned": change, "time_left": time_left(application.return_deadline),
            "notes": return_notes_by_section(application, change) if change else {}}


@login_required
def application_overview(request, code):
    application = own_application(request.user, code)
    checklist = build_checklist(application)
    context = {
        "application": application, "checklist": checklist, "editable": application.state in EDITABLE,
        "fee": rules.fee_for(application.campaign, application.level, application.kind),
        "window": application.campaign.submission_window(application.kind),
        "history": application.history.order_by("-created_at", "-id")[:10],
        "viewed_by": [(access_label(e), e) for e in application.access_events.order_by("-created_at", "-id")[:50]],
        **_return_context(application),
    }
    return render(request, "applications/overview.html", context)


def _section_hint(application, key) -> str:
    """What the campaign asks of this section, in the notice's numbers."""
    campaign = application.campaign
    if key == Section.EVALUATIONS and campaign.evaluation_years and application.kind != "initial":
        return _("本次申报需要%s年度的考核结果，每年一行。") % "、".join(map(str, sorted(campaign.evaluation_years)))
    if key == Section.CE:
        rules_ = [r for r in campaign.ce_rules.all() if r.level_id == application.level_id and not r.unit_natures
                  and (not r.kinds or application.kind in r.kinds)]
        if rules_:
            rule = rules_[0]
            return _("公需科目：%(py)s 年，每年%(ph)d学时；专业科目：%(ky)s 年，每年%(kh)d学时。每张合格证书填一行。") % {
                "py": "、".join(map(str, rule.public_years)) or "无", "ph": rule.public_hours,
                "ky": "、".join(map(str, rule.professional_years)) or "无", "kh": rule.professional_hours}
    if key == Section.WORK_HISTORY:
        return _("从参加工作起按时间顺序填写，上下衔接：下一段的起始日期为上一段结束日期的次日；目前的工作结束日期留空（至今）。")
    if key == Section.EDUCATION:
        return _("按从低到高的顺序填写（如：中专、大专、本科）。")
    return ""


def _section_context(request, application, key, editor, checklist, *, show_errors):
    status = checklist.section(key)
    notes = _return_context(application).get("notes", {})
    rows = status.rows if status else []
    return {
        "application": application, "key": key, "label": Section(key).label, "editor": editor,
        "status": status, "checklist": checklist, "show_errors": show_errors,
        "editable": application.state in EDITABLE, "row_titles": row_titles(key, rows),
        "row_slots": ROW_SLOTS, "notes": notes.get(key, []),
        "section_keys": [s.key for s in checklist.sections], "ocr_available": ocr_available(),
        "draft_saved_at": None, "hint": _section_hint(application, key),
        "commitment_text": application.campaign.commitment_text if key == Section.COMMITMENT else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, code, key):
    application = own_application(request.user, code)
    checklist = build_checklist(application)
    if key not in {s.key for s in checklist.sections}:
        raise Http404
    section = application.sections.filter(key=key).first()
    editor = None
    show_errors = request.GET.get("check") == "1"
    if request.method == "POST":
        if key not in SPECS:
            raise Http404
        raw = raw_from_post(key, request.POST)
        try:
            if "_delete_row" in request.POST:
                index = request.POST["_delete_row"]
                if not (index.isascii() and index.isdecimal() and len(index) <= 3 and int(index) < MAX_ROWS):
                    raise Http404
                section, editor = services.section_delete_row(application=application, key=key, raw=raw,
                                                              index=int(index))
                messages.info(request, _("已删除该行。"))
                return redirect(section_url(application, key))
            section, editor = services.section_save(application=application, key=key, raw=raw)
        except Refused as refused:
            # Back to the overview, which says what the application's state allows.
            messages.error(request, refused.message)
            return redirect("applications:overview", application.code)
        if section.is_complete:
            messages.success(request, _("“%s”已保存。") % Section(key).label)
            keys = [s.key for s in checklist.sections]
            if "_next" in request.POST and keys.index(key) + 1 < len(keys):
                return redirect(section_url(application, keys[keys.index(key) + 1]))
            return redirect(section_url(application, key))
        messages.error(request, _("已保存草稿，但还有%d处需要修改，见下方红字。") % len(section.errors.get("messages", [])))
        checklist = build_checklist(application)
        show_errors = True
    elif key in SPECS:
        raw = section.draft if section and section.draft else json_to_raw(key, section.data if section else {})
        editor = SectionEditor(key, context=services.section_context(application), raw=raw)
        if not show_errors:
            editor.hide_errors()
    context = _section_context(request, application, key, editor, checklist, show_errors=show_errors)
    context["draft_saved_at"] = section.updated_at if section else None
    if key == Section.BASIC:
        # A character no print font has would be an empty box on the review form (issue 13 item 9).
        context["name_warning"] = name_warning(request.user.real_name)
    # The same number the autosave answers with (``stamp``): the browser compares versions, not clocks.
    context["saved_stamp"] = section.updated_at.timestamp() if section else 0
    return render(request, "applications/section.html", context, status=200)


@answers_json
@login_required
@require_POST
def section_autosave(request, code, key):
    application = own_application(request.user, code)
    if key not in SPECS:
        raise Http404
    # A refusal (the application was submitted meanwhile) is answered as JSON by portal.errors.
    section = services.section_autosave(application=application, key=key, raw=raw_from_post(key, request.POST))
    return JsonResponse({"ok": True, "saved_at": timezone.localtime(section.updated_at).strftime("%H:%M:%S"),
                         "stamp": section.updated_at.timestamp(), "complete": section.is_complete})


@login_required
def application_checklist(request, code):
    application = own_application(request.user, code)
    checklist = build_checklist(application)
    commitment = checklist.section(Section.COMMITMENT)
    return render(request, "applications/checklist.html", {
        "application": application, "checklist": checklist, "problems": checklist.problems,
        "editable": application.state in EDITABLE, "commitment": commitment,
        "commitment_text": application.campaign.commitment_text,
        "window": application.campaign.submission_window(application.kind),
        **_return_context(application),
    })


@login_required
def application_preview(request, code):
    application = own_application(request.user, code)
    checklist = build_checklist(application)
    sections = {s.key: s for s in application.sections.all()}
    blocks = []
    for status in checklist.sections:
        row = sections.get(status.key)
        data = row.data if row and row.is_complete else {}
        blocks.append({"status": status, "present": present_section(status.key, data),
                       "attachments": [a for m in status.materials for a in m.attachments]})
    return render(request, "applications/preview.html", {"application": application, "blocks": blocks,
                                                         "checklist": checklist})
