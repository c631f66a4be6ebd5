"""Reads of the meeting: who sits for an item, who attends, who may vote, the turnout."""

from __future__ import annotations

from .models import AgendaItem, Attendance, BallotCast, Expert, Membership, MembershipKind, Recusal
from .rules import Seating, seated_for, voters_for


def group_lists(group_id: int) -> tuple[list[int], list[int]]:
    """(members, alternates) of a group, by expert id, in drawn order."""
    rows = list(Membership.objects.filter(group_id=group_id).order_by("order").values_list("expert_id", "kind"))
    return ([e for e, k in rows if k == MembershipKind.MEMBER], [e for e, k in rows if k == MembershipKind.ALTERNATE])


def recused_ids(item: AgendaItem) -> set[int]:
    return set(Recusal.objects.filter(item=item).values_list("expert_id", flat=True))


def seating_of(item: AgendaItem) -> Seating:
    members, alternates = group_lists(item.group_id)
    return seated_for(members, alternates, recused_ids(item))


def present_ids(meeting_id: int) -> set[int]:
    return set(Attendance.objects.filter(meeting_id=meeting_id, present=True).values_list("expert_id", flat=True))


def voters_of(item: AgendaItem) -> tuple[int, ...]:
    return voters_for(seating_of(item), present_ids(item.meeting_id))


def turnout(item: AgendaItem) -> tuple[int, int]:
    """(ballots cast, voters): all the clerk sees while the ballot is open."""
    return BallotCast.objects.filter(item=item).count(), len(voters_of(item))


def expert_for(user) -> Expert | None:
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "role", None) != "expert":
        return None
    return Expert.objects.filter(user=user).select_related("committee").first()


def items_of_expert(expert: Expert, meeting=None):
    """The agenda items the expert sits for (seated, not recused), across their meetings."""
    items = AgendaItem.objects.filter(group__memberships__expert=expert).select_related(
        "meeting", "group", "application__specialty", "application__level")
    if meeting is not None:
        items = items.filter(meeting=meeting)
    return [item for item in items.distinct() if expert.pk in seating_of(item).seated]
