"""The meeting's pages: an expert sees only their group's applications, only in the review
period, only after declaring, only blind; other experts, clerks of other committees and
everyone after the period get 404.  The clerk's pages run the meeting and show turnout only
while a ballot is open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.urls import reverse

from portal.accounts.models import Role
from review.meeting import services
from review.meeting.access import expert_may_see
from review.meeting.models import BallotChoice, Expert
from review.meeting.selectors import voters_of
from tests.factories import ClerkFactory, UserFactory
from tests.meeting.conftest import declare_all, exempt_application, make_experts, open_with


def _outsider(sitting):
    drawn = {e.pk for e in sitting.members + sitting.alternates}
    return next(e for e in sitting.experts if e.pk not in drawn)


def test_expert_sees_only_own_group_in_period_after_declaring(sitting, client):
    member = sitting.members[0]
    plain = sitting.items["plain"]
    assert not expert_may_see(member.user, plain.application)  # no declaration yet
    declare_all(sitting)
    assert expert_may_see(member.user, plain.application)
    assert not expert_may_see(_outsider(sitting).user, plain.application)  # not drawn
    assert not expert_may_see(sitting.members[3].user, sitting.items["recused"].application)  # recused
    assert expert_may_see(sitting.alternates[0].user, sitting.items["recused"].application)  # stepped in
    assert not expert_may_see(sitting.alternates[1].user, sitting.items["recused"].application)
    assert not expert_may_see(member.user, plain.application, now=sitting.meeting.review_end + dt.timedelta(seconds=1))
    assert not expert_may_see(sitting.clerk, plain.application)

    client.force_login(member.user)
    url = reverse("meeting:package", args=[plain.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    app = plain.application
    assert app.code in html
    secrets = [app.applicant.real_name, app.applicant.id_number, app.snapshot.get("name"), app.snapshot.get("phone"),
               app.snapshot.get("id_number")]
    for secret in filter(None, secrets):
        assert secret not in html  # no name, ID number or phone (the unit stays, as for the clerk)
    client.force_login(_outsider(sitting).user)
    assert client.get(url).status_code == 404
    client.force_login(sitting.members[3].user)
    assert client.get(reverse("meeting:package", args=[sitting.items["recused"].pk])).status_code == 404
    client.force_login(member.user)
    from review.meeting.models import Meeting

    Meeting.objects.filter(pk=sitting.meeting.pk).update(review_end=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(url).status_code == 404  # the review period is over


def test_expert_of_another_committee_gets_404(sitting, client, demo_campaign):
    declare_all(sitting)
    from applications.models import Campaign

    other = Campaign.objects.get(code="bz-2024-zhijian").committee
    stranger = Expert.objects.create(committee=other, name="外委专家", unit_name="某单位", term_start=dt.date(2025, 1, 1),
                                     term_end=dt.date(2027, 1, 1), user=UserFactory(role=Role.EXPERT))
    assert not expert_may_see(stranger.user, sitting.items["plain"].application)
    client.force_login(stranger.user)
    assert client.get(reverse("meeting:package", args=[sitting.items["plain"].pk])).status_code == 404
    assert client.get(reverse("meeting:ballot", args=[sitting.items["plain"].pk])).status_code == 404
    client.force_login(ClerkFactory(committee=other))
    assert client.get(reverse("meeting:detail", args=[sitting.meeting.pk])).status_code == 404


def test_expert_pages_declare_review_vote(sitting, client):
    member = sitting.members[0]
    client.force_login(member.user)
    assert client.get(reverse("dashboard")).url == reverse("meeting:mine")
    assert client.get(reverse("meeting:mine")).status_code == 200
    plain = sitting.items["plain"]
    assert client.get(reverse("meeting:package", args=[plain.pk])).status_code == 404  # declaration first
    page = client.get(reverse("meeting:declaration", args=[sitting.meeting.pk]))
    assert page.status_code == 200
    client.post(reverse("meeting:declaration", args=[sitting.meeting.pk]), {"agree": "1"})
    assert client.get(reverse("meeting:package", args=[plain.pk])).status_code == 200
    response = client.post(reverse("meeting:opinion", args=[plain.pk]),
                           {"score_achievement": "30", "score_papers": "20", "score_ability": "25", "comment": "良好"})
    assert response.status_code == 302
    assert "其他专家尚未提交意见" in client.get(reverse("meeting:package", args=[plain.pk])).content.decode()

    open_with(sitting, sitting.members[:8])
    services.ballot_open(item=plain, actor=sitting.clerk)
    client.post(reverse("meeting:ballot", args=[plain.pk]), {"choice": "yes"})
    client.post(reverse("meeting:ballot", args=[plain.pk]), {"choice": "no"})  # refused: one ballot
    assert list(BallotChoice.objects.filter(item=plain).values_list("choice", flat=True)) == ["yes"]

    client.force_login(sitting.clerk)
    html = client.get(reverse("meeting:detail", args=[sitting.meeting.pk])).content.decode()
    assert "已投1/8" in html and "同意1" not in html  # turnout only while open


def test_clerk_pages_and_quorum_refusal_message(sitting, client):
    client.force_login(sitting.clerk)
    for name, args in (("meeting:index", []), ("meeting:pool", []), ("meeting:detail", [sitting.meeting.pk])):
        assert client.get(reverse(name, args=args)).status_code == 200
    assert client.get(reverse("meeting:pool_template")).status_code == 200
    services.meeting_open(meeting=sitting.meeting, actor=sitting.clerk, chair=sitting.members[0])
    client.post(reverse("meeting:attendance", args=[sitting.meeting.pk]),
                {"present": [e.pk for e in sitting.members[:5]]})
    response = client.post(reverse("meeting:ballot_action", args=[sitting.meeting.pk, sitting.items["plain"].pk, "open"]),
                           follow=True)
    assert "未达到法定人数" in response.content.decode()
    client.force_login(sitting.members[0].user)
    assert client.get(reverse("meeting:detail", args=[sitting.meeting.pk])).status_code == 404


def test_panel_defense_scores_mean_replaces_clerk_entry(sitting, demo_campaign):
    from applications.models import Level
    from review.aftercare.models import DefenseRecord
    from review.aftercare.services import defense_schedule, defense_session_save
    from tests.aftercare.conftest import put_accepted
    from tests.aftercare.test_defense import to_fee_paid
    from tests.factories import ApplicantFactory, ApplicationFactory, UnitFactory

    demo_campaign.defense_scored = True
    demo_campaign.save(update_fields=["defense_scored"])
    from applications.samples import fill_sample_application

    app = ApplicationFactory(applicant=ApplicantFactory(), unit=UnitFactory(), campaign=demo_campaign,
                             level=Level.objects.get(code="intermediate"))
    fill_sample_application(app, with_files=False)
    app = to_fee_paid(put_accepted(app), sitting.clerk)
    record = DefenseRecord.objects.get(application=app)
    if record.exempt:
        pytest.skip("the sample intermediate application is exempt in this campaign")
    session = defense_session_save(campaign=demo_campaign, actor=sitting.clerk, specialty=app.specialty,
                                  date=demo_campaign.timeline.defense_start, time_slot="上午")
    defense_schedule(application_ids=[app.pk], session=session, actor=sitting.clerk)
    # The agenda is set while preparing; put this one in too.
    (item,) = services.agenda_set(meeting=sitting.meeting, group=sitting.group, application_ids=[app.pk],
                                  actor=sitting.clerk)
    declare_all(sitting)
    for expert, score in zip(sitting.members[:3], ("80", "85", "90.5"), strict=True):
        services.defense_score_record(item=item, user=expert.user, score=score)
    record.refresh_from_db()
    assert str(record.score) == "85.2"  # (80 + 85 + 90.5) / 3 = 85.17
    assert len(voters_of(item)) == 0  # nobody present yet: nobody votes


def test_experts_in_other_group_see_nothing(demo_campaign, private_storage):
    from tests.aftercare.conftest import results_timeline

    demo_campaign.timeline = results_timeline(demo_campaign)
    clerk = ClerkFactory()
    experts = make_experts(demo_campaign.committee, clerk, n=8)
    from django.utils import timezone

    now = timezone.now()
    meeting = services.meeting_create(campaign=demo_campaign, actor=clerk, title="两组", date=timezone.localdate(),
                                      review_start=now - dt.timedelta(hours=1), review_end=now + dt.timedelta(hours=1))
    first = services.group_save(meeting=meeting, actor=clerk, name="一组", size=3, alternates=1)
    services.group_save(meeting=meeting, actor=clerk, name="二组", size=3, alternates=1)
    services.panel_draw(meeting=meeting, actor=clerk, seed=5)
    app = exempt_application(demo_campaign, clerk)
    services.agenda_set(meeting=meeting, group=first, application_ids=[app.pk], actor=clerk)
    first_ids = set(first.memberships.values_list("expert_id", flat=True))
    for expert in experts:
        if expert.memberships.exists():
            services.declaration_make(meeting=meeting, user=expert.user, statement="承诺")
    seen = {e.pk for e in experts if expert_may_see(e.user, app)}
    assert seen and seen < first_ids  # members of group 1 (not its alternate), never group 2


def test_leak_audit_as_each_expert_finds_nothing(sitting, client, demo_campaign):
    """Every page an expert can reach, as each drawn expert: no applicant's name, ID number or
    phone; scans only as masked copies; the photo never."""
    from review.access import blind_may_open

    with_files = exempt_application(demo_campaign, sitting.clerk, files=True)
    (item,) = services.agenda_set(meeting=sitting.meeting, group=sitting.group, application_ids=[with_files.pk],
                                  actor=sitting.clerk)
    declare_all(sitting)
    items = [*sitting.items.values(), item]
    secrets = set()
    for agenda_item in items:
        app = agenda_item.application
        secrets |= {app.applicant.real_name, app.applicant.id_number, "13900000000"}
    opened = 0
    for expert in sitting.members + sitting.alternates:
        client.force_login(expert.user)
        pages = [reverse("meeting:mine"), reverse("meeting:declaration", args=[sitting.meeting.pk])]
        pages += [reverse("meeting:package", args=[i.pk]) for i in items]
        pages += [reverse("meeting:ballot", args=[i.pk]) for i in items]
        for url in pages:
            response = client.get(url)
            if response.status_code != 200:
                assert response.status_code == 404, url
                continue
            html = response.content.decode()
            for secret in secrets:
                assert secret not in html, (expert.name, url, secret)
        if expert_may_see(expert.user, with_files):
            for scan in with_files.attachments.all():
                response = client.get(reverse("meeting:package_scan", args=[item.pk, scan.pk]))
                if blind_may_open(scan):
                    assert response.status_code == 200
                    served = b"".join(response.streaming_content)
                    with scan.reviewer_file.open("rb") as fh:
                        assert served == fh.read()  # the masked copy, never the original of a named page
                    opened += 1
                else:
                    assert response.status_code == 404, scan.slot
    assert opened > 0
    assert with_files.attachments.filter(slot="photo").exists()
