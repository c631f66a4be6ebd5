"""Demo data: units in several counties, a login for every role, applicants.

Idempotent: rows are found by their natural keys and updated.  ``seed_demo`` calls ``build`` of
this module and then of the builders above it (``settings.PORTAL_DEMO_BUILDERS``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from stdnum.cn import ric

from portal.accounts.demo import second_factor_demo_set
from portal.accounts.models import Role, User

from .enums import UnitNature
from .models import Campaign, County, Unit
from .seeding import load_reference, load_seed_campaigns

DEMO_PASSWORD = "zhicheng2026"


def demo_id_number(region: str, birth: str, seq: str) -> str:
    """A valid GB 11643 number: region (6) + birth date (8) + sequence (3) + check digit."""
    body = f"{region}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


@dataclass(frozen=True)
class DemoUnit:
    name: str
    nature: str
    county: str
    competent: str | None = None
    grassroots: bool = False
    agency: bool = False


UNITS = [
    DemoUnit("巴州住房和城乡建设局", UnitNature.ORGAN, "库尔勒市"),
    DemoUnit("巴州市场监督管理局", UnitNature.ORGAN, "库尔勒市"),
    DemoUnit("巴州建筑设计研究院", UnitNature.INSTITUTION, "库尔勒市", competent="巴州住房和城乡建设局"),
    DemoUnit("巴州质量与计量检测所", UnitNature.INSTITUTION, "库尔勒市", competent="巴州市场监督管理局"),
    DemoUnit("库尔勒华源建筑工程有限公司", UnitNature.PRIVATE_ENTERPRISE, "库尔勒市"),
    DemoUnit("巴州天山电力有限责任公司", UnitNature.STATE_ENTERPRISE, "库尔勒经济技术开发区"),
    DemoUnit("且末县水利电力建设有限公司", UnitNature.STATE_ENTERPRISE, "且末县"),
    DemoUnit("若羌县瓦石峡镇农业技术推广站", UnitNature.INSTITUTION, "若羌县", grassroots=True),
    DemoUnit("焉耆县宏达建材有限公司", UnitNature.PRIVATE_ENTERPRISE, "焉耆回族自治县"),
    DemoUnit("轮台县城乡规划设计所", UnitNature.INSTITUTION, "轮台县"),
    DemoUnit("巴州人才交流服务中心", UnitNature.INSTITUTION, "库尔勒市", agency=True),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    real_name: str
    role: str
    unit: str | None = None
    county: str | None = None
    competent_unit: str | None = None
    committee_of: str | None = None  # campaign code whose committee the clerk serves
    id_number: str | None = None
    superuser: bool = False


LOGINS = [
    DemoLogin("admin", "系统管理员", Role.ADMIN, superuser=True),
    DemoLogin(demo_id_number("652801", "19900101", "123"), "张建华", Role.APPLICANT),
    DemoLogin(demo_id_number("652801", "19920315", "246"), "古丽娜尔·艾买提", Role.APPLICANT),
    DemoLogin(demo_id_number("652825", "19880808", "031"), "李明", Role.APPLICANT),
    DemoLogin("danwei", "王芳（巴州建筑设计研究院人事科）", Role.UNIT_OFFICER, unit="巴州建筑设计研究院"),
    DemoLogin("danwei2", "赵强（华源建筑人事部）", Role.UNIT_OFFICER, unit="库尔勒华源建筑工程有限公司"),
    DemoLogin("zhuguan", "刘洋（巴州住建局人事科）", Role.COUNTY_OFFICER, competent_unit="巴州住房和城乡建设局"),
    DemoLogin("xianshi", "陈静（库尔勒市人社局）", Role.COUNTY_OFFICER, county="库尔勒市"),
    DemoLogin("pingwei", "孙磊（工程系列评委会办公室）", Role.COMMITTEE_CLERK, committee_of="demo"),
]


@transaction.atomic
def build(*, stdout=None, context: dict | None = None) -> dict:
    load_reference()
    load_seed_campaigns()
    counties = {c.name: c for c in County.objects.all()}
    units: dict[str, Unit] = {}
    for spec in UNITS:  # competent units come first in UNITS
        units[spec.name], _ = Unit.objects.update_or_create(name=spec.name, defaults={
            "nature": spec.nature, "county": counties[spec.county],
            "competent_unit": units.get(spec.competent) if spec.competent else None,
            "grassroots_below_county": spec.grassroots, "is_personnel_agency": spec.agency,
        })
    users = {}
    for login in LOGINS:
        committee = Campaign.objects.get(code=login.committee_of).committee if login.committee_of else None
        is_applicant = login.role == Role.APPLICANT
        user, created = User.objects.update_or_create(username=login.username, defaults={
            "real_name": login.real_name, "role": login.role,
            "id_number": login.username if is_applicant else None,
            "phone": "13900000000" if is_applicant else "",
            "unit": units.get(login.unit) if login.unit else None,
            "county": counties.get(login.county) if login.county else None,
            "competent_unit": units.get(login.competent_unit) if login.competent_unit else None,
            "committee": committee,
            "is_staff": login.superuser, "is_superuser": login.superuser,
        })
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[login.username] = user
    second_factor_demo_set(users.values())  # DEMO ONLY: the published TOTP secret of the README
    return {"units": units, "users": users}


def login_table() -> list[tuple[str, str, str]]:
    return [(login.username, login.real_name, str(Role(login.role).label)) for login in LOGINS]
