"""Scope is security: each role sees only what is under its unit, county or committee."""

import pytest
from django.contrib.auth.models import AnonymousUser

from applications.models import Application, Campaign, County
from applications.states import State
from applications.samples import fill_sample_application
from portal.accounts.models import Role
from review.selectors import applications_in_queue_of, applications_visible_to
from review.services import application_transition
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    ClerkFactory,
    CountyOfficerFactory,
    UnitFactory,
    UnitOfficerFactory,
    UserFactory,
)


@pytest.fixture
def world(reference):
    korla = County.objects.get(name="库尔勒市")
    qiemo = County.objects.get(name="且末县")
    bureau = UnitFactory(name="某主管局", county=korla)
    unit_a = UnitFactory(county=korla)
    unit_b = UnitFactory(county=qiemo)
    unit_c = UnitFactory(county=korla, competent_unit=bureau)
    other_campaign = Campaign.objects.get(code="bz-2024-zhijian")
    apps = {
        "a": ApplicationFactory(unit=unit_a),
        "b": ApplicationFactory(unit=unit_b),
        "c": ApplicationFactory(unit=unit_c),
        "other_committee": ApplicationFactory(unit=unit_a, campaign=other_campaign,
                                              specialty=other_campaign.specialties.first()),
    }
    return {"korla": korla, "qiemo": qiemo, "bureau": bureau, "a": unit_a, "b": unit_b, "c": unit_c, "apps": apps}


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_applicant_sees_only_own(world):
    app = world["apps"]["a"]
    assert codes(applications_visible_to(app.applicant)) == {app.code}
    assert codes(applications_visible_to(ApplicantFactory())) == set()


def test_unit_officer_sees_own_unit_only(world):
    officer = UnitOfficerFactory(unit=world["a"])
    apps = world["apps"]
    assert codes(applications_visible_to(officer)) == {apps["a"].code, apps["other_committee"].code}


def test_county_officer_sees_units_of_county_without_competent_unit(world):
    officer = CountyOfficerFactory(county=world["korla"])
    apps = world["apps"]
    assert codes(applications_visible_to(officer)) == {apps["a"].code, apps["other_committee"].code}
    assert codes(applications_visible_to(CountyOfficerFactory(county=world["qiemo"]))) == {apps["b"].code}


def test_competent_unit_officer_sees_its_subordinate_units(world):
    officer = CountyOfficerFactory(county=None, competent_unit=world["bureau"])
    assert codes(applications_visible_to(officer)) == {world["apps"]["c"].code}


def test_clerk_sees_own_committee_only(world):
    clerk = ClerkFactory()
    apps = world["apps"]
    assert codes(applications_visible_to(clerk)) == set()  # drafts: never reached the committee
    Application.objects.filter(pk__in=[a.pk for a in apps.values()]).update(state=State.COMMITTEE_REVIEW)
    assert codes(applications_visible_to(clerk)) == {apps["a"].code, apps["b"].code, apps["c"].code}


def test_officer_without_scope_sees_nothing(world):
    assert codes(applications_visible_to(UserFactory(role=Role.UNIT_OFFICER))) == set()
    assert codes(applications_visible_to(UserFactory(role=Role.COMMITTEE_CLERK))) == set()


def test_anonymous_sees_nothing(world):
    assert codes(applications_visible_to(AnonymousUser())) == set()


def test_withdrawn_application_leaves_the_unit_queue_until_resubmitted(reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    officer = UnitOfficerFactory(unit=app.unit)
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    assert codes(applications_in_queue_of(officer)) == {app.code}
    application_transition(application_id=app.pk, action="withdraw", actor=app.applicant)
    assert codes(applications_in_queue_of(officer)) == set()
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    assert codes(applications_in_queue_of(officer)) == {app.code}
