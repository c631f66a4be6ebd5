"""The review pages: scoped queues with filters, search, counts and constant query counts;
approve / return through the forms; batch approval; history; notifications."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from applications import demo as applications_demo
from applications.models import Application, County, Level, ReturnNote, Specialty, StateChange
from applications.samples import fill_sample_application, sample_scan
from applications.selectors import return_notes_by_section
from applications.states import State
from review import demo
from review.demo import approve_at_unit, publicity_dates, publicity_files, revise_for_resubmission
from review.mail import notifications_email
from review.models import Notification
from review.selectors import applications_in_queue_of, queue_options
from review.services import application_transition
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    ClerkFactory,
    CountyOfficerFactory,
    UnitFactory,
    UnitOfficerFactory,
)
from tests.review.conftest import put_in_state


def _queue_rows(unit, n, state=State.UNIT_REVIEW):
    apps = []
    for _ in range(n):
        app = ApplicationFactory(unit=unit)
        put_in_state(app, state)
        if state in (State.COUNTY_REVIEW, State.COMMITTEE_REVIEW):
            StateChange.objects.create(application=app, action="approve", from_state=State.UNIT_REVIEW,
                                       to_state=state, actor_role="unit_officer")
        apps.append(app)
    return apps


@pytest.mark.parametrize("role,state", [("unit", State.UNIT_REVIEW), ("county", State.COUNTY_REVIEW),
                                        ("clerk", State.COMMITTEE_REVIEW)])
def test_queue_query_count_is_constant_as_the_list_grows(client, reference, django_assert_max_num_queries,
                                                         role, state):
    unit = UnitFactory()
    officer = {"unit": lambda: UnitOfficerFactory(unit=unit), "county": lambda: CountyOfficerFactory(county=unit.county),
               "clerk": ClerkFactory}[role]()
    client.force_login(officer)
    url = reverse("review:queue") + f"?state={state}"

    counts = []
    client.get(url)  # the filter's choices are read once and kept (review.forms.queue_options)
    for n in (5, 45):  # 5, then 50 in all: past one page of 20
        _queue_rows(unit, n, state)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[1]):
        assert client.get(url + "&page=3").status_code == 200
    assert "第 3 / 3 页，共 50 份" in client.get(url + "&page=3").content.decode()


def test_queue_rows_escape_what_people_typed_and_show_beijing_time(client, reference):
    """The rows are drawn by Jinja2 (portal.jinja): autoescaped like the rest of the page, and
    times in Beijing time as the Django templates show them (not UTC as stored)."""
    unit = UnitFactory()
    client.force_login(UnitOfficerFactory(unit=unit))
    app = _queue_rows(unit, 1)[0]
    app.applicant.real_name = "<b>张三</b>"
    app.applicant.save(update_fields=["real_name"])
    Application.objects.filter(pk=app.pk).update(submitted_at=dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.timezone.utc),
                                                 submission_count=2)
    page = client.get(reverse("review:queue") + f"?state={State.UNIT_REVIEW}").content.decode()
    assert '<td class="name-cell">&lt;b&gt;张三&lt;/b&gt;</td>' in page and "<b>张三</b>" not in page
    assert "03-03 01:30" in page and "第2次提交" in page
    assert f'href="{reverse("review:detail", args=[app.pk])}"' in page


def test_queue_filter_choices_are_read_once_then_kept_for_a_few_minutes(client, reference):
    """The filter's campaigns, specialties and units come from one read of the queue, kept five
    minutes per officer with their labels: later pages of the queue do not scan it again for them,
    nor read the reference tables."""
    unit = UnitFactory()
    officer = CountyOfficerFactory(county=unit.county)
    client.force_login(officer)
    _queue_rows(unit, 3, State.COUNTY_REVIEW)
    url = reverse("review:queue")
    with CaptureQueriesContext(connection) as first:
        page = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    # Kept: the scan of the queue and the four reads of the choices' labels (campaigns,
    # specialties, levels, units); and the tabs' counts until an application changes (portal.tallies).
    assert len(second.captured_queries) == len(first.captured_queries) - 6
    assert f'<option value="{unit.pk}">{unit.name}</option>' in page
    # A unit new to the queue: its applications are listed at once, its choice after the five minutes.
    other = UnitFactory(county=unit.county)
    _queue_rows(other, 1, State.COUNTY_REVIEW)
    page = client.get(url + f"?state={State.COUNTY_REVIEW}").content.decode()
    assert page.count('data-label="单位"') == 4
    assert f'<option value="{other.pk}">{other.name}</option>' not in page
    cache.clear()  # the five minutes are over (the test's own cache namespace)
    assert (other.pk, other.name) in queue_options(officer, applications_in_queue_of(officer))["unit"]
    assert f'<option value="{other.pk}">{other.name}</option>' in client.get(url).content.decode()
    # Moved to another county: the former county's units are not among the choices, even at once.
    officer.county = County.objects.exclude(pk=unit.county_id).first()
    officer.save()
    moved = client.get(url).content.decode()
    assert unit.name not in moved and other.name not in moved


@pytest.fixture
def two_units(reference):
    korla = County.objects.get(name="库尔勒市")
    mine, theirs = UnitFactory(county=korla), UnitFactory(county=County.objects.get(name="且末县"))
    return mine, theirs


def test_unit_queue_is_scoped_searchable_and_counted(client, two_units):
    mine, theirs = two_units
    own = _queue_rows(mine, 3)
    put_in_state(own[2], State.RETURNED)
    foreign = _queue_rows(theirs, 2)
    draft = ApplicationFactory(unit=mine)  # never submitted: not in any queue
    client.force_login(UnitOfficerFactory(unit=mine))
    page = client.get(reverse("review:queue") + "?state=").content.decode()
    for app in own:
        assert app.code in page
    for app in [*foreign, draft]:
        assert app.code not in page
    assert 'data-state-tab="unit_review"' in page and "已退回 <span class=\"badge\">1</span>" in page
    target = own[0].applicant
    found = client.get(reverse("review:queue"), {"q": target.real_name, "state": ""}).content.decode()
    assert own[0].code in found and own[1].code not in found
    found = client.get(reverse("review:queue"), {"q": target.id_number[-6:], "state": ""}).content.decode()
    assert own[0].code in found and own[1].code not in found
    for app in foreign:
        assert client.get(reverse("review:detail", args=[app.pk])).status_code == 404
        assert client.get(reverse("review:history", args=[app.pk])).status_code == 404
    assert client.get(reverse("review:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("review:detail", args=[999999])).status_code == 404


def test_a_search_finding_more_than_the_count_limit_is_not_counted_in_full(client, two_units, monkeypatch):
    """Over ``COUNT_LIMIT`` matches (2 here) the tabs are the queue's states without numbers and the
    whole search says "2+"; a state's tab still lists and counts its own matches (the pager)."""
    mine, _theirs = two_units
    own = _queue_rows(mine, 4)
    put_in_state(own[3], State.RETURNED)
    monkeypatch.setattr("review.selectors.COUNT_LIMIT", 2)
    monkeypatch.setattr(importlib.import_module("review.views.queue"), "COUNT_LIMIT", 2)  # the module, not the view
    client.force_login(UnitOfficerFactory(unit=mine))
    url = reverse("review:queue")
    page = client.get(url, {"q": "柏", "state": ""}).content.decode()
    assert '全部 <span class="badge">2+</span>' in page
    assert 'data-state-tab="unit_review"' in page and 'data-state-tab="returned"' in page
    assert "待单位审核 <span class=\"badge\">" not in page and "已退回 <span class=\"badge\">" not in page
    assert sum(app.code in page for app in own) == 4  # the page itself lists every match (20 a page)
    assert "共 2 份" not in page  # never a count that stopped at the limit as if it were the total
    in_state = client.get(url, {"q": "柏", "state": State.UNIT_REVIEW}).content.decode()
    assert sum(app.code in in_state for app in own[:3]) == 3 and own[3].code not in in_state
    assert '待单位审核 <span class="badge">3</span>' in in_state  # counted by its pager (limit 500)
    assert "已退回 <span class=\"badge\">" not in in_state
    # Within the limit, every tab is counted as before.
    counted = client.get(url, {"q": own[3].applicant.real_name, "state": ""}).content.decode()
    assert '全部 <span class="badge">1</span>' in counted and "已退回 <span class=\"badge\">1</span>" in counted


def test_queue_filters_by_level_and_specialty(client, two_units):
    mine, _ = two_units
    a, b = _queue_rows(mine, 2)
    junior = Level.objects.get(code="junior")
    power = Specialty.objects.get(series__name="工程系列", name="电力")
    type(b).objects.filter(pk=b.pk).update(level=junior, specialty=power)
    client.force_login(UnitOfficerFactory(unit=mine))
    page = client.get(reverse("review:queue"), {"level": junior.pk, "state": ""}).content.decode()
    assert b.code in page and a.code not in page
    page = client.get(reverse("review:queue"), {"specialty": power.pk, "state": ""}).content.decode()
    assert b.code in page and a.code not in page


@pytest.fixture
def effects(django_capture_on_commit_callbacks):
    """Run on-commit effects (notifications, mail) as each transition commits: the test runs
    inside one transaction that never commits."""
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return run


@pytest.fixture
def at_committee(reference, private_storage, effects):
    """A complete application that climbed to the committee; the unit's comment names the applicant."""
    app = fill_sample_application(ApplicationFactory())
    unit_officer = UnitOfficerFactory(unit=app.unit)
    county_officer = CountyOfficerFactory(county=app.unit.county)
    effects(application_transition, application_id=app.pk, action="submit", actor=app.applicant)
    name, id_number = app.applicant.real_name, app.applicant.id_number
    effects(application_transition, application_id=app.pk, action="return", actor=unit_officer,
                           comment=f"{name}（{id_number}）的学历证书不清晰",
                           data={"notes": [{"section": "education", "text": f"{name}请重新扫描毕业证书"}]})
    revise_for_resubmission(app)
    effects(application_transition, application_id=app.pk, action="resubmit", actor=app.applicant)
    effects(approve_at_unit, app, unit_officer)
    effects(application_transition, application_id=app.pk, action="approve", actor=county_officer,
                           comment=f"同意推荐{name}")
    app.refresh_from_db()
    assert app.state == State.COMMITTEE_REVIEW
    return app


@pytest.fixture
def clerk(reference):
    return ClerkFactory()


def test_committee_pages_never_show_the_name_or_id_number(client, clerk, at_committee):
    app = at_committee
    client.force_login(clerk)
    name, id_number = app.applicant.real_name, app.applicant.id_number
    pages = {
        "queue": reverse("review:queue") + "?state=",
        "detail": reverse("review:detail", args=[app.pk]),
        "history": reverse("review:history", args=[app.pk]),
        "notifications": reverse("review:notifications"),
        "dashboard": reverse("dashboard"),
    }
    for label, url in pages.items():
        html = client.get(url).content.decode()
        assert app.code in html or label == "dashboard", label
        assert name not in html, label
        assert id_number not in html and id_number[:14] not in html, label
    detail = client.get(pages["detail"]).content.decode()
    assert "学历证书不清晰" in detail and "＊＊＊" in detail  # the comment is there, redacted
    assert "本次重新提交修改了什么" in detail and "新上传附件" in detail
    # The committee's search finds codes, not names.
    assert app.code not in client.get(reverse("review:queue"), {"q": name, "state": ""}).content.decode()
    assert app.code in client.get(reverse("review:queue"), {"q": app.code.lower(), "state": ""}).content.decode()
    assert Notification.objects.filter(user=clerk, application=app).count() == 1
    # Scans: the masked copy, never the original; no photo, no publicity scans, no thumbnails.
    diploma = app.attachments.get(slot="diploma")
    body = b"".join(client.get(reverse("review:attachment", args=[diploma.pk])).streaming_content)
    assert body == diploma.masked.open("rb").read() and body != diploma.file.open("rb").read()
    for slot in ("photo", "publicity", "publicity_result"):
        hidden = app.attachments.filter(slot=slot).first()
        assert client.get(reverse("review:attachment", args=[hidden.pk])).status_code == 404, slot


def test_committee_notifications_carry_the_code_only(reference, private_storage, effects):
    clerk = ClerkFactory()
    app = fill_sample_application(ApplicationFactory())
    effects(application_transition, application_id=app.pk, action="submit", actor=app.applicant)
    effects(approve_at_unit, app, UnitOfficerFactory(unit=app.unit))
    county_officer = CountyOfficerFactory(county=app.unit.county)
    effects(application_transition, application_id=app.pk, action="approve", actor=county_officer)
    note = Notification.objects.get(user=clerk)
    assert app.code in note.title and app.applicant.real_name not in note.title + note.body


def _mail_as_the_worker_does():
    """Run the mail task's body on every notification (the worker test runs the real worker)."""
    notifications_email(notification_ids=list(Notification.objects.values_list("pk", flat=True)))


def test_notifications_reach_the_applicant_and_the_next_step_and_mail_is_sent(reference, private_storage,
                                                                              effects):
    app = fill_sample_application(ApplicationFactory())
    app.applicant.email = "a@example.invalid"
    app.applicant.save()
    unit_officer = UnitOfficerFactory(unit=app.unit, email="unit@example.invalid")
    county_officer = CountyOfficerFactory(county=app.unit.county, email="county@example.invalid")
    bystander = UnitOfficerFactory(email="other@example.invalid")
    effects(application_transition, application_id=app.pk, action="submit", actor=app.applicant)
    assert Notification.objects.filter(user=unit_officer, application=app).count() == 1
    assert not mail.outbox  # the request sends nothing: the worker does
    _mail_as_the_worker_does()
    assert {m.to[0] for m in mail.outbox} == {"a@example.invalid", "unit@example.invalid"}
    effects(application_transition, application_id=app.pk, action="return", actor=unit_officer, comment="缺少年度考核表")
    returned = Notification.objects.filter(user=app.applicant).first()
    assert "申报被退回" in returned.title and "缺少年度考核表" in returned.body
    assert timezone.localtime(app.__class__.objects.get(pk=app.pk).return_deadline).strftime("%Y-%m-%d %H:%M") \
        in returned.body
    effects(application_transition, application_id=app.pk, action="resubmit", actor=app.applicant)
    effects(approve_at_unit, app, unit_officer)
    assert Notification.objects.filter(user=county_officer, application=app).count() == 1
    assert not Notification.objects.filter(user=bystander).exists()
    _mail_as_the_worker_does()
    assert "other@example.invalid" not in {m.to[0] for m in mail.outbox}
    assert len([m for m in mail.outbox if m.to == ["a@example.invalid"]]) == 4  # each sent once, never again


def test_officer_approves_and_returns_through_the_forms(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    officer = UnitOfficerFactory(unit=app.unit)
    client.force_login(officer)
    url = reverse("review:detail", args=[app.pk])
    page = client.get(url).content.decode()
    assert "本单位已对提供的申报材料逐一审核，真实准确，同意推荐" in page
    # A return without a reason is refused on the form; what was typed in the notes stays.
    diploma = app.attachments.get(slot="diploma")
    notes = {"notes-TOTAL_FORMS": "3", "notes-INITIAL_FORMS": "0", "notes-0-target": f"att:{diploma.pk}",
             "notes-0-text": "毕业证书不清晰", "notes-1-target": "sec:summary", "notes-1-text": "总结过于简略",
             "notes-2-target": "", "notes-2-text": ""}
    response = client.post(reverse("review:act", args=[app.pk, "return"]), {**notes, "reason": "",
                                                                            "expected_state": State.UNIT_REVIEW})
    assert response.status_code == 400
    assert "退回时必须填写退回原因" in response.content.decode() and "总结过于简略" in response.content.decode()
    response = client.post(reverse("review:act", args=[app.pk, "return"]),
                           {**notes, "reason": "材料不清晰", "expected_state": State.UNIT_REVIEW})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.RETURNED
    grouped = return_notes_by_section(app)
    assert [(n.text, n.attachment_id) for n in grouped["education"]] == [("毕业证书不清晰", diploma.pk)]
    assert [n.text for n in grouped["summary"]] == ["总结过于简略"]
    # The applicant resubmits; the officer approves with the publicity form and scans.
    application_transition(application_id=app.pk, action="resubmit", actor=app.applicant)
    publicity = publicity_dates(app.campaign, timezone.localdate())
    files = publicity_files(app.unit.name, "x")
    short_end = dt.date.fromisoformat(publicity["start"]) + dt.timedelta(days=1)
    response = client.post(reverse("review:act", args=[app.pk, "approve"]), {
        "expected_state": State.UNIT_REVIEW, "publicity_start": publicity["start"],
        "publicity_end": short_end.isoformat(), "confirm": "on",
        "publicity_scan": files["publicity"], "publicity_result_scan": files["publicity_result"]})
    assert response.status_code == 400 and "公示期不少于5个工作日" in response.content.decode()
    files = publicity_files(app.unit.name, "x")
    response = client.post(reverse("review:act", args=[app.pk, "approve"]), {
        "expected_state": State.UNIT_REVIEW, "publicity_start": publicity["start"],
        "publicity_end": publicity["end"], "confirm": "on",
        "publicity_scan": files["publicity"], "publicity_result_scan": files["publicity_result"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    app.refresh_from_db()
    assert app.state == State.COUNTY_REVIEW


def test_a_png_renamed_jpg_is_refused_as_publicity_scan(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    client.force_login(UnitOfficerFactory(unit=app.unit))
    png = io.BytesIO()
    Image.new("RGB", (50, 50)).save(png, "PNG")
    publicity = publicity_dates(app.campaign, timezone.localdate())
    response = client.post(reverse("review:act", args=[app.pk, "approve"]), {
        "expected_state": State.UNIT_REVIEW, "publicity_start": publicity["start"], "publicity_end": publicity["end"],
        "confirm": "on", "publicity_scan": SimpleUploadedFile("a.jpg", png.getvalue()),
        "publicity_result_scan": SimpleUploadedFile("b.jpg", sample_scan("公示结果"))})
    assert response.status_code == 400 and "不是JPG图片" in response.content.decode()
    assert not app.attachments.filter(slot__in=["publicity", "publicity_result"]).exists()


def test_batch_approve_at_the_unit_reports_each_refusal(client, reference, private_storage):
    unit = UnitFactory()
    apps = [fill_sample_application(ApplicationFactory(unit=unit)) for _ in range(3)]
    for app in apps:
        application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    foreign = _queue_rows(UnitFactory(), 1)[0]
    officer = UnitOfficerFactory(unit=unit)
    # Someone else returned the third one meanwhile.
    application_transition(application_id=apps[2].pk, action="return", actor=UnitOfficerFactory(unit=unit),
                           comment="请补充")
    client.force_login(officer)
    publicity = publicity_dates(apps[0].campaign, timezone.localdate())
    files = publicity_files(unit.name, "x")
    response = client.post(reverse("review:batch_approve"), {
        "ids": [a.pk for a in apps] + [foreign.pk], "publicity_start": publicity["start"],
        "publicity_end": publicity["end"], "publicity_scan": files["publicity"],
        "publicity_result_scan": files["publicity_result"]}, follow=True)
    text = response.content.decode()
    assert "已审核通过2份申报" in text
    assert f"申报 {apps[2].code} 未通过" in text and "已被他人处理" in text
    assert "有1份申报不存在或不在您的审核范围内" in text
    states = [type(a).objects.get(pk=a.pk).state for a in apps]
    assert states == [State.COUNTY_REVIEW, State.COUNTY_REVIEW, State.RETURNED]
    foreign.refresh_from_db()
    assert foreign.state == State.UNIT_REVIEW
    assert all(a.attachments.filter(slot="publicity").count() == 1 for a in apps[:2])


def test_batch_approve_at_the_county(client, reference, private_storage):
    unit = UnitFactory()
    apps = _queue_rows(unit, 3, State.COUNTY_REVIEW)
    client.force_login(CountyOfficerFactory(county=unit.county))
    response = client.post(reverse("review:batch_approve"), {"ids": [a.pk for a in apps]}, follow=True)
    assert "已审核通过3份申报" in response.content.decode()
    assert {type(a).objects.get(pk=a.pk).state for a in apps} == {State.COMMITTEE_REVIEW}


def test_history_for_the_applicant_own_only(client, reference, private_storage):
    app = fill_sample_application(ApplicationFactory())
    application_transition(application_id=app.pk, action="submit", actor=app.applicant)
    officer = UnitOfficerFactory(unit=app.unit)
    application_transition(application_id=app.pk, action="return", actor=officer, comment="请补充年度考核表",
                           data={"notes": [{"section": "evaluations", "text": "缺2023年度"}]})
    client.force_login(app.applicant)
    html = client.get(reverse("review:history", args=[app.pk])).content.decode()
    assert "请补充年度考核表" in html and "缺2023年度" in html and "待单位审核 → 已退回" in html
    client.force_login(ApplicantFactory())
    assert client.get(reverse("review:history", args=[app.pk])).status_code == 404
    assert client.get(reverse("review:detail", args=[app.pk])).status_code == 404


def test_notifications_page_and_mark_read(client, reference, private_storage, effects):
    app = fill_sample_application(ApplicationFactory())
    effects(application_transition, application_id=app.pk, action="submit", actor=app.applicant)
    officer = UnitOfficerFactory(unit=app.unit)
    effects(application_transition, application_id=app.pk, action="return", actor=officer, comment="请补充")
    client.force_login(app.applicant)
    html = client.get(reverse("review:notifications")).content.decode()
    assert "申报被退回" in html and "未读" in html
    client.post(reverse("review:notifications"))
    assert not Notification.objects.filter(user=app.applicant, read_at__isnull=True).exists()


def test_demo_has_every_state_and_is_idempotent(reference, private_storage):
    applications_demo.build()
    demo.build()

    states = set(Application.objects.filter(campaign__code="demo").values_list("state", flat=True))
    assert {State.DRAFT, State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW, State.RETURNED,
            State.ABANDONED, State.CLOSED, State.ACCEPTED} <= states
    count = Application.objects.count()
    demo.build()
    assert Application.objects.count() == count
    assert ReturnNote.objects.filter(application__applicant__real_name="张建华").count() == 2


def test_a_queue_filter_naming_nothing_in_the_queue_lists_nothing_and_says_why(client, two_units):
    """An edited address or an old bookmark (a unit of another county, a word for a level) is
    refused in Chinese, with the field named: the officer never reads the whole queue as if it
    were the filtered one."""
    mine, theirs = two_units
    a, = _queue_rows(mine, 1)
    client.force_login(UnitOfficerFactory(unit=mine))
    url = reverse("review:queue")
    assert a.code in client.get(url, {"level": "", "state": ""}).content.decode()
    for query in ({"unit": theirs.pk, "state": ""}, {"level": "senior", "state": ""}):
        response = client.get(url, query)
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="filter-refused"' in page and "筛选条件有误" in page
        assert a.code not in page and "没有符合条件的申报" not in page
    assert "单位：" in client.get(url, {"unit": theirs.pk}).content.decode()
