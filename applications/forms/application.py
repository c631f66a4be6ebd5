"""The choice that starts an application: campaign × specialty × level × kind, and the unit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import Kind
from ..models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    """Units grouped by county (``<optgroup>``), each labelled with its county and nature.  The
    page adds a type-to-filter box (``static/js/unit_filter.js``): a prefecture has hundreds."""

    def label_from_instance(self, unit):
        return f"{unit.name}（{unit.county.name}·{unit.get_nature_display()}）"

    def grouped_choices(self) -> list:
        groups: dict[str, list] = {}
        for unit in self.queryset:
            groups.setdefault(unit.county.name, []).append((unit.pk, self.label_from_instance(unit)))
        return [("", self.empty_label), *groups.items()]


class NewApplicationForm(forms.Form):
    specialty = forms.ModelChoiceField(label=_("申报专业"), queryset=None, empty_label="——请选择——",
                                       error_messages={"required": _("请选择申报专业。")})
    level = forms.ModelChoiceField(label=_("申报级别"), queryset=None, empty_label="——请选择——",
                                   error_messages={"required": _("请选择申报级别。")})
    kind = forms.ChoiceField(label=_("申报类型"), widget=forms.RadioSelect,
                             error_messages={"required": _("请选择申报类型。")})
    unit = UnitChoiceField(label=_("工作单位（推荐单位）"), queryset=None, empty_label="——请选择——",
                           help_text=_("自由职业者请选择所在县（市）人社局或人事代理机构。列表中没有您的单位时，请联系单位人事部门。"),
                           error_messages={"required": _("请选择工作单位。")})

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["specialty"].queryset = campaign.specialties.select_related("series")
        self.fields["level"].queryset = campaign.levels.all()
        self.fields["kind"].choices = [(k, Kind(k).label) for k in campaign.kinds or [Kind.REVIEW]]
        if len(self.fields["kind"].choices) == 1:
            self.fields["kind"].initial = self.fields["kind"].choices[0][0]
        unit = self.fields["unit"]
        unit.queryset = Unit.objects.select_related("county").order_by("county__order", "name")
        unit.choices = unit.grouped_choices()
        unit.widget.attrs["data-filter"] = _("输入关键字筛选，如“设计院”")
