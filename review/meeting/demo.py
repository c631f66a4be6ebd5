"""Demo data of the committee meeting, through the services like real use: twelve experts in the
demo committee's pool (logins ``zhuanjia01`` … ``zhuanjia12``, the demo password and the demo
second factor), and a meeting in its review period with one group of 9 members and 3 alternates
drawn with a recorded seed, before which the demo's applications after the defense are put
(杨帆, exempt; 赵磊, scheduled).  One expert works at 杨帆's unit: recused automatically, an
alternate steps in.  Idempotent: an existing demo meeting is left alone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from applications.demo import DEMO_PASSWORD
from applications.models import Application, Campaign
from applications.states import State
from portal.accounts.demo import second_factor_demo_set
from portal.accounts.models import Role, User

from . import services
from .models import Expert, Meeting

DEMO_TITLE = "演示评审会"
DEMO_SEED = 20260601
EXPERTS = [
    ("王建国", "巴州城乡规划设计院", "正高级工程师"), ("李秀英", "新疆巴音学院", "教授"),
    ("张伟", "库尔勒华源建筑工程有限公司", "高级工程师"), ("刘芳", "巴州建设工程质量检测中心", "高级工程师"),
    ("陈磊", "巴州交通勘察设计院", "正高级工程师"), ("阿布都·热合曼", "巴州水利水电勘测设计院", "高级工程师"),
    ("杨丽", "巴州建筑科学研究所", "高级工程师"), ("赵军", "焉耆县住房和城乡建设局", "高级工程师"),
    ("黄敏", "轮台县建筑工程质量监督站", "高级工程师"), ("周强", "和静县市政工程管理处", "高级工程师"),
    ("吴静", "巴州工程造价管理站", "高级工程师"), ("古丽巴哈尔·吐尔逊", "巴州建设工程施工图审查中心", "高级工程师"),
]


def build(*, stdout=None, context: dict | None = None) -> dict:
    campaign = Campaign.objects.filter(code="demo").select_related("committee").first()
    clerk = User.objects.filter(username="pingwei").first()
    if campaign is None or clerk is None or Meeting.objects.filter(campaign=campaign, title=DEMO_TITLE).exists():
        return {}
    today = timezone.localdate()
    users = []
    for n, (name, unit, title) in enumerate(EXPERTS, 1):
        username = f"zhuanjia{n:02d}"
        expert = Expert.objects.filter(committee=campaign.committee, name=name, unit_name=unit).first()
        if expert is None:
            expert = services.expert_save(committee=campaign.committee, actor=clerk, name=name, unit_name=unit,
                                          series="工程系列", specialties="建筑、电力", title=title,
                                          term_start=today - dt.timedelta(days=400),
                                          term_end=today + dt.timedelta(days=600), username=username)
        user = expert.user or User.objects.get(username=username)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        users.append(user)
    second_factor_demo_set(users)
    now = timezone.now()
    meeting = services.meeting_create(campaign=campaign, actor=clerk, title=DEMO_TITLE, date=today,
                                      review_start=now - dt.timedelta(hours=1), review_end=now + dt.timedelta(days=14))
    group = services.group_save(meeting=meeting, actor=clerk, name="建筑电力组", size=9, alternates=3)
    services.panel_draw(meeting=meeting, actor=clerk, seed=DEMO_SEED)
    ids = list(Application.objects.filter(campaign=campaign, state__in=(State.DEFENSE_EXEMPT, State.DEFENSE_SCHEDULED))
               .values_list("pk", flat=True))
    if ids:
        services.agenda_set(meeting=meeting, group=group, application_ids=ids, actor=clerk)
    if stdout is not None:
        stdout.write(f"评审会：{DEMO_TITLE}（随机种子{DEMO_SEED}，{len(ids)}份申报）；专家账号 zhuanjia01—zhuanjia12"
                     f"（{str(Role.EXPERT.label)}，密码与两步验证同上）")
    return {"meeting_demo": meeting.pk}


__all__ = ["build"]
