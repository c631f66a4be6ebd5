"""What still stands between an application and its submission, section by section.

``submission_problems`` is what the one door (``review.services``) asks before ``submit`` and
``resubmit``; the 保存并检查 page shows the same list with links.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .enums import Section
from .materials import MaterialFacts, resolve_materials
from .models import Application


@dataclass(frozen=True)
class Problem:
    section: str
    message: str
    slot: str = ""


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
    )


def submission_problems(application: Application) -> list[Problem]:
    sections = {s.key: s for s in application.sections.all()}
    data = {k: s.data for k, s in sections.items() if s.is_complete}
    problems: list[Problem] = []
    for key in (Section.BASIC, Section.EDUCATION, Section.QUALIFICATION, Section.WORK_HISTORY, Section.CE):
        section = sections.get(key)
        if section is None or not section.is_complete:
            problems.append(Problem(key, _("“%s”尚未填写完整。") % Section(key).label))
    campaign = application.campaign
    materials = resolve_materials(campaign.materials.all(), facts_for(application, data))
    attachments = list(application.attachments.all())
    for material in materials:
        have = sum(1 for a in attachments if a.slot == material.code)
        need = material.min_count
        if material.code == "title_docs":
            in_xj = data.get(Section.QUALIFICATION, {}).get("obtained_in_xinjiang", True)
            need = campaign.title_docs_in_xinjiang if in_xj else campaign.title_docs_elsewhere
        if material.required and have < need:
            problems.append(Problem(material.section, _("缺少“%(name)s”（需要%(need)d份，已上传%(have)d份）。")
                                    % {"name": material.name, "need": need, "have": have}, material.code))
    for attachment in attachments:
        if not attachment.masking_answered:
            problems.append(Problem(attachment.section, _("有附件尚未回答“是否需要遮盖本人姓名”或尚未完成遮盖。"),
                                    attachment.slot))
            break
    return problems
