"""The files after acceptance, rendered through the documents app: the electronic certificate and
the results publicity list are ``Document`` kinds (``certificate``, ``publicity_list``).

``certificate_document`` and ``publicity_list_document`` are the renderers this app registers
with ``review.documents.render`` (``AftercareConfig.ready``): data → HTML → PDF bytes.  Starting,
storing atomically, versions, failures and retries are the documents app's, as for every file.
The web process never imports WeasyPrint (the engine loads it on the first render, in the worker).
"""

from __future__ import annotations

import base64

import segno
from django.template.loader import render_to_string

from applications.models import Campaign
from review.documents.engine import engine
from review.documents.facts import source_hash
from review.documents.render import Progress, Rendered, document_render

from .certificates import day_text, verify_url
from .exports import publicity_list_data, publicity_list_xlsx
from .models import Certificate


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1, dark="#111")


def photo_data_uri(certificate: Certificate) -> str:
    """The 1-inch photo the applicant uploaded for the certificate (the original, unmasked)."""
    photo = certificate.application.attachments.filter(slot="photo").order_by("order", "id").first()
    if photo is None or not photo.file:
        return ""
    with photo.file.open("rb") as fh:
        payload = fh.read()
    return "data:image/jpeg;base64," + base64.b64encode(payload).decode("ascii")


def certificate_context(certificate: Certificate) -> dict:
    return {
        "c": certificate, "meeting_day": day_text(certificate.meeting_date),
        "issued_day": day_text(certificate.issued_on),
        "qr": qr_data_uri(verify_url(certificate)), "verify_url": verify_url(certificate),
        "photo": photo_data_uri(certificate),
    }


def certificate_document(document, progress: Progress) -> Rendered:
    """Renderer of kind ``certificate``: the certificate whose ``document`` this is."""
    certificate = Certificate.objects.select_related("application").get(document=document)
    context = certificate_context(certificate)
    progress(30)
    pdf = engine().render(render_to_string("aftercare/pdf/certificate.html", context))
    digest = source_hash("certificate", {"number": certificate.number, "holder": certificate.holder_name,
                                         "id": certificate.id_number, "title": certificate.title,
                                         "issued": certificate.issued_on.isoformat(), "photo": context["photo"][-64:]})
    return Rendered(pdf.content, "pdf", f"电子证书_{certificate.number}.pdf", digest, pages=pdf.pages)


def publicity_list_document(document, progress: Progress) -> Rendered:
    """Renderer of kind ``publicity_list``: the campaign's list as its data stands now."""
    campaign = Campaign.objects.select_related("committee").get(pk=document.campaign_id)
    data = publicity_list_data(campaign=campaign)
    progress(30)
    pdf = engine().render(render_to_string("aftercare/pdf/publicity_list.html", {"d": data}))
    return Rendered(pdf.content, "pdf", f"{data['title']}.pdf", source_hash("publicity_list", data), pages=pdf.pages)


def publicity_list_xlsx_document(document, progress: Progress) -> Rendered:
    """Renderer of kind ``publicity_list_xlsx``: the same list as a spreadsheet."""
    campaign = Campaign.objects.select_related("committee").get(pk=document.campaign_id)
    data = publicity_list_data(campaign=campaign)
    progress(30)
    return Rendered(publicity_list_xlsx(data), "xlsx", f"{data['title']}.xlsx", source_hash("publicity_list", data))


def certificate_render(*, certificate_id: int) -> Certificate:
    """Render a certificate's PDF in this process (seed command, tests); idempotent."""
    certificate = Certificate.objects.get(pk=certificate_id)
    document_render(document_id=certificate.document_id)
    return Certificate.objects.select_related("document").get(pk=certificate_id)
