"""Factories with no surprising behaviour: each builds the smallest valid object, in the demo
campaign unless told otherwise; anything a test depends on, the test passes explicitly."""

from __future__ import annotations

import contextlib
import itertools

import factory
from django.db.models import Max
from stdnum.cn import ric

from applications.enums import Kind, UnitNature
from applications.models import Application, Campaign, County, Level, Specialty, Unit
from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent

_seq = itertools.count(1)


def valid_id_number(birth: str = "19900101", region: str = "652801", female: bool = False) -> str:
    n = next(_seq) % 500
    order = 2 * n + (0 if female else 1)
    body = f"{region}{birth}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    nature = UnitNature.INSTITUTION
    county = factory.LazyFunction(lambda: County.objects.get(name="库尔勒市"))


def _base20(n: int) -> str:
    digits = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
    out = ""
    while True:
        n, d = divmod(n, 20)
        out = digits[d] + out
        if n == 0 and len(out) >= 2:
            return out


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Name characters only (portal.accounts.validators.validate_person_name), as short as real names
    # (the roster's name column fits four): "柏" and the sequence number in base 20, written in
    # stems and branches, at least two of them.
    real_name = factory.Sequence(lambda n: "柏" + _base20(n))
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ApplicantFactory(UserFactory):
    role = Role.APPLICANT
    id_number = factory.LazyFunction(valid_id_number)
    username = factory.SelfAttribute("id_number")
    phone = "13900000001"


class UnitOfficerFactory(UserFactory):
    role = Role.UNIT_OFFICER
    unit = factory.SubFactory(UnitFactory)


class CountyOfficerFactory(UserFactory):
    role = Role.COUNTY_OFFICER
    county = factory.LazyFunction(lambda: County.objects.get(name="库尔勒市"))


class ClerkFactory(UserFactory):
    role = Role.COMMITTEE_CLERK
    committee = factory.LazyFunction(lambda: Campaign.objects.get(code="demo").committee)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft in the demo campaign: 工程系列·建筑, 中级, 评审."""

    class Meta:
        model = Application

    applicant = factory.SubFactory(ApplicantFactory)
    campaign = factory.LazyFunction(lambda: Campaign.objects.get(code="demo"))
    specialty = factory.LazyFunction(lambda: Specialty.objects.get(series__name="工程系列", name="建筑"))
    level = factory.LazyFunction(lambda: Level.objects.get(code="intermediate"))
    kind = Kind.REVIEW
    unit = factory.SubFactory(UnitFactory)


class AuditTrail:
    """The audit events written inside a ``with audited() as trail:`` block, oldest first."""

    def __init__(self, after_id: int):
        self.after_id = after_id

    @property
    def events(self) -> list:
        return list(AuditEvent.objects.filter(id__gt=self.after_id).order_by("id"))

    @property
    def actions(self) -> list[str]:
        return [event.action for event in self.events]

    def one(self, action: str):
        """The single event of ``action`` (fails when there are none or several)."""
        found = [event for event in self.events if event.action == action]
        assert len(found) == 1, f"{len(found)} events {action!r} in {self.actions}"
        return found[0]


@contextlib.contextmanager
def audited():
    yield AuditTrail(AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0)
