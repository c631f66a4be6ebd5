"""Series and versions: every render of one document (a review form, a template of an application,
an export of a scope, a certificate, a campaign's publicity list) is a version of its series;
the newest ready one is current."""

from __future__ import annotations

from django.db.models import Max

from .models import Document, DocumentStatus
from .scope import ExportScope

UNFINISHED = (DocumentStatus.PENDING, DocumentStatus.RENDERING, DocumentStatus.FAILED)


def review_form_series(application_id: int) -> str:
    return f"review_form:a{application_id}"


def prefilled_series(application_id: int, key: str) -> str:
    return f"prefilled:{key}:a{application_id}"


def export_series(kind: str, campaign_id: int, scope: ExportScope, include: str) -> str:
    return f"{kind}:c{campaign_id}:{scope.key}:{include}"


def next_version(series_key: str) -> int:
    return (Document.objects.filter(series_key=series_key).aggregate(v=Max("version"))["v"] or 0) + 1


def unfinished(series_key: str, *, lock: bool = True) -> Document | None:
    """The newest render of the series that is not done (``lock``: row-locked, call inside a
    transaction; ``lock=False`` for a read-only GET)."""
    documents = Document.objects.select_for_update() if lock else Document.objects
    return documents.filter(series_key=series_key, status__in=UNFINISHED).order_by("-version").first()


def current_document(series_key: str) -> Document | None:
    return Document.objects.filter(series_key=series_key, is_current=True).first()
