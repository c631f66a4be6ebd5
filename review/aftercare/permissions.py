"""Who may act on an application after acceptance, and when (predicates returning ``Decision``).

The committee clerk (评审委员会办公室) of the application's committee does this work; an
administrator may too, and is the only one who may record outside a window, with a reason.
Windows are checked where a record is written (``window_check``), not on the transitions those
records set off: a payment an administrator recorded late must still move the state on.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.states import TERMINAL, State
from portal.accounts.models import Role
from portal.errors import Conflict
from review.permissions import ALLOW, Decision, in_scope, refuse


class RecordRefused(Conflict):
    """A record cannot be written now; ``message`` is shown to the user as is."""


def is_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def is_clerk_or_admin(user) -> bool:
    return is_admin(user) or (user is not None and user.is_authenticated and user.role == Role.COMMITTEE_CLERK)


def can_manage(user, application) -> Decision:
    """The clerk of the application's committee, or an administrator."""
    if user is None or not user.is_authenticated:
        return refuse(_("请先登录。"))
    if is_admin(user):
        return ALLOW
    if user.role != Role.COMMITTEE_CLERK:
        return refuse(_("只有评审委员会办公室可以进行此操作。"))
    if not in_scope(user, application):
        return refuse(_("该申报不在您的管理范围内。"))
    return ALLOW


def _manage_in(user, application, *states) -> Decision:
    decision = can_manage(user, application)
    if not decision:
        return decision
    if application.state in states:
        return ALLOW
    return refuse(_("该申报当前状态为“%s”，不能进行此操作。") % application.get_state_display())


def can_receive_paper(user, application, now: dt.datetime | None = None) -> Decision:
    return _manage_in(user, application, State.ACCEPTED)


def can_confirm_fee(user, application, now: dt.datetime | None = None) -> Decision:
    return _manage_in(user, application, State.PAPER_RECEIVED)


def can_arrange_defense(user, application, now: dt.datetime | None = None) -> Decision:
    return _manage_in(user, application, State.FEE_PAID)


def can_decide(user, application, now: dt.datetime | None = None) -> Decision:
    return _manage_in(user, application, State.DEFENSE_SCHEDULED, State.DEFENSE_EXEMPT)


def can_certify(user, application, now: dt.datetime | None = None) -> Decision:
    return _manage_in(user, application, State.DECIDED)


def can_close_for_fraud(user, application, now: dt.datetime | None = None) -> Decision:
    return _manage_in(user, application, *[s for s in State.values if s not in TERMINAL])


# -- windows ---------------------------------------------------------------------------------------

def window_check(window, *, actor, now: dt.datetime | None, reason: str, what: str) -> str:
    """Allow a record inside ``window``; outside it only for an administrator who gives a reason.

    Returns the reason to store ("" inside the window); raises ``RecordRefused`` otherwise.  A
    campaign that sets no such window does not restrict the record.
    """
    if window is None or window.contains(now or timezone.now()):
        return ""
    reason = (reason or "").strip()
    if is_admin(actor):
        if reason:
            return reason
        raise RecordRefused(_("不在%(what)s时间内（%(window)s）。管理员补录须填写原因。")
                            % {"what": what, "window": window})
    raise RecordRefused(_("不在%(what)s时间内（%(window)s），逾期不予受理。") % {"what": what, "window": window})
