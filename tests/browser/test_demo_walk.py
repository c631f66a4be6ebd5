"""The demo, loaded with ``seed_demo`` on a given day, lets a newcomer take every step that day:
a new registration goes from 实名注册 to a downloaded certificate and its public look-up, through
every role, in Chromium, by the pages alone (the test reads and writes no row itself).

The clock is frozen at several days across the year — a Spring Festival holiday, Labour Day, the
last day of the National Day week, New Year's Eve — with ``time_machine``, which also moves the
live server (it runs in this process).  Rendering is done by the embedded (eager) Celery path, in
this process too, so no worker process with its own clock is involved.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from applications.demo import demo_id_number
from applications.samples import sample_scan
from tests.browser.flows import (
    Scans,
    answer_masking,
    click_and_wait,
    fill_application,
    register,
    start_application,
    submit,
)

pytestmark = pytest.mark.browser

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAYS = [dt.date(2026, 2, 17), dt.date(2026, 5, 1), dt.date(2026, 10, 7), dt.date(2026, 12, 31)]
UNIT = "巴州建筑设计研究院"  # danwei → zhuguan → pingwei
NAME = "努尔古丽·买买提"
PASSWORD = "Tianshan-2026"


@pytest.fixture
def eager_celery():
    """Tasks run in the web process at commit (the embedded path): the certificate is rendered by
    the request that issues it, on the frozen clock."""
    from portal.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def demo_day(request, transactional_db, settings, private_storage, eager_celery):
    settings.PORTAL_TESSERACT_CMD = "/nonexistent/tesseract"  # OCR has its own tests: boxes by hand here
    with time_machine.travel(dt.datetime.combine(request.param, dt.time(9, 30), tzinfo=SHANGHAI), tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        yield request.param


def _as(page, login, username, *password):
    page.context.clear_cookies()
    login(page, username, *password)


def _open_from_queue(page, code: str) -> None:
    page.goto("/review/queue/")
    click_and_wait(page, page.locator(f'tr[data-application="{code}"] a[role=button]'))


@pytest.mark.parametrize("demo_day", DAYS, indirect=True, ids=[d.isoformat() for d in DAYS])
def test_the_demo_walks_from_registration_to_the_certificate(demo_day, browser, page, login, live_server, tmp_path):
    year = demo_day.year
    id_number = demo_id_number("652801", "19960404", "428")

    # 申报人, on a phone: register, apply, fill every section, mask, submit.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url)
    applicant = phone.new_page()
    register(applicant, name=NAME, id_number=id_number, password=PASSWORD)
    code = start_application(applicant, unit=UNIT)
    fill_application(applicant, code, year=year, unit=UNIT, scans=Scans(tmp_path, NAME))
    answer_masking(applicant, code)
    submit(applicant, code)

    # 推荐单位: the publicity the form proposes (ended today), the two scans, approve.
    _as(page, login, "danwei")
    _open_from_queue(page, code)
    for slot, title in (("publicity_scan", "推荐单位公示"), ("publicity_result_scan", "公示结果")):
        path = tmp_path / f"{slot}.jpg"
        path.write_bytes(_scan(title))
        page.set_input_files(f"input[name={slot}]", str(path))
    page.check("input[name=confirm]")
    click_and_wait(page, page.get_by_role("button", name="公示无异议，审核通过"))
    assert "已审核通过" in page.locator(".messages").inner_text(), page.locator("main").inner_text()[:1500]

    # 主管单位, then 评委会办公室 (who sees the code only).
    _as(page, login, "zhuguan")
    _open_from_queue(page, code)
    click_and_wait(page, page.get_by_role("button", name="审核通过", exact=True))
    assert "已审核通过" in page.locator(".messages").inner_text()
    _as(page, login, "pingwei")
    _open_from_queue(page, code)
    assert NAME not in page.locator("main").inner_text()
    click_and_wait(page, page.get_by_role("button", name="形式审核通过，接收材料"))
    assert "已审核通过" in page.locator(".messages").inner_text()

    # After acceptance: paper, fee (初级: exempt from the defense), result, publicity, certificate.
    page.goto("/aftercare/?campaign=demo")
    click_and_wait(page, page.locator(f'tr[data-application="{code}"] a[role=button]'))
    for box in page.locator("#paper input[name=items]").all():
        box.check()
    click_and_wait(page, page.get_by_role("button", name="登记接收"))
    page.fill("#fee input[name=receipt_number]", "WALK-0001")
    click_and_wait(page, page.get_by_role("button", name="登记缴费"))
    assert "免于答辩" in page.locator("#defense").inner_text(), page.locator("main").inner_text()[:1500]
    page.check("#result input[name=result][value=pass]")
    click_and_wait(page, page.get_by_role("button", name="记录评审结果"))
    assert "通过" in page.locator("#result").inner_text(), page.locator("main").inner_text()[:1500]
    page.goto("/aftercare/results/?campaign=demo")
    click_and_wait(page, page.locator("[data-testid=publicity] button[type=submit]"))
    assert page.locator(".msg-error").count() == 0, page.locator("main").inner_text()[:1500]
    page.goto("/aftercare/?campaign=demo")
    click_and_wait(page, page.locator(f'tr[data-application="{code}"] a[role=button]'))
    click_and_wait(page, page.get_by_role("button", name="发放电子证书"))
    certificate_text = page.locator("#certificate").inner_text()
    number = re.search(r"BZ\d{4}-\S+-\d+", certificate_text).group(0)
    assert "下载证书" in certificate_text, certificate_text

    # 申报人 downloads it from 我的申报.
    applicant.goto("/me/")
    with applicant.expect_download() as download:
        applicant.locator("[data-testid=certificate-download]").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    phone.close()

    # 公众: look it up by ID number and name, download it, verify its number.
    public = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url)
    visitor = public.new_page()
    visitor.goto("/aftercare/certificates/lookup/")
    visitor.fill("[data-testid=lookup-form] input[name=id_number]", id_number)
    visitor.fill("[data-testid=lookup-form] input[name=name]", NAME)
    click_and_wait(visitor, visitor.locator("[data-testid=lookup-form] button[type=submit]"))
    found = visitor.locator("[data-testid=certificate]")
    assert number in found.inner_text() and "6528**********" in found.inner_text()
    with visitor.expect_download() as download:
        found.get_by_role("button", name="下载电子证书（PDF）").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    visitor.fill("[data-testid=verify-form] input", number)
    click_and_wait(visitor, visitor.locator("[data-testid=verify-form] button[type=submit]"))
    assert "证书有效" in visitor.locator("[data-testid=verified]").inner_text()
    public.close()


def _scan(title: str) -> bytes:
    return sample_scan(title, lines=(f"{NAME}公示期满，无异议。", UNIT))
