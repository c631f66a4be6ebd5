"""``python manage.py precheck INPUT.json``: batch self-check for HR offices.

Reads a JSON list of profiles (issue 3's input format, Chinese labels) and prints a JSON list of
verdicts in the same order.  Any bad input — unreadable JSON, a missing or unknown key, a wrong
type, an unknown label, an invalid ID number — prints every problem, each naming the profile's
index and the field, and exits with status 2 without printing any verdict.

Labels are mapped to the enum values of ``applications.enums`` here, at the boundary; the rule
engine only sees values.  Campaigns are loaded once per code with their rule rows prefetched, so a
file of thousands of profiles costs a handful of queries.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.enums import CECategory, Education, EvaluationResult, Kind, SpecialService, UnitNature
from applications.models import Campaign, County
from applications.rules import CAMPAIGN_PREFETCH, CurrentTitle, EducationEntry, Profile, evaluate
from portal.accounts.validators import validate_id_number

BAD_INPUT = 2

KINDS = {"评审": Kind.REVIEW, "初次确定": Kind.INITIAL, "初定": Kind.INITIAL, "授予": Kind.AWARD}
UNIT_NATURES = {**{str(c.label): c.value for c in UnitNature}, "自由职业者": UnitNature.FREELANCE.value}
EDUCATION = {str(c.label): c.value for c in Education}
EVALUATIONS = {"优秀": EvaluationResult.EXCELLENT, "合格": EvaluationResult.QUALIFIED,
               "称职": EvaluationResult.QUALIFIED, "合格（称职）": EvaluationResult.QUALIFIED,
               "基本合格": EvaluationResult.BASIC, "不合格": EvaluationResult.UNQUALIFIED}
CE_CATEGORIES = {"公需": CECategory.PUBLIC, "公需科目": CECategory.PUBLIC,
                 "专业": CECategory.PROFESSIONAL, "专业科目": CECategory.PROFESSIONAL}
SPECIAL_SERVICES = {
    **{str(c.label): c.value for c in SpecialService},
    "访惠聚": SpecialService.FANGHUIJU, "访惠聚驻村": SpecialService.FANGHUIJU, "“访惠聚”驻村": SpecialService.FANGHUIJU,
    "驻村管寺": SpecialService.TEMPLE, "寺管会": SpecialService.TEMPLE,
    "南疆学前教育支教": SpecialService.PRESCHOOL, "内地服务管理": SpecialService.INLAND,
    "深度贫困村第一书记": SpecialService.FIRST_SECRETARY,
}

REQUIRED_KEYS = (
    "campaign", "specialty", "level", "kind", "id_number", "unit_nature", "county", "grassroots_below_county",
    "special_service", "retired", "civil_servant", "aid_xinjiang", "education", "professional_work_start",
    "current_title", "annual_evaluations", "ce_hours", "ce_exempt", "banned_until",
)
# Beyond the format; absent means the default shown.
OPTIONAL_KEYS = {"unit_banned_until": None, "transferred_from_organ": False, "title_in_xinjiang": True,
                 "previous_review": False}
YEAR = re.compile(r"^\d{4}$")


class BadInput(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class BadInputs(Exception):
    def __init__(self, problems: list[BadInput]):
        super().__init__(problems)
        self.problems = problems


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _choices(mapping: dict) -> str:
    return "、".join(mapping)


def _label(value: Any, mapping: dict, field: str, what: str) -> str:
    if isinstance(value, str) and value in mapping:
        return str(mapping[value])
    if isinstance(value, str) and value in {str(v) for v in mapping.values()}:
        return value  # an enum value is accepted too
    raise BadInput(field, _("未知的%(what)s“%(value)s”，可选：%(choices)s") % {
        "what": what, "value": value, "choices": _choices(mapping)})


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise BadInput(field, _("应为 true 或 false（收到 %(got)s）") % {"got": _shown(value)})
    return value


def _date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadInput(field, _("日期应写成 YYYY-MM-DD，例如 2012-07-01（收到 %(got)s）") % {"got": _shown(value)}) from None


def _year(value: Any, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return value
    if isinstance(value, str) and YEAR.match(value):
        return int(value)
    raise BadInput(field, _("年份应为四位数字（收到 %(got)s）") % {"got": _shown(value)})


def _ban(value: Any, field: str):
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, str) and YEAR.match(value)):
        return _year(value, field)
    if isinstance(value, str):
        return _date(value, field)
    raise BadInput(field, _("应为 null、年份（如 2026）或日期（如 2026-03-01）"))


def _object(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise BadInput(field, _("应为 JSON 对象 {…}"))
    return value


def _list(value: Any, field: str) -> list:
    if not isinstance(value, list):
        raise BadInput(field, _("应为 JSON 列表 […]"))
    return value


class Parser:
    """Turns one input object into (campaign, specialty, level, kind, Profile), or BadInput."""

    def __init__(self):
        self.campaigns: dict[str, Campaign | None] = {}
        self.counties = set(County.objects.values_list("name", flat=True))

    def campaign(self, code: Any) -> Campaign:
        if not isinstance(code, str):
            raise BadInput("campaign", _("应为年度评审工作代码字符串，例如 bz-2024-zhijian"))
        if code not in self.campaigns:
            self.campaigns[code] = (Campaign.objects.prefetch_related(*CAMPAIGN_PREFETCH, "specialties__series")
                                    .filter(code=code).first())
        campaign = self.campaigns[code]
        if campaign is None:
            known = "、".join(Campaign.objects.order_by("code").values_list("code", flat=True))
            raise BadInput("campaign", _("没有代码为“%(code)s”的年度评审工作，可选：%(known)s") % {"code": code, "known": known})
        return campaign

    @staticmethod
    def specialty(campaign: Campaign, name: Any):
        if not isinstance(name, str) or not name:
            raise BadInput("specialty", _("应为专业名称字符串，例如 建筑"))
        wanted = name.strip()
        found = []
        for s in campaign.specialties.all():
            names = {s.name, re.sub(r"（.*?）|\(.*?\)", "", s.name), f"{s.series.name}·{s.name}",
                     f"{s.series.short_name}·{s.name}"}
            if s.name == s.series.short_name:  # a series without specialties: 党干校教师(系列)
                names.add(s.series.name)
            if wanted in names:
                found.append(s)
        if len(found) == 1:
            return found[0]
        if found:
            options = "、".join(f"{s.series.name}·{s.name}" for s in found)
            raise BadInput("specialty", _("专业“%(name)s”不唯一，请写成“系列·专业”：%(options)s") % {
                "name": wanted, "options": options})
        options = "、".join(s.name for s in campaign.specialties.all()[:30])
        raise BadInput("specialty", _("%(code)s 不受理专业“%(name)s”，可选：%(options)s") % {
            "code": campaign.code, "name": wanted, "options": options})

    @staticmethod
    def level(campaign: Campaign, name: Any):
        for level in campaign.levels.all():
            if name in (level.name, level.code):
                return level
        options = "、".join(lv.name for lv in campaign.levels.all())
        raise BadInput("level", _("%(code)s 不受理级别“%(name)s”，可选：%(options)s") % {
            "code": campaign.code, "name": name, "options": options})

    @staticmethod
    def kind(campaign: Campaign, name: Any) -> str:
        kind = _label(name, KINDS, "kind", _("申报类型"))
        if kind not in campaign.kinds:
            options = "、".join(campaign.kind_labels)
            raise BadInput("kind", _("%(code)s 不受理申报类型“%(name)s”，可选：%(options)s") % {
                "code": campaign.code, "name": name, "options": options})
        return kind

    def parse(self, item: Any):
        """Every problem of one profile at once (BadInputs), so a clerk fixes a row in one pass."""
        item = _object(item, "")
        problems: list[BadInput] = [BadInput(k, _("缺少此字段")) for k in REQUIRED_KEYS if k not in item]
        problems += [BadInput(k, _("未知字段（可能拼写有误）")) for k in sorted(set(item) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))]
        if problems:
            raise BadInputs(problems)

        def attempt(function, *args):
            try:
                return function(*args)
            except BadInput as problem:
                problems.append(problem)
                return None

        campaign = self.campaign(item["campaign"])
        specialty = attempt(self.specialty, campaign, item["specialty"])
        level = attempt(self.level, campaign, item["level"])
        kind = attempt(self.kind, campaign, item["kind"])
        options = {k: item.get(k, default) for k, default in OPTIONAL_KEYS.items()}
        fields = dict(
            id_number=attempt(self.id_number, item["id_number"]),
            unit_nature=attempt(_label, item["unit_nature"], UNIT_NATURES, "unit_nature", _("单位性质")),
            county=attempt(self.county, item["county"]),
            special_service=attempt(self.services, item["special_service"]),
            education=attempt(self.educations, item["education"]),
            professional_work_start=attempt(
                lambda v: None if v is None else _date(v, "professional_work_start"), item["professional_work_start"]),
            current_title=attempt(self.title, item["current_title"], campaign),
            annual_evaluations=attempt(self.evaluations, item["annual_evaluations"]),
            ce_hours=attempt(self.ce_hours, item["ce_hours"]),
            banned_until=attempt(_ban, item["banned_until"], "banned_until"),
            unit_banned_until=attempt(_ban, options["unit_banned_until"], "unit_banned_until"),
        )
        for key in ("grassroots_below_county", "retired", "civil_servant", "aid_xinjiang", "ce_exempt"):
            fields[key] = attempt(_bool, item[key], key)
        for key in ("transferred_from_organ", "title_in_xinjiang", "previous_review"):
            fields[key] = attempt(_bool, options[key], key)
        if problems:
            raise BadInputs(problems)
        return campaign, specialty, level, kind, Profile(**fields)

    @staticmethod
    def id_number(value: Any) -> str:
        try:
            return validate_id_number(value if isinstance(value, str) else "")
        except ValidationError as error:
            raise BadInput("id_number", "；".join(error.messages)) from None

    def county(self, value: Any) -> str:
        if value not in self.counties:
            raise BadInput("county", _("未知的县（市）“%(name)s”，可选：%(options)s") % {
                "name": value, "options": "、".join(sorted(self.counties))})
        return value

    @staticmethod
    def services(value: Any) -> list[str]:
        return [_label(s, SPECIAL_SERVICES, f"special_service[{i}]", _("服务类型"))
                for i, s in enumerate(_list(value, "special_service"))]

    def educations(self, value: Any) -> list[EducationEntry]:
        return [self.education(row, f"education[{i}]") for i, row in enumerate(_list(value, "education"))]

    @staticmethod
    def education(row: Any, field: str) -> EducationEntry:
        row = _object(row, field)
        for key in ("level", "full_time", "graduated", "south_xinjiang_graduate"):
            if key not in row:
                raise BadInput(f"{field}.{key}", _("缺少此字段"))
        return EducationEntry(
            level=_label(row["level"], EDUCATION, f"{field}.level", _("学历")),
            full_time=_bool(row["full_time"], f"{field}.full_time"),
            graduated=_date(row["graduated"], f"{field}.graduated"),
            south_xinjiang_graduate=_bool(row["south_xinjiang_graduate"], f"{field}.south_xinjiang_graduate"),
        )

    @staticmethod
    def title(value: Any, campaign: Campaign) -> CurrentTitle | None:
        if value is None:
            return None
        value = _object(value, "current_title")
        for key in ("level", "obtained"):
            if key not in value:
                raise BadInput(f"current_title.{key}", _("缺少此字段"))
        levels = {lv.name: lv.code for lv in campaign.levels.all()}
        return CurrentTitle(level=_label(value["level"], levels, "current_title.level", _("级别")),
                            obtained=_date(value["obtained"], "current_title.obtained"))

    @staticmethod
    def evaluations(value: Any) -> dict[int, str]:
        value = _object(value, "annual_evaluations")
        return {_year(year, f"annual_evaluations.{year}"):
                _label(result, EVALUATIONS, f"annual_evaluations.{year}", _("考核结果"))
                for year, result in value.items()}

    @staticmethod
    def ce_hours(value: Any) -> dict[int, dict[str, int]]:
        value = _object(value, "ce_hours")
        hours: dict[int, dict[str, int]] = {}
        for year, per_category in value.items():
            field = f"ce_hours.{year}"
            per_year = hours.setdefault(_year(year, field), {})
            for category, amount in _object(per_category, field).items():
                key = _label(category, CE_CATEGORIES, f"{field}.{category}", _("继续教育科目"))
                if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                    raise BadInput(f"{field}.{category}", _("学时应为非负整数（收到 %(got)s）") % {"got": _shown(amount)})
                per_year[key] = per_year.get(key, 0) + amount
        return hours


def read_profiles(text: str) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(_("输入不是合法的 JSON：第%(line)d行第%(col)d列，%(msg)s") % {
            "line": error.lineno, "col": error.colno, "msg": error.msg}, returncode=BAD_INPUT)
    if not isinstance(data, list):
        raise CommandError(_("输入应为 JSON 列表 [ {…}, {…} ]，每项一个申报人档案"), returncode=BAD_INPUT)
    return data


class Command(BaseCommand):
    help = gettext_lazy("批量预审：读取申报人档案 JSON 列表，按同样顺序输出预审结论 JSON 列表。")

    def add_arguments(self, parser):
        parser.add_argument("input", help=_("档案 JSON 文件路径；“-”表示从标准输入读取"))
        parser.add_argument("--today", help=_("按此日期判断以日期表示的限制申报期（YYYY-MM-DD），默认按申报窗口开始日"))

    def handle(self, *args, **options):
        try:
            text = sys.stdin.read() if options["input"] == "-" else open(options["input"], encoding="utf-8").read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(_("无法读取输入文件 %(path)s：%(error)s") % {"path": options["input"], "error": error},
                               returncode=BAD_INPUT)
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(_("--today 应写成 YYYY-MM-DD"), returncode=BAD_INPUT)
        items = read_profiles(text)
        parser = Parser()
        parsed, problems = [], []
        for index, item in enumerate(items):
            try:
                parsed.append(parser.parse(item))
            except BadInput as error:
                problems.append(self.describe(index, error))
            except BadInputs as errors:
                problems.extend(self.describe(index, error) for error in errors.problems)
        if problems:
            raise CommandError(_("输入有误，未输出任何结论：") + "\n" + "\n".join(problems), returncode=BAD_INPUT)
        verdicts = [evaluate(*args, today=today).to_json() for args in parsed]
        self.stdout.write(json.dumps(verdicts, ensure_ascii=False, indent=2))

    @staticmethod
    def describe(index: int, error: BadInput) -> str:
        where = f"[{index}]" + (f".{error.field}" if error.field else "")
        return _("第%(n)d个档案（索引 %(index)d）字段 %(where)s：%(message)s") % {
            "n": index + 1, "index": index, "where": where, "message": error.message}
