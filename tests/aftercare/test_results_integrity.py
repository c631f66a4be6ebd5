"""Results, their publicity, certificates (numbering, what they state, the PDF) and integrity
records: bans with the notices' lengths that refuse a submission in a later campaign."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.bans import bans_for
from applications.checklist import submission_problems
from applications.models import Application, Campaign, Level
from applications.samples import fill_sample_application
from applications.states import State
from review.aftercare.bans import ban_end
from review.aftercare.certificates import mask_id_number, mask_name, normalise_number
from review.aftercare.models import Certificate, CertificateStatus, IntegrityRecord
from review.aftercare.render import certificate_render
from review.aftercare.services import (
    RecordRefused,
    certificates_issue,
    decisions_record,
    integrity_record_create,
    result_publicity_set,
)
from review.services import TransitionRefused, application_transition
from tests.aftercare.conftest import put_accepted, results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.applications.test_rules_selfcheck import form_data
from tests.factories import ApplicantFactory, ApplicationFactory, ClerkFactory, UnitFactory

TODAY = timezone.localdate


def _days(n: int) -> dt.date:
    return TODAY() + dt.timedelta(days=n)


@pytest.fixture
def decided_campaign(demo_campaign):
    """The demo campaign at its end: defense held, meeting, a publicity that ended yesterday
    (``campaign.timeline``; the dates hold on any day of the year)."""
    demo_campaign.timeline = results_timeline(demo_campaign)
    return demo_campaign


def _period(campaign) -> dict:
    return {"start": campaign.timeline.publicity_start, "end": campaign.timeline.publicity_end}


def _passed(accepted, staff, campaign, **kwargs):
    app = to_fee_paid(accepted(level=Level.objects.get(code="junior"), **kwargs), staff.clerk)
    assert app.state == State.DEFENSE_EXEMPT
    outcome = decisions_record(application_ids=[app.pk], result="pass", meeting_date=campaign.timeline.meeting,
                               actor=staff.clerk)
    assert outcome.refused == []
    app.refresh_from_db()
    return app


def test_publicity_needs_decisions_enough_working_days_and_starts_after_the_meeting(accepted, staff, decided_campaign):
    with pytest.raises(RecordRefused, match="尚未记录评审结果"):
        result_publicity_set(campaign=decided_campaign, **_period(decided_campaign), actor=staff.clerk)
    _passed(accepted, staff, decided_campaign)
    with pytest.raises(RecordRefused, match="公示开始日期不能早于评审会议日期"):
        result_publicity_set(campaign=decided_campaign, start=decided_campaign.timeline.meeting - dt.timedelta(days=1),
                             end=decided_campaign.timeline.publicity_end, actor=staff.clerk)
    with pytest.raises(RecordRefused, match="公示期不少于5个工作日"):
        result_publicity_set(campaign=decided_campaign, start=decided_campaign.timeline.publicity_start,
                             end=decided_campaign.timeline.publicity_start + dt.timedelta(days=1), actor=staff.clerk)
    with pytest.raises(RecordRefused):
        result_publicity_set(campaign=decided_campaign, **_period(decided_campaign), actor=staff.other_clerk)
    publicity = result_publicity_set(campaign=decided_campaign, **_period(decided_campaign), actor=staff.clerk)
    assert publicity.working_days >= 5


def test_certificates_wait_for_a_pass_and_the_end_of_the_publicity(accepted, staff, decided_campaign,
                                                                   django_capture_on_commit_callbacks):
    app = _passed(accepted, staff, decided_campaign)
    failed = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
    decisions_record(application_ids=[failed.pk], result="fail", meeting_date=decided_campaign.timeline.meeting,
                     actor=staff.clerk)
    assert certificates_issue(application_ids=[app.pk], actor=staff.clerk).refused == [
        (app.pk, "请先公示评审结果，公示期满无异议后方可发放证书。")]
    result_publicity_set(campaign=decided_campaign, start=decided_campaign.timeline.publicity_start, end=_days(1),
                         actor=staff.clerk)
    refused = certificates_issue(application_ids=[app.pk], actor=staff.clerk).refused
    assert refused == [(app.pk, f"评审结果公示尚未结束（{_days(1).isoformat()}止），公示期满无异议后方可发放证书。")]
    result_publicity_set(campaign=decided_campaign, **_period(decided_campaign), actor=staff.clerk)
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = certificates_issue(application_ids=[app.pk, failed.pk], actor=staff.clerk)
    assert outcome.refused == [(failed.pk, "评审结果为未通过，不能发放证书。")]
    assert [a.state for a in outcome.done] == [State.CERTIFIED]
    certificate = Certificate.objects.get(application=app)
    renders = [c for c in callbacks if getattr(c, "task_name", "") == "documents.render_document"]
    assert [(c.task_kwargs, c.queue) for c in renders] == [({"document_id": certificate.document_id}, "bulk")]
    assert certificate.number == f"BZ{decided_campaign.year}-{decided_campaign.committee_id:03d}-00001"
    assert (certificate.holder_name, certificate.id_number, certificate.level, certificate.title) == (
        app.applicant.real_name, app.applicant.id_number, "初级", "助理工程师")
    assert (certificate.series, certificate.specialty, certificate.committee) == (
        "工程系列", "建筑", decided_campaign.committee.name)
    assert certificate.meeting_date == decided_campaign.timeline.meeting
    assert certificate.status == CertificateStatus.PENDING
    with pytest.raises(RecordRefused, match="已发放证书，不能再修改公示期"):
        result_publicity_set(campaign=decided_campaign, **_period(decided_campaign), actor=staff.clerk)


def test_certificate_numbers_follow_the_committee_and_year(accepted, staff, decided_campaign):
    apps = [_passed(accepted, staff, decided_campaign) for _ in range(3)]
    result_publicity_set(campaign=decided_campaign, **_period(decided_campaign), actor=staff.clerk)
    certificates_issue(application_ids=[a.pk for a in apps], actor=staff.clerk)
    numbers = list(Certificate.objects.order_by("number").values_list("number", flat=True))
    prefix = f"BZ{decided_campaign.year}-{decided_campaign.committee_id:03d}-"
    assert numbers == [f"{prefix}00001", f"{prefix}00002", f"{prefix}00003"]
    assert normalise_number(numbers[1].lower().replace("-", " ")) == numbers[1]
    assert len({c.token for c in Certificate.objects.all()}) == 3


def test_certificate_pdf_states_everything_with_photo_and_qr(accepted, staff, decided_campaign, settings):
    settings.PORTAL_BASE_URL = "https://zhicheng.example.cn"
    app = _passed(accepted, staff, decided_campaign, files=True)
    result_publicity_set(campaign=decided_campaign, **_period(decided_campaign), actor=staff.clerk)
    certificates_issue(application_ids=[app.pk], actor=staff.clerk)
    certificate = certificate_render(certificate_id=Certificate.objects.get(application=app).pk)
    assert certificate.is_ready and len(certificate.document.checksum) == 64
    with certificate.file.open("rb") as fh:
        payload = fh.read()
    reader = PdfReader(io.BytesIO(payload))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    text = page.extract_text().replace(" ", "").replace("\n", "")
    for expected in ("专业技术资格证书", app.applicant.real_name, app.applicant.id_number, "工程系列", "建筑", "初级",
                     "助理工程师", decided_campaign.committee.name, certificate.number, certificate.token,
                     "zhicheng.example.cn/aftercare/c/"):
        assert expected in text, expected
    images = [name for name in page.images]
    assert images, "the applicant's photo is on the certificate"
    # Rendering again is a no-op: the same file stays.
    assert certificate_render(certificate_id=certificate.pk).file.name == certificate.file.name


def test_masks():
    assert mask_id_number("652801199001011232") == "6528**********1232"
    assert mask_name("张建华") == "张*华" and mask_name("李明") == "李*"


# -- integrity records ---------------------------------------------------------------------------

def _in_campaign(code, applicant=None, unit=None, level="intermediate"):
    campaign = Campaign.objects.get(code=code)
    app = ApplicationFactory(applicant=applicant or ApplicantFactory(), unit=unit or UnitFactory(), campaign=campaign,
                             specialty=campaign.specialties.order_by("id").first(),
                             level=Level.objects.get(code=level))
    fill_sample_application(app, with_files=False)
    return put_accepted(app)


@pytest.mark.parametrize("code,years,until", [("bz-2023-jianzhu", 3, dt.date(2026, 12, 31)),
                                              ("bz-2024-zhijian", 5, dt.date(2029, 12, 31)),
                                              ("bz-2021-shihua", 5, dt.date(2026, 12, 31))])
def test_fraud_bans_for_the_notices_years_from_the_following_year(staff, private_storage, code, years, until):
    app = _in_campaign(code)
    record = integrity_record_create(application_id=app.pk, facts="伪造继续教育合格证书", actor=staff.admin)
    assert (record.person_ban_years, record.person_banned_until) == (years, until)
    assert record.id_number == app.applicant.id_number and record.campaign.code == code
    app.refresh_from_db()
    assert app.state == State.CLOSED
    change = app.history.latest("id")
    assert change.action == "close_for_fraud"
    assert f"个人自{app.campaign.year + 1}年起{years}年内不得申报，至{until.year}年12月31日" in change.comment


def test_a_ban_from_an_earlier_campaign_refuses_a_submission_in_a_later_one_saying_until_when(
        staff, demo_campaign, private_storage):
    """Fraud found in last year's 建筑 campaign (notice 000: 3 years from this year) bars the demo
    campaign of this year: whatever this year is, so the old notice is moved to last year."""
    assert demo_campaign.year == TODAY().year
    old = _in_campaign("bz-2023-jianzhu")
    Campaign.objects.filter(pk=old.campaign_id).update(year=demo_campaign.year - 1)
    clerk_old = ClerkFactory(committee=old.campaign.committee)
    integrity_record_create(application_id=old.pk, facts="提供虚假的论文刊物", actor=clerk_old)
    new = ApplicationFactory(applicant=old.applicant, unit=UnitFactory(), campaign=demo_campaign)
    fill_sample_application(new)
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=new.pk, action="submit", actor=old.applicant)
    until = ban_end(demo_campaign.year - 1, 3)
    assert until.year == demo_campaign.year + 2
    assert refused.value.message == (f"本人因弄虚作假被限制申报至{until.year}年12月31日，{demo_campaign.year}年度不得申报；"
                                     f"最早可于{until.year + 1}年申报。")
    new.refresh_from_db()
    assert new.state == State.DRAFT and new.submission_count == 0
    # The checklist says the same beside the basic information.
    assert any(f"限制申报至{until.year}年12月31日" in p.message for p in submission_problems(new))


def test_a_unit_ban_refuses_its_other_applicants(staff, demo_campaign, private_storage):
    """Notice 003's unit ban (3 years), from last year's campaign: it bars this year's."""
    unit = UnitFactory()
    cheat = _in_campaign("bz-2024-zhijian", unit=unit)
    Campaign.objects.filter(pk=cheat.campaign_id).update(year=demo_campaign.year - 1)
    until = dt.date(demo_campaign.year + 2, 12, 31)
    record = integrity_record_create(application_id=cheat.pk, facts="单位出具虚假工作经历证明", include_unit=True,
                                     actor=staff.admin)
    assert (record.unit, record.unit_ban_years, record.unit_banned_until) == (unit, 3, until)
    colleague = ApplicationFactory(unit=unit, campaign=demo_campaign)
    fill_sample_application(colleague)
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=colleague.pk, action="submit", actor=colleague.applicant)
    assert f"所在单位因弄虚作假被取消参评资格至{until.year}年12月31日" in refused.value.message
    assert bans_for(id_number=colleague.applicant.id_number, unit_id=unit.pk).unit_until == until


def test_a_campaign_without_a_unit_ban_records_no_unit(staff, private_storage):
    """000 八（二） sets a person ban only: no unit is recorded (issue 15, P2-10); 003 八（一） "取消所在
    单位…3年" records 3 years."""
    from review.aftercare.forms import FraudForm
    from review.aftercare.permissions import RecordRefused

    app = _in_campaign("bz-2023-jianzhu")
    assert app.campaign.unit_ban_years is None
    with pytest.raises(RecordRefused, match="本通知未规定对单位的处理"):
        integrity_record_create(application_id=app.pk, facts="x", include_unit=True, actor=staff.admin)
    assert "include_unit" not in FraudForm(campaign=app.campaign).fields
    record = integrity_record_create(application_id=app.pk, facts="x", include_unit=False, actor=staff.admin)
    assert record.unit is None and record.person_ban_years == 3
    other = _in_campaign("bz-2024-zhijian")
    assert "include_unit" in FraudForm(campaign=other.campaign).fields
    record = integrity_record_create(application_id=other.pk, facts="x", include_unit=True, actor=staff.admin)
    assert (record.unit_ban_years, record.unit_banned_until) == (3, dt.date(2027, 12, 31))


def test_an_ended_ban_no_longer_refuses(staff, demo_campaign, private_storage):
    app = ApplicationFactory(campaign=demo_campaign)
    fill_sample_application(app)
    IntegrityRecord.objects.create(
        id_number=app.applicant.id_number, name=app.applicant.real_name, campaign=Campaign.objects.get(code="bz-2021-shihua"),
        facts="旧记录", person_ban_years=3, person_banned_until=dt.date(demo_campaign.year - 1, 12, 31))
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    app.refresh_from_db()
    assert app.state == State.UNIT_REVIEW


@pytest.mark.parametrize("state", [State.DRAFT, State.UNIT_REVIEW, State.ACCEPTED, State.FEE_PAID,
                                   State.DEFENSE_SCHEDULED, State.DECIDED])
def test_fraud_closes_the_application_from_any_open_state(staff, accepted, state):
    app = accepted()
    Application.objects.filter(pk=app.pk).update(state=state)
    # One that never reached the committee does not exist for its clerk (review.access): the
    # administrator closes it.
    actor = staff.admin if state in (State.DRAFT, State.UNIT_REVIEW) else staff.clerk
    integrity_record_create(application_id=app.pk, facts="伪造获奖证书", actor=actor)
    app.refresh_from_db()
    assert app.state == State.CLOSED


def test_fraud_on_a_closed_application_is_recorded_without_a_transition(staff, accepted):
    app = accepted()
    Application.objects.filter(pk=app.pk).update(state=State.ABANDONED)
    before = app.history.count()
    record = integrity_record_create(application_id=app.pk, facts="伪造获奖证书", actor=staff.clerk)
    app.refresh_from_db()
    assert app.state == State.ABANDONED and app.history.count() == before and record.pk


def test_fraud_after_certification_revokes_the_certificate(accepted, staff, decided_campaign):
    app = _passed(accepted, staff, decided_campaign)
    result_publicity_set(campaign=decided_campaign, **_period(decided_campaign), actor=staff.clerk)
    certificates_issue(application_ids=[app.pk], actor=staff.clerk)
    integrity_record_create(application_id=app.pk, facts="学历证书系伪造", actor=staff.clerk)
    certificate = Certificate.objects.get(application=app)
    assert certificate.revoked_at is not None and not certificate.is_valid
    app.refresh_from_db()
    assert app.state == State.CERTIFIED


def test_fraud_needs_facts_and_the_right_clerk(staff, accepted):
    app = accepted()
    with pytest.raises(RecordRefused, match="请填写弄虚作假的情况"):
        integrity_record_create(application_id=app.pk, facts="  ", actor=staff.clerk)
    with pytest.raises(RecordRefused):
        integrity_record_create(application_id=app.pk, facts="x", actor=staff.other_clerk)
    assert not IntegrityRecord.objects.exists()


def test_the_public_self_check_reveals_no_ones_ban(client, staff, private_storage):
    """Anonymous by design: the self-check never reads the integrity records, even for a banned
    person who is logged in (bans are applied in the checklist and at submission)."""
    app = _in_campaign("bz-2023-jianzhu")
    integrity_record_create(application_id=app.pk, facts="伪造学历", actor=staff.admin)
    for user in (None, app.applicant):
        if user is not None:
            client.force_login(user)
        response = client.post(reverse("applications:selfcheck") + "?campaign=bz-2024-zhijian", form_data())
        verdict = response.context["verdict"]
        assert verdict.eligible is True
        assert not [r for r in verdict.reasons if r.rule in ("person_ban", "unit_ban")]
        assert "被限制申报至2026" not in response.content.decode()
