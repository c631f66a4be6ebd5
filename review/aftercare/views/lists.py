"""The clerk's campaign-wide pages: fees (list, totals, reconciliation, unit batches), defense
(exemptions, sessions, scheduling, score sheets), results (decisions, publicity and its list),
certificates, and the integrity records."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from applications.models import Specialty
from applications.states import State
from portal.errors import Refused, small_int
from portal.jinja import fragment
from portal.paging import PAGING_PARAMS, KeysetPaginator, paging_params
from review.selectors import campaign_tally

from .. import services
from ..exports import publicity_list_request
from ..forms import DecisionForm, FeeBatchForm, ResultPublicityForm, ScoreForm, ScoreFormSet, SessionForm, score_rows
from ..models import DecisionResult, DefenseSession, ResultPublicity
from ..permissions import is_admin
from ..selectors import (
    DEFENSE_SESSIONS_RECENT_DAYS,
    RESULT_DECIDED,
    RESULT_PENDING,
    UNPAID_SHOWN,
    aftercare_applications,
    certificate_counts,
    decision_defaults,
    defense_overview,
    fee_reconciliation,
    fee_totals,
    integrity_records_for,
    page_rows,
    result_counts,
    rows_for,
    session_rows,
    sessions_of,
    state_counts,
    units_with_unpaid,
    unpaid_of_unit,
)
from .common import campaign_for, clerk_or_404, ids_from, page_context, redirect_back, report_outcome


def _url(name: str, campaign, *args) -> str:
    return reverse(f"aftercare:{name}", args=args) + f"?campaign={campaign.code}"


# -- fees ------------------------------------------------------------------------------------------

FEE_PAGE_SIZE = 50


def fee_list(user, campaign):
    """The fee list in the clerk's order; paged on the queryset, a page built by ``rows_for``
    without the paper receipts (the fee list shows no paper) and without the snapshot."""
    return aftercare_applications(user, campaign)


@campaign_tally("fee-reconciliation-html")
def _reconciliation_html(user, campaign, language: str) -> str:
    """The units' reconciliation table as drawn, kept while the campaign's data do not change
    (``campaign_tally``, per scope and language): its 50 rows were drawn, and its figures read
    back from the cache as objects, on every request of the three fee pages."""
    return fragment("aftercare/_fee_units.html", {"units": fee_reconciliation(user, campaign)})


@login_required
def fees(request, batch_form=None):
    """缴费清单: every accepted application with its fee (rule engine) and payment; totals per kind;
    expected vs recorded per unit; a unit's batch payment.  Totals, reconciliation and the units
    with something unpaid are grouped SQL; the list is paged on the queryset."""
    campaign = campaign_for(request)
    by_kind, overall = fee_totals(request.user, campaign)
    units = units_with_unpaid(request.user, campaign)
    unit_id = request.GET.get("unit") or (batch_form.data.get("unit") if batch_form is not None else "")
    chosen = next((u for u in units if str(u.pk) == str(unit_id)), None)
    unpaid = unpaid_of_unit(request.user, campaign, chosen)
    form = batch_form or FeeBatchForm(units=units, admin=is_admin(request.user), initial={
        "unit": chosen.pk if chosen else "", "amount": sum(e.due for e in unpaid) or None})
    page = KeysetPaginator(fee_list(request.user, campaign), FEE_PAGE_SIZE,
                           count=sum(state_counts(request.user, campaign).values()), lanes="unit",
                           rows=page_rows(campaign, "fees")).page(request.GET)
    rows = rows_for(page.object_list, campaign, "fees")
    query = request.GET.copy()
    for key in PAGING_PARAMS:
        query.pop(key, None)
    return render(request, "aftercare/fees.html", {
        **page_context(request, campaign, "fees"), "rows": rows, "page": page,
        "query": query.urlencode(), "by_kind": by_kind, "overall": overall,
        "units_html": _reconciliation_html(request.user, campaign, get_language()), "batch_form": form, "chosen": chosen,
        "unpaid_of_unit": unpaid, "unpaid_shown": UNPAID_SHOWN, "fee_window": campaign.fee_window,
    }, status=400 if batch_form is not None else 200)


@login_required
@require_POST
def fee_batch(request):
    campaign = campaign_for(request)
    units = units_with_unpaid(request.user, campaign)
    form = FeeBatchForm(request.POST, units=units, admin=is_admin(request.user))
    if not form.is_valid():
        messages.error(request, _("请按提示修改后再提交。"))
        return fees(request, batch_form=form)
    unit = next(u for u in units if str(u.pk) == form.cleaned_data["unit"])
    d = form.cleaned_data
    try:
        batch = services.fee_batch_record(
            campaign=campaign, unit=unit, application_ids=ids_from(request), amount=d["amount"], paid_on=d["paid_on"],
            receipt_number=d["receipt_number"], actor=request.user, override_reason=d.get("override_reason", ""))
    except Refused as refusal:
        messages.error(request, refusal.message)
        return fees(request, batch_form=form)
    messages.success(request, _("已登记%(unit)s批量缴费%(amount)s元（%(n)d人，收据号%(receipt)s）。") % {
        "unit": unit.name, "amount": batch.amount, "n": batch.payments.count(), "receipt": batch.receipt_number})
    return redirect(_url("fees", campaign))


# -- defense ---------------------------------------------------------------------------------------

@login_required
def defense(request, session_form=None):
    campaign = campaign_for(request)
    groups = defense_overview(request.user, campaign, timezone.localdate())
    # The new-session form starts on the first specialty that has people waiting for a session.
    busy = next((g.specialty.pk for g in groups if g.waiting_count), next((g.specialty.pk for g in groups), None))
    return render(request, "aftercare/defense.html", {
        **page_context(request, campaign, "defense"), "groups": groups,
        "unevaluated": sum(g.unevaluated for g in groups),
        "session_form": session_form or SessionForm(specialties=campaign.specialties.all(),
                                                    initial={"date": campaign.defense_start, "specialty": busy}),
        "defense_window": campaign.defense_window, "recent_days": DEFENSE_SESSIONS_RECENT_DAYS,
    }, status=400 if session_form is not None else 200)


@login_required
@require_POST
def defense_apply(request):
    campaign = campaign_for(request)
    try:
        result = services.defense_exemptions_apply(campaign=campaign, actor=request.user)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("已按免答辩规则认定%(n)d份申报：免于答辩%(exempt)d份，须参加答辩%(attend)d份。") % {
            "n": result["evaluated"], "exempt": result["exempt"], "attend": result["attending"]})
    return redirect(_url("defense", campaign))


@login_required
def sessions(request):
    """答辩场次: every session of the campaign (of one specialty with ``?specialty=``), paged; the
    defense page shows only the recent and coming ones."""
    campaign = campaign_for(request)
    specialty = None
    if request.GET.get("specialty"):
        specialty = _specialty(campaign, small_int(request.GET["specialty"]) or 0)
    page = KeysetPaginator(sessions_of(campaign, specialty.pk if specialty else None), SESSIONS_PAGE_SIZE).page(
        request.GET)
    query = request.GET.copy()
    for key in PAGING_PARAMS:
        query.pop(key, None)
    return render(request, "aftercare/sessions.html", {
        **page_context(request, campaign, "defense"), "page": page, "query": query.urlencode(),
        "specialty": specialty, "today": timezone.localdate()})


SESSIONS_PAGE_SIZE = 50


def _specialty(campaign, value):
    return get_object_or_404(Specialty.objects.filter(pk__in=campaign.specialties.values("pk")), pk=value)


@login_required
@require_POST
def session_create(request):
    campaign = campaign_for(request)
    form = SessionForm(request.POST, specialties=campaign.specialties.all())
    if not form.is_valid():
        messages.error(request, _("请按提示修改后再提交。"))
        return defense(request, session_form=form)
    d = form.cleaned_data
    try:
        services.defense_session_save(campaign=campaign, actor=request.user,
                                      specialty=_specialty(campaign, d["specialty"]), date=d["date"],
                                      time_slot=d["time_slot"], place=d["place"])
    except Refused as refusal:
        form.add_error(None, refusal.message)
        messages.error(request, refusal.message)
        return defense(request, session_form=form)
    messages.success(request, _("已添加答辩场次。"))
    return redirect(_url("defense", campaign))


def _session_for(request, pk):
    clerk_or_404(request.user)
    session = (DefenseSession.objects.select_related("campaign__committee", "specialty__series")
               .filter(pk=pk).first())
    if session is None:
        raise Http404
    if not is_admin(request.user) and session.campaign.committee_id != request.user.committee_id:
        raise Http404
    return session


@login_required
def session(request, pk: int):
    """One session: change its day, time or place (applicants are told), and the score sheet (by
    application code: the sheet goes to the panel)."""
    sess = _session_for(request, pk)
    campaign = sess.campaign
    apps = session_rows(sess)
    scored = campaign.defense_scored
    form = SessionForm(specialties=campaign.specialties.all(), initial={
        "specialty": sess.specialty_id, "date": sess.date, "time_slot": sess.time_slot, "place": sess.place})
    initial = [{"application": a.pk, "score": a.defense.score, "absent": a.defense.absent,
                "result": "" if a.defense.passed is None else ("pass" if a.defense.passed else "fail")} for a in apps]
    scores = ScoreFormSet(initial=initial, prefix="s")
    status = 200
    if request.method == "POST" and request.POST.get("what") == "session":
        form = SessionForm(request.POST, specialties=campaign.specialties.all())
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.defense_session_save(campaign=campaign, actor=request.user, session=sess,
                                              specialty=_specialty(campaign, d["specialty"]), date=d["date"],
                                              time_slot=d["time_slot"], place=d["place"])
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("已保存答辩场次；已安排的申报人会收到变更通知。"))
                return redirect(reverse("aftercare:session", args=[sess.pk]))
        status = 400
    elif request.method == "POST" and request.POST.get("what") == "scores":
        scores = ScoreFormSet(request.POST, initial=initial, prefix="s")
        own = {a.pk for a in apps}
        if scores.is_valid():
            saved, failed = 0, []
            codes = {a.pk: a.code for a in apps}
            for row in scores.cleaned_data:
                application_id = row.get("application")
                if application_id not in own:
                    continue
                blank = row.get("score") is None and not row.get("result") and not row.get("absent")
                if blank:
                    continue
                try:
                    services.defense_outcome_record(
                        application_id=application_id, actor=request.user, score=row.get("score"),
                        passed={"pass": True, "fail": False}.get(row.get("result")), absent=row.get("absent", False))
                    saved += 1
                except Refused as refusal:
                    failed.append(_("申报 %(code)s：%(reason)s") % {"code": codes[application_id],
                                                                  "reason": refusal.message})
            if saved:
                messages.success(request, _("已录入%d人的答辩情况。") % saved)
            for text in failed:
                messages.error(request, text)
            return redirect(reverse("aftercare:session", args=[sess.pk]))
        status = 400
    return render(request, "aftercare/session.html", {
        **page_context(request, campaign, "defense"), "session": sess, "apps": apps, "form": form,
        "score_rows": score_rows(apps, scores), "formset": scores, "scored": scored,
        "result_choices": ScoreForm.base_fields["result"].choices,
        "held": sess.date <= timezone.localdate(),
    }, status=status)


@login_required
def session_panel(request, pk: int):
    """The printable list for the defense panel: codes, level, kind; no names."""
    sess = _session_for(request, pk)
    return render(request, "aftercare/session_panel.html", {"session": sess, "apps": session_rows(sess),
                                                            "scored": sess.campaign.defense_scored})


@login_required
@require_POST
def session_schedule(request):
    value = request.POST.get("session", "")
    sess = _session_for(request, small_int(value) or 0)
    campaign = sess.campaign
    ids = ids_from(request)
    visible = dict(aftercare_applications(request.user, campaign).filter(pk__in=ids).values_list("pk", "code"))
    if not ids:
        messages.error(request, _("请先勾选要安排的申报。"))
    else:
        outcome = services.defense_schedule(application_ids=[i for i in ids if i in visible], session=sess,
                                            actor=request.user)
        report_outcome(request, outcome, _("已安排%d人参加答辩，并已通知申报人。"), visible)
    return redirect_back(request, _url("defense", campaign))


# -- results ---------------------------------------------------------------------------------------

RESULTS_PAGE_SIZE = 50


def _paged(request, qs, param: str, campaign, size: int, count: int | None, shows: str):
    """A page of ``qs`` (keyset paging by ``?<param>=`` and its cursors) built as rows with the
    records the list ``shows`` (``LIST_RECORDS``), and the query string of the other parameters
    for its pager."""
    page = KeysetPaginator(qs, size, count=count, param=param, rows=page_rows(campaign, shows),
                           lanes="unit").page(request.GET)
    query = request.GET.copy()
    for key in paging_params(param):
        query.pop(key, None)
    return page, rows_for(page.object_list, campaign, shows), query.urlencode()


@login_required
def results(request, publicity_form=None, decision_form=None):
    """评审结果: counts by aggregate; the applications waiting for a result and those decided are
    two lists, each paged on the queryset."""
    campaign = campaign_for(request)
    base = aftercare_applications(request.user, campaign, states=(*RESULT_PENDING, *RESULT_DECIDED))
    counts = result_counts(request.user, campaign)
    pending_page, pending, pending_query = _paged(request, base.filter(state__in=RESULT_PENDING), "pending", campaign,
                                                  RESULTS_PAGE_SIZE, counts["pending"], "pending")
    page, decided, query = _paged(request, base.filter(state__in=RESULT_DECIDED), "page", campaign, RESULTS_PAGE_SIZE,
                                  counts["decided"], "decided")
    publicity = ResultPublicity.objects.filter(campaign=campaign).first()
    defaults = decision_defaults(campaign, timezone.localdate())
    return render(request, "aftercare/results.html", {
        **page_context(request, campaign, "results"), "pending": pending, "decided": decided,
        "pending_count": counts["pending"], "decided_count": counts["decided"], "passed": counts["passed"],
        "pending_page": pending_page, "pending_query": pending_query, "page": page, "query": query,
        "publicity": publicity,
        "decision_form": decision_form or DecisionForm(initial={"meeting_date": defaults["meeting_date"]}),
        "publicity_form": publicity_form or ResultPublicityForm(
            initial={"start": publicity.start, "end": publicity.end} if publicity else defaults.get("publicity", {})),
    }, status=400 if (publicity_form or decision_form) else 200)


@login_required
@require_POST
def decide_bulk(request):
    campaign = campaign_for(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择评审结果并填写评审会议日期。"))
        return results(request, decision_form=form)
    ids = ids_from(request)
    visible = dict(aftercare_applications(request.user, campaign).filter(pk__in=ids).values_list("pk", "code"))
    if not ids:
        messages.error(request, _("请先勾选申报。"))
        return redirect(_url("results", campaign))
    outcome = services.decisions_record(application_ids=[i for i in ids if i in visible],
                                        result=form.cleaned_data["result"],
                                        meeting_date=form.cleaned_data["meeting_date"], actor=request.user)
    report_outcome(request, outcome, _("已记录%d份申报的评审结果。"), visible)
    return redirect(_url("results", campaign))


@login_required
@require_POST
def publicity(request):
    campaign = campaign_for(request)
    form = ResultPublicityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请按提示修改后再提交。"))
        return results(request, publicity_form=form)
    try:
        saved = services.result_publicity_set(campaign=campaign, start=form.cleaned_data["start"],
                                              end=form.cleaned_data["end"], actor=request.user)
    except Refused as refusal:
        form.add_error(None, refusal.message)
        messages.error(request, refusal.message)
        return results(request, publicity_form=form)
    messages.success(request, _("已设置评审结果公示期：%(s)s至%(e)s（%(n)d个工作日）。") % {
        "s": saved.start.isoformat(), "e": saved.end.isoformat(), "n": saved.working_days})
    return redirect(_url("results", campaign))


@login_required
def publicity_list(request, fmt: str):
    """The results publicity list (公示名单), PDF or XLSX, from the worker: the page waits for it
    (refreshing) and downloads it when ready."""
    campaign = campaign_for(request)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    try:
        document, ready = publicity_list_request(campaign=campaign, actor=request.user, fmt=fmt)
    except ResultPublicity.DoesNotExist:
        messages.error(request, _("请先设置评审结果公示期。"))
        return redirect(_url("results", campaign))
    if not ready:
        return render(request, "aftercare/wait.html", {
            **page_context(request, campaign, "results"), "error": document.error, "back": _url("results", campaign),
            "what": _("公示名单（PDF）") if fmt == "pdf" else _("公示名单（Excel）")})
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename,
                            content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# -- certificates ----------------------------------------------------------------------------------

def _passes(user, campaign):
    return aftercare_applications(user, campaign, states=(State.DECIDED, State.CERTIFIED)).filter(
        decision__result=DecisionResult.PASS)


@login_required
def certificates(request):
    """电子证书: the passes paged on the queryset; how many still need a certificate by aggregate
    ("全部发放" issues them by the campaign, not by posted ids)."""
    campaign = campaign_for(request)
    passes = _passes(request.user, campaign)
    counts = certificate_counts(request.user, campaign)
    to_issue = counts["to_issue"]
    page, rows, query = _paged(request, passes, "page", campaign, RESULTS_PAGE_SIZE, counts["passes"], "certificates")
    publicity = ResultPublicity.objects.filter(campaign=campaign).first()
    return render(request, "aftercare/certificates.html", {
        **page_context(request, campaign, "certificates"), "rows": rows, "page": page, "query": query,
        "to_issue": to_issue, "publicity": publicity,
        "publicity_over": publicity is not None and publicity.end <= timezone.localdate(),
    })


@login_required
@require_POST
def certify_bulk(request):
    """Issue certificates: to the posted ids, or with ``all`` to every pass of the campaign still
    without one."""
    campaign = campaign_for(request)
    if request.POST.get("all"):
        ids = list(_passes(request.user, campaign).filter(certificate__isnull=True).order_by("id")
                   .values_list("pk", flat=True))
    else:
        ids = ids_from(request)
    visible = dict(aftercare_applications(request.user, campaign).filter(pk__in=ids).values_list("pk", "code"))
    outcome = services.certificates_issue(application_ids=[i for i in ids if i in visible], actor=request.user)
    report_outcome(request, outcome, _("已发放%d份电子证书，证书文件正在生成。"), visible)
    return redirect(_url("certificates", campaign))


# -- integrity -------------------------------------------------------------------------------------

@login_required
def integrity(request):
    """诚信档案: visible to administrators and committee clerks only (404 for everyone else)."""
    clerk_or_404(request.user)

    page = KeysetPaginator(integrity_records_for(request.user), 50).page(request.GET)
    return render(request, "aftercare/integrity.html", {"page": page, "today": timezone.localdate(),
                                                        "is_admin": is_admin(request.user)})
