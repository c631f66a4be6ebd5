"""The application's state machine (django-fsm): its states and transitions, in chain order.

``ApplicationStateMachine`` is mixed into ``Application``; the states and the diagram are in
``applications.states``.  Transitions only move the state: who may fire them, when, and what they
record is decided by the one door, ``review.services.application_transition``.  Never call a
transition method from anywhere else.
"""

from __future__ import annotations

import functools

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, FSMFieldMixin, transition

from ..states import REVIEW_STATE_OF_STEP, TERMINAL, State


def _step_after(application, step: str) -> str:
    """The state an application enters once ``step`` approves it: the next step of the campaign's
    chain, or ``accepted`` when ``step`` is the last one."""
    steps = application.campaign.chain_steps
    following = steps[steps.index(step) + 1:] if step in steps else []
    return REVIEW_STATE_OF_STEP[following[0]] if following else State.ACCEPTED


def _first_review_state(application) -> str:
    steps = application.campaign.chain_steps
    return REVIEW_STATE_OF_STEP[steps[0]]


def _returned_or_closed(application) -> str:
    """A return after the last permitted submission closes the application (本年度不再受理)."""
    if application.submission_count >= application.campaign.max_submissions:
        return State.CLOSED
    return State.RETURNED


@functools.cache
def _state_fields(model) -> tuple:
    return tuple(field for field in model._meta.fields if isinstance(field, FSMFieldMixin))


class ApplicationStateMachine(ConcurrentTransitionMixin, models.Model):
    """Optimistic locking: ``ConcurrentTransitionMixin`` makes the UPDATE conditional on the state
    read, so of two officers acting at once exactly one write succeeds."""

    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)

    class Meta:
        abstract = True

    @property
    def state_fields(self):
        """The model's state fields, worked out once per model: django-fsm filters every field
        of the model again for each instance it builds (``_update_initial_state``), a cost paid by
        every row a list reads (issue 16)."""
        return _state_fields(type(self))

    # -- applicant -------------------------------------------------------------------------------
    @transition(field=state, source=State.DRAFT,
                target=GET_STATE(_first_review_state, states=list(REVIEW_STATE_OF_STEP.values())))
    def submit(self) -> None:
        """提交: enter the first review step of the campaign's chain."""

    @transition(field=state, source=State.RETURNED,
                target=GET_STATE(_first_review_state, states=list(REVIEW_STATE_OF_STEP.values())))
    def resubmit(self) -> None:
        """修改后逐级提交: a resubmission climbs the chain again from its first step."""

    @transition(field=state, source=State.UNIT_REVIEW, target=State.DRAFT)
    def withdraw(self) -> None:
        """撤回: only while the unit has not acted."""

    # -- the chain, in order ---------------------------------------------------------------------
    @transition(field=state, source=State.UNIT_REVIEW,
                target=GET_STATE(lambda app: _step_after(app, "unit"),
                                 states=[State.COUNTY_REVIEW, State.COMMITTEE_REVIEW, State.ACCEPTED]))
    def approve_unit(self) -> None:
        """推荐单位审核通过（公示无异议，同意推荐）."""

    @transition(field=state, source=State.COUNTY_REVIEW,
                target=GET_STATE(lambda app: _step_after(app, "county"),
                                 states=[State.COMMITTEE_REVIEW, State.ACCEPTED]))
    def approve_county(self) -> None:
        """县（市）人社局／主管单位审核通过."""

    @transition(field=state, source=State.COMMITTEE_REVIEW, target=State.ACCEPTED)
    def accept(self) -> None:
        """评委会形式审核通过: 评审委员会已接收材料."""

    @transition(field=state, source=[State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW],
                target=GET_STATE(_returned_or_closed, states=[State.RETURNED, State.CLOSED]))
    def return_to_applicant(self) -> None:
        """退回: the return clock starts, or the application closes after the last submission."""

    @transition(field=state, source=State.RETURNED, target=State.ABANDONED)
    def abandon(self) -> None:
        """视为放弃申报: the return deadline passed without a resubmission."""

    # -- after acceptance (review.aftercare fires these once their records complete a condition) --
    @transition(field=state, source=State.ACCEPTED, target=State.PAPER_RECEIVED)
    def receive_paper(self) -> None:
        """纸质材料已接收: every item of the campaign's paper checklist was ticked."""

    @transition(field=state, source=State.PAPER_RECEIVED, target=State.FEE_PAID)
    def confirm_fee(self) -> None:
        """已缴费: the review fee is recorded (or the campaign charges none, 002)."""

    @transition(field=state, source=State.FEE_PAID, target=State.DEFENSE_EXEMPT)
    def exempt_defense(self) -> None:
        """免于答辩: the rule engine found at least one ground of exemption."""

    @transition(field=state, source=State.FEE_PAID, target=State.DEFENSE_SCHEDULED)
    def schedule_defense(self) -> None:
        """待答辩: placed in a defense session of the application's specialty."""

    @transition(field=state, source=[State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT], target=State.DECIDED)
    def decide(self) -> None:
        """已评审: the committee's decision (通过／未通过) is recorded."""

    @transition(field=state, source=State.DECIDED, target=State.CERTIFIED)
    def certify(self) -> None:
        """已发证: the electronic certificate of a pass is issued."""

    @transition(field=state, source=[s for s in State.values if s not in TERMINAL], target=State.CLOSED)
    def close_for_fraud(self) -> None:
        """弄虚作假: the committee records fraud; the application is closed (诚信档案)."""
