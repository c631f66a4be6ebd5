"""The spine of the chain: submit → unit → county → committee → accepted, through the one door."""

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import StateChange
from applications.samples import fill_sample_application
from applications.selectors import return_notes_by_section
from applications.states import State
from review.demo import approve_at_unit, publicity_dates, publicity_files
from review.services import TransitionRefused, application_transition, publicity_scans_attach
from tests.factories import (
    ApplicationFactory,
    ClerkFactory,
    CountyOfficerFactory,
    UnitOfficerFactory,
)
from tests.factories import ApplicationFactory as AF


@pytest.fixture
def complete_app(reference, private_storage):
    return fill_sample_application(ApplicationFactory())


def test_submission_climbs_the_demo_chain_to_accepted(complete_app):
    app = complete_app
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    app.refresh_from_db()
    assert (app.state, app.submission_count) == (State.UNIT_REVIEW, 1)
    assert app.snapshot["name"] == app.applicant.real_name
    unit_officer = UnitOfficerFactory(unit=app.unit)
    county_officer = CountyOfficerFactory(county=app.unit.county)
    clerk = ClerkFactory()
    approve_at_unit(app, unit_officer)
    app.refresh_from_db()
    assert app.state == State.COUNTY_REVIEW
    for actor, expected in ((county_officer, State.COMMITTEE_REVIEW), (clerk, State.ACCEPTED)):
        application_transition(application_id=app.pk, action="approve", actor=actor)
        app.refresh_from_db()
        assert app.state == expected
    steps = list(StateChange.objects.filter(application=app).values_list("from_state", "to_state"))
    assert steps == [(State.DRAFT, State.UNIT_REVIEW), (State.UNIT_REVIEW, State.COUNTY_REVIEW),
                     (State.COUNTY_REVIEW, State.COMMITTEE_REVIEW), (State.COMMITTEE_REVIEW, State.ACCEPTED)]


def test_incomplete_application_cannot_be_submitted(reference):
    app = ApplicationFactory()
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    assert "不完整" in refused.value.message
    app.refresh_from_db()
    assert (app.state, app.submission_count) == (State.DRAFT, 0)


def test_return_starts_the_clock_and_third_return_closes(complete_app):
    app = complete_app
    officer = UnitOfficerFactory(unit=app.unit)
    now = timezone.now()
    application_transition(application_id=app.pk, action="submit", actor=app.applicant, now=now)
    for round_ in (1, 2):
        application_transition(application_id=app.pk, action="return", actor=officer, comment="学历证书不清晰", now=now)
        app.refresh_from_db()
        assert app.state == State.RETURNED
        assert app.return_deadline == now + dt.timedelta(hours=48)
        application_transition(application_id=app.pk, action="resubmit", actor=app.applicant, now=now)
    app.refresh_from_db()
    assert app.submission_count == 3
    application_transition(application_id=app.pk, action="return", actor=officer, comment="仍不符合要求", now=now)
    app.refresh_from_db()
    assert app.state == State.CLOSED


def test_stale_expected_state_is_refused_with_current_state(complete_app):
    app = complete_app
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    officer = UnitOfficerFactory(unit=app.unit)
    publicity_scans_attach(application=app, files=publicity_files(app.unit.name, "x"), actor=officer)
    publicity = publicity_dates(app.campaign, timezone.localdate())
    application_transition(application_id=app.pk, action="approve", actor=officer, expected_state=State.UNIT_REVIEW,
                           data={"publicity": publicity})
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=app.pk, action="approve", actor=officer,
                               expected_state=State.UNIT_REVIEW, data={"publicity": publicity})
    assert refused.value.state == State.COUNTY_REVIEW
    assert "已被他人处理" in refused.value.message


def test_officer_of_another_unit_cannot_approve(complete_app):
    app = complete_app
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=app.pk, action="approve", actor=UnitOfficerFactory())
    assert "不在您的审核范围内" in refused.value.message


def test_return_notes_attach_to_sections_and_own_attachments_only(complete_app):
    app = complete_app
    other = fill_sample_application(AF())
    foreign = other.attachments.first()
    diploma = app.attachments.get(slot="diploma")
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    application_transition(
        application_id=app.pk, action="return", actor=UnitOfficerFactory(unit=app.unit), comment="请修改",
        data={"notes": [{"section": "education", "attachment_id": diploma.pk, "text": "毕业证书不清晰"},
                        {"section": "", "attachment_id": foreign.pk, "text": "总体意见"},
                        {"section": "ce", "text": "  "}]})
    notes = return_notes_by_section(app)
    assert [n.text for n in notes["education"]] == ["毕业证书不清晰"]
    assert notes["education"][0].attachment_id == diploma.pk
    assert [(n.text, n.attachment_id) for n in notes[""]] == [("总体意见", None)]
    assert "ce" not in notes
