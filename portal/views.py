from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from applications.models import Campaign
from applications.states import State
from portal.accounts.models import Role
from review.selectors import QueueFilters, applications_visible_to, queue_for


def _campaign_rows(today):
    campaigns = (Campaign.objects.select_related("committee")
                 .prefetch_related("contacts", "levels", "specialties__series").order_by("-online_end", "code"))
    rows = []
    for campaign in campaigns:
        window = campaign.online_window
        if window.start <= today <= window.end:
            status, css = "申报中", "open"
        elif today < window.start:
            status, css = "未开始", "upcoming"
        else:
            status, css = "已截止", "closed"
        rows.append({"campaign": campaign, "status": status, "css": css,
                     "open": css == "open", "days_left": (window.end - today).days})
    rows.sort(key=lambda r: (not r["open"], r["css"] == "closed", -r["campaign"].year))
    return rows


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a stale page or a lost cookie, explained in Chinese (Django's own page
    is English and meant for developers).  Nothing was processed, so nothing was changed."""
    return render(request, "403_csrf.html", status=403)


def home(request):
    """Public home: every campaign with its windows, open ones first."""
    return render(request, "home.html", {"rows": _campaign_rows(timezone.localdate())})


@login_required
def dashboard(request):
    user = request.user
    visible = applications_visible_to(user)
    if user.role == Role.EXPERT:
        return redirect("meeting:mine")
    context = {"role": user.role}
    if user.role == Role.APPLICANT:
        context["applications"] = (visible.select_related("campaign__committee", "specialty__series", "level")
                                   .order_by("-updated_at"))
        context["open_campaigns"] = [r for r in _campaign_rows(timezone.localdate()) if r["open"]]
        template = "dashboard/applicant.html"
    else:
        # Officers count what reached their step (their queue), not everything in their scope.
        counts = queue_for(user, QueueFilters())[1]
        context["state_counts"] = [
            {"state": s, "label": s.label, "count": counts.get(s.value, 0)} for s in State if s != State.DRAFT
        ]
        context["total"] = sum(v for k, v in counts.items() if k != State.DRAFT)
        template = "dashboard/officer.html"
    return render(request, template, context)
