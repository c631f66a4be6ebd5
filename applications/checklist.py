"""What still stands between an application and its submission, section by section.

``submission_problems`` is what the one door (``review.services``) asks before ``submit`` and
``resubmit``; the 保存并检查 page shows the same list (``build_checklist``) with links.  Which
sections an applicant sees follows from the campaign's checklist as resolved for their facts
(``sections_for``): a 初定 application has a probation section instead of achievements, a
private-enterprise applicant under notice 004 no annual evaluations, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from .bans import Bans, bans_for
from .enums import Kind, Section, UnitNature
from .materials import MaterialFacts, PaperItems, ResolvedMaterial, resolve_materials, resolve_paper_items
from .models import Application, Attachment
from .rules import CAMPAIGN_PREFETCH, evaluate, profile_from_sections

# Per-row evidence: each row of the section needs its own scan (获奖情况须与附件一致).
ROW_EVIDENCE = {"award_certificate": Section.AWARDS}
# Slots whose scans may be tied to one row of their section (optional for these).
ROW_SLOTS = {"award_certificate": Section.AWARDS, "paper_scan": Section.PAPERS, "ip_certificate": Section.IP,
             "representative_works": Section.PAPERS}
# Sections that hold typed content, as opposed to attachment-only sections (社保, 其他附件, 承诺书).
FORM_SECTIONS = (Section.BASIC, Section.EDUCATION, Section.QUALIFICATION, Section.WORK_HISTORY,
                 Section.ACHIEVEMENTS, Section.AWARDS, Section.IP, Section.PAPERS, Section.EVALUATIONS,
                 Section.SUMMARY, Section.PROBATION, Section.CE)


@dataclass(frozen=True)
class Problem:
    section: str
    message: str
    slot: str = ""
    attachment_uid: str = ""  # set for masking problems: the page links to that image's mask editor


# The sections ``facts_for`` reads (a list reads only these, see review.aftercare.selectors).
FACT_SECTIONS = (Section.BASIC, Section.QUALIFICATION, Section.CE, Section.PAPERS)


def facts_for(application: Application, sections: dict[str, dict]) -> MaterialFacts:
    basic = sections.get(Section.BASIC, {})
    qual = sections.get(Section.QUALIFICATION, {})
    ce = sections.get(Section.CE, {})
    return MaterialFacts(
        unit_nature=basic.get("unit_nature") or application.unit.nature,
        kind=application.kind, level_code=application.level.code,
        aid_xinjiang=bool(basic.get("aid_xinjiang")),
        transferred_from_organ=bool(basic.get("transferred_from_organ")),
        has_title=bool(qual.get("has_title")), title_in_xinjiang=qual.get("obtained_in_xinjiang", True),
        ce_exempt=bool(ce.get("exempt")), special_service=tuple(basic.get("special_service") or ()),
        grassroots_below_county=bool(basic.get("grassroots_below_county")),
        has_papers=bool((sections.get(Section.PAPERS) or {}).get("rows")),
    )


def paper_items_for(application: Application, sections: dict[str, dict] | None = None) -> PaperItems:
    """The paper checklist of this applicant (``PaperItem.conditions``: 000 社保 for enterprise staff
    only, 003 初定 delivers the 呈报表 alone …).  Reads ``campaign.paper_items.all()`` (prefetchable)
    and, only when an item has conditions, the application's sections."""
    rows = list(application.campaign.paper_items.all())
    if not any(row.conditions for row in rows):
        return resolve_paper_items(rows, None)
    if sections is None:
        sections = {s.key: s.data for s in application.sections.all() if s.is_complete}
    return resolve_paper_items(rows, facts_for(application, sections))


def sections_for(application: Application, facts: MaterialFacts, materials: list[ResolvedMaterial]) -> list[str]:
    """The sections this applicant fills in, in display order."""
    campaign = application.campaign
    initial = application.kind == Kind.INITIAL
    with_material = {m.section for m in materials}
    keys = {Section.BASIC, Section.EDUCATION, Section.QUALIFICATION, Section.WORK_HISTORY, Section.CE,
            Section.COMMITMENT}
    keys |= with_material
    if initial:
        keys.add(Section.PROBATION)
        keys -= {Section.ACHIEVEMENTS, Section.AWARDS, Section.IP, Section.PAPERS, Section.SUMMARY}
    else:
        keys |= {Section.ACHIEVEMENTS, Section.SUMMARY}
        no_evaluation = (campaign.private_enterprise_no_evaluation
                         and facts.unit_nature == UnitNature.PRIVATE_ENTERPRISE)
        if campaign.evaluation_years and not no_evaluation:
            keys.add(Section.EVALUATIONS)
    return [key for key in Section.values if key in keys]


@dataclass
class MaterialStatus:
    material: ResolvedMaterial
    need: int
    attachments: list[Attachment]

    @property
    def have(self) -> int:
        return len(self.attachments)

    @property
    def missing(self) -> bool:
        return self.material.required and self.have < self.need

    @property
    def per_row(self) -> bool:
        return self.material.code in ROW_SLOTS


@dataclass
class SectionStatus:
    key: str
    is_form: bool
    complete: bool
    messages: list[str]
    materials: list[MaterialStatus]
    problems: list[Problem] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(Section(self.key).label)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Checklist:
    application: Application
    facts: MaterialFacts
    sections: list[SectionStatus]
    attachments: list[Attachment]
    verdict: object | None = None  # the rule engine's answer once the sections it reads are complete

    @property
    def problems(self) -> list[Problem]:
        return [p for s in self.sections for p in s.problems]

    @property
    def unmasked(self) -> list[Attachment]:
        return [a for a in self.attachments if not a.masking_answered]

    def section(self, key: str) -> SectionStatus | None:
        return next((s for s in self.sections if s.key == key), None)


def _need(material: ResolvedMaterial, application: Application, data: dict) -> int:
    if material.code == "title_docs":
        campaign = application.campaign
        in_xj = data.get(Section.QUALIFICATION, {}).get("obtained_in_xinjiang", True)
        return campaign.title_docs_in_xinjiang if in_xj else campaign.title_docs_elsewhere
    return material.min_count


def build_checklist(application: Application, *, bans: Bans | None = None) -> Checklist:
    """Three queries: sections, the campaign's checklist, attachments (and, once the rule engine
    is asked, the applicant's bans unless given: ``applications.bans``)."""
    rows = {s.key: s for s in application.sections.all()}
    data = {k: s.data for k, s in rows.items() if s.is_complete}
    facts = facts_for(application, data)
    # Prefetched (not read apart): the rule engine's prefetch below then finds them read.
    prefetch_related_objects([application.campaign], "materials")
    materials = resolve_materials(application.campaign.materials.all(), facts)
    attachments = list(application.attachments.all())
    statuses = []
    for key in sections_for(application, facts, materials):
        row = rows.get(key)
        is_form = key in FORM_SECTIONS
        complete = bool(row and row.is_complete) if is_form else True
        messages = list((row.errors or {}).get("messages", [])) if (row and is_form and not complete) else []
        status = SectionStatus(key, is_form, complete, messages, [],
                               rows=list((row.data or {}).get("rows", [])) if row and row.is_complete else [])
        if is_form and not complete:
            detail = messages[0] if messages else _("尚未填写。")
            status.problems.append(Problem(key, _("“%(s)s”尚未填写完整：%(d)s") % {"s": status.label, "d": detail}))
        for material in (m for m in materials if m.section == key):
            mine = [a for a in attachments if a.slot == material.code]
            item = MaterialStatus(material, _need(material, application, data), mine)
            status.materials.append(item)
            if item.missing:
                status.problems.append(Problem(key, _("缺少“%(name)s”（需要%(need)d份，已上传%(have)d份）。")
                                               % {"name": material.name, "need": item.need, "have": item.have},
                                               material.code))
            if material.code in ROW_EVIDENCE and complete:
                covered = {a.row for a in mine}
                for index, entry in enumerate(status.rows):
                    if index not in covered:
                        status.problems.append(Problem(key, _("第%(n)d项“%(title)s”缺少证书扫描件，每项都须上传证书。")
                                                       % {"n": index + 1, "title": entry.get("name", "")},
                                                       material.code))
        statuses.append(status)
    by_key = {s.key: s for s in statuses}
    verdict = _verdict_problems(application, data, by_key, bans)
    for attachment in attachments:
        if not attachment.masking_answered and attachment.section in by_key:
            name = next((m.material.name for s in statuses for m in s.materials
                         if m.material.code == attachment.slot), attachment.slot)
            by_key[attachment.section].problems.append(Problem(
                attachment.section, _("“%(name)s”的图片尚未回答“是否包含本人姓名”或尚未完成遮盖。") % {"name": name},
                attachment.slot, str(attachment.uid)))
    return Checklist(application, facts, statuses, attachments, verdict)


# Where an eligibility conclusion is fixed: the section whose answers it rests on.
RULE_SECTION = {"title_level": Section.QUALIFICATION, "years_in_grade": Section.QUALIFICATION,
                "south_xinjiang": Section.EDUCATION, "initial": Section.QUALIFICATION,
                "junior_review": Section.QUALIFICATION, "evaluations": Section.EVALUATIONS,
                "evaluations_missing": Section.EVALUATIONS}
# The sections the rule engine reads; until they validate its answer would be about a blank form.
RULE_INPUTS = (Section.BASIC, Section.EDUCATION, Section.QUALIFICATION)


def _verdict_problems(application: Application, data: dict, by_key: dict[str, SectionStatus], bans: Bans | None):
    """Ask the rule engine (``applications.rules.evaluate``) once the sections it reads are
    complete; what blocks eligibility, and the continuing-education years still missing, become
    problems of the section where the applicant can change them."""
    if any(key not in data for key in RULE_INPUTS):
        return None
    if Section.EVALUATIONS in by_key and Section.EVALUATIONS not in data:
        return None
    campaign = application.campaign
    prefetch_related_objects([campaign], *CAMPAIGN_PREFETCH)
    # 诚信档案: the integrity records fill the ban fields the sections cannot know.
    if bans is None:
        bans = bans_for(id_number=application.applicant.id_number, unit_id=application.unit_id)
    profile = replace(profile_from_sections(application, data), banned_until=bans.person_until,
                      unit_banned_until=bans.unit_until)
    verdict = evaluate(campaign, application.specialty, application.level, application.kind, profile)
    for reason in verdict.blocking:
        key = RULE_SECTION.get(reason.rule, Section.BASIC)
        target = by_key.get(key) or by_key[Section.BASIC]
        target.problems.append(Problem(target.key, _("不符合申报条件：%s") % reason))
    ce = by_key.get(Section.CE)
    if ce is not None and Section.CE in data and not data[Section.CE].get("exempt"):
        labels = {"public": _("公需科目"), "professional": _("专业科目")}
        for category, years in verdict.ce_missing.items():
            if not years:
                continue
            hours = verdict.ce_hours_per_year.get(category)
            if hours is None:  # 003, 004: the year's certificate, no hours
                ce.problems.append(Problem(Section.CE, _("继续教育%(cat)s缺少%(years)s年度合格证书。") % {
                    "cat": labels.get(category, category), "years": "、".join(map(str, years))}))
            else:
                ce.problems.append(Problem(Section.CE, _("继续教育%(cat)s缺少%(years)s年度（每年需%(hours)d学时）。") % {
                    "cat": labels.get(category, category), "years": "、".join(map(str, years)), "hours": hours}))
    return verdict


def submission_problems(application: Application, *, bans: Bans | None = None) -> list[Problem]:
    return build_checklist(application, bans=bans).problems
