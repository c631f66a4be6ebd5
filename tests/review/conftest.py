"""Fixtures of the chain tests: an application put directly into a state, with the officers of
each step for its unit, and officers of the same roles elsewhere (out of scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from portal import tallies
from applications.models import Application, Campaign, County, StateChange
from applications.samples import fill_sample_application
from applications.states import State
from portal.accounts.models import Role
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    ClerkFactory,
    CountyOfficerFactory,
    UnitFactory,
    UnitOfficerFactory,
    UserFactory,
)


@dataclass
class Cast:
    applicant: object
    unit: object
    county: object
    clerk: object
    admin: object
    other_applicant: object
    other_unit: object
    other_county: object
    other_clerk: object


@pytest.fixture
def cast(reference):
    unit = UnitFactory()
    other_committee = Campaign.objects.get(code="bz-2024-zhijian").committee
    return Cast(
        applicant=ApplicantFactory(), unit=UnitOfficerFactory(unit=unit),
        county=CountyOfficerFactory(county=unit.county), clerk=ClerkFactory(),
        admin=UserFactory(role=Role.ADMIN, is_superuser=True, is_staff=True),
        other_applicant=ApplicantFactory(), other_unit=UnitOfficerFactory(),
        other_county=CountyOfficerFactory(county=County.objects.get(name="且末县")),
        other_clerk=ClerkFactory(committee=other_committee),
    )


def put_in_state(app, state: str, *, deadline_hours: float = 24) -> None:
    """Set the state as if the chain had brought it there (bypassing the door on purpose: the
    matrix tests the door's answers, not the way there), and mark the campaign's figures as
    changed as the door's audit record does (``portal.tallies``)."""
    fields = {"state": state, "submission_count": 0 if state == State.DRAFT else 1}
    if state == State.RETURNED:
        fields["return_deadline"] = timezone.now() + dt.timedelta(hours=deadline_hours)
    Application.objects.filter(pk=app.pk).update(**fields)
    if state != State.DRAFT:
        StateChange.objects.create(application=app, action="submit", from_state=State.DRAFT,
                                   to_state=State.UNIT_REVIEW, actor=app.applicant, actor_role="applicant")
    tallies.changed([app.campaign_id])
    app.refresh_from_db()


@pytest.fixture
def app_in(cast, private_storage):
    """``app_in(state, files=False)``: an application of ``cast.applicant`` at ``cast.unit``'s unit."""

    def make(state: str, *, files: bool = False, **kwargs):
        app = ApplicationFactory(applicant=cast.applicant, unit=cast.unit.unit)
        fill_sample_application(app, with_files=files)
        put_in_state(app, state, **kwargs)
        return app

    return make
