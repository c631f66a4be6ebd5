"""Defense: every ground of exemption as the rule engine gives it, sessions in the defense window,
scores after the day, and the average-score rule for exempt applicants of a scored campaign."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.enums import UnitNature
from applications.models import Campaign, County, Level, Specialty
from applications.rules import defense_exemption, fee_for, profile_from_sections
from applications.states import State
from review.aftercare.conditions import specialty_average
from review.aftercare.models import Decision, DefenseRecord
from review.aftercare.services import (
    RecordRefused,
    decisions_record,
    defense_exemptions_apply,
    defense_outcome_record,
    defense_schedule,
    defense_session_save,
    fee_payment_record,
    integrity_record_create,
    paper_receipts_record,
)
from review.models import Notification
from review.services import TransitionRefused, application_transition
from tests.aftercare.conftest import move_window
from tests.factories import UnitFactory

TODAY = timezone.localdate
JUNIOR = "junior"


def _level(code):
    return Level.objects.get(code=code)


def _spec(name):
    return Specialty.objects.get(series__name="工程系列", name=name)


def to_fee_paid(app, actor):
    """Paper and fee recorded: the state moves as far as the records allow."""
    items = list(app.campaign.paper_items.values_list("name", flat=True))
    paper_receipts_record(application_id=app.pk, item_names=items, received_on=TODAY(), actor=actor)
    due = fee_for(app.campaign, app.level, app.kind)
    if due is not None:
        fee_payment_record(application_id=app.pk, amount=due, paid_on=TODAY(), receipt_number=f"R{app.pk}",
                           actor=actor)
    app.refresh_from_db()
    return app


# -- exemption grounds -------------------------------------------------------------------------------

def _grounds_case(case, accepted, reference):
    demo = Campaign.objects.get(code="demo")
    if case == "junior":
        return accepted(level=_level(JUNIOR)), "申报初级专业技术职务任职资格。"
    if case == "service":
        return accepted(special_service=["fanghuiju", "first_secretary"]), "参加“访惠聚”驻村、深度贫困村第一书记工作。"
    if case == "county":
        return accepted(unit=UnitFactory(county=County.objects.get(name="且末县"))), "在且末县工作。"
    if case == "grassroots":
        return accepted(unit=UnitFactory(grassroots_below_county=True)), "在县级以下基层单位工作。"
    if case == "private":
        shihua = Campaign.objects.get(code="bz-2021-shihua")  # 004: 民营企业和自由职业专业技术人员免于答辩
        unit = UnitFactory(nature=UnitNature.PRIVATE_ENTERPRISE)
        return accepted(campaign=shihua, unit=unit, specialty=_spec("电力")), "民营企业专业技术人员。"
    if case == "kind":
        return accepted(kind="initial"), "初次确定不参加评审答辩。"
    if case == "no_defense":
        demo.defense_start = demo.defense_end = None
        demo.save(update_fields=["defense_start", "defense_end"])
        return accepted(campaign=demo), "本通知未安排答辩。"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["junior", "service", "county", "grassroots", "private", "kind", "no_defense"])
def test_every_exemption_ground_is_stored_with_the_engines_words(accepted, staff, reference, case):
    app, expected = _grounds_case(case, accepted, reference)
    defense_exemptions_apply(campaign=app.campaign, actor=staff.admin)
    record = DefenseRecord.objects.get(application=app)
    sections = {s.key: s.data for s in app.sections.all() if s.is_complete}
    exempt, grounds = defense_exemption(app.campaign, app.level, app.kind, profile_from_sections(app, sections))
    assert record.exempt is True and exempt is True
    assert record.grounds == grounds
    assert any(g.startswith(expected) for g in record.grounds), record.grounds


def test_without_a_ground_the_applicant_attends(accepted, staff):
    app = accepted()  # 中级 评审, 库尔勒市 事业单位, no special service
    result = defense_exemptions_apply(campaign=app.campaign, actor=staff.clerk)
    assert result == {"evaluated": 1, "exempt": 0, "attending": 1, "advanced": 0}
    assert DefenseRecord.objects.get(application=app).exempt is False


def test_several_grounds_are_all_kept(accepted, staff):
    app = accepted(level=_level(JUNIOR), unit=UnitFactory(county=County.objects.get(name="若羌县"),
                                                           grassroots_below_county=True))
    defense_exemptions_apply(campaign=app.campaign, actor=staff.clerk)
    grounds = DefenseRecord.objects.get(application=app).grounds
    assert [g.split("。")[0] for g in grounds] == ["申报初级专业技术职务任职资格", "在若羌县工作", "在县级以下基层单位工作"]


def test_exempt_applicants_move_on_once_the_fee_is_settled(accepted, staff, django_capture_on_commit_callbacks):
    app = accepted(level=_level(JUNIOR))
    with django_capture_on_commit_callbacks(execute=True):
        app = to_fee_paid(app, staff.clerk)
    assert app.state == State.DEFENSE_EXEMPT
    note = Notification.objects.filter(application=app, user=app.applicant).latest("id")
    assert note.title.startswith("免于答辩")
    assert "申报初级专业技术职务任职资格" in note.body
    assert "免于答辩的按当年参加该专业现场答辩人员的平均分赋分" in note.body  # the demo campaign scores


def test_only_another_clerk_cannot_apply_the_rules(accepted, staff):
    app = accepted()
    with pytest.raises(RecordRefused):
        defense_exemptions_apply(campaign=app.campaign, actor=staff.other_clerk)


# -- sessions and scores --------------------------------------------------------------------------------

def test_sessions_must_fall_in_the_defense_window(staff, demo_campaign):
    window = demo_campaign.defense_window
    with pytest.raises(RecordRefused) as refused:
        defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=_spec("建筑"),
                             date=window.end + dt.timedelta(days=1), time_slot="上午 9:30—12:00")
    assert refused.value.message == f"答辩日期须在本通知的答辩时间内（{window}）。"
    session = defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=_spec("建筑"),
                                   date=window.start, time_slot="上午 9:30—12:00")
    assert session.place_label == "地点另行通知"
    with pytest.raises(RecordRefused, match="本通知不受理“石油”专业"):
        defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=_spec("石油"), date=window.start,
                             time_slot="下午")


def test_scheduling_tells_the_applicant_and_a_later_place_is_announced(accepted, staff, demo_campaign,
                                                                         django_capture_on_commit_callbacks):
    window = demo_campaign.defense_window
    app = to_fee_paid(accepted(), staff.clerk)
    assert app.state == State.FEE_PAID
    session = defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=_spec("建筑"),
                                   date=window.start, time_slot="上午 9:30—12:00")
    other = defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=_spec("电力"),
                                 date=window.start, time_slot="下午 15:30—18:00")
    outcome = defense_schedule(application_ids=[app.pk], session=other, actor=staff.clerk)
    assert outcome.refused == [(app.pk, "答辩场次的专业（电力）与申报专业（建筑）不一致。")]
    with django_capture_on_commit_callbacks(execute=True):
        outcome = defense_schedule(application_ids=[app.pk], session=session, actor=staff.clerk)
    assert [a.state for a in outcome.done] == [State.DEFENSE_SCHEDULED]
    day = f"{window.start.year}年{window.start.month}月{window.start.day}日"
    note = Notification.objects.filter(application=app, user=app.applicant).latest("id")
    assert note.title.startswith("答辩安排") and f"{day} 上午 9:30—12:00，地点另行通知" in note.body
    with django_capture_on_commit_callbacks(execute=True):
        defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=_spec("建筑"), date=window.start,
                             time_slot="上午 9:30—12:00", place="巴州住建大厦13楼1311室", session=session)
    note = Notification.objects.filter(application=app, user=app.applicant).latest("id")
    assert note.change is None and note.title.startswith("答辩安排变更")
    assert note.body == (f"答辩安排已更新：{day} 上午 9:30—12:00，巴州住建大厦13楼1311室"
                         f"（原为：{day} 上午 9:30—12:00，地点另行通知）。")


def test_exempt_applicants_are_not_scheduled(accepted, staff, demo_campaign):
    app = accepted(level=_level(JUNIOR))
    session = defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=_spec("建筑"),
                                   date=demo_campaign.defense_start, time_slot="上午")
    app = to_fee_paid(app, staff.clerk)
    assert app.state == State.DEFENSE_EXEMPT
    outcome = defense_schedule(application_ids=[app.pk], session=session, actor=staff.clerk)
    assert outcome.refused == [(app.pk, ("该申报人免于答辩（申报初级专业技术职务任职资格。（依据：申报初级专业技术职务任职资格人员免于答辩）），"
                                         "无需安排答辩。"))]


def test_scores_wait_for_the_day_of_the_defense(accepted, staff, demo_campaign):
    app = to_fee_paid(accepted(), staff.clerk)
    # A session still ahead (the demo's window runs from before today to after it).
    day = demo_campaign.defense_end
    assert day > timezone.localdate()
    session = defense_session_save(campaign=demo_campaign, actor=staff.clerk, specialty=_spec("建筑"),
                                   date=day, time_slot="上午")
    defense_schedule(application_ids=[app.pk], session=session, actor=staff.clerk)
    with pytest.raises(RecordRefused, match="尚未举行，不能录入成绩"):
        defense_outcome_record(application_id=app.pk, actor=staff.clerk, score=88)
    on_the_day = timezone.make_aware(dt.datetime.combine(day, dt.time(16)))
    with pytest.raises(RecordRefused, match="答辩成绩须为0—100之间的数字"):
        defense_outcome_record(application_id=app.pk, actor=staff.clerk, score=101, now=on_the_day)
    with pytest.raises(RecordRefused, match="请填写答辩成绩"):
        defense_outcome_record(application_id=app.pk, actor=staff.clerk, now=on_the_day)
    record = defense_outcome_record(application_id=app.pk, actor=staff.clerk, score="88.25", now=on_the_day)
    assert record.score == Decimal("88.3") and record.scored_by == staff.clerk


# -- the average-score rule -------------------------------------------------------------------------------

@pytest.fixture
def held(demo_campaign):
    """The demo campaign with its defense already held (days -5 … -1)."""
    move_window(demo_campaign, "defense", -5, -1)
    return demo_campaign


def _attend(accepted, staff, campaign, session, *, score=None, absent=False, specialty="建筑"):
    app = to_fee_paid(accepted(specialty=_spec(specialty)), staff.clerk)
    defense_schedule(application_ids=[app.pk], session=session, actor=staff.clerk)
    if score is not None or absent:
        defense_outcome_record(application_id=app.pk, actor=staff.clerk, score=score, absent=absent)
    return app


def _decide(app, actor, result="pass"):
    return decisions_record(application_ids=[app.pk], result=result, meeting_date=TODAY(), actor=actor)


def test_exempt_applicant_gets_the_average_of_the_specialtys_attendees(accepted, staff, held):
    jz = defense_session_save(campaign=held, actor=staff.clerk, specialty=_spec("建筑"), date=held.defense_start,
                              time_slot="上午")
    dl = defense_session_save(campaign=held, actor=staff.clerk, specialty=_spec("电力"), date=held.defense_start,
                              time_slot="下午")
    a = _attend(accepted, staff, held, jz, score=80)
    _attend(accepted, staff, held, jz, score=90)
    waiting = _attend(accepted, staff, held, jz)  # scheduled, not scored yet
    _attend(accepted, staff, held, jz, absent=True)  # absence is not a score of 0
    _attend(accepted, staff, held, dl, score=60, specialty="电力")  # another specialty
    cheat = _attend(accepted, staff, held, jz, score=10)
    integrity_record_create(application_id=cheat.pk, facts="伪造论文刊物", actor=staff.clerk)  # void
    exempt = to_fee_paid(accepted(level=_level(JUNIOR)), staff.clerk)
    assert exempt.state == State.DEFENSE_EXEMPT

    outcome = _decide(exempt, staff.clerk)
    assert outcome.refused == [(exempt.pk, "本专业仍有1名答辩人员未录入成绩，免答辩人员的平均分尚未确定。")]
    defense_outcome_record(application_id=waiting.pk, actor=staff.clerk, score="85.5")
    assert specialty_average(held.pk, _spec("建筑").pk) == {"mean": Decimal("85.2"), "count": 3, "pending": 0}

    assert _decide(exempt, staff.clerk).refused == []
    decision = Decision.objects.get(application=exempt)
    assert decision.defense_score == Decimal("85.2")  # (80 + 90 + 85.5) / 3 = 85.17
    assert decision.defense_basis == "免于答辩，按本专业3名答辩人员平均分赋分：85.2分"
    _decide(a, staff.clerk)
    assert Decision.objects.get(application=a).defense_basis == "参加现场答辩：80.0分"
    # Frozen: a score entered later does not move a decision already taken.
    late = _attend(accepted, staff, held, jz, score=40)
    assert Decision.objects.get(application=exempt).defense_score == Decimal("85.2")
    assert specialty_average(held.pk, _spec("建筑").pk)["mean"] == Decimal("73.9")
    assert late.pk


def test_without_attendees_an_exempt_applicant_gets_no_score(accepted, staff, held):
    exempt = to_fee_paid(accepted(level=_level(JUNIOR)), staff.clerk)
    _decide(exempt, staff.clerk)
    decision = Decision.objects.get(application=exempt)
    assert decision.defense_score is None
    assert decision.defense_basis == "免于答辩；本专业当年无人参加现场答辩，不赋分"


def test_unscored_campaign_exempt_counts_as_passed(accepted, staff, held):
    held.defense_scored = False
    held.save(update_fields=["defense_scored"])
    session = defense_session_save(campaign=held, actor=staff.clerk, specialty=_spec("建筑"), date=held.defense_start,
                                   time_slot="上午")
    attendee = _attend(accepted, staff, held, session)
    with pytest.raises(RecordRefused, match="请选择答辩结果"):
        defense_outcome_record(application_id=attendee.pk, actor=staff.clerk, score=90)
    assert _decide(attendee, staff.clerk).refused == [(attendee.pk, "请先录入答辩结果（缺席的请标记缺席）。")]
    defense_outcome_record(application_id=attendee.pk, actor=staff.clerk, passed=False)
    _decide(attendee, staff.clerk, "fail")
    assert Decision.objects.get(application=attendee).defense_basis == "参加现场答辩：未通过"
    exempt = to_fee_paid(accepted(level=_level(JUNIOR)), staff.clerk)
    _decide(exempt, staff.clerk)
    decision = Decision.objects.get(application=exempt)
    assert (decision.defense_score, decision.defense_basis) == (None, "免于答辩，按通过现场答辩环节对待")


def test_decision_dates_and_results_are_checked(accepted, staff, held):
    exempt = to_fee_paid(accepted(level=_level(JUNIOR)), staff.clerk)
    tomorrow = TODAY() + dt.timedelta(days=1)
    outcome = decisions_record(application_ids=[exempt.pk], result="pass", meeting_date=tomorrow, actor=staff.clerk)
    assert outcome.refused == [(exempt.pk, "评审会议日期不能晚于今天。")]
    before = held.defense_start - dt.timedelta(days=1)
    outcome = decisions_record(application_ids=[exempt.pk], result="pass", meeting_date=before, actor=staff.clerk)
    assert "评审会议日期不能早于答辩开始日期" in outcome.refused[0][1]
    outcome = decisions_record(application_ids=[exempt.pk], result="maybe", meeting_date=TODAY(), actor=staff.clerk)
    assert outcome.refused == [(exempt.pk, "请选择评审结果（通过或未通过）。")]
    with pytest.raises(TransitionRefused):
        application_transition(application_id=exempt.pk, action="decide", actor=staff.other_clerk,
                               data={"result": "pass", "meeting_date": TODAY().isoformat()})
    exempt.refresh_from_db()
    assert exempt.state == State.DEFENSE_EXEMPT and not Decision.objects.exists()
