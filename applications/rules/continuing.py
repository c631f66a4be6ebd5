"""Continuing education (继续教育, SPEC §3): which years of 公需 and 专业 hours this applicant must
show, how many hours a year, and which years are still short.

Shortfalls do not make an applicant ineligible: certificates can still be earned before the window
closes, so they are reported beside the verdict (``ce_missing``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..enums import CECategory
from .clauses import clause
from .dates import years_text
from .profile import Profile
from .verdict import Reason

CATEGORIES = (CECategory.PUBLIC.value, CECategory.PROFESSIONAL.value)
SHORT_LABELS = {CECategory.PUBLIC.value: gettext_lazy("公需科目"), CECategory.PROFESSIONAL.value: gettext_lazy("专业科目")}
DEFAULT_HOURS = {CECategory.PUBLIC.value: 30, CECategory.PROFESSIONAL.value: 60}


@dataclass
class ContinuingEducation:
    required: dict[str, list[int]]
    missing: dict[str, list[int]]
    hours_per_year: dict[str, int | None]  # None: the year's certificate, whatever its hours
    reasons: list[Reason]


def ce_rule_for(campaign, level, kind: str, unit_nature: str):
    """The campaign's rule for this level; one limited to the applicant's unit nature (004 民营企业
    中级) or kind beats the general one."""
    matches = [
        r for r in campaign.ce_rules.all()
        if r.level_id == level.pk and (not r.kinds or kind in r.kinds)
        and (not r.unit_natures or unit_nature in r.unit_natures)
    ]
    matches.sort(key=lambda r: (not r.unit_natures, not r.kinds))
    return matches[0] if matches else None


def _year_done(profile: Profile, year: int, category: str, hours: int | None) -> bool:
    """With hours a year (000 30/60), the year's rows must add up to them; without (003, 004: the
    year's 合格证书), a certificate row of that year and category is enough."""
    if hours is None:
        return category in (profile.ce_hours.get(year) or {})
    return profile.ce_hours_for(year, category) >= hours


def _label(category: str) -> str:
    return str(SHORT_LABELS[category])


def continuing_education(campaign, level, kind: str, profile: Profile, *,
                         eligibility_years: int | None = None) -> ContinuingEducation:
    """``eligibility_years``: for a rule that follows the eligibility period (002 初定), the years
    of professional work the applicant's diploma requires; the last that many years up to the
    campaign year are asked for."""
    rule = ce_rule_for(campaign, level, kind, profile.unit_nature)
    empty = {c: [] for c in CATEGORIES}
    if rule is None:
        reason = Reason("ce", None, _("本通知未规定%(level)s的继续教育年限。") % {"level": level.name})
        return ContinuingEducation(empty, dict(empty), dict(DEFAULT_HOURS), [reason])
    hours = {CECategory.PUBLIC.value: rule.public_hours, CECategory.PROFESSIONAL.value: rule.professional_hours}
    if rule.years_from_eligibility:
        if eligibility_years is None:
            reason = Reason("ce", None, _("继续教育年限按初定条件规定的年限计算，需先符合学历和工作年限条件。"), rule.clause)
            return ContinuingEducation(empty, dict(empty), hours, [reason])
        span = list(range(campaign.year - max(eligibility_years, 1) + 1, campaign.year + 1))
        required = {c: list(span) for c in CATEGORIES}
    else:
        required = {CECategory.PUBLIC.value: sorted(rule.public_years or []),
                    CECategory.PROFESSIONAL.value: sorted(rule.professional_years or [])}

    asked = [_("%(cat)s%(years)s（每年%(hours)d学时）") % {"cat": _label(c), "years": years_text(required[c]),
                                                     "hours": hours[c]}
             if hours[c] is not None else _("%(cat)s%(years)s") % {"cat": _label(c), "years": years_text(required[c])}
             for c in CATEGORIES if required[c]]
    need = _("需提供%(items)s继续教育合格证书。") % {"items": "、".join(asked)} if asked else _("本级别不要求继续教育证书。")
    if profile.ce_exempt:
        reasons = [Reason("ce", True, need, rule.clause),
                   Reason("ce_exempt", True, _("已申请免除继续教育：以《继续教育免试审批表》代替上述合格证书。"),
                          clause(campaign, "ce_exempt"))]
        if not profile.special_service:
            reasons.append(Reason("ce_exempt", None, _(
                "免除继续教育适用于参加“访惠聚”驻村等工作的专业技术人员，须经规定部门审核盖章，请确认符合条件。"),
                clause(campaign, "ce_exempt")))
        return ContinuingEducation(required, dict(empty), hours, reasons)

    missing = {c: [y for y in required[c] if not _year_done(profile, y, c, hours[c])] for c in CATEGORIES}
    if any(missing.values()):
        short = [_("%(cat)s%(years)s") % {"cat": _label(c), "years": years_text(missing[c])}
                 for c in CATEGORIES if missing[c]]
        tail = _("尚缺：%(items)s，可在申报截止前补齐；也可按规定申请免除继续教育。") % {"items": "；".join(short)}
        return ContinuingEducation(required, missing, hours, [Reason("ce", None, need + tail, rule.clause)])
    done = _("已全部完成。") if asked else ""
    return ContinuingEducation(required, missing, hours, [Reason("ce", True, need + done, rule.clause)])
