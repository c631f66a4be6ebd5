"""Writes of the committee meeting.  Each service takes keyword-only arguments, checks who acts
(the clerk of the meeting's committee or an administrator; an expert for their own declaration,
opinion, score and ballot), writes in one transaction with the meeting row locked, writes its
audit event in that transaction (``portal.audit``) and appends what the meeting must prove to
the hash chain (``chain.chain_append``).  Refusals raise ``portal.errors.Refused`` (or
``Forbidden`` / ``Conflict``) with a Chinese message; nothing is written then.

The ballot's secrecy: ``ballot_cast`` writes a ``BallotCast`` (who) and a ``BallotChoice``
(what, random UUID) and an audit event that names the voter but not the choice; the chain gets
the choices only when the ballot closes, sorted by their random ids.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Campaign, Unit
from applications.states import State
from portal.accounts.models import Role, User
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record, field_values
from portal.errors import Conflict, Forbidden, Refused
from review.aftercare.models import DefenseRecord
from review.aftercare.services import decisions_record

from .chain import (
    attendance_payload,
    chain_append,
    choice_payload,
    opinion_payload,
    recusal_payload,
    score_payload,
)
from .models import (
    AgendaItem,
    Attendance,
    BallotCast,
    BallotChoice,
    BallotChoiceValue,
    BallotStatus,
    CommitteeRules,
    Declaration,
    Draw,
    Expert,
    ExpertStatus,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipKind,
    Opinion,
    PanelDefenseScore,
    PanelGroup,
    Recusal,
    RecusalKind,
    RecordKind,
)
from .rules import (
    DEFAULT_NUMBERS,
    DrawImpossible,
    GroupSpec,
    MeetingNumbers,
    PoolEntry,
    UnitLink,
    alternates_for,
    automatic_recusal,
    draw_panel,
    quorum_met,
    quorum_needed,
    snapshot,
    tally,
    term_ok,
)
from .selectors import expert_for, group_lists, present_ids, recused_ids, seating_of, voters_of

DEFAULT_RUBRIC = [
    {"key": "achievement", "label": "业绩", "max": 40},
    {"key": "papers", "label": "论文", "max": 30},
    {"key": "ability", "label": "能力", "max": 30},
]
RECUSAL_REASONS = {"same_unit": "与申报人同一单位", "competent_unit": "系申报人单位的主管单位"}


# -- who acts ------------------------------------------------------------------------------------------

def _is_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def clerk_check(actor, committee_id: int) -> None:
    if _is_admin(actor):
        return
    if (actor is None or not actor.is_authenticated or actor.role != Role.COMMITTEE_CLERK
            or actor.committee_id != committee_id):
        raise Forbidden(_("只有本评审委员会办公室可以进行此操作。"))


def expert_check(user, meeting: Meeting) -> Expert:
    expert = expert_for(user)
    if expert is None or expert.committee_id != meeting.committee_id:
        raise Forbidden(_("只有本评审委员会的评审专家可以进行此操作。"))
    return expert


def _locked_meeting(meeting_id: int) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting_id)


def committee_numbers(committee) -> MeetingNumbers:
    rules = CommitteeRules.objects.filter(committee=committee).first()
    if rules is None:
        return DEFAULT_NUMBERS
    return MeetingNumbers(**{k: getattr(rules, k) for k in DEFAULT_NUMBERS.as_dict()})


def numbers_of(meeting: Meeting) -> MeetingNumbers:
    return MeetingNumbers(**meeting.numbers)


# -- the pool -----------------------------------------------------------------------------------------

def _split_specialties(text) -> list[str]:
    if isinstance(text, (list, tuple)):
        return [str(s).strip() for s in text if str(s).strip()]
    parts = str(text or "").replace("，", "、").replace(",", "、").replace(";", "、").replace("；", "、").split("、")
    return [p.strip() for p in parts if p.strip()]


def expert_save(*, committee, actor, name: str, unit_name: str, term_start: dt.date, term_end: dt.date,
                series: str = "", specialties=(), title: str = "", status: str = ExpertStatus.ACTIVE,
                username: str = "", expert: Expert | None = None) -> Expert:
    """Create or change one expert of ``committee``'s pool (and their login, role ``expert``)."""
    clerk_check(actor, committee.pk)
    name, unit_name = (name or "").strip(), (unit_name or "").strip()
    if not name or not unit_name:
        raise Refused(_("请填写专家姓名和工作单位。"))
    if not term_ok(term_start, term_end, committee_numbers(committee)):
        raise Refused(_("聘期须从开始日期起不超过%d年。") % committee_numbers(committee).max_term_years)
    if status not in ExpertStatus.values:
        raise Refused(_("专家状态无效。"))
    with transaction.atomic():
        was = field_values(expert) if expert is not None else {}
        expert = expert or Expert(committee=committee)
        expert.name, expert.unit_name, expert.series = name, unit_name, (series or "").strip()
        expert.unit = Unit.objects.filter(name=unit_name).first()
        expert.specialties = _split_specialties(specialties)
        expert.title, expert.term_start, expert.term_end, expert.status = (title or "").strip(), term_start, \
            term_end, status
        username = (username or "").strip()
        if username and expert.user_id is None:
            if User.objects.filter(username=username).exists():
                raise Conflict(_("登录名“%s”已被使用。") % username)
            user = User(username=username, real_name=name, role=Role.EXPERT, committee=committee)
            user.set_unusable_password()  # the administrator issues a one-time password link
            user.save()
            expert.user = user
        try:
            with transaction.atomic():
                expert.save()
        except IntegrityError:
            raise Conflict(_("专家库中已有“%(name)s（%(unit)s）”。") % {"name": name, "unit": unit_name}) from None
        audit_record(action=AuditAction.EXPERT_SAVED, actor=actor, obj=expert, before=was,
                     after=field_values(expert))
    return expert


IMPORT_HEADERS = ["姓名", "工作单位", "系列", "专业", "职称", "聘期开始", "聘期结束", "登录名"]


def import_template() -> bytes:
    """The XLSX template the import accepts (header row + one example)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "评审专家"
    sheet.append(IMPORT_HEADERS)
    sheet.append(["王某某", "巴州建筑设计研究院", "工程系列", "建筑、结构", "正高级工程师", "2025-01-01", "2027-12-31",
                  "zj_wang"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


@dataclass
class ImportReport:
    created: list[Expert] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def experts_import(*, committee, actor, file) -> ImportReport:
    """Import a pool from the XLSX template: every row checked first; one bad row refuses the
    whole file (with every problem listed), so a half-imported pool never exists."""
    from openpyxl import load_workbook

    clerk_check(actor, committee.pk)
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the same refusal for the clerk
        raise Refused(_("无法读取该文件，请使用专家库导入模板（.xlsx）。")) from None
    rows = list(book.active.iter_rows(values_only=True))
    if not rows or [str(c or "").strip() for c in rows[0][:len(IMPORT_HEADERS)]] != IMPORT_HEADERS:
        raise Refused(_("表头与模板不一致，应为：%s。") % "、".join(IMPORT_HEADERS))
    numbers = committee_numbers(committee)
    parsed, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = [("" if c is None else c) for c in (list(row) + [""] * len(IMPORT_HEADERS))[:len(IMPORT_HEADERS)]]
        if not any(str(c).strip() for c in cells):
            continue
        name, unit_name, series, specialties, title, start, end, username = cells
        try:
            start, end = _as_date(start), _as_date(end)
        except ValueError:
            errors.append(_("第%d行：聘期日期格式应为 年-月-日。") % number)
            continue
        if not str(name).strip() or not str(unit_name).strip():
            errors.append(_("第%d行：缺少姓名或工作单位。") % number)
        elif not term_ok(start, end, numbers):
            errors.append(_("第%(n)d行：聘期须不超过%(y)d年。") % {"n": number, "y": numbers.max_term_years})
        else:
            parsed.append(dict(name=str(name), unit_name=str(unit_name), series=str(series),
                               specialties=str(specialties), title=str(title), term_start=start, term_end=end,
                               username=str(username)))
    if errors:
        raise Refused(_("导入未完成，请修改后重新上传：") + "；".join(errors))
    if not parsed:
        raise Refused(_("文件中没有专家。"))
    report = ImportReport()
    with transaction.atomic():
        for row in parsed:
            report.created.append(expert_save(committee=committee, actor=actor, **row))
        audit_record(action=AuditAction.EXPERTS_IMPORTED, actor=actor,
                     after={"committee": committee.pk, "count": len(report.created)})
    return report


# -- the meeting and its groups ------------------------------------------------------------------------

def meeting_create(*, campaign: Campaign, actor, title: str, date: dt.date, review_start: dt.datetime,
                   review_end: dt.datetime) -> Meeting:
    clerk_check(actor, campaign.committee_id)
    if review_end <= review_start:
        raise Refused(_("评审结束时间须晚于开始时间。"))
    rules = CommitteeRules.objects.filter(committee_id=campaign.committee_id).first()
    with transaction.atomic():
        meeting = Meeting.objects.create(
            campaign=campaign, committee_id=campaign.committee_id, title=(title or "").strip() or _("评审会"),
            date=date, review_start=review_start, review_end=review_end, created_by=actor,
            numbers=committee_numbers(campaign.committee).as_dict(),
            rubric=(rules.rubric if rules and rules.rubric else DEFAULT_RUBRIC))
        audit_record(action=AuditAction.MEETING_CREATED, actor=actor, obj=meeting, after=field_values(meeting))
    return meeting


def _preparing(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.PREPARING:
        raise Conflict(_("评审会已开始，不能再更改学科组、评审事项或抽取专家。"))


def group_save(*, meeting: Meeting, actor, name: str, size: int, alternates: int | None = None,
               specialties=()) -> PanelGroup:
    clerk_check(actor, meeting.committee_id)
    if size < 1:
        raise Refused(_("学科组委员人数至少为1人。"))
    alternates = alternates_for(size, numbers_of(meeting)) if alternates is None else alternates
    with transaction.atomic():
        meeting = _locked_meeting(meeting.pk)
        _preparing(meeting)
        group, _created = PanelGroup.objects.update_or_create(
            meeting=meeting, name=(name or "").strip() or _("学科组"),
            defaults={"size": size, "alternates": alternates, "specialties": _split_specialties(specialties),
                      "order": meeting.groups.count()})
        audit_record(action=AuditAction.PANEL_GROUP_SAVED, actor=actor, obj=group, after=field_values(group))
    return group


AGENDA_STATES = (State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT)


def agenda_set(*, meeting: Meeting, group: PanelGroup, application_ids, actor) -> list[AgendaItem]:
    """Put applications of the meeting's campaign before ``group`` (after the defense)."""
    clerk_check(actor, meeting.committee_id)
    with transaction.atomic():
        meeting = _locked_meeting(meeting.pk)
        _preparing(meeting)
        items = []
        for application in Application.objects.filter(pk__in=list(application_ids)).order_by("pk"):
            if application.campaign_id != meeting.campaign_id:
                raise Refused(_("申报%s不属于本次评审工作。") % application.code)
            if application.state not in AGENDA_STATES:
                raise Refused(_("申报%(code)s当前状态为“%(state)s”，不能提交评审会。") % {
                    "code": application.code, "state": application.get_state_display()})
            item, _created = AgendaItem.objects.update_or_create(
                meeting=meeting, application=application,
                defaults={"group": group, "order": AgendaItem.objects.filter(group=group).count()})
            audit_record(action=AuditAction.AGENDA_SET, actor=actor, obj=item, application=application,
                         after={"meeting": meeting.pk, "group": group.name})
            items.append(item)
        _recusals_refresh(meeting, actor)
    return items


# -- the draw -------------------------------------------------------------------------------------------

def pool_for(meeting: Meeting) -> list[Expert]:
    """Who may be drawn: the committee's experts in the pool and in term on the meeting's date."""
    return [e for e in Expert.objects.filter(committee_id=meeting.committee_id, status=ExpertStatus.ACTIVE)
            if e.in_term_on(meeting.date)]


def _specs(meeting: Meeting) -> list[GroupSpec]:
    return [GroupSpec(g.key, g.size, g.alternates, tuple(g.specialties)) for g in meeting.groups.order_by("order", "pk")]


def draw_result(seed: int, pool_snapshot: list[dict], groups: list[dict]):
    """The draw computed from what is stored: anyone can call it again with the same inputs."""
    specs = [GroupSpec(g["key"], g["size"], g["alternates"], tuple(g["specialties"])) for g in groups]
    drawn = draw_panel([PoolEntry.from_dict(e) for e in pool_snapshot], specs, seed)
    return [{"key": d.key, "members": list(d.members), "alternates": list(d.alternates)} for d in drawn]


def draw_reproduce(draw: Draw) -> bool:
    return draw_result(draw.seed, draw.pool_snapshot, draw.groups) == draw.result


def panel_draw(*, meeting: Meeting, actor, seed: int | None = None, reason: str = "") -> Draw:
    """Draw every group's members and ordered alternates (``rules.draw_panel``), store seed, pool
    snapshot and result, seat them (``Membership``) and recuse automatically.  A redraw needs a
    reason; both draws stay on record."""
    clerk_check(actor, meeting.committee_id)
    with transaction.atomic():
        meeting = _locked_meeting(meeting.pk)
        _preparing(meeting)
        previous = meeting.draws.count()
        reason = (reason or "").strip()
        if previous and not reason:
            raise Refused(_("重新抽取须填写原因。"))
        specs = _specs(meeting)
        if not specs:
            raise Refused(_("请先设置学科组及人数。"))
        pool = snapshot(PoolEntry(e.pk, tuple(e.specialties)) for e in pool_for(meeting))
        seed = secrets.randbits(48) if seed is None else int(seed)
        groups = [{"key": s.key, "size": s.size, "alternates": s.alternates, "specialties": list(s.specialties)}
                  for s in specs]
        pool_snapshot = [e.as_dict() for e in pool]
        try:
            result = draw_result(seed, pool_snapshot, groups)
        except DrawImpossible as impossible:
            group = meeting.groups.get(pk=int(impossible.group[1:]))
            raise Refused(_("学科组“%(group)s”需要%(needed)d名专家（含候补），专家库中在聘且专业相符的只有%(available)d名。")
                          % {"group": group.name, "needed": impossible.needed,
                             "available": impossible.available}) from None
        draw = Draw.objects.create(meeting=meeting, number=previous + 1, seed=seed, pool_snapshot=pool_snapshot,
                                   groups=groups, result=result, reason=reason, drawn_by=actor)
        # Recusals stay: a declared one holds whatever the draw, and an automatic one of an expert
        # no longer drawn seats nobody (the chain keeps describing rows that exist).
        Membership.objects.filter(group__meeting=meeting).delete()
        rows = []
        for drawn in result:
            group_id = int(drawn["key"][1:])
            rows += [Membership(group_id=group_id, expert_id=e, kind=MembershipKind.MEMBER, order=i, draw=draw)
                     for i, e in enumerate(drawn["members"], start=1)]
            rows += [Membership(group_id=group_id, expert_id=e, kind=MembershipKind.ALTERNATE, order=i, draw=draw)
                     for i, e in enumerate(drawn["alternates"], start=1)]
        Membership.objects.bulk_create(rows)
        audit_record(action=AuditAction.PANEL_DRAWN, actor=actor, obj=draw,
                     after={"number": draw.number, "seed": seed, "reason": reason, "result": result})
        chain_append(meeting, RecordKind.DRAW, {"number": draw.number, "seed": seed, "pool": pool_snapshot,
                                                 "groups": groups, "result": result, "reason": reason},
                     ref=str(draw.pk))
        _recusals_refresh(meeting, actor)
    return draw


def _recusals_refresh(meeting: Meeting, actor) -> None:
    """Recuse automatically every drawn expert from the applications of their own unit or of its
    competent unit (idempotent)."""
    experts = {e.pk: e for e in Expert.objects.filter(memberships__group__meeting=meeting)}
    for item in AgendaItem.objects.filter(meeting=meeting).select_related("application__unit"):
        link = UnitLink(item.application.unit_id, item.application.unit.competent_unit_id)
        members, alternates = group_lists(item.group_id)
        existing = recused_ids(item)
        for expert_id in members + alternates:
            why = automatic_recusal(experts[expert_id].unit_id, link)
            if why and expert_id not in existing:
                _recuse(item, experts[expert_id], RecusalKind.AUTOMATIC, RECUSAL_REASONS[why], actor)


def _recuse(item: AgendaItem, expert: Expert, kind: str, reason: str, actor) -> Recusal:
    recusal = Recusal.objects.create(item=item, expert=expert, kind=kind, reason=reason)
    audit_record(action=AuditAction.RECUSAL_RECORDED, actor=actor, obj=recusal, application=item.application_id,
                 after={"expert": expert.pk, "kind": kind, "reason": reason})
    chain_append(item.meeting, RecordKind.RECUSAL, recusal_payload(recusal), ref=str(recusal.pk))
    return recusal


# -- the experts' own records --------------------------------------------------------------------------

def _review_open(meeting: Meeting, now: dt.datetime) -> None:
    if not meeting.review_open_at(now):
        raise Refused(_("不在本次评审会的评审期内（%(start)s至%(end)s）。") % {
            "start": timezone.localtime(meeting.review_start).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(meeting.review_end).strftime("%Y-%m-%d %H:%M")})


def declaration_make(*, meeting: Meeting, user, statement: str, recuse_item_ids=(), reason: str = "",
                     now: dt.datetime | None = None) -> Declaration:
    """The expert's declaration of interests and confidentiality, required before any package
    opens; the items they name are recused (declared)."""
    now = now or timezone.now()
    expert = expert_check(user, meeting)
    statement = (statement or "").strip()
    if not statement:
        raise Refused(_("请阅读并确认回避与保密声明。"))
    with transaction.atomic():
        meeting = _locked_meeting(meeting.pk)
        _review_open(meeting, now)
        if Declaration.objects.filter(meeting=meeting, expert=expert).exists():
            raise Conflict(_("您已作出声明。"))
        declaration = Declaration.objects.create(meeting=meeting, expert=expert, statement=statement)
        audit_record(action=AuditAction.DECLARATION_MADE, actor=user, obj=declaration,
                     after={"meeting": meeting.pk, "recuse": sorted(int(i) for i in recuse_item_ids)})
        chain_append(meeting, RecordKind.DECLARATION, {"expert": expert.pk, "statement": statement},
                     ref=str(declaration.pk))
        for item in AgendaItem.objects.filter(meeting=meeting, pk__in=list(recuse_item_ids)):
            if expert.pk not in recused_ids(item):
                _recuse(item, expert, RecusalKind.DECLARED, (reason or "").strip() or _("本人申请回避"), user)
    return declaration


def recusal_declare(*, item: AgendaItem, user, reason: str, now: dt.datetime | None = None) -> Recusal:
    """An expert steps aside from one application after opening it (a relation they recognised)."""
    expert = expert_check(user, item.meeting)
    if not (reason or "").strip():
        raise Refused(_("请填写回避原因。"))
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting_id)
        if item.ballot != BallotStatus.PENDING:
            raise Conflict(_("该申报已开始表决，不能再申请回避。"))
        if expert.pk not in seating_of(item).seated:
            raise Forbidden(_("您不是该申报的评审专家。"))
        item.meeting = meeting
        return _recuse(item, expert, RecusalKind.DECLARED, reason.strip(), user)


def _seated_expert(item: AgendaItem, user) -> Expert:
    expert = expert_check(user, item.meeting)
    if expert.pk not in seating_of(item).seated:
        raise Forbidden(_("您不是该申报的评审专家，或已回避。"))
    if not Declaration.objects.filter(meeting_id=item.meeting_id, expert=expert).exists():
        raise Refused(_("请先作出回避与保密声明。"))
    return expert


def opinion_record(*, item: AgendaItem, user, scores: dict, comment: str,
                   now: dt.datetime | None = None) -> Opinion:
    """The expert's opinion on one application: a score per rubric line and a comment; once."""
    now = now or timezone.now()
    expert = _seated_expert(item, user)
    rubric = item.meeting.rubric
    clean, total = {}, Decimal("0")
    for line in rubric:
        raw = (scores or {}).get(line["key"])
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            raise Refused(_("请填写“%s”的评分。") % line["label"]) from None
        if not (0 <= value <= Decimal(str(line["max"]))):
            raise Refused(_("“%(label)s”的评分须在0—%(max)s之间。") % {"label": line["label"], "max": line["max"]})
        clean[line["key"]] = str(value)
        total += value
    if not (comment or "").strip():
        raise Refused(_("请填写评审意见。"))
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting_id)
        _review_open(meeting, now)
        if Opinion.objects.filter(item=item, expert=expert).exists():
            raise Conflict(_("您已提交对该申报的评审意见。"))
        opinion = Opinion.objects.create(item=item, expert=expert, scores=clean, total=total,
                                         comment=comment.strip())
        audit_record(action=AuditAction.OPINION_RECORDED, actor=user, obj=opinion, application=item.application_id,
                     after={"total": str(total)})
        chain_append(meeting, RecordKind.OPINION, opinion_payload(opinion), ref=str(opinion.pk))
    return opinion


def defense_score_record(*, item: AgendaItem, user, score, now: dt.datetime | None = None) -> PanelDefenseScore:
    """A panel member's defense score; the application's defense score becomes the panel's mean
    (replacing the clerk's single entry), with its audit event."""
    now = now or timezone.now()
    expert = _seated_expert(item, user)
    application = item.application
    if not application.campaign.defense_scored:
        raise Refused(_("本通知的答辩不量化赋分。"))
    try:
        value = Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise Refused(_("答辩成绩须为0—100之间的数字。")) from None
    if not (0 <= value <= 100):
        raise Refused(_("答辩成绩须为0—100之间的数字。"))
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting_id)
        _review_open(meeting, now)
        record = DefenseRecord.objects.select_for_update().filter(application=application).first()
        if record is None or record.exempt or application.state != State.DEFENSE_SCHEDULED:
            raise Refused(_("该申报人未安排现场答辩。"))
        if PanelDefenseScore.objects.filter(item=item, expert=expert).exists():
            raise Conflict(_("您已为该申报人评分。"))
        entry = PanelDefenseScore.objects.create(item=item, expert=expert, score=value)
        chain_append(meeting, RecordKind.DEFENSE_SCORE, score_payload(entry), ref=str(entry.pk))
        audit_record(action=AuditAction.PANEL_DEFENSE_SCORED, actor=user, obj=entry, application=application)
        values = list(PanelDefenseScore.objects.filter(item=item).values_list("score", flat=True))
        mean = (sum(values) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        before = {"score": str(record.score) if record.score is not None else None}
        record.score, record.passed, record.absent, record.scored_by, record.scored_at = mean, None, False, None, now
        record.save(update_fields=["score", "passed", "absent", "scored_by", "scored_at"])
        audit_record(action=AuditAction.DEFENSE_OUTCOME_RECORDED, actor=user, obj=record, application=application,
                     before=before, after={"score": str(mean), "basis": "panel_mean", "scores": len(values)})
    return entry


# -- the sitting -------------------------------------------------------------------------------------------

def meeting_open(*, meeting: Meeting, actor, chair: Expert | None = None, now: dt.datetime | None = None) -> Meeting:
    clerk_check(actor, meeting.committee_id)
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked_meeting(meeting.pk)
        _preparing(meeting)
        if not meeting.draws.exists():
            raise Refused(_("请先抽取评审专家。"))
        if chair is not None:
            meeting.chair = chair
        if meeting.chair_id is None:
            raise Refused(_("请指定主任委员。"))
        meeting.status, meeting.opened_at = MeetingStatus.OPEN, now
        meeting.save(update_fields=["status", "opened_at", "chair"])
        audit_record(action=AuditAction.MEETING_OPENED, actor=actor, obj=meeting,
                     after={"chair": meeting.chair_id})
    return meeting


def attendance_record(*, meeting: Meeting, actor, present_ids_: list[int]) -> list[Attendance]:
    """Who attends: every drawn member and alternate, present or not."""
    clerk_check(actor, meeting.committee_id)
    with transaction.atomic():
        meeting = _locked_meeting(meeting.pk)
        if meeting.status != MeetingStatus.OPEN:
            raise Conflict(_("评审会尚未开始或已结束，不能记录出席。"))
        if meeting.items.filter(ballot=BallotStatus.OPEN).exists():
            raise Conflict(_("有申报正在表决，表决结束前不能更改出席情况。"))
        drawn = list(Membership.objects.filter(group__meeting=meeting).values_list("expert_id", flat=True))
        present = {int(i) for i in present_ids_}
        if present - set(drawn):
            raise Refused(_("出席人员须为本次抽取的评审专家。"))
        rows = []
        for expert_id in drawn:
            row, _created = Attendance.objects.update_or_create(meeting=meeting, expert_id=expert_id,
                                                                defaults={"present": expert_id in present})
            rows.append(row)
            chain_append(meeting, RecordKind.ATTENDANCE, attendance_payload(row), ref=str(row.pk))
        audit_record(action=AuditAction.ATTENDANCE_RECORDED, actor=actor, obj=meeting,
                     after={"present": sorted(present)})
    return rows


def quorum_of(item: AgendaItem) -> tuple[bool, int, int, int]:
    """(met, members present, group size, needed) for the item's group."""
    members, _alternates = group_lists(item.group_id)
    present = len(set(members) & present_ids(item.meeting_id))
    numbers = numbers_of(item.meeting)
    return quorum_met(present, len(members), numbers), present, len(members), quorum_needed(len(members), numbers)


def ballot_open(*, item: AgendaItem, actor) -> AgendaItem:
    clerk_check(actor, item.meeting.committee_id)
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting_id)
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if meeting.status != MeetingStatus.OPEN:
            raise Conflict(_("评审会尚未开始或已结束。"))
        if item.ballot != BallotStatus.PENDING:
            raise Conflict(_("该申报已开始表决。"))
        met, present, size, needed = quorum_of(item)
        if not met:
            raise Refused(_("出席委员%(present)d人，未达到法定人数（%(size)d人的三分之二，至少%(needed)d人），不能开始表决。")
                          % {"present": present, "size": size, "needed": needed})
        item.ballot = BallotStatus.OPEN
        item.save(update_fields=["ballot"])
        voters = voters_of(item)
        audit_record(action=AuditAction.BALLOT_OPENED, actor=actor, obj=item, application=item.application_id,
                     after={"voters": len(voters)})
        chain_append(meeting, RecordKind.BALLOT_OPEN, {"item": item.pk, "application": item.application.code,
                                                       "voters": sorted(voters), "present": present},
                     ref=str(item.pk))
    return item


def ballot_cast(*, item: AgendaItem, user, choice: str) -> None:
    """One secret ballot from a present, seated, non-recused expert, while the ballot is open.
    Nothing returned: not even the caller gets a handle on the choice's row."""
    if choice not in BallotChoiceValue.values:
        raise Refused(_("请选择同意、不同意或弃权。"))
    expert = expert_check(user, item.meeting)
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if item.ballot == BallotStatus.CLOSED:
            raise Conflict(_("该申报的表决已结束，不能再投票。"))
        if item.ballot != BallotStatus.OPEN:
            raise Conflict(_("该申报尚未开始表决。"))
        if expert.pk not in voters_of(item):
            raise Forbidden(_("您不是该申报的表决专家（未出席、已回避或非本组委员）。"))
        if BallotCast.objects.filter(item=item, expert=expert).exists():
            raise Conflict(_("您已对该申报投票，不能重复投票。"))
        cast = BallotCast.objects.create(item=item, expert=expert)
        BallotChoice.objects.create(item=item, choice=choice)
        audit_record(action=AuditAction.BALLOT_CAST, actor=user, obj=cast, application=item.application_id)


def ballot_close(*, item: AgendaItem, actor) -> AgendaItem:
    """Close the ballot and count: the choices enter the chain sorted by their random ids, then
    the tally, which applies the threshold to the item's voters."""
    clerk_check(actor, item.meeting.committee_id)
    with transaction.atomic():
        meeting = _locked_meeting(item.meeting_id)
        item = AgendaItem.objects.select_for_update().select_related("application").get(pk=item.pk)
        if item.ballot != BallotStatus.OPEN:
            raise Conflict(_("该申报不在表决中。"))
        choices = list(BallotChoice.objects.filter(item=item).order_by("id"))
        _rewrite_ballots(item, choices)
        for choice in choices:
            chain_append(meeting, RecordKind.BALLOT_CHOICE, choice_payload(choice), ref=str(choice.id))
        voters = voters_of(item)
        result = tally([c.choice for c in choices], len(voters), numbers_of(meeting))
        item.ballot, item.tally = BallotStatus.CLOSED, result.as_dict()
        item.save(update_fields=["ballot", "tally"])
        audit_record(action=AuditAction.BALLOT_CLOSED, actor=actor, obj=item, application=item.application_id,
                     after=result.as_dict())
        chain_append(meeting, RecordKind.TALLY, {"item": item.pk, "tally": result.as_dict(), "ballots": len(choices)},
                     ref=str(item.pk))
        if not meeting.items.exclude(ballot=BallotStatus.CLOSED).exists():
            meeting.status = MeetingStatus.CLOSED
            meeting.save(update_fields=["status"])
    return item


def _rewrite_ballots(item: AgendaItem, choices: list[BallotChoice]) -> None:
    """Write the item's ballot rows again, all in this (closing) transaction, choices in the order
    of their random ids and casts in the order of the experts' ids.  Until now each choice sat in
    the database next to its cast — same transaction id (PostgreSQL's ``xmin``), neighbouring
    physical position; afterwards the stored rows carry nothing of the order or the moment of
    voting.  (The superseded row versions remain until VACUUM, and in the write-ahead log: see
    README, "Secrecy".)"""
    casts = sorted(BallotCast.objects.filter(item=item).values_list("expert_id", flat=True))
    BallotChoice.objects.filter(item=item).delete()
    BallotCast.objects.filter(item=item).delete()
    BallotChoice.objects.bulk_create([BallotChoice(id=c.id, item_id=item.pk, choice=c.choice) for c in choices])
    BallotCast.objects.bulk_create([BallotCast(item_id=item.pk, expert_id=e) for e in casts])


def meeting_confirm(*, meeting: Meeting, user, now: dt.datetime | None = None) -> Meeting:
    """The chair (主任委员) confirms the tallies of a meeting whose ballots are all closed."""
    now = now or timezone.now()
    expert = expert_check(user, meeting)
    with transaction.atomic():
        meeting = _locked_meeting(meeting.pk)
        if meeting.chair_id != expert.pk:
            raise Forbidden(_("只有主任委员可以确认评审结果。"))
        if meeting.status != MeetingStatus.CLOSED:
            raise Conflict(_("仍有申报未结束表决，或评审结果已确认。"))
        results = {i.application.code: i.tally for i in meeting.items.select_related("application")}
        meeting.status, meeting.confirmed_at = MeetingStatus.CONFIRMED, now
        meeting.save(update_fields=["status", "confirmed_at"])
        audit_record(action=AuditAction.MEETING_CONFIRMED, actor=user, obj=meeting, after={"results": results})
        chain_append(meeting, RecordKind.CONFIRMATION, {"chair": expert.pk, "results": results}, ref=str(meeting.pk))
    return meeting


def outcomes_apply(*, meeting: Meeting, actor, now: dt.datetime | None = None):
    """The confirmed outcomes become the applications' decisions, each through the one door."""
    clerk_check(actor, meeting.committee_id)
    meeting.refresh_from_db()
    if meeting.status != MeetingStatus.CONFIRMED:
        raise Conflict(_("主任委员尚未确认评审结果。"))
    done, refused = [], []
    for item in meeting.items.filter(decision_applied=False).select_related("application"):
        outcome = decisions_record(application_ids=[item.application_id],
                                   result="pass" if item.passed else "fail", meeting_date=meeting.date,
                                   actor=actor, now=now)
        if outcome.done:
            with transaction.atomic():
                locked = _locked_meeting(meeting.pk)
                AgendaItem.objects.filter(pk=item.pk).update(decision_applied=True)
                chain_append(locked, RecordKind.OUTCOME, {"item": item.pk, "application": item.application.code,
                                                          "result": "pass" if item.passed else "fail",
                                                          "meeting_date": meeting.date.isoformat()},
                             ref=str(item.pk))
                audit_record(action=AuditAction.MEETING_OUTCOMES_APPLIED, actor=actor, obj=item,
                             application=item.application_id, after={"meeting": meeting.pk, "passed": item.passed})
            done.append(item)
        refused += outcome.refused
    return done, refused
