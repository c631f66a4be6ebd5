"""Rendering and storing documents (worker or command line): ``document_render(document_id=)``
and ``review_form_render(application_id=)``.  Side effects, in order:

1. mark the row ``rendering`` (attempt + 1, progress);
2. read the data (a fixed number of queries) and compute ``source_hash``; a review form whose data
   did not change since its current version is returned as is (no new version, same code);
3. render to bytes in memory — a crash here leaves nothing behind;
4. ``store_rendered``: write the bytes under their content-addressed name, atomically (temporary
   name, then rename; on S3 an upload is atomic), or reuse the file a crashed attempt already wrote;
5. in one transaction: point the row at the file, mark it ``ready`` and current, mark the
   series' previous current version superseded (its verification code now reports 已作废), and
   write the audit event (``document.rendered``).

Re-running any step after a crash converges on exactly one complete, current document.

Kinds rendered by the apps above documents (``review.aftercare``: certificates, the results
publicity list) register their renderer (``renderer_register``): a function of the document and
its ``Progress`` returning ``Rendered``; steps 1, 4 and 5 are the same for every kind.
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
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Attachment
from applications.states import AFTER_ACCEPTANCE
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record
from portal.errors import Refused

from .export_files import render_fee_list_pdf, render_fee_list_xlsx, render_roster_pdf, render_roster_xlsx
from .exports import INCLUDE_ACCEPTED, fee_list_for, load_campaign, roster_for
from .facts import application_facts, application_for_documents, source_hash
from .models import Document, DocumentKind, DocumentStatus, ScopeKind, document_path, new_verify_code
from .prefilled import TEMPLATES, render_prefilled
from .review_form import form_title, render_review_form
from .scope import scope_from_document
from .series import UNFINISHED, current_document, next_version, review_form_series, unfinished

logger = logging.getLogger(__name__)


class DocumentRefused(Refused):
    """A document cannot be made; ``message`` is shown to the user as is."""


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
        audit_record(action=AuditAction.DOCUMENT_RENDERED, obj=locked, application=locked.application_id,
                     after={"kind": locked.kind, "version": locked.version, "checksum": checksum,
                            "file": name, "verify_code": locked.verify_code or ""})
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


Renderer = Callable[[Document, Progress], Rendered]
RENDERERS: dict[str, Renderer] = {}


def renderer_register(kind: str, render: Renderer) -> None:
    """``render(document, progress) -> Rendered`` makes the bytes of documents of ``kind``."""
    RENDERERS[kind] = render


# --- rendering ------------------------------------------------------------------------------

def _photo_bytes(facts: dict) -> bytes | None:
    if not facts.get("photo"):
        return None
    attachment = Attachment.objects.only("file").get(pk=facts["photo"]["id"])
    with attachment.file.open("rb") as fh:
        return fh.read()


def verify_url(code: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("documents:verify", args=[code])


def _render_export(document: Document, progress: Progress) -> Rendered:
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
    """Render any document: an export, a template, a review form or a registered kind (the
    worker's task body).  Idempotent: a document already made is returned as it is."""
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
        elif document.kind in RENDERERS:
            rendered = RENDERERS[document.kind](document, progress)
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
        document = unfinished(series)
        if document is None:
            document = Document.objects.create(
                kind=DocumentKind.REVIEW_FORM, series_key=series, version=next_version(series),
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
