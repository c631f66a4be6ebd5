"""自助预审: the public self-check page.  No login, nothing stored.

Pick a campaign (a small GET form, so the choices below follow it), fill a short profile, and the
rule engine's verdict is shown above the form, which keeps what was typed.  The page writes no row
and no session: the form posts to itself and the answer is rendered, never saved.

The short profile asks for the highest diploma only and for continuing education as "years whose
hours are complete"; the batch command (``precheck``) takes the full profile.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import CECategory, Education, EvaluationResult, Kind, SpecialService, UnitNature
from .models import Campaign, County
from .rules import CAMPAIGN_PREFETCH, CurrentTitle, EducationEntry, Profile, evaluate

NO_TITLE = ""


def ce_year_choices(campaign) -> list[int]:
    """Every year any CE rule of the campaign may ask for (002: the longest 初定 period)."""
    years: set[int] = set()
    for rule in campaign.ce_rules.all():
        years.update(rule.public_years or [])
        years.update(rule.professional_years or [])
        if rule.years_from_eligibility:
            longest = max((campaign.initial_work_years or {"x": 3}).values())
            years.update(range(campaign.year - longest + 1, campaign.year + 1))
    return sorted(years)


class SelfCheckForm(forms.Form):
    specialty = forms.TypedChoiceField(label=_("专业"), coerce=int)
    level = forms.ChoiceField(label=_("申报级别"))
    kind = forms.ChoiceField(label=_("申报类型"), widget=forms.RadioSelect)

    unit_nature = forms.ChoiceField(label=_("单位性质"), choices=UnitNature.choices, initial=UnitNature.INSTITUTION)
    county = forms.ChoiceField(label=_("工作所在县（市）"))
    grassroots_below_county = forms.BooleanField(label=_("在县级以下基层单位工作"), required=False)
    special_service = forms.MultipleChoiceField(
        label=_("参加以下工作（可多选）"), choices=SpecialService.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    aid_xinjiang = forms.BooleanField(label=_("援疆专业技术人员"), required=False)
    retired = forms.BooleanField(label=_("已离退休"), required=False)
    civil_servant = forms.BooleanField(label=_("公务员或参照公务员法管理的事业单位人员"), required=False)

    education_level = forms.ChoiceField(label=_("最高学历"), choices=Education.choices, initial=Education.BACHELOR)
    full_time = forms.BooleanField(label=_("全日制普通院校毕业"), required=False, initial=True)
    graduated = forms.DateField(label=_("毕业时间"), widget=forms.DateInput(attrs={"type": "date"}))
    south_xinjiang_graduate = forms.BooleanField(label=_("到南疆地区工作的普通高校毕业生"), required=False)
    previous_review = forms.BooleanField(label=_("此前已通过评审取得过职称"), required=False,
                                         help_text=_("初次确定取得的职称不算。用于判断是否“首次申报职称评审”。"))
    professional_work_start = forms.DateField(label=_("从事专业技术工作起始时间"), required=False,
                                              widget=forms.DateInput(attrs={"type": "date"}))

    title_level = forms.ChoiceField(label=_("现有专业技术资格"), required=False)
    title_obtained = forms.DateField(label=_("取得时间"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    title_in_xinjiang = forms.BooleanField(label=_("在新疆取得"), required=False, initial=True)

    ce_exempt = forms.BooleanField(label=_("申请免除继续教育（“访惠聚”驻村等，附免试审批表）"), required=False)
    banned_until = forms.IntegerField(
        label=_("因弄虚作假被限制申报至（年份）"), required=False, min_value=2000, max_value=2100,
        help_text=_("没有则不填。"))

    def __init__(self, *args, campaign, counties: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        specialties = list(campaign.specialties.all())
        by_series: dict[str, list] = {}
        for s in specialties:
            by_series.setdefault(s.series.name, []).append((s.pk, s.name))
        self.fields["specialty"].choices = (
            list(by_series.values())[0] if len(by_series) == 1 else list(by_series.items()))
        self.specialties = {s.pk: s for s in specialties}
        levels = list(campaign.levels.all())
        self.levels = {lv.code: lv for lv in levels}
        self.fields["level"].choices = [(lv.code, lv.name) for lv in levels]
        self.fields["title_level"].choices = [(NO_TITLE, _("无"))] + [(lv.code, lv.name) for lv in levels]
        self.fields["kind"].choices = [(k, Kind(k).label) for k in campaign.kinds]
        self.fields["county"].choices = [(name, name) for name in counties]
        if len(levels) == 1:
            self.fields["level"].initial = levels[0].code
        if campaign.kinds:
            self.fields["kind"].initial = Kind.REVIEW if Kind.REVIEW in campaign.kinds else campaign.kinds[0]

        # One select per annual evaluation the notice asks for (003: 2021—2023).
        self.evaluation_fields = []
        results = [("", _("未考核或不清楚"))] + [(v, label) for v, label in EvaluationResult.choices]
        for year in sorted(campaign.evaluation_years or []):
            name = f"evaluation_{year}"
            # No answer chosen in advance: a skipped year is reported as missing, not assumed 合格.
            self.fields[name] = forms.ChoiceField(label=_("%(year)d年度考核") % {"year": year}, choices=results,
                                                  required=False)
            self.evaluation_fields.append(name)

        # Continuing education: which years' hours are complete, per category.
        self.ce_years = ce_year_choices(campaign)
        hours = {CECategory.PUBLIC: 30, CECategory.PROFESSIONAL: 60}
        for rule in campaign.ce_rules.all():
            hours = {CECategory.PUBLIC: rule.public_hours, CECategory.PROFESSIONAL: rule.professional_hours}
        self.ce_hours = hours
        year_choices = [(str(y), str(y)) for y in self.ce_years]

        def label(category, with_hours, certificate):
            # 003, 004 set no hours: a year is done when its certificate is in hand.
            h = hours[category]
            return certificate if h is None else with_hours % {"h": h}

        self.fields["ce_public"] = forms.MultipleChoiceField(
            label=label(CECategory.PUBLIC, _("公需科目已完成的年份（每年%(h)d学时）"), _("公需科目已取得合格证书的年份")),
            choices=year_choices, required=False, widget=forms.CheckboxSelectMultiple)
        self.fields["ce_professional"] = forms.MultipleChoiceField(
            label=label(CECategory.PROFESSIONAL, _("专业科目已完成的年份（每年%(h)d学时）"), _("专业科目已取得合格证书的年份")),
            choices=year_choices, required=False, widget=forms.CheckboxSelectMultiple)

    def clean_graduated(self):
        day = self.cleaned_data["graduated"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("毕业时间不能晚于今天。"))
        return day

    def clean(self):
        data = super().clean()
        if data.get("title_level") and not data.get("title_obtained"):
            self.add_error("title_obtained", _("请填写现有专业技术资格的取得时间；没有职称请在上一项选“无”。"))
        if data.get("title_obtained") and not data.get("title_level"):
            self.add_error("title_level", _("填写了取得时间，请同时选择现有专业技术资格的级别。"))
        return data

    def profile(self) -> Profile:
        data = self.cleaned_data
        title = None
        if data.get("title_level"):
            title = CurrentTitle(level=data["title_level"], obtained=data["title_obtained"])
        ce_hours: dict[int, dict[str, int]] = {}
        for field, category in (("ce_public", CECategory.PUBLIC), ("ce_professional", CECategory.PROFESSIONAL)):
            for year in data.get(field) or []:
                ce_hours.setdefault(int(year), {})[category.value] = self.ce_hours[category] or 1
        return Profile(
            unit_nature=data["unit_nature"], county=data["county"],
            grassroots_below_county=data["grassroots_below_county"], special_service=list(data["special_service"]),
            retired=data["retired"], civil_servant=data["civil_servant"], aid_xinjiang=data["aid_xinjiang"],
            education=[EducationEntry(level=data["education_level"], full_time=data["full_time"],
                                      graduated=data["graduated"],
                                      south_xinjiang_graduate=data["south_xinjiang_graduate"])],
            professional_work_start=data.get("professional_work_start"),
            current_title=title,
            annual_evaluations={int(name.split("_")[1]): data[name] for name in self.evaluation_fields if data.get(name)},
            ce_hours=ce_hours, ce_exempt=data["ce_exempt"], banned_until=data.get("banned_until"),
            title_in_xinjiang=data["title_in_xinjiang"], previous_review=data["previous_review"],
        )


def campaign_choices(today: dt.date) -> list[dict]:
    """Open campaigns first, then the most recent: the seeds are past notices, kept for reference."""
    rows = []
    campaigns = (Campaign.objects.select_related("committee")
                 .only("code", "title", "year", "online_start", "online_end", "committee__name", "committee__short_name")
                 .order_by("-year", "code"))
    for c in campaigns:
        is_open = c.online_start <= today <= c.online_end
        # The committee's short name tells notices apart in a phone-wide select; titles do not fit.
        label = _("%(year)d年 · %(committee)s") % {"year": c.year, "committee": c.committee}
        rows.append({"code": c.code, "label": label, "title": c.title, "open": is_open})
    rows.sort(key=lambda r: not r["open"])
    return rows


def selfcheck(request):
    """GET ?campaign=<code> shows the form for that campaign; POST evaluates (and stores nothing)."""
    today = timezone.localdate()
    campaigns = campaign_choices(today)
    if not campaigns:
        raise Http404(_("暂无年度评审工作。"))
    code = request.GET.get("campaign") or campaigns[0]["code"]
    campaign = (Campaign.objects.select_related("committee")
                .prefetch_related(*CAMPAIGN_PREFETCH, "specialties__series", "contacts").filter(code=code).first())
    if campaign is None:
        raise Http404(_("没有这个年度评审工作。"))
    counties = list(County.objects.values_list("name", flat=True))
    verdict = None
    if request.method == "POST":
        form = SelfCheckForm(request.POST, campaign=campaign, counties=counties)
        if form.is_valid():
            data = form.cleaned_data
            verdict = evaluate(campaign, form.specialties[data["specialty"]], form.levels[data["level"]],
                               data["kind"], form.profile(), today=today)
    else:
        form = SelfCheckForm(campaign=campaign, counties=counties)
    return render(request, "selfcheck/page.html", {
        "campaigns": campaigns, "campaign": campaign, "form": form, "verdict": verdict,
        "is_open": campaign.online_start <= today <= campaign.online_end,
    })
