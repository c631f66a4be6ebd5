"""Demo data after acceptance, driven through the services and the one door like real use.

In the demo campaign: partial paper (艾力·吐尔逊), paper received (吴刚), fee paid (李娜),
exempt (杨帆, 初级), scheduled in a session held at the start of the defense window whose score
awaits (赵磊), passed and awaiting the results publicity and certificate (古力米热·艾山, 初级), and
fraud (钱伟, closed, 诚信档案).  In the 2023 建筑 notice (000, real dates): a whole year for
古丽娜尔·艾买提 — submitted, reviewed, accepted, paper, fee, defense, pass, publicity and a
certificate — so her home page has a certificate to download and the public look-up finds it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from applications.demo import demo_id_number
from applications.enums import Kind
from applications.models import Application, Campaign, Level, Specialty, Unit
from applications.rules import fee_for
from applications.samples import fill_sample_application
from applications.states import State
from portal.accounts.models import Role, User
from review.demo import CASES, approve_at_unit, demo_application, demo_officers, demo_summary
from review.services import application_transition

from . import services
from .conditions import paper_status
from .models import Certificate
from .render import certificate_render


def _items(app) -> list[str]:
    """The paper items that apply to this applicant (conditional items may be 不适用)."""
    return paper_status(app).items


def after_acceptance(app, case, clerk, now: dt.datetime) -> None:
    """Move an accepted demo application on to ``case.target``."""
    today = timezone.localdate(now)
    if case.target == State.ACCEPTED and case.note == "partial_paper":
        services.paper_receipts_record(application_id=app.pk, item_names=_items(app)[:4], received_on=today,
                                       actor=clerk, now=now)
        return
    if case.target == State.CLOSED and case.note == "fraud":
        services.integrity_record_create(application_id=app.pk, facts="提供的继续教育合格证书系伪造，经发证机构核实无此证书",
                                         actor=clerk, now=now)
        return
    if case.target == State.ACCEPTED:
        return
    services.paper_receipts_record(application_id=app.pk, item_names=_items(app), received_on=today, actor=clerk,
                                   now=now)
    if case.target == State.PAPER_RECEIVED:
        return
    due = fee_for(app.campaign, app.level, app.kind)
    if due is not None:
        services.fee_payment_record(application_id=app.pk, amount=due, paid_on=today,
                                    receipt_number=f"DEMO-{app.code}", actor=clerk, now=now)
    if case.target in (State.FEE_PAID, State.DEFENSE_EXEMPT):
        return
    if case.target == State.DECIDED:
        # Passed at a meeting held early enough that the results publicity, begun that day, has
        # lasted its working days today: the demo's clerk can publish the results and issue the
        # certificate on the day the demo is loaded.
        services.decisions_record(application_ids=[app.pk], result="pass", meeting_date=demo_meeting_date(
            app.campaign, today), actor=clerk, now=now)
        return
    campaign = app.campaign
    session = campaign.defense_sessions.filter(specialty=app.specialty).first() or services.defense_session_save(
        campaign=campaign, actor=clerk, specialty=app.specialty, date=campaign.defense_start,
        time_slot="上午 9:30—12:00", now=now)
    services.defense_schedule(application_ids=[app.pk], session=session, actor=clerk, now=now)


def demo_meeting_date(campaign: Campaign, today: dt.date) -> dt.date:
    """The demo committee's meeting: the latest day from which a publicity of the campaign's
    working days ends by ``today`` (never before the defense window, as the door requires)."""
    from ..workdays import latest_publicity_start

    meeting = latest_publicity_start(today, campaign.publicity_working_days)
    return max(meeting, campaign.defense_start) if campaign.defense_start else meeting


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _clerk_of(campaign: Campaign) -> User:
    """The committee's office for a past notice (no demo login: its history only needs an actor)."""
    user, created = User.objects.get_or_create(username=f"clerk-{campaign.code}", defaults={
        "real_name": f"{campaign.committee}办公室", "role": Role.COMMITTEE_CLERK, "committee": campaign.committee})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def build_certified(officers: dict) -> list[int]:
    """古丽娜尔·艾买提's 2023 建筑 中级 application, certified (idempotent)."""
    campaign = Campaign.objects.get(code="bz-2023-jianzhu")
    applicant = User.objects.filter(username=demo_id_number("652801", "19920315", "246")).first()
    if applicant is None:
        return []
    app, new = Application.objects.get_or_create(
        applicant=applicant, campaign=campaign, specialty=Specialty.objects.get(series__name="工程系列", name="建筑"),
        level=Level.objects.get(code="intermediate"), kind=Kind.REVIEW,
        defaults={"unit": Unit.objects.get(name="巴州建筑设计研究院")})
    if not new:
        return []
    fill_sample_application(app)
    clerk = _clerk_of(campaign)

    def door(action, actor, day, **kwargs):
        return application_transition(application_id=app.pk, action=action, actor=actor, now=_at(day), **kwargs)

    door("submit", applicant, dt.date(2023, 9, 1))
    approve_at_unit(app, officers["danwei"], now=_at(dt.date(2023, 9, 11)))
    door("approve", officers["zhuguan"], dt.date(2023, 9, 13), comment="同意推荐。")
    door("approve", clerk, dt.date(2023, 9, 15))
    app.refresh_from_db()
    services.paper_receipts_record(application_id=app.pk, item_names=_items(app), received_on=dt.date(2023, 9, 22),
                                   actor=clerk, now=_at(dt.date(2023, 9, 22)))
    services.fee_payment_record(application_id=app.pk, amount=fee_for(campaign, app.level, app.kind),
                                paid_on=dt.date(2023, 9, 26), receipt_number="JZ2023-0917", actor=clerk,
                                now=_at(dt.date(2023, 9, 26)))
    session = services.defense_session_save(campaign=campaign, actor=clerk, specialty=app.specialty,
                                            date=dt.date(2023, 10, 20), time_slot="上午 9:30—12:00",
                                            place="巴州住建大厦13楼1311室", now=_at(dt.date(2023, 10, 8)))
    services.defense_schedule(application_ids=[app.pk], session=session, actor=clerk, now=_at(dt.date(2023, 10, 8)))
    services.defense_outcome_record(application_id=app.pk, actor=clerk, passed=True, now=_at(dt.date(2023, 10, 20), 16))
    services.decisions_record(application_ids=[app.pk], result="pass", meeting_date=dt.date(2023, 10, 25), actor=clerk,
                              now=_at(dt.date(2023, 10, 25), 17))
    services.result_publicity_set(campaign=campaign, start=dt.date(2023, 10, 26), end=dt.date(2023, 11, 1), actor=clerk,
                                  now=_at(dt.date(2023, 10, 26)))
    services.certificates_issue(application_ids=[app.pk], actor=clerk, now=_at(dt.date(2023, 11, 3)))
    # The seed command renders it at once (a management command, not the web process).
    certificate_render(certificate_id=Certificate.objects.get(application=app).pk)
    return [app.pk]


def build(*, stdout=None, context: dict | None = None) -> dict:
    """Take the demo cases that ``review.demo`` brought to 评审委员会已接收材料 on to their
    targets, and build the certified 2023 application.  Idempotent: a case whose application is
    no longer freshly accepted (receipts recorded, moved on, closed) is left alone."""
    officers = demo_officers()
    now = timezone.now()
    moved = []
    for case in CASES:
        app = demo_application(case)
        if app is None or app.state != State.ACCEPTED or app.paper_receipts.exists():
            continue
        after_acceptance(app, case, officers["pingwei"], now)
        moved.append(app.pk)
    certified = build_certified(officers)
    if stdout is not None:
        created = len((context or {}).get("review_demo_applications", [])) + len(certified)
        stdout.write(demo_summary(created))
    return {"aftercare_demo_applications": moved + certified}


__all__ = ["after_acceptance", "build", "build_certified"]
