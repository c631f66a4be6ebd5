"""An application's sections and scans as a reviewer reads them: labelled fields, rows, and the
scans of each section.  Blind readers (committee) get the applicant's identifying fields blanked
and every text passed through the redactor, and only the scans they may open."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from applications.enums import CECategory, Education, EvaluationResult, Gender, PoliticalStatus, Section
from applications.enums import SpecialService, UnitNature

from .access import blind_may_open
from .changes import FIELD_LABELS, IDENTIFYING_FIELDS
from .selectors import REDACTED, is_blind, redactor_for
from .services import PUBLICITY_SLOTS

ENUM_OF_FIELD = {
    "gender": Gender, "political_status": PoliticalStatus, "unit_nature": UnitNature, "level": Education,
    "result": EvaluationResult, "category": CECategory, "special_service": SpecialService,
}
LEVEL_LABELS = {"junior": "初级", "intermediate": "中级", "": "无"}


def _value(key: str, value) -> str:
    if value is None:
        return _("至今") if key == "end" else _("无")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value) or _("无")
    enum = ENUM_OF_FIELD.get(key)
    if enum is not None:
        try:
            return str(enum(value).label)
        except ValueError:
            return str(value)
    if key == "title_level":
        return LEVEL_LABELS.get(value, str(value))
    return str(value)


@dataclass
class ScanView:
    attachment: object
    name: str
    visible: bool  # False: the reader may not open it (blind review of an unmasked scan)


@dataclass
class SectionView:
    key: str
    label: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    scans: list[ScanView] = field(default_factory=list)


# What a reader's page reads of the sections and scans (not a scan's OCR findings, boxes, pages or
# checksum, nor a section's errors: four JSON columns decoded for each of ~40 scans, issue 16).  A
# field not named here costs a query per scan when read: the pages' query-count tests notice.
SECTION_FIELDS = ("id", "application_id", "key", "is_complete", "data", "draft")
SCAN_FIELDS = ("id", "application_id", "section", "slot", "row", "order", "thumbnail", "masked", "content_type",
               "needs_masking")


def _read(application, relation: str, fields: tuple[str, ...]):
    """``application.<relation>``'s rows: those a caller prefetched, else only ``fields`` of them."""
    if relation in getattr(application, "_prefetched_objects_cache", {}):
        return getattr(application, relation).all()
    return getattr(application, relation).only(*fields)


def sections_for(application, viewer) -> list[SectionView]:
    """Sections in the order of ``Section``; only those with content or scans."""
    blind = is_blind(viewer)
    redact = redactor_for(application, viewer)
    data = {s.key: (s.data if s.is_complete else s.draft) for s in _read(application, "sections", SECTION_FIELDS)}
    names = dict(application.campaign.materials.values_list("code", "name"))
    names.update({k: str(v) for k, v in PUBLICITY_SLOTS.items()})
    scans: dict[str, list[ScanView]] = {}
    for attachment in _read(application, "attachments", SCAN_FIELDS):
        visible = blind_may_open(attachment) if blind else True
        scans.setdefault(attachment.section, []).append(
            ScanView(attachment, names.get(attachment.slot, attachment.slot), visible))
    views = []
    for key in Section.values:
        content = data.get(key) or {}
        view = SectionView(key, str(Section(key).label), scans=scans.get(key, []))
        for name, value in content.items():
            if name == "rows":
                continue
            shown = REDACTED if blind and name in IDENTIFYING_FIELDS else redact(_value(name, value))
            view.fields.append((FIELD_LABELS.get(name, name), shown))
        rows = content.get("rows") or []
        if rows:
            view.columns = [FIELD_LABELS.get(k, k) for k in rows[0].keys()]
            view.rows = [[redact(_value(k, v)) for k, v in row.items()] for row in rows]
        if view.fields or view.rows or view.scans:
            views.append(view)
    return views
