"""Reads scoped to the user.  Which applications a user may see is decided in ``review.access``
(re-exported here): every view, export and file download starts from
``applications_visible_to(user)``; a row outside it is answered with 404, whether it exists or
not (an officer cannot probe other units).
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.enums import Section
from applications.models import Application, Campaign, CampaignFee, Level, Specialty, StateChange, Unit
from applications.states import REACHED_FIELD_OF_STATE, State
from portal import tallies
from portal.accounts.models import Role, User
from portal.lanes import Lanes
from portal.paging import COUNT_LIMIT

from .access import applications_visible_to, committee_side_of, is_committee_side, scope_key
from .models import Notification

logger = logging.getLogger(__name__)

# Where each officer's queue starts: the review state of their chain step.  The committee also
# keeps what it accepted; a campaign whose chain ends at the county (002) accepts there.
QUEUE_STATES_OF_ROLE = {
    Role.UNIT_OFFICER: (State.UNIT_REVIEW,),
    Role.COUNTY_OFFICER: (State.COUNTY_REVIEW,),
    Role.COMMITTEE_CLERK: (State.COMMITTEE_REVIEW, State.ACCEPTED),
}


def is_blind(user) -> bool:
    """The committee side reviews blind: codes and masked copies only (SPEC §4.15; ``review.access``)."""
    return is_committee_side(user)


def applications_in_queue_of(user) -> QuerySet[Application]:
    """What an officer works on: applications in their scope that have reached their chain step
    at least once (drafts and applications still below them stay invisible), whatever their
    state now.  Applicants and administrators get their visible set."""
    visible = applications_visible_to(user)
    states = QUEUE_STATES_OF_ROLE.get(getattr(user, "role", None))
    if states is None or user.is_superuser:
        return visible
    # Reached at least once: the flag the history row set (``Application.reached_*``), read from
    # the row and its partial index instead of a semi-join on the history.
    # A withdrawn application is back in the applicant's hands: not the officer's business
    # until it is submitted again.
    return visible.filter(**{REACHED_FIELD_OF_STATE[states[0]]: True}).exclude(state=State.DRAFT)


OPTIONS_SECONDS = 300


def queue_options(user, base) -> dict[str, list[tuple[int, str]]]:
    """The campaigns, specialties and units the officer's queue holds, and the levels: the filter's
    choices, as (pk, label).

    Read from the queue once every ``OPTIONS_SECONDS`` per officer (cache), not on each of its
    pages: three semi-joins over the whole queue had cost 15–25 ms of SQL a request at 10,000
    applications, and more as the campaign grows; the labels come with them (four reads of the
    reference tables fewer a page).  A specialty or unit new to the queue, or a renamed one, shows
    up among the choices within those five minutes (its applications are listed at once); a cache
    outage only costs the read.  The key holds the officer's scope: moved to another unit, county
    or committee, they never see the former scope's choices."""
    key = f"review:queue-options:v3:{user.pk}:{scope_key(user)}"
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache client error: read the queue instead
        found = None
    if found is None:
        rows = list(base.order_by().values_list("campaign_id", "specialty_id", "unit_id").distinct())
        ids = [{row[i] for row in rows} for i in range(3)]
        found = {
            "campaign": [(c.pk, str(c)) for c in Campaign.objects.filter(pk__in=ids[0]).only("id", "year", "title")],
            "specialty": [(s.pk, str(s)) for s in Specialty.objects.filter(pk__in=ids[1]).select_related("series")],
            # The committee's blind queue has no unit filter: its names are not even read.
            "unit": [] if is_blind(user) else [(u.pk, str(u)) for u in Unit.objects.filter(pk__in=ids[2])
                                                 .only("id", "name")],
            "level": [(level.pk, str(level)) for level in Level.objects.all()],
        }
        try:
            cache.set(key, found, OPTIONS_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("could not cache the queue's filter choices")
    return found


def _with_rows() -> QuerySet[Campaign]:
    return (Campaign.objects.select_related("committee", "series")
            .prefetch_related("paper_items", Prefetch("fees", queryset=CampaignFee.objects.select_related("level")),
                              "specialties__series", "exempt_counties"))


def load_campaign(campaign_id: int) -> Campaign:
    """A campaign with the rows every list reads (paper checklist, fees, committee, specialties),
    kept in the cache until a campaign's settings or a reference row change
    (``portal.tallies.CAMPAIGN_SETTINGS``): six queries and the campaign's clauses decoded on every
    after-acceptance page were a tenth of the committee's list pages, and joining it (with its
    clauses decoded) to the application a fifth of a review page's work (issue 16).  Each page gets
    its own copy (the cache stores it pickled)."""
    return tallies.remembered(f"campaign-settings:{campaign_id}", [tallies.CAMPAIGN_SETTINGS],
                              lambda: _with_rows().get(pk=campaign_id))


def load_campaigns(campaign_ids) -> dict[int, Campaign]:
    """``load_campaign`` for the campaigns of a list that spans several (the units' progress), each
    from the cache: a page holds one or two campaigns, and reading them with their rows (six
    queries) on every request was a fifth of the units' list (issue 16)."""
    return {pk: load_campaign(pk) for pk in sorted(set(campaign_ids))}


def campaign_tally(name: str):
    """Decorate a campaign-wide figure ``compute(user, campaign, *args)`` (counts, totals): read
    from the cache while the campaign's data has not changed (``portal.tallies``), per scope of
    the user and arguments."""
    def decorate(compute):
        @functools.wraps(compute)
        def remembered(user, campaign, *args):
            key = ":".join([name, str(campaign.pk), scope_key(user), *map(str, args)])
            return tallies.remembered(key, [tallies.campaign_scope(campaign.pk)],
                                      lambda: compute(user, campaign, *args))
        return remembered
    return decorate


def count_by_state(qs: QuerySet[Application]) -> dict[str, int]:
    """``{state: count}`` of ``qs``: one grouped query."""
    return dict(qs.order_by().values_list("state").annotate(n=Count("id")))


def count_by_state_upto(qs: QuerySet[Application], limit: int) -> dict[str, int] | None:
    """``count_by_state(qs)`` when ``qs`` holds at most ``limit`` rows, else None: the states of
    ``limit`` + 1 rows are read, never more (a county officer's search for a term every applicant
    shares counted every match on each request: 133 ms at 100,000 applications, 68 with the limit,
    most of the rest the applicants' subquery, since checked row by row instead, ``matching``)."""
    states = list(qs.order_by().values_list("state", flat=True)[: limit + 1])
    return None if len(states) > limit else dict(Counter(states))


def state_counts_of(user, qs: QuerySet[Application], name: str) -> dict[str, int]:
    """``count_by_state(qs)`` of a selection of the user's applications named by ``name`` (its
    filters), read from the cache while no application changed (``portal.tallies``)."""
    return tallies.remembered(f"states:{name}:{scope_key(user)}", [tallies.ALL_APPLICATIONS],
                              lambda: count_by_state(qs))


@dataclass(frozen=True)
class QueueFilters:
    campaign: int | None = None
    specialty: int | None = None
    level: int | None = None
    state: str = ""
    unit: int | None = None
    q: str = ""


def queue_for(user, filters: QueueFilters) -> tuple[QuerySet[Application], dict[str, int | None]]:
    """The officer's queue, filtered and searched, and the count per state of the same selection
    without the state filter (the tabs).  Committee clerks search by code only.

    A search's matches are counted up to ``portal.paging.COUNT_LIMIT``; when it finds more, each
    state of the filtered queue (without the search) is a tab counted as None: the page says
    "500+" and its pager counts the state it shows, up to the same limit."""
    qs = applications_in_queue_of(user)
    if filters.campaign:
        qs = qs.filter(campaign_id=filters.campaign)
    if filters.specialty:
        qs = qs.filter(specialty_id=filters.specialty)
    if filters.level:
        qs = qs.filter(level_id=filters.level)
    if filters.unit and not is_blind(user):
        qs = qs.filter(unit_id=filters.unit)
    filtered = qs
    name = "queue:{}:{}:{}:{}".format(filters.campaign, filters.specialty, filters.level,
                                      filters.unit if not is_blind(user) else None)
    term = filters.q.strip()
    if term:
        if is_blind(user):
            qs = qs.filter(code=term.upper())  # codes are capitals (CODE_ALPHABET): the unique index
        else:
            qs = qs.filter(matching(term))
    if term:  # a search is asked once: counted, not cached
        counts = count_by_state_upto(qs, COUNT_LIMIT)
        if counts is None:
            counts = dict.fromkeys(state_counts_of(user, filtered, name))
    else:
        counts = state_counts_of(user, qs, name)
    if filters.state:
        qs = qs.filter(state=filters.state)
    qs = _queue_row(qs).order_by("submitted_at", "id")
    return qs, counts


def _queue_row(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("campaign__committee", "specialty__series", "level", "unit", "applicant").only(*QUEUE_COLUMNS)


def queue_rows(queue: QuerySet[Application]):
    """How a page of the officer's queue reads its rows from their ids (``KeysetPaginator``'s
    ``rows``): through the officer's ``queue`` (``applications_in_queue_of``: the access rule), not
    again through the page's filters and search, whose ids they are: a search's applicants were
    matched once for the page's ids, not a second time for its rows (12 ms of SQL at 100,000)."""
    return lambda ids: list(_queue_row(queue).filter(pk__in=ids).order_by())  # the paginator orders them


# A search's applicants are listed by id when they are this few or fewer; more (a region code the
# ID numbers of a county share, a common syllable) are checked row by row instead (``matching``).
LISTED_APPLICANTS = 100


def applicants_matching(term: str) -> QuerySet[User]:
    """The accounts whose name contains ``term`` as typed or whose ID number contains it in capitals,
    as stored (``normalize_id_number``): a plain ``LIKE`` reads the accounts three times faster than
    ``UPPER(...) LIKE``.  On PostgreSQL the trigram indexes
    (``portal/accounts/migrations/0004_search_trigram.py``) answer a term of three characters or
    more (a full name, a run of an ID number: ~1 ms at 100,000 applicants, where reading them all
    took 60–130 ms); a two-character name is still read in full."""
    return User.objects.filter(_name_or_id_number(term))


def _name_or_id_number(term: str) -> Q:
    return Q(real_name__contains=term) | Q(id_number__contains=term.upper())


def matching(term: str) -> Q:
    """The applications a search term finds: the applicant's name or ID number contains it
    (``applicants_matching``), or it is the application's code, in any case (codes are capitals,
    ``CODE_ALPHABET``: the unique index answers; a term that cannot be a code, a name in Chinese, is
    not asked as one).

    The applicants are looked up first, once, up to ``LISTED_APPLICANTS`` + 1 (one query):

    - this few or fewer (a name, a run of an ID number): the applications are asked for by their
      applicants' ids, a list the applications' index on the applicant answers, so that a page of
      a search is read from the few applicants found, lane by lane (``portal.lanes``);
    - more (a county's region code: every applicant of the county): each application read is
      checked against its own applicant, one primary-key probe a row (a correlated subquery, which
      PostgreSQL cannot turn into a hashed set), so that a lane stops at a page of matches.  Asked
      as ``IN`` (subquery), every query of the page (its count, its lanes) hashed every applicant
      the term matches: 10,000 at 10,000 applications (~3 ms a query), 100,000 at 100,000."""
    listed = list(applicants_matching(term).values_list("pk", flat=True)[:LISTED_APPLICANTS + 1])
    if len(listed) <= LISTED_APPLICANTS:
        hit = Q(applicant_id__in=listed)
    else:
        own = User.objects.filter(pk=OuterRef("applicant_id")).annotate(
            hit=ExpressionWrapper(_name_or_id_number(term), output_field=BooleanField())).values("hit")[:1]
        hit = Q(Subquery(own, output_field=BooleanField()))
    code = term.upper()
    if code.isascii() and code.isalnum() and len(code) <= Application._meta.get_field("code").max_length:
        # Only a term that can be a code asks for one: "OR code = …" beside the applicants keeps
        # PostgreSQL from driving the search from the few applicants a name finds (through the
        # applications' index on the applicant); it then reads the whole scope instead
        # (a county's search for a full name at 100,000 applications: 57 -> 2 ms).
        hit |= Q(code=code)
    return hit


def queue_lanes(user, filters: QueueFilters) -> Lanes | None:
    """How a page of the officer's queue is read on PostgreSQL (``portal.lanes``): by campaign and
    state (committee), state (unit) or unit and state (county), each lane a range of the step's
    partial index (``app_committee_queue`` / ``app_unit_queue`` / ``app_county_queue``), so that a
    page showing several states or campaigns does not sort the whole queue.  The lanes cover the
    officer's scope or more (the queue's own filters and access rule still apply in each), a
    search's too (``matching``); the administrator's queue is read whole."""
    if user.is_superuser:
        return None
    states = [filters.state] if filters.state else [s.value for s in State if s != State.DRAFT]
    committee_side, committee_id = committee_side_of(user)
    if committee_side and committee_id is not None and user.role in QUEUE_STATES_OF_ROLE:
        sql = (f"SELECT c.id, s.state FROM {Campaign._meta.db_table} c CROSS JOIN unnest(%s::varchar[]) AS s(state) "
               f"WHERE c.committee_id = %s")
        params = [states, committee_id]
        if filters.campaign:
            sql += " AND c.id = %s"
            params.append(filters.campaign)
        return Lanes(("campaign_id", "state"), sql, tuple(params))
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        return Lanes(("state",), "SELECT s.state FROM unnest(%s::varchar[]) AS s(state)", (states,))
    if user.role == Role.COUNTY_OFFICER and (user.competent_unit_id or user.county_id):
        sql = f"SELECT u.id, s.state FROM {Unit._meta.db_table} u CROSS JOIN unnest(%s::varchar[]) AS s(state) WHERE "
        if user.competent_unit_id:
            sql, params = sql + "u.competent_unit_id = %s", [states, user.competent_unit_id]
        else:
            sql, params = sql + "u.county_id = %s", [states, user.county_id]
        if filters.unit:
            sql += " AND u.id = %s"
            params.append(filters.unit)
        return Lanes(("unit_id", "state"), sql, tuple(params))
    return None


# What a queue row shows (never the snapshot or the campaign's rule columns): the page reads a
# narrow row per application.
QUEUE_COLUMNS = (
    "id", "code", "state", "kind", "submitted_at", "submission_count", "campaign_id", "specialty_id", "level_id",
    "unit_id", "applicant_id", "campaign__year", "campaign__code", "campaign__unit_opinion_text",
    "campaign__publicity_working_days", "campaign__committee__name", "campaign__committee__short_name",
    "specialty__name", "specialty__series__name", "level__name", "unit__name",
    "applicant__real_name",
)


# -- what reviewers may read --------------------------------------------------------------------

REDACTED = "＊＊＊"


def redactor_for(application, viewer):
    """A function that removes the applicant's name and ID number from a text for a blind
    viewer (committee), and leaves it alone for everyone else.  Lower levels write names into
    comments ("张建华的学历证书不清晰"); this is where they are taken out."""
    if not is_blind(viewer):
        return lambda text: text
    user = application.applicant
    snapshot = application.snapshot or {}
    secrets = {snapshot.get("name"), snapshot.get("id_number"), snapshot.get("phone"), user.real_name,
               user.id_number, user.username, user.phone}
    secrets = sorted({s for s in secrets if s and len(s) >= 2}, key=len, reverse=True)
    if not secrets:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(s) for s in secrets), re.IGNORECASE)
    return lambda text: pattern.sub(REDACTED, text or "")


@dataclass(frozen=True)
class HistoryEntry:
    change: StateChange
    actor_label: str
    comment: str
    notes: list[tuple[str, str]]  # (where, text)


def history_for(application, viewer) -> list[HistoryEntry]:
    """The application's history as ``viewer`` may read it: a blind viewer sees roles instead of
    people and comments with the applicant's name and ID number taken out."""
    redact = redactor_for(application, viewer)
    blind = is_blind(viewer)
    changes = (StateChange.objects.filter(application=application).select_related("actor")
               .prefetch_related("notes__attachment").order_by("created_at", "id"))
    entries = []
    for change in changes:
        role_label = _role_label(change.actor_role)
        if blind or change.actor is None:
            actor_label = role_label
        elif change.actor_role == Role.APPLICANT:
            actor_label = f"{role_label} {change.actor.real_name}"
        else:
            actor_label = f"{role_label} {change.actor.real_name}".strip()
        notes = []
        for note in change.notes.all():
            key = note.section or (note.attachment.section if note.attachment else "")
            where = str(Section(key).label) if key in Section.values else str(WHOLE_APPLICATION)
            if note.attachment_id:
                where = f"{where} · {note.attachment.slot}"
            notes.append((where, redact(note.text)))
        entries.append(HistoryEntry(change, actor_label, redact(change.comment), notes))
    return entries


WHOLE_APPLICATION = gettext_lazy("整体意见")


def _role_label(role: str) -> str:
    if role == "system":
        return _("系统")
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("application").order_by("-created_at", "-id")
