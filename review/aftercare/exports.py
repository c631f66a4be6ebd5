"""The results publicity list (评审结果公示名单) of a campaign, as data, XLSX and PDF.

The list names the people who passed — that is what a 公示 is — with their unit, specialty,
level and the title obtained, and states the publicity period.  One query for the rows (the
title comes from the roster snapshot frozen at submission).  Both files are ``Document`` kinds
laid out by the worker (``publicity_list`` PDF, ``publicity_list_xlsx``; issue 16: the web process
reads no row of the list), a new version whenever the decisions change.
"""

from __future__ import annotations

import io

import datetime as dt

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Campaign
from applications.states import State
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record
from review.documents.models import Document, DocumentKind, DocumentStatus, ScopeKind
from review.documents.render import document_render
from review.documents.series import current_document, next_version
from review.documents.services import render_on_commit
from portal.spreadsheet import merge_text, workbook, write_row

from .certificates import day_text
from .models import DecisionResult, ResultPublicity

COLUMNS = ["序号", "姓名", "性别", "工作单位", "系列", "专业", "级别", "取得资格", "评审结果"]


def publicity_list_data(*, campaign: Campaign) -> dict:
    """Everything the list prints.  Raises ``ResultPublicity.DoesNotExist`` when no period is set."""
    publicity = ResultPublicity.objects.get(campaign=campaign)
    found = (Application.objects.filter(campaign=campaign, state__in=(State.DECIDED, State.CERTIFIED),
                                        decision__result=DecisionResult.PASS)
             .order_by("specialty__series__order", "specialty__order", "level__rank", "unit__name", "id")
             .values_list(KeyTextTransform("name", "snapshot"), "applicant__real_name",
                          KeyTextTransform("gender", "snapshot"), "unit__name", "specialty__series__name",
                          "specialty__name", "level__name", KeyTextTransform("title_applied_for", "snapshot")))
    passed = str(DecisionResult.PASS.label)
    # The printed columns only (no instance per row, the snapshot's three keys read in SQL).
    rows = [[index, name or real_name, gender or "", unit, series, specialty, level, title or level, passed]
            for index, (name, real_name, gender, unit, series, specialty, level, title)
            in enumerate(found.iterator(chunk_size=2000), start=1)]
    committee = campaign.committee.name
    contacts = "、".join(f"{c.name} {c.phone}" for c in campaign.contacts.all())
    return {
        "title": _("%(year)s年度%(committee)s评审通过人员公示名单") % {"year": campaign.year, "committee": committee},
        "intro": _("经%(committee)s评审，以下%(n)d名同志通过%(year)s年度职称评审，现予公示。") % {
            "committee": committee, "n": len(rows), "year": campaign.year},
        "period": _("公示期：%(start)s至%(end)s（%(days)d个工作日）。公示期内如有异议，请以书面或电话形式向%(committee)s办公室反映。") % {
            "start": day_text(publicity.start), "end": day_text(publicity.end), "days": publicity.working_days,
            "committee": committee},
        "contacts": _("联系人及电话：%s") % contacts if contacts else "",
        "committee": committee, "columns": COLUMNS, "rows": rows,
        "dated": day_text(publicity.start),
    }


KIND_OF_FORMAT = {"pdf": DocumentKind.PUBLICITY_LIST, "xlsx": DocumentKind.PUBLICITY_LIST_XLSX}
# A ready list is served again while the decisions and the period are unchanged, for this long; after
# it (a unit renamed, a contact added: things the version below does not see) a new one is rendered.
REUSE_SECONDS = 60


def publicity_list_series(campaign_id: int, fmt: str = "pdf") -> str:
    return f"publicity_list:c{campaign_id}" if fmt == "pdf" else f"publicity_list_{fmt}:c{campaign_id}"


def publicity_list_version(campaign: Campaign) -> str:
    """What the list's content depends on and changes often, in one aggregate query (the web
    process never reads the list itself: the worker does): the passes, the last decision, the
    period."""
    passes = Application.objects.filter(campaign=campaign, state__in=(State.DECIDED, State.CERTIFIED),
                                        decision__result=DecisionResult.PASS)
    found = passes.order_by().aggregate(n=Count("id"), last=Max("decision__id"), ids=Sum("id"))
    publicity = ResultPublicity.objects.get(campaign=campaign)
    return f"{found['n']}:{found['last']}:{found['ids']}:{publicity.start}:{publicity.end}:{publicity.working_days}"


def publicity_list_xlsx(data: dict) -> bytes:
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet(_("公示名单"))
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    text = book.add_format({"text_wrap": True, "valign": "top"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#EEEEEE"})
    cell = book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    last = len(data["columns"]) - 1
    merge_text(sheet, 0, 0, 0, last, data["title"], title)
    sheet.set_row(0, 30)
    merge_text(sheet, 1, 0, 1, last, data["intro"] + data["period"], text)
    sheet.set_row(1, 36)
    write_row(sheet, 3, 0, data["columns"], head)
    for offset, row in enumerate(data["rows"]):
        write_row(sheet, 4 + offset, 0, row, cell)
    widths = [6, 12, 6, 30, 12, 14, 8, 14, 10]
    for column, width in enumerate(widths[: last + 1]):
        sheet.set_column(column, column, width)
    footer = 5 + len(data["rows"])
    if data["contacts"]:
        merge_text(sheet, footer, 0, footer, last, data["contacts"], text)
    merge_text(sheet, footer + 1, 0, footer + 1, last, f"{data['committee']}　{data['dated']}",
               book.add_format({"align": "right"}))
    sheet.repeat_rows(3)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def publicity_list_request(*, campaign: Campaign, actor=None, fmt: str = "pdf") -> tuple[Document, bool]:
    """(document, ready): the list as PDF or XLSX, both laid out by the worker.  Ready when a
    render of the current version finished in the last ``REUSE_SECONDS``; otherwise a render is
    asked for (once: a second visit waits for the same render, a failed one is asked again) and
    the page waits for it.  Raises ``ResultPublicity.DoesNotExist`` when no period is set."""
    version = publicity_list_version(campaign)
    series = publicity_list_series(campaign.pk, fmt)
    with transaction.atomic():
        # Serialise requests of one campaign: two clerks must not race for the next version.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
        current = current_document(series)
        fresh = timezone.now() - dt.timedelta(seconds=REUSE_SECONDS)
        if (current is not None and current.is_ready and current.options.get("version") == version
                and current.finished_at and current.finished_at >= fresh):
            return current, True
        waiting = (Document.objects.filter(series_key=series, options__version=version)
                   .exclude(status=DocumentStatus.READY).order_by("-version").first())
        if waiting is not None and waiting.status != DocumentStatus.FAILED:
            return waiting, False
        if waiting is not None:
            Document.objects.filter(pk=waiting.pk).update(status=DocumentStatus.PENDING, progress=0, error="")
            document = Document.objects.get(pk=waiting.pk)
        else:
            document = Document.objects.create(
                kind=KIND_OF_FORMAT[fmt], series_key=series, version=next_version(series), campaign=campaign,
                scope_kind=ScopeKind.CAMPAIGN, scope_id=campaign.pk, scope_label=campaign.committee.name,
                options={"version": version}, requested_by=actor if getattr(actor, "pk", None) else None)
        audit_record(action=AuditAction.DOCUMENT_REQUESTED, actor=actor, obj=document,
                     after={"kind": document.kind, "version": document.version, "series": series})
        render_on_commit(document)
    return document, False


def publicity_list_render(*, campaign_id: int, fmt: str = "pdf") -> Document:
    """Render the current list in this process (benchmarks, tests): request it, then render it."""
    document, ready = publicity_list_request(campaign=Campaign.objects.select_related("committee").get(pk=campaign_id),
                                             fmt=fmt)
    return document if ready else document_render(document_id=document.pk)


__all__ = ["COLUMNS", "publicity_list_data", "publicity_list_render", "publicity_list_request",
           "publicity_list_series", "publicity_list_version", "publicity_list_xlsx"]
