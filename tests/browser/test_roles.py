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
