"""Pages of the committee meeting: the experts' (their packages, blind; declaration; opinion;
defense score; ballot; the chair's confirmation) and the clerk's (pool and import, meeting,
groups, agenda, draw, opening, attendance, ballots, tally, outcomes, minutes, chain check).

Views are thin: parse, call a service or selector, redirect with the message.  A refusal goes
back to the page it came from with its Chinese message on top.  An expert who may not see an
application gets 404 (``access.seat_for``), whether it exists or not.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Application, Attachment, Campaign, Committee
from portal.accounts.models import Role
from portal.errors import Refused
from review.aftercare.models import DefenseRecord
from review.access import blind_may_open
from review.display import sections_for
from review.selectors import redactor_for

from . import services
from .access import seat_for
from .chain import chain_verify
from .models import (
    AgendaItem,
    BallotCast,
    BallotChoiceValue,
    BallotStatus,
    Declaration,
    Expert,
    Meeting,
    MeetingStatus,
    Membership,
    Opinion,
    PanelDefenseScore,
)
from .selectors import expert_for, group_lists, items_of_expert, present_ids, seating_of, turnout, voters_of

DECLARATION_TEXT = _("本人承诺：严格遵守评审纪律，对评审材料、评审意见和表决情况保密；"
                     "与申报人存在近亲属、同一单位或其他可能影响公正评审的利害关系时，主动申请回避。")


def _back(request, fallback: str):
    return redirect(fallback)


def _run(request, fallback: str, call, success: str):
    try:
        call()
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, success)
    return _back(request, fallback)


# -- experts --------------------------------------------------------------------------------------------

def _expert_or_404(user) -> Expert:
    expert = expert_for(user)
    if expert is None:
        raise Http404
    return expert


@login_required
def mine(request):
    """The expert's meetings: declaration, packages (codes only), ballots open, confirmation."""
    expert = _expert_or_404(request.user)
    now = timezone.now()
    meetings = (Meeting.objects.filter(groups__memberships__expert=expert).distinct()
                .select_related("campaign", "chair"))
    rows = []
    for meeting in meetings:
        declared = Declaration.objects.filter(meeting=meeting, expert=expert).exists()
        items = items_of_expert(expert, meeting)
        voted = set(BallotCast.objects.filter(expert=expert, item__meeting=meeting).values_list("item_id", flat=True))
        opinions = set(Opinion.objects.filter(expert=expert, item__meeting=meeting).values_list("item_id", flat=True))
        present = expert.pk in present_ids(meeting.pk)
        rows.append({
            "meeting": meeting, "declared": declared, "review_open": meeting.review_open_at(now),
            "items": [{"item": i, "opinion": i.pk in opinions, "voted": i.pk in voted,
                       "can_vote": i.ballot == BallotStatus.OPEN and present and i.pk not in voted
                       and expert.pk in voters_of(i)} for i in items],
            "is_chair": meeting.chair_id == expert.pk, "can_confirm": meeting.chair_id == expert.pk
            and meeting.status == MeetingStatus.CLOSED,
        })
    return render(request, "meeting/mine.html", {"rows": rows, "expert": expert})


@login_required
def declaration(request, pk: int):
    expert = _expert_or_404(request.user)
    meeting = get_object_or_404(Meeting, pk=pk, groups__memberships__expert=expert)
    items = items_of_expert(expert, meeting)
    if request.method == "POST":
        if not request.POST.get("agree"):
            messages.error(request, _("请阅读并勾选回避与保密声明。"))
            return redirect("meeting:declaration", pk=pk)
        ids = [int(i) for i in request.POST.getlist("recuse") if i.isdigit()]
        return _run(request, "meeting:mine", lambda: services.declaration_make(
            meeting=meeting, user=request.user, statement=str(DECLARATION_TEXT), recuse_item_ids=ids,
            reason=request.POST.get("reason", "")), _("声明已提交。"))
    return render(request, "meeting/declaration.html", {
        "meeting": meeting, "items": items, "text": DECLARATION_TEXT,
        "declared": Declaration.objects.filter(meeting=meeting, expert=expert).first()})


def _package_item(request, pk: int) -> tuple[AgendaItem, Expert]:
    expert = _expert_or_404(request.user)
    item = AgendaItem.objects.select_related("meeting", "application").filter(pk=pk).first()
    seat = seat_for(request.user, item.application) if item is not None else None
    if seat is None or seat.pk != item.pk:
        raise Http404
    return item, expert


def _verdict_lines(application, redact) -> list[tuple[bool | None, str]]:
    """The rule engine's verdict on the application as submitted (blind: passed through the
    redactor); empty when the engine cannot answer from the sections."""
    from applications.checklist import build_checklist

    try:
        verdict = build_checklist(application).verdict
    except Exception:  # noqa: BLE001 - the package stays readable if the engine cannot answer
        return []
    if verdict is None:
        return []
    lines = [(verdict.eligible, _("符合申报条件") if verdict.eligible else _("不符合申报条件"))]
    lines += [(r.ok, redact(r.text)) for r in verdict.reasons]
    return lines


@login_required
def package(request, pk: int):
    """One application, blind: code, sections with identifying fields blanked, masked scans only,
    the rule engine's verdict, the defense score; the expert's opinion, and the others' once their
    own is recorded."""
    item, expert = _package_item(request, pk)
    application = (Application.objects.select_related("campaign", "specialty__series", "level", "unit")
                   .prefetch_related("sections", "attachments").get(pk=item.application_id))
    own = Opinion.objects.filter(item=item, expert=expert).first()
    others = []
    if own is not None:
        for n, opinion in enumerate(Opinion.objects.filter(item=item).exclude(expert=expert).order_by("id"), 1):
            others.append({"label": _("专家%d") % n, "opinion": opinion})
    defense = DefenseRecord.objects.filter(application=application).first()
    my_score = PanelDefenseScore.objects.filter(item=item, expert=expert).first()
    return render(request, "meeting/package.html", {
        "item": item, "app": application, "blind": True, "sections": sections_for(application, request.user),
        "verdict": _verdict_lines(application, redactor_for(application, request.user)),
        "defense": defense, "rubric": item.meeting.rubric, "own": own, "others": others, "my_score": my_score,
        "can_score": bool(defense and not defense.exempt and application.campaign.defense_scored
                          and my_score is None),
    })


@login_required
def package_scan(request, pk: int, attachment: int):
    item, _expert = _package_item(request, pk)
    scan = Attachment.objects.filter(pk=attachment, application_id=item.application_id).first()
    if scan is None or not blind_may_open(scan):
        raise Http404
    file = scan.reviewer_file
    if not file:
        raise Http404
    content_type = "application/pdf" if file.name.endswith(".pdf") else "image/jpeg"
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def opinion(request, pk: int):
    item, _expert = _package_item(request, pk)
    scores = {line["key"]: request.POST.get(f"score_{line['key']}", "") for line in item.meeting.rubric}
    return _run(request, reverse("meeting:package", args=[pk]), lambda: services.opinion_record(
        item=item, user=request.user, scores=scores, comment=request.POST.get("comment", "")),
        _("评审意见已提交。"))


@login_required
@require_POST
def defense_score(request, pk: int):
    item, _expert = _package_item(request, pk)
    return _run(request, reverse("meeting:package", args=[pk]), lambda: services.defense_score_record(
        item=item, user=request.user, score=request.POST.get("score", "")), _("答辩成绩已提交。"))


@login_required
@require_POST
def recuse(request, pk: int):
    item, _expert = _package_item(request, pk)
    return _run(request, "meeting:mine", lambda: services.recusal_declare(
        item=item, user=request.user, reason=request.POST.get("reason", "")), _("已申请回避。"))


@login_required
def ballot(request, pk: int):
    """The expert's ballot on one item (no review period needed: the sitting itself)."""
    expert = _expert_or_404(request.user)
    item = AgendaItem.objects.select_related("meeting", "application").filter(
        pk=pk, meeting__committee_id=expert.committee_id).first()
    if item is None or expert.pk not in seating_of(item).seated:
        raise Http404
    if request.method == "POST":
        return _run(request, "meeting:mine", lambda: services.ballot_cast(
            item=item, user=request.user, choice=request.POST.get("choice", "")), _("已投票。"))
    return render(request, "meeting/ballot.html", {
        "item": item, "choices": BallotChoiceValue.choices,
        "voted": BallotCast.objects.filter(item=item, expert=expert).exists(),
        "may_vote": expert.pk in voters_of(item)})


@login_required
@require_POST
def confirm(request, pk: int):
    _expert_or_404(request.user)
    meeting = get_object_or_404(Meeting, pk=pk)
    return _run(request, "meeting:mine", lambda: services.meeting_confirm(meeting=meeting, user=request.user),
                _("已确认评审结果。"))


# -- the clerk ------------------------------------------------------------------------------------------

def _clerk_or_404(user):
    if not (user.is_superuser or user.role == Role.ADMIN or (user.role == Role.COMMITTEE_CLERK and user.committee_id)):
        raise Http404


def _committee_of(request):
    if request.user.role == Role.COMMITTEE_CLERK:
        return request.user.committee
    # An administrator names the committee (``?committee=<id>``).
    committee_id = request.GET.get("committee", "")
    return Committee.objects.filter(pk=committee_id).first() if committee_id.isdigit() else None


def _meetings_for(user):
    meetings = Meeting.objects.select_related("campaign", "committee")
    return meetings.filter(committee_id=user.committee_id) if user.role == Role.COMMITTEE_CLERK else meetings


@login_required
def index(request):
    _clerk_or_404(request.user)
    committee = _committee_of(request)
    campaigns = Campaign.objects.filter(committee=committee).order_by("-year") if committee else []
    if request.method == "POST":
        campaign = get_object_or_404(Campaign, pk=request.POST.get("campaign"), committee=committee)

        def create():
            try:
                date = dt.date.fromisoformat(request.POST.get("date", ""))
                start = timezone.make_aware(dt.datetime.fromisoformat(request.POST.get("review_start", "")))
                end = timezone.make_aware(dt.datetime.fromisoformat(request.POST.get("review_end", "")))
            except ValueError:
                raise Refused(_("请填写会议日期和评审起止时间。")) from None
            meeting = services.meeting_create(campaign=campaign, actor=request.user, title=request.POST.get("title", ""),
                                              date=date, review_start=start, review_end=end)
            request.created_meeting = meeting

        response = _run(request, "meeting:index", create, _("评审会已创建。"))
        created = getattr(request, "created_meeting", None)
        return redirect("meeting:detail", pk=created.pk) if created else response
    return render(request, "meeting/index.html", {"meetings": _meetings_for(request.user), "campaigns": campaigns,
                                                  "committee": committee})


@login_required
def pool(request):
    _clerk_or_404(request.user)
    committee = _committee_of(request)
    if committee is None:
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的Excel文件。"))
            return redirect("meeting:pool")

        def run():
            report = services.experts_import(committee=committee, actor=request.user, file=upload)
            request.imported = len(report.created)

        response = _run(request, "meeting:pool", run, _("导入完成。"))
        if getattr(request, "imported", None) is not None:
            messages.info(request, _("共导入%d名专家。") % request.imported)
        return response
    today = timezone.localdate()
    experts = [{"expert": e, "in_term": e.in_term_on(today)}
               for e in Expert.objects.filter(committee=committee).select_related("user")]
    return render(request, "meeting/pool.html", {"experts": experts, "committee": committee,
                                                 "in_term": sum(1 for e in experts if e["in_term"])})


@login_required
def pool_template(request):
    _clerk_or_404(request.user)
    response = HttpResponse(services.import_template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''expert-pool-template.xlsx"
    return response


def _clerk_meeting(request, pk: int) -> Meeting:
    _clerk_or_404(request.user)
    return get_object_or_404(_meetings_for(request.user), pk=pk)


@login_required
def detail(request, pk: int):
    meeting = _clerk_meeting(request, pk)
    present = present_ids(meeting.pk)
    groups = []
    for group in meeting.groups.all():
        members, alternates = group_lists(group.pk)
        rows = {m.expert_id: m for m in Membership.objects.filter(group=group).select_related("expert")}
        groups.append({"group": group, "members": [rows[e] for e in members], "alternates": [rows[e] for e in alternates],
                       "present": len(set(members) & present)})
    items = []
    for item in meeting.items.select_related("application__specialty", "application__level", "group"):
        seating = seating_of(item)
        cast, voters = turnout(item)
        quorum = services.quorum_of(item) if meeting.status != MeetingStatus.PREPARING else None
        items.append({"item": item, "recusals": list(item.recusals.select_related("expert")),
                      "stepped_in": len(seating.stepped_in), "cast": cast, "voters": voters, "quorum": quorum})
    eligible = (Application.objects.filter(campaign=meeting.campaign, state__in=services.AGENDA_STATES)
                .exclude(meeting_items__meeting=meeting).select_related("specialty", "level"))
    draws = [{"draw": d, "reproduced": services.draw_reproduce(d)} for d in meeting.draws.all()]
    drawn = Expert.objects.filter(memberships__group__meeting=meeting).distinct()
    return render(request, "meeting/detail.html", {
        "meeting": meeting, "groups": groups, "items": items, "eligible": eligible, "draws": draws,
        "drawn": drawn, "present": present, "chain": chain_verify(meeting) if meeting.records.exists() else None,
        "preparing": meeting.status == MeetingStatus.PREPARING, "open": meeting.status == MeetingStatus.OPEN,
    })


def _meeting_action(request, pk: int, call, success: str):
    meeting = _clerk_meeting(request, pk)
    return _run(request, reverse("meeting:detail", args=[pk]), lambda: call(meeting), success)


@login_required
@require_POST
def group(request, pk: int):
    def call(meeting):
        try:
            size = int(request.POST.get("size", ""))
            alternates = int(request.POST["alternates"]) if request.POST.get("alternates") else None
        except ValueError:
            raise Refused(_("请填写委员人数和候补人数（整数）。")) from None
        services.group_save(meeting=meeting, actor=request.user, name=request.POST.get("name", ""), size=size,
                            alternates=alternates, specialties=request.POST.get("specialties", ""))
    return _meeting_action(request, pk, call, _("学科组已保存。"))


@login_required
@require_POST
def agenda(request, pk: int):
    def call(meeting):
        group = get_object_or_404(meeting.groups, pk=request.POST.get("group"))
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        if not ids:
            raise Refused(_("请选择申报。"))
        services.agenda_set(meeting=meeting, group=group, application_ids=ids, actor=request.user)
    return _meeting_action(request, pk, call, _("评审事项已安排。"))


@login_required
@require_POST
def draw(request, pk: int):
    def call(meeting):
        seed = request.POST.get("seed", "").strip()
        if seed and not seed.isdigit():
            raise Refused(_("随机种子须为非负整数（留空则自动生成）。"))
        services.panel_draw(meeting=meeting, actor=request.user, seed=int(seed) if seed else None,
                            reason=request.POST.get("reason", ""))
    return _meeting_action(request, pk, call, _("已抽取评审专家。"))


@login_required
@require_POST
def open_meeting(request, pk: int):
    def call(meeting):
        chair = Expert.objects.filter(pk=request.POST.get("chair"), memberships__group__meeting=meeting).first()
        services.meeting_open(meeting=meeting, actor=request.user, chair=chair)
    return _meeting_action(request, pk, call, _("评审会已开始，请记录出席情况。"))


@login_required
@require_POST
def attendance(request, pk: int):
    ids = [int(i) for i in request.POST.getlist("present") if i.isdigit()]
    return _meeting_action(request, pk, lambda meeting: services.attendance_record(
        meeting=meeting, actor=request.user, present_ids_=ids), _("出席情况已记录。"))


@login_required
@require_POST
def ballot_action(request, pk: int, item: int, action: str):
    def call(meeting):
        agenda_item = get_object_or_404(meeting.items, pk=item)
        if action == "open":
            services.ballot_open(item=agenda_item, actor=request.user)
        elif action == "close":
            services.ballot_close(item=agenda_item, actor=request.user)
        else:
            raise Http404
    return _meeting_action(request, pk, call, _("已开始表决。") if action == "open" else _("表决已结束，已计票。"))


@login_required
@require_POST
def outcomes(request, pk: int):
    def call(meeting):
        done, refused = services.outcomes_apply(meeting=meeting, actor=request.user)
        for application_id, message in refused:
            messages.error(request, f"{application_id}: {message}")
        if not done and refused:
            raise Refused(_("未能记录评审结果。"))
    return _meeting_action(request, pk, call, _("评审结果已记录。"))


@login_required
def minutes(request, pk: int):
    """The minutes PDF: downloaded when current, else asked of the worker (the page waits)."""
    from urllib.parse import quote

    from .minutes import minutes_request

    meeting = _clerk_meeting(request, pk)
    document, ready = minutes_request(meeting=meeting, actor=request.user)
    if not ready:
        return render(request, "aftercare/wait.html", {"what": _("会议纪要"), "error": document.error,
                                                       "back": reverse("meeting:detail", args=[pk])})
    with document.file.open("rb") as pdf:
        response = HttpResponse(pdf.read(), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.filename or 'minutes.pdf')}"
    return response


@login_required
def archive(request, pk: int, item: int):
    """The 评审档案 of one application of the meeting (ZIP)."""
    from urllib.parse import quote

    from .minutes import archive_zip

    meeting = _clerk_meeting(request, pk)
    agenda_item = get_object_or_404(meeting.items.select_related("application", "meeting"), pk=item)
    filename, payload = archive_zip(agenda_item)
    response = HttpResponse(payload, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
