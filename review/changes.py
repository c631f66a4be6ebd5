"""What changed between two submissions of an application (修改后逐级提交): reviewers of a
resubmission see which sections, fields, rows and scans the applicant touched since the round
before.  Pure: compares two round records (``StateChange.data["round"]``, written by the one door
at each submission) and names things with the labels users know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from applications.enums import Section
from applications.selectors import submission_rounds

from .selectors import is_blind, redactor_for

FIELD_LABELS = {
    "name": "姓名", "gender": "性别", "ethnicity": "族别", "birth_date": "出生日期", "id_number": "身份证号码",
    "political_status": "政治面貌", "phone": "手机号码", "unit_name": "工作单位", "unit_nature": "单位性质",
    "county": "所在县（市）", "aid_xinjiang": "是否援疆", "special_service": "特殊服务经历",
    "grassroots_below_county": "县级以下基层单位", "transferred_from_organ": "由机关调动", "retired": "离退休",
    "civil_servant": "公务员或参公人员", "level": "学历", "full_time": "全日制", "school": "学校", "major": "专业",
    "degree": "学位", "start": "开始", "graduated": "毕业时间", "south_xinjiang_graduate": "南疆普通高校毕业生",
    "has_title": "已有专业技术资格", "title_level": "现任职称级别", "title_name": "现任专业技术职务",
    "series": "系列", "obtained": "取得时间", "appointed": "聘任时间", "obtained_in_xinjiang": "在新疆取得",
    "professional_work_start": "从事专业技术工作起始", "professional_work_years": "专业技术工作年限",
    "end": "结束", "unit": "单位", "position": "职务／岗位", "period": "时间段", "content": "内容", "role": "本人作用",
    "issuer": "颁发单位", "date": "日期", "rank": "名次／等级", "kind": "类别", "title": "题目", "number": "编号",
    "publisher": "刊物或出版社", "issn": "刊号／书号", "author_role": "作者排序", "year": "年度", "result": "考核结果",
    "text": "正文", "situation": "见习期工作情况", "summary": "见习期工作小结", "category": "科目", "hours": "学时",
    "provider": "培训机构", "exempt": "免试",
}
# Personal identifiers: a blind reviewer is told that they changed, never what they are.
IDENTIFYING_FIELDS = {"name", "id_number", "phone", "birth_date"}


@dataclass
class SectionChanges:
    section: str
    label: str
    lines: list[str] = field(default_factory=list)


def _show(value) -> str:
    if value is None:
        return _("至今／无")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_show(v) for v in value) or _("无")
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _text_change(old: str, new: str) -> tuple[str, str]:
    """Long texts: show both sides from just before their first difference, not their openings."""
    prefix = 0
    for a, b in zip(old, new):
        if a != b:
            break
        prefix += 1
    start = max(0, prefix - 8)
    cut = lambda t: ("…" if start else "") + t[start:start + 40] + ("…" if len(t) > start + 40 else "")  # noqa: E731
    return cut(old) or _("（空）"), cut(new) or _("（空）")


def _field_lines(old: dict, new: dict, redact: Callable[[str], str], blind: bool, prefix: str = "") -> list[str]:
    lines = []
    for key in list(dict.fromkeys([*old.keys(), *new.keys()])):
        if key == "rows" or old.get(key) == new.get(key):
            continue
        label = FIELD_LABELS.get(key, key)
        if blind and key in IDENTIFYING_FIELDS:
            lines.append(_("%(p)s%(label)s：已修改") % {"p": prefix, "label": label})
        else:
            before, after = old.get(key), new.get(key)
            if isinstance(before, str) and isinstance(after, str) and max(len(before), len(after)) > 40:
                shown_old, shown_new = _text_change(before, after)
            else:
                shown_old, shown_new = _show(before), _show(after)
            lines.append(redact(_("%(p)s%(label)s：%(old)s → %(new)s") % {
                "p": prefix, "label": label, "old": shown_old, "new": shown_new}))
    return lines


def _row_lines(old_rows: list, new_rows: list, redact, blind) -> list[str]:
    lines = []
    for index in range(max(len(old_rows), len(new_rows))):
        n = index + 1
        if index >= len(old_rows):
            lines.append(_("第%d行：新增") % n)
        elif index >= len(new_rows):
            lines.append(_("第%d行：删除") % n)
        elif old_rows[index] != new_rows[index]:
            lines.extend(_field_lines(old_rows[index], new_rows[index], redact, blind, prefix=_("第%d行 ") % n))
    return lines


def round_changes(previous: dict, current: dict, *, material_names: dict[str, str] | None = None,
                  redact: Callable[[str], str] = lambda t: t, blind: bool = False) -> list[SectionChanges]:
    """Sections that differ between two round records, in the order of ``Section``; scans added
    or removed are listed under their section."""
    names = material_names or {}
    old_sections, new_sections = previous.get("sections", {}), current.get("sections", {})
    old_files = {a["id"]: a for a in previous.get("attachments", [])}
    new_files = {a["id"]: a for a in current.get("attachments", [])}
    result = []
    for key in Section.values:
        changes = SectionChanges(key, str(Section(key).label))
        old, new = old_sections.get(key) or {}, new_sections.get(key) or {}
        if old != new:
            changes.lines.extend(_field_lines(old, new, redact, blind))
            if "rows" in old or "rows" in new:
                changes.lines.extend(_row_lines(old.get("rows", []), new.get("rows", []), redact, blind))
            if not changes.lines:
                changes.lines.append(_("内容已修改"))
        for attachment in new_files.values():
            if attachment["section"] == key and (attachment["id"] not in old_files
                                                 or old_files[attachment["id"]]["file"] != attachment["file"]):
                changes.lines.append(_("新上传附件：%s") % names.get(attachment["slot"], attachment["slot"]))
        for attachment in old_files.values():
            if attachment["section"] == key and attachment["id"] not in new_files:
                changes.lines.append(_("删除附件：%s") % names.get(attachment["slot"], attachment["slot"]))
        if changes.lines:
            result.append(changes)
    return result


def latest_round_changes(application, viewer) -> list[SectionChanges] | None:
    """What changed in the latest submission compared with the one before; ``None`` for a first
    submission (nothing to compare)."""
    rounds = [c for c in submission_rounds(application) if "round" in (c.data or {})]
    if len(rounds) < 2:
        return None
    names = dict(application.campaign.materials.values_list("code", "name"))
    names.update({"publicity": "推荐单位公示", "publicity_result": "公示结果", "unit_recommendation": "单位推荐意见（附件3）",
                  "competent_recommendation": "加盖公章的推荐意见"})
    return round_changes(rounds[-2].data["round"], rounds[-1].data["round"], material_names=names,
                         redact=redactor_for(application, viewer), blind=is_blind(viewer))
