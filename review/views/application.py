"""One application as a reviewer reads it: sections, scans, changes since the last round,
history; approve (with the unit's publicity) and return (with notes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from applications.access_log import AccessWhat, access_record
from applications.selectors import return_notes_by_section
from applications.states import State
from portal.errors import Refused

from .. import permissions
from ..changes import latest_round_changes
from ..display import sections_for
from ..forms import CountyApprovalForm, ReturnForm, ReturnNoteFormSet, UnitApprovalForm, note_targets
from ..models import UnitPublicity
from ..selectors import history_for, is_blind, redactor_for
from ..services import PUBLICITY_SLOTS, application_transition, publicity_scans_attach, step_slots
from .common import application_for, officer_or_404

MAX_COMMENT_CHARS = 1000  # as the return reason (ReturnForm)


def _detail_context(request, application, *, approve_form=None, return_form=None, note_formset=None):
    user = request.user
    sections = sections_for(application, user)
    blind = is_blind(user)
    has_scans = {slot: any(s.attachment.slot == slot for v in sections for s in v.scans) for slot in PUBLICITY_SLOTS}
    can_approve = permissions.can_approve(user, application)
    can_return = permissions.can_return(user, application)
    publicity = UnitPublicity.objects.filter(application=application).first()
    if approve_form is None and can_approve:
        if application.state == State.UNIT_REVIEW:
            initial = {"publicity_start": publicity.start, "publicity_end": publicity.end} if publicity else {}
            approve_form = UnitApprovalForm(campaign=application.campaign, has_scans=has_scans, initial=initial)
        elif step_slots(application.campaign, application.state):
            approve_form = CountyApprovalForm(campaign=application.campaign, has_scans=has_scans)
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
        "publicity": publicity,
        "return_deadline": application.return_deadline,
        "review_window": application.campaign.review_window(application.kind),
        "open_notes": {k: [redact(n.text) for n in v] for k, v in notes.items()},
        "step_label": _step_label(application.state),
    }


def _step_label(state: str) -> str:
    return {State.UNIT_REVIEW: _("推荐单位审核"), State.COUNTY_REVIEW: _("县（市）人社局／主管单位审核"),
            State.COMMITTEE_REVIEW: _("评审委员会形式审核")}.get(state, "")


@login_required
def application_detail(request, pk: int):
    user = request.user
    officer_or_404(user)
    application = application_for(user, pk)
    access_record(request, application=application, what=AccessWhat.PAGE, detail="review")
    return render(request, "review/detail.html", _detail_context(request, application))


@login_required
def act(request, pk: int, action: str):
    """POST approve / return on one application; refusals re-show the page with what was typed."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    officer_or_404(user)
    if action not in ("approve", "return"):
        raise Http404
    application = application_for(user, pk)
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
            publicity_scans_attach(application=application, files=form.files_by_slot(), actor=user,
                                   expected_state=expected)
        except Refused as refusal:
            form.add_error(None, refusal.message)
            return render(request, "review/detail.html", _detail_context(request, application, **forms),
                          status=refusal.status)
        data["publicity"] = form.publicity_data()
    elif action == "approve" and step_slots(application.campaign, application.state) \
            and application.state == State.COUNTY_REVIEW and permissions.can_approve(user, application):
        # 003 / 004 五（三）: the competent unit's sealed recommendation comes with its approval.
        sections = sections_for(application, user)
        has_scans = {slot: any(s.attachment.slot == slot for v in sections for s in v.scans) for slot in PUBLICITY_SLOTS}
        form = CountyApprovalForm(request.POST, request.FILES, campaign=application.campaign, has_scans=has_scans)
        forms["approve_form"] = form
        if not form.is_valid():
            messages.error(request, _("请按提示修改后再提交。"))
            return render(request, "review/detail.html", _detail_context(request, application, **forms), status=400)
        try:
            publicity_scans_attach(application=application, files=form.files_by_slot(), actor=user,
                                   expected_state=expected)
        except Refused as refusal:
            form.add_error("competent_recommendation_scan", refusal.message)
            return render(request, "review/detail.html", _detail_context(request, application, **forms),
                          status=refusal.status)
        comment = form.cleaned_data["comment"]
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
        if len(comment) > MAX_COMMENT_CHARS:
            raise Refused(_("审核意见最多%d字，未提交。请删减后重试。") % MAX_COMMENT_CHARS)
    try:
        application = application_transition(application_id=application.pk, action=action, actor=user,
                                              comment=comment, expected_state=expected, data=data)
    except Refused as refusal:
        # The page again, with what was typed and the state as it is now.
        messages.error(request, refusal.message)
        application = application_for(user, pk)
        return render(request, "review/detail.html", _detail_context(request, application, **forms),
                      status=refusal.status)
    label = _subject(application, user)
    if action == "return":
        messages.success(request, _("已退回%(who)s：%(state)s。") % {"who": label, "state": application.get_state_display()})
    else:
        messages.success(request, _("已审核通过%(who)s，当前状态：%(state)s。")
                         % {"who": label, "state": application.get_state_display()})
    return redirect("review:queue")


def _subject(application, user) -> str:
    if is_blind(user):
        return _("申报 %s") % application.code
    return f"{application.snapshot.get('name') or application.applicant.real_name}（{application.code}）"


@login_required
def history(request, pk: int):
    """The history of one application: the applicant's own, or one in an officer's queue."""
    application = application_for(request.user, pk)
    access_record(request, application=application, what=AccessWhat.PAGE, detail="history")
    return render(request, "review/history.html", {
        "app": application, "history": history_for(application, request.user), "blind": is_blind(request.user),
        "applicant_label": application.code if is_blind(request.user) else application.applicant.real_name,
    })


def _keep_chosen_scans(request, application, form, has_scans: dict) -> UnitApprovalForm:
    """A refused approval (a date to correct) keeps the publicity scans the officer chose: a browser
    cannot put a chosen file back into the re-shown form, so they are stored now and the form says
    they are uploaded.  A scan the pipeline refuses gets its reason beside its field."""
    chosen = {slot: form.cleaned_data.get(f"{slot}_scan") for slot in form.scan_slots}
    refusals = {}
    for slot, upload in chosen.items():
        if upload:
            try:
                publicity_scans_attach(application=application, files={slot: upload}, actor=request.user)
                has_scans = {**has_scans, slot: True}
            except Refused as refusal:
                refusals[f"{slot}_scan"] = refusal.message
    kept = UnitApprovalForm(request.POST, campaign=application.campaign, has_scans=has_scans)
    kept.is_valid()
    for name, message in refusals.items():
        kept.add_error(name, message)
    return kept
