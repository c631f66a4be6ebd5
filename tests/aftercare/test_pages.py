"""The after-acceptance pages: scope (404 outside it), forms through the services with what was
typed kept on refusal, and query counts that do not grow with the list."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Level, Specialty
from portal import tallies
from applications.states import State
from review.aftercare.models import Certificate, FeePayment, IntegrityRecord, PaperReceipt
from review.aftercare.render import certificate_render
from review.aftercare.services import (
    certificates_issue,
    decisions_record,
    defense_exemptions_apply,
    defense_schedule,
    defense_session_save,
    fee_payment_record,
    integrity_record_create,
    paper_receipts_record,
    result_publicity_set,
)
from review.aftercare.views import lists
from review.documents.models import Document
from review.documents.render import document_render
from tests.aftercare.conftest import move_window, results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.factories import ApplicantFactory, CountyOfficerFactory, UnitFactory, UnitOfficerFactory

TODAY = timezone.localdate


def _days(n):
    return TODAY() + dt.timedelta(days=n)


def _url(name, *args, campaign="demo"):
    return reverse(f"aftercare:{name}", args=args) + f"?campaign={campaign}"


def _count(client, url) -> int:
    """The queries of a page once the caches are warm (the campaign's settings, the figures):
    what every request but the first after a change costs."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


# -- scope ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["index", "fees", "defense", "results", "certificates", "integrity"])
def test_clerk_pages_are_404_for_applicants_and_units(client, accepted, name):
    app = accepted()
    for user in (app.applicant, UnitOfficerFactory(unit=app.unit), CountyOfficerFactory()):
        client.force_login(user)
        assert client.get(_url(name)).status_code == 404


def test_another_committees_clerk_cannot_open_or_act_on_an_application(client, accepted, staff):
    app = accepted()
    client.force_login(staff.other_clerk)
    assert client.get(reverse("aftercare:application", args=[app.pk])).status_code == 404
    items = list(app.campaign.paper_items.values_list("name", flat=True))
    response = client.post(reverse("aftercare:paper_record", args=[app.pk]),
                           {"items": items, "received_on": TODAY().isoformat()})
    assert response.status_code == 404
    # Their own roster does not list it either, whichever campaign they ask for.
    assert app.code not in client.get(_url("index")).content.decode()
    assert not PaperReceipt.objects.exists()


def test_the_clerk_sees_names_on_the_roster(client, accepted, staff):
    app = accepted()
    client.force_login(staff.clerk)
    page = client.get(_url("index")).content.decode()
    assert app.applicant.real_name in page and app.code in page and app.unit.name in page


# -- forms ---------------------------------------------------------------------------------------

def test_paper_form_records_and_moves_the_state(client, accepted, staff):
    app = accepted()
    client.force_login(staff.clerk)
    items = list(app.campaign.paper_items.values_list("name", flat=True))
    response = client.post(reverse("aftercare:paper_record", args=[app.pk]),
                           {"items": items, "received_on": TODAY().isoformat()}, follow=True)
    assert "已登记纸质材料7项，当前状态：纸质材料已接收" in response.content.decode()
    app.refresh_from_db()
    assert app.state == State.PAPER_RECEIVED


def test_a_refusal_keeps_what_was_typed(client, accepted, staff, demo_campaign):
    move_window(demo_campaign, "fee", -10, -2)
    app = accepted()
    client.force_login(staff.clerk)
    response = client.post(reverse("aftercare:fee_record", args=[app.pk]),
                           {"amount": "380", "paid_on": TODAY().isoformat(), "receipt_number": "SJ-20261122-7"})
    assert response.status_code == 409
    page = response.content.decode()
    assert f"不在缴费时间内（{demo_campaign.fee_window}），逾期不予受理。" in page
    assert 'value="SJ-20261122-7"' in page
    assert not FeePayment.objects.exists()


def test_admin_sees_the_override_field_and_its_reason_is_shown(client, accepted, staff, demo_campaign):
    move_window(demo_campaign, "paper", -10, -2)
    app = accepted()
    client.force_login(staff.clerk)
    assert "override_reason" not in client.get(reverse("aftercare:application", args=[app.pk])).content.decode()
    client.force_login(staff.admin)
    detail = reverse("aftercare:application", args=[app.pk])
    assert "窗口外补录原因（仅管理员）" in client.get(detail).content.decode()
    items = list(app.campaign.paper_items.values_list("name", flat=True))[:2]
    client.post(reverse("aftercare:paper_record", args=[app.pk]),
                {"items": items, "received_on": _days(-3).isoformat(), "override_reason": "邮寄延误，经主任同意"})
    assert "窗口外补录：邮寄延误，经主任同意" in client.get(detail).content.decode()


def test_bulk_paper_receipt_from_the_roster(client, accepted, staff):
    apps = [accepted(), accepted()]
    client.force_login(staff.clerk)
    response = client.post(reverse("aftercare:paper_bulk"), {"campaign": "demo", "ids": [a.pk for a in apps],
                                                             "received_on": TODAY().isoformat()}, follow=True)
    assert "已登记2份申报的纸质材料全部接收" in response.content.decode()
    assert {a.state for a in type(apps[0]).objects.filter(pk__in=[a.pk for a in apps])} == {State.PAPER_RECEIVED}


def test_unit_batch_payment_through_the_fee_page(client, accepted, staff):
    unit = UnitFactory(name="巴州测试建筑公司")
    apps = [accepted(unit=unit), accepted(unit=unit, level=Level.objects.get(code="junior"))]
    client.force_login(staff.clerk)
    page = client.get(_url("fees") + f"&unit={unit.pk}").content.decode()
    assert 'value="600"' in page or 'value="600.00"' in page  # 380 + 220 suggested
    response = client.post(reverse("aftercare:fee_batch"), {
        "campaign": "demo", "unit": unit.pk, "ids": [a.pk for a in apps], "amount": "600", "paid_on": TODAY().isoformat(),
        "receipt_number": "PL-77"}, follow=True)
    assert "已登记巴州测试建筑公司批量缴费600.00元（2人，收据号PL-77）" in response.content.decode()
    assert FeePayment.objects.filter(batch__receipt_number="PL-77").count() == 2


def test_a_large_units_batch_lists_the_first_ones_then_the_rest(client, accepted, staff, monkeypatch):
    """Issue 16: the batch form lists at most ``UNPAID_SHOWN`` of a unit (the page stays the same
    size); once they are recorded the rest are listed."""
    from review.aftercare import selectors

    monkeypatch.setattr(selectors, "UNPAID_SHOWN", 2)
    monkeypatch.setattr(lists, "UNPAID_SHOWN", 2)
    unit = UnitFactory(name="巴州测试建筑公司")
    apps = [accepted(unit=unit) for _ in range(3)]
    client.force_login(staff.clerk)
    page = client.get(_url("fees") + f"&unit={unit.pk}").content.decode()
    form = page.split('data-testid="batch-form"')[1].split("</form>")[0]
    listed = re.findall(r'name="ids" value="(\d+)"', form)
    assert listed == [str(a.pk) for a in apps[:2]] and "按提交顺序列出前2人" in form
    assert 'value="760"' in form or 'value="760.00"' in form  # the listed ones' 2 × 380
    client.post(reverse("aftercare:fee_batch"), {"campaign": "demo", "unit": unit.pk, "ids": listed, "amount": "760",
                                                 "paid_on": TODAY().isoformat(), "receipt_number": "PL-78"})
    form = client.get(_url("fees") + f"&unit={unit.pk}").content.decode().split('data-testid="batch-form"')[1]
    assert re.findall(r'name="ids" value="(\d+)"', form.split("</form>")[0]) == [str(apps[2].pk)]
    assert "按提交顺序列出前" not in form.split("</form>")[0]


def test_fee_list_pages_while_totals_count_every_row(client, accepted, staff, monkeypatch):
    monkeypatch.setattr(lists, "FEE_PAGE_SIZE", 2)
    apps = [accepted() for _ in range(3)]
    client.force_login(staff.clerk)
    first = client.get(_url("fees")).content.decode()
    # 下一页 carries a cursor (keyset paging: no OFFSET however deep), the campaign and the number.
    link = re.search(r'href="\?([^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    assert link.startswith("campaign=demo&after=") and link.endswith("&page=2")
    second = client.get(reverse("aftercare:fees") + "?" + link).content.decode()
    listed = [[a.code for a in apps if f'data-application="{a.code}"' in page] for page in (first, second)]
    assert [len(codes) for codes in listed] == [2, 1] and not set(listed[0]) & set(listed[1])
    assert "第 1 / 2 页，共 3 份" in first and "第 2 / 2 页，共 3 份" in second
    assert client.get(_url("fees") + "&page=2").content.decode().count('data-application="') == 1  # a bookmark
    # 合计 covers all three on either page: 3 × 380 元 due, none paid.
    for page in (first, second):
        overall = page.split('data-testid="fee-totals"')[1].split("<tfoot>")[1].split("</tfoot>")[0]
        assert re.findall(r"<th[^>]*>([^<]*)</th>", overall) == ["合计", "3", "1140", "0", "0.00", "3", "1140.00"]


def test_fraud_form_needs_confirmation_then_closes(client, accepted, staff):
    app = accepted()
    client.force_login(staff.clerk)
    url = reverse("aftercare:fraud", args=[app.pk])
    response = client.post(url, {"facts": "伪造继续教育证书"})
    assert response.status_code == 400 and "请确认已查实" in response.content.decode()
    assert not IntegrityRecord.objects.exists()
    response = client.post(url, {"facts": "伪造继续教育证书", "confirm": "on", "include_unit": "on"}, follow=True)
    assert "已记入诚信档案" in response.content.decode()
    app.refresh_from_db()
    assert app.state == State.CLOSED
    record = IntegrityRecord.objects.get()
    assert record.unit == app.unit
    integrity = client.get(reverse("aftercare:integrity")).content.decode()
    assert app.applicant.id_number in integrity and "伪造继续教育证书" in integrity


# -- the applicant and the unit --------------------------------------------------------------------

def test_applicant_and_unit_see_what_paper_is_missing(client, accepted, staff):
    app = accepted()
    items = list(app.campaign.paper_items.values_list("name", flat=True))

    paper_receipts_record(application_id=app.pk, item_names=items[:5], received_on=TODAY(), actor=staff.clerk)
    client.force_login(app.applicant)
    page = client.get(reverse("aftercare:mine", args=[app.code])).content.decode()
    assert "还缺2项" in page and items[5] in page and items[6] in page
    assert "应缴380元，尚未登记缴费" in page
    client.force_login(UnitOfficerFactory(unit=app.unit))
    page = client.get(reverse("aftercare:unit")).content.decode()
    assert items[5] in page and "未缴 380元" in page
    # Someone else's application is not there for them.
    client.force_login(ApplicantFactory())
    assert client.get(reverse("aftercare:mine", args=[app.code])).status_code == 404
    client.force_login(UnitOfficerFactory())
    assert app.code not in client.get(reverse("aftercare:unit")).content.decode()


def test_applicant_home_links_after_acceptance_progress(client, accepted):
    app = accepted()
    client.force_login(app.applicant)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("aftercare:mine", args=[app.code]) in page


# -- query counts ----------------------------------------------------------------------------------

_receipts = itertools.count(1)


def _grow(accepted, staff, n, unit):
    for i in range(n):
        app = accepted(unit=unit)
        items = list(app.campaign.paper_items.values_list("name", flat=True))
        paper_receipts_record(application_id=app.pk, item_names=items[: 1 + i % 7], received_on=TODAY(),
                              actor=staff.clerk)
        if i % 2:
            fee_payment_record(application_id=app.pk, amount=380, paid_on=TODAY(), receipt_number=f"G-{next(_receipts)}",
                               actor=staff.clerk)


@pytest.mark.parametrize("name", ["index", "fees", "defense", "results", "certificates"])
def test_clerk_list_queries_do_not_grow(client, accepted, staff, name):
    unit = UnitFactory()
    client.force_login(staff.clerk)
    _grow(accepted, staff, 3, unit)
    small = _count(client, _url(name))
    _grow(accepted, staff, 9, unit)
    assert _count(client, _url(name)) == small


def test_unit_and_integrity_queries_do_not_grow(client, accepted, staff):
    unit = UnitFactory()
    officer = UnitOfficerFactory(unit=unit)
    _grow(accepted, staff, 2, unit)
    integrity_record_create(application_id=accepted(unit=unit).pk, facts="x", actor=staff.clerk)
    client.force_login(officer)
    small_unit = _count(client, reverse("aftercare:unit"))
    client.force_login(staff.clerk)
    small_integrity = _count(client, reverse("aftercare:integrity"))
    _grow(accepted, staff, 6, unit)
    for _ in range(4):
        integrity_record_create(application_id=accepted(unit=unit).pk, facts="y", actor=staff.clerk)
    client.force_login(officer)
    assert _count(client, reverse("aftercare:unit")) == small_unit
    client.force_login(staff.clerk)
    assert _count(client, reverse("aftercare:integrity")) == small_integrity


def test_defense_and_results_pages_with_sessions_and_decisions_stay_constant(client, accepted, staff, demo_campaign):
    timeline = results_timeline(demo_campaign)
    session = defense_session_save(campaign=demo_campaign, actor=staff.clerk,
                                   specialty=Specialty.objects.get(series__name="工程系列", name="建筑"),
                                   date=demo_campaign.defense_start, time_slot="上午")
    client.force_login(staff.clerk)

    def grow(n):
        for _ in range(n):
            app = to_fee_paid(accepted(), staff.clerk)
            defense_schedule(application_ids=[app.pk], session=session, actor=staff.clerk)
            junior = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
            decisions_record(application_ids=[junior.pk], result="pass", meeting_date=timeline.meeting,
                             actor=staff.clerk)

    grow(2)
    counts = [_count(client, _url("defense")), _count(client, _url("results")), _count(client, _url("certificates")),
              _count(client, reverse("aftercare:session", args=[session.pk]))]
    grow(5)
    assert [_count(client, _url("defense")), _count(client, _url("results")), _count(client, _url("certificates")),
            _count(client, reverse("aftercare:session", args=[session.pk]))] == counts


# -- the defense pages ------------------------------------------------------------------------------

def test_defense_page_lists_recent_sessions_only_and_the_sessions_list_pages_them_all(
        client, accepted, staff, demo_campaign, monkeypatch):
    """Issue 16: a specialty's sessions grow with the campaign; the defense page shows those from
    two weeks ago on, at most ``DEFENSE_SESSIONS_SHOWN``, with a link to the paged list of all."""
    from review.aftercare import selectors
    from review.aftercare.models import DefenseSession

    monkeypatch.setattr(lists, "SESSIONS_PAGE_SIZE", 4)
    to_fee_paid(accepted(), staff.clerk)
    specialty = Specialty.objects.get(series__name="工程系列", name="建筑")
    today = timezone.localdate()

    def add(days: list[int]):
        DefenseSession.objects.bulk_create([DefenseSession(campaign=demo_campaign, specialty=specialty,
                                                           date=today + dt.timedelta(days=d), time_slot=f"上午{d}")
                                            for d in days])
        tallies.changed([demo_campaign.pk])  # what the services' audit record does (portal.tallies)

    add([-30, -20, -3, 1])
    client.force_login(staff.clerk)
    small = _count(client, _url("defense"))
    add([-40, -15, *range(2, 14)])  # 18 in all: 2 weeks ago or later, 15; shown, DEFENSE_SESSIONS_SHOWN
    client.get(_url("defense"))  # the figures the change marked are computed again, as by _count
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url("defense")).content.decode()
    assert len(queries) == small
    shown = re.findall(r'<li data-session="(\d+)">', page)
    assert len(shown) == selectors.DEFENSE_SESSIONS_SHOWN
    recent = DefenseSession.objects.filter(campaign=demo_campaign, date__gte=today - dt.timedelta(days=14))
    first = recent.order_by("date", "time_slot", "id").values_list("pk", flat=True)[:len(shown)]
    assert shown == [str(pk) for pk in first]
    assert "全部18场" in page
    link = re.search(r'href="([^"]*/defense/sessions/\?[^"]*)">全部18场', page).group(1).replace("&amp;", "&")
    # The sessions list: every session once, in date order, by 下一页 (cursor) links.
    listed, url = [], link
    while url:
        html = client.get(url).content.decode()
        listed += re.findall(r'<tr data-session="(\d+)">', html)
        nxt = re.search(r'<a href="(\?[^"]*)" rel="next"', html)
        url = reverse("aftercare:sessions") + nxt.group(1).replace("&amp;", "&") if nxt else None
    every = DefenseSession.objects.filter(campaign=demo_campaign).order_by("date", "time_slot", "id")
    assert listed == [str(pk) for pk in every.values_list("pk", flat=True)]
    assert "已举行" in client.get(link).content.decode()
    # A defense held five weeks ago, recorded now: shown (first by date), its people can be placed.
    late = DefenseSession.objects.create(campaign=demo_campaign, specialty=specialty,
                                         date=today - dt.timedelta(days=35), time_slot="下午")
    tallies.changed([demo_campaign.pk])
    page = client.get(_url("defense")).content.decode()
    assert re.findall(r'<li data-session="(\d+)">', page)[0] == str(late.pk)
    assert f'<option value="{late.pk}">' in page



def test_defense_page_shows_grounds_and_the_panel_list_has_codes_only(client, accepted, staff, demo_campaign):
    junior = accepted(level=Level.objects.get(code="junior"))
    attendee = to_fee_paid(accepted(), staff.clerk)
    defense_exemptions_apply(campaign=demo_campaign, actor=staff.clerk)
    client.force_login(staff.clerk)
    page = client.get(_url("defense")).content.decode()
    assert "申报初级专业技术职务任职资格" in page and junior.applicant.real_name in page
    session = defense_session_save(campaign=demo_campaign, actor=staff.clerk,
                                   specialty=Specialty.objects.get(series__name="工程系列", name="建筑"),
                                   date=demo_campaign.defense_start, time_slot="上午 9:30—12:00")
    response = client.post(reverse("aftercare:session_schedule"), {"session": session.pk, "ids": [attendee.pk]},
                           follow=True)
    assert "已安排1人参加答辩" in response.content.decode()
    panel = client.get(reverse("aftercare:session_panel", args=[session.pk])).content.decode()
    assert attendee.code in panel and attendee.applicant.real_name not in panel
    sheet = client.get(reverse("aftercare:session", args=[session.pk])).content.decode()
    assert attendee.code in sheet and attendee.applicant.real_name not in sheet


# -- results publicity list ---------------------------------------------------------------------------

def test_publicity_list_xlsx_names_the_passes(client, accepted, staff, demo_campaign):
    timeline = results_timeline(demo_campaign)
    passed = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
    failed = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
    decisions_record(application_ids=[passed.pk], result="pass", meeting_date=timeline.meeting, actor=staff.clerk)
    decisions_record(application_ids=[failed.pk], result="fail", meeting_date=timeline.meeting, actor=staff.clerk)
    client.force_login(staff.clerk)
    response = client.get(reverse("aftercare:publicity_list", args=["xlsx"]) + "?campaign=demo", follow=True)
    assert "请先设置评审结果公示期" in response.content.decode()
    result_publicity_set(campaign=demo_campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                         actor=staff.clerk)
    # Both files are the worker's (issue 16: the web process reads no row of the list): the page
    # waits, refreshing, and downloads the file once it is ready.
    url = reverse("aftercare:publicity_list", args=["xlsx"]) + "?campaign=demo"
    response = client.get(url)
    assert response.status_code == 200 and "公示名单（Excel）正在生成" in response.content.decode()
    assert client.get(url).content.decode().count("正在生成") >= 1  # a refresh waits for the same render
    assert Document.objects.filter(kind="publicity_list_xlsx").count() == 1
    document_render(document_id=Document.objects.get(kind="publicity_list_xlsx").pk)
    response = client.get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert passed.applicant.real_name in strings and failed.applicant.real_name not in strings
    assert "评审通过人员公示名单" in strings and "助理工程师" in strings and "公示期：" in strings
    # The PDF is the worker's: the page waits for it.
    response = client.get(reverse("aftercare:publicity_list", args=["pdf"]) + "?campaign=demo")
    assert response.status_code == 200 and "公示名单（PDF）正在生成" in response.content.decode()


def test_certificate_downloads_need_scope(client, accepted, staff, demo_campaign):
    timeline = results_timeline(demo_campaign)
    app = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
    decisions_record(application_ids=[app.pk], result="pass", meeting_date=timeline.meeting, actor=staff.clerk)
    result_publicity_set(campaign=demo_campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                         actor=staff.clerk)
    certificates_issue(application_ids=[app.pk], actor=staff.clerk)
    certificate = Certificate.objects.get(application=app)
    client.force_login(app.applicant)
    assert "正在生成" in client.get(reverse("aftercare:my_certificate", args=[app.code])).content.decode()
    certificate_render(certificate_id=certificate.pk)
    response = client.get(reverse("aftercare:my_certificate", args=[app.code]))
    assert response["Content-Type"] == "application/pdf" and b"".join(response.streaming_content)[:5] == b"%PDF-"
    home = client.get(reverse("dashboard")).content.decode()
    assert reverse("aftercare:my_certificate", args=[app.code]) in home
    client.force_login(ApplicantFactory())
    assert client.get(reverse("aftercare:my_certificate", args=[app.code])).status_code == 404
    client.force_login(staff.other_clerk)
    assert client.get(reverse("aftercare:certificate_download", args=[certificate.pk])).status_code == 404
    client.force_login(staff.clerk)
    assert client.get(reverse("aftercare:certificate_download", args=[certificate.pk])).status_code == 200


def test_publicity_list_and_panel_list_queries_do_not_grow(client, accepted, staff, demo_campaign):
    timeline = results_timeline(demo_campaign)
    session = defense_session_save(campaign=demo_campaign, actor=staff.clerk,
                                   specialty=Specialty.objects.get(series__name="工程系列", name="建筑"),
                                   date=demo_campaign.defense_start, time_slot="上午")
    client.force_login(staff.clerk)

    def grow(n):
        for _ in range(n):
            junior = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
            decisions_record(application_ids=[junior.pk], result="pass", meeting_date=timeline.meeting,
                             actor=staff.clerk)
            attendee = to_fee_paid(accepted(), staff.clerk)
            defense_schedule(application_ids=[attendee.pk], session=session, actor=staff.clerk)

    grow(2)
    result_publicity_set(campaign=demo_campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                         actor=staff.clerk)
    xlsx = reverse("aftercare:publicity_list", args=["xlsx"]) + "?campaign=demo"
    panel = reverse("aftercare:session_panel", args=[session.pk])

    def measured():
        # The ready list is older than REUSE_SECONDS (or there is none): the render is asked for.
        Document.objects.filter(kind="publicity_list_xlsx").update(finished_at=timezone.now() - dt.timedelta(hours=1))
        asked = _count(client, xlsx)
        document_render(document_id=Document.objects.filter(kind="publicity_list_xlsx").latest("version").pk)
        served = _count(client, xlsx)  # ready: the file is served
        return [asked, served, _count(client, panel)]

    counts = measured()
    grow(6)
    assert measured() == counts


def test_fee_and_defense_pages_build_no_application_per_row(client, accepted, staff, demo_campaign, monkeypatch):
    """Issue 16: totals, reconciliation and the defense counts are SQL aggregates; the fee list
    builds only its page's applications, the defense page none (``values()`` rows)."""
    from django.db.models.signals import post_init

    from applications.models import Application

    monkeypatch.setattr(lists, "FEE_PAGE_SIZE", 2)
    unit = UnitFactory()
    _grow(accepted, staff, 6, unit)
    defense_exemptions_apply(campaign=demo_campaign, actor=staff.clerk)
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance.pk)

    client.force_login(staff.clerk)
    post_init.connect(count, sender=Application)
    try:
        fees = client.get(_url("fees"))
        fee_instances = len(built)
        built.clear()
        defense = client.get(_url("defense"))
    finally:
        post_init.disconnect(count, sender=Application)
    assert fees.status_code == defense.status_code == 200
    assert fee_instances == 2 and built == []
    overall = fees.content.decode().split('data-testid="fee-totals"')[1].split("<tfoot>")[1].split("</tfoot>")[0]
    assert re.findall(r"<th[^>]*>([^<]*)</th>", overall)[:5] == ["合计", "6", "2280", "3", "1140.00"]
