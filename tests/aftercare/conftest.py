"""Fixtures of the after-acceptance tests: applications put in ``accepted`` (as the chain leaves
them), the committee clerk of the demo campaign, an administrator, and a clerk elsewhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from portal import tallies
from applications.models import Application, Campaign, StateChange
from applications.samples import fill_sample_application
from applications.snapshot import build_snapshot
from applications.states import State
from portal.accounts.models import Role
from review.workdays import latest_publicity_start
from tests.factories import ApplicantFactory, ApplicationFactory, ClerkFactory, UnitFactory, UserFactory


@dataclass
class Staff:
    clerk: object
    admin: object
    other_clerk: object


@pytest.fixture
def staff(reference):
    other_committee = Campaign.objects.get(code="bz-2024-zhijian").committee
    return Staff(clerk=ClerkFactory(), admin=UserFactory(role=Role.ADMIN, is_superuser=True, is_staff=True),
                 other_clerk=ClerkFactory(committee=other_committee))


def put_accepted(app, state: str = State.ACCEPTED):
    """Bypass the chain (tested elsewhere): the application as the committee's acceptance leaves it
    (its campaign's figures marked as changed, as the door's audit record does: ``portal.tallies``)."""
    sections = {s.key: s.data for s in app.sections.all() if s.is_complete}
    Application.objects.filter(pk=app.pk).update(state=state, submission_count=1, submitted_at=timezone.now(),
                                                 snapshot=build_snapshot(app, sections))
    StateChange.objects.create(application=app, action="approve", from_state=State.COMMITTEE_REVIEW,
                               to_state=State.ACCEPTED, actor_role="committee_clerk")
    tallies.changed([app.campaign_id])
    app.refresh_from_db()
    return app


@pytest.fixture
def accepted(demo_campaign, private_storage):
    """``accepted(**kwargs)``: a new accepted application in the demo campaign (建筑 中级 评审 unless
    told otherwise); ``files=True`` adds the scans (the photo on the certificate)."""

    def make(*, files: bool = False, unit=None, applicant=None, campaign=None, **app_kwargs):
        sample = {k: app_kwargs.pop(k) for k in ("special_service", "unit_nature") if k in app_kwargs}
        app = ApplicationFactory(applicant=applicant or ApplicantFactory(), unit=unit or UnitFactory(),
                                 campaign=campaign or demo_campaign, **app_kwargs)
        fill_sample_application(app, with_files=files, **sample)
        return put_accepted(app)

    return make


@dataclass(frozen=True)
class Timeline:
    """The end of a campaign, counted back from today so that it holds whatever today is: a
    results publicity of exactly the campaign's working days that ended yesterday (holidays and
    make-up days counted, so it may start two weeks back after Spring Festival or National Day),
    the committee's meeting the day before it started, and the defense held the week before."""

    defense_start: dt.date
    defense_end: dt.date
    meeting: dt.date
    publicity_start: dt.date
    publicity_end: dt.date


def results_timeline(campaign) -> Timeline:
    """Dates for ``campaign``'s end (see ``Timeline``), its defense window moved there."""
    end = timezone.localdate() - dt.timedelta(days=1)
    start = latest_publicity_start(end, campaign.publicity_working_days)
    meeting = start - dt.timedelta(days=1)
    timeline = Timeline(meeting - dt.timedelta(days=6), meeting - dt.timedelta(days=1), meeting, start, end)
    campaign.defense_start, campaign.defense_end = timeline.defense_start, timeline.defense_end
    campaign.save(update_fields=["defense_start", "defense_end"])
    return timeline


def move_window(campaign, name: str, start_days: int, end_days: int) -> None:
    """Shift one of the campaign's windows relative to today (e.g. a defense already held)."""
    today = timezone.localdate()
    setattr(campaign, f"{name}_start", today + dt.timedelta(days=start_days))
    setattr(campaign, f"{name}_end", today + dt.timedelta(days=end_days))
    campaign.save(update_fields=[f"{name}_start", f"{name}_end"])
