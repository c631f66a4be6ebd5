"""Who may see what: the one access rule per object, asked by every door.

Every page, file stream, document, template, export and notification that shows an application
asks here (README, "Who sees what", has the same rule as a role × state table):

- ``applications_visible_to(user)``: the applications a user may open at all.  Applicants their
  own; unit and county officers those of their scope; administrators all.  The **committee side**
  (clerks, and any role registered with ``committee_side_register``) sees an application of its
  committee only once it has reached the committee step (``committee_review`` onwards), or when
  it left the chain from the committee (returned or closed by it).  Drafts, applications still at
  the unit or county, and returned / closed ones that never reached the committee do not exist
  for it (404).
- ``identity_hidden(user, application)``: the committee side reviews blind until the committee
  has accepted the application: its code, masked scans, no name, ID number, phone, photo, the
  unit's publicity scans or file names typed by the applicant.
- ``scan_file(user, attachment, variant)``: which stored file of a scan a user gets (``None``:
  404).  The committee side only ever gets what a blind reviewer may see, at every state.
- ``may_open_template(user, application)``: pre-filled templates print the applicant's name and
  ID number: the applicant and their own unit / county officers (and administrators) only, and
  the committee side only after acceptance.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from applications.models import Application, StateChange
from applications.states import AFTER_ACCEPTANCE, State
from portal.accounts.models import Role

# -- the committee side ---------------------------------------------------------------------------

CommitteeOf = Callable[[object], "int | None"]
_COMMITTEE_SIDE: list[CommitteeOf] = []


def committee_side_register(committee_of: CommitteeOf) -> None:
    """Register a role of the committee side.  ``committee_of(user)`` answers the id of the
    committee the user acts for, or ``None`` when the user is not of that role.  A registered role
    gets exactly the committee's view: from the committee step on, blind until acceptance.  The
    experts of the committee meeting register theirs in their ``AppConfig.ready()``."""
    if committee_of not in _COMMITTEE_SIDE:
        _COMMITTEE_SIDE.append(committee_of)


def _clerk_committee(user) -> int | None:
    return user.committee_id if getattr(user, "role", None) == Role.COMMITTEE_CLERK else None


committee_side_register(_clerk_committee)


def committee_side_of(user) -> tuple[bool, int | None]:
    """(is the user of the committee side, the committee they act for).  Superusers never are."""
    if user is None or getattr(user, "is_superuser", False):
        return False, None
    for committee_of in _COMMITTEE_SIDE:
        committee_id = committee_of(user)
        if committee_id is not None:
            return True, committee_id
        if getattr(user, "role", None) == Role.COMMITTEE_CLERK and committee_of is _clerk_committee:
            return True, None  # a clerk without a committee: of the committee side, sees nothing
    return False, None


def is_committee_side(user) -> bool:
    """Of the committee side, hence blind.  The experts of the committee meeting are, for
    blindness; but they open applications only through the meeting's own doors
    (``review.meeting.access.seat_for``: their group, the review period, after declaring), so
    ``applications_visible_to`` is empty for them and every other door answers 404."""
    return committee_side_of(user)[0] or getattr(user, "role", None) == Role.EXPERT


# -- applications -----------------------------------------------------------------------------------

# The states the committee side sees an application in, and those in which it sees it only when
# the application left the chain from the committee.
COMMITTEE_STATES = (State.COMMITTEE_REVIEW, *AFTER_ACCEPTANCE)
LEFT_STATES = (State.RETURNED, State.CLOSED, State.ABANDONED)


def applications_visible_to(user) -> QuerySet[Application]:
    """The applications ``user`` may open; anything else is answered 404, existing or not."""
    qs = Application.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    committee_side, committee_id = committee_side_of(user)
    if committee_side:
        if committee_id is None:
            return qs.none()
        # Returned, closed or abandoned: only when the latest change left a committee state (the
        # committee returned or closed it, or fraud closed it after acceptance).
        return qs.filter(Q(state__in=COMMITTEE_STATES) | Q(state__in=LEFT_STATES, left_from__in=COMMITTEE_STATES),
                         campaign__committee_id=committee_id)
    if user.role == Role.APPLICANT:
        return qs.filter(applicant=user)
    if user.role == Role.UNIT_OFFICER:
        return qs.filter(unit_id=user.unit_id) if user.unit_id else qs.none()
    if user.role == Role.COUNTY_OFFICER:
        # The second step belongs to the unit's competent department when it has one,
        # otherwise to the HR bureau of the unit's county.
        if user.competent_unit_id:
            return qs.filter(unit__competent_unit_id=user.competent_unit_id)
        if user.county_id:
            return qs.filter(unit__county_id=user.county_id, unit__competent_unit__isnull=True)
        return qs.none()
    return qs.none()


# The roles whose visible set follows from their posts alone (two officers of one unit see the
# same applications); anyone else's also from who they are.
_SCOPE_BY_POST = (Role.UNIT_OFFICER, Role.COUNTY_OFFICER, Role.COMMITTEE_CLERK, Role.ADMIN)


def scope_key(user) -> str:
    """What ``applications_visible_to(user)`` depends on, as text: the key under which a figure
    over the user's applications may be shared with colleagues of the same post
    (``portal.tallies``); moved to another unit, county or committee, a user has another key."""
    committee_side, committee_id = committee_side_of(user)
    parts = [user.role, int(user.is_superuser), int(committee_side), committee_id, user.unit_id, user.county_id,
             user.competent_unit_id]
    if user.role not in _SCOPE_BY_POST:
        parts.append(f"u{user.pk}")
    return "-".join(str(part) for part in parts)


def may_see_application(user, application) -> bool:
    return applications_visible_to(user).filter(pk=application.pk).exists()


def was_accepted(application) -> bool:
    """The committee has accepted it (now, or before fraud closed it)."""
    if application.state in AFTER_ACCEPTANCE:
        return True
    if application.state != State.CLOSED:
        return False
    return StateChange.objects.filter(application=application, to_state=State.ACCEPTED).exists()


def identity_hidden(user, application) -> bool:
    """True when ``user`` must not learn who the applicant is: the committee side before acceptance."""
    return is_committee_side(user) and not was_accepted(application)


# -- scans ------------------------------------------------------------------------------------------

VARIANTS = ("original", "thumb", "masked", "review")

# Never shown to blind reviewers: the unit's publicity scans list applicants by name, and the
# 1-inch photo (kept for the e-certificate) shows the applicant's face.
PUBLICITY_SLOTS = ("publicity", "publicity_result")
BLIND_HIDDEN_SLOTS = {*PUBLICITY_SLOTS, "photo"}


def blind_may_open(attachment) -> bool:
    """A blind reader opens a scan only when the applicant answered the masking question and the
    copy the committee gets exists (``Attachment.masking_answered``: a PDF always as its rasterised
    pages, an image as its masked copy when it shows the name); ``BLIND_HIDDEN_SLOTS`` never."""
    if attachment.slot in BLIND_HIDDEN_SLOTS:
        return False
    return attachment.masking_answered


def scan_file(user, attachment, variant: str):
    """The stored file of ``attachment`` that ``user`` gets for ``variant`` (``original``,
    ``thumb``, ``masked``, ``review``), or ``None`` (404).  The caller has checked that the
    application is visible to the user (``applications_visible_to``).

    The committee side: only what a blind reviewer may see, whatever the state: the masked copy,
    or, for an image answered "no name on it", the original and its thumbnail; never the photo or
    the publicity scans.  Everyone else who may see the application: every variant."""
    if variant not in VARIANTS:
        return None
    if is_committee_side(user):
        if not blind_may_open(attachment):
            return None
        # A PDF never goes as uploaded (text layer, metadata): only its rasterised copy.
        unmasked = attachment.needs_masking is False and not attachment.is_pdf
        if variant == "thumb":
            return attachment.thumbnail if unmasked else None
        if variant == "original" and not unmasked:
            return None
        return attachment.reviewer_file or None
    if variant == "review":
        return attachment.reviewer_file if attachment.needs_masking is not None else attachment.file
    return {"original": attachment.file, "thumb": attachment.thumbnail, "masked": attachment.masked}[variant] or None


# -- documents and templates ----------------------------------------------------------------------------


def may_open_template(user, application) -> bool:
    """Pre-filled templates name the applicant: not for the committee side before acceptance."""
    return may_see_application(user, application) and not identity_hidden(user, application)


def may_see_document(user, document) -> bool:
    """A document of one application (review form, pre-filled template): the review form exists
    only after acceptance; a template names the applicant (``may_open_template``)."""
    if document.application_id is None:
        return False
    application = document.application
    if not may_see_application(user, application):
        return False
    return not identity_hidden(user, application)
