"""The officer's queue: filters, search, paging, counts, and batch approval (unit and county)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.states import State
from applications.uploads import UploadRefused
from portal.accounts.models import Role
from portal.errors import posted_ids, safe_next
from portal.paging import COUNT_LIMIT, PAGING_PARAMS, KeysetPaginator

from .. import permissions
from ..forms import PublicityForm, QueueFilterForm
from ..selectors import QueueFilters, applications_in_queue_of, is_blind, queue_for, queue_lanes, queue_rows
from ..services import applications_batch_approve, publicity_scans_attach
from .common import PAGE_SIZE, officer_or_404

BATCH_ROLES = (Role.UNIT_OFFICER, Role.COUNTY_OFFICER)


@login_required
def queue(request):
    user = request.user
    officer_or_404(user)
    base = applications_in_queue_of(user)
    # A reviewer opens the queue to work: what waits for them comes first.
    own_state = permissions.REVIEW_STATE_OF_STEP.get(permissions.STEP_OF_ROLE.get(user.role, ""), "")
    form = QueueFilterForm(request.GET or None, initial={"state": own_state}, user=user, base=base)
    filters = QueueFilters()
    refused = form.is_bound and not form.is_valid()
    if form.is_bound and not refused:
        d = form.cleaned_data
        filters = QueueFilters(campaign=d["campaign"].pk if d.get("campaign") else None,
                               specialty=d["specialty"].pk if d.get("specialty") else None,
                               level=d["level"].pk if d.get("level") else None,
                               unit=d["unit"].pk if d.get("unit") else None,
                               state=d.get("state") or "", q=d.get("q") or "")
    elif not form.is_bound:
        filters = QueueFilters(state=own_state)
    rows, counts = queue_for(user, filters)
    if refused:
        # A filter that names nothing in the queue (an old bookmark, an edited address) lists
        # nothing and says why, rather than the whole queue as if it had applied.
        rows = rows.none()
    # A search finding more than COUNT_LIMIT leaves its tabs uncounted (None, ``queue_for``): the
    # pager then counts the state shown, or knows the whole search is over the limit.
    counted = None not in counts.values()
    total = sum(counts.values()) if counted else None
    if counted:
        count, more = (counts.get(filters.state, 0) if filters.state else total), False
    else:
        count, more = (None, False) if filters.state else (COUNT_LIMIT, True)
    page = KeysetPaginator(rows, PAGE_SIZE, count=count, more=more, lanes=queue_lanes(user, filters),
                           rows=queue_rows(base)).page(request.GET)
    query = request.GET.copy()
    state_query = request.GET.copy()
    for key in PAGING_PARAMS:
        query.pop(key, None)
        state_query.pop(key, None)
    state_query.pop("state", None)
    tabs = [{"state": s, "label": s.label, "count": counts[s.value], "more": False} for s in State if s.value in counts]
    for tab in tabs:
        if tab["count"] is None and tab["state"] == filters.state:  # the tab shown: its pager's count
            tab["count"], tab["more"] = page.paginator.count, page.paginator.more
    batch_state = permissions.REVIEW_STATE_OF_STEP.get(permissions.STEP_OF_ROLE.get(user.role, ""))
    can_batch = user.role in BATCH_ROLES and filters.state == batch_state and bool(page.object_list)
    context = {
        "form": form, "page": page, "tabs": tabs, "total": total, "count_limit": COUNT_LIMIT, "filters": filters,
        "blind": is_blind(user), "query": query.urlencode(), "state_query": state_query.urlencode(),
        "can_batch": can_batch, "batch_state": batch_state, "refused": refused,
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
    ids = posted_ids(request)
    back = safe_next(request, reverse("review:queue"))
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
                # One the officer may not approve now is refused by the door below, with its reason.
                if application.state == expected and permissions.can_approve(user, application, timezone.now()):
                    publicity_scans_attach(application=application, files=form.files_by_slot(), actor=user)
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
