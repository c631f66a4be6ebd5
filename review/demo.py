"""Demo applications in every state of the chain, driven through the one door so that their
history, notes, notifications and publicity records are what real use leaves behind.

The demo campaign's windows are set around the day it is loaded (``fixtures/campaigns/demo.json``),
so that on that day, whatever the day of the year, every step can be taken: an application waits
at each step, from the unit's review to a passed result that awaits its publicity and certificate
(``tests/browser/test_demo_walk.py`` walks a new registration to its certificate on several dates).

``build`` runs after ``applications.demo.build`` (units and logins) and before
``review.aftercare.demo.build``, which takes the accepted cases on (``settings.PORTAL_DEMO_BUILDERS``).  Idempotent: an application
that already exists (found by applicant × campaign × specialty × level × kind) is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.demo import DEMO_PASSWORD, demo_id_number
from applications.enums import Kind, Section
from applications.forms.editor import json_to_raw
from applications.models import Application, ApplicationSection, Campaign, Level, Specialty, Unit
from applications.samples import fill_sample_application, sample_scan
from applications.states import State
from portal.accounts.models import Role, User

from .services import application_transition, publicity_scans_attach
from .workdays import latest_publicity_start


def publicity_files(unit_name: str, names: str) -> dict:
    """Scans of a publicity notice and its result, as a unit would photograph them."""
    return {
        "publicity": SimpleUploadedFile("gongshi.jpg", sample_scan(
            "推荐单位公示", lines=(f"经本单位研究，拟推荐{names}申报专业技术职务任职资格，现予公示。", unit_name)),
            content_type="image/jpeg"),
        "publicity_result": SimpleUploadedFile("jieguo.jpg", sample_scan(
            "公示结果", lines=(f"{names}公示期满，无异议。", unit_name)), content_type="image/jpeg"),
    }


def publicity_dates(campaign: Campaign, today: dt.date) -> dict:
    """A publicity that ends ``today`` and lasts exactly the campaign's working days."""
    return {"start": latest_publicity_start(today, campaign.publicity_working_days).isoformat(),
            "end": today.isoformat()}


def approve_at_unit(application: Application, officer, *, now: dt.datetime | None = None) -> Application:
    now = now or timezone.now()
    publicity_scans_attach(application=application, actor=officer, now=now,
                           files=publicity_files(application.unit.name, application.applicant.real_name))
    return application_transition(application_id=application.pk, action="approve", actor=officer, now=now,
                                  data={"publicity": publicity_dates(application.campaign, timezone.localdate(now))})


def revise_for_resubmission(application: Application) -> None:
    """What an applicant does after a return: rewrite the summary and upload a clearer diploma."""
    section = ApplicationSection.objects.get(application=application, key=Section.SUMMARY)
    section.data = {"text": section.data["text"] + "（已按退回意见补充近三年主持项目情况。）"}
    section.draft = json_to_raw(Section.SUMMARY, section.data)
    section.save()
    diploma = application.attachments.filter(slot="diploma").first()
    if diploma is not None:
        payload = sample_scan("毕业证书（重新扫描）", application.applicant.real_name)
        diploma.file.save("diploma.jpg", SimpleUploadedFile("diploma.jpg", payload), save=False)
        diploma.save()


@dataclass(frozen=True)
class DemoCase:
    name: str
    birth: str
    seq: str
    unit: str
    specialty: str
    level: str
    target: str  # a State value
    note: str = ""


UNIT_A = "巴州建筑设计研究院"  # danwei → zhuguan (competent unit) → pingwei
UNIT_B = "库尔勒华源建筑工程有限公司"  # danwei2 → xianshi (库尔勒市人社局) → pingwei

CASES = [
    DemoCase("马建军", "19870312", "111", UNIT_A, "建筑", "intermediate", State.UNIT_REVIEW),
    DemoCase("阿依古丽·买买提", "19930605", "222", UNIT_A, "建筑", "junior", State.UNIT_REVIEW),
    DemoCase("王磊", "19890920", "131", UNIT_B, "建筑", "intermediate", State.UNIT_REVIEW),
    DemoCase("刘婷", "19910214", "242", UNIT_A, "电力", "intermediate", State.COUNTY_REVIEW),
    DemoCase("热合曼·艾则孜", "19860711", "151", UNIT_B, "建筑", "intermediate", State.COUNTY_REVIEW),
    DemoCase("陈晓东", "19880130", "171", UNIT_A, "建筑", "intermediate", State.COMMITTEE_REVIEW),
    DemoCase("周敏", "19900817", "262", UNIT_B, "建筑", "intermediate", State.COMMITTEE_REVIEW, "resubmitted"),
    DemoCase("艾力·吐尔逊", "19850405", "191", UNIT_A, "电力", "intermediate", State.ACCEPTED, "partial_paper"),
    DemoCase("杨帆", "19920101", "213", UNIT_B, "建筑", "junior", State.DEFENSE_EXEMPT),
    # After acceptance (review.aftercare.demo takes them on from 评审委员会已接收材料): paper, fee,
    # defense, fraud.
    DemoCase("吴刚", "19870621", "315", UNIT_A, "建筑", "intermediate", State.PAPER_RECEIVED),
    DemoCase("李娜", "19900228", "326", UNIT_B, "建筑", "intermediate", State.FEE_PAID),
    # 电力: the score awaited in this specialty does not hold back the results of 建筑's exempt (scored
    # campaigns give the exempt the mean of their specialty's attendees, once all are scored).
    DemoCase("赵磊", "19860915", "337", UNIT_A, "电力", "intermediate", State.DEFENSE_SCHEDULED),
    DemoCase("古力米热·艾山", "19950518", "268", UNIT_B, "建筑", "junior", State.DECIDED),
    DemoCase("钱伟", "19881203", "359", UNIT_B, "建筑", "intermediate", State.CLOSED, "fraud"),
    DemoCase("孙丽", "19891111", "284", UNIT_A, "建筑", "intermediate", State.ABANDONED),
    DemoCase("何志强", "19840909", "235", UNIT_B, "建筑", "intermediate", State.CLOSED),
    DemoCase("巴特尔", "19940303", "257", UNIT_A, "建筑", "intermediate", State.DRAFT, "withdrawn"),
]
# 张建华 (the first demo applicant login) gets a returned application with notes to fix.
ZHANG = DemoCase("张建华", "", "", UNIT_A, "建筑", "intermediate", State.RETURNED)


def demo_officers() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["danwei", "danwei2", "zhuguan", "xianshi",
                                                                      "pingwei"])}


def demo_applicant(case: DemoCase) -> User:
    if case is ZHANG:
        return User.objects.get(real_name="张建华", role=Role.APPLICANT)
    id_number = demo_id_number("652801", case.birth, case.seq)
    user, created = User.objects.get_or_create(username=id_number, defaults={
        "real_name": case.name, "role": Role.APPLICANT, "id_number": id_number, "phone": "13900000000"})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _drive(app: Application, case: DemoCase, officers: dict[str, User], now: dt.datetime) -> None:
    unit_officer = officers["danwei" if case.unit == UNIT_A else "danwei2"]
    county_officer = officers["zhuguan" if case.unit == UNIT_A else "xianshi"]
    clerk = officers["pingwei"]

    def door(action, actor, **kwargs):
        return application_transition(application_id=app.pk, action=action, actor=actor, now=now, **kwargs)

    if case.target == State.DRAFT:
        door("submit", app.applicant)
        door("withdraw", app.applicant)
        return
    if case.target == State.ABANDONED:
        past = now - dt.timedelta(hours=app.campaign.return_hours + 2)
        application_transition(application_id=app.pk, action="submit", actor=app.applicant, now=past)
        application_transition(application_id=app.pk, action="return", actor=unit_officer, now=past,
                               comment="近三年年度考核表缺少2023年度，请补充上传。")
        door("abandon", None, comment="逾期未重新提交，视为放弃申报。")
        return
    door("submit", app.applicant)
    if case.target == State.CLOSED and case.note != "fraud":
        reasons = ["继续教育学时不足，请补充专业科目学时证明。", "专业科目学时仍不足60学时。", "继续教育证明仍不符合要求。"]
        for index, reason in enumerate(reasons):
            door("return", unit_officer, comment=reason,
                 data={"notes": [{"section": "ce", "text": reason}]})
            if index < len(reasons) - 1:
                door("resubmit", app.applicant)
        return
    if case.target == State.RETURNED:
        diploma = app.attachments.filter(slot="diploma").first()
        door("return", unit_officer, comment="毕业证书扫描件不清晰，个人工作总结过于简略。",
             data={"notes": [
                 {"section": "education", "attachment_id": diploma.pk if diploma else None,
                  "text": "毕业证书扫描件不清晰，请重新扫描上传。"},
                 {"section": "summary", "text": "请补充任现职以来主持的项目情况。"}]})
        return
    if case.note == "resubmitted":
        approve_at_unit(app, unit_officer, now=now)
        door("return", county_officer, comment="个人工作总结未写明近三年主持的项目。",
             data={"notes": [{"section": "summary", "text": "请补充近三年主持的项目。"}]})
        revise_for_resubmission(app)
        door("resubmit", app.applicant)
    if case.target == State.UNIT_REVIEW:
        return
    approve_at_unit(app, unit_officer, now=now)
    if case.target == State.COUNTY_REVIEW:
        return
    door("approve", county_officer, comment="同意推荐。")
    if case.target == State.COMMITTEE_REVIEW:
        return
    door("approve", clerk)


def demo_application(case: DemoCase) -> Application | None:
    """The demo campaign's application of ``case``, if built."""
    return (Application.objects.filter(applicant=demo_applicant(case), campaign__code="demo",
                                       specialty__series__name="工程系列", specialty__name=case.specialty,
                                       level__code=case.level, kind=Kind.REVIEW)
            .select_related("campaign", "level", "unit", "specialty").first())


def build(*, stdout=None, context: dict | None = None) -> dict:
    campaign = Campaign.objects.get(code="demo")
    officers = demo_officers()
    units = {u.name: u for u in Unit.objects.filter(name__in=[UNIT_A, UNIT_B])}
    levels = {lvl.code: lvl for lvl in Level.objects.all()}
    specialties = {s.name: s for s in Specialty.objects.filter(series__name="工程系列", name__in=["建筑", "电力"])}
    now = timezone.now()
    created = []
    for case in [*CASES, ZHANG]:
        applicant = demo_applicant(case)
        app, new = Application.objects.get_or_create(
            applicant=applicant, campaign=campaign, specialty=specialties[case.specialty],
            level=levels[case.level], kind=Kind.REVIEW, defaults={"unit": units[case.unit]})
        if not new:
            continue
        fill_sample_application(app)
        _drive(app, case, officers, now)
        created.append(app.pk)
    return {"review_demo_applications": created}


def demo_summary(created: int) -> str:
    """The line ``seed_demo`` prints once every builder has run: how many were made, and the
    demo campaign's applications by state."""
    states = list(Application.objects.filter(campaign__code="demo").values_list("state", flat=True))
    summary = "、".join(f"{State(s).label}{states.count(s)}份" for s in dict.fromkeys(sorted(states)))
    return f"演示申报：新建{created}份；{summary}"
