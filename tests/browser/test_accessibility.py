"""Every page of every role of the demo passes axe-core (WCAG 2.0/2.1 A and AA: no serious or
critical violation) and the structure checks of ``a11y.py``, at 1280×800, at 390×844, and at
390×844 in 大字模式 (larger text, higher contrast), where nothing may be wider than the screen.

The demo is seeded on a fixed day; the test reads the database only to find the pages' addresses.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from applications.demo import demo_id_number
from applications.models import Application, Attachment
from review.aftercare.models import Certificate, DefenseSession
from applications.states import State
from tests.browser.a11y import add_axe, axe_problems, structure_problems

pytestmark = pytest.mark.browser

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2026, 5, 6, 10, 0, tzinfo=SHANGHAI)
MODES = [("desktop", {"width": 1280, "height": 800}, False), ("phone", {"width": 390, "height": 844}, False),
         ("phone-large", {"width": 390, "height": 844}, True)]


def _app(name: str) -> Application:
    return Application.objects.filter(applicant__real_name=name).order_by("-id").first()


def pages_by_role() -> dict[str, list[str]]:
    """The addresses each demo role works with (public pages under ``None``)."""
    zhang, gulnar = _app("张建华"), _app("古丽娜尔·艾买提")
    unit_app, county_app, committee_app = _app("马建军"), _app("刘婷"), _app("陈晓东")
    paper_app, scheduled = _app("吴刚"), _app("赵磊")
    certificate = Certificate.objects.get(application=gulnar)
    image = Attachment.objects.filter(application=zhang, content_type="image/jpeg").order_by("id").first()
    sections = list(zhang.sections.values_list("key", flat=True))
    session = DefenseSession.objects.filter(campaign=scheduled.campaign).first()
    campaign = "?campaign=demo"
    return {
        "public": ["/", "/selfcheck/", "/selfcheck/?campaign=bz-2024-zhijian", "/accounts/login/",
                   "/accounts/register/", "/aftercare/certificates/lookup/", "/documents/verify/",
                   reverse("aftercare:certificate_qr", args=[certificate.token]), "/no-such-page/"],
        demo_id_number("652801", "19900101", "123"): [  # 张建华: a returned application to fix
            "/me/", "/profile/", "/profile/basic/", "/apply/new/?campaign=demo",
            reverse("applications:overview", args=[zhang.code]),
            *[reverse("applications:section", args=[zhang.code, key]) for key in sections],
            reverse("applications:checklist", args=[zhang.code]), reverse("applications:preview", args=[zhang.code]),
            reverse("applications:masking", args=[zhang.code]),
            reverse("applications:mask", args=[zhang.code, image.uid]),
            "/documents/mine/", "/review/notifications/", reverse("review:history", args=[zhang.pk])],
        demo_id_number("652801", "19920315", "246"): [  # 古丽娜尔·艾买提: certified in 2023
            "/me/", reverse("aftercare:mine", args=[gulnar.code]), reverse("documents:application", args=[gulnar.pk])],
        "danwei": ["/me/", "/review/queue/", reverse("review:detail", args=[unit_app.pk]), "/review/notifications/",
                   "/aftercare/unit/", "/documents/exports/"],
        "zhuguan": ["/me/", "/review/queue/", reverse("review:detail", args=[county_app.pk]), "/aftercare/unit/"],
        "pingwei": ["/me/", "/review/queue/", reverse("review:detail", args=[committee_app.pk]),
                    "/aftercare/" + campaign, "/aftercare/fees/" + campaign, "/aftercare/defense/" + campaign,
                    "/aftercare/defense/sessions/" + campaign, reverse("aftercare:session", args=[session.pk]), reverse("aftercare:session_panel", args=[session.pk]),
                    "/aftercare/results/" + campaign, "/aftercare/certificates/" + campaign, "/aftercare/integrity/",
                    reverse("aftercare:application", args=[paper_app.pk]), "/documents/exports/",
                    reverse("documents:application", args=[paper_app.pk])],
        "admin": ["/me/"],
    }


@pytest.fixture
def demo_world(transactional_db, private_storage, settings):
    settings.PORTAL_TESSERACT_CMD = "/nonexistent/tesseract"
    with time_machine.travel(DAY, tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        yield


def test_every_page_of_every_role_passes_axe_at_both_sizes_and_in_large_text(browser, live_server, login,
                                                                          demo_world):
    assert Application.objects.filter(campaign__code="demo", state=State.DECIDED).exists()
    roles = pages_by_role()
    problems: list[str] = []
    for mode, viewport, large in MODES:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      base_url=live_server.url)
        add_axe(context)
        page = context.new_page()
        for role, paths in roles.items():
            context.clear_cookies()
            if role != "public":
                login(page, role)
            if large:
                page.goto("/")
                page.evaluate("() => document.cookie = 'portal_large_text=1; path=/'")
            for path in paths:
                page.goto(path)
                page.wait_for_load_state("load")
                if large:  # larger text (≥ 19 px on a phone instead of 16) and higher contrast
                    assert page.evaluate("() => document.documentElement.classList.contains('large-text')"), path
                    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") >= 19, path
                found = axe_problems(page) + structure_problems(page)
                problems += [f"[{mode}] {role} {path}: {p}" for p in found]
        context.close()
    assert not problems, "\n".join(problems)
