"""Each demo role logs in through the real form and lands on its own home page."""

import pytest

from applications import demo
from portal.accounts.models import Role

pytestmark = pytest.mark.browser

ROLE_LOGINS = [(login.username, login.role, login.real_name) for login in demo.LOGINS]


@pytest.fixture
def demo_world(transactional_db):
    demo.build()


def test_public_home_lists_campaigns(page, live_server, demo_world):
    page.goto(live_server.url + "/")
    assert page.locator("article[data-campaign=demo] .badge-open").is_visible()
    for code in ("bz-2023-jianzhu", "bz-2023-dangxiao", "yq-2024-chuding", "bz-2024-zhijian", "bz-2021-shihua"):
        assert page.locator(f"article[data-campaign={code}]").count() == 1
    assert "2023年8月15日—9月15日" in page.locator("article[data-campaign=bz-2023-jianzhu]").inner_text()


@pytest.mark.parametrize("username,role,real_name", ROLE_LOGINS, ids=[r[0] for r in ROLE_LOGINS])
def test_each_role_sees_its_home(page, live_server, login, demo_world, username, role, real_name):
    login(page, username)
    whoami = page.locator("[data-testid=whoami]")
    assert real_name in whoami.inner_text()
    assert str(Role(role).label) in whoami.inner_text()
    page.goto(live_server.url + "/me/")
    heading = page.locator("main h1").inner_text()
    assert heading == ("我的申报" if role == Role.APPLICANT else "工作台")
    if role == Role.ADMIN:
        page.goto(live_server.url + "/admin/")
        assert "管理后台" in page.title() or "职称平台管理" in page.title()


def test_a_staff_login_enrols_then_asks_for_the_code_before_any_staff_page(page, live_server, demo_world):
    """Issue 13: the password alone opens no staff page; enrolment shows a QR code and the key."""
    import base64

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username="zhuguan").delete()  # the demo gave it the demo device
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "zhuguan")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("main h1").inner_text() == "设置两步验证"
    assert page.locator("[data-testid=otp-qr] svg").is_visible()
    page.goto(live_server.url + "/review/queue/")
    assert page.locator("main h1").inner_text() == "设置两步验证"  # still no staff page
    secret = page.locator("[data-testid=otp-secret]").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=token]", f"{totp(key):06d}")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=backup-codes] li").count() == 10, page.content()
    page.click("text=继续")
    assert page.locator("main h1").inner_text() == "待审核"
