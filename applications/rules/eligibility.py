"""Person-level conditions (SPEC §3, §9): who may not apply, bans, diploma and years, evaluations.

Each check returns its reasons and the first campaign year (this campaign's year or later) in
which it passes, or None when it never will by these rules; ``earliest_year`` is the latest of
them.  Projection into later years keeps everything the profile states (evaluations, bans,
diplomas) and moves only the day years are counted to (31 December of each year) and, for a ban
given as a day, the opening day of the campaign's window.

Choices where the notices are silent (also in the README):

* Years are counted to ``campaign.grade_deadline`` (31 December of the campaign year unless the
  campaign says otherwise) for years in grade *and* for the professional-work years of 初定.
* 初定 counts professional work from the later of the work start and the graduation day of the
  diploma it rests on; a diploma above those the notice lists (硕士, 博士) counts as the highest
  it lists.  Only full-time diplomas qualify (002: 全日制普通大、中专院校毕业生).
* Deferral (基本合格 +1 year, 不合格 +2) is counted over ``campaign.evaluation_years`` for review
  and award, and over the years of professional work up to the campaign year for 初定; a
  missing result is reported for the applicant to supply, not counted as a failure.
* "首次申报职称评审" (000, South-Xinjiang graduates 1 year early): a *review* application by a
  full-time graduate of a regular university (大专 and above) flagged as working in South
  Xinjiang who has never obtained a title through review before (``Profile.previous_review``);
  a title obtained by 初定 does not count as a review.
* 初级 review, 授予 and 初定 中级 follow the series' 评审条件, which no seed notice restates:
  the portal checks them only when the campaign's data holds them
  (``junior_review_work_years``) and otherwise says the committee decides.
* A ban given as a year bars every campaign of that year or earlier; a ban given as a day bars a
  campaign when it lasts to the first day left to submit: the window's opening day, or, when
  ``today`` is given, today while the window runs (its last day once it has closed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..enums import Education, EvaluationResult, Kind, UnitNature
from .clauses import clause, education_years_text
from .dates import day_text, first_year, full_years, grade_deadline, same_day_in, years_text
from .profile import Ban, EducationEntry, Profile
from .verdict import Reason

JUNIOR, INTERMEDIATE = "junior", "intermediate"


@dataclass
class Check:
    reasons: list[Reason]
    earliest: int | None


@dataclass
class Eligibility:
    eligible: bool
    reasons: list[Reason]
    earliest_year: int | None
    # 初定: the years of professional work the diploma requires (CE years follow it in 002).
    required_work_years: int | None = None
    checks: list[Check] = field(default_factory=list)


def combine_earliest(checks: list[Check]) -> int | None:
    years = [c.earliest for c in checks]
    if any(y is None for y in years):
        return None
    return max(years)


# -- who may not apply at all ---------------------------------------------------------------------

def check_scope(campaign, specialty, level, kind: str) -> Check:
    """The notice covers this specialty, level and kind."""
    problems = []
    if specialty is not None and specialty.pk not in {s.pk for s in campaign.specialties.all()}:
        problems.append(_("本通知不受理“%(name)s”专业") % {"name": specialty.name})
    if level.pk not in {lv.pk for lv in campaign.levels.all()}:
        problems.append(_("本通知不受理%(level)s") % {"level": level.name})
    if kind not in (campaign.kinds or []):
        problems.append(_("本通知不受理%(kind)s") % {"kind": Kind(kind).label})
    if not problems:
        return Check([], campaign.year)
    return Check([Reason("campaign_scope", False, "；".join(problems) + "。", f"《{campaign.title}》")], None)


def check_unit_nature(campaign, kind: str, profile: Profile) -> Check:
    """Unit natures a kind is open to (``Campaign.unit_natures_by_kind``; absent kind: every nature).
    002 二 "企事业单位工作的全日制普通大、中专院校毕业生": 初定 is not for 机关 staff or freelancers."""
    allowed = (campaign.unit_natures_by_kind or {}).get(kind)
    if not allowed or profile.unit_nature in allowed:
        return Check([], campaign.year)
    text = _("本通知%(kind)s限%(allowed)s的专业技术人员，单位性质为“%(nature)s”的不能申报。") % {
        "kind": Kind(kind).label, "allowed": "、".join(str(UnitNature(n).label) for n in allowed),
        "nature": UnitNature(profile.unit_nature).label}
    return Check([Reason("unit_nature", False, text, clause(campaign, "scope"))], None)


def check_exam_only(campaign, specialty, kind: str) -> Check:
    """"可初次确定初级专业技术职务任职资格（国家以考代评的专业除外）" (002 二): a specialty the
    administrator marked 以考代评 (``Specialty.exam_only``) is not determined."""
    if specialty is None or not getattr(specialty, "exam_only", False) or kind != Kind.INITIAL:
        return Check([], campaign.year)
    text = _("“%(name)s”为国家以考代评的专业，不能初次确定职称，请参加专业技术资格考试。") % {"name": specialty.name}
    return Check([Reason("exam_only", False, text, clause(campaign, "initial"))], None)


def check_groups(campaign, profile: Profile) -> Check:
    cited = clause(campaign, "scope")
    reasons = []
    if profile.retired:
        reasons.append(Reason("retired", False, _("离退休人员不得参加职称评审。"), cited))
    if profile.civil_servant:
        reasons.append(Reason("civil_servant", False, _("公务员及参照公务员法管理的事业单位人员不得参加职称评审。"), cited))
    if reasons:
        return Check(reasons, None)
    return Check([Reason("groups", True, _("不属于离退休人员、公务员或参照公务员法管理的事业单位人员。"), cited)],
                 campaign.year)


def _ban_blocks(ban: Ban, campaign, kind: str, year: int, today: dt.date | None) -> bool:
    if ban is None:
        return False
    if isinstance(ban, dt.date):
        window, shift = campaign.submission_window(kind), year - campaign.year
        opens = same_day_in(window.start, window.start.year + shift)
        closes = same_day_in(window.end, window.end.year + shift)
        # The first day left to submit: the opening day, or today while the window runs; a past
        # window is judged at its last day.
        reference = min(max(today, opens), closes) if (today is not None and shift == 0) else opens
        return ban >= reference
    return year <= int(ban)


def _ban_until_text(ban: Ban) -> str:
    return day_text(ban) if isinstance(ban, dt.date) else _("%(year)d年") % {"year": int(ban)}


def check_ban(campaign, kind: str, ban: Ban, *, unit: bool, today: dt.date | None) -> Check:
    """Integrity records (§9): a banned person, or a person of a banned unit, may not apply."""
    if ban is None:
        return Check([], campaign.year)
    rule = "unit_ban" if unit else "person_ban"
    earliest = first_year(campaign, lambda year: not _ban_blocks(ban, campaign, kind, year, today))
    params = {"until": _ban_until_text(ban), "year": campaign.year, "earliest": earliest}
    if earliest == campaign.year:
        text = (_("所在单位被取消参评资格至%(until)s，期限已满，本年度可以推荐申报。") if unit
                else _("本人限制申报期至%(until)s，期限已满，本年度可以申报。"))
        return Check([Reason(rule, True, text % params, clause(campaign, rule))], earliest)
    text = (_("所在单位因弄虚作假被取消参评资格至%(until)s，%(year)d年度不得从该单位申报；最早可于%(earliest)d年申报。")
            if unit else _("本人因弄虚作假被限制申报至%(until)s，%(year)d年度不得申报；最早可于%(earliest)d年申报。"))
    return Check([Reason(rule, False, text % params, clause(campaign, rule))], earliest)


def check_title_level(campaign, level, profile: Profile) -> Check:
    """Nobody applies for a level they already hold (or exceed)."""
    title = profile.current_title
    if title is None:
        return Check([], campaign.year)
    ranks = {lv.code: lv for lv in campaign.levels.all()}
    held = ranks.get(title.level)
    if held is not None and held.rank >= level.rank:
        text = _("已于%(day)s取得%(held)s专业技术资格，不能再申报%(level)s。") % {
            "day": day_text(title.obtained), "held": held.name, "level": level.name}
        return Check([Reason("title_level", False, text, f"《{campaign.title}》")], None)
    return Check([], campaign.year)


# -- annual evaluations ---------------------------------------------------------------------------

def evaluation_deferral(campaign, kind: str, profile: Profile) -> tuple[int, list[Reason]]:
    """Years the annual evaluations add to the waiting time, and the reasons."""
    if profile.unit_nature == UnitNature.PRIVATE_ENTERPRISE and campaign.private_enterprise_no_evaluation:
        return 0, [Reason("evaluations", True, _("民营企业专业技术人员不需提供年度考核，不计顺延。"),
                          clause(campaign, "private_no_evaluation"))]
    if kind == Kind.INITIAL:
        start = profile.professional_work_start
        years = list(range(start.year, campaign.year + 1)) if start else []
        # 002 五（一）5 "初定条件规定年限内年度考核表": the years the diploma requires, before the
        # campaign year; the first work year is left out (new staff are often not rated in it).
        needs = [n for e in profile.education if e.full_time
                 if (n := _requirement_for(e, campaign.initial_work_years or {})) is not None]
        span = min(needs) if needs else 0
        required = [y for y in range(campaign.year - span, campaign.year) if start and y > start.year]
    else:
        years = required = sorted(campaign.evaluation_years or [])
    if not years:
        return 0, []
    results = {y: profile.annual_evaluations.get(y) for y in years}
    basic = [y for y, r in results.items() if r == EvaluationResult.BASIC]
    failed = [y for y, r in results.items() if r == EvaluationResult.UNQUALIFIED]
    missing = [y for y in required if results.get(y) is None]
    delay = len(basic) * campaign.evaluation_basic_delay + len(failed) * campaign.evaluation_unqualified_delay
    cited = clause(campaign, "evaluations")
    reasons = []
    if delay:
        parts = []
        if basic:
            parts.append(_("%(years)s基本合格%(n)d次") % {"years": years_text(basic), "n": len(basic)})
        if failed:
            parts.append(_("%(years)s不合格%(n)d次") % {"years": years_text(failed), "n": len(failed)})
        reasons.append(Reason("evaluations", None, _("年度考核%(parts)s，按通知顺延%(delay)d年申报。") % {
            "parts": "、".join(parts), "delay": delay}, cited))
    elif required and not missing:
        reasons.append(Reason("evaluations", True, _("%(years)s的年度考核均为合格及以上，不需顺延。") % {
            "years": years_text(required)}, cited))
    if missing:
        reasons.append(Reason("evaluations_missing", None, _(
            "未填写%(years)s的年度考核结果：申报时须上传这些年度的年度考核表，本次预审按合格计算。") % {
            "years": years_text(missing)}, cited))
    return delay, reasons


# -- South Xinjiang -------------------------------------------------------------------------------

def south_xinjiang_early(campaign, kind: str, profile: Profile, specialty=None) -> tuple[int, list[Reason]]:
    flagged = [e for e in profile.education if e.south_xinjiang_graduate]
    if not flagged:
        return 0, []
    years = campaign.south_xinjiang_early_years
    cited = clause(campaign, "south_xinjiang") if years else ""
    if not years:
        return 0, [Reason("south_xinjiang", None, _("本通知未规定南疆普通高校毕业生提前申报，按一般年限计算。"), cited)]
    if specialty is not None and getattr(specialty, "exam_only", False):
        # 000 五（一）12 "首次申报职称评审（以考代评的专业除外）可提前1年".
        return 0, [Reason("south_xinjiang", None, _("以考代评的专业不适用提前申报，按一般年限计算。"), cited)]
    if kind != Kind.REVIEW:
        return 0, [Reason("south_xinjiang", None, _("南疆普通高校毕业生提前申报只适用于职称评审，不适用于%(kind)s。")
                          % {"kind": Kind(kind).label}, cited)]
    college = Education.rank(Education.JUNIOR_COLLEGE)
    if not any(e.full_time and e.rank >= college for e in flagged):
        return 0, [Reason("south_xinjiang", None, _("提前申报限普通高校（全日制大专及以上）毕业生。"), cited)]
    if profile.previous_review:
        return 0, [Reason("south_xinjiang", None, _("此前已通过评审取得职称，本次不是首次申报职称评审，不适用提前申报。"), cited)]
    return years, [Reason("south_xinjiang", True, _("到南疆地区工作的普通高校毕业生首次申报职称评审，可提前%(n)d年，已计入。")
                          % {"n": years}, cited)]


# -- years in grade and years of work ---------------------------------------------------------------

def _extras_text(delay: int, early: int, required: int) -> str:
    parts = []
    if delay:
        parts.append(_("年度考核顺延%(n)d年") % {"n": delay})
    if early:
        parts.append(_("南疆普通高校毕业生提前%(n)d年") % {"n": early})
    if not parts:
        return ""
    return _("，%(parts)s，共需%(required)d年") % {"parts": "、".join(parts), "required": required}


def _outcome_text(ok: bool, have: int, required: int, earliest: int | None) -> str:
    if ok:
        return _("，符合。")
    if earliest is None:
        return _("，不符合。")
    return _("，尚差%(short)d年，最早可于%(earliest)d年申报。") % {"short": required - max(have, 0), "earliest": earliest}


def check_years_in_grade(campaign, kind: str, profile: Profile, delay: int, specialty=None) -> Check:
    """Promotion to 中级: years in the current 初级 title by the highest diploma (SPEC §3)."""
    table = campaign.years_in_grade or {}
    cited = _("%(q)s；晋升中级任现职年限：%(years)s（计算至当年%(m)d月%(d)d日）") % {
        "q": clause(campaign, "qualification").rstrip("。"), "years": education_years_text(table),
        "m": campaign.grade_deadline.month, "d": campaign.grade_deadline.day}
    title = profile.current_title
    if title is None or title.level != JUNIOR:
        return Check([Reason("years_in_grade", False, _("申报中级评审须已取得初级专业技术资格。"), cited)], None)
    education = profile.highest_education()
    if education is None:
        return Check([Reason("years_in_grade", False, _("未填写学历，无法判断任职年限条件。"), cited)], None)
    if education.level not in table:
        text = _("%(edu)s学历晋升中级的任职年限不在本通知所列条件之内（%(years)s），请向评审委员会咨询。") % {
            "edu": Education(education.level).label, "years": education_years_text(table)}
        return Check([Reason("years_in_grade", False, text, cited)], None)
    early, early_reasons = south_xinjiang_early(campaign, kind, profile, specialty)
    base = int(table[education.level])
    required = max(0, base + delay - early)
    deadline = grade_deadline(campaign, campaign.year)
    have = full_years(title.obtained, deadline)
    earliest = first_year(campaign, lambda y: full_years(title.obtained, grade_deadline(campaign, y)) >= required)
    ok = have >= required
    text = _("现任初级职称取得于%(obtained)s，计算至%(deadline)s任现职满%(have)d年；%(edu)s学历晋升中级需任现职%(base)d年") % {
        "obtained": day_text(title.obtained), "deadline": day_text(deadline), "have": max(have, 0),
        "edu": Education(education.level).label, "base": base}
    text += _extras_text(delay, early, required) + _outcome_text(ok, have, required, earliest)
    return Check([*early_reasons, Reason("years_in_grade", ok, text, cited)], earliest)


def _requirement_for(entry: EducationEntry, table: dict[str, int]) -> int | None:
    """The years a diploma needs; a diploma above every one listed counts as the highest listed."""
    if entry.level in table:
        return int(table[entry.level])
    lower = [int(v) for k, v in table.items() if Education.rank(k) <= entry.rank]
    return min(lower) if lower else None


def check_work_years(campaign, kind: str, profile: Profile, table: dict[str, int], delay: int, *,
                     rule: str, full_time_only: bool, cited: str, early: int = 0,
                     early_reasons: list[Reason] | None = None) -> tuple[Check, int | None]:
    """Years of professional work after a diploma (初定; 初级 review when the campaign lists them).

    Returns the check and the base years of the diploma it rests on (CE years follow it in 002).
    """
    rows = [e for e in profile.education if e.full_time or not full_time_only]
    candidates = [(e, _requirement_for(e, table)) for e in rows]
    candidates = [(e, n) for e, n in candidates if n is not None]
    if not candidates:
        if full_time_only and profile.education and not rows:
            text = _("初次确定限全日制普通院校毕业生，所填学历均非全日制。")
        else:
            text = _("所填学历不在规定条件之内（%(years)s）。") % {"years": education_years_text(table)}
        return Check([Reason(rule, False, text, cited)], None), None
    start = profile.professional_work_start
    if start is None:
        return Check([Reason(rule, False, _("未填写从事专业技术工作的起始时间，无法计算工作年限。"), cited)], None), None

    best = None
    for entry, base in candidates:
        counted_from = max(start, entry.graduated or start)
        required = max(0, base + delay - early)
        earliest = first_year(campaign, lambda y, f=counted_from, r=required: full_years(f, grade_deadline(campaign, y)) >= r)
        key = (earliest is None, earliest or 0, -entry.rank)
        if best is None or key < best[0]:
            best = (key, entry, base, counted_from, required, earliest)
    _key, entry, base, counted_from, required, earliest = best
    deadline = grade_deadline(campaign, campaign.year)
    have = full_years(counted_from, deadline)
    ok = have >= required
    graduated = _("（%(day)s毕业）") % {"day": day_text(entry.graduated)} if entry.graduated else ""
    text = _("%(mode)s%(edu)s毕业%(graduated)s，自%(start)s起计算专业技术工作，至%(deadline)s满%(have)d年；需满%(base)d年") % {
        "mode": _("全日制") if entry.full_time else _("非全日制"), "edu": Education(entry.level).label,
        "graduated": graduated, "start": day_text(counted_from), "deadline": day_text(deadline),
        "have": max(have, 0), "base": base}
    text += _extras_text(delay, early, required) + _outcome_text(ok, have, required, earliest)
    return Check([*(early_reasons or []), Reason(rule, ok, text, cited)], earliest), base


def check_level_conditions(campaign, level, kind: str, profile: Profile, delay: int,
                           specialty=None) -> tuple[Check, int | None]:
    """Diploma and years for the level and kind applied for."""
    qualification = clause(campaign, "qualification")
    if kind == Kind.INITIAL and level.code == JUNIOR:
        return check_work_years(campaign, kind, profile, campaign.initial_work_years or {}, delay,
                                rule="initial", full_time_only=True, cited=clause(campaign, "initial"))
    if kind == Kind.REVIEW and level.code == INTERMEDIATE:
        return check_years_in_grade(campaign, kind, profile, delay, specialty), None
    if kind == Kind.REVIEW and level.code == JUNIOR and campaign.junior_review_work_years:
        early, early_reasons = south_xinjiang_early(campaign, kind, profile, specialty)
        return check_work_years(campaign, kind, profile, campaign.junior_review_work_years, delay,
                                rule="junior_review", full_time_only=False, cited=qualification,
                                early=early, early_reasons=early_reasons)
    texts = {
        (Kind.REVIEW, JUNIOR): _("初级评审的学历和专业技术工作年限按评审条件执行，本通知未列明，由推荐单位和评审委员会审核。"),
        (Kind.INITIAL, INTERMEDIATE): _("初次确定中级的学历和年限条件按评审条件执行，本通知未列明，由评审委员会审核。"),
        (Kind.AWARD, INTERMEDIATE): _("授予中级的条件（如通过专业技术资格考试）按有关规定由评审委员会审核。"),
        (Kind.AWARD, JUNIOR): _("授予初级的条件（如通过专业技术资格考试）按有关规定由评审委员会审核。"),
    }
    text = texts.get((kind, level.code)) or _("平台未录入%(level)s%(kind)s的学历和年限条件，由评审委员会按评审条件审核。") % {
        "level": level.name, "kind": Kind(kind).label}
    return Check([Reason("series_conditions", None, text, qualification)], campaign.year), None


# -- all together ---------------------------------------------------------------------------------

def eligibility(campaign, specialty, level, kind: str, profile: Profile, *, today: dt.date | None = None) -> Eligibility:
    checks = [
        check_scope(campaign, specialty, level, kind),
        check_groups(campaign, profile),
        check_unit_nature(campaign, kind, profile),
        check_exam_only(campaign, specialty, kind),
        check_ban(campaign, kind, profile.banned_until, unit=False, today=today),
        check_ban(campaign, kind, profile.unit_banned_until, unit=True, today=today),
        check_title_level(campaign, level, profile),
    ]
    work_years = None
    # Someone who already holds the level gets that one answer, not a list of years beside it.
    if checks[-1].earliest is not None:
        delay, evaluation_reasons = evaluation_deferral(campaign, kind, profile)
        checks.append(Check(evaluation_reasons, campaign.year))
        level_check, work_years = check_level_conditions(campaign, level, kind, profile, delay, specialty)
        checks.append(level_check)
    reasons = [r for c in checks for r in c.reasons]
    return Eligibility(
        eligible=not any(r.ok is False for r in reasons), reasons=reasons,
        earliest_year=combine_earliest(checks), required_work_years=work_years, checks=checks,
    )
