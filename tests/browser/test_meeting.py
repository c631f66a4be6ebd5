"""The committee meeting in Chromium, as issue 19's "Done when" tells it.

The clerk imports 15 experts from the XLSX template, sets a group of 9 with 3 alternates and
draws it with a recorded seed (the draw is reproduced by a second call); an expert of an
applicant's unit is recused automatically from that application and the first alternate steps
in.  Experts log in with their second factor, declare and review blind packages.  The ballot is
refused without quorum, then, with 8 of the 9 members present, cast from separate browser
sessions: the application without recusals passes with 6 同意, another fails with 5.  The chair
confirms; the outcomes become decisions; the results publicity lists the pass; a certificate
follows.  ``verify_meeting`` passes on the meeting.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from applications import demo as applications_demo
from applications.models import Campaign, Level, Unit
from applications.samples import fill_sample_application
from applications.states import State
from portal.accounts.models import User
from review.aftercare.exports import publicity_list_data
from review.aftercare.models import Certificate
from review.aftercare.services import certificates_issue, result_publicity_set
from review.meeting import services
from review.meeting.models import AgendaItem, Expert, Meeting, MembershipKind
from review.meeting.selectors import seating_of, voters_of
from tests.aftercare.conftest import put_accepted, results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.factories import ApplicantFactory, ApplicationFactory, UnitFactory

pytestmark = pytest.mark.browser

SEED = "20260601"
PHONE = {"width": 390, "height": 844}


def _message(page) -> str:
    return page.locator(".messages").inner_text()


def _pool_xlsx(today: dt.date) -> bytes:
    book = load_workbook(io.BytesIO(services.import_template()))
    sheet = book.active
    sheet.delete_rows(2)
    for i in range(1, 16):
        unit = UnitFactory(name=f"专家所在单位{i}")
        sheet.append([f"评审专家{i:02d}", unit.name, "工程系列", "建筑", "高级工程师",
                      (today - dt.timedelta(days=300)).isoformat(), (today + dt.timedelta(days=600)).isoformat(),
                      f"zhuanjia{i:02d}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _exempt(campaign, clerk, unit, name):
    app = ApplicationFactory(applicant=ApplicantFactory(real_name=name), unit=unit, campaign=campaign,
                             level=Level.objects.get(code="junior"))
    fill_sample_application(app, with_files=False)
    app = to_fee_paid(put_accepted(app), clerk)
    assert app.state == State.DEFENSE_EXEMPT
    return app


def test_meeting_draw_recusal_quorum_secret_ballot_to_certificate(page, browser, live_server, login, reference,
                                                                 tmp_path):
    applications_demo.build()
    campaign = Campaign.objects.get(code="demo")
    timeline = results_timeline(campaign)
    clerk = User.objects.get(username="pingwei")
    today = timezone.localdate()
    url = live_server.url

    # 1. The pool, imported from the template.
    login(page, "pingwei")
    page.goto(f"{url}/meeting/pool/")
    path = tmp_path / "pool.xlsx"
    path.write_bytes(_pool_xlsx(today))
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="导入").click()
    assert "共导入15名专家" in _message(page)
    assert "共15名专家，其中在聘15名" in page.locator("[data-testid=pool-count]").inner_text()
    for user in User.objects.filter(username__startswith="zhuanjia"):
        user.set_password(applications_demo.DEMO_PASSWORD)
        user.save()

    # 2. The meeting (its date: the committee's day before the results publicity), a group, the draw.
    page.goto(f"{url}/meeting/")
    page.select_option("select[name=campaign]", str(campaign.pk))
    page.fill("input[name=title]", "2026年度工程系列评审会")
    page.fill("input[name=date]", timeline.meeting.isoformat())
    now = timezone.localtime()
    page.fill("input[name=review_start]", (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=review_end]", (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="创建").click()
    assert "评审会已创建" in _message(page)
    meeting = Meeting.objects.get()
    page.fill("input[name=name]", "建筑组")
    page.fill("input[name=specialties]", "建筑")
    page.fill("input[name=size]", "9")
    page.fill("input[name=alternates]", "3")
    page.get_by_role("button", name="保存学科组").click()
    page.fill("input[name=seed]", SEED)
    page.get_by_role("button", name="抽取", exact=True).click()
    assert "已抽取评审专家" in _message(page)
    assert page.locator("[data-testid=seed]").inner_text() == SEED
    assert page.locator("[data-testid=reproduced]").count() == 1
    draw = meeting.draws.get()
    assert services.draw_reproduce(draw)  # the second call gives the same panel
    assert services.draw_result(draw.seed, draw.pool_snapshot, draw.groups) == draw.result
    rows = list(meeting.groups.get().memberships.order_by("kind", "order").select_related("expert__unit"))
    members = [m.expert for m in rows if m.kind == MembershipKind.MEMBER]
    alternates = [m.expert for m in rows if m.kind == MembershipKind.ALTERNATE]
    assert len(members) == 9 and len(alternates) == 3

    # 3. The agenda: two applications of other units, one of a drawn member's unit.
    plain = _exempt(campaign, clerk, Unit.objects.get(name="巴州建筑设计研究院"), "阿依古丽·买买提")
    failing = _exempt(campaign, clerk, UnitFactory(), "马晓军")
    recused_app = _exempt(campaign, clerk, members[2].unit, "周文")
    page.reload()
    for app in (plain, failing, recused_app):
        page.check(f"input[name=ids][value='{app.pk}']")
    page.get_by_role("button", name="安排评审").click()
    assert "评审事项已安排" in _message(page)
    recusal_cell = page.locator(f"tr[data-item='{recused_app.code}']").inner_text()
    assert members[2].name in recusal_cell and "与申报人同一单位" in recusal_cell and "候补递补1人" in recusal_cell
    items = {i.application_id: i for i in AgendaItem.objects.filter(meeting=meeting)}
    assert seating_of(items[recused_app.pk]).stepped_in == (alternates[0].pk,)  # votes once present

    # 4. Experts log in with the second factor, declare, and review blind (on a phone).
    reviewer = members[0]
    expert_page = browser.new_context(viewport=PHONE).new_page()
    login(expert_page, reviewer.user.username)
    assert "/meeting/mine/" in expert_page.url
    expert_page.get_by_role("button", name="作出声明").click()
    expert_page.check("input[name=agree]")
    expert_page.get_by_role("button", name="提交声明").click()
    assert "声明已提交" in _message(expert_page)
    expert_page.get_by_role("link", name=plain.code).click()
    body = expert_page.locator("main").inner_text()
    assert plain.code in body and "阿依古丽" not in body and plain.applicant.id_number not in body
    expert_page.fill("input[name=score_achievement]", "36")
    expert_page.fill("input[name=score_papers]", "26")
    expert_page.fill("input[name=score_ability]", "27")
    expert_page.fill("textarea[name=comment]", "业绩突出，论文质量较好。")
    expert_page.get_by_role("button", name="提交评审意见").click()
    assert "评审意见已提交" in _message(expert_page)
    recused_member = members[2]
    other = browser.new_context().new_page()
    login(other, recused_member.user.username)
    other.get_by_role("button", name="作出声明").click()
    other.check("input[name=agree]")
    other.get_by_role("button", name="提交声明").click()
    assert recused_app.code not in other.locator("main").inner_text()  # recused: not even listed
    response = other.goto(f"{url}/meeting/package/{items[recused_app.pk].pk}/")
    assert response.status == 404
    other.context.close()

    # 5. Open the meeting; without quorum the ballot is refused; with 8 of 9 it opens.
    page.goto(f"{url}/meeting/{meeting.pk}/")
    page.select_option("select[name=chair]", str(members[0].pk))
    page.get_by_role("button", name="开始评审会").click()
    for expert in members[:5]:
        page.check(f"input[name=present][value='{expert.pk}']")
    page.get_by_role("button", name="保存出席情况").click()
    page.locator(f"tr[data-item='{plain.code}']").get_by_role("button", name="开始表决").click()
    assert "未达到法定人数" in _message(page)
    for expert in members[5:8] + [alternates[0]]:
        page.check(f"input[name=present][value='{expert.pk}']")
    page.get_by_role("button", name="保存出席情况").click()
    for app in (plain, failing, recused_app):
        page.locator(f"tr[data-item='{app.code}']").get_by_role("button", name="开始表决").click()
        assert "已开始表决" in _message(page)

    # 6. Secret ballots, each expert from their own browser session.
    voters = {app.pk: list(voters_of(items[app.pk])) for app in (plain, failing, recused_app)}
    assert len(voters[plain.pk]) == 8 and members[8].pk not in voters[plain.pk]
    assert recused_member.pk not in voters[recused_app.pk] and alternates[0].pk in voters[recused_app.pk]
    yes_count = {plain.pk: 6, failing.pk: 5, recused_app.pk: 6}
    experts = {e.pk: e for e in Expert.objects.filter(pk__in={e for v in voters.values() for e in v})}
    for expert_id, expert in experts.items():
        session = browser.new_context(viewport=PHONE).new_page()
        login(session, expert.user.username)
        for app in (plain, failing, recused_app):
            if expert_id not in voters[app.pk]:
                continue
            choice = "同意" if voters[app.pk].index(expert_id) < yes_count[app.pk] else "不同意"
            session.goto(f"{url}/meeting/ballot/{items[app.pk].pk}/")
            session.get_by_role("button", name=choice, exact=True).click()
            assert "已投票" in _message(session)
        session.goto(f"{url}/meeting/ballot/{items[plain.pk].pk}/")
        if expert_id in voters[plain.pk]:
            assert "您已对该申报投票" in session.locator("main").inner_text()  # no second ballot
        session.context.close()

    # The clerk sees turnout only, then closes and counts.
    page.goto(f"{url}/meeting/{meeting.pk}/")
    assert "已投8/8" in page.locator(f"tr[data-item='{plain.code}']").inner_text()
    assert "同意6" not in page.locator("main").inner_text()
    for app in (plain, failing, recused_app):
        page.locator(f"tr[data-item='{app.code}']").get_by_role("button", name="结束表决并计票").click()
    results = {app.pk: page.locator(f"tr[data-item='{app.code}'] [data-testid=result]").inner_text()
               for app in (plain, failing, recused_app)}
    assert "同意6、不同意2" in results[plain.pk] and "通过" in results[plain.pk]
    assert "同意5、不同意3" in results[failing.pk] and "未通过" in results[failing.pk]

    # 7. The chair confirms; the outcomes become decisions through the one door.
    chair = browser.new_context().new_page()
    login(chair, members[0].user.username)
    chair.get_by_role("button", name="主任委员确认评审结果").click()
    assert "已确认评审结果" in _message(chair)
    chair.context.close()
    page.goto(f"{url}/meeting/{meeting.pk}/")
    page.get_by_role("button", name="记为评审结果").click()
    assert "评审结果已记录" in _message(page)
    assert "记录链校验通过" in page.locator("[data-testid=chain]").inner_text()
    call_command("verify_meeting", str(meeting.pk))

    # 8. Publicity lists the pass; a certificate follows.
    result_publicity_set(campaign=campaign, start=timeline.publicity_start, end=timeline.publicity_end, actor=clerk)
    listed = str(publicity_list_data(campaign=campaign)["rows"])
    assert "阿依古丽·买买提" in listed and "马晓军" not in listed
    outcome = certificates_issue(application_ids=[plain.pk], actor=clerk)
    assert outcome.refused == [] and Certificate.objects.filter(application=plain).exists()
