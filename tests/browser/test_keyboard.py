"""Keyboard only: an applicant skips to the content, starts an application, goes through a section
form field by field with Tab, saves it and meets the saved message, answers every masking
question and draws and moves a masking box with the keys, and submits — every stop showing a focus
ring of at least 3:1.  No mouse, no touch after signing in."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from applications import demo
from applications.models import Application, Attachment
from applications.samples import fill_sample_application
from applications.states import State
from tests.factories import ApplicantFactory, ApplicationFactory

pytestmark = pytest.mark.browser

FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {what: "body", width: 0, style: "none", color: ""};
    const s = getComputedStyle(el);
    return {what: el.tagName + (el.name ? `[name=${el.name}]` : "") + (el.id ? `#${el.id}` : "")
                  + " " + (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 16),
            width: parseFloat(s.outlineWidth), style: s.outlineStyle, color: s.outlineColor,
            type: el.type || "", name: el.name || "", todo: !!el.closest("li.todo")};
}"""


def _luminance(rgb: tuple[int, int, int]) -> float:
    channels = [c / 255 for c in rgb]
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _contrast_with_white(color: str) -> float:
    rgb = tuple(int(v) for v in re.findall(r"\d+", color)[:3])
    return 1.05 / (_luminance(rgb) + 0.05)


def focused(page) -> dict:
    state = page.evaluate(FOCUS)
    for _ in range(5):  # a field's inner parts (a date's year, month, day) take focus a frame later
        if state["style"] != "none":
            break
        page.wait_for_timeout(100)
        state = page.evaluate(FOCUS)
    assert state["what"] != "body", "focus was lost"
    assert state["style"] != "none" and state["width"] >= 2, f"no focus ring on {state['what']}"
    assert _contrast_with_white(state["color"]) >= 3, f"faint focus ring on {state['what']}: {state['color']}"
    return state


def tab_to(page, matches, *, limit: int = 80, backwards: bool = False) -> dict:
    """Press Tab until ``matches(state)``; every stop on the way must show its focus ring."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = focused(page)
        if matches(state):
            return state
    raise AssertionError("not reached by Tab")


def named(name: str):
    return lambda state: state["name"] == name


def labelled(text: str):
    return lambda state: text in state["what"]


@pytest.fixture
def applicant_ready(transactional_db, reference, private_storage, settings):
    """A complete application whose masking questions are still to be answered."""
    settings.PORTAL_TESSERACT_CMD = "/nonexistent/tesseract"
    demo.build()
    user = ApplicantFactory(real_name="王小燕")
    app = fill_sample_application(ApplicationFactory(applicant=user), masking=False)
    return user, app


def test_an_application_by_keyboard_alone(page, login, applicant_ready):
    user, app = applicant_ready
    login(page, user.username, "pass-12345")
    page.goto("/me/")

    # The first stop is the skip link; it lands in the content, past the header.
    page.keyboard.press("Tab")
    assert focused(page)["what"].startswith("A") and "跳到正文" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # A new application: specialty, level, kind and unit by keys, then Enter.
    state = tab_to(page, labelled("新建申报"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, named("specialty"))
    page.keyboard.press("ArrowDown")
    tab_to(page, named("level"))
    page.keyboard.press("ArrowDown")
    tab_to(page, named("kind"))
    page.keyboard.press("Space")
    tab_to(page, lambda s: s["type"] == "search")
    page.keyboard.type("巴州建筑设计研究院")
    assert "已选中" in page.locator(".select-filter-note").inner_text()
    tab_to(page, lambda s: s["type"] == "submit" and "开始填写" in s["what"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/apply/" in page.url and page.locator(".msg-error").count() == 0

    # A section form of the complete application, field by field to 保存; the message gets focus.
    page.goto(reverse("applications:section", args=[app.code, "basic"]))
    stops = []
    state = tab_to(page, lambda s: s["name"].startswith("basic-"))
    while not (state["type"] == "submit" and state["name"] == "_save"):
        stops.append(state["name"])
        if state["name"] == "basic-ethnicity":
            page.keyboard.press("Control+A")
            page.keyboard.type("维吾尔族")
        state = tab_to(page, lambda s: True)
    assert {"basic-name", "basic-phone", "basic-ethnicity", "basic-unit_nature"} <= set(stops)
    # The date field is one stop: Chromium walks its year, month and day, all inside its ring.
    assert stops.count("basic-birth_date") <= 3
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('messages')")
    assert "已保存" in page.evaluate("document.activeElement.textContent")
    assert Application.objects.get(pk=app.pk).sections.get(key="basic").data["ethnicity"] == "维吾尔族"

    # Masking: answer every image; on the first with the name, a box drawn and moved by keys.
    page.goto(reverse("applications:masking", args=[app.code]))
    tab_to(page, lambda s: s["what"].startswith("A") and s["todo"])  # the first image not yet answered
    with page.expect_navigation():
        page.keyboard.press("Enter")
    drew = False
    while True:
        uid = page.url.rstrip("/").split("/")[-1]
        attachment = Attachment.objects.get(uid=uid)
        answer = "1" if not drew and attachment.slot == "diploma" else "0"
        tab_to(page, lambda s: s["name"] == "needs_masking")
        if answer == "0":
            page.keyboard.press("ArrowDown")  # radios: arrows move to 否 and choose it
        page.keyboard.press("Space")
        assert page.locator(f"input[name=needs_masking][value='{answer}']").is_checked()
        if answer == "1":
            tab_to(page, lambda s: s["what"].startswith("CANVAS"))
            page.keyboard.press("Enter")
            page.keyboard.press("ArrowUp")
            page.keyboard.press("Shift+ArrowRight")
            assert "第1个框" in page.locator("#mask-kbd-status").inner_text()
            drew = True
        tab_to(page, lambda s: "保存并下一张" in s["what"])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(".msg-error").count() == 0, page.locator("main").inner_text()[:600]
        if "张未回答" not in page.locator("main").inner_text():
            break
    diploma = Attachment.objects.get(application=app, slot="diploma")
    assert diploma.needs_masking is True and len(diploma.mask_boxes) == 1
    _x, y, w, _h = diploma.mask_boxes[0]
    assert w > diploma.width * 0.4 and 0 <= y < diploma.height * 0.45  # widened, moved up

    # 保存并检查 → 提交, by keys; the confirmation is answered with Enter.
    page.goto(reverse("applications:checklist", args=[app.code]))
    assert page.locator("[data-testid=clean]").is_visible(), page.locator("main").inner_text()[:1500]
    page.once("dialog", lambda dialog: dialog.accept())
    tab_to(page, lambda s: s["what"].startswith("BUTTON") and "提交申报" in s["what"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    app.refresh_from_db()
    assert app.state == State.UNIT_REVIEW and app.submission_count == 1
