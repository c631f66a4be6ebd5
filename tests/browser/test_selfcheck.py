"""The self-check page in Chromium at phone width: fill it, read the verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db, reference):
    """Reference data and campaigns, committed so the live server sees them."""


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_phone_user_checks_a_003_intermediate_review(page, live_server, world):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/selfcheck/")
    # Choosing the notice reloads the form with its specialties, levels, evaluation years.
    page.select_option("#id_campaign", "bz-2024-zhijian")
    page.wait_for_url("**campaign=bz-2024-zhijian**")
    assert page.locator("#id_evaluation_2022").is_visible()
    assert fits_the_phone(page)

    page.select_option("#id_level", "intermediate")
    page.check("input[name=kind][value=review]")
    page.select_option("#id_unit_nature", "institution")
    page.select_option("#id_county", "且末县")
    page.select_option("#id_education_level", "bachelor")
    page.fill("#id_graduated", "2012-07-01")
    page.fill("#id_professional_work_start", "2012-08-01")
    page.select_option("#id_title_level", "junior")
    page.fill("#id_title_obtained", "2018-09-30")
    page.select_option("#id_evaluation_2022", "basic")
    for year in ("2020", "2021", "2022", "2023", "2024"):
        page.check(f"input[name=ce_public][value='{year}']")
    page.check("input[name=ce_professional][value='2022']")
    page.click("[data-testid=selfcheck-submit]")

    verdict = page.locator("[data-testid=verdict]")
    verdict.wait_for()
    assert page.locator("[data-testid=verdict-headline]").inner_text() == "✔ 符合申报条件"
    assert verdict.is_visible() and verdict.bounding_box()["y"] < PHONE["height"]  # scrolled into view
    assert "共需5年" in verdict.inner_text()
    assert "380 元" in page.locator("[data-testid=fee]").inner_text()
    assert "免于答辩" in page.locator("[data-testid=defense]").inner_text()
    missing = page.locator("[data-testid=ce-table] tr[data-category=professional] td").last.inner_text()
    assert missing == "2023、2024年"
    assert page.locator("[data-testid=materials] li[data-code=authenticity_pledge]").count() == 1
    assert fits_the_phone(page)
    # What was typed is still there to adjust.
    assert page.input_value("#id_title_obtained") == "2018-09-30"
    page.screenshot(path=str(Path(settings.DATA_DIR) / "selfcheck-phone.png"), full_page=True)


def test_ineligible_initial_determination_in_002_says_when(page, live_server, world):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/selfcheck/?campaign=yq-2024-chuding")
    page.select_option("#id_specialty", label="电力")
    page.select_option("#id_unit_nature", "private_enterprise")
    page.select_option("#id_county", "焉耆回族自治县")
    page.select_option("#id_education_level", "junior_college")
    page.fill("#id_graduated", "2023-07-01")
    page.fill("#id_professional_work_start", "2023-08-01")
    page.click("[data-testid=selfcheck-submit]")
    page.locator("[data-testid=verdict]").wait_for()
    assert page.locator("[data-testid=verdict-headline]").inner_text() == "✘ 暂不符合申报条件"
    assert "最早可于 2025 年申报" in page.locator("[data-testid=earliest-year]").inner_text()
    assert "需满2年" in page.locator("li[data-rule=initial]").inner_text()
    assert "无需缴费" in page.locator("[data-testid=fee]").inner_text()
    assert page.locator("[data-testid=materials] li[data-code=social_insurance]").count() == 1
    assert fits_the_phone(page)
