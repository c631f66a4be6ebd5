"""The meeting's demo: twelve experts with logins, a meeting drawn with its seed, the demo's
applications after the defense before it, an automatic recusal; building it twice changes nothing."""

from __future__ import annotations

from applications import demo as applications_demo
from review import demo as review_demo
from review.aftercare import demo as aftercare_demo
from review.meeting import demo as meeting_demo
from review.meeting.access import expert_may_see
from review.meeting.models import Expert, Meeting, Recusal
from review.meeting.services import declaration_make, draw_reproduce


def _build():
    context: dict = {}
    for builder in (applications_demo, review_demo, aftercare_demo, meeting_demo):
        context.update(builder.build(context=context) or {})


def test_meeting_demo(client, reference, private_storage):
    _build()
    meeting = Meeting.objects.get(title=meeting_demo.DEMO_TITLE)
    assert Expert.objects.filter(committee=meeting.committee).count() == 12
    draw = meeting.draws.get()
    assert draw.seed == meeting_demo.DEMO_SEED and draw_reproduce(draw)
    names = set(meeting.items.values_list("application__applicant__real_name", flat=True))
    assert {"杨帆", "赵磊"} <= names
    recusal = Recusal.objects.get(item__meeting=meeting)
    assert recusal.expert.name == "张伟" and recusal.item.application.applicant.real_name == "杨帆"
    expert = Expert.objects.get(user__username="zhuanjia01")
    item = meeting.items.first()
    declaration_make(meeting=meeting, user=expert.user, statement="承诺")
    assert expert_may_see(expert.user, item.application) == (expert.pk != recusal.expert_id)
    assert expert.user.check_password(applications_demo.DEMO_PASSWORD)
    _build()
    assert Meeting.objects.filter(title=meeting_demo.DEMO_TITLE).count() == 1
