"""Defense exemption (免于答辩, SPEC §7): every ground that applies, each citing its clause.

Choice where the notices are silent: only a *review* (评审) goes before the committee's
defense; 初次确定 and 授予 are decided on the papers, so they count as exempt with that ground.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..enums import Kind, SpecialService, UnitNature
from .clauses import clause
from .profile import Profile
from .verdict import Reason


def _level_code(level) -> str:
    return getattr(level, "code", level)


def defense_grounds(campaign, level, kind: str, profile: Profile) -> list[Reason]:
    grounds: list[Reason] = []
    if kind != Kind.REVIEW:
        grounds.append(Reason("defense_kind", True, _("%(kind)s不参加评审答辩。") % {"kind": Kind(kind).label}))
    if campaign.exempt_junior and _level_code(level) == "junior":
        grounds.append(Reason("defense_junior", True, _("申报初级专业技术职务任职资格。"), clause(campaign, "defense_junior")))
    if campaign.exempt_special_service and profile.special_service:
        labels = "、".join(str(SpecialService(s).label) for s in profile.special_service)
        grounds.append(Reason("defense_service", True, _("参加%(services)s工作。") % {"services": labels},
                              clause(campaign, "defense_service")))
    if profile.county and profile.county in {c.name for c in campaign.exempt_counties.all()}:
        grounds.append(Reason("defense_county", True, _("在%(county)s工作。") % {"county": profile.county},
                              clause(campaign, "defense_county")))
    if campaign.exempt_grassroots and profile.grassroots_below_county:
        grounds.append(Reason("defense_grassroots", True, _("在县级以下基层单位工作。"), clause(campaign, "defense_grassroots")))
    if campaign.exempt_private_and_freelance and profile.unit_nature in (UnitNature.PRIVATE_ENTERPRISE,
                                                                          UnitNature.FREELANCE):
        grounds.append(Reason("defense_private", True, _("%(nature)s专业技术人员。") % {
            "nature": UnitNature(profile.unit_nature).label}, clause(campaign, "defense_private")))
    if not grounds and campaign.defense_window is None:
        grounds.append(Reason("defense_none", True, _("本通知未安排答辩。")))
    return grounds


def defense_exemption(campaign, level, kind: str, profile: Profile) -> tuple[bool, list[str]]:
    """(exempt?, every ground that applies, each with its clause).  ``level`` is a Level or its code."""
    grounds = defense_grounds(campaign, level, kind, profile)
    return bool(grounds), [str(g) for g in grounds]


def defense_note(campaign, kind: str, exempt: bool) -> str:
    """What exemption or attendance means for this campaign."""
    window = campaign.defense_window
    if not exempt:
        if window is None:
            return _("须参加答辩，时间地点另行通知。")
        return _("须参加现场答辩：%(window)s，%(place)s。") % {"window": window, "place": campaign.defense_place}
    if kind != Kind.REVIEW or window is None:
        return ""
    if campaign.defense_scored:
        return _("本通知现场答辩实行量化赋分，免于答辩的按当年参加该专业现场答辩人员的平均分赋分。")
    return _("按通过现场答辩环节对待。")
