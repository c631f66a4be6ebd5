"""Writes of the applicant's pages: create an application from the profile, save sections (drafts
and valid content), autosave, upload and delete scans, answer the masking question.

Each function takes keyword arguments, runs in one transaction that first locks the application's
row and re-checks that it is editable (``lock_for_edit``), writes one audit event for the
change it makes (``portal.audit``; the actor is the applicant: the views only ever hand a service
the user's own application) and raises a ``portal.errors.Refused`` carrying a Chinese message
(``ApplicationRefused``, ``ApplicationLocked``, ``UploadRefused``, ``MaskingRefused``).  OCR is
queued on commit (``portal.dispatch``).  State changes (submit, resubmit, withdraw) are not here:
they go through the one door, ``review.services.application_transition``.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.validators import birth_date_of, gender_of
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record, changes
from portal.dispatch import enqueue_on_commit
from portal.errors import Conflict, Refused

from .checklist import ROW_EVIDENCE, ROW_SLOTS, build_checklist
from .enums import Section
from .forms import SectionContext, SectionEditor, json_to_raw, raw_delete_row
from .mask_input import MAX_BOXES, BoxesRefused, bounded_boxes
from .masking import burn_mask_boxes, burn_pdf_pages
from .models import (
    Application,
    ApplicationSection,
    Attachment,
    Campaign,
    Level,
    Processing,
    ProfileSection,
    Specialty,
    Unit,
)
from .ocr import ocr_available
from .processing import ensure_processed
from .sections import PROFILE_SECTIONS
from .states import EDITABLE, State
from .tasks import ocr_check_masked_task
from .uploads import MIN_SHORT_SIDE, MIN_SHORT_SIDE_BY_SLOT, PDF_RASTER_DPI, UploadRefused, attach, check_upload
from .uploads import SHARPNESS_EXEMPT_SLOTS

MAX_FILES_PER_SLOT = 30


class ApplicationRefused(Refused):
    """A write the applicant may not make now; ``message`` says why, in Chinese."""


class ApplicationLocked(ApplicationRefused, Conflict):
    """The application is not editable in its state (submitted, or the return deadline passed)."""


class MaskingRefused(ApplicationRefused):
    pass


def section_context(application: Application) -> SectionContext:
    return SectionContext(user=application.applicant, application=application)


def ensure_editable(application: Application, now: dt.datetime | None = None) -> None:
    """Only drafts and returned applications (within their deadline) can be changed."""
    if application.state not in EDITABLE:
        raise ApplicationLocked(_("该申报当前状态为“%s”，不能修改。如需修改，请联系推荐单位退回。")
                                % application.get_state_display())
    now = now or timezone.now()
    if application.state == State.RETURNED and application.return_deadline and now > application.return_deadline:
        raise ApplicationLocked(_("已超过退回修改期限（%s），不能再修改。")
                                % timezone.localtime(application.return_deadline).strftime("%Y-%m-%d %H:%M"))


def lock_for_edit(application: Application, now: dt.datetime | None = None) -> Application:
    """Lock the application's row until the transaction ends and check, on the row as it is now,
    that it may still change.  Every applicant write takes this lock first, as the one door does
    before a submission runs its checklist: a save sent together with the submit either lands
    before the checklist or is refused after it, never in between.  Returns the locked row."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    ensure_editable(locked, now)
    return locked


# --- creation ---------------------------------------------------------------------------------

def _basic_from_registration(application: Application) -> dict[str, list[str]]:
    """What the portal already knows for 基本信息: registration and the chosen unit."""
    user, unit = application.applicant, application.unit
    raw = {"basic-name": [user.real_name], "basic-phone": [user.phone or ""],
           "basic-unit_name": [unit.name], "basic-unit_nature": [unit.nature], "basic-county": [unit.county.name],
           "basic-grassroots_below_county": ["1" if unit.grassroots_below_county else "0"]}
    if user.id_number:
        raw.update({"basic-id_number": [user.id_number], "basic-birth_date": [birth_date_of(user.id_number).isoformat()],
                    "basic-gender": [gender_of(user.id_number)]})
    return raw


def _store(application: Application, key: str, raw: dict[str, list[str]]) -> tuple[ApplicationSection, SectionEditor]:
    editor = SectionEditor(key, context=section_context(application), raw=raw)
    valid = editor.is_valid()
    defaults = {"draft": raw, "is_complete": valid,
                "errors": {} if valid else {"messages": editor.error_messages()}}
    if valid:
        defaults["data"] = editor.to_json()
    section, _created = ApplicationSection.objects.update_or_create(application=application, key=key,
                                                                   defaults=defaults)
    return section, editor


@transaction.atomic
def application_create(*, applicant, campaign: Campaign, specialty: Specialty, level: Level, kind: str,
                       unit: Unit, now: dt.datetime | None = None) -> Application:
    """A new draft, pre-filled from the applicant's profile (and, for 基本信息, their registration).

    The application keeps its own copy of each section: later profile edits do not change it.
    """
    if not campaign.specialties.filter(pk=specialty.pk).exists():
        raise ApplicationRefused(_("本年度评审工作不包含“%s”专业。") % specialty)
    if not campaign.levels.filter(pk=level.pk).exists():
        raise ApplicationRefused(_("本年度评审工作不受理%s申报。") % level)
    if kind not in (campaign.kinds or []):
        raise ApplicationRefused(_("本年度评审工作不受理此申报类型。"))
    window = campaign.submission_window(kind)
    today = timezone.localdate(now) if now else timezone.localdate()
    if today > window.end:
        raise ApplicationRefused(_("网上申报已于%s截止，逾期不予受理。") % window)
    try:
        with transaction.atomic():
            application = Application.objects.create(applicant=applicant, campaign=campaign, specialty=specialty,
                                                     level=level, kind=kind, unit=unit)
    except IntegrityError:
        raise ApplicationRefused(_("您已有同一专业、级别和类型的申报，请在“我的申报”中继续填写。")) from None
    profile = {p.key: p.data for p in ProfileSection.objects.filter(user=applicant) if p.data}
    for key in PROFILE_SECTIONS:
        if key == Section.BASIC and key in profile:
            # The unit chosen for this application wins over the one remembered in the profile.
            unit_fields = {k: v for k, v in _basic_from_registration(application).items()
                           if k in ("basic-unit_name", "basic-unit_nature", "basic-county")}
            _store(application, key, {**json_to_raw(key, profile[key]), **unit_fields})
        elif key in profile:
            _store(application, key, json_to_raw(key, profile[key]))
        elif key == Section.BASIC:
            _store(application, key, {**json_to_raw(key, {}), **_basic_from_registration(application)})
    audit_record(action=AuditAction.APPLICATION_CREATED, actor=applicant, obj=application, after={
        "campaign": campaign.code, "specialty": specialty.pk, "level": level.pk, "kind": kind, "unit": unit.pk,
        "prefilled": sorted(k for k in PROFILE_SECTIONS if k in profile or k == Section.BASIC)})
    return application


# --- sections ---------------------------------------------------------------------------------

def _section_write(application: Application, key: str, raw: dict[str, list[str]],
                   ) -> tuple[ApplicationSection, SectionEditor, dict, dict]:
    """Keep ``raw`` as the draft; when it validates it becomes the content and, for profile
    sections, the profile.  Returns the section, its editor and what changed (before, after)."""
    lock_for_edit(application)
    old = ApplicationSection.objects.filter(application=application, key=key).first()
    was = {**(old.data if old else {}), "is_complete": bool(old and old.is_complete)}
    old_draft = (old.draft or {}) if old else {}
    section, editor = _store(application, key, raw)
    if section.is_complete and key in PROFILE_SECTIONS:
        ProfileSection.objects.update_or_create(user=application.applicant, key=key, defaults={"data": section.data})
    before, after = changes(was, {**section.data, "is_complete": section.is_complete})
    if not (before or after):
        # Only the draft moved (a form that does not validate yet): which fields were typed in.
        after = {"draft_fields": sorted(k for k in {*old_draft, *raw} if old_draft.get(k) != raw.get(k))}
    return section, editor, before, after


@transaction.atomic
def section_save(*, application: Application, key: str, raw: dict[str, list[str]]) -> tuple[ApplicationSection, SectionEditor]:
    """Keep ``raw`` as the draft whatever it holds; when it validates, it becomes the section's
    content and, for profile sections, the applicant's profile (pre-filling their next application)."""
    section, editor, before, after = _section_write(application, key, raw)
    audit_record(action=AuditAction.SECTION_SAVED, actor=application.applicant, obj=section,
                 application=application, before=before, after=after)
    return section, editor


@transaction.atomic
def section_autosave(*, application: Application, key: str, raw: dict[str, list[str]]) -> ApplicationSection:
    """The page saves every few seconds: same as ``section_save`` (a draft that validates is the
    content, so what is submitted is always what the applicant last saw); its own audit code."""
    section, _editor, before, after = _section_write(application, key, raw)
    audit_record(action=AuditAction.SECTION_DRAFT_SAVED, actor=application.applicant, obj=section,
                 application=application, before=before, after=after)
    return section


@transaction.atomic
def section_delete_row(*, application: Application, key: str, raw: dict[str, list[str]],
                       index: int) -> tuple[ApplicationSection, SectionEditor]:
    """Remove row ``index`` (as typed in ``raw``); scans tied to it are deleted, those of later rows
    move up with their rows."""
    lock_for_edit(application)
    slots = [slot for slot, section in ROW_SLOTS.items() if section == key]
    doomed = list(application.attachments.filter(slot__in=slots, row=index))
    removed = [{"slot": a.slot, "file": a.file.name} for a in doomed]
    for attachment in doomed:
        _delete_files_on_commit(attachment)
        attachment.delete()
    for attachment in application.attachments.filter(slot__in=slots, row__gt=index).order_by("row"):
        Attachment.objects.filter(pk=attachment.pk).update(row=attachment.row - 1)
    section, editor, before, after = _section_write(application, key, raw_delete_row(key, raw, index))
    audit_record(action=AuditAction.SECTION_ROW_DELETED, actor=application.applicant, obj=section,
                 application=application, before=before, after={**after, "row": index, "scans_removed": removed})
    return section, editor


@transaction.atomic
def profile_section_save(*, user, key: str, raw: dict[str, list[str]]) -> tuple[ProfileSection | None, SectionEditor]:
    """Profile sections are checked without a campaign; only valid content is kept (the page
    re-renders what was typed, and the browser keeps a copy, so nothing is lost)."""
    editor = SectionEditor(key, context=SectionContext(user=user), raw=raw)
    if not editor.is_valid():
        return None, editor
    old = ProfileSection.objects.filter(user=user, key=key).values_list("data", flat=True).first() or {}
    profile, _created = ProfileSection.objects.update_or_create(user=user, key=key,
                                                                defaults={"data": editor.to_json()})
    before, after = changes(old, profile.data)
    audit_record(action=AuditAction.PROFILE_SECTION_SAVED, actor=user, obj=profile, person=user, before=before,
                 after=after)
    return profile, editor


# --- attachments ------------------------------------------------------------------------------

@transaction.atomic
def attachment_upload(*, application: Application, upload, slot: str, row: int | None = None) -> Attachment:
    """Check one uploaded file for ``slot`` of the application's checklist and store it privately.

    Raises ``UploadRefused`` (bad file) or ``ApplicationRefused`` (wrong slot or row); nothing is
    stored then, and the sections are untouched.  The request only checks (``check_upload``); the
    file is stored as sent and the worker finishes it (``applications.processing``: re-encoding
    and thumbnail, or a PDF's page images; then OCR), which the page shows as progress.
    """
    lock_for_edit(application)
    checklist = build_checklist(application)
    found = next(((s, m) for s in checklist.sections for m in s.materials if m.material.code == slot), None)
    if found is None:
        raise ApplicationRefused(_("本申报不需要此项材料。"))
    status, material = found
    if material.have >= MAX_FILES_PER_SLOT:
        raise ApplicationRefused(_("此项材料最多上传%d个文件。") % MAX_FILES_PER_SLOT)
    if slot in ROW_SLOTS:
        if row is not None and not 0 <= row < len(status.rows):
            raise ApplicationRefused(_("请选择这份材料对应的是哪一项（先保存该栏目的内容）。"))
        if row is None and slot in ROW_EVIDENCE:
            raise ApplicationRefused(_("请选择这份证书对应的是哪一项。"))
    else:
        row = None
    checked = check_upload(upload, allow_pdf=material.material.allow_pdf,
                           min_short_side=MIN_SHORT_SIDE_BY_SLOT.get(slot, MIN_SHORT_SIDE),
                           check_sharpness=slot not in SHARPNESS_EXEMPT_SLOTS)
    attachment = attach(application, checked, section=material.material.section, slot=slot, row=row,
                        order=material.have)
    # OCR follows the worker's processing (it reads the finished scan); the page says so meanwhile.
    attachment.ocr_status = "pending" if ocr_available() else "unavailable"
    attachment.save(update_fields=["ocr_status"])  # ``attach`` queued the worker's pass
    audit_record(action=AuditAction.ATTACHMENT_UPLOADED, actor=application.applicant, obj=attachment,
                 application=application, after={"slot": slot, "row": row, "file": attachment.file.name,
                                                 "sha256": attachment.sha256, "name": attachment.original_name})
    return attachment


def _delete_files_on_commit(attachment: Attachment) -> None:
    """Files go once the row is gone for good: a rolled-back delete keeps both."""
    names = [f.name for f in (attachment.file, attachment.thumbnail, attachment.masked) if f]
    names += [page["name"] for page in attachment.pages]
    storage = attachment.file.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


@transaction.atomic
def attachment_delete(*, attachment: Attachment) -> None:
    application = attachment.application
    lock_for_edit(application)
    audit_record(action=AuditAction.ATTACHMENT_DELETED, actor=application.applicant, obj=attachment,
                 application=application, before={"slot": attachment.slot, "row": attachment.row,
                                                  "file": attachment.file.name, "sha256": attachment.sha256})
    _delete_files_on_commit(attachment)
    attachment.delete()


def _clean_boxes(boxes, sizes: list[tuple[int, int]], *, paged: bool) -> list[list[int]]:
    """Boxes clipped to their page, tiny ones dropped.  ``sizes`` holds one ``(width, height)`` per
    page: an image has one page and boxes ``[x, y, w, h]``; a PDF's boxes are ``[x, y, w, h, page]``
    in the pixels of its rasterised page (0-based).  Numbers are bounded by ``bounded_boxes``
    (``mask_input``): at most ``MAX_BOXES`` a page, finite, within reach of the page."""
    if not isinstance(boxes, list):
        raise MaskingRefused(_("遮盖区域格式不正确，请重新框选。"))
    if len(boxes) > MAX_BOXES * len(sizes):
        raise MaskingRefused(_("遮盖区域过多（每页最多%d处），请合并或删去一些后重试。") % MAX_BOXES)
    cleaned = []
    for box in boxes:
        if not isinstance(box, list) or len(box) not in (4, 5):
            raise MaskingRefused(_("遮盖区域格式不正确，请重新框选。"))
        page = box[4] if len(box) == 5 else 0
        if isinstance(page, bool) or not isinstance(page, int) or not 0 <= page < len(sizes):
            raise MaskingRefused(_("遮盖区域所在的页不存在，请重新框选。"))
        width, height = sizes[page]
        try:
            (numbers,) = bounded_boxes([box[:4]], width, height)
        except BoxesRefused as refused:
            raise MaskingRefused(refused.message) from None
        x, y, w, h = (int(round(v)) for v in numbers)
        if w < 0:
            x, w = x + w, -w
        if h < 0:
            y, h = y + h, -h
        left, top = max(0, x), max(0, y)
        right, bottom = min(width, x + w), min(height, y + h)
        if right - left >= 4 and bottom - top >= 4:
            cleaned.append([left, top, right - left, bottom - top, *([page] if paged else [])])
    return cleaned


def _read_field(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _masked_copy(attachment: Attachment, needs_masking: bool, boxes) -> tuple[list[list[int]], bytes | None]:
    """Validate the boxes and burn them: the boxes kept and the bytes of the new masked copy
    (None: an image without the name needs no copy).  Writes nothing."""
    if attachment.is_pdf:
        sizes = [(page["width"], page["height"]) for page in attachment.pages]
    else:
        sizes = [(attachment.width, attachment.height)]
    cleaned = _clean_boxes(boxes or [], sizes, paged=attachment.is_pdf) if needs_masking else []
    if needs_masking and not cleaned:
        if attachment.is_pdf:
            raise MaskingRefused(_("请在PDF的页面上框出本人姓名（可框多处、多页），或选择“否”。"))
        raise MaskingRefused(_("请在图片上框出本人姓名（可框多处），或选择“否”。"))
    if attachment.is_pdf:
        # Every page is rasterised, with or without boxes: the committee never gets the PDF itself.
        pages = [attachment.file.storage.open(page["name"], "rb") for page in attachment.pages]
        try:
            images = [page.read() for page in pages]
        finally:
            for page in pages:
                page.close()
        return cleaned, burn_pdf_pages(images, cleaned, dpi=PDF_RASTER_DPI)
    if not needs_masking:
        return [], None
    return cleaned, burn_mask_boxes(_read_field(attachment.file), cleaned)


@transaction.atomic
def attachment_set_masking(*, attachment: Attachment, needs_masking: bool, boxes=None) -> Attachment:
    """Answer 信息遮盖 for one scan: 否, or 是 with the boxes to burn into a masked copy.

    The original is never changed; committee reviewers get the masked copy
    (``Attachment.reviewer_file``).  A PDF's masked copy is its pages rasterised (boxes burnt into
    the pixels), whatever the answer.  The masked copy is read back by OCR in the worker.

    Atomic, in this order: validate the answer and the boxes (a refusal changes nothing), write the
    new masked copy under a new name, switch the row to it, and delete the previous copy only once
    the transaction has committed: a refusal, a crash or a rollback leaves the old copy in place
    and still served.
    """
    application = attachment.application
    lock_for_edit(application)
    attachment = ensure_processed(attachment)
    if attachment.processing_status != Processing.DONE:
        raise MaskingRefused(_("这个文件无法处理（可能已损坏），请删除后重新上传。"))
    was = {"needs_masking": attachment.needs_masking, "mask_boxes": attachment.mask_boxes}
    previous = attachment.masked.name or ""
    storage = attachment.masked.storage
    cleaned, masked = _masked_copy(attachment, needs_masking, boxes)
    attachment.mask_check, attachment.mask_check_status = [], ""
    attachment.needs_masking, attachment.mask_boxes = needs_masking, cleaned
    written = ""
    try:
        if masked is None:
            attachment.masked = ""
        else:
            # Saved under a new name (the storage never overwrites): the old copy is untouched.
            attachment.masked.save("masked", ContentFile(masked), save=False)
            written = attachment.masked.name
            if not needs_masking:
                attachment.mask_check_status = ""
            elif ocr_available():
                attachment.mask_check_status = "pending"
                enqueue_on_commit(ocr_check_masked_task, attachment_id=attachment.pk)
            else:
                attachment.mask_check_status = "unavailable"
        attachment.save()
        _masking_audit(attachment, was)
    except BaseException:
        if written:
            storage.delete(written)  # the row still points at the old copy: drop the orphan
        raise
    if previous and previous != attachment.masked.name:
        transaction.on_commit(lambda: storage.delete(previous))
    return attachment


def _masking_audit(attachment: Attachment, was: dict) -> None:
    before, after = changes(was, {"needs_masking": attachment.needs_masking, "mask_boxes": attachment.mask_boxes})
    audit_record(action=AuditAction.MASKING_ANSWERED, actor=attachment.application.applicant, obj=attachment,
                 application=attachment.application, before=before,
                 after={**after, "slot": attachment.slot, "masked": attachment.masked.name or ""})


__all__ = ["ApplicationLocked", "ApplicationRefused", "MaskingRefused", "UploadRefused", "application_create",
           "attachment_delete", "attachment_set_masking", "attachment_upload", "ensure_editable", "lock_for_edit",
           "profile_section_save", "section_autosave", "section_context", "section_delete_row", "section_save"]
