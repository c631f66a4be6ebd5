"""The rule engine: pure functions over a campaign's data and an applicant's profile.

Nothing here reads the request; database access is limited to the campaign's own related rows,
which callers prefetch (``CAMPAIGN_PREFETCH``) when they evaluate many applications.

``evaluate(campaign, specialty, level, kind, profile)`` answers, each conclusion with its reasons
in Chinese and the notice's clause: may this person apply (``eligible``, ``reasons``,
``earliest_year``), which continuing-education years are required and missing, which materials
they must provide, what they pay, and whether they are exempt from the defense and why.

Modules: ``profile`` (what we know about the applicant), ``eligibility`` (groups, bans, diploma
and years, evaluations), ``continuing`` (CE), ``defense``, ``fees``, ``clauses`` (what each
conclusion cites), ``verdict`` (the answer and its JSON form), ``engine`` (``evaluate``).
"""

from .clauses import CLAUSE_KEYS, clause
from .continuing import ContinuingEducation, ce_rule_for, continuing_education
from .defense import defense_exemption, defense_grounds
from .eligibility import Eligibility, eligibility
from .engine import evaluate, materials_for, resolve_level
from .fees import CAMPAIGN_PREFETCH, fee_for
from .profile import Ban, CurrentTitle, EducationEntry, Profile, profile_from_sections
from .verdict import CE_JSON_LABELS, Reason, Verdict

__all__ = [
    "CAMPAIGN_PREFETCH", "CE_JSON_LABELS", "CLAUSE_KEYS", "Ban", "ContinuingEducation", "CurrentTitle",
    "EducationEntry", "Eligibility", "Profile", "Reason", "Verdict", "ce_rule_for", "clause",
    "continuing_education", "defense_exemption", "defense_grounds", "eligibility", "evaluate", "fee_for",
    "materials_for", "profile_from_sections", "resolve_level",
]
