"""What the application-level documents print: the review form and the pre-filled templates.

``application_facts`` reads an application in a fixed handful of queries and returns plain,
JSON-serialisable data with every label already in Chinese and every blank already "无" (the
notices forbid blank fields).  Renderers only lay it out; ``source_hash`` of the same data decides
whether a document has to be rendered again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db.models import Count, Min
from django.utils.translation import gettext as _

from applications.checklist import paper_items_for
from applications.campaign_texts import (
    commitment_in_summary,
    commitment_form_text,
    paper_opinion_text,
    publicity_basis,
    publicity_result_title,
    publicity_result_words,
    publicity_title,
    review_form_title,
)
from applications.enums import (
    CECategory,
    Education,
    EvaluationResult,
    Gender,
    Kind,
    PoliticalStatus,
    Section,
    SpecialService,
    UnitNature,
)
from applications.models import Application, Attachment
from review.models import UnitPublicity
from review.services import PUBLICITY_SLOTS

NONE = "无"


def _label(enum, value, default: str = NONE) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return default


def _text(value) -> str:
    if value is None:
        return NONE
    text = str(value).strip()
    return text or NONE


def _date(value: str | None, *, month_only: bool = False) -> str:
    if not value:
        return NONE
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return _text(value)
    return f"{day.year}.{day.month:02d}" if month_only else f"{day.year}.{day.month:02d}.{day.day:02d}"


def _period(start: str | None, end: str | None) -> str:
    return f"{_date(start, month_only=True)}—{_date(end, month_only=True) if end else _('至今')}"


def _yes_no(value) -> str:
    return _("是") if value else _("否")


def chinese_date(day: dt.date | None) -> str:
    if day is None:
        return _("    年  月  日")
    return f"{day.year}年{day.month}月{day.day}日"


def mask_id_number(id_number: str) -> str:
    """Public notices print 652801********1232: the birth date is not for the notice board."""
    if len(id_number) == 18:
        return f"{id_number[:6]}{'*' * 8}{id_number[14:]}"
    return id_number or NONE


def mask_name(name: str) -> str:
    """The public verification page shows 张*华: enough to match a printout, not to identify."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def application_for_documents(application_id: int) -> Application:
    return (Application.objects
            .select_related("campaign__committee", "unit__county", "unit__competent_unit", "level",
                            "specialty__series", "applicant")
            .prefetch_related("specialty__series__titles")
            .get(pk=application_id))


def _publicity_dates(application: Application) -> tuple[str | None, str | None]:
    """The unit's publicity period as recorded at its approval (``UnitPublicity``), ISO dates."""
    found = UnitPublicity.objects.filter(application=application).values_list("start", "end").first()
    if found is None:
        return None, None
    return found[0].isoformat(), found[1].isoformat()


def application_facts(application: Application) -> dict:
    """Everything the review form and the templates print, for ``application`` (loaded with
    ``application_for_documents``).  Four queries: sections, attachments, checklist, history."""
    sections = {s.key: (s.data or {}) for s in application.sections.all()}
    campaign = application.campaign
    unit = application.unit
    basic = sections.get(Section.BASIC, {})
    qual = sections.get(Section.QUALIFICATION, {})
    ce = sections.get(Section.CE, {})
    user = application.applicant

    education = sorted(sections.get(Section.EDUCATION, {}).get("rows", []),
                       key=lambda r: Education.rank(r["level"]) if r.get("level") in Education.values else 0)
    highest = education[-1] if education else {}

    ce_rows = [{"year": r.get("year"), "category": _label(CECategory, r.get("category")),
                "hours": r.get("hours", 0), "provider": _text(r.get("provider"))}
               for r in ce.get("rows", [])]
    ce_totals = {}
    for row in ce.get("rows", []):
        label = _label(CECategory, row.get("category"))
        ce_totals[label] = ce_totals.get(label, 0) + int(row.get("hours") or 0)

    # The unit's publicity scans are not campaign checklist items: named by the chain.
    names = {**{slot: str(label) for slot, label in PUBLICITY_SLOTS.items()},
             **dict(campaign.materials.values_list("code", "name"))}
    uploads = (Attachment.objects.filter(application=application)
               .values("section", "slot").annotate(n=Count("id"), first=Min("id")).order_by("section", "first"))
    section_order = list(Section.values)
    materials = sorted(
        ({"section": _label(Section, u["section"]), "name": names.get(u["slot"], u["slot"]), "count": u["n"],
          "order": section_order.index(u["section"]) if u["section"] in section_order else 99}
         for u in uploads), key=lambda m: (m["order"], m["name"]))
    photo = (Attachment.objects.filter(application=application, slot="photo", content_type__startswith="image/")
             .order_by("order", "id").values("id", "sha256", "file").first())

    specialty = application.specialty
    series = specialty.series
    specialty_name = specialty.name if specialty.name != series.short_name else ""
    steps = campaign.chain_steps
    competent = unit.competent_unit
    publicity_start, publicity_end = _publicity_dates(application)
    paper = paper_items_for(application, sections)

    return {
        "code": application.code,
        "kind": application.kind,
        "kind_label": _label(Kind, application.kind),
        "is_initial": application.kind == Kind.INITIAL,
        "form_title": review_form_title(campaign, application.kind),
        "year": campaign.year,
        "campaign_title": campaign.title,
        "committee": campaign.committee.name,
        "committee_short": str(campaign.committee),
        "issuer": campaign.issuer,
        "series": series.name,
        "series_short": series.short_name,
        "specialty": specialty_name or series.short_name,
        "specialty_full": str(specialty),
        # 工程系列建筑专业 / 党干校教师系列: how the templates name what is applied for.
        "subject": f"{series.name}{specialty_name}{_('专业')}" if specialty_name else series.name,
        "level": application.level.name,
        "title_applied_for": application.title_applied_for,
        "unit": unit.name,
        "unit_nature": _label(UnitNature, basic.get("unit_nature") or unit.nature),
        "is_freelance": (basic.get("unit_nature") or unit.nature) == UnitNature.FREELANCE,
        "county": unit.county.name,
        "competent_unit": competent.name if competent else "",
        "has_county_step": "county" in steps,
        "county_step_label": _("主管单位") if competent else _("县（市）人社局"),
        "county_step_name": competent.name if competent else _("%s人力资源和社会保障局") % unit.county.name,
        "unit_opinion_text": campaign.unit_opinion_text,
        "paper_opinion_text": paper_opinion_text(campaign),
        "publicity_basis": publicity_basis(campaign),
        "publicity_title": publicity_title(campaign),
        "publicity_result_title": publicity_result_title(campaign),
        "publicity_result_words": publicity_result_words(campaign),
        "publicity_working_days": campaign.publicity_working_days,
        "commitment_text": campaign.commitment_text,
        "commitment_form_text": commitment_form_text(campaign),
        "commitment_in_summary": commitment_in_summary(campaign),
        # 纸质材料目录清单 (003 五（六）) and how copies are certified (003 五（一）, 002 五（三）).
        # The items that apply to this applicant, then those struck out as 不适用 (P2-08).
        "paper_items": paper.applicable,
        "paper_items_not_applicable": paper.not_applicable,
        "copy_certification": campaign.copy_certification,
        "submission_count": application.submission_count,
        "basic": {
            "name": _text(basic.get("name") or user.real_name),
            "gender": _label(Gender, basic.get("gender")),
            "ethnicity": _text(basic.get("ethnicity")),
            "birth_date": _date(basic.get("birth_date")),
            "birth_month": _date(basic.get("birth_date"), month_only=True),
            "id_number": _text(basic.get("id_number") or user.id_number),
            "id_number_masked": mask_id_number(basic.get("id_number") or user.id_number or ""),
            "political_status": _label(PoliticalStatus, basic.get("political_status")),
            "phone": _text(basic.get("phone") or user.phone),
            "unit_name": _text(basic.get("unit_name") or unit.name),
            "aid_xinjiang": _yes_no(basic.get("aid_xinjiang")),
            "special_service": "、".join(_label(SpecialService, s) for s in basic.get("special_service") or [])
                               or NONE,
            "grassroots": _yes_no(basic.get("grassroots_below_county")),
            "transferred": _yes_no(basic.get("transferred_from_organ")),
        },
        "education": [
            {"level": _label(Education, r.get("level")), "full_time": _("全日制") if r.get("full_time") else _("非全日制"),
             "school": _text(r.get("school")), "major": _text(r.get("major")), "degree": _text(r.get("degree")),
             "period": _period(r.get("start"), r.get("graduated"))}
            for r in education
        ],
        "highest_education": _label(Education, highest.get("level")) if highest else NONE,
        "highest_degree": _text(highest.get("degree")) if highest else NONE,
        "graduation": (f"{_date(highest.get('graduated'), month_only=True)} {highest.get('school', '')} "
                       f"{highest.get('major', '')}{_('专业')}") if highest else NONE,
        "graduation_school": _text(highest.get("school")) if highest else NONE,
        "graduation_major": _text(highest.get("major")) if highest else NONE,
        "graduation_date": _date(highest.get("graduated"), month_only=True) if highest else NONE,
        "qualification": {
            "has_title": bool(qual.get("has_title")),
            "title_name": _text(qual.get("title_name")) if qual.get("has_title") else NONE,
            "series": _text(qual.get("series")) if qual.get("has_title") else NONE,
            "obtained": _date(qual.get("obtained")),
            "appointed": _date(qual.get("appointed")),
            "where": (_("自治区内") if qual.get("obtained_in_xinjiang", True) else _("自治区外"))
                     if qual.get("has_title") else NONE,
            "work_start": _date(qual.get("professional_work_start")),
            "work_years": qual.get("professional_work_years", NONE),
        },
        "work_start": _date((sections.get(Section.WORK_HISTORY, {}).get("rows") or [{}])[0].get("start")),
        "work_history": [
            {"period": _period(r.get("start"), r.get("end")), "unit": _text(r.get("unit")),
             "position": _text(r.get("position"))}
            for r in sections.get(Section.WORK_HISTORY, {}).get("rows", [])
        ],
        "achievements": [
            {"period": _text(r.get("period")), "content": _text(r.get("content")), "role": _text(r.get("role"))}
            for r in sections.get(Section.ACHIEVEMENTS, {}).get("rows", [])
        ],
        "awards": [
            {"name": _text(r.get("name")), "level": _text(r.get("level")), "issuer": _text(r.get("issuer")),
             "date": _date(r.get("date"), month_only=True), "rank": _text(r.get("rank"))}
            for r in sections.get(Section.AWARDS, {}).get("rows", [])
        ],
        "ip": [
            {"kind": _text(r.get("kind")), "title": _text(r.get("title")), "number": _text(r.get("number")),
             "date": _date(r.get("date"), month_only=True)}
            for r in sections.get(Section.IP, {}).get("rows", [])
        ],
        "papers": [
            {"kind": _text(r.get("kind")), "title": _text(r.get("title")), "publisher": _text(r.get("publisher")),
             "date": _date(r.get("date"), month_only=True), "issn": _text(r.get("issn")),
             "author_role": _text(r.get("author_role"))}
            for r in sections.get(Section.PAPERS, {}).get("rows", [])
        ],
        "evaluations": [
            {"year": r.get("year"), "result": _label(EvaluationResult, r.get("result"))}
            for r in sorted(sections.get(Section.EVALUATIONS, {}).get("rows", []), key=lambda r: r.get("year") or 0)
        ],
        "summary": _text(sections.get(Section.SUMMARY, {}).get("text")),
        "probation": {
            "situation": _text(sections.get(Section.PROBATION, {}).get("situation")),
            "summary": _text(sections.get(Section.PROBATION, {}).get("summary")),
        },
        "ce": {"exempt": bool(ce.get("exempt")), "rows": ce_rows,
               "totals": [{"category": k, "hours": v} for k, v in ce_totals.items()]},
        "ce_exempt_reason": "、".join(_label(SpecialService, s) for s in basic.get("special_service") or []),
        "materials": [{k: m[k] for k in ("section", "name", "count")} for m in materials],
        "photo": {"id": photo["id"], "digest": photo["sha256"] or photo["file"]} if photo else None,
        "publicity_start": publicity_start,
        "publicity_end": publicity_end,
    }


def source_hash(*parts) -> str:
    """SHA-256 of the canonical JSON of what a document prints."""
    payload = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()
