"""The pages work under the portal's strict Content-Security-Policy (every browser test fails on a
violation: see ``csp_violations`` in tests/conftest.py), and signing out removes this browser's
copy of unsaved drafts."""

from __future__ import annotations

import pytest

from applications import demo

pytestmark = pytest.mark.browser

APPLICANT = demo.LOGINS[1].username


@pytest.fixture
def demo_world(transactional_db):
    demo.build()


def test_the_guard_sees_an_inline_style_the_policy_blocks(page, live_server, csp_violations):
    page.goto(live_server.url + "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # the violation was the point of this test


def test_a_select_submits_its_form_without_an_inline_handler(page, live_server, demo_world):
    page.goto(live_server.url + "/selfcheck/")
    codes = page.locator("#id_campaign option").evaluate_all("options => options.map(o => o.value)")
    other = next(code for code in codes if code != page.locator("#id_campaign").input_value())
    with page.expect_navigation():
        page.select_option("#id_campaign", other)
    assert f"campaign={other}" in page.url


def test_signing_out_removes_the_draft_copies_of_this_browser(page, live_server, login, demo_world):
    login(page, APPLICANT)
    page.goto(live_server.url + "/profile/basic/")
    field = page.locator("form.section-form input[type=text]:not([readonly])").first
    field.fill("草稿内容")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('profile:'))")
    page.evaluate("localStorage.setItem('apply:DEMO-1:basic', '{}'); localStorage.setItem('portal:other', '1')")
    with page.expect_navigation():
        page.click("form.logout-form button[type=submit]")
    keys = page.evaluate("Object.keys(localStorage)")
    assert keys == ["portal:other"]


def test_signing_in_as_someone_else_removes_the_copies_of_the_one_before(page, live_server, login, demo_world):
    """A session that ended without 退出 leaves its copies for its owner only: the next person who
    signs in on this browser removes everyone else's (copies without an owner too)."""
    login(page, APPLICANT)
    page.goto(live_server.url + "/profile/basic/")
    page.locator("form.section-form input[type=text]:not([readonly])").first.fill("草稿内容")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('profile:'))")
    own = page.evaluate("document.body.dataset.user")
    mine = page.evaluate("Object.keys(localStorage).find(k => k.startsWith('profile:'))")
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{mine}')).u") == own
    page.evaluate("""() => {
        localStorage.setItem('apply:OTHER-1:basic', JSON.stringify({u: 'x' + document.body.dataset.user,
            pairs: [['basic-id_number', '652801199001011232'], ['basic-phone', '13800000000']]}));
        localStorage.setItem('profile:0:basic', JSON.stringify({pairs: []}));
        localStorage.setItem('apply:BROKEN:basic', '{');
        localStorage.setItem('portal:other', '1');
    }""")
    page.reload()
    assert sorted(page.evaluate("Object.keys(localStorage)")) == sorted([mine, "portal:other"])


def test_the_admin_works_under_the_policy(page, login, demo_world):
    from applications.models import Campaign

    login(page, "admin")
    campaign = Campaign.objects.get(code="demo")
    for path in ("/admin/", "/admin/applications/campaign/", f"/admin/applications/campaign/{campaign.pk}/change/",
                 "/admin/accounts/user/add/"):
        page.goto(path)
        assert page.locator("#content").count() == 1, path
