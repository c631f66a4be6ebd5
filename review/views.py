"""Pages of the review chain: queues, the application as a reviewer reads it, approve / return,
batch approval, history, notifications, and scans streamed after a scope check.

Views are thin: they parse, ask ``review.selectors`` what the user may see (404 for everything
else, existing or not), call the one door and turn its refusals into messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Attachment
from applications.uploads import UploadRefused
from portal.accounts.models import OFFICER_ROLES, Role

from . import permissions
from .changes import latest_round_changes
from .display import blind_may_open, sections_for
from .forms import QueueFilterForm, ReturnForm, ReturnNoteFormSet, PublicityForm, UnitApprovalForm, note_targets
from .models import Notification, UnitPublicity
from .selectors import (
    QueueFilters,
    applications_in_queue_of,
    applications_visible_to,
    history_for,
    is_blind,
    notifications_for,
    queue_for,
    redactor_for,
    return_notes_by_section,
)
from .services import (
    PUBLICITY_SLOTS,
    TransitionRefused,
    application_transition,
    applications_batch_approve,
    publicity_scans_attach,
)
from .states import State

PAGE_SIZE = 20
BATCH_ROLES = (Role.UNIT_OFFICER, Role.COUNTY_OFFICER)


def _officer_or_404(user) -> None:
    if not (user.role in OFFICER_ROLES or user.is_superuser):
        raise Http404


def _application_for(user, pk: int):
    """The application if ``user`` may open it, else 404 (missing and forbidden look alike)."""
    base = applications_in_queue_of(user) if user.role in OFFICER_ROLES else applications_visible_to(user)
    application = (base.select_related("campaign__committee", "unit__county", "unit__competent_unit",
                                       "specialty__series", "level", "applicant").filter(pk=pk).first())
    if application is None:
        raise Http404
    return application


# -- queue ----------------------------------------------------------------------------------------

@login_required
def queue(request):
    user = request.user
    _officer_or_404(user)
    base = applications_in_queue_of(user)
    form = QueueFilterForm(request.GET or None, user=user, base=base)
    filters = QueueFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = QueueFilters(campaign=d["campaign"].pk if d.get("campaign") else None,
                               specialty=d["specialty"].pk if d.get("specialty") else None,
                               level=d["level"].pk if d.get("level") else None,
                               unit=d["unit"].pk if d.get("unit") else None,
                               state=d.get("state") or "", q=d.get("q") or "")
    elif not form.is_bound:
        # A reviewer opens the queue to work: what waits for them comes first.
        own_state = permissions.REVIEW_STATE_OF_STEP.get(permissions.STEP_OF_ROLE.get(user.role, ""), "")
        filters = QueueFilters(state=own_state)
        form = QueueFilterForm(initial={"state": own_state}, user=user, base=base)
    rows, counts = queue_for(user, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    state_query = request.GET.copy()
    for key in ("page", "state"):
        state_query.pop(key, None)
    tabs = [{"state": s, "label": s.label, "count": counts.get(s.value, 0)} for s in State
            if counts.get(s.value)]
    batch_state = permissions.REVIEW_STATE_OF_STEP.get(permissions.STEP_OF_ROLE.get(user.role, ""))
    can_batch = user.role in BATCH_ROLES and filters.state == batch_state and page.paginator.count > 0
    context = {
        "form": form, "page": page, "tabs": tabs, "total": sum(counts.values()), "filters": filters,
        "blind": is_blind(user), "query": query.urlencode(), "state_query": state_query.urlencode(),
        "can_batch": can_batch, "batch_state": batch_state,
        "batch_form": PublicityForm(campaign=_batch_campaign(page)) if can_batch and user.role == Role.UNIT_OFFICER
        else None,
    }
    return render(request, "review/queue.html", context)


def _batch_campaign(page):
    """The publicity form needs a campaign's working-day rule; the page's first row gives it."""
    return page.object_list[0].campaign if page.object_list else None


@login_required
@require_POST
def batch_approve(request):
    user = request.user
    if user.role not in BATCH_ROLES:
        raise Http404
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    back = request.POST.get("next") or reverse("review:queue")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("review:queue")
    if not ids:
        messages.error(request, _("请先勾选要审核通过的申报。"))
        return redirect(back)
    # Only what the officer may see is touched; anything else is reported as not found.
    visible = {a.pk: a for a in applications_in_queue_of(user).filter(pk__in=ids).select_related("campaign")}
    expected = permissions.REVIEW_STATE_OF_STEP[permissions.STEP_OF_ROLE[user.role]]
    data = {}
    if user.role == Role.UNIT_OFFICER:
        campaigns = {a.campaign for a in visible.values()}
        form = PublicityForm(request.POST, request.FILES, campaign=next(iter(campaigns)) if campaigns else None,
                             has_scans={})
        if not campaigns or not form.is_valid():
            errors = [str(e) for errs in (form.errors.values() if campaigns else []) for e in errs]
            messages.error(request, _("批量审核未执行：%s") % ("；".join(errors) or _("请检查公示信息。")))
            return redirect(back)
        data["publicity"] = form.publicity_data()
        try:
            for application in visible.values():
                if application.state == expected:
                    publicity_scans_attach(application=application, files=form.files_by_slot())
        except UploadRefused as refusal:
            messages.error(request, _("批量审核未执行：%s") % refusal.message)
            return redirect(back)
    outcome = applications_batch_approve(application_ids=[i for i in ids if i in visible], actor=user,
                                         expected_state=expected, data=data)
    missing = [i for i in ids if i not in visible]
    if outcome.approved:
        messages.success(request, _("已审核通过%d份申报。") % len(outcome.approved))
    codes = {a.pk: a.code for a in visible.values()}
    for application_id, reason in outcome.refused:
        messages.error(request, _("申报 %(code)s 未通过：%(reason)s") % {"code": codes.get(application_id), "reason": reason})
    if missing:
        messages.error(request, _("有%d份申报不存在或不在您的审核范围内，未处理。") % len(missing))
    return redirect(back)


# -- one application ------------------------------------------------------------------------------

def _detail_context(request, application, *, approve_form=None, return_form=None, note_formset=None):
    user = request.user
    sections = sections_for(application, user)
    blind = is_blind(user)
    has_scans = {slot: any(s.attachment.slot == slot for v in sections for s in v.scans) for slot in PUBLICITY_SLOTS}
    can_approve = permissions.can_approve(user, application)
    can_return = permissions.can_return(user, application)
    if approve_form is None and can_approve:
        if application.state == State.UNIT_REVIEW:
            existing = UnitPublicity.objects.filter(application=application).first()
            initial = {"publicity_start": existing.start, "publicity_end": existing.end} if existing else {}
            approve_form = UnitApprovalForm(campaign=application.campaign, has_scans=has_scans, initial=initial)
    targets = note_targets(sections)
    if note_formset is None:
        note_formset = ReturnNoteFormSet(prefix="notes", form_kwargs={"targets": targets})
    redact = redactor_for(application, user)
    notes = return_notes_by_section(application) if application.state in (State.RETURNED, State.CLOSED) else {}
    return {
        "app": application, "blind": blind, "sections": sections,
        "applicant_label": application.code if blind else (application.snapshot.get("name")
                                                           or application.applicant.real_name),
        "can_approve": can_approve, "can_return": can_return, "approve_form": approve_form,
        "return_form": return_form or ReturnForm(), "note_formset": note_formset,
        "changes": latest_round_changes(application, user), "history": history_for(application, user),
        "publicity": UnitPublicity.objects.filter(application=application).first(),
        "return_deadline": application.return_deadline,
        "open_notes": {k: [redact(n.text) for n in v] for k, v in notes.items()},
        "step_label": _step_label(application.state),
    }


def _step_label(state: str) -> str:
    return {State.UNIT_REVIEW: _("推荐单位审核"), State.COUNTY_REVIEW: _("县（市）人社局／主管单位审核"),
            State.COMMITTEE_REVIEW: _("评审委员会形式审核")}.get(state, "")


@login_required
def application_detail(request, pk: int):
    user = request.user
    _officer_or_404(user)
    application = _application_for(user, pk)
    return render(request, "review/detail.html", _detail_context(request, application))


@login_required
def act(request, pk: int, action: str):
    """POST approve / return on one application; refusals re-show the page with what was typed."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    _officer_or_404(user)
    if action not in ("approve", "return"):
        raise Http404
    application = _application_for(user, pk)
    expected = request.POST.get("expected_state") or application.state
    data, comment = {}, ""
    forms = {}
    if action == "approve" and application.state == State.UNIT_REVIEW and permissions.can_approve(user, application):
        sections = sections_for(application, user)
        has_scans = {slot: any(s.attachment.slot == slot for v in sections for s in v.scans) for slot in PUBLICITY_SLOTS}
        form = UnitApprovalForm(request.POST, request.FILES, campaign=application.campaign, has_scans=has_scans)
        forms["approve_form"] = form
        if not form.is_valid():
            forms["approve_form"] = _keep_chosen_scans(request, application, form, has_scans)
            messages.error(request, _("请按提示修改后再提交。"))
            return render(request, "review/detail.html", _detail_context(request, application, **forms), status=400)
        try:
            publicity_scans_attach(application=application, files=form.files_by_slot())
        except UploadRefused as refusal:
            form.add_error(None, refusal.message)
            return render(request, "review/detail.html", _detail_context(request, application, **forms), status=400)
        data["publicity"] = form.publicity_data()
    elif action == "return":
        sections = sections_for(application, user)
        form = ReturnForm(request.POST)
        formset = ReturnNoteFormSet(request.POST, prefix="notes",
                                    form_kwargs={"targets": note_targets(sections)})
        forms.update(return_form=form, note_formset=formset)
        if not (form.is_valid() and formset.is_valid()):
            messages.error(request, _("请按提示修改后再提交。"))
            return render(request, "review/detail.html", _detail_context(request, application, **forms), status=400)
        comment = form.cleaned_data["reason"]
        data["notes"] = [n for n in (f.note() for f in formset.forms if f.cleaned_data) if n]
    else:
        comment = request.POST.get("comment", "")
    try:
        application = application_transition(application_id=application.pk, action=action, actor=user,
                                              comment=comment, expected_state=expected, data=data)
    except TransitionRefused as refusal:
        messages.error(request, refusal.message)
        application = _application_for(user, pk)
        return render(request, "review/detail.html", _detail_context(request, application, **forms), status=409)
    label = _subject(application, user)
    if action == "return":
        messages.success(request, _("已退回%(who)s：%(state)s。") % {"who": label, "state": application.get_state_display()})
    else:
        messages.success(request, _("已审核通过%(who)s，当前状态：%(state)s。")
                         % {"who": label, "state": application.get_state_display()})
    return redirect("review:queue")


def _keep_chosen_scans(request, application, form, has_scans: dict) -> UnitApprovalForm:
    """A refused approval (a date to correct) keeps the publicity scans the officer chose: a browser
    cannot put a chosen file back into the re-shown form, so they are stored now and the form says
    they are uploaded.  A scan the pipeline refuses gets its reason beside its field."""
    chosen = {slot: form.cleaned_data.get(name) for slot, name in
              (("publicity", "publicity_scan"), ("publicity_result", "publicity_result_scan"))}
    refusals = {}
    for slot, upload in chosen.items():
        if upload:
            try:
                publicity_scans_attach(application=application, files={slot: upload})
                has_scans = {**has_scans, slot: True}
            except UploadRefused as refusal:
                refusals[f"{slot}_scan"] = refusal.message
    kept = UnitApprovalForm(request.POST, campaign=application.campaign, has_scans=has_scans)
    kept.is_valid()
    for name, message in refusals.items():
        kept.add_error(name, message)
    return kept


def _subject(application, user) -> str:
    if is_blind(user):
        return _("申报 %s") % application.code
    return f"{application.snapshot.get('name') or application.applicant.real_name}（{application.code}）"


@login_required
def history(request, pk: int):
    """The history of one application: the applicant's own, or one in an officer's queue."""
    application = _application_for(request.user, pk)
    return render(request, "review/history.html", {
        "app": application, "history": history_for(application, request.user), "blind": is_blind(request.user),
        "applicant_label": application.code if is_blind(request.user) else application.applicant.real_name,
    })


@login_required
def attachment_file(request, pk: int):
    """Stream one scan after the scope check.  Committee clerks get the masked copy, and nothing
    (404) for a scan they may not see; ``?thumb=1`` asks for the thumbnail (not for them: it is
    cut from the unmasked original)."""
    user = request.user
    attachment = Attachment.objects.select_related("application").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    _application_for(user, attachment.application_id)
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


# -- notifications --------------------------------------------------------------------------------

@login_required
def notifications(request):
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("已全部标为已读。"))
        return redirect("review:notifications")
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/notifications.html", {
        "page": page, "unread": sum(1 for n in page.object_list if n.read_at is None),
        "officer": request.user.role in OFFICER_ROLES,
    })
