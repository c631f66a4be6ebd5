"""The meeting's files: the minutes (会议纪要, a ``Document`` of kind ``minutes`` rendered by the
worker through the documents app's renderer registry) and the 评审档案 of one application (a
ZIP made on request).

The minutes name the experts (members, attendance, recusals, the chair) and give per application
the tally and the outcome; they are the committee's record, never shown to applicants.  The
archive is what an application's file keeps: its review form, its masked scans, the opinions
without names (专家1, 专家2 …), the tally, the decision, its audit events and the chain records
of its item with their hashes.
"""

from __future__ import annotations

import io
import json
import zipfile

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal.audit.actions import AuditAction
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from review.aftercare.models import Decision
from review.access import blind_may_open
from review.documents.engine import engine
from review.documents.facts import source_hash
from review.documents.models import Document, DocumentKind, DocumentStatus, ScopeKind
from review.documents.render import Progress, Rendered
from review.documents.series import current_document, next_version, review_form_series
from review.documents.services import render_on_commit

from .chain import canonical
from .models import AgendaItem, Meeting, MeetingRecord, Membership, Opinion
from .selectors import present_ids


def minutes_series(meeting_id: int) -> str:
    return f"minutes:m{meeting_id}"


def minutes_data(meeting: Meeting) -> dict:
    present = present_ids(meeting.pk)
    groups = []
    for group in meeting.groups.order_by("order", "pk"):
        rows = Membership.objects.filter(group=group).select_related("expert").order_by("kind", "order")
        groups.append({"name": group.name, "size": group.size, "members": [
            {"name": m.expert.name, "unit": m.expert.unit_name, "title": m.expert.title,
             "kind": m.get_kind_display(), "present": "出席" if m.expert_id in present else "缺席",
             "chair": m.expert_id == meeting.chair_id} for m in rows]})
    items = []
    for item in meeting.items.select_related("application__specialty", "application__level", "group"):
        tally = item.tally or {}
        items.append({
            "code": item.application.code, "specialty": item.application.specialty.name,
            "level": str(item.application.level), "group": item.group.name,
            "recusals": [f"{r.expert.name}（{r.get_kind_display()}：{r.reason}）"
                         for r in item.recusals.select_related("expert")],
            "yes": tally.get("yes", ""), "no": tally.get("no", ""), "abstain": tally.get("abstain", ""),
            "voters": tally.get("voters", ""), "needed": tally.get("needed", ""),
            "result": ("通过" if tally.get("passed") else "未通过") if tally else "未表决",
        })
    head = meeting.records.order_by("-seq").first()
    draw = meeting.draws.order_by("-number").first()
    return {
        "title": f"{meeting.committee.name}{meeting.title}会议纪要", "committee": meeting.committee.name,
        "campaign": str(meeting.campaign), "date": meeting.date.isoformat(),
        "numbers": meeting.numbers, "groups": groups, "items": items,
        "present": len(present), "chair": meeting.chair.name if meeting.chair else "",
        "confirmed": timezone.localtime(meeting.confirmed_at).strftime("%Y-%m-%d %H:%M") if meeting.confirmed_at else "",
        "seed": draw.seed if draw else None, "draw_number": draw.number if draw else None,
        "chain_head": head.hash if head else "", "chain_records": head.seq if head else 0,
    }


def minutes_request(*, meeting: Meeting, actor=None) -> tuple[Document, bool]:
    """(document, ready): the current minutes when they show the current data, else a render is
    asked for (once per data version), as for the results publicity list."""
    data = minutes_data(meeting)
    digest = source_hash("minutes", data)
    series = minutes_series(meeting.pk)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).exists()
        current = current_document(series)
        if current is not None and current.is_ready and current.source_hash == digest:
            return current, True
        waiting = (Document.objects.filter(series_key=series, options__digest=digest)
                   .exclude(status=DocumentStatus.READY).order_by("-version").first())
        if waiting is not None and waiting.status != DocumentStatus.FAILED:
            return waiting, False
        if waiting is not None:
            Document.objects.filter(pk=waiting.pk).update(status=DocumentStatus.PENDING, progress=0, error="")
            document = Document.objects.get(pk=waiting.pk)
        else:
            document = Document.objects.create(
                kind=DocumentKind.MINUTES, series_key=series, version=next_version(series),
                campaign_id=meeting.campaign_id, scope_kind=ScopeKind.COMMITTEE, scope_id=meeting.committee_id,
                scope_label=meeting.committee.name, options={"digest": digest, "meeting": meeting.pk},
                requested_by=actor if getattr(actor, "pk", None) else None)
        audit_record(action=AuditAction.DOCUMENT_REQUESTED, actor=actor, obj=document,
                     after={"kind": document.kind, "version": document.version, "series": series})
        render_on_commit(document)
    return document, False


def minutes_document(document, progress: Progress) -> Rendered:
    """Renderer of kind ``minutes`` (registered in ``MeetingConfig.ready``)."""
    meeting = Meeting.objects.select_related("committee", "campaign", "chair").get(pk=document.options["meeting"])
    data = minutes_data(meeting)
    progress(30)
    pdf = engine().render(render_to_string("meeting/pdf/minutes.html", {"d": data}))
    return Rendered(pdf.content, "pdf", f"{data['title']}.pdf", source_hash("minutes", data), pages=pdf.pages)


def archive_zip(item: AgendaItem) -> tuple[str, bytes]:
    """(filename, bytes) of the 评审档案 of one application of the meeting."""
    item = AgendaItem.objects.select_related("application", "meeting").get(pk=item.pk)
    application = item.application
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        form = current_document(review_form_series(application.pk))
        if form is not None and form.is_ready:
            with form.file.open("rb") as fh:
                archive.writestr(f"01_评审表_v{form.version}.pdf", fh.read())
        for n, scan in enumerate(application.attachments.order_by("section", "order", "id"), 1):
            if blind_may_open(scan) and scan.reviewer_file:
                ext = scan.reviewer_file.name.rsplit(".", 1)[-1]
                with scan.reviewer_file.open("rb") as fh:
                    archive.writestr(f"02_材料（已遮盖）/{n:02d}_{scan.slot}.{ext}", fh.read())
        opinions = [{"专家": f"专家{n}", "评分": o.scores, "合计": str(o.total), "意见": o.comment}
                    for n, o in enumerate(Opinion.objects.filter(item=item).order_by("id"), 1)]
        archive.writestr("03_评审意见（匿名）.json", json.dumps(opinions, ensure_ascii=False, indent=1))
        archive.writestr("04_计票结果.json", json.dumps({"申报编号": application.code, "计票": item.tally,
                                                      "评审会": str(item.meeting)}, ensure_ascii=False, indent=1))
        decision = Decision.objects.filter(application=application).first()
        archive.writestr("05_评审结果.json", json.dumps(
            {"结果": decision.get_result_display(), "会议日期": decision.meeting_date.isoformat(),
             "答辩": decision.defense_basis} if decision else {"结果": "尚未记录"}, ensure_ascii=False, indent=1))
        events = [{"time": e.created_at.isoformat(), "action": e.action, "role": e.actor_role,
                   "object": e.object_repr, "after": e.after}
                  for e in AuditEvent.objects.filter(application=application).order_by("created_at", "id")
                  if e.action not in (AuditAction.BALLOT_CAST, AuditAction.OPINION_RECORDED)]
        archive.writestr("06_操作记录.jsonl", "\n".join(canonical(e) for e in events))
        refs = {str(item.pk)} | {str(o.pk) for o in Opinion.objects.filter(item=item)}
        chain = [{"seq": r.seq, "kind": r.kind, "ref": r.ref, "prev_hash": r.prev_hash, "hash": r.hash}
                 for r in MeetingRecord.objects.filter(meeting=item.meeting).order_by("seq")
                 if r.ref in refs or (r.payload.get("item") == item.pk)]
        archive.writestr("07_记录链.json", json.dumps(chain, ensure_ascii=False, indent=1))
    return f"评审档案_{application.code}.zip", out.getvalue()
