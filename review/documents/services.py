"""Asking for documents (web process, cheap): ``export_request``, ``prefilled_request`` and
``review_form_queue`` create or reuse a ``Document`` row of the right series, write the audit
event (``document.requested``) and queue the worker after commit with ``render_on_commit`` — the
one way a render is started, for every kind (certificates and publicity lists too).  A second
click while a render is under way reuses that render and publishes it again (the outbox,
``portal.dispatch``: a render stuck behind a lost message recovers; rendering is idempotent).

The rendering itself (worker or command line) is ``review.documents.render``; its entry points
are re-exported here, the app's API.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Campaign
from applications.states import State
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record
from portal.dispatch import enqueue_on_commit

from .exports import INCLUDE_ACCEPTED, INCLUDE_CHOICES
from .facts import application_facts, application_for_documents, source_hash
from .models import EXPORT_KINDS, Document, DocumentKind, DocumentStatus, ScopeKind, new_verify_code
from .prefilled import TEMPLATES
from .render import (
    DocumentRefused,
    Progress,
    Rendered,
    document_render,
    renderer_register,
    review_form_render,
    store_rendered,
    write_atomically,
)
from .scope import ExportScope
from .series import (
    current_document,
    export_series,
    next_version,
    prefilled_series,
    review_form_series,
    unfinished,
)
from .tasks import render_document_task

__all__ = [
    "DocumentRefused", "Progress", "Rendered", "document_render", "export_request", "prefilled_existing", "prefilled_request",
    "render_on_commit", "renderer_register", "review_form_after_transition", "review_form_queue",
    "review_form_render", "store_rendered", "write_atomically",
]


def render_on_commit(document: Document, *, queue: str | None = None) -> None:
    """Render ``document`` in the worker once the caller's transaction commits (queue
    ``interactive`` unless told: batch renders go to ``bulk``)."""
    enqueue_on_commit(render_document_task, queue=queue, document_id=document.pk)


STUCK_SECONDS = 30


def _again_if_stuck(document: Document) -> None:
    """Asked again for a render queued or under way for a while: publish it again, so a render
    whose message was lost or whose worker died recovers at once (rendering is idempotent: one
    file either way).  A double click (within ``STUCK_SECONDS``) queues nothing more."""
    since = document.started_at or document.created_at
    if since is None or timezone.now() - since >= dt.timedelta(seconds=STUCK_SECONDS):
        render_on_commit(document)


def _requested(document: Document, user) -> None:
    audit_record(action=AuditAction.DOCUMENT_REQUESTED, actor=user, obj=document, application=document.application_id,
                 after={"kind": document.kind, "version": document.version, "series": document.series_key,
                        "template": document.template_key, "scope": document.scope_label})


def export_request(*, user, scope: ExportScope, campaign: Campaign, kind: str,
                   include: str = INCLUDE_ACCEPTED) -> Document:
    """Ask for a roster or fee list of ``scope`` in ``campaign``; renders in the worker."""
    if kind not in EXPORT_KINDS:
        raise DocumentRefused(_("不支持的导出类型。"))
    if include not in INCLUDE_CHOICES:
        include = INCLUDE_ACCEPTED
    if kind in (DocumentKind.FEE_LIST_XLSX, DocumentKind.FEE_LIST_PDF):
        include = INCLUDE_ACCEPTED  # fees are due only once the committee has accepted
    if scope.kind == ScopeKind.COMMITTEE:
        include = INCLUDE_ACCEPTED  # rosters name people: the committee reviews blind until it accepts
    series = export_series(kind, campaign.pk, scope, include)
    with transaction.atomic():
        # Serialise requests of one campaign: a double click must not race for the next version.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
        running = (Document.objects.select_for_update()
                   .filter(series_key=series, status__in=(DocumentStatus.PENDING, DocumentStatus.RENDERING))
                   .first())
        if running:
            _again_if_stuck(running)
            return running
        document = Document.objects.create(
            kind=kind, series_key=series, version=next_version(series), campaign=campaign,
            scope_kind=scope.kind, scope_id=scope.id, scope_label=scope.label, options={"include": include},
            requested_by=user if getattr(user, "pk", None) else None,
        )
        _requested(document, user)
        render_on_commit(document, queue=export_queue(kind))
    return document


# PDF layout (WeasyPrint) of a whole scope takes seconds to minutes: the ``bulk`` worker, so that a
# small XLSX export on ``interactive`` never waits behind it (issue 16).
BULK_EXPORT_KINDS = (DocumentKind.ROSTER_PDF, DocumentKind.FEE_LIST_PDF)


def export_queue(kind: str) -> str | None:
    """The queue of an export: ``bulk`` for the PDFs, the route of ``documents.*`` (``interactive``)
    for the spreadsheets."""
    return "bulk" if kind in BULK_EXPORT_KINDS else None


def prefilled_existing(*, application: Application, key: str) -> Document | None:
    """Read only (the GET of a template): the current PDF of template ``key`` if the application's
    data did not change since, or the render under way; ``None`` when one must be asked for."""
    if key not in TEMPLATES:
        return None
    series = prefilled_series(application.pk, key)
    current = current_document(series)
    if current and current.is_ready:
        digest = source_hash("prefilled", key, application_facts(application_for_documents(application.pk)))
        if current.source_hash == digest:
            return current
    running = unfinished(series, lock=False)  # a GET reads only: no lock, no transaction
    return running if running and running.status != DocumentStatus.FAILED else None


def prefilled_request(*, application: Application, key: str, user) -> Document:
    """The current PDF of template ``key`` for ``application`` if its data did not change, else a
    render queued in the worker (the page shows its progress)."""
    if key not in TEMPLATES:
        raise DocumentRefused(_("没有这个模板。"))
    loaded = application_for_documents(application.pk)
    digest = source_hash("prefilled", key, application_facts(loaded))
    series = prefilled_series(application.pk, key)
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).exists()
        current = current_document(series)
        if current and current.is_ready and current.source_hash == digest:
            return current
        running = unfinished(series)
        if running and running.status != DocumentStatus.FAILED:
            _again_if_stuck(running)
            return running
        document = running or Document(series_key=series, version=next_version(series))
        document.kind = DocumentKind.PREFILLED
        document.template_key = key
        document.application = application
        document.campaign_id = application.campaign_id
        document.scope_kind = ScopeKind.APPLICATION
        document.scope_id = application.pk
        document.status = DocumentStatus.PENDING
        document.progress = 0
        document.requested_by = user if getattr(user, "pk", None) else None
        document.save()
        _requested(document, user)
        render_on_commit(document)
    return document


def review_form_queue(*, application_id: int, requested_by=None) -> Document:
    """Show a pending review form at once and render it in the worker."""
    series = review_form_series(application_id)
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application_id).exists()
        document = unfinished(series)
        if document is None:
            application = Application.objects.only("campaign_id").get(pk=application_id)
            document = Document.objects.create(
                kind=DocumentKind.REVIEW_FORM, series_key=series, version=next_version(series),
                application_id=application_id, campaign_id=application.campaign_id,
                scope_kind=ScopeKind.APPLICATION, scope_id=application_id, verify_code=new_verify_code(),
                requested_by=requested_by if getattr(requested_by, "pk", None) else None,
            )
            _requested(document, requested_by)
        elif document.status == DocumentStatus.FAILED:
            Document.objects.filter(pk=document.pk).update(status=DocumentStatus.PENDING, progress=0)
            document.refresh_from_db()
            _requested(document, requested_by)
        # A render already under way is asked again: the task is idempotent.  Someone waiting on a
        # page gets the interactive queue; the renders every acceptance starts go to ``bulk``.
        render_on_commit(document, queue=None if getattr(requested_by, "pk", None) else "bulk")
    return document


def review_form_after_transition(change) -> None:
    """Registered with ``review.effects`` (``DocumentsConfig.ready``): once the committee accepts
    (the transition has committed), render the review form."""
    if change.to_state == State.ACCEPTED:
        review_form_queue(application_id=change.application_id)
