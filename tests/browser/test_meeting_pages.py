"""The meeting's pages pass axe-core and the structure checks (one h1, headings in order, no page
wider than the screen) at 1280×800 and at 390×844, for the clerk and for an expert."""

from __future__ import annotations

import pytest

from review.meeting import services
from tests.browser.a11y import add_axe, axe_problems, structure_problems
from tests.meeting.conftest import open_with, sitting  # noqa: F401 - the fixture, shared with the service tests

pytestmark = pytest.mark.browser

MODES = [("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})]


def test_meeting_pages_pass_axe_on_desktop_and_phone(browser, live_server, login, sitting):  # noqa: F811
    expert = sitting.members[0]
    meeting = sitting.meeting
    plain = sitting.items["plain"]
    clerk_pages = ["/meeting/", "/meeting/pool/", f"/meeting/{meeting.pk}/"]
    before = ["/meeting/mine/", f"/meeting/{meeting.pk}/declare/"]
    problems: list[str] = []
    for mode, viewport in MODES:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      base_url=live_server.url)
        add_axe(context)
        page = context.new_page()
        pages = [(sitting.clerk, clerk_pages), (expert.user, before)]
        if mode == "phone":  # the second round: after the declaration, with the meeting sitting
            services.declaration_make(meeting=meeting, user=expert.user, statement="承诺")
            open_with(sitting, sitting.members[:8])
            services.ballot_open(item=plain, actor=sitting.clerk)
            pages = [(sitting.clerk, clerk_pages),
                     (expert.user, ["/meeting/mine/", f"/meeting/package/{plain.pk}/", f"/meeting/ballot/{plain.pk}/"])]
        for user, paths in pages:
            context.clear_cookies()
            login(page, user.username, "pass-12345")
            for path in paths:
                response = page.goto(path)
                assert response.status == 200, (mode, path)
                page.wait_for_load_state("load")
                problems += [f"[{mode}] {user.username} {path}: {p}" for p in axe_problems(page) + structure_problems(page)]
        context.close()
    assert not problems, "\n".join(problems)
