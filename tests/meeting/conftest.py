"""A committee meeting ready to sit: 15 experts in the demo committee's pool (each with a login),
one group of 9 members and 3 alternates drawn with a fixed seed, and applications of the demo
campaign after the defense (junior: exempt), one of them from the unit of a drawn member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from applications.models import Level
from applications.states import State
from portal.accounts.models import Role
from review.meeting import services
from review.meeting.models import Expert, Meeting, MembershipKind, PanelGroup
from tests.aftercare.conftest import put_accepted, results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.factories import ApplicantFactory, ApplicationFactory, ClerkFactory, UnitFactory, UserFactory

SEED = 20260601


@dataclass
class Sitting:
    clerk: object
    meeting: Meeting
    group: PanelGroup
    experts: list[Expert]
    members: list[Expert] = field(default_factory=list)
    alternates: list[Expert] = field(default_factory=list)
    items: dict = field(default_factory=dict)


def exempt_application(campaign, clerk, unit=None, files=False):
    from applications.samples import fill_sample_application

    app = ApplicationFactory(applicant=ApplicantFactory(), unit=unit or UnitFactory(), campaign=campaign,
                             level=Level.objects.get(code="junior"))
    fill_sample_application(app, with_files=files)
    app = to_fee_paid(put_accepted(app), clerk)
    assert app.state == State.DEFENSE_EXEMPT
    return app


def make_experts(committee, clerk, n=15, today=None):
    today = today or timezone.localdate()
    experts = []
    for i in range(n):
        unit = UnitFactory()
        user = UserFactory(role=Role.EXPERT, committee=committee)
        expert = services.expert_save(committee=committee, actor=clerk, name=f"专家{i + 1}号", unit_name=unit.name,
                                      series="工程系列", specialties="建筑", title="高级工程师",
                                      term_start=today - dt.timedelta(days=365), term_end=today + dt.timedelta(days=365))
        Expert.objects.filter(pk=expert.pk).update(user=user)
        expert.refresh_from_db()
        experts.append(expert)
    return experts


@pytest.fixture
def sitting(demo_campaign, private_storage):
    demo_campaign.timeline = results_timeline(demo_campaign)
    clerk = ClerkFactory()
    committee = demo_campaign.committee
    experts = make_experts(committee, clerk)
    now = timezone.now()
    meeting = services.meeting_create(campaign=demo_campaign, actor=clerk, title="2026年度评审会",
                                      date=timezone.localdate(), review_start=now - dt.timedelta(days=1),
                                      review_end=now + dt.timedelta(days=1))
    group = services.group_save(meeting=meeting, actor=clerk, name="建筑组", size=9, alternates=3,
                                specialties="建筑")
    services.panel_draw(meeting=meeting, actor=clerk, seed=SEED)
    rows = list(group.memberships.order_by("kind", "order").select_related("expert__unit"))
    s = Sitting(clerk=clerk, meeting=meeting, group=group, experts=experts,
                members=[m.expert for m in rows if m.kind == MembershipKind.MEMBER],
                alternates=[m.expert for m in rows if m.kind == MembershipKind.ALTERNATE])
    apps = {"plain": exempt_application(demo_campaign, clerk), "fail": exempt_application(demo_campaign, clerk),
            "recused": exempt_application(demo_campaign, clerk, unit=s.members[3].unit)}
    items = services.agenda_set(meeting=meeting, group=group, application_ids=[a.pk for a in apps.values()],
                                actor=clerk)
    by_app = {i.application_id: i for i in items}
    s.items = {key: by_app[a.pk] for key, a in apps.items()}
    meeting.refresh_from_db()
    s.meeting = meeting
    return s


def declare_all(s: Sitting) -> None:
    for expert in s.members + s.alternates:
        services.declaration_make(meeting=s.meeting, user=expert.user, statement="本人承诺遵守回避与保密规定。")


def open_with(s: Sitting, present: list[Expert], chair: Expert | None = None) -> None:
    services.meeting_open(meeting=s.meeting, actor=s.clerk, chair=chair or s.members[0])
    services.attendance_record(meeting=s.meeting, actor=s.clerk, present_ids_=[e.pk for e in present])
    s.meeting.refresh_from_db()
