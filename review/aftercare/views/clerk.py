"""The committee clerk's after-acceptance work: the roster of accepted applications (with bulk
paper receipt) and one application's page, from paper files to certificate and fraud.

Names are shown here: receipts, fee records, results and certificates are named documents
(see ``review.aftercare.models``).  Views parse and call a service; a refusal shows the page again
with what was typed and the message on top.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.access_log import AccessWhat, access_record
from applications.selectors import listed_name
from applications.states import AFTER_ACCEPTANCE, State
from portal.errors import Refused
from portal.paging import PAGING_PARAMS, KeysetPaginator
from review.selectors import history_for

from .. import services
from ..conditions import defense_outcome, exemption_for, fee_status, paper_item_names, paper_status
from ..forms import BulkPaperForm, DecisionForm, FeeForm, FraudForm, PaperForm, ScoreForm
from ..models import Certificate, DefenseRecord, IntegrityRecord
from ..permissions import is_admin
from ..selectors import (
    aftercare_applications,
    decision_defaults,
    load_campaign,
    page_rows,
    related_or_none,
    rows_for,
    search,
    state_counts,
)
from .common import (
    campaign_for,
    ids_from,
    managed_application,
    page_context,
    redirect_back,
    report_outcome,
)

PAGE_SIZE = 50


@login_required
def index(request):
    """受理后管理: every accepted application of the campaign, what each still lacks."""
    campaign = campaign_for(request)
    state = request.GET.get("state", "")
    qs = aftercare_applications(request.user, campaign)
    if state in AFTER_ACCEPTANCE:
        qs = qs.filter(state=state)
    term = request.GET.get("q", "").strip()
    qs = search(qs, term)
    counts = state_counts(request.user, campaign)
    # Without a search the tabs' counts are the pager's (a search is counted by the pager).
    count = None if term else (counts.get(state, 0) if state in AFTER_ACCEPTANCE else sum(counts.values()))
    # Unit by unit (``portal.lanes``), a search too (its applicants are one hashed set, ``matching``).
    page = KeysetPaginator(qs, PAGE_SIZE, count=count, rows=page_rows(campaign, "index"), lanes="unit").page(request.GET)
    query = request.GET.copy()
    for key in PAGING_PARAMS:
        query.pop(key, None)
    return render(request, "aftercare/index.html", {
        **page_context(request, campaign, "index"),
        "rows": rows_for(page.object_list, campaign, "index"), "page": page, "query": query.urlencode(),
        "tabs": [{"state": s, "label": s.label, "count": counts.get(s.value, 0)} for s in State
                 if s in AFTER_ACCEPTANCE],
        "total": sum(counts.values()), "state": state, "q": request.GET.get("q", ""),
        "bulk_form": BulkPaperForm(admin=is_admin(request.user)),
        "paper_window": campaign.paper_window, "items": paper_item_names(campaign),
    })


@login_required
@require_POST
def paper_bulk(request):
    """From the roster: all paper items of the ticked applications received (a unit delivers its
    applicants' files in one parcel)."""
    campaign = campaign_for(request)
    default = reverse("aftercare:index") + f"?campaign={campaign.code}"
    form = BulkPaperForm(request.POST, admin=is_admin(request.user))
    ids = ids_from(request)
    if not ids:
        messages.error(request, _("请先勾选申报。"))
        return redirect_back(request, default)
    if not form.is_valid():
        messages.error(request, _("请填写正确的接收日期。"))
        return redirect_back(request, default)
    visible = dict(aftercare_applications(request.user, campaign).filter(pk__in=ids).values_list("pk", "code"))
    outcome = services.paper_receipts_record_bulk(
        application_ids=[i for i in ids if i in visible], received_on=form.cleaned_data["received_on"],
        actor=request.user, override_reason=form.cleaned_data.get("override_reason", ""))
    report_outcome(request, outcome, _("已登记%d份申报的纸质材料全部接收。"), visible)
    if len(visible) < len(ids):
        messages.error(request, _("有%d份申报不存在或不在您的管理范围内，未处理。") % (len(ids) - len(visible)))
    return redirect_back(request, default)


# -- one application ----------------------------------------------------------------------------

def _detail_context(request, application, **forms):
    user = request.user
    campaign = load_campaign(application.campaign_id)
    application.campaign = campaign
    admin = is_admin(user)
    paper = paper_status(application, items=paper_item_names(campaign))
    fee = fee_status(application)
    record = DefenseRecord.objects.filter(application=application).select_related("session").first()
    preview = None if record else exemption_for(application)
    decision = related_or_none(application, "decision")
    certificate = Certificate.objects.filter(application=application).select_related("document").first()
    outcome = None
    if application.state in (State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT):
        score, basis, problem = defense_outcome(application, record)
        outcome = {"score": score, "basis": basis, "problem": problem}
    open_states = services.OPEN_AFTER_ACCEPTANCE
    return {
        **page_context(request, campaign, "index"),
        "app": application, "name": listed_name(application),
        "paper": paper, "fee": fee, "record": record, "preview": preview, "decision": decision,
        "certificate": certificate, "outcome": outcome,
        "paper_form": forms.get("paper_form") or (
            PaperForm(items=paper.items, received=set(paper.received), admin=admin, units=_units_for(application))
            if application.state in open_states and not paper.complete else None),
        "fee_form": forms.get("fee_form") or (
            FeeForm(admin=admin, initial={"amount": fee.due}) if application.state in open_states
            and not fee.no_fee and fee.payment is None else None),
        "score_form": forms.get("score_form") or (
            ScoreForm(initial={"application": application.pk}) if application.state == State.DEFENSE_SCHEDULED
            and record and record.session_id else None),
        "decision_form": forms.get("decision_form") or (
            DecisionForm(initial={"meeting_date": decision_defaults(application.campaign, timezone.localdate())[
                "meeting_date"]}) if application.state in (State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT) else None),
        "fraud_form": forms.get("fraud_form") or FraudForm(campaign=campaign),
        "can_fraud": application.state != State.CLOSED,
        "integrity": IntegrityRecord.objects.filter(application=application).select_related("unit").first(),
        "history": history_for(application, user),
        "paper_window": campaign.paper_window, "fee_window": campaign.fee_window,
    }


@login_required
def application(request, pk: int):
    app = managed_application(request.user, pk)
    access_record(request, application=app, what=AccessWhat.PAGE, detail="aftercare")
    return render(request, "aftercare/application.html", _detail_context(request, app))


def _detail_url(app) -> str:
    return reverse("aftercare:application", args=[app.pk])


def _refused(request, app, message: str, status: int = 409, **forms):
    """The application's page again, with the message and the forms as they were posted."""
    messages.error(request, message)
    app = managed_application(request.user, app.pk)
    return render(request, "aftercare/application.html", _detail_context(request, app, **forms), status=status)


def _units_for(application) -> list:
    """The units the paper form offers as 报送单位 (003 八（四）), none where individuals may deliver."""
    return services.delivering_units(application) if application.campaign.paper_by_unit_only else []


@login_required
@require_POST
def paper_record(request, pk: int):
    app = managed_application(request.user, pk)
    paper = paper_status(app)
    form = PaperForm(request.POST, items=paper.items, received=set(paper.received), admin=is_admin(request.user),
                     units=_units_for(app))
    if not form.is_valid():
        return _refused(request, app, _("请按提示修改后再提交。"), 400, paper_form=form)
    try:
        app = services.paper_receipts_record(
            application_id=app.pk, item_names=form.cleaned_data["items"], received_on=form.cleaned_data["received_on"],
            actor=request.user, override_reason=form.cleaned_data.get("override_reason", ""),
            delivered_by=form.delivering_unit())
    except Refused as refusal:
        return _refused(request, app, refusal.message, refusal.status, paper_form=form)
    messages.success(request, _("已登记纸质材料%(n)d项，当前状态：%(state)s。") % {
        "n": len(form.cleaned_data["items"]), "state": app.get_state_display()})
    return redirect(_detail_url(app))


@login_required
@require_POST
def paper_remove(request, pk: int):
    app = managed_application(request.user, pk)
    try:
        services.paper_receipt_remove(application_id=app.pk, item_name=request.POST.get("item", ""),
                                      actor=request.user)
    except Refused as refusal:
        return _refused(request, app, refusal.message, refusal.status)
    messages.success(request, _("已撤销“%s”的接收登记。") % request.POST.get("item", ""))
    return redirect(_detail_url(app))


@login_required
@require_POST
def fee_record(request, pk: int):
    app = managed_application(request.user, pk)
    form = FeeForm(request.POST, admin=is_admin(request.user))
    if not form.is_valid():
        return _refused(request, app, _("请按提示修改后再提交。"), 400, fee_form=form)
    d = form.cleaned_data
    try:
        app = services.fee_payment_record(
            application_id=app.pk, amount=d["amount"], paid_on=d["paid_on"], receipt_number=d["receipt_number"],
            actor=request.user, override_reason=d.get("override_reason", ""))
    except Refused as refusal:
        return _refused(request, app, refusal.message, refusal.status, fee_form=form)
    messages.success(request, _("已登记缴费%(amount)s元，当前状态：%(state)s。") % {
        "amount": d["amount"], "state": app.get_state_display()})
    return redirect(_detail_url(app))


@login_required
@require_POST
def defense_outcome_view(request, pk: int):
    app = managed_application(request.user, pk)
    form = ScoreForm(request.POST)
    if not form.is_valid():
        return _refused(request, app, _("请按提示修改后再提交。"), 400, score_form=form)
    d = form.cleaned_data
    try:
        services.defense_outcome_record(application_id=app.pk, actor=request.user, score=d.get("score"),
                                        passed={"pass": True, "fail": False}.get(d.get("result")),
                                        absent=d.get("absent", False))
    except Refused as refusal:
        return _refused(request, app, refusal.message, refusal.status, score_form=form)
    messages.success(request, _("已录入答辩情况。"))
    return redirect(_detail_url(app))


@login_required
@require_POST
def decide(request, pk: int):
    app = managed_application(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, app, _("请按提示修改后再提交。"), 400, decision_form=form)
    outcome = services.decisions_record(application_ids=[app.pk], result=form.cleaned_data["result"],
                                        meeting_date=form.cleaned_data["meeting_date"], actor=request.user)
    if outcome.refused:
        return _refused(request, app, outcome.refused[0][1], decision_form=form)
    messages.success(request, _("已记录评审结果。"))
    return redirect(_detail_url(app))


@login_required
@require_POST
def certify(request, pk: int):
    app = managed_application(request.user, pk)
    outcome = services.certificates_issue(application_ids=[app.pk], actor=request.user)
    if outcome.refused:
        return _refused(request, app, outcome.refused[0][1])
    messages.success(request, _("已发放电子证书，证书文件正在生成。"))
    return redirect(_detail_url(app))


@login_required
@require_POST
def fraud(request, pk: int):
    app = managed_application(request.user, pk)
    form = FraudForm(request.POST, campaign=app.campaign)
    if not form.is_valid():
        return _refused(request, app, _("请按提示修改后再提交。"), 400, fraud_form=form)
    try:
        record = services.integrity_record_create(application_id=app.pk, facts=form.cleaned_data["facts"],
                                                  include_unit=form.cleaned_data.get("include_unit", False),
                                                  actor=request.user)
    except Refused as refusal:
        return _refused(request, app, refusal.message, refusal.status, fraud_form=form)
    messages.success(request, _("已记入诚信档案：个人限制申报至%s。") % record.person_banned_until.isoformat())
    return redirect(_detail_url(app))

