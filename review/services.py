"""The one door: every state change of an application goes through ``application_transition``.

Side effects, in order, inside one database transaction:

1. lock the application row (``SELECT … FOR UPDATE``; on SQLite the IMMEDIATE transaction holds
   the write lock) and, when the caller says which state it saw, refuse if it changed meanwhile;
2. ask the permission predicate (role, scope, chain step, campaign window) and the action's own
   preconditions (checklist clean for submissions, a reason for returns);
3. update the counters and clocks the action owns (submission count and snapshot, return
   deadline) and fire the django-fsm transition;
4. save (``ConcurrentTransitionMixin`` makes the UPDATE conditional on the state read);
5. append the ``StateChange`` history row;
6. after commit only: ``review.effects.transition_committed`` (notifications, documents).

Refusals raise ``TransitionRefused`` carrying a user-facing Chinese message and the current state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from applications.checklist import Problem, submission_problems
from applications.models import Application
from applications.snapshot import build_snapshot

from . import permissions
from .models import ReturnNote, StateChange
from .states import State


class TransitionRefused(Exception):
    def __init__(self, message: str, *, state: str | None = None, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.state = state
        self.problems = problems or []

    @property
    def state_label(self) -> str:
        return str(State(self.state).label) if self.state else ""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    predicate: Callable
    method: str | None = None  # None: chosen from the current state (approve)


APPROVE_METHOD_OF_STATE = {
    State.UNIT_REVIEW: "approve_unit",
    State.COUNTY_REVIEW: "approve_county",
    State.COMMITTEE_REVIEW: "accept",
}

ACTIONS = {
    "submit": Action("submit", "提交", permissions.can_submit, "submit"),
    "resubmit": Action("resubmit", "修改后重新提交", permissions.can_resubmit, "resubmit"),
    "withdraw": Action("withdraw", "撤回", permissions.can_withdraw, "withdraw"),
    "approve": Action("approve", "审核通过", permissions.can_approve),
    "return": Action("return", "退回", permissions.can_return, "return_to_applicant"),
    "abandon": Action("abandon", "视为放弃申报", permissions.can_abandon, "abandon"),
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


def _sections_data(application: Application) -> dict[str, dict]:
    return {s.key: s.data for s in application.sections.all() if s.is_complete}


def _prepare(application: Application, action: str, request: TransitionRequest, now: dt.datetime) -> None:
    """Counters and clocks owned by the action, and its own preconditions."""
    if action in ("submit", "resubmit"):
        problems = submission_problems(application)
        if problems:
            raise TransitionRefused(_("申报材料还不完整，请先按“保存并检查”的提示补充：%s") % problems[0].message,
                                    state=application.state, problems=problems)
        application.submission_count += 1
        application.submitted_at = now
        application.returned_at = None
        application.return_deadline = None
        application.snapshot = build_snapshot(application, _sections_data(application))
    elif action == "withdraw":
        application.submission_count = max(0, application.submission_count - 1)
    elif action == "return":
        if not request.comment.strip():
            raise TransitionRefused(_("退回时必须填写退回原因。"), state=application.state)
        application.returned_at = now
        application.return_deadline = now + dt.timedelta(hours=application.campaign.return_hours)


def application_transition(*, application_id: int, action: str, actor, comment: str = "",
                           expected_state: str | None = None, data: dict | None = None,
                           now: dt.datetime | None = None) -> Application:
    """Fire ``action`` on the application as ``actor`` (``None`` for the system)."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValueError(f"unknown action {action!r}")
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
        from_state = application.state
        _prepare(application, action, request, now)
        try:
            getattr(application, method_name)()
            application.save()
        except (ConcurrentTransition, TransitionNotAllowed):
            current = Application.objects.filter(pk=application_id).values_list("state", flat=True).first()
            raise TransitionRefused(
                _("该申报已被他人处理，当前状态为“%s”。请刷新后查看。") % State(current).label, state=current)
        change = StateChange.objects.create(
            application=application, action=action, from_state=from_state, to_state=application.state,
            actor=actor, actor_role=getattr(actor, "role", "system") if actor is not None else "system",
            comment=request.comment.strip(), submission_round=application.submission_count, data=request.data,
        )
        if action == "return":
            _record_return_notes(application, change, request.data.get("notes") or [])
        change_id = change.pk
        transaction.on_commit(lambda: _committed(change_id))
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


def _committed(change_id: int) -> None:
    from .effects import transition_committed

    transition_committed(change_id)
