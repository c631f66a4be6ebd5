"""After acceptance as the applicant and their unit see it: what paper is still missing, the fee,
the defense (exempt and why, or when and where), the result, and the certificate to download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from portal.paging import KeysetPaginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Application
from applications.rules.defense import defense_note
from applications.states import AFTER_ACCEPTANCE, State
from portal.accounts.models import Role
from review.selectors import applications_visible_to, state_counts_of

from ..conditions import fee_status, paper_status
from ..models import Certificate, CertificateStatus, DefenseRecord
from ..permissions import can_manage
from ..selectors import related_or_none, rows_for_campaigns, rows_over_campaigns
from ..services import certificate_render_request
from .common import redirect_back
from .public import certificate_file_response


def _referer_or(request, default: str) -> str:
    """The 返回 link of the waiting page: the page the user came from, if it is on this site."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return default


def _own_after_acceptance(user, code: str) -> Application:
    if not user.is_authenticated or user.role != Role.APPLICANT:
        raise Http404
    qs = (applications_visible_to(user).filter(applicant_id=user.pk, state__in=(*AFTER_ACCEPTANCE, State.CLOSED))
          .select_related("campaign__committee", "level", "specialty__series", "unit"))
    return get_object_or_404(qs, code=code)


@login_required
def mine(request, code: str):
    """受理后进度 of one of the applicant's applications."""
    application = _own_after_acceptance(request.user, code)
    campaign = application.campaign
    record = DefenseRecord.objects.filter(application=application).select_related("session").first()
    return render(request, "aftercare/mine.html", {
        "app": application, "paper": paper_status(application), "fee": fee_status(application), "record": record,
        "defense_note": defense_note(campaign, application.kind, bool(record and record.exempt)) if record else "",
        "decision": related_or_none(application, "decision"),
        "certificate": Certificate.objects.filter(application=application).select_related("document").first(),
        "paper_window": campaign.paper_window, "fee_window": campaign.fee_window,
        "defense_window": campaign.defense_window, "today": timezone.localdate(),
    })


@login_required
def my_certificate(request, code: str):
    """The applicant downloads their own certificate from their home page."""
    application = _own_after_acceptance(request.user, code)
    certificate = (Certificate.objects.filter(application=application, revoked_at__isnull=True)
                   .select_related("document").first())
    if certificate is None:
        raise Http404
    if not certificate.is_ready:
        return render(request, "aftercare/wait.html", {
            "what": _("电子证书"), "error": certificate.error if certificate.status == CertificateStatus.FAILED else "",
            "back": _referer_or(request, "/me/")})
    return certificate_file_response(certificate)


@login_required
def certificate_download(request, pk: int):
    """A clerk or administrator downloads a certificate of their committee."""
    certificate = Certificate.objects.select_related("application__campaign", "document").filter(pk=pk).first()
    if certificate is None or not can_manage(request.user, certificate.application):
        raise Http404
    if not certificate.is_ready:
        return render(request, "aftercare/wait.html", {"what": _("电子证书"), "error": certificate.error,
                                                        "back": _referer_or(request, "/")})
    return certificate_file_response(certificate)


@login_required
@require_POST
def certificate_rerender(request, pk: int):
    """Ask the worker again for a certificate whose rendering failed or never started."""
    certificate = Certificate.objects.select_related("application__campaign", "document").filter(pk=pk).first()
    if certificate is None or not can_manage(request.user, certificate.application):
        raise Http404
    if not certificate.is_ready:
        certificate_render_request(certificate=certificate, actor=request.user)
        messages.success(request, _("已排队：重新生成证书 %s。") % certificate.number)
    return redirect_back(request, "aftercare:index")  # ``next`` only if it stays on this site


@login_required
def unit(request):
    """推荐单位 and 县（市）/主管单位: their applicants after acceptance — paper still missing, fee,
    defense and result — so that they can deliver what the committee still needs."""
    user = request.user
    if user.role not in (Role.UNIT_OFFICER, Role.COUNTY_OFFICER):
        raise Http404
    qs = (applications_visible_to(user).filter(state__in=AFTER_ACCEPTANCE)
          .order_by("-campaign__year", "campaign_id", "unit__name", "id"))
    # The count for the pager, over every campaign of the scope: kept until an application changes.
    counts = state_counts_of(user, applications_visible_to(user).filter(state__in=AFTER_ACCEPTANCE), "after-acceptance")
    page = KeysetPaginator(qs, 50, count=sum(counts.values()), rows=rows_over_campaigns).page(request.GET)
    rows = rows_for_campaigns(page.object_list)
    return render(request, "aftercare/unit.html", {"rows": rows, "page": page})

