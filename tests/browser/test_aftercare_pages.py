"""The after-acceptance pages as the demo leaves them, at desk and phone width: each page shows
what its user needs (and screenshots go to ``DATA_DIR/screenshots`` for a look)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from applications.demo import demo_id_number

pytestmark = pytest.mark.browser

SHOTS = Path(settings.DATA_DIR) / "screenshots"


@pytest.fixture
def demo_world(transactional_db, reference):
    call_command("seed_demo", stdout=io.StringIO())  # every layer's demo, as run.sh loads it


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"aftercare-{name}.png"), full_page=True)


PAGES = [
    ("index", "/aftercare/?campaign=demo", ["吴刚", "李娜", "赵磊", "艾力·吐尔逊", "4/7"]),
    ("fees", "/aftercare/fees/?campaign=demo", ["按单位对账", "巴州建筑设计研究院", "未缴"]),
    ("defense", "/aftercare/defense/?campaign=demo", ["地点另行通知", "免于答辩（2人）", "待安排答辩（1人，已缴费）"]),
    ("sessions", "/aftercare/defense/sessions/?campaign=demo", ["答辩场次", "修改、录入成绩"]),
    ("results", "/aftercare/results/?campaign=demo", ["评审结果公示", "待记录结果"]),
    ("integrity", "/aftercare/integrity/", ["钱伟", "提供的继续教育合格证书系伪造"]),
]


@pytest.mark.parametrize("width", [1280, 390])
def test_clerk_pages(page, live_server, login, demo_world, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "pingwei")
    for name, path, expected in PAGES:
        page.goto(live_server.url + path)
        text = page.locator("main").inner_text()
        for words in expected:
            assert words in text, (name, words)
        # Nothing wider than the screen on a phone: tables become cards.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, overflow)
        _shot(page, f"{name}-{width}")


def test_unit_and_applicant_pages(page, live_server, login, demo_world):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "danwei")
    page.goto(live_server.url + "/aftercare/unit/")
    text = page.locator("main").inner_text()
    assert "艾力·吐尔逊" in text and "个人承诺书" in text
    _shot(page, "unit-390")
    page.context.clear_cookies()
    login(page, demo_id_number("652801", "19920315", "246"))  # 古丽娜尔·艾买提, certified in 2023
    page.goto(live_server.url + "/me/")
    assert page.locator("[data-testid=certificate-download]").is_visible()
    with page.expect_download() as download:
        page.locator("[data-testid=certificate-download]").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    page.goto(live_server.url + "/aftercare/c/XXXXXXXXXXXXXXXX/")
    assert "可能是伪造的" in page.locator("main").inner_text()
