"""003 八（四）"申报材料由单位统一报送至巴州市场监督管理局，个人报送材料一律不予受理" (P2-12): a paper
receipt for 003 names the unit that delivered it, the applicant's unit or its competent unit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.models import Campaign, Level, Specialty
from review.aftercare.models import PaperReceipt
from review.aftercare.services import RecordRefused, paper_receipts_record
from tests.applications.rules_support import notice
from tests.factories import UnitFactory

DAY = dt.date(2024, 9, 20)
NOW = dt.datetime(2024, 9, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _003(accepted):
    competent = UnitFactory(name="巴州市场监督管理局（测试）")
    return accepted(campaign=Campaign.objects.get(code="bz-2024-zhijian"), level=Level.objects.get(code="intermediate"),
                    specialty=Specialty.objects.get(series__name="工程系列", name="质量技术监督"),
                    unit=UnitFactory(competent_unit=competent))


def test_003_paper_from_an_individual_is_refused(accepted, staff):
    assert "个人报送材料一律不予受理" in notice("bz-2024-zhijian")
    app = _003(accepted)
    items = ["《申报人员花名册》"]
    with pytest.raises(RecordRefused, match="个人报送材料一律不予受理（通知八（四））"):
        paper_receipts_record(application_id=app.pk, item_names=items, received_on=DAY, actor=staff.admin, now=NOW)
    with pytest.raises(RecordRefused, match="报送单位须为申报人所在单位或其主管单位"):
        paper_receipts_record(application_id=app.pk, item_names=items, received_on=DAY, actor=staff.admin, now=NOW,
                              delivered_by=UnitFactory())
    paper_receipts_record(application_id=app.pk, item_names=items, received_on=DAY, actor=staff.admin, now=NOW,
                          delivered_by=app.unit.competent_unit)
    assert PaperReceipt.objects.get(application=app).delivered_by == app.unit.competent_unit


def test_000_paper_needs_no_delivering_unit(accepted, staff):
    app = accepted()  # the demo campaign (000's rules): individuals may hand in
    now = timezone.now()
    paper_receipts_record(application_id=app.pk, item_names=["《申报人员花名册》"], received_on=timezone.localdate(),
                          actor=staff.admin, now=now, override_reason="测试")
    assert PaperReceipt.objects.get(application=app).delivered_by is None


@time_machine.travel(NOW, tick=False)
def test_003_clerk_form_asks_who_delivered(client, accepted, staff):
    app = _003(accepted)
    client.force_login(staff.other_clerk)
    page = client.get(reverse("aftercare:application", args=[app.pk])).content.decode()
    assert "报送单位" in page and "巴州市场监督管理局（测试）" in page
    url = reverse("aftercare:paper_record", args=[app.pk])
    refused = client.post(url, {"items": ["《申报人员花名册》"], "received_on": DAY.isoformat()})
    assert refused.status_code == 400 and "个人报送材料一律不予受理" in refused.content.decode()
    done = client.post(url, {"items": ["《申报人员花名册》"], "received_on": DAY.isoformat(),
                             "delivered_by": str(app.unit.pk)})
    assert done.status_code == 302 and PaperReceipt.objects.get(application=app).delivered_by == app.unit
