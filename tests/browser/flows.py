"""What a person does in the browser, step by step, through the pages only (no database reads):
shared by the demo walk and the phone test.

Each helper takes a Playwright page already signed in as the right person and leaves it on the
page the step ends on.
"""

from __future__ import annotations

import re
from pathlib import Path

from applications.samples import sample_photo, sample_scan

# Scans that show the applicant's name: their masking answer is 是, with a box over the name.
NAMED_SLOTS = ("id_card_front", "diploma", "commitment")


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def save_next(page) -> None:
    click_and_wait(page, page.locator("button[name=_next]"))
    assert page.locator(".msg-error").count() == 0, page.locator("main").inner_text()[:800]


def upload(page, slot: str, path: str, row: int | None = None) -> None:
    form = page.locator(f"#slot-{slot} form.upload-form")
    if row is not None:
        form.locator("select[name=row]").select_option(str(row))
    before = page.locator(f"#slot-{slot} .att").count()
    form.locator("input[type=file]").set_input_files(path)  # choosing the file starts the upload
    page.wait_for_function(  # a function, not an expression string: the CSP forbids eval
        f"() => document.querySelectorAll('#slot-{slot} .att').length > {before} || "
        f"!document.querySelector('#slot-{slot} .upload-error').hidden")
    error = form.locator(".upload-error")
    assert error.is_hidden(), error.inner_text()


class Scans:
    """Sample scans written once into a folder, named by slot."""

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name

    def __call__(self, slot: str, title: str) -> str:
        path = self.folder / f"{slot}.jpg"
        if not path.exists():
            data = sample_photo() if slot == "photo" else sample_scan(
                title, self.name if slot in NAMED_SLOTS else "")
            path.write_bytes(data)
        return str(path)


def register(page, *, name: str, id_number: str, password: str) -> None:
    """实名注册 through the public form."""
    page.goto("/accounts/register/")
    page.fill("input[name=real_name]", name)
    page.fill("input[name=id_number]", id_number)
    page.fill("input[name=phone]", "13899001122")
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    click_and_wait(page, page.locator("main form button[type=submit]"))
    # Registration never logs in (it answers alike for a number registered before): log in now.
    assert "注册申请已受理" in page.locator(".messages").inner_text()
    page.fill("input[name=username]", id_number)
    page.fill("input[name=password]", password)
    click_and_wait(page, page.locator("main form button[type=submit]"))


def start_application(page, *, unit: str, level: str = "初级") -> str:
    """From 我的申报, a new application in the open demo campaign; returns its code."""
    page.goto("/me/")
    click_and_wait(page, page.locator(".open-campaigns a[role=button]").first)
    page.select_option("select[name=specialty]", label="工程系列·建筑")
    page.select_option("select[name=level]", label=level)
    page.check("input[name=kind][value=review]")
    page.get_by_placeholder("输入关键字筛选", exact=False).fill(unit)  # one match: it is selected
    assert "已选中" in page.locator(".select-filter-note").inner_text()
    click_and_wait(page, page.locator("main form button[type=submit]"))
    return re.search(r"/apply/([A-Z0-9]+)/", page.url).group(1)


def fill_application(page, code: str, *, year: int, unit: str, scans: Scans) -> None:
    """Every section of a 初级 评审 application of the demo campaign, with its scans."""
    page.goto(f"/apply/{code}/section/basic/")
    fill_basic(page)
    upload(page, "id_card_front", scans("id_card_front", "居民身份证"))
    upload(page, "id_card_back", scans("id_card_back", "居民身份证（反面）"))
    upload(page, "photo", scans("photo", ""))
    save_next(page)

    fill_education(page)
    upload(page, "diploma", scans("diploma", "毕业证书"))
    upload(page, "chsi", scans("chsi", "教育部学历证书电子注册备案表"))
    save_next(page)

    fill_qualification(page, year)
    save_next(page)
    fill_work_history(page, unit)
    save_next(page)
    fill_achievements(page, year, scans("achievement_evidence", "项目验收报告"))
    save_next(page)
    declare_none(page)
    fill_evaluations(page, year, scans("evaluation_form", "年度考核登记表"))
    save_next(page)
    fill_summary(page)
    save_next(page)
    fill_continuing_education(page, year, scans("ce_certificate", "继续教育培训合格证书"))
    save_next(page)

    page.goto(f"/apply/{code}/check/")
    upload(page, "commitment", scans("commitment", "个人承诺书"))


# One section each, of a 初级 评审 application of the demo campaign: each fills the section it is on
# and leaves it unsaved (the caller saves with ``save_next``, after its own checks), except
# ``declare_none``, which answers and saves three sections in turn.  ``fill_basic`` and
# ``fill_education`` fill the fields only: their scans are uploaded by the caller.


def fill_basic(page) -> None:
    """基本信息 beyond what registration filled in: ethnicity, CPC member, four times 否."""
    page.fill("input[name=basic-ethnicity]", "汉族")
    page.select_option("select[name=basic-political_status]", "cpc")
    for name in ("aid_xinjiang", "transferred_from_organ", "retired", "civil_servant"):
        page.check(f"input[name=basic-{name}][value='0']")


def fill_education(page) -> None:
    """学历学位: one full-time bachelor's row, "无" by one click for the degree."""
    page.select_option("select[name=education-rows-0-level]", "bachelor")
    page.check("input[name=education-rows-0-full_time][value='1']")
    page.fill("input[name=education-rows-0-school]", "新疆大学")
    page.fill("input[name=education-rows-0-major]", "土木工程")
    page.locator("[data-field='education-rows-0-degree'] .none-button").click()
    assert page.input_value("input[name=education-rows-0-degree]") == "无"
    page.fill("input[name=education-rows-0-start]", "2012-09-01")
    page.fill("input[name=education-rows-0-graduated]", "2016-07-01")
    page.check("input[name=education-rows-0-south_xinjiang_graduate][value='0']")


def fill_qualification(page, year: int) -> None:
    """专业技术资格: no title yet (初级), professional work since 2016-08."""
    page.check("input[name=qualification-has_title][value='0']")
    page.fill("input[name=qualification-professional_work_start]", "2016-08-01")
    page.fill("input[name=qualification-professional_work_years]", str(year - 2016))


def fill_work_history(page, unit: str) -> None:
    """工作经历: one period, at ``unit``, up to now."""
    page.fill("input[name=work_history-rows-0-start]", "2016-08-01")
    page.fill("input[name=work_history-rows-0-unit]", unit)
    page.fill("input[name=work_history-rows-0-position]", "技术员")


def fill_achievements(page, year: int, evidence_path: str) -> None:
    """业绩成果: one row, with its evidence uploaded."""
    page.fill("input[name=achievements-rows-0-period]", f"{year - 3}年—{year - 1}年")
    page.fill("textarea[name=achievements-rows-0-content]", "参与库尔勒市某住宅小区结构设计。")
    page.fill("input[name=achievements-rows-0-role]", "设计人员")
    upload(page, "achievement_evidence", evidence_path)


def declare_none(page) -> None:
    """获奖情况, 知识产权, 论文著作: honestly none, each saved in turn (leaves the page after them)."""
    for key in ("awards", "ip", "papers"):
        page.check(f"input[name={key}-none]")
        save_next(page)


def fill_evaluations(page, year: int, evidence_path: str) -> None:
    """年度考核: the three years before ``year``, added with "添加一行", and the form uploaded."""
    for index, y in enumerate(range(year - 3, year)):
        if index:
            page.click("[data-add-row=evaluations-rows]")
        page.fill(f"input[name=evaluations-rows-{index}-year]", str(y))
        page.select_option(f"select[name=evaluations-rows-{index}-result]", "qualified")
    upload(page, "evaluation_form", evidence_path)


def fill_summary(page) -> None:
    """个人总结."""
    page.fill("textarea[name=summary-text]", "参加工作以来，本人认真完成结构设计工作。" * 10)


def fill_continuing_education(page, year: int, evidence_path: str) -> None:
    """继续教育: the last two years, both categories, and the certificate uploaded."""
    page.check("input[name=ce-exempt][value='0']")
    rows = [(y, c, h) for y in (year - 1, year) for c, h in (("public", 30), ("professional", 60))]
    for index, (y, category, hours) in enumerate(rows):
        if index:
            page.click("[data-add-row=ce-rows]")
        page.fill(f"input[name=ce-rows-{index}-year]", str(y))
        page.select_option(f"select[name=ce-rows-{index}-category]", category)
        page.fill(f"input[name=ce-rows-{index}-hours]", str(hours))
        page.locator(f"[data-field='ce-rows-{index}-provider'] .none-button").click()
    upload(page, "ce_certificate", evidence_path)


NAMED_MATERIALS = ("身份证（正面）", "毕业证书", "个人承诺书")


def answer_masking(page, code: str) -> None:
    """Answer "contains my name?" for every image, drawing a box over the name where it shows."""
    page.goto(f"/apply/{code}/mask/")
    click_and_wait(page, page.locator(".mask-grid li.todo a").first)
    while True:
        title = page.locator("main h1").inner_text()
        if any(name in title for name in NAMED_MATERIALS):
            page.check("input[name=needs_masking][value='1']")
            # "姓名：<name>" is drawn at (120, 300)–(720, 360) on a 1240×1754 page.
            drag_box(page, (90 / 1240, 280 / 1754), (760 / 1240, 375 / 1754))
        else:
            page.check("input[name=needs_masking][value='0']")
        click_and_wait(page, page.locator("[data-testid=mask-save-next]"))
        if "张未回答" not in page.locator("main").inner_text():
            return


def drag_box(page, start, end, *, touch: bool = False) -> None:
    """Draw a box on the masking canvas from ``start`` to ``end`` (fractions of its size): with
    the mouse, or with ``touch`` by one finger (touch events through CDP, Chromium only)."""
    canvas = page.locator("#mask-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x0, y0 = box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"]
    x1, y1 = box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"]
    if touch:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
        for k in range(1, 6):
            x, y = x0 + (x1 - x0) * k / 5, y0 + (y1 - y0) * k / 5
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    else:
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
        page.mouse.move(x1, y1, steps=4)
        page.mouse.up()


def submit(page, code: str) -> None:
    page.goto(f"/apply/{code}/check/")
    assert page.locator("[data-testid=clean]").is_visible(), page.locator("main").inner_text()[:2000]
    page.once("dialog", lambda dialog: dialog.accept())
    click_and_wait(page, page.locator("[data-testid=submit]"))
    assert "待单位审核" in page.locator("[data-testid=state]").inner_text()
