"""What an administrator does by hand before the topology walk, and what the walk asks the
database, run as ``python -m tests.deploy.topology_seed COMMAND`` in the topology's environment
(its own PostgreSQL and bucket): one JSON object on the last line of stdout.

    setup            reference data, demo units and officers, the demo campaign on fixed dates
    fill CODE        an application's sections (the applicant's typing; their scans go over HTTP),
                     and the scans its checklist requires
    facts CODE       state, paper items, fee due, documents and certificate of an application
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

# The campaign as loaded on a fixed day, its windows widened so that every step of the walk is
# inside them on any real day (no test reads today for a business date).
LOADED_ON = dt.date(2025, 6, 16)
WIDE = (dt.date(2025, 6, 1), dt.date(2099, 12, 31))


def setup() -> dict:
    from applications import demo
    from applications.models import Campaign, Level, Specialty, Unit
    from applications.seeding import campaign_fixture, load_campaign

    demo.build()
    campaign = load_campaign(campaign_fixture("demo"), today=LOADED_ON)
    Campaign.objects.filter(pk=campaign.pk).update(
        online_start=WIDE[0], online_end=WIDE[1], paper_start=WIDE[0], paper_end=WIDE[1],
        fee_start=WIDE[0], fee_end=WIDE[1], material_review_start=None, material_review_end=None)
    unit = Unit.objects.get(name="巴州建筑设计研究院")  # danwei -> zhuguan -> pingwei
    return {
        "campaign": campaign.code, "campaign_id": campaign.pk, "year": campaign.year, "unit": unit.pk,
        "specialty": Specialty.objects.get(series__name="工程系列", name="建筑").pk,
        "level": Level.objects.get(code="junior").pk,  # 初级: exempt from the defense
    }


def fill(code: str) -> dict:
    from applications.enums import Section
    from applications.forms.editor import json_to_raw
    from applications.models import Application, ApplicationSection
    from applications.samples import MaterialFacts, resolve_materials, sample_sections

    application = Application.objects.select_related("applicant", "unit__county", "campaign", "level").get(code=code)
    user, unit = application.applicant, application.unit
    data = sample_sections(name=user.real_name, id_number=user.id_number, unit_name=unit.name,
                           unit_nature=unit.nature, county=unit.county.name, year=application.campaign.year,
                           level_code=application.level.code, grassroots=unit.grassroots_below_county)
    for key, content in data.items():
        ApplicationSection.objects.update_or_create(
            application=application, key=key,
            defaults={"draft": json_to_raw(key, content), "data": content, "is_complete": True, "errors": {}})
    basic, qual = data[Section.BASIC], data[Section.QUALIFICATION]
    facts = MaterialFacts(
        unit_nature=basic["unit_nature"], kind=application.kind, level_code=application.level.code,
        aid_xinjiang=basic["aid_xinjiang"], has_title=qual["has_title"],
        title_in_xinjiang=qual["obtained_in_xinjiang"], special_service=tuple(basic["special_service"]),
        grassroots_below_county=basic["grassroots_below_county"],
    )
    campaign = application.campaign
    scans = []
    for material in resolve_materials(campaign.materials.all(), facts):
        rows: list[int | None]
        if material.code == "award_certificate":
            rows = list(range(len(data[Section.AWARDS]["rows"])))
        elif material.required:
            count = max(material.min_count, campaign.title_docs_in_xinjiang if material.code == "title_docs" else 1)
            rows = [None] * count
        else:
            continue
        for row in rows:
            scans.append({"slot": material.code, "section": str(material.section), "row": row,
                          "title": material.name[:14], "shows_name": material.code not in {"photo", "social_insurance"}})
    return {"pk": application.pk, "scans": scans}


def facts(code: str) -> dict:
    from applications.models import Application
    from review.aftercare.conditions import fee_status, paper_item_names
    from review.aftercare.models import Certificate
    from review.documents.models import Document

    application = Application.objects.select_related("campaign", "level").get(code=code)
    certificate = Certificate.objects.filter(application=application).first()
    return {
        "pk": application.pk, "state": application.state,
        "paper_items": paper_item_names(application.campaign),
        "fee_due": str(fee_status(application).due),
        "documents": [{"uid": str(d.uid), "kind": d.kind, "status": d.status, "name": d.file.name}
                      for d in Document.objects.filter(application=application).order_by("pk")],
        "certificate": {"status": certificate.status, "number": certificate.number,
                        "name": certificate.file.name} if certificate else None,
    }


def main(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    command = {"setup": setup, "fill": fill, "facts": facts}[argv[0]]
    print(json.dumps(command(*argv[1:]), ensure_ascii=False, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
