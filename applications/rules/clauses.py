"""The words each conclusion cites.

A campaign stores its notice's own sentences in ``Campaign.clauses`` under the keys below (the
seed fixtures carry them, with the notice's section numbers).  A campaign created in the admin
without them still gets a citation, built from its fields, so no conclusion is left unexplained.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..enums import Education

CLAUSE_KEYS = (
    "scope",  # who may not take part (retirees, civil servants)
    "qualification",  # the series' 评审条件 the notice refers to (years in grade, 初级 review)
    "evaluations",  # deferral for 基本合格 / 不合格
    "private_no_evaluation",  # 004: private enterprises need no annual evaluations
    "south_xinjiang",  # 000: South-Xinjiang graduates 1 year early
    "initial",  # 初定 conditions
    "person_ban",
    "unit_ban",
    "ce_exempt",
    "defense_junior",
    "defense_service",
    "defense_county",
    "defense_grassroots",
    "defense_private",
    "defense_scoring",
    "route_freelance",  # 003: who recommends a freelancer
    "route_competent",  # 003: the competent unit's recommendation
    # Words printed on paper where notices differ (``applications.campaign_texts``).
    "form_title_initial",
    "paper_opinion",
    "publicity_basis",
    "commitment_form",
    "commitment_place",
    "publicity_title",
    "publicity_result_title",
    "publicity_result_words",
)


def education_years_text(years_by_education: dict[str, int]) -> str:
    """{"bachelor": 4, "master": 2} → "硕士2年、本科4年" (highest diploma first)."""
    ordered = sorted(years_by_education.items(), key=lambda kv: -Education.rank(kv[0]))
    return "、".join(f"{Education(k).label}{v}年" for k, v in ordered)


def clause(campaign, key: str) -> str:
    """The notice's words for ``key``, or a sentence built from the campaign's fields."""
    text = (campaign.clauses or {}).get(key)
    if text:
        return text
    fallback = _FALLBACKS.get(key)
    return fallback(campaign) if fallback else ""


def _initial(campaign) -> str:
    years = {k: v for k, v in (campaign.initial_work_years or {}).items()}
    return _("全日制普通院校毕业，从事专业技术工作满规定年限（%(years)s），经考核合格的，可初次确定初级专业技术职务任职资格"
             ) % {"years": education_years_text(years)}


_FALLBACKS = {
    "scope": lambda c: _("离退休人员、公务员及参照公务员法管理的事业单位人员不得参加职称评审"),
    "qualification": lambda c: _("按本系列（专业）职称评审条件规定的任职资格条件"),
    "evaluations": lambda c: _("年度考核每出现1次基本合格，顺延%(b)d年申报；每出现1次不合格，顺延%(u)d年申报")
    % {"b": c.evaluation_basic_delay, "u": c.evaluation_unqualified_delay},
    "private_no_evaluation": lambda c: _("民营企业专业技术人员不需提供年度考核表"),
    "south_xinjiang": lambda c: _("到南疆地区工作的普通高校毕业生，首次申报职称评审可提前%(n)d年（新人社发〔2023〕69号）")
    % {"n": c.south_xinjiang_early_years},
    "initial": _initial,
    "person_ban": lambda c: _("弄虚作假的，从申报年度下一年度起%(n)d年内不得申报专业技术资格") % {"n": c.person_ban_years},
    "unit_ban": lambda c: (_("被处理单位%(n)d年内取消参评资格") % {"n": c.unit_ban_years}) if c.unit_ban_years
    else _("单位弄虚作假被取消参评资格的，期限内不得推荐申报"),
    "ce_exempt": lambda c: _("符合继续教育免试的，需上传继续教育免试审批表"),
    "defense_junior": lambda c: _("申报初级专业技术职务任职资格人员免于答辩"),
    "defense_service": lambda c: _("参加“访惠聚”驻村、驻村管寺、南疆学前教育支教和内地服务管理工作以及担任深度贫困村第一书记等专业技术人员免于答辩"),
    "defense_county": lambda c: _("在%(counties)s工作的专业技术人员免于答辩")
    % {"counties": "、".join(county.name for county in c.exempt_counties.all())},
    "defense_grassroots": lambda c: _("在县级以下基层单位工作的专业技术人员免于答辩"),
    "defense_private": lambda c: _("民营企业和自由职业专业技术人员免于答辩"),
    "defense_scoring": lambda c: _("现场答辩实行量化赋分的，免答辩人员按当年参加该专业现场答辩人员的平均分赋分；不实行量化赋分的，按通过现场答辩对待"),
}
