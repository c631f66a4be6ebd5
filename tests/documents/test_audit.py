"""Documents in the audit log: each request that makes a new render is one event
(``document.requested``), each stored version one more (``document.rendered``, the system's)."""

from __future__ import annotations

from applications.models import Campaign
from portal.audit.actions import AuditAction
from review.documents.models import DocumentKind, ScopeKind
from review.documents.scope import ExportScope
from review.documents.services import document_render, export_request, prefilled_request, review_form_queue
from tests.factories import UnitOfficerFactory, audited


def test_requests_and_renders(accepted_app, private_storage):
    officer = UnitOfficerFactory(unit=accepted_app.unit)
    scope = ExportScope(ScopeKind.UNIT, accepted_app.unit.pk, accepted_app.unit.name)
    with audited() as trail:
        document = export_request(user=officer, scope=scope, campaign=Campaign.objects.get(code="demo"),
                                  kind=DocumentKind.ROSTER_XLSX)
        export_request(user=officer, scope=scope, campaign=document.campaign, kind=DocumentKind.ROSTER_XLSX)
    event = trail.one(AuditAction.DOCUMENT_REQUESTED)  # the second click reused the first render
    assert (event.actor, event.after["kind"], event.after["scope"]) == (officer, "roster_xlsx", scope.label)
    with audited() as trail:
        document_render(document_id=document.pk)
    event = trail.one(AuditAction.DOCUMENT_RENDERED)
    assert (event.actor, event.actor_role, event.after["version"]) == (None, "system", 1)
    assert trail.actions == [AuditAction.DOCUMENT_RENDERED]
    with audited() as trail:
        prefilled_request(application=accepted_app, key="commitment", user=accepted_app.applicant)
        review_form_queue(application_id=accepted_app.pk, requested_by=accepted_app.applicant)
    assert trail.actions == [AuditAction.DOCUMENT_REQUESTED, AuditAction.DOCUMENT_REQUESTED]
    assert {e.application_id for e in trail.events} == {accepted_app.pk}
    assert {e.person_id for e in trail.events} == {accepted_app.applicant_id}
