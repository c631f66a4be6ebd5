"""States of an application (SPEC §5), with the Chinese label users see.

::

    draft 草稿 ──submit──▶ unit_review 待单位审核 ──approve──▶ county_review 待主管/县市审核
          ▲   ◀─withdraw──┘    │return                         │approve        │return
          │                    ▼                               ▼               ▼
          └──resubmit── returned 已退回(48h) ◀──return── committee_review 待评委会形式审核
                           │ deadline passed → abandoned 视为放弃     │accept
                           │ last permitted submission returned → closed 本年度不再受理
                                                                  ▼
                  accepted 评审委员会已接收材料 (review form printable)
                  → paper_received 纸质材料已接收 → fee_paid 已缴费
                  → defense_scheduled 待答辩 | defense_exempt 免于答辩
                  → decided 已评审（通过／未通过） → certified 已发证

The chain's levels come from the campaign: a step left out is skipped (002 ends at the county
HR bureau, whose approval accepts the application).  A return after the campaign's last permitted
submission closes the application instead of returning it.  Fraud closes it from any state.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    UNIT_REVIEW = "unit_review", _("待单位审核")
    COUNTY_REVIEW = "county_review", _("待主管/县市审核")
    COMMITTEE_REVIEW = "committee_review", _("待评委会形式审核")
    RETURNED = "returned", _("已退回")
    ABANDONED = "abandoned", _("视为放弃申报")
    CLOSED = "closed", _("本年度不再受理")
    ACCEPTED = "accepted", _("评审委员会已接收材料")
    PAPER_RECEIVED = "paper_received", _("纸质材料已接收")
    FEE_PAID = "fee_paid", _("已缴费")
    DEFENSE_SCHEDULED = "defense_scheduled", _("待答辩")
    DEFENSE_EXEMPT = "defense_exempt", _("免于答辩")
    DECIDED = "decided", _("已评审")
    CERTIFIED = "certified", _("已发证")


# The review states, in chain order, and the chain step each one belongs to.
REVIEW_STATE_OF_STEP = {
    "unit": State.UNIT_REVIEW,
    "county": State.COUNTY_REVIEW,
    "committee": State.COMMITTEE_REVIEW,
}
IN_REVIEW = (State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW)
EDITABLE = (State.DRAFT, State.RETURNED)
TERMINAL = (State.ABANDONED, State.CLOSED, State.CERTIFIED)
AFTER_ACCEPTANCE = (
    State.ACCEPTED, State.PAPER_RECEIVED, State.FEE_PAID, State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT,
    State.DECIDED, State.CERTIFIED,
)


# The chain steps an application has reached at least once, stored on the row (``Application.
# reached_unit`` …) so that officers' queues filter on a column instead of probing the history:
# a history row entering one of these states sets the flag (``StateChange.save``); a return never
# clears it.  The committee also keeps what it accepted (002 accepts at the county).
REACHED_FIELD_OF_STATE = {
    State.UNIT_REVIEW: "reached_unit",
    State.COUNTY_REVIEW: "reached_county",
    State.COMMITTEE_REVIEW: "reached_committee",
    State.ACCEPTED: "reached_committee",
}
