"""The JSON shape of each section's validated content (``ApplicationSection.data`` and
``ProfileSection.data``).  This is the contract between the forms that write sections, the rule
engine that reads them, and the documents that print them.

Conventions: dates are ISO strings ``YYYY-MM-DD`` (a period's ``end`` may be ``None`` for 至今);
enumerated values are the *values* of ``applications.enums`` (``"bachelor"``, ``"qualified"``);
free text that has nothing to say holds ``"无"`` (the notices forbid blank fields); repeating
sections are ``{"rows": [...]}`` in display order.  Evidence scans are ``Attachment`` rows whose
``section`` is the key below and, for per-row evidence, whose ``row`` is the row's index.
"""

from __future__ import annotations

from typing import TypedDict


class Basic(TypedDict):
    """基本信息."""

    name: str
    gender: str  # Gender value, must agree with the ID number
    ethnicity: str  # 族别, e.g. "汉族", "维吾尔族"
    birth_date: str  # must agree with the ID number
    id_number: str
    political_status: str  # PoliticalStatus value
    phone: str
    unit_name: str
    unit_nature: str  # UnitNature value (the applicant's own: a freelancer is "freelance")
    county: str  # County name
    aid_xinjiang: bool  # 是否援疆
    special_service: list[str]  # SpecialService values
    grassroots_below_county: bool  # 在县级以下基层单位工作
    transferred_from_organ: bool  # 由机关调动（含分流、转移）到企事业单位
    retired: bool
    civil_servant: bool  # 公务员或参照公务员法管理


class EducationRow(TypedDict):
    level: str  # Education value; rows ordered from lowest to highest
    full_time: bool
    school: str
    major: str
    degree: str  # 学位 or "无"
    start: str
    graduated: str
    south_xinjiang_graduate: bool  # 到南疆地区工作的普通高校毕业生


class Education(TypedDict):
    rows: list[EducationRow]


class Qualification(TypedDict):
    """专业技术资格: the current title (if any) and years of professional work."""

    has_title: bool
    title_level: str  # Level.code ("junior", "intermediate") or "" when has_title is False
    title_name: str  # e.g. "助理工程师", or "无"
    series: str  # e.g. "工程系列", or "无"
    obtained: str | None  # 取得时间
    appointed: str | None  # 聘任时间
    obtained_in_xinjiang: bool
    professional_work_start: str  # 从事专业技术工作起始日期
    professional_work_years: int


class WorkRow(TypedDict):
    start: str
    end: str | None  # None: 至今 (only the last row)
    unit: str
    position: str  # 职务／岗位


class WorkHistory(TypedDict):
    rows: list[WorkRow]  # consecutive rows join: row[i].end + 1 day == row[i+1].start


class AchievementRow(TypedDict):
    period: str
    content: str
    role: str  # 本人作用


class AwardRow(TypedDict):
    name: str
    level: str  # 国家级／自治区级／自治州级／县级／单位
    issuer: str
    date: str
    rank: str  # 名次／等级, or "无"


class IPRow(TypedDict):
    kind: str  # 发明专利／实用新型／软件著作权 …
    title: str
    number: str
    date: str


class PaperRow(TypedDict):
    kind: str  # 论文／著作／代表作品
    title: str
    publisher: str  # 刊物或出版社
    date: str
    issn: str  # 刊号／书号, or "无"
    author_role: str  # 独著／第一作者 …


class EvaluationRow(TypedDict):
    year: int
    result: str  # EvaluationResult value


class Summary(TypedDict):
    text: str  # within Campaign.summary_max_chars when set


class Probation(TypedDict):
    """初定: 见习期工作情况 and 见习期工作小结."""

    situation: str
    summary: str


class CERow(TypedDict):
    year: int
    category: str  # CECategory value
    hours: int
    provider: str  # 培训机构 or "无"


class ContinuingEducation(TypedDict):
    exempt: bool  # 继续教育免试 (附件4 form uploaded instead of certificates)
    rows: list[CERow]


# Sections whose content carries over from the profile to each new application.
PROFILE_SECTIONS = ("basic", "education", "qualification", "work_history", "awards", "papers", "ce")
