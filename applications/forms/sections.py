"""One form per section of the application (SPEC §4), writing the JSON shapes of
``applications/sections.py``.  Single-valued sections are a ``forms.Form``; repeating sections a
formset of row forms whose ``clean`` checks the rules that span rows (education from lowest to
highest, work periods that join, the evaluation years the campaign asks for).

Every rule here is enforced on the server with a message in Chinese saying what to change.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.validators import (
    birth_date_of,
    gender_of,
    normalize_id_number,
    validate_id_number,
    validate_person_name,
)

from ..enums import (
    CECategory,
    Education,
    EvaluationResult,
    Gender,
    PoliticalStatus,
    SpecialService,
    UnitNature,
)
from ..models import Level
from .context import SectionContext
from .fields import NONE_TEXT, ChoiceField, DateField, TextField, YesNoField

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
AWARD_LEVELS = ["国家级", "自治区级（省部级）", "自治州级", "县（市）级", "单位（企业）级"]
IP_KINDS = ["发明专利", "实用新型专利", "外观设计专利", "软件著作权", "其他知识产权"]
PAPER_KINDS = ["论文", "著作", "代表作品", "技术报告", "技术标准"]


def _choices(values):
    return [(v, v) for v in values]


class SectionForm(forms.Form):
    """A form that knows its ``SectionContext``."""

    def __init__(self, *args, context: SectionContext, **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)

    def to_json(self) -> dict:
        return dict(self.cleaned_data)


def _iso(value):
    return value.isoformat() if value else None


# --- 基本信息 -----------------------------------------------------------------------------------

class BasicForm(SectionForm):
    name = TextField(label=_("姓名"), max_length=50)
    gender = ChoiceField(label=_("性别"), choices=Gender.choices, radio=True)
    ethnicity = TextField(label=_("族别"), max_length=20, help_text=_("例如：汉族、维吾尔族、哈萨克族"))
    birth_date = DateField(label=_("出生日期"))
    id_number = TextField(label=_("身份证号码"), max_length=18)
    political_status = ChoiceField(label=_("政治面貌"), choices=PoliticalStatus.choices)
    phone = TextField(label=_("联系电话"), max_length=20)
    unit_name = TextField(label=_("工作单位"), max_length=100)
    unit_nature = ChoiceField(label=_("单位性质"), choices=UnitNature.choices)
    county = ChoiceField(label=_("所在县（市）"), choices=[], help_text=_("企业以营业执照注册地为准"))
    aid_xinjiang = YesNoField(label=_("是否援疆人员"))
    special_service = forms.MultipleChoiceField(
        label=_("参加以下工作（如有）"), choices=SpecialService.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("未参加的不勾选。"))
    grassroots_below_county = YesNoField(label=_("是否在县级以下基层单位工作"))
    transferred_from_organ = YesNoField(label=_("是否由机关调动（含分流、转移）到企事业单位"))
    retired = YesNoField(label=_("是否离退休人员"))
    civil_servant = YesNoField(label=_("是否公务员或参照公务员法管理的人员"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "——请选择——"), *_choices(self.context.county_names)]
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off"})

    def clean_name(self):
        name = validate_person_name(self.cleaned_data["name"])
        real = getattr(self.context.user, "real_name", "")
        if real and name != real:
            raise forms.ValidationError(_("姓名须与实名注册的姓名“%(real)s”一致。"), params={"real": real})
        return name

    def clean_id_number(self):
        number = validate_id_number(self.cleaned_data["id_number"])
        own = normalize_id_number(getattr(self.context.user, "id_number", "") or "")
        if own and number != own:
            raise forms.ValidationError(_("身份证号码须与实名注册时的号码一致。"))
        return number

    def clean_phone(self):
        phone = self.cleaned_data["phone"].replace(" ", "")
        if not PHONE_RE.match(phone):
            raise forms.ValidationError(_("请填写11位手机号码或带区号的固定电话，例如 0996-2021234。"))
        return phone

    def clean(self):
        cleaned = super().clean()
        number, birth, gender = cleaned.get("id_number"), cleaned.get("birth_date"), cleaned.get("gender")
        if number:
            if birth and birth != birth_date_of(number):
                self.add_error("birth_date", _("出生日期与身份证号码不一致（身份证上为%(d)s）。")
                               % {"d": birth_date_of(number).isoformat()})
            if gender and gender != gender_of(number):
                self.add_error("gender", _("性别与身份证号码不一致（身份证号码第17位表示%(g)s）。")
                               % {"g": Gender(gender_of(number)).label})
        return cleaned

    def to_json(self) -> dict:
        data = dict(self.cleaned_data)
        data["birth_date"] = _iso(data["birth_date"])
        data["special_service"] = list(data.get("special_service") or [])
        return data


# --- 专业技术资格 ---------------------------------------------------------------------------------

class QualificationForm(SectionForm):
    has_title = YesNoField(label=_("是否已取得专业技术资格"))
    title_level = ChoiceField(label=_("现任职称级别"), choices=[], required=False)
    title_name = TextField(label=_("现任专业技术资格名称"), max_length=50, allow_none=True, required=False,
                           help_text=_("例如：助理工程师；没有的填“无”"))
    series = TextField(label=_("所属系列"), max_length=50, allow_none=True, required=False,
                       help_text=_("例如：工程系列；没有的填“无”"))
    obtained = DateField(label=_("取得时间"), required=False)
    appointed = DateField(label=_("聘任时间"), required=False)
    obtained_in_xinjiang = YesNoField(label=_("是否在新疆取得"), required=False)
    professional_work_start = DateField(label=_("从事专业技术工作起始日期"))
    professional_work_years = forms.IntegerField(
        label=_("专业技术工作年限（年）"), min_value=0, max_value=60,
        error_messages={"required": _("请填写专业技术工作年限。"), "invalid": _("请填写整数年数。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_level"].choices = [("", "——请选择——"),
                                              *Level.objects.order_by("rank").values_list("code", "name")]

    def clean(self):
        cleaned = super().clean()
        has_title = cleaned.get("has_title")
        if has_title:
            for field, message in (("title_level", _("请选择现任职称级别。")),
                                   ("obtained", _("请填写取得时间。")),
                                   ("appointed", _("请填写聘任时间。"))):
                if not cleaned.get(field) and field not in self.errors:
                    self.add_error(field, message)
            for field in ("title_name", "series"):
                if cleaned.get(field) in (None, "", NONE_TEXT) and field not in self.errors:
                    self.add_error(field, _("已取得专业技术资格的，请填写此项。"))
            if cleaned.get("obtained_in_xinjiang") is None and "obtained_in_xinjiang" not in self.errors:
                self.add_error("obtained_in_xinjiang", _("请选择“是”或“否”。"))
            obtained, appointed = cleaned.get("obtained"), cleaned.get("appointed")
            if obtained and appointed and appointed < obtained:
                self.add_error("appointed", _("聘任时间不能早于取得时间。"))
        elif has_title is False:
            cleaned.update(title_level="", title_name=NONE_TEXT, series=NONE_TEXT, obtained=None, appointed=None,
                           obtained_in_xinjiang=True)
        start, years = cleaned.get("professional_work_start"), cleaned.get("professional_work_years")
        if start and years is not None:
            possible = timezone.localdate().year - start.year
            if years > possible:
                self.add_error("professional_work_years",
                               _("从%(y)d年起算，专业技术工作年限最多为%(n)d年。") % {"y": start.year, "n": possible})
        return cleaned

    def to_json(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("obtained", "appointed", "professional_work_start"):
            data[key] = _iso(data.get(key))
        return data


# --- single-text sections ---------------------------------------------------------------------

class SummaryForm(SectionForm):
    text = TextField(label=_("个人工作总结"), max_length=20000, textarea=True, rows=14)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = self.max_chars
        if limit:
            self.fields["text"].help_text = _("不超过%(n)d字（不计空格和换行）。") % {"n": limit}
            self.fields["text"].widget.attrs["data-max-chars"] = str(limit)

    @property
    def max_chars(self) -> int | None:
        campaign = self.context.campaign
        return campaign.summary_max_chars if campaign is not None else None

    def clean_text(self):
        text = self.cleaned_data["text"]
        count = len(re.sub(r"\s", "", text))
        if self.max_chars and count > self.max_chars:
            raise forms.ValidationError(_("个人工作总结不能超过%(max)d字，现为%(n)d字，请删减%(over)d字。"),
                                        params={"max": self.max_chars, "n": count, "over": count - self.max_chars})
        return text


class ProbationForm(SectionForm):
    situation = TextField(label=_("见习期工作情况"), max_length=5000, textarea=True, rows=6)
    summary = TextField(label=_("见习期工作小结"), max_length=5000, textarea=True, rows=8)


class NoneForm(SectionForm):
    """For optional repeating sections: tick "无" instead of leaving the section blank."""

    none = forms.BooleanField(label=_("本栏没有可填写的内容（无）"), required=False)


class CEHeadForm(SectionForm):
    exempt = YesNoField(label=_("是否免除继续教育（“访惠聚”驻村等，提交附件4免试审批表）"))


# --- rows -------------------------------------------------------------------------------------

class RowForm(SectionForm):
    def to_json(self) -> dict:
        return {k: (_iso(v) if isinstance(v, dt.date) else v) for k, v in self.cleaned_data.items()
                if k != "DELETE"}


class EducationRowForm(RowForm):
    level = ChoiceField(label=_("学历"), choices=Education.choices)
    full_time = YesNoField(label=_("是否全日制"))
    school = TextField(label=_("毕业院校"), max_length=100)
    major = TextField(label=_("所学专业"), max_length=100)
    degree = TextField(label=_("学位"), max_length=50, allow_none=True, help_text=_("没有学位的填“无”"))
    start = DateField(label=_("入学时间"))
    graduated = DateField(label=_("毕业时间"))
    south_xinjiang_graduate = YesNoField(label=_("是否到南疆地区工作的普通高校毕业生"))

    def clean(self):
        cleaned = super().clean()
        start, graduated = cleaned.get("start"), cleaned.get("graduated")
        if start and graduated and graduated <= start:
            self.add_error("graduated", _("毕业时间应晚于入学时间。"))
        return cleaned


class WorkRowForm(RowForm):
    start = DateField(label=_("起始日期"))
    end = DateField(label=_("结束日期"), required=False, help_text=_("至今的留空"))
    unit = TextField(label=_("工作单位"), max_length=100)
    position = TextField(label=_("职务／岗位"), max_length=100)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于起始日期。"))
        return cleaned


class AchievementRowForm(RowForm):
    period = TextField(label=_("起止时间"), max_length=50, help_text=_("例如：2021年3月—2023年6月"))
    content = TextField(label=_("业绩成果内容"), max_length=2000, textarea=True, rows=3)
    role = TextField(label=_("本人作用"), max_length=100)


class AwardRowForm(RowForm):
    name = TextField(label=_("奖项名称"), max_length=100)
    level = ChoiceField(label=_("级别"), choices=_choices(AWARD_LEVELS))
    issuer = TextField(label=_("颁发单位"), max_length=100)
    date = DateField(label=_("获奖时间"))
    rank = TextField(label=_("名次／等级"), max_length=50, allow_none=True)


class IPRowForm(RowForm):
    kind = ChoiceField(label=_("类别"), choices=_choices(IP_KINDS))
    title = TextField(label=_("名称"), max_length=200)
    number = TextField(label=_("专利号／登记号"), max_length=60)
    date = DateField(label=_("授权（登记）日期"))


class PaperRowForm(RowForm):
    kind = ChoiceField(label=_("类别"), choices=_choices(PAPER_KINDS))
    title = TextField(label=_("题目／书名"), max_length=200)
    publisher = TextField(label=_("刊物或出版社"), max_length=100)
    date = DateField(label=_("发表（出版）时间"))
    issn = TextField(label=_("刊号／书号"), max_length=60, allow_none=True)
    author_role = TextField(label=_("本人排名"), max_length=30, help_text=_("例如：独著、第一作者"))


class EvaluationRowForm(RowForm):
    year = forms.IntegerField(label=_("年度"), min_value=1980, max_value=2100,
                              error_messages={"required": _("请填写年度。"), "invalid": _("请填写四位年份。")})
    result = ChoiceField(label=_("考核结果"), choices=EvaluationResult.choices)


class CERowForm(RowForm):
    year = forms.IntegerField(label=_("年度"), min_value=1980, max_value=2100,
                              error_messages={"required": _("请填写年度。"), "invalid": _("请填写四位年份。")})
    category = ChoiceField(label=_("科目"), choices=CECategory.choices)
    hours = forms.IntegerField(label=_("学时"), min_value=1, max_value=500,
                               error_messages={"required": _("请填写学时。"), "invalid": _("学时应为整数。")})
    provider = TextField(label=_("培训机构"), max_length=100, allow_none=True)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("年度不能晚于今年。"))
        return year


# --- formsets: rules across rows --------------------------------------------------------------

class RowsFormSet(forms.BaseFormSet):
    """Rows in display order.  A completely blank row is an error (write it or delete it), so a row's
    index in the saved JSON is its position on the page; evidence scans refer to rows by index."""

    min_rows = 1
    none_allowed = False

    def __init__(self, *args, context: SectionContext, none_ticked: bool = False, min_rows: int | None = None,
                 **kwargs):
        self.context = context
        self.none_ticked = none_ticked
        if min_rows is not None:
            self.min_rows = min_rows
        super().__init__(*args, form_kwargs={"context": context}, **kwargs)

    def _blank(self, form) -> bool:
        return not form.has_changed()

    def clean(self):
        if any(self.errors):
            return
        filled = [f for f in self.forms if not self._blank(f)]
        if self.none_ticked:
            if filled:
                raise forms.ValidationError(_("已勾选“无”，请删除已填写的行，或取消勾选“无”。"))
            return
        for index, form in enumerate(self.forms, start=1):
            if self._blank(form) and len(self.forms) > 1:
                raise forms.ValidationError(_("第%(n)d行是空的，请填写或删除该行。") % {"n": index})
        if len(filled) < self.min_rows:
            if self.none_allowed:
                raise forms.ValidationError(_("请至少填写一行；确实没有的，请勾选“无”。"))
            raise forms.ValidationError(_("请至少填写%(n)d行。") % {"n": self.min_rows})
        self.check_rows([f.cleaned_data for f in filled])

    def check_rows(self, rows: list[dict]) -> None:
        """Rules that span rows; raise ``ValidationError``."""

    def to_json(self) -> list[dict]:
        if self.none_ticked:
            return []
        return [f.to_json() for f in self.forms if not self._blank(f)]


class EducationFormSet(RowsFormSet):
    def check_rows(self, rows):
        for i in range(1, len(rows)):
            before, after = rows[i - 1], rows[i]
            if Education.rank(after["level"]) < Education.rank(before["level"]):
                raise forms.ValidationError(
                    _("学历请按从低到高的顺序填写：第%(a)d行（%(la)s）应排在第%(b)d行（%(lb)s）之前。")
                    % {"a": i + 1, "la": Education(after["level"]).label, "b": i, "lb": Education(before["level"]).label})
            if after["graduated"] < before["graduated"]:
                raise forms.ValidationError(_("学历请按从低到高的顺序填写：第%(a)d行的毕业时间早于第%(b)d行。")
                                            % {"a": i + 1, "b": i})


class WorkFormSet(RowsFormSet):
    def check_rows(self, rows):
        for i, row in enumerate(rows[:-1], start=1):
            if row["end"] is None:
                raise forms.ValidationError(_("只有最后一段经历可以“至今”（结束日期留空）；请填写第%(n)d行的结束日期。")
                                            % {"n": i})
            expected = row["end"] + dt.timedelta(days=1)
            start = rows[i]["start"]
            if start > expected:
                raise forms.ValidationError(
                    _("第%(a)d行与第%(b)d行之间有空档（%(gap_from)s 至 %(gap_to)s）。工作经历须上下衔接："
                      "第%(b)d行的起始日期应为%(expected)s。")
                    % {"a": i, "b": i + 1, "gap_from": expected.isoformat(),
                       "gap_to": (start - dt.timedelta(days=1)).isoformat(), "expected": expected.isoformat()})
            if start < expected:
                raise forms.ValidationError(
                    _("第%(a)d行与第%(b)d行的时间重叠（第%(b)d行从%(start)s开始，第%(a)d行到%(end)s结束）。"
                      "工作经历须上下衔接：第%(b)d行的起始日期应为%(expected)s。")
                    % {"a": i, "b": i + 1, "start": start.isoformat(), "end": row["end"].isoformat(),
                       "expected": expected.isoformat()})


class OptionalRowsFormSet(RowsFormSet):
    none_allowed = True


class EvaluationFormSet(RowsFormSet):
    def required_years(self) -> list[int]:
        campaign = self.context.campaign
        if campaign is None or self.context.kind == "initial":
            return []
        return sorted(campaign.evaluation_years or [])

    def check_rows(self, rows):
        years = [r["year"] for r in rows]
        duplicates = sorted({y for y in years if years.count(y) > 1})
        if duplicates:
            raise forms.ValidationError(_("%(y)s年度填写了多次，每个年度只填一行。")
                                        % {"y": "、".join(map(str, duplicates))})
        missing = [y for y in self.required_years() if y not in years]
        if missing:
            raise forms.ValidationError(_("缺少%(y)s年度的考核结果（本次申报需要%(all)s年度）。")
                                        % {"y": "、".join(map(str, missing)),
                                           "all": "、".join(map(str, self.required_years()))})
        this_year = timezone.localdate().year
        if any(y > this_year for y in years):
            raise forms.ValidationError(_("考核年度不能晚于今年。"))


class CEFormSet(RowsFormSet):
    pass
