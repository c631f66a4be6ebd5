"""Pre-filled templates from the notices' attachments, as PDF.

The notices ship these as blank models (附件) that units and applicants retype by hand; the portal
fills in what it already knows (name, series, specialty, level, unit, dates) and leaves blank
lines exactly where the notice wants a handwritten signature, a seal or a date ("签名和日期必须手写，
不得打印").  Public notices print the ID number with the birth date masked.

Keys are a contract with the review pages: ``{% url 'documents:prefilled' app.pk key %}``.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .engine import SANS_STACK, SERIF_STACK, RenderedPDF, engine
from .facts import chinese_date
from .review_form import photo_for_print


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    title: Promise
    source: Promise  # which notice attachment it reproduces
    filled_by: Promise  # who prints, completes and signs it
    uses_photo: bool = False


TEMPLATES = {spec.key: spec for spec in (
    TemplateSpec("publicity", _("推荐单位公示"), _("通知000/001/003 附件1"), _("推荐单位在本单位公示")),
    TemplateSpec("publicity_result", _("推荐单位公示结果"), _("通知000/001/003 附件2"), _("推荐单位出具")),
    TemplateSpec("recommendation", _("单位／主管单位推荐意见"), _("通知002 附件3、003 附件3"),
                 _("推荐单位或主管单位出具")),
    TemplateSpec("commitment", _("个人承诺书"), _("通知000 附件3、002 附件4"), _("申报人签字按手印")),
    TemplateSpec("ce_exemption", _("继续教育免试申请表"), _("通知000/001 附件4、003 附件4"),
                 _("“访惠聚”驻村等人员填写，由审核部门盖章")),
    TemplateSpec("authenticity_pledge", _("申报材料真实性保证书"), _("通知003 附件5"), _("申报人手写签名和日期")),
    TemplateSpec("review_responsibility", _("职称材料审核责任书"), _("通知003 附件6"),
                 _("推荐单位人事（职称）部门盖章签名")),
    TemplateSpec("freelance_political", _("自由职业专业技术人员思想政治情况表"), _("通知003 附件7"),
                 _("自由职业者填写，派出所出具意见"), uses_photo=True),
    # 003 五（六）"用纸质档案袋封装，并附目录清单": the campaign's paper items, numbered.
    TemplateSpec("paper_list", _("纸质材料目录清单"), _("通知003 五（六）"), _("申报人核对份数，随纸质材料装入档案袋报送")),
)}


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def prefilled_context(key: str, facts: dict, *, generated_on: dt.date) -> dict:
    start, end = _day(facts.get("publicity_start")), _day(facts.get("publicity_end"))
    period = bool(start and end and start <= end)
    return {
        "f": facts,
        "spec": TEMPLATES[key],
        "publicity_start": chinese_date(start),
        "publicity_end": chinese_date(end),
        # 附件2 of the notices: "在本单位公示××天" — the calendar days of the period printed beside it.
        "publicity_days": (end - start).days + 1 if period else None,
        "generated_on": chinese_date(generated_on),
        "recommender": facts["competent_unit"] or facts["unit"],
    }


def prefilled_html(key: str, facts: dict, *, generated_on: dt.date, photo: bytes | None = None) -> str:
    spec = TEMPLATES[key]
    context = prefilled_context(key, facts, generated_on=generated_on)
    jpeg = photo_for_print(photo) if spec.uses_photo else None
    context.update({
        "serif": mark_safe(SERIF_STACK), "sans": mark_safe(SANS_STACK),  # constant font stacks for <style>
        "photo_data_uri": ("data:image/jpeg;base64," + base64.b64encode(jpeg).decode()) if jpeg else "",
    })
    return render_to_string(f"documents/pdf/prefilled/{key}.html", context)


def render_prefilled(key: str, facts: dict, *, generated_on: dt.date, photo: bytes | None = None) -> RenderedPDF:
    return engine().render(prefilled_html(key, facts, generated_on=generated_on, photo=photo))
