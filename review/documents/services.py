"""Writes of the documents app: ask for a document, render it, store it.

Asking (web process, cheap): ``export_request``, ``prefilled_request``, ``review_form_queue`` create
or reuse a ``Document`` row of the right series and queue the worker with
``transaction.on_commit``.  A second click while a render is under way reuses that render.

Rendering (worker or command line): ``document_render(document_id=)`` and
``review_form_render(application_id=)``.  Side effects, in order:

1. mark the row ``rendering`` (attempt + 1, progress);
2. read the data (a fixed number of queries) and compute ``source_hash``; a review form whose data
   did not change since its current version is returned as is (no new version, same code);
3. render to bytes in memory — a crash here leaves nothing behind;
4. ``store_rendered``: write the bytes under their content-addressed name, atomically (temporary
   name, then rename; on S3 an upload is atomic), or reuse the file a crashed attempt already wrote;
5. in one transaction: point the row at the file, mark it ``ready`` and current, and mark the
   series' previous current version superseded (its verification code now reports 已作废).

Re-running any step after a crash converges on exactly one complete, current document.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Campaign

from ..models import StateChange
from ..states import AFTER_ACCEPTANCE, State
from .exports import INCLUDE_ACCEPTED, INCLUDE_CHOICES, fee_list_for, load_campaign, roster_for
from .facts import application_facts, application_for_documents, source_hash
from .models import (
    EXPORT_KINDS,
    Document,
    DocumentKind,
    DocumentStatus,
    ScopeKind,
    document_path,
    new_verify_code,
)
from .prefilled import TEMPLATES
from .scope import ExportScope, scope_from_document

logger = logging.getLogger(__name__)

UNFINISHED = (DocumentStatus.PENDING, DocumentStatus.RENDERING, DocumentStatus.FAILED)


class DocumentRefused(Exception):
    """A document cannot be made; ``message`` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- series ---------------------------------------------------------------------------------

def review_form_series(application_id: int) -> str:
    return f"review_form:a{application_id}"


def prefilled_series(application_id: int, key: str) -> str:
    return f"prefilled:{key}:a{application_id}"


def export_series(kind: str, campaign_id: int, scope: ExportScope, include: str) -> str:
    return f"{kind}:c{campaign_id}:{scope.key}:{include}"


def _next_version(series_key: str) -> int:
    return (Document.objects.filter(series_key=series_key).aggregate(v=Max("version"))["v"] or 0) + 1


def _unfinished(series_key: str) -> Document | None:
    return (Document.objects.select_for_update().filter(series_key=series_key, status__in=UNFINISHED)
            .order_by("-version").first())


def current_document(series_key: str) -> Document | None:
    return Document.objects.filter(series_key=series_key, is_current=True).first()


# --- queueing -------------------------------------------------------------------------------

def _queue(task, **kwargs) -> None:
    """Send after commit; a broker outage must not undo the request (the page offers a retry)."""
    def send():
        try:
            task.delay(**kwargs)
        except Exception:  # kombu raises many types; logged, the row stays pending for a retry
            logger.exception("could not queue %s %s", task.name, kwargs)

    transaction.on_commit(send)


def export_request(*, user, scope: ExportScope, campaign: Campaign, kind: str,
                   include: str = INCLUDE_ACCEPTED) -> Document:
    """Ask for a roster or fee list of ``scope`` in ``campaign``; renders in the worker."""
    from .tasks import render_document_task

    if kind not in EXPORT_KINDS:
        raise DocumentRefused(_("不支持的导出类型。"))
    if include not in INCLUDE_CHOICES:
        include = INCLUDE_ACCEPTED
    if kind in (DocumentKind.FEE_LIST_XLSX, DocumentKind.FEE_LIST_PDF):
        include = INCLUDE_ACCEPTED  # fees are due only once the committee has accepted
    series = export_series(kind, campaign.pk, scope, include)
    with transaction.atomic():
        # Serialise requests of one campaign: a double click must not race for the next version.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
        running = (Document.objects.select_for_update()
                   .filter(series_key=series, status__in=(DocumentStatus.PENDING, DocumentStatus.RENDERING))
                   .first())
        if running:
            return running
        document = Document.objects.create(
            kind=kind, series_key=series, version=_next_version(series), campaign=campaign,
            scope_kind=scope.kind, scope_id=scope.id, scope_label=scope.label, options={"include": include},
            requested_by=user if getattr(user, "pk", None) else None,
        )
        _queue(render_document_task, document_id=document.pk)
    return document


def prefilled_request(*, application: Application, key: str, user) -> Document:
    """The current PDF of template ``key`` for ``application`` if its data did not change, else a
    render queued in the worker (the page shows its progress)."""
    from .tasks import render_document_task

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
        running = _unfinished(series)
        if running and running.status != DocumentStatus.FAILED:
            return running
        document = running or Document(series_key=series, version=_next_version(series))
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
        _queue(render_document_task, document_id=document.pk)
    return document


def review_form_queue(*, application_id: int, requested_by=None) -> Document:
    """Show a pending review form at once and render it in the worker."""
    from .tasks import render_review_form_task

    series = review_form_series(application_id)
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application_id).exists()
        document = _unfinished(series)
        if document is None:
            application = Application.objects.only("campaign_id").get(pk=application_id)
            document = Document.objects.create(
                kind=DocumentKind.REVIEW_FORM, series_key=series, version=_next_version(series),
                application_id=application_id, campaign_id=application.campaign_id,
                scope_kind=ScopeKind.APPLICATION, scope_id=application_id, verify_code=new_verify_code(),
                requested_by=requested_by if getattr(requested_by, "pk", None) else None,
            )
        elif document.status == DocumentStatus.FAILED:
            Document.objects.filter(pk=document.pk).update(status=DocumentStatus.PENDING, progress=0)
            document.refresh_from_db()
        _queue(render_review_form_task, application_id=application_id)
    return document


def review_form_after_transition(change_id: int) -> None:
    """Called by ``review.effects.transition_committed``: the committee accepted, render the form."""
    application_id = (StateChange.objects.filter(pk=change_id, to_state=State.ACCEPTED)
                      .values_list("application_id", flat=True).first())
    if application_id is not None:
        review_form_queue(application_id=application_id)


# --- progress -------------------------------------------------------------------------------

class Progress:
    """Writes a document's progress (0–100) as the render goes; a few UPDATEs per document."""

    def __init__(self, document_id: int):
        self.document_id = document_id
        self.value = 0

    def __call__(self, value: float) -> None:
        value = max(0, min(99, int(value)))
        if value >= self.value + 3:
            self.value = value
            Document.objects.filter(pk=self.document_id).update(progress=value)

    @contextlib.contextmanager
    def estimate(self, start: int, end: int, seconds: float):
        """While a long layout runs (WeasyPrint reports nothing), advance from ``start`` towards
        ``end`` by the expected duration, from a helper thread.  Only outside a transaction: a
        second connection could not see the row, and on SQLite would wait for the writer lock."""
        self(start)
        if connection.in_atomic_block or seconds < 2:
            yield
            return
        stop = threading.Event()

        def tick():
            began = time.monotonic()
            try:
                while not stop.wait(1.0):
                    share = min(1.0, (time.monotonic() - began) / seconds)
                    self(start + (end - start) * share * 0.95)
            finally:
                close_old_connections()
                connection.close()

        thread = threading.Thread(target=tick, name=f"progress-{self.document_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)


# --- storing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rendered:
    content: bytes
    ext: str
    filename: str
    source_hash: str
    pages: int | None = None
    rows: int | None = None


def _safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:150]


def write_atomically(name: str, content: bytes, checksum: str, storage=default_storage) -> None:
    """Put ``content`` at ``name`` so that no reader ever sees half a file.

    If a previous attempt already stored the same bytes there, keep them.  On a local disk, write
    a temporary file and rename it into place; elsewhere (S3) one upload is atomic by itself.
    """
    if storage.exists(name):
        with storage.open(name, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest() == checksum:
                return
        storage.delete(name)
    try:
        path = storage.path(name)
    except NotImplementedError:
        stored = storage.save(name, ContentFile(content))
        if stored != name:
            raise RuntimeError(f"storage renamed {name} to {stored}")
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{uuid.uuid4().hex}.part"
    with open(tmp, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    permissions = getattr(settings, "FILE_UPLOAD_PERMISSIONS", None)
    if permissions:
        os.chmod(tmp, permissions)
    os.replace(tmp, path)


def store_rendered(document: Document, rendered: Rendered) -> Document:
    checksum = hashlib.sha256(rendered.content).hexdigest()
    document.checksum = checksum
    name = document_path(document, f"file.{rendered.ext}")
    write_atomically(name, rendered.content, checksum)
    now = timezone.now()
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        (Document.objects.filter(series_key=locked.series_key, is_current=True).exclude(pk=locked.pk)
         .update(is_current=False, superseded_at=now))
        locked.file.name = name
        locked.checksum = checksum
        locked.size = len(rendered.content)
        locked.pages = rendered.pages
        locked.rows = rendered.rows
        locked.filename = rendered.filename
        locked.source_hash = rendered.source_hash
        locked.status = DocumentStatus.READY
        locked.progress = 100
        locked.error = ""
        locked.finished_at = now
        locked.is_current = True
        locked.superseded_at = None
        locked.save()
    logger.info("document %s (%s v%s) stored: %s, %d bytes", locked.pk, locked.kind, locked.version, name,
                locked.size)
    return locked


def _start(document_id: int) -> Document:
    Document.objects.filter(pk=document_id).update(status=DocumentStatus.RENDERING, progress=5, error="",
                                                   started_at=timezone.now(), attempts=F("attempts") + 1)
    return Document.objects.get(pk=document_id)


def _fail(document_id: int, exc: Exception) -> None:
    # Users see what to do; the technical cause goes to the log for the administrator.
    logger.error("document %s failed: %r", document_id, exc, exc_info=exc)
    Document.objects.filter(pk=document_id).update(
        status=DocumentStatus.FAILED, error=_("生成失败，系统会自动重试；多次失败请联系系统管理员。"))


# --- rendering ------------------------------------------------------------------------------

def _photo_bytes(facts: dict) -> bytes | None:
    if not facts.get("photo"):
        return None
    from applications.models import Attachment

    attachment = Attachment.objects.only("file").get(pk=facts["photo"]["id"])
    with attachment.file.open("rb") as fh:
        return fh.read()


def verify_url(code: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("documents:verify", args=[code])


def _render_export(document: Document, progress: Progress) -> Rendered:
    from .export_files import render_fee_list_pdf, render_fee_list_xlsx, render_roster_pdf, render_roster_xlsx

    campaign = load_campaign(document.campaign_id)
    scope = scope_from_document(document)
    day = timezone.localdate(document.created_at)
    is_roster = document.kind in (DocumentKind.ROSTER_XLSX, DocumentKind.ROSTER_PDF)
    if is_roster:
        data = roster_for(campaign=campaign, scope=scope, include=document.options.get("include", INCLUDE_ACCEPTED),
                          generated_on=day).as_data()
        stem = _("申报人员花名册")
    else:
        data = fee_list_for(campaign=campaign, scope=scope, generated_on=day).as_data()
        stem = _("缴费清单")
    progress(25)
    digest = source_hash(document.kind, data)
    filename = _safe_filename(f"{stem}_{campaign.year}_{scope.label}")
    rows = len(data["rows"])
    if document.kind == DocumentKind.ROSTER_XLSX:
        content = render_roster_xlsx(data, on_progress=lambda share: progress(25 + 65 * share))
        return Rendered(content, "xlsx", filename + ".xlsx", digest, rows=rows)
    if document.kind == DocumentKind.FEE_LIST_XLSX:
        return Rendered(render_fee_list_xlsx(data), "xlsx", filename + ".xlsx", digest, rows=rows)
    render = render_roster_pdf if is_roster else render_fee_list_pdf
    # WeasyPrint lays a table out at about 10–12 ms a row (15 cells) on a 2-core machine and
    # reports nothing meanwhile: advance the bar by that estimate.
    with progress.estimate(30, 90, seconds=0.5 + rows * 0.011):
        pdf = render(data)
    return Rendered(pdf.content, "pdf", filename + ".pdf", digest, pages=pdf.pages, rows=rows)


def _render_prefilled(document: Document, progress: Progress) -> Rendered:
    from .prefilled import render_prefilled

    application = application_for_documents(document.application_id)
    facts = application_facts(application)
    spec = TEMPLATES[document.template_key]
    progress(30)
    photo = _photo_bytes(facts) if spec.uses_photo else None
    pdf = render_prefilled(document.template_key, facts, generated_on=timezone.localdate(document.created_at),
                           photo=photo)
    filename = _safe_filename(f"{spec.title}_{facts['basic']['name']}_{application.code}") + ".pdf"
    return Rendered(pdf.content, "pdf", filename, source_hash("prefilled", document.template_key, facts),
                    pages=pdf.pages)


def document_render(*, document_id: int) -> Document:
    """Render an export or a pre-filled template (the worker's task body).  Idempotent."""
    document = Document.objects.get(pk=document_id)
    if document.is_ready:
        return document
    if document.kind == DocumentKind.REVIEW_FORM:
        return review_form_render(application_id=document.application_id)
    document = _start(document_id)
    progress = Progress(document_id)
    try:
        if document.kind == DocumentKind.PREFILLED:
            rendered = _render_prefilled(document, progress)
        else:
            rendered = _render_export(document, progress)
    except Exception as exc:
        _fail(document_id, exc)
        raise
    return store_rendered(document, rendered)


def review_form_render(*, application_id: int) -> Document:
    """Render (or confirm) the current review form of an accepted application.  Idempotent: with
    unchanged data the current version is returned untouched; after edits a new version with a
    new verification code replaces it."""
    from .review_form import form_title, render_review_form

    application = application_for_documents(application_id)
    if application.state not in AFTER_ACCEPTANCE:
        raise DocumentRefused(_("该申报尚未通过评审委员会形式审核，不能生成评审表（当前状态：%s）。")
                              % application.get_state_display())
    facts = application_facts(application)
    digest = source_hash("review_form", facts)
    series = review_form_series(application_id)
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application_id).exists()
        current = current_document(series)
        if current and current.is_ready and current.source_hash == digest:
            Document.objects.filter(series_key=series, status__in=UNFINISHED).delete()
            return current
        document = _unfinished(series)
        if document is None:
            document = Document.objects.create(
                kind=DocumentKind.REVIEW_FORM, series_key=series, version=_next_version(series),
                application=application, campaign_id=application.campaign_id, scope_kind=ScopeKind.APPLICATION,
                scope_id=application_id, verify_code=new_verify_code())
        elif not document.verify_code:
            document.verify_code = new_verify_code()
            document.save(update_fields=["verify_code"])
    document = _start(document.pk)
    progress = Progress(document.pk)
    try:
        photo = _photo_bytes(facts)
        progress(30)
        pdf = render_review_form(
            facts, photo=photo, verify_code=document.display_verify_code, verify_url=verify_url(document.verify_code),
            generated_on=timezone.localdate(document.created_at), version=document.version)
    except Exception as exc:
        _fail(document.pk, exc)
        raise
    filename = _safe_filename(f"{form_title(facts)}_{facts['basic']['name']}_{application.code}") + ".pdf"
    return store_rendered(document, Rendered(pdf.content, "pdf", filename, digest, pages=pdf.pages))
