"""Load reference data and campaign fixtures (``fixtures/``) idempotently.

Campaign fixtures are written in a readable shape (one notice per file) rather than Django's dump
format, so they can be checked against the notice line by line.  The demo campaign's dates are
relative: ``"today+21"`` and years ``"Y-1"`` resolve against the day it is loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .enums import Kind
from .models import (
    Campaign,
    CampaignContact,
    CampaignFee,
    Committee,
    ContinuingEducationRule,
    County,
    Level,
    MaterialRequirement,
    PaperItem,
    Series,
    Specialty,
    TitleName,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_CAMPAIGNS = ("bz-2023-jianzhu", "bz-2023-dangxiao", "yq-2024-chuding", "bz-2024-zhijian", "bz-2021-shihua")
_RELATIVE_DAY = re.compile(r"^today(?:([+-])(\d+))?$")
_RELATIVE_YEAR = re.compile(r"^Y(?:([+-])(\d+))?$")


def _day(value: str | None, today: dt.date) -> dt.date | None:
    if value is None:
        return None
    match = _RELATIVE_DAY.match(value)
    if match:
        sign, n = match.groups()
        return today + dt.timedelta(days=(-1 if sign == "-" else 1) * int(n or 0))
    return dt.date.fromisoformat(value)


def _year(value: int | str, today: dt.date) -> int:
    if isinstance(value, int):
        return value
    match = _RELATIVE_YEAR.match(value)
    if not match:
        raise ValueError(f"bad year {value!r}")
    sign, n = match.groups()
    return today.year + (-1 if sign == "-" else 1) * int(n or 0)


def _years(values: list, today: dt.date) -> list[int]:
    return [_year(v, today) for v in values]


@transaction.atomic
def load_reference(path: Path | None = None) -> None:
    data = json.loads((path or FIXTURES / "reference.json").read_text(encoding="utf-8"))
    levels = {}
    for item in data["levels"]:
        levels[item["code"]], _ = Level.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "rank": item["rank"]})
    for order, item in enumerate(data["series"]):
        series, _ = Series.objects.update_or_create(name=item["name"], defaults={"order": order})
        specialties = {}
        for s_order, name in enumerate(item["specialties"]):
            specialties[name], _ = Specialty.objects.update_or_create(
                series=series, name=name, defaults={"order": s_order})
        for code, title in item["titles"].items():
            TitleName.objects.update_or_create(series=series, specialty=None, level=levels[code],
                                               defaults={"name": title})
        for spec, titles in item.get("specialty_titles", {}).items():
            for code, title in titles.items():
                TitleName.objects.update_or_create(series=series, specialty=specialties[spec], level=levels[code],
                                                   defaults={"name": title})
    for order, name in enumerate(data["counties"]):
        County.objects.update_or_create(name=name, defaults={"order": order})


def reference_loaded() -> bool:
    return Level.objects.exists() and County.objects.exists()


def campaign_fixture(code: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "campaigns" / f"{code}.json").read_text(encoding="utf-8"))


@transaction.atomic
def load_campaign(data: dict[str, Any], *, today: dt.date | None = None) -> Campaign:
    """Create or update one campaign from its fixture; child rows are replaced."""
    today = today or timezone.localdate()
    committee, _ = Committee.objects.update_or_create(
        name=data["committee"]["name"], defaults={"short_name": data["committee"].get("short_name", "")})
    windows = data["windows"]

    def window(name: str, end: bool) -> dt.date | None:
        pair = windows.get(name)
        return _day(pair[1 if end else 0], today) if pair else None

    defense = data["defense"]
    series_names = list(data["specialties"])
    fields = dict(
        title=data["title"], issuer=data["issuer"], committee=committee, year=_year(data["year"], today),
        published_on=_day(data.get("published_on"), today),
        series=Series.objects.get(name=series_names[0]) if len(series_names) == 1 else None,
        kinds=data["kinds"],
        online_start=window("online", False), online_end=window("online", True),
        initial_start=window("initial", False), initial_end=window("initial", True),
        material_review_start=window("material_review", False), material_review_end=window("material_review", True),
        paper_start=window("paper", False), paper_end=window("paper", True),
        fee_start=window("fee", False), fee_end=window("fee", True),
        defense_start=window("defense", False), defense_end=window("defense", True),
        defense_place=data.get("defense_place", "地点另行通知"),
        chain=data["chain"], return_hours=data["return_hours"], max_submissions=data["max_submissions"],
        publicity_working_days=data["publicity_working_days"],
        summary_max_chars=data.get("summary_max_chars"),
        years_in_grade=data["years_in_grade"], initial_work_years=data["initial_work_years"],
        junior_review_work_years=data.get("junior_review_work_years", {}), clauses=data.get("clauses", {}),
        unit_natures_by_kind=data.get("unit_natures_by_kind", {}),
        unit_recommendation_required=data.get("unit_recommendation_required", False),
        competent_recommendation_required=data.get("competent_recommendation_required", False),
        evaluation_years=_years(data["evaluation_years"], today),
        evaluation_basic_delay=data["evaluation_basic_delay"],
        evaluation_unqualified_delay=data["evaluation_unqualified_delay"],
        private_enterprise_no_evaluation=data["private_enterprise_no_evaluation"],
        south_xinjiang_early_years=data["south_xinjiang_early_years"],
        title_docs_in_xinjiang=data["title_docs_in_xinjiang"], title_docs_elsewhere=data["title_docs_elsewhere"],
        defense_scored=defense["scored"], exempt_junior=defense["exempt_junior"],
        exempt_special_service=defense["exempt_special_service"], exempt_grassroots=defense["exempt_grassroots"],
        exempt_private_and_freelance=defense["exempt_private_and_freelance"],
        person_ban_years=data["person_ban_years"], unit_ban_years=data.get("unit_ban_years"),
        fee_clause=data.get("fee_clause", ""), office_address=data.get("office_address", ""),
        source=data.get("source", ""),
    )
    fields["copy_certification"] = data.get("copy_certification", "")
    fields["committee_note"] = data.get("committee_note", "")
    fields["paper_by_unit_only"] = data.get("paper_by_unit_only", False)
    for optional in ("unit_opinion_text", "commitment_text"):
        if optional in data:
            fields[optional] = data[optional]
    campaign, _ = Campaign.objects.update_or_create(code=data["code"], defaults=fields)

    specialties = []
    for series_name, names in data["specialties"].items():
        qs = Specialty.objects.filter(series__name=series_name)
        if names != "*":
            qs = qs.filter(name__in=names)
            missing = set(names) - set(qs.values_list("name", flat=True))
            if missing:
                raise ValueError(f"{data['code']}: unknown specialties {sorted(missing)} in {series_name}")
        specialties.extend(qs)
    campaign.specialties.set(specialties)
    levels = {lvl.code: lvl for lvl in Level.objects.all()}
    campaign.levels.set([levels[c] for c in data["levels"]])
    campaign.exempt_counties.set(County.objects.filter(name__in=defense["exempt_counties"]))

    campaign.fees.all().delete()
    CampaignFee.objects.bulk_create(
        CampaignFee(campaign=campaign, level=levels[f["level"]], kind=Kind(f["kind"]), amount=f["amount"])
        for f in data["fees"])
    campaign.ce_rules.all().delete()
    ContinuingEducationRule.objects.bulk_create(
        ContinuingEducationRule(
            campaign=campaign, level=levels[r["level"]], unit_natures=r.get("unit_natures", []),
            kinds=r.get("kinds", []), public_years=_years(r.get("public_years", []), today),
            professional_years=_years(r.get("professional_years", []), today),
            # A missing key is the usual 30/60; ``null`` (003, 004) means certificates, no hours.
            public_hours=r.get("public_hours", 30), professional_hours=r.get("professional_hours", 60),
            years_from_eligibility=r.get("years_from_eligibility", False), clause=r.get("clause", ""),
        ) for r in data["ce_rules"])
    campaign.materials.all().delete()
    MaterialRequirement.objects.bulk_create(
        MaterialRequirement(
            campaign=campaign, code=item["code"], name=item["name"], section=item["section"],
            requirement=item.get("requirement", "required"), conditions=item.get("conditions", []),
            min_count=item.get("min_count", 1), allow_pdf=item.get("allow_pdf", False),
            note=item.get("note", ""), order=order,
        ) for order, item in enumerate(data["materials"]))
    campaign.paper_items.all().delete()
    # An item is a name, or {"name", "conditions", "optional"} when it applies to some applicants only.
    PaperItem.objects.bulk_create(
        PaperItem(campaign=campaign, name=item, order=order) if isinstance(item, str) else
        PaperItem(campaign=campaign, name=item["name"], order=order, conditions=item.get("conditions", []),
                  optional=item.get("optional", False))
        for order, item in enumerate(data["paper_items"]))
    campaign.contacts.all().delete()
    CampaignContact.objects.bulk_create(
        CampaignContact(campaign=campaign, name=c["name"], phone=c["phone"], order=order)
        for order, c in enumerate(data["contacts"]))
    return campaign


def load_seed_campaigns(*, today: dt.date | None = None) -> list[Campaign]:
    """The five notices (real dates) and the demo campaign (dates relative to ``today``)."""
    return [load_campaign(campaign_fixture(code), today=today) for code in (*SEED_CAMPAIGNS, "demo")]
