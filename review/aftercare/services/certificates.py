"""电子证书: issuing (``certify`` through the one door; the certify action queues the render of
each PDF after commit, queue ``bulk``) and asking the worker again for a file that failed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application
from applications.states import State
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record
from portal.errors import Refused
from review.documents.models import Document, DocumentStatus
from review.documents.services import render_on_commit
from review.services import application_transition

from ..models import Certificate
from .common import Outcome


def certificates_issue(*, application_ids: list[int], actor, now: dt.datetime | None = None) -> Outcome:
    """Issue the certificate of each passed application (``certify`` through the one door); the
    worker renders each PDF after commit."""
    outcome = Outcome()
    for application_id in application_ids:
        try:
            outcome.done.append(application_transition(application_id=application_id, action="certify",
                                                       actor=actor, expected_state=State.DECIDED, now=now))
        except Refused as refusal:
            outcome.refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            outcome.refused.append((application_id, _("申报不存在或不在您的管理范围内。")))
    return outcome


def certificate_render_request(*, certificate: Certificate, actor) -> None:
    """Ask the worker again for a certificate whose file failed or never came (a broker that was
    down when it was issued); a file already made is left alone."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=certificate.document_id)
        if document.is_ready:
            return
        Document.objects.filter(pk=document.pk).update(status=DocumentStatus.PENDING, progress=0, error="")
        audit_record(action=AuditAction.DOCUMENT_REQUESTED, actor=actor, obj=document,
                     application=certificate.application_id,
                     before={"status": document.status}, after={"status": DocumentStatus.PENDING,
                                                               "certificate": certificate.number})
        render_on_commit(document, queue="bulk")
