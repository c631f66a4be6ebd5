"""Paper items that apply to some applicants only (issue 15, partly-done list; P2-08).

000 五（四） asks 社保缴费证明 of enterprise staff and 发表论文的刊物原件 of those who list papers; 003
八（三） has 初定 applicants deliver 《初聘专业技术职务任职资格呈报表》 alone, not the 15 items of 五（六）;
001's "其它相关材料" never holds the paper back.  Items that do not apply are shown as 不适用 and
cannot be ticked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Campaign, Level, Specialty
from review.aftercare.conditions import paper_status
from review.aftercare.services import RecordRefused, paper_receipts_record, paper_receipts_record_bulk
from tests.applications.rules_support import notice
from tests.factories import UnitFactory


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())


def _app(accepted, code: str, series: str, specialty: str, level: str = "intermediate", kind: str = "review",
         **kwargs):
    return accepted(campaign=Campaign.objects.get(code=code), level=Level.objects.get(code=level), kind=kind,
                    specialty=Specialty.objects.get(series__name=series, name=specialty), **kwargs)


def test_000_institution_staff_owe_no_social_insurance_proof(accepted, staff):
    assert "企业需上传" in notice("bz-2023-jianzhu")
    app = _app(accepted, "bz-2023-jianzhu", "工程系列", "建筑", unit=UnitFactory(nature="institution"),
               unit_nature="institution")
    paper = paper_status(app)
    assert "社保缴费证明" in paper.not_applicable and "社保缴费证明" not in paper.items
    day = dt.date(2023, 9, 22)
    with pytest.raises(RecordRefused, match="“社保缴费证明”对本申报人不适用"):
        paper_receipts_record(application_id=app.pk, item_names=["社保缴费证明"], received_on=day,
                              actor=staff.admin, now=at(day))
    done = paper_receipts_record(application_id=app.pk, item_names=paper.items, received_on=day,
                                 actor=staff.admin, now=at(day))
    assert paper_status(done).complete and done.state != "accepted"
    enterprise = _app(accepted, "bz-2023-jianzhu", "工程系列", "建筑",
                      unit=UnitFactory(nature="private_enterprise"), unit_nature="private_enterprise")
    assert "社保缴费证明" in paper_status(enterprise).items


def test_003_initial_determination_delivers_only_the_chengbao_form(accepted, staff):
    assert "提供纸质材料:《初聘专业技术职务任职资格呈报表》一式两份" in notice("bz-2024-zhijian").replace("：", ":")
    app = _app(accepted, "bz-2024-zhijian", "工程系列", "质量技术监督", level="junior", kind="initial")
    paper = paper_status(app)
    assert paper.items == ["《初聘专业技术职务任职资格呈报表》一式两份", "《申报人员花名册》"]
    assert len(paper.not_applicable) == 15
    review = _app(accepted, "bz-2024-zhijian", "工程系列", "质量技术监督")
    items = paper_status(review).items
    assert "《初聘专业技术职务任职资格呈报表》一式两份" not in items and items[-1] == "《申报人员花名册》"
    # The bulk receipt from the roster ticks what applies to each.
    day = dt.date(2024, 9, 20)
    outcome = paper_receipts_record_bulk(application_ids=[app.pk], received_on=day, actor=staff.admin, now=at(day))
    assert outcome.refused == [] and paper_status(outcome.done[0]).complete


def test_001_optional_item_never_blocks(accepted, staff):
    app = _app(accepted, "bz-2023-dangxiao", "党干校教师系列", "党干校教师")
    paper = paper_status(app)
    assert "其它相关材料" in paper.items and "其它相关材料" in paper.optional
    assert "其它相关材料" not in paper.missing


def test_clerk_page_strikes_out_what_does_not_apply(client, accepted, staff):
    app = _app(accepted, "bz-2024-zhijian", "工程系列", "质量技术监督", level="junior", kind="initial")
    client.force_login(staff.other_clerk)
    page = client.get(reverse("aftercare:application", args=[app.pk])).content.decode()
    assert 'data-testid="paper-not-applicable"' in page and "<s>现实表现政治鉴定材料" in page


def test_003_freelancer_owes_no_unit_nature_proof(accepted):
    """003 五（六）4 "所在单位性质证明1份": a freelancer has no unit."""
    app = _app(accepted, "bz-2024-zhijian", "工程系列", "质量技术监督", unit_nature="freelance")
    paper = paper_status(app)
    assert any(n.startswith("所在单位性质证明") for n in paper.not_applicable)
    assert not any(n.startswith("所在单位性质证明") for n in paper.items)


def test_a_whole_checklist_leaves_out_what_does_not_apply(accepted, staff):
    app = _app(accepted, "bz-2023-jianzhu", "工程系列", "建筑", unit=UnitFactory(nature="institution"),
               unit_nature="institution")
    day = dt.date(2023, 9, 22)
    everything = list(app.campaign.paper_items.values_list("name", flat=True))
    done = paper_receipts_record(application_id=app.pk, item_names=everything, received_on=day, actor=staff.admin,
                                 now=at(day))
    assert "社保缴费证明" not in set(done.paper_receipts.values_list("item_name", flat=True))


def test_fraud_form_says_how_the_ban_is_applied(client, accepted, staff):
    """Where the portal does not follow a clause exactly (bans by series, P2-10), the page says so
    and quotes the notice."""
    app = _app(accepted, "bz-2024-zhijian", "工程系列", "质量技术监督")
    client.force_login(staff.other_clerk)
    page = client.get(reverse("aftercare:application", args=[app.pk])).content.decode()
    assert 'data-testid="ban-scope-note"' in page and "不分系列、级别" in page
    assert app.campaign.clauses["person_ban"][:10] in page


def test_clerk_list_applies_conditions_per_row_without_a_query_per_row(client, accepted, staff):
    """The list reads the sections the conditions need once for its page (``fact_sections``), not
    once per row: 社保缴费证明 counts for the enterprise applicant only, and the page's queries stay
    the same with three rows or eight."""
    def add(nature):
        return _app(accepted, "bz-2023-jianzhu", "工程系列", "建筑", unit=UnitFactory(nature=nature), unit_nature=nature)

    institution, enterprise = add("institution"), add("private_enterprise")
    expected = {app.code: len(paper_status(app).items) for app in (institution, enterprise)}
    assert expected[enterprise.code] == expected[institution.code] + 1
    add("institution")
    client.force_login(staff.admin)
    url = reverse("aftercare:index") + "?campaign=bz-2023-jianzhu"
    client.get(url)  # counted with the caches warm (the campaign's settings, the figures), both times
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    for code, applicable in expected.items():
        row = re.search(rf'<tr data-application="{code}">(.*?)</tr>', page, re.S).group(1)
        assert f'<span class="warn">0/{applicable}</span>' in row
    for nature in ("institution", "private_enterprise") * 2 + ("institution",):
        add(nature)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_unit_progress_leaves_out_what_does_not_apply(client, accepted):
    """The unit's 受理后进度 lists as missing what the applicant still owes, by the same rule as the
    applicant's and the clerk's pages: 社保缴费证明 for the enterprise applicant, not for the
    institution's (the page spans campaigns, each with its own checklist)."""
    from tests.factories import UnitOfficerFactory

    unit = UnitFactory(nature="institution")
    institution = _app(accepted, "bz-2023-jianzhu", "工程系列", "建筑", unit=unit, unit_nature="institution")
    enterprise = _app(accepted, "bz-2023-jianzhu", "工程系列", "建筑", unit=unit, unit_nature="private_enterprise")
    other = _app(accepted, "bz-2024-zhijian", "工程系列", "质量技术监督", unit=unit, level="junior", kind="initial")
    client.force_login(UnitOfficerFactory(unit=unit))
    page = client.get(reverse("aftercare:unit")).content.decode()
    for app in (institution, enterprise, other):
        row = re.search(rf'<tr data-application="{app.code}">(.*?)</tr>', page, re.S).group(1)
        missing = re.findall(r"<li>(.*?)</li>", row)
        assert missing == paper_status(app).missing, app.code
    assert "社保缴费证明" in paper_status(enterprise).missing
    assert "社保缴费证明" not in paper_status(institution).missing
    assert "现实表现政治鉴定材料" not in " ".join(paper_status(other).missing)
