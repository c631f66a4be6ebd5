"""Reads of the documents app, scoped to the user.

A document of one application is visible under ``review.access.may_see_document`` (its
application visible, and not to the committee side before acceptance); an export when it was
made for the user's own export scope.  Anything else is answered 404, whether it exists or
not.  These pages serve the kinds this app renders itself; a kind another app registered (the
certificate, the publicity list) is served by that app's own pages, under its own rule.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404

from applications.models import Campaign
from applications.states import AFTER_ACCEPTANCE, IN_REVIEW
from portal import tallies
from review.access import may_see_document, scope_key
from review.selectors import applications_visible_to

from .exports import export_states
from .models import EXPORT_KINDS, Document, DocumentKind, DocumentStatus, ScopeKind
from .scope import ExportScope, export_scope_of, scope_from_document

SERVED_KINDS = (DocumentKind.REVIEW_FORM, DocumentKind.PREFILLED, *EXPORT_KINDS)


def document_visible_to(user, uid) -> Document:
    document = Document.objects.select_related("application", "campaign").filter(uid=uid).first()
    if document is None or not user.is_authenticated or document.kind not in SERVED_KINDS:
        raise Http404
    if document.application_id is not None:
        # Review forms and pre-filled templates name the applicant: ``review.access`` decides.
        if not may_see_document(user, document):
            raise Http404
        return document
    scope = export_scope_of(user)
    if scope is None:
        raise Http404
    if scope.kind != ScopeKind.CAMPAIGN and (scope.kind, scope.id) != (document.scope_kind, document.scope_id):
        raise Http404
    return document


def export_campaigns(user) -> list[dict]:
    """The campaigns with applications in the user's scope, newest first, with their counts:
    the counts kept until an application changes (``portal.tallies``: an aggregate over the whole
    scope, 80 ms of SQL for a county at 100,000 applications), then one query of the campaigns."""
    def count() -> dict[int, dict]:
        counts = (applications_visible_to(user).order_by().values("campaign")
                  .annotate(accepted=Count("id", filter=Q(state__in=AFTER_ACCEPTANCE)),
                            reviewing=Count("id", filter=Q(state__in=IN_REVIEW))))
        return {row["campaign"]: row for row in counts if row["accepted"] or row["reviewing"]}

    by_campaign = tallies.remembered(f"export-campaigns:{scope_key(user)}", [tallies.ALL_APPLICATIONS], count)
    campaigns = Campaign.objects.select_related("committee").filter(pk__in=by_campaign).order_by("-year", "code")
    return [{"campaign": c, "accepted": by_campaign[c.pk]["accepted"], "reviewing": by_campaign[c.pk]["reviewing"]}
            for c in campaigns]


def recent_exports(scope: ExportScope, *, limit: int = 30) -> list[Document]:
    """The scope's latest exports (one query)."""
    qs = Document.objects.filter(kind__in=EXPORT_KINDS)
    if scope.kind != ScopeKind.CAMPAIGN:
        qs = qs.filter(scope_kind=scope.kind, scope_id=scope.id)
    else:
        qs = qs.filter(scope_kind=ScopeKind.CAMPAIGN)
    return list(qs.select_related("campaign").order_by("-created_at", "-id")[:limit])


def review_forms_of(application_ids) -> dict[int, Document]:
    """Per application, its current review form or the render under way (one query)."""
    found: dict[int, Document] = {}
    docs = list(Document.objects.filter(kind=DocumentKind.REVIEW_FORM, application_id__in=list(application_ids))
                .filter(Q(is_current=True) | Q(status__in=(DocumentStatus.PENDING, DocumentStatus.RENDERING,
                                                           DocumentStatus.FAILED)))
                .order_by("application_id", "-version"))
    for doc in docs:
        # The newest version first: an in-progress re-render shows over the current one.
        found.setdefault(doc.application_id, doc)
    current = {d.application_id: d for d in docs if d.is_current}
    for app_id, doc in found.items():
        doc.current_version = current.get(app_id)
    return found


def prefilled_of(application_id: int) -> dict[str, Document]:
    docs = Document.objects.filter(kind=DocumentKind.PREFILLED, application_id=application_id, is_current=True)
    return {d.template_key: d for d in docs}


def applications_in_export(document: Document) -> list[int]:
    """The applications an export lists (for the 查阅记录 of its download): one query."""
    scope = scope_from_document(document)
    include = (document.options or {}).get("include", "")
    return list(scope.applications().filter(campaign_id=document.campaign_id,
                                            state__in=export_states(scope, include))
                .values_list("pk", flat=True))
