"""The one door: every state change of an application goes through ``application_transition``.

Side effects, in order, inside one database transaction:

1. lock the application row (``SELECT … FOR UPDATE``; on SQLite the IMMEDIATE transaction holds
   the write lock) and, when the caller says which state it saw, refuse if it changed meanwhile;
2. ask the action's permission predicate (role, scope, chain step, campaign window) and its own
   preconditions (``Action.prepare``: checklist clean for submissions, a reason for returns, the
   after-acceptance records for the actions ``review.aftercare`` registers);
3. update the counters and clocks the action owns (submission count and snapshot, return
   deadline) and fire the django-fsm transition;
4. save (``ConcurrentTransitionMixin`` makes the UPDATE conditional on the state read);
5. append the ``StateChange`` history row (what the applicant and reviewers read) and the
   ``AuditEvent`` (``transition.<action>``: state, counters and clocks before and after);
6. after commit only: ``review.effects.transition_committed`` (notifications, then the effects
   registered by the apps above: the documents app renders the review form on acceptance).

Refusals raise ``TransitionRefused`` (a ``portal.errors.Conflict``) carrying a user-facing
Chinese message and the current state.

What each chain action checks and records beyond the predicate (its ``prepare``):

* ``submit`` / ``resubmit``: the checklist is clean; the submission count, snapshot and a copy of the
  submitted sections and attachment identities (``StateChange.data["round"]``, so the next round
  can show reviewers what changed) are written.
* ``approve`` at the unit step: the publicity (``data["publicity"] = {"start", "end"}`` as ISO dates,
  or the dates recorded at an earlier approval) has ended and spans at least the campaign's working
  days, both scans (and 002's 单位推荐意见, ``step_slots``) are attached; the comment is the campaign's fixed opinion text.
* ``approve`` at the county step: the competent unit's sealed recommendation is attached when the
  campaign asks for it (003 / 004 五（三）, ``Campaign.competent_recommendation_required``).
* ``approve`` at the committee step (``accept``): the comment is 评审委员会已接收材料 unless given.
* ``return``: a reason; notes per section or attachment (``data["notes"]``); the return clock.
* after acceptance (``receive_paper`` … ``certify``, ``close_for_fraud``): ``review.aftercare.actions``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from applications.checklist import Problem, submission_problems
from applications.masking import burn_mask_boxes
from applications.models import Application, ReturnNote, StateChange
from applications.selectors import sections_data
from applications.snapshot import build_snapshot
from applications.states import State
from applications.uploads import accept_upload, attach
from portal.audit.actions import AuditAction, transition_action
from portal.audit.services import audit_record, changes
from portal.errors import Conflict

from . import permissions
from .actions import Action, action_named, action_register
from .effects import transition_committed
from .models import UnitPublicity
from .workdays import working_days_between

# The scans officers upload (section "other"), in the order their forms ask for them: the unit's
# publicity and its result, the unit's recommendation where the notice asks for one (002 附件3
# 《单位推荐意见》), and the competent unit's sealed recommendation (003 / 004 五（三）).
PUBLICITY_SLOTS = {"publicity": gettext_lazy("推荐单位公示"), "publicity_result": gettext_lazy("公示结果"),
                   "unit_recommendation": gettext_lazy("单位推荐意见（附件3）"),
                   "competent_recommendation": gettext_lazy("加盖公章的推荐意见")}


def step_slots(campaign, state: str) -> list[str]:
    """The scans the officer of a review state owes before approving (in ``PUBLICITY_SLOTS``)."""
    if state == State.UNIT_REVIEW:
        return ["publicity", "publicity_result",
                *(["unit_recommendation"] if campaign.unit_recommendation_required else [])]
    if state == State.COUNTY_REVIEW and campaign.competent_recommendation_required:
        return ["competent_recommendation"]
    return []

# What a transition may change on the application row besides its state (the audit's before/after).
AUDITED_FIELDS = ("state", "submission_count", "submitted_at", "returned_at", "return_deadline")


class TransitionRefused(Conflict):
    def __init__(self, message: str, *, state: str | None = None, problems: list[Problem] | None = None):
        super().__init__(message)
        self.state = state
        self.problems = problems or []

    @property
    def state_label(self) -> str:
        return str(State(self.state).label) if self.state else ""


APPROVE_METHOD_OF_STATE = {
    State.UNIT_REVIEW: "approve_unit",
    State.COUNTY_REVIEW: "approve_county",
    State.COMMITTEE_REVIEW: "accept",
}


@dataclass
class TransitionRequest:
    """What a caller asks for; ``expected_state`` is the state the user saw when they clicked."""

    application_id: int
    action: str
    actor: object | None
    comment: str = ""
    expected_state: str | None = None
    data: dict = field(default_factory=dict)


def _round_record(application: Application, sections: dict[str, dict]) -> dict:
    """What was submitted in this round: section contents and attachment identities."""
    attachments = [{"id": a.pk, "section": a.section, "slot": a.slot, "file": a.file.name}
                   for a in application.attachments.all() if a.slot not in PUBLICITY_SLOTS]
    return {"sections": sections, "attachments": attachments}


# -- what the chain's own actions check and record (``Action.prepare``) ----------------------------

def _prepare_submission(application: Application, request: TransitionRequest, now: dt.datetime) -> None:
    problems = submission_problems(application)
    if problems:
        raise TransitionRefused(_("申报材料还不完整，请先按“保存并检查”的提示补充：%s") % problems[0].message,
                                state=application.state, problems=problems)
    sections = sections_data(application)
    application.submission_count += 1
    application.submitted_at = now
    application.returned_at = None
    application.return_deadline = None
    application.snapshot = build_snapshot(application, sections)
    request.data["round"] = _round_record(application, sections)


def _prepare_withdrawal(application: Application, request: TransitionRequest, now: dt.datetime) -> None:
    application.submission_count = max(0, application.submission_count - 1)


def _prepare_unit_approval(application: Application, request: TransitionRequest, now: dt.datetime) -> None:
    campaign = application.campaign
    given = request.data.get("publicity") or {}
    existing = UnitPublicity.objects.filter(application=application).first()
    try:
        start = dt.date.fromisoformat(str(given["start"])) if given.get("start") else (existing and existing.start)
        end = dt.date.fromisoformat(str(given["end"])) if given.get("end") else (existing and existing.end)
    except ValueError:
        raise TransitionRefused(_("公示日期格式不正确，请按“年-月-日”填写。"), state=application.state) from None
    if not start or not end:
        raise TransitionRefused(_("请填写公示开始和结束日期。"), state=application.state)
    if end < start:
        raise TransitionRefused(_("公示结束日期不能早于开始日期。"), state=application.state)
    today = timezone.localdate(now)
    if end > today:
        raise TransitionRefused(_("公示尚未结束（结束日期%s），公示期满无异议后方可审核通过。") % end.isoformat(),
                                state=application.state)
    days = working_days_between(start, end)
    if days < campaign.publicity_working_days:
        raise TransitionRefused(
            _("公示期不少于%(need)d个工作日：%(start)s至%(end)s只有%(days)d个工作日（已扣除法定节假日，计入调休上班日）。")
            % {"need": campaign.publicity_working_days, "start": start.isoformat(), "end": end.isoformat(),
               "days": days}, state=application.state)
    slots = set(application.attachments.filter(slot__in=PUBLICITY_SLOTS).values_list("slot", flat=True))
    missing = [PUBLICITY_SLOTS[s] for s in step_slots(campaign, State.UNIT_REVIEW) if s not in slots]
    if missing:
        raise TransitionRefused(_("请上传%s的扫描件。") % "、".join(str(m) for m in missing), state=application.state)
    UnitPublicity.objects.update_or_create(application=application, defaults={
        "start": start, "end": end, "working_days": days, "opinion": campaign.unit_opinion_text,
        "recorded_by": request.actor})
    request.comment = campaign.unit_opinion_text
    request.data["publicity"] = {"start": start.isoformat(), "end": end.isoformat(), "working_days": days}


def _prepare_county_approval(application: Application, request: TransitionRequest, now: dt.datetime) -> None:
    """003 / 004 五（三）: the competent unit "按要求上传加盖公章的推荐意见" before it approves."""
    if "competent_recommendation" in step_slots(application.campaign, State.COUNTY_REVIEW) and \
            not application.attachments.filter(slot="competent_recommendation").exists():
        raise TransitionRefused(_("请上传加盖公章的推荐意见（通知五（三））的扫描件。"), state=application.state)


def _prepare_approval(application: Application, request: TransitionRequest, now: dt.datetime) -> None:
    if application.state == State.UNIT_REVIEW:
        _prepare_unit_approval(application, request, now)
    elif application.state == State.COUNTY_REVIEW:
        _prepare_county_approval(application, request, now)
    elif application.state == State.COMMITTEE_REVIEW:
        request.comment = request.comment.strip() or str(State.ACCEPTED.label)


def _prepare_return(application: Application, request: TransitionRequest, now: dt.datetime) -> None:
    if not request.comment.strip():
        raise TransitionRefused(_("退回时必须填写退回原因。"), state=application.state)
    application.returned_at = now
    hours = application.campaign.return_hours
    # A notice without a deadline (003 四（三）, 004 四) never lets the clock abandon the application.
    application.return_deadline = now + dt.timedelta(hours=hours) if hours is not None else None


for _action in (
    Action("submit", "提交", permissions.can_submit, "submit", _prepare_submission),
    Action("resubmit", "修改后重新提交", permissions.can_resubmit, "resubmit", _prepare_submission),
    Action("withdraw", "撤回", permissions.can_withdraw, "withdraw", _prepare_withdrawal),
    Action("approve", "审核通过", permissions.can_approve, None, _prepare_approval),
    Action("return", "退回", permissions.can_return, "return_to_applicant", _prepare_return),
    Action("abandon", "视为放弃申报", permissions.can_abandon, "abandon"),
):
    action_register(_action)


# -- the door ----------------------------------------------------------------------------------------

def _row_values(application: Application) -> dict:
    return {name: getattr(application, name) for name in AUDITED_FIELDS}


def application_transition(*, application_id: int, action: str, actor, comment: str = "",
                           expected_state: str | None = None, data: dict | None = None,
                           now: dt.datetime | None = None) -> Application:
    """Fire ``action`` on the application as ``actor`` (``None`` for the system)."""
    spec = action_named(action)
    now = now or timezone.now()
    request = TransitionRequest(application_id, action, actor, comment, expected_state, dict(data or {}))
    with transaction.atomic():
        application = (Application.objects.select_for_update()
                       .select_related("campaign", "unit", "level", "specialty__series", "applicant")
                       .get(pk=application_id))
        if expected_state and application.state != expected_state:
            raise TransitionRefused(
                _("该申报已被他人处理，当前状态为“%s”。请刷新后查看。") % application.get_state_display(),
                state=application.state)
        decision = spec.predicate(actor, application, now)
        if not decision:
            raise TransitionRefused(decision.reason, state=application.state)
        method_name = spec.method or APPROVE_METHOD_OF_STATE[application.state]
        before = _row_values(application)
        if spec.prepare is not None:
            spec.prepare(application, request, now)
        try:
            getattr(application, method_name)()
            if application.state == State.CLOSED:
                application.return_deadline = None  # closed for the year: no clock runs
            application.save()
        except (ConcurrentTransition, TransitionNotAllowed):
            current = Application.objects.filter(pk=application_id).values_list("state", flat=True).first()
            raise TransitionRefused(
                _("该申报已被他人处理，当前状态为“%s”。请刷新后查看。") % State(current).label, state=current) from None
        change = StateChange.objects.create(
            application=application, action=action, from_state=before["state"], to_state=application.state,
            actor=actor, actor_role=getattr(actor, "role", "system") if actor is not None else "system",
            comment=request.comment.strip(), submission_round=application.submission_count, data=request.data,
        )
        if action == "return":
            _record_return_notes(application, change, request.data.get("notes") or [])
        was, now_is = changes(before, _row_values(application))
        # The round record (every section) stays in the history row; the audit keeps what changed.
        audit_record(action=transition_action(action), actor=actor, obj=application, before=was, after={
            **now_is, "comment": change.comment, **{k: v for k, v in request.data.items() if k != "round"}})
        change_id = change.pk
        transaction.on_commit(lambda: transition_committed(change_id))
    return application


def _record_return_notes(application: Application, change: StateChange, notes: list[dict]) -> None:
    """``notes``: ``[{"section": key or "", "attachment_id": id or None, "text": str}]``.
    Attachments must belong to this application; empty texts are skipped."""
    own = set(application.attachments.values_list("pk", flat=True))
    rows = []
    for note in notes:
        text = (note.get("text") or "").strip()
        if not text:
            continue
        attachment_id = note.get("attachment_id")
        rows.append(ReturnNote(change=change, application=application, section=note.get("section") or "",
                               attachment_id=attachment_id if attachment_id in own else None, text=text))
    ReturnNote.objects.bulk_create(rows)


# -- built on the one door ---------------------------------------------------------------------

@dataclass(frozen=True)
class BatchOutcome:
    """What a batch approval did: every item went through the one door on its own."""

    approved: list[Application]
    refused: list[tuple[int, str]]  # (application id, reason)


def applications_batch_approve(*, application_ids: list[int], actor, expected_state: str | None = None,
                               data: dict | None = None, now: dt.datetime | None = None) -> BatchOutcome:
    """批量审核通过 for the unit and county steps.  Each application is approved in its own
    transaction, so one refusal (another officer was quicker, a missing scan) leaves the others
    approved and is reported with its own reason."""
    approved, refused = [], []
    for application_id in application_ids:
        try:
            approved.append(application_transition(application_id=application_id, action="approve", actor=actor,
                                                    expected_state=expected_state, data=dict(data or {}), now=now))
        except TransitionRefused as refusal:
            refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            refused.append((application_id, _("申报不存在。")))
    return BatchOutcome(approved, refused)


def returns_expire(*, now: dt.datetime | None = None) -> list[int]:
    """Abandon every returned application whose deadline has passed (视为放弃申报); returns their
    ids.  The one door re-checks each under its row lock, so an applicant who resubmits in the
    same second keeps their resubmission."""
    now = now or timezone.now()
    due = list(Application.objects.filter(state=State.RETURNED, return_deadline__lt=now)
               .values_list("pk", flat=True))
    abandoned = []
    for application_id in due:
        try:
            application_transition(application_id=application_id, action="abandon", actor=None,
                                   comment=_("逾期未重新提交，视为放弃申报。"), now=now)
            abandoned.append(application_id)
        except TransitionRefused:
            continue
    return abandoned


def publicity_scans_attach(*, application: Application, files: dict, actor, expected_state: str | None = None,
                           now: dt.datetime | None = None) -> list:
    """Store the unit's publicity scans (``{"publicity": upload, "publicity_result": upload}``) of
    an application ``actor`` may approve now.

    They go through the common upload pipeline (JPG only).  A publicity notice lists applicants
    by name, so each scan is masked whole for blind review: the committee never sees it, and the
    applicant is never asked to answer the masking question for a scan the unit uploaded.  Raises
    ``TransitionRefused`` when ``actor`` may not approve, ``applications.uploads.UploadRefused``
    with the pipeline's message for a bad file; nothing is stored then.  ``expected_state``: the
    state the officer's page showed (the transition that follows checks it too); another state now
    is refused as 已被他人处理, like the transition would.
    """
    current = Application.objects.select_related("campaign", "unit").get(pk=application.pk)
    if expected_state and current.state != expected_state:  # another officer acted since the page was read
        raise TransitionRefused(_("该申报已被他人处理，当前状态为“%s”。请刷新后查看。") % current.get_state_display(),
                                state=current.state)
    decision = permissions.can_approve(actor, current, now or timezone.now())
    if not decision:
        raise TransitionRefused(decision.reason, state=current.state)
    own = step_slots(current.campaign, current.state)
    accepted = {slot: accept_upload(upload) for slot, upload in files.items() if upload and slot in own}
    stored = []
    with transaction.atomic():
        for slot, upload in accepted.items():
            attachment = attach(application, upload, section="other", slot=slot)
            attachment.needs_masking = True
            attachment.mask_boxes = [[0, 0, upload.width, upload.height]]
            attachment.masked.save("masked", ContentFile(burn_mask_boxes(upload.content, attachment.mask_boxes)),
                                   save=False)
            attachment.save()
            audit_record(action=AuditAction.PUBLICITY_SCANS_ATTACHED, actor=actor, obj=attachment,
                         application=application, after={"slot": slot, "file": attachment.file.name,
                                                         "sha256": attachment.sha256})
            stored.append(attachment)
    return stored
