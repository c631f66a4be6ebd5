"""Public certificate pages: look a certificate up by ID number + name (and download it, as
notice 004 says), check a certificate number, and the page the QR code opens.

Privacy and guessing: look-ups are rate-limited per address and per ID number through the cache
(shared by every process); a wrong ID-number/name pair gets exactly the response an unknown pair
gets; ID numbers are masked on every public page; a download link is signed and expires.
"""

from __future__ import annotations

from django.core import signing
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import ratelimit
from ..certificates import mask_id_number, mask_name, normalise_number, normalise_token
from ..forms import LookupForm, VerifyForm
from ..models import Certificate
from ..selectors import certificate_by_number, certificate_by_token, certificates_of_holder

DOWNLOAD_SALT = "aftercare.certificate.download"
DOWNLOAD_MAX_AGE = 15 * 60
NOT_FOUND = "未查询到证书。请核对身份证号码和姓名（须与申报时填写的一致）。"


def public_view(certificate: Certificate, *, full_name: bool) -> dict:
    """What a public page may show of a certificate: never the whole ID number."""
    return {
        "number": certificate.number,
        "name": certificate.holder_name if full_name else mask_name(certificate.holder_name),
        "id_number": mask_id_number(certificate.id_number), "series": certificate.series,
        "specialty": certificate.specialty, "level": certificate.level, "title": certificate.title,
        "kind": certificate.kind, "committee": certificate.committee, "meeting_date": certificate.meeting_date,
        "issued_on": certificate.issued_on, "valid": certificate.is_valid, "revoke_reason": certificate.revoke_reason,
        "ready": certificate.is_ready,
    }


def _download_link(certificate: Certificate) -> str:
    token = signing.dumps({"c": certificate.pk}, salt=DOWNLOAD_SALT, compress=True)
    return reverse("aftercare:certificate_public_download", args=[token])


def _limited(request, template: str, context: dict, verdict: ratelimit.Verdict):
    context = {**context, "limited": _("查询过于频繁，请%d分钟后再试。") % verdict.wait_minutes}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _unavailable(request, template: str, context: dict):
    """The cache holding the limits did not answer: fail closed, never unlimited, never a 500."""
    context = {**context, "limited": _("查询服务暂时繁忙，请稍后再试。")}
    return render(request, template, context, status=503)


@never_cache
@require_http_methods(["GET", "POST"])
def certificate_lookup(request):
    """证书查询: ID number + name.  Both must match one certificate's own words."""
    form = LookupForm(request.POST or None)
    context = {"form": form, "verify_form": VerifyForm()}
    if request.method == "POST":
        try:
            return _lookup(request, form, context)
        except ratelimit.RateLimitUnavailable:
            return _unavailable(request, "aftercare/public/lookup.html", context)
    return render(request, "aftercare/public/lookup.html", context)


def _lookup(request, form: LookupForm, context: dict):
    """Only failed pairs count against an ID number (see ``ratelimit``): the right pair is refused
    only while the number is closed to everyone, for at most one short window."""
    template = "aftercare/public/lookup.html"
    address = ratelimit.client_address(request)
    verdict = ratelimit.hit(ratelimit.rule("lookup_ip"), address)
    if not verdict.allowed:
        return _limited(request, template, context, verdict)
    if not form.is_valid():
        return render(request, template, context)
    number = form.cleaned_data["id_number"]
    guards = [(ratelimit.rule("lookup_id_ip"), f"{number}|{address}"), (ratelimit.rule("lookup_id"), number)]
    for rule, subject in guards:
        verdict = ratelimit.check(rule, subject)
        if not verdict.allowed:
            return _limited(request, template, context, verdict)
    found = certificates_of_holder(number, form.cleaned_data["name"])
    if not found:
        for rule, subject in guards:
            ratelimit.record(rule, subject)
    context["searched"] = True
    context["results"] = [{**public_view(c, full_name=True),
                           "download": _download_link(c) if c.is_ready and c.is_valid else ""}
                          for c in found]
    context["not_found"] = _(NOT_FOUND) if not found else ""
    if found:
        # Found: the form is emptied, so the full ID number does not stay on the screen.
        context["form"] = LookupForm()
    return render(request, template, context)


@never_cache
def certificate_verify(request):
    """Check a certificate number (or the check code printed under the QR code)."""
    form = VerifyForm(request.GET or None)
    context = {"verify_form": form, "form": LookupForm()}
    if form.is_bound:
        try:
            verdict = ratelimit.hit(ratelimit.rule("verify_ip"), ratelimit.client_address(request))
        except ratelimit.RateLimitUnavailable:
            return _unavailable(request, "aftercare/public/lookup.html", context)
        if not verdict.allowed:
            return _limited(request, "aftercare/public/lookup.html", context, verdict)
        if form.is_valid():
            text = form.cleaned_data["number"]
            certificate = certificate_by_number(normalise_number(text)) or certificate_by_token(normalise_token(text))
            context["verified"] = public_view(certificate, full_name=False) if certificate else None
            context["verify_searched"] = True
    return render(request, "aftercare/public/lookup.html", context)


@never_cache
def certificate_qr(request, token: str):
    """What the QR code on a certificate opens: genuine or not, and what it states."""
    certificate = certificate_by_token(normalise_token(token))
    context = {"certificate": public_view(certificate, full_name=True) if certificate else None}
    return render(request, "aftercare/public/qr.html", context, status=200 if certificate else 404)


@never_cache
def certificate_public_download(request, token: str):
    """The PDF behind a successful look-up (signed link, valid for 15 minutes)."""
    try:
        payload = signing.loads(token, salt=DOWNLOAD_SALT, max_age=DOWNLOAD_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    certificate = (Certificate.objects.filter(pk=payload.get("c"), revoked_at__isnull=True)
                   .select_related("document").first())
    if certificate is None or not certificate.is_ready:
        raise Http404
    return certificate_file_response(certificate)


def certificate_file_response(certificate: Certificate) -> FileResponse:
    response = FileResponse(certificate.file.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"电子证书_{certificate.number}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
