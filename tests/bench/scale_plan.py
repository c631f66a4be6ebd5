"""The plan of the scale benchmark's data: who applies where, how far each application got, the
history the one door would have written for it, and which scans it carries.  Pure: no database.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import lru_cache

SEED = 2026

# The campaign at its busiest moment: drafts and every review step still open, while the clerk works
# on what was accepted early (shares of all applications).
STATE_SHARES = [
    ("draft", 0.12), ("unit_review", 0.12), ("county_review", 0.08), ("committee_review", 0.08),
    ("returned", 0.04), ("abandoned", 0.01), ("closed", 0.01),
    ("accepted", 0.10), ("paper_received", 0.06), ("fee_paid", 0.08), ("defense_scheduled", 0.08),
    ("defense_exempt", 0.06), ("decided", 0.08), ("certified", 0.08),
]
AFTER_ACCEPTANCE = ("accepted", "paper_received", "fee_paid", "defense_scheduled", "defense_exempt", "decided",
                    "certified")
REVIEW_STATES = ("unit_review", "county_review", "committee_review")
ROLE_OF_STEP = {"unit_review": "unit_officer", "county_review": "county_officer",
                "committee_review": "committee_clerk"}
NEXT_STEP = {"unit_review": "county_review", "county_review": "committee_review", "committee_review": "accepted"}
RUSH_APPLICANTS = 20  # drafts without scans, for the upload rush of the concurrent mode

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["建华", "明", "丽娜", "海燕", "志强", "晓东", "静", "玉兰", "国庆", "新民", "雪梅", "文博", "子涵", "俊杰",
         "婷婷", "伟", "磊", "秀英", "红霞", "军", "刚", "芳", "慧敏", "振宇"]
UYGHUR = ["古丽娜尔·艾买提", "买买提·吐尔逊", "阿依古丽·热合曼", "艾尔肯·阿不都拉", "热依汗古丽·吾斯曼",
          "努尔艾力·买买提明", "迪丽拜尔·阿不力孜"]
UNIT_KINDS = [("建筑设计研究院", "institution"), ("建筑工程有限公司", "private_enterprise"),
              ("供电有限责任公司", "state_enterprise"), ("水利局水利工作站", "institution"),
              ("城乡规划设计所", "institution"), ("建设工程质量安全监督站", "institution"),
              ("交通运输局公路养护段", "institution"), ("建材有限公司", "private_enterprise"),
              ("市政工程管理处", "institution"), ("自来水有限公司", "state_enterprise")]
REGION_CODES = ["652801", "652822", "652823", "652824", "652825", "652826", "652827", "652828", "652829"]
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# -- the plan: who applies where, and how far each application got -------------------------------

@dataclass(slots=True)
class Plan:
    index: int
    app_id: int
    user_id: int
    name: str
    id_number: str
    gender: str
    unit: int  # index into Build.units
    specialty_id: int
    level: str
    kind: str
    state: str
    code: str
    created: dt.datetime
    resubmitted: bool
    return_step: str  # returned / abandoned: the step that returned it
    scans: int
    att_start: int = 0
    fraud: bool = False
    publicity: bool = False  # approved by its unit at least once: the publicity scans are attached
    exempt: bool = False
    paid: bool = False
    rush: bool = False


def id_number_of(index: int, region: int = 0) -> str:
    from stdnum.cn import ric

    birth = dt.date(1968, 1, 1) + dt.timedelta(days=index % 10000)
    body = f"{REGION_CODES[(index // 10000 // 1000 + region) % len(REGION_CODES)]}{birth:%Y%m%d}" \
           f"{(index // 10000) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def person_name(rng: random.Random) -> str:
    return rng.choice(UYGHUR) if rng.random() < 0.12 else rng.choice(SURNAMES) + rng.choice(GIVEN)


RANK = {"accepted": 0, "paper_received": 1, "fee_paid": 2, "defense_scheduled": 3, "defense_exempt": 3,
        "decided": 4, "certified": 5}
FRAUD_STAGE = "paper_received"  # where the applications later closed for fraud had got to


def stage_of(plan: Plan) -> str | None:
    """How far after acceptance ``plan`` got (``None`` if never accepted)."""
    if plan.fraud:
        return FRAUD_STAGE
    return plan.state if plan.state in RANK else None


def events_of(plan: Plan) -> list[tuple[str, str, str, str]]:
    """The history of ``plan``: (action, from_state, to_state, role), oldest first."""
    ev: list[tuple[str, str, str, str]] = []
    state = plan.state
    if state == "draft":
        return ev

    def submit(again: bool) -> None:
        ev.append(("resubmit" if again else "submit", "returned" if again else "draft", "unit_review", "applicant"))

    def climb(upto: str) -> None:
        current = "unit_review"
        while current != upto:
            ev.append(("approve", current, NEXT_STEP[current], ROLE_OF_STEP[current]))
            current = NEXT_STEP[current]

    if state == "closed" and not plan.fraud:
        # Returned after the last permitted submission (3).
        for round_ in range(3):
            submit(round_ > 0)
            ev.append(("return", "unit_review", "closed" if round_ == 2 else "returned", "unit_officer"))
        return ev
    if plan.resubmitted:
        submit(False)
        ev.append(("return", "unit_review", "returned", "unit_officer"))
    submit(plan.resubmitted)
    if state in REVIEW_STATES:
        climb(state)
        return ev
    if state in ("returned", "abandoned"):
        climb(plan.return_step)
        ev.append(("return", plan.return_step, "returned", ROLE_OF_STEP[plan.return_step]))
        if state == "abandoned":
            ev.append(("abandon", "returned", "abandoned", "system"))
        return ev
    climb("accepted")
    rank = RANK[stage_of(plan)]
    if rank >= 1:
        ev.append(("receive_paper", "accepted", "paper_received", "committee_clerk"))
    if rank >= 2:
        ev.append(("confirm_fee", "paper_received", "fee_paid", "committee_clerk"))
    if rank >= 3:
        to = "defense_exempt" if plan.exempt else "defense_scheduled"
        ev.append(("exempt_defense" if plan.exempt else "schedule_defense", "fee_paid", to, "committee_clerk"))
        if rank >= 4:
            ev.append(("decide", to, "decided", "committee_clerk"))
        if rank >= 5:
            ev.append(("certify", "decided", "certified", "committee_clerk"))
    if plan.fraud:
        ev.append(("close_for_fraud", ev[-1][2], "closed", "committee_clerk"))
    return ev


def event_times(plan: Plan, count: int, now: dt.datetime) -> list[dt.datetime]:
    """Increasing times between the application's creation and now; a returned application was
    returned within its 48 hours."""
    if count == 0:
        return []
    end = now - dt.timedelta(minutes=5)
    if plan.state == "returned":
        end = now - dt.timedelta(hours=1 + plan.index % 40)
    span = (end - plan.created) / (count + 1)
    return [plan.created + span * (k + 1) for k in range(count)]


# -- scans ---------------------------------------------------------------------------------------

@lru_cache(maxsize=2048)
def scan_layout(level: str, kind: str, enterprise: bool, target: int, publicity: bool) -> tuple:
    """(section, slot, row) of each scan: what the checklist asks of such an application, then more
    certificates and evidence up to ``target`` scans (at most 30 in one slot, as the portal allows)."""
    out = [("basic", "id_card_front", None), ("basic", "id_card_back", None), ("basic", "photo", None),
           ("education", "diploma", None), ("education", "chsi", None)]
    if enterprise:
        out.append(("social_insurance", "social_insurance", None))
    if level != "junior":
        out += [("qualification", "title_docs", None)] * 2
    if kind != "initial":
        out += [("achievements", "achievement_evidence", None)] + [("evaluations", "evaluation_form", None)] * 3
    else:
        out.append(("probation", "probation_summary", None))
    out += [("awards", "award_certificate", 0), ("papers", "paper_scan", 0), ("commitment", "commitment", None)]
    out += [("ce", "ce_certificate", None)] * 10
    if publicity:
        out += [("other", "publicity", None), ("other", "publicity_result", None)]
    fillers = [("achievements", "achievement_evidence", None), ("other", "other_evidence", None),
               ("ce", "ce_certificate", None)]
    k = 0
    while len(out) < target:
        candidate = fillers[k % 3]
        if sum(1 for s in out if s[1] == candidate[1]) < 30:
            out.append(candidate)
        k += 1
    return tuple(out)


def scans_of(plan: Plan, enterprise: bool) -> tuple:
    layout = scan_layout(plan.level, plan.kind, enterprise, plan.scans, plan.publicity)
    return layout if plan.state != "draft" else layout[:plan.scans]
