"""From a phone-sized screen: fill a complete application for the demo campaign, upload scans
(one a sideways EXIF photo that must end up upright), mask the name by drawing boxes (mouse and
touch), pass the checklist and submit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from applications.masking import MASK_COLOUR
from applications.models import Application, Attachment
from applications.samples import sample_photo, sample_scan
from applications.states import State
from tests.applications.helpers import sideways_photo
from tests.browser.flows import (
    declare_none,
    drag_box,
    fill_achievements,
    fill_basic,
    fill_continuing_education,
    fill_education,
    fill_evaluations,
    fill_qualification,
    fill_summary,
    fill_work_history,
    save_next,
    upload,
)
from tests.factories import ApplicantFactory, UnitFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS", "")) if os.environ.get("PORTAL_SCREENSHOTS") else None


def shot(page, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(**PHONE, base_url=live_server.url)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


@pytest.fixture
def files(tmp_path):
    def write(name, data):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)
    return write


def test_phone_fills_masks_checks_and_submits(phone, live_server, login, transactional_db, reference, settings,
                                              files):
    settings.PORTAL_TESSERACT_CMD = "/nonexistent/tesseract"  # OCR has its own tests; here: manual boxes
    settings.STORAGES = {**settings.STORAGES}  # default storage under PORTAL_DATA_DIR/private
    year = timezone.localdate().year
    unit = UnitFactory(name="巴州建筑设计研究院（测试）")
    user = ApplicantFactory(real_name="张建华")
    page = phone
    login(page, user.username, "pass-12345")

    # Start: demo campaign, 建筑, 初级, 评审.
    page.goto("/apply/new/?campaign=demo")
    page.select_option("select[name=specialty]", label="工程系列·建筑")
    page.select_option("select[name=level]", label="初级")
    page.check("input[name=kind][value=review]")
    page.select_option("select[name=unit]", value=str(unit.pk))
    shot(page, "01-new")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    app = Application.objects.get(applicant=user)
    shot(page, "02-overview")

    # 基本信息: name, ID number, birth date, gender and unit come from the registration.
    page.goto(f"/apply/{app.code}/section/basic/")
    assert page.input_value("input[name=basic-id_number]") == user.id_number
    fill_basic(page)
    shot(page, "03-basic")
    upload(page, "id_card_front", files("front.jpg", sample_scan("居民身份证", "张建华")))
    upload(page, "id_card_back", files("back.jpg", sample_scan("居民身份证（反面）", "", lines=("签发机关：库尔勒市公安局",))))
    upload(page, "photo", files("photo.jpg", sample_photo()))
    save_next(page)

    # 学历学位: one row; "无" by one click for the degree; the diploma is a sideways phone photo.
    fill_education(page)  # asserts the degree reads "无" after the one click
    upload(page, "diploma", files("diploma.jpg", sideways_photo("张建华")))
    thumb = page.locator("#slot-diploma .att img").first
    thumb.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    natural = thumb.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[0] < natural[1], natural  # portrait: the sideways photo stands upright
    upload(page, "chsi", files("chsi.jpg", sample_scan("教育部学历证书电子注册备案表", "")))
    shot(page, "04-education")
    save_next(page)

    # 专业技术资格: no title yet (初级).
    fill_qualification(page, year)
    save_next(page)

    # 工作经历: one period up to now.
    fill_work_history(page, unit.name)
    save_next(page)

    # 业绩成果 with evidence.
    fill_achievements(page, year, files("ach.jpg", sample_scan("项目验收报告", "")))
    save_next(page)

    # 获奖情况, 知识产权, 论文著作: honestly none.
    declare_none(page)

    # 年度考核: three years, added with "添加一行".
    fill_evaluations(page, year, files("eval.jpg", sample_scan("年度考核登记表", "")))
    shot(page, "05-evaluations")
    save_next(page)

    fill_summary(page)
    assert "已写" in page.locator(".char-count").inner_text()
    save_next(page)

    # 继续教育: the last two years, both categories.
    fill_continuing_education(page, year, files("ce.jpg", sample_scan("继续教育培训合格证书", "")))
    save_next(page)

    # 其他附件 (optional) → 个人承诺书 on the checklist page.
    page.goto(f"/apply/{app.code}/check/")
    shot(page, "06-check-before")
    assert page.locator("[data-testid=problem-count]").is_visible()
    upload(page, "commitment", files("commit.jpg", sample_scan("个人承诺书", "张建华")))

    # 信息遮盖: every image answered; the two with the name get boxes (mouse on one, finger on the other).
    page.goto(f"/apply/{app.code}/mask/")
    shot(page, "07-mask-index")
    named = {"id_card_front", "diploma", "commitment"}
    first = Attachment.objects.filter(application=app, needs_masking__isnull=True).order_by("id").first()
    page.goto(f"/apply/{app.code}/mask/{first.uid}/")
    touch_next = False
    while True:
        current = Attachment.objects.get(uid=page.url.rstrip("/").split("/")[-1])
        if current.slot in named:
            page.check("input[name=needs_masking][value='1']")
            # "姓名：<name>" is drawn at (120, 300)–(720, 360) on a 1240×1754 page.
            drag_box(page, (90 / 1240, 280 / 1754), (760 / 1240, 375 / 1754), touch=touch_next)
            touch_next = not touch_next
            assert page.input_value("#mask-boxes") != "[]"
            shot(page, f"08-mask-{current.slot}")
        else:
            page.check("input[name=needs_masking][value='0']")
        with page.expect_navigation():
            page.click("[data-testid=mask-save-next]")
        current.refresh_from_db()
        assert current.masking_answered, current.slot
        if not Attachment.objects.filter(application=app, needs_masking__isnull=True).exists():
            break
    for attachment in Attachment.objects.filter(application=app, needs_masking=True):
        assert attachment.slot in named
        with attachment.masked.open("rb") as handle, Image.open(handle) as masked:
            for x, y, w, h in attachment.mask_boxes:
                assert w > 300 and h > 50
                centre = masked.convert("RGB").getpixel((x + w // 2, y + h // 2))
                assert all(abs(a - b) <= 8 for a, b in zip(centre, MASK_COLOUR))
    diploma = Attachment.objects.get(application=app, slot="diploma")
    assert diploma.height > diploma.width

    # 保存并检查 → clean → 提交.
    page.goto(f"/apply/{app.code}/check/")
    shot(page, "09-check-clean")
    assert page.locator("[data-testid=clean]").is_visible(), page.locator("main").inner_text()[:2000]
    with page.expect_navigation():
        page.click("[data-testid=submit]")
    app.refresh_from_db()
    assert (app.state, app.submission_count) == (State.UNIT_REVIEW, 1)
    assert "待单位审核" in page.locator("[data-testid=state]").inner_text()
    page.goto("/me/")
    shot(page, "10-home")
    assert "等待审核" in page.locator(f"[data-application=\"{app.code}\"]").inner_text()
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_unit_is_found_by_typing_part_of_its_name(phone, live_server, login, transactional_db, reference):
    wanted = UnitFactory(name="且末县水利电力建设有限公司")
    UnitFactory(name="且末县农业技术推广站")
    UnitFactory(name="巴州建筑设计研究院")
    user = ApplicantFactory()
    login(phone, user.username, "pass-12345")
    phone.goto("/apply/new/?campaign=demo")
    unit = phone.locator("select[name=unit]")
    box = phone.get_by_placeholder("输入关键字筛选", exact=False)
    assert unit.locator("optgroup").count() >= 1  # grouped by county

    box.fill("且末")
    assert "找到 2 个单位" in phone.locator(".select-filter-note").inner_text()
    assert unit.input_value() == ""  # two left: the applicant still chooses
    box.fill("且末 水利")
    assert "已选中" in phone.locator(".select-filter-note").inner_text()
    assert unit.input_value() == str(wanted.pk)
    box.fill("不存在的单位")
    assert "没有名称包含" in phone.locator(".select-filter-note").inner_text()
    box.fill("")
    assert unit.locator("option").count() >= 4  # all back, with "——请选择——"
