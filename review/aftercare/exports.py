"""The results publicity list (评审结果公示名单) of a campaign, as data, XLSX and PDF.

The list names the people who passed — that is what a 公示 is — with their unit, specialty,
level and the title obtained, and states the publicity period.  One query for the rows (the
title comes from the roster snapshot frozen at submission).  The XLSX is written in the web
process (XlsxWriter, milliseconds); the PDF is laid out by the worker (``render_publicity_list``)
and kept on ``ResultPublicity.list_pdf`` until the decisions change.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from applications.models import Application, Campaign
from portal.spreadsheet import merge_text, workbook, write_row

from ..states import State
from .certificates import day_text
from .models import DecisionResult, ResultPublicity, publicity_list_path

logger = logging.getLogger(__name__)

COLUMNS = ["序号", "姓名", "性别", "工作单位", "系列", "专业", "级别", "取得资格", "评审结果"]


def publicity_list_data(*, campaign: Campaign) -> dict:
    """Everything the list prints.  Raises ``ResultPublicity.DoesNotExist`` when no period is set."""
    publicity = ResultPublicity.objects.get(campaign=campaign)
    apps = (Application.objects.filter(campaign=campaign, state__in=(State.DECIDED, State.CERTIFIED),
                                       decision__result=DecisionResult.PASS)
            .select_related("unit", "level", "specialty__series", "applicant")
            .order_by("specialty__series__order", "specialty__order", "level__rank", "unit__name", "id"))
    rows = []
    for index, app in enumerate(apps, start=1):
        snapshot = app.snapshot or {}
        rows.append([index, snapshot.get("name") or app.applicant.real_name, snapshot.get("gender", ""),
                     app.unit.name, app.specialty.series.name, app.specialty.name, app.level.name,
                     snapshot.get("title_applied_for") or app.level.name, str(DecisionResult.PASS.label)])
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


def digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


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


def publicity_list_render(*, campaign_id: int) -> ResultPublicity:
    """The worker's task body: render the PDF of the current data unless it is already stored."""
    from .render import render_pdf

    campaign = Campaign.objects.select_related("committee").get(pk=campaign_id)
    data = publicity_list_data(campaign=campaign)
    source = digest(data)
    publicity = ResultPublicity.objects.get(campaign=campaign)
    if publicity.list_source == source and publicity.list_pdf:
        return publicity
    try:
        content = render_pdf(render_to_string("aftercare/pdf/publicity_list.html", {"d": data}))
    except Exception as exc:
        ResultPublicity.objects.filter(pk=publicity.pk).update(list_error=str(exc)[:300] or type(exc).__name__)
        raise
    from .render import store_pdf

    publicity.list_source = source
    stored = store_pdf(publicity_list_path(publicity, "list.pdf"), content)
    ResultPublicity.objects.filter(pk=publicity.pk).update(list_pdf=stored, list_source=source, list_error="")
    logger.info("publicity list of campaign %s rendered: %d rows, %d bytes", campaign_id, len(data["rows"]),
                len(content))
    publicity.refresh_from_db()
    return publicity


def publicity_list_request(*, campaign: Campaign) -> tuple[ResultPublicity, bool]:
    """(publicity, ready): ready when the stored PDF shows the current data; otherwise the worker
    is asked (once per data version) and the page waits."""
    from django.db import transaction

    from .tasks import render_publicity_list_task

    data = publicity_list_data(campaign=campaign)
    source = digest(data)
    publicity = ResultPublicity.objects.get(campaign=campaign)
    if publicity.list_source == source and publicity.list_pdf:
        return publicity, True
    if publicity.list_requested != source or publicity.list_error:
        ResultPublicity.objects.filter(pk=publicity.pk).update(list_requested=source, list_error="")
        campaign_id = campaign.pk

        def send():
            try:
                render_publicity_list_task.delay(campaign_id=campaign_id)
            except Exception:
                logger.exception("could not queue the publicity list of campaign %s", campaign_id)

        transaction.on_commit(send)
    publicity.refresh_from_db()
    return publicity, False


__all__ = ["COLUMNS", "publicity_list_data", "publicity_list_render", "publicity_list_request",
           "publicity_list_xlsx"]
