"""Words a campaign prints on paper where the notices differ from one another.

Each text is the notice's own, kept in ``Campaign.clauses`` under the key below (so
``tests/applications/test_rules_clauses.py`` checks it against the notice word for word); a
campaign without the key prints the wording most notices use.  Issue 15 phase 1 keeps them in
``Campaign.clauses`` to avoid a model change during the restructure; docs/clauses-phase2.md says
which of them become fields.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .enums import Kind

# Key → what it is.  Listed in ``applications.rules.clauses.CLAUSE_KEYS`` too.
TEXT_KEYS = {
    "form_title_initial": "the title of the form an initial determination prints (003 八（三）)",
    "paper_opinion": "what the unit and competent unit write by hand on the printed form (003 五（五）)",
    "publicity_basis": "the opening words of the unit publicity, 附件1",
    "commitment_form": "the 个人承诺书 template text, 附件3 of 000/001",
    "publicity_title": "the heading of 附件1 (000/001 推荐单位公示; absent: 003's 关于×××同志申报…职称的公示)",
    "publicity_result_title": "the heading of 附件2 (000/001 推荐单位公示结果)",
    "commitment_place": "where the handwritten commitment goes: 003 五（五） at the end of the summary box",
    "publicity_result_words": "附件2's sentence after 公示××天 (000/001 公示无异议，未收到投诉、举报，…)",
}

def _text(campaign, key: str) -> str:
    return ((campaign.clauses or {}).get(key) or "").strip()


def review_form_title(campaign, kind: str) -> str:
    """《专业技术职务任职资格评审表》 for everyone, unless the notice names another form for 初定:
    only 003 八（三） does (《初聘专业技术职务任职资格呈报表》); 002 五（三）1 prints the 评审表."""
    if kind == Kind.INITIAL and _text(campaign, "form_title_initial"):
        return _text(campaign, "form_title_initial")
    return _("专业技术职务任职资格评审表")


def paper_opinion_text(campaign) -> str:
    """The opinion handwritten on the printed form.  003 asks for a different sentence on paper
    (五（五）) than online (五（二）); elsewhere the two are the same."""
    return _text(campaign, "paper_opinion") or campaign.unit_opinion_text


def publicity_basis(campaign) -> str:
    """附件1 starts 「根据自治区职称评审工作的要求」 (000/001) or 「根据自治州职称评审的工作要求」 (003)."""
    return _text(campaign, "publicity_basis") or _("根据自治区职称评审工作的要求")


def commitment_form_text(campaign) -> str:
    """The printed 个人承诺书 (附件3 in 000/001 words it slightly differently from the sentence the
    applicant writes by hand online, 五（一）14); other campaigns print the handwritten sentence."""
    return _text(campaign, "commitment_form") or campaign.commitment_text


def _without_section(text: str) -> str:
    """``附件1：推荐单位公示`` → ``推荐单位公示`` (the fixture keeps the section for the citation check)."""
    head, sep, tail = text.partition("：")
    return tail if sep and head.startswith("附件") else text


def publicity_title(campaign) -> str:
    """附件1's heading: 「推荐单位公示」 (000/001), or "" for 003's 「关于×××同志申报…职称的公示」."""
    return _without_section(_text(campaign, "publicity_title"))


def publicity_result_title(campaign) -> str:
    """附件2's heading: 「推荐单位公示结果」 (000/001), or "" for 003's 「关于…职称的公示结果」."""
    return _without_section(_text(campaign, "publicity_result_title"))


def publicity_result_words(campaign) -> str:
    """附件2 after 「在本单位公示××天」: 000/001 「公示无异议，未收到投诉、举报，申报材料真实、完整、有效」,
    003 (the default) 「公示期间无投诉、举报，公示无异议，申报材料真实、完整、有效」."""
    return (_without_section(_text(campaign, "publicity_result_words"))
            or _("公示期间无投诉、举报，公示无异议，申报材料真实、完整、有效"))


def commitment_in_summary(campaign) -> bool:
    """003 五（五）: the applicant writes the commitment "在…（或个人总结）栏的最后", not in a box of its
    own; the review form then prints the handwriting box at the end of section 十一."""
    return bool(_text(campaign, "commitment_place"))
