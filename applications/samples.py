"""Realistic sample content for the demo and for tests: valid section data (the shapes of
``applications/sections.py``) and generated scans (JPEG pages with Chinese text and the
applicant's name on them, as a phone photo of a certificate would have).

``fill_sample_application`` writes sections and attachments directly, bypassing the forms; the
forms' own tests check that this content passes their validation, so the two cannot drift.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from portal.accounts.validators import birth_date_of, gender_of

from .enums import CECategory, Education, EvaluationResult, PoliticalStatus, Section, UnitNature
from .checklist import sections_for
from .forms.editor import json_to_raw
from .masking import burn_mask_boxes
from .materials import MaterialFacts, resolve_materials
from .models import Application, ApplicationSection
from .uploads import MIN_SHORT_SIDE, MIN_SHORT_SIDE_BY_SLOT, accept_upload, attach

FONT_PATHS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
]


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def sample_scan(title: str, name: str = "", *, lines: tuple[str, ...] = (), size=(1240, 1754),
                quality: int = 85) -> bytes:
    """A scanned A4 page (150 dpi) with a heading, the holder's name and some body text."""
    image = Image.new("RGB", size, (250, 250, 246))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle([40, 40, w - 40, h - 40], outline=(60, 60, 60), width=4)
    draw.text((w // 2, 150), title, font=_font(64), fill=(20, 20, 20), anchor="mm")
    y = 300
    if name:
        draw.text((120, y), f"姓名：{name}", font=_font(48), fill=(10, 10, 10))
        y += 110
    body = lines or ("兹证明该同志所提交材料真实有效。", "本件为演示用扫描件。", "巴音郭楞蒙古自治州")
    for line in body:
        draw.text((120, y), line, font=_font(40), fill=(30, 30, 30))
        y += 80
    draw.ellipse([w - 420, h - 420, w - 140, h - 140], outline=(200, 30, 30), width=8)
    draw.text((w - 280, h - 280), "公章", font=_font(48), fill=(200, 30, 30), anchor="mm")
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def sample_photo(size=(295, 413)) -> bytes:
    """A 1-inch bare-head photo stand-in: plain background, head and shoulders."""
    image = Image.new("RGB", size, (67, 142, 219))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse([w * 0.3, h * 0.18, w * 0.7, h * 0.58], fill=(236, 200, 170))
    draw.rectangle([w * 0.12, h * 0.66, w * 0.88, h], fill=(40, 40, 48))
    draw.ellipse([w * 0.12, h * 0.58, w * 0.88, h * 0.8], fill=(40, 40, 48))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def sample_sections(*, name: str, id_number: str, unit_name: str, unit_nature: str, county: str,
                    year: int, level_code: str = "intermediate", grassroots: bool = False,
                    special_service: list[str] | None = None, aid_xinjiang: bool = False) -> dict[str, dict]:
    """Valid content for every section, consistent with the ID number and the campaign year."""
    birth = birth_date_of(id_number)
    grad = dt.date(max(birth.year + 22, year - 12), 7, 1)
    work_start = grad + dt.timedelta(days=31)
    title_obtained = dt.date(grad.year + 5, 9, 30)
    has_title = level_code != "junior"
    mid = dt.date(grad.year + 4, 12, 31)
    return {
        Section.BASIC: {
            "name": name, "gender": gender_of(id_number), "ethnicity": "汉族", "birth_date": birth.isoformat(),
            "id_number": id_number, "political_status": PoliticalStatus.CPC, "phone": "13900000000",
            "unit_name": unit_name, "unit_nature": unit_nature, "county": county, "aid_xinjiang": aid_xinjiang,
            "special_service": list(special_service or []), "grassroots_below_county": grassroots,
            "transferred_from_organ": False, "retired": False, "civil_servant": False,
        },
        Section.EDUCATION: {"rows": [
            {"level": Education.JUNIOR_COLLEGE, "full_time": True, "school": "巴音郭楞职业技术学院",
             "major": "建筑工程技术", "degree": "无", "start": dt.date(grad.year - 5, 9, 1).isoformat(),
             "graduated": dt.date(grad.year - 2, 7, 1).isoformat(), "south_xinjiang_graduate": False},
            {"level": Education.BACHELOR, "full_time": True, "school": "新疆大学", "major": "土木工程",
             "degree": "工学学士", "start": dt.date(grad.year - 2, 9, 1).isoformat(),
             "graduated": grad.isoformat(), "south_xinjiang_graduate": False},
        ]},
        Section.QUALIFICATION: {
            "has_title": has_title, "title_level": "junior" if has_title else "",
            "title_name": "助理工程师" if has_title else "无", "series": "工程系列" if has_title else "无",
            "obtained": title_obtained.isoformat() if has_title else None,
            "appointed": (title_obtained + dt.timedelta(days=30)).isoformat() if has_title else None,
            "obtained_in_xinjiang": True, "professional_work_start": work_start.isoformat(),
            "professional_work_years": year - work_start.year,
        },
        Section.WORK_HISTORY: {"rows": [
            {"start": work_start.isoformat(), "end": mid.isoformat(), "unit": unit_name, "position": "技术员"},
            {"start": (mid + dt.timedelta(days=1)).isoformat(), "end": None, "unit": unit_name,
             "position": "项目技术负责人"},
        ]},
        Section.ACHIEVEMENTS: {"rows": [
            {"period": f"{year - 3}年—{year - 1}年", "content": "主持库尔勒市某住宅小区结构设计，完成施工图审查。",
             "role": "项目技术负责人"},
        ]},
        Section.AWARDS: {"rows": [
            {"name": "自治州优秀工程勘察设计奖", "level": "自治州级", "issuer": "巴州住房和城乡建设局",
             "date": dt.date(year - 2, 12, 1).isoformat(), "rank": "三等奖"},
        ]},
        Section.IP: {"rows": []},
        Section.PAPERS: {"rows": [
            {"kind": "论文", "title": "寒旱地区砌体结构抗震加固技术探讨", "publisher": "新疆建筑科技",
             "date": dt.date(year - 2, 6, 1).isoformat(), "issn": "ISSN 1000-0000", "author_role": "第一作者"},
        ]},
        Section.EVALUATIONS: {"rows": [
            {"year": y, "result": EvaluationResult.QUALIFIED} for y in range(year - 3, year)
        ]},
        Section.SUMMARY: {"text": "任现职以来，本人认真履行岗位职责，负责多项建筑工程的结构设计与技术管理工作。" * 8},
        Section.PROBATION: {"situation": "见习期间在项目部从事施工技术工作，服从安排，虚心学习。",
                            "summary": "见习期内熟悉了施工规范和图纸会审流程，能够独立完成技术交底。"},
        Section.CE: {"exempt": False, "rows": [
            row for y in range(year - 4, year + 1) for row in (
                {"year": y, "category": CECategory.PUBLIC, "hours": 30, "provider": "新疆专业技术人员继续教育平台"},
                {"year": y, "category": CECategory.PROFESSIONAL, "hours": 60, "provider": "巴州住建局培训中心"},
            )
        ]},
    }


@lru_cache(maxsize=256)
def _accepted_sample(code: str, title: str, name: str):
    """A generated scan as the upload pipeline stores it (upright JPEG, thumbnail, checksum);
    cached because tests and the demo build many applications from the same pages."""
    payload = sample_photo() if code == "photo" else sample_scan(title, name)
    return accept_upload(SimpleUploadedFile(f"{code}.jpg", payload, content_type="image/jpeg"),
                         min_short_side=MIN_SHORT_SIDE_BY_SLOT.get(code, MIN_SHORT_SIDE))


# The name is drawn at (120, 300), 48 px high, after "姓名：": the box the sample answers cover it with.
SAMPLE_NAME_BOX = (100, 285, 700, 90)


@lru_cache(maxsize=256)
def _masked_sample(code: str, title: str, name: str) -> bytes:
    """The masked copy of ``_accepted_sample``'s scan (its name boxed out); cached with it: burning
    the box is a JPEG decode and encode, and the demo alone masks some 200 scans a build."""
    return burn_mask_boxes(_accepted_sample(code, title, name).content, [list(SAMPLE_NAME_BOX)])


def fill_sample_application(application: Application, *, with_files: bool = True,
                            masking: bool = True, **overrides) -> Application:
    """Give ``application`` complete, valid sections and one scan per required checklist item.

    Scans that show the applicant's name are answered "needs masking: yes" with a box over the
    name and a masked copy; the rest "no" (when ``masking`` is False, questions stay unanswered).
    """
    user = application.applicant
    unit = application.unit
    data = sample_sections(
        name=user.real_name, id_number=user.id_number, unit_name=unit.name,
        unit_nature=overrides.pop("unit_nature", unit.nature), county=unit.county.name,
        year=application.campaign.year, level_code=application.level.code,
        grassroots=unit.grassroots_below_county, **overrides,
    )
    basic, qual = data[Section.BASIC], data[Section.QUALIFICATION]
    facts = MaterialFacts(
        unit_nature=basic["unit_nature"], kind=application.kind, level_code=application.level.code,
        aid_xinjiang=basic["aid_xinjiang"], has_title=qual["has_title"],
        title_in_xinjiang=qual["obtained_in_xinjiang"], special_service=tuple(basic["special_service"]),
        grassroots_below_county=basic["grassroots_below_county"],
    )
    campaign = application.campaign
    materials = resolve_materials(campaign.materials.all(), facts)
    # Only the sections this applicant fills in (no 见习期 for a review, no 业绩 for 初定), as the
    # section pages would have let them.
    applicable = set(sections_for(application, facts, materials))
    for key, content in data.items():
        if key not in applicable:
            continue
        ApplicationSection.objects.update_or_create(
            application=application, key=key,
            defaults={"draft": json_to_raw(key, content), "data": content, "is_complete": True, "errors": {}})
    if not with_files:
        return application

    def add_scan(material, index: int, row: int | None = None) -> None:
        shows_name = material.code not in {"photo", "social_insurance"}
        sample = (material.code, material.name[:14], user.real_name if shows_name else "")
        accepted = _accepted_sample(*sample)
        attachment = attach(application, accepted, section=material.section, slot=material.code, row=row,
                            order=index)
        if masking:
            attachment.needs_masking = shows_name
            if shows_name:
                attachment.mask_boxes = [list(SAMPLE_NAME_BOX)]
                attachment.masked.save("masked.jpg", ContentFile(_masked_sample(*sample)), save=False)
            attachment.save()

    for material in materials:
        if material.code == "award_certificate":
            # 获奖情况须与附件一致: one certificate per award row, whether or not the slot is required.
            for row in range(len(data[Section.AWARDS]["rows"])):
                add_scan(material, row, row=row)
            continue
        if not material.required:
            continue
        count = max(material.min_count, campaign.title_docs_in_xinjiang if material.code == "title_docs" else 1)
        for index in range(count):
            add_scan(material, index)
    return application


__all__ = ["fill_sample_application", "sample_photo", "sample_scan", "sample_sections", "UnitNature"]
