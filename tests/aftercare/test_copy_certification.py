"""Certified copies (issue 15 item 12): 003 五（一） "所有复印件材料，由所在单位人事（职称）部门审核后
加盖公章，并签署“已审核，与原件相符”意见" and 002 五（三） "需加盖…“与原件一致”以及单位公章" are
campaign data (``Campaign.copy_certification``) shown to the applicant, on the paper items that are
copies, and above the clerk's receipt checkboxes."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from applications.models import Campaign, Level, Specialty
from tests.applications.rules_support import notice

PAPER_DAY = dt.datetime(2024, 9, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_003_paper_items_carry_their_endorsement(reference):
    assert "签署“已审核，与原件相符”意见" in notice("bz-2024-zhijian")
    assert "签署“已审核，情况属实”意见并加盖单位公章" in notice("bz-2024-zhijian")
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    items = list(campaign.paper_items.values_list("name", flat=True))
    assert items[2] == "申报人员身份证复印件（单位审核盖章，签署“已审核，与原件相符”）"
    assert items[7] == "业务自传（初次确定为实习期小结；单位签署“已审核，情况属实”并盖章）"
    assert "已审核，与原件相符" in campaign.copy_certification
    assert "“与原件一致”以及单位公章" in Campaign.objects.get(code="yq-2024-chuding").copy_certification
    assert Campaign.objects.get(code="bz-2023-jianzhu").copy_certification == ""


@time_machine.travel(PAPER_DAY, tick=False)
def test_003_copies_must_be_certified_where_they_are_listed(client, accepted, staff):
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    app = accepted(campaign=campaign, level=Level.objects.get(code="intermediate"),
                   specialty=Specialty.objects.get(series__name="工程系列", name="质量技术监督"))
    client.force_login(app.applicant)
    overview = client.get(reverse("applications:overview", args=[app.code])).content.decode()
    assert 'data-testid="copy-certification"' in overview and "已审核，与原件相符" in overview
    client.force_login(staff.other_clerk)  # the clerk of 003's committee
    page = client.get(reverse("aftercare:application", args=[app.pk])).content.decode()
    assert 'data-testid="copy-certification"' in page and "请核对复印件" in page and "已审核，与原件相符" in page


@time_machine.travel(PAPER_DAY, tick=False)
def test_000_has_no_copy_certification_note(client, accepted):
    app = accepted()
    client.force_login(app.applicant)
    overview = client.get(reverse("applications:overview", args=[app.code])).content.decode()
    assert 'data-testid="copy-certification"' not in overview
