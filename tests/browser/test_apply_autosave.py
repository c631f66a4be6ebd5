"""Nothing typed is lost: autosave reaches the server without a click, and when the session has
expired the browser keeps the text and puts it back after the next login."""

import pytest

from applications.models import ApplicationSection
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.browser


def test_autosave_then_expired_session_then_restore(page, live_server, login, transactional_db, reference):
    app = ApplicationFactory()
    user = app.applicant
    login(page, user.username, "pass-12345")
    url = f"{live_server.url}/apply/{app.code}/section/summary/"
    page.goto(url)
    page.fill("textarea[name=summary-text]", "第一段：已自动保存到服务器。")
    page.wait_for_function("() => document.querySelector('[data-testid=autosave]').textContent.includes('已自动保存')")
    assert ApplicationSection.objects.get(application=app, key="summary").draft == {
        "summary-text": ["第一段：已自动保存到服务器。"]}

    # The session expires (cookies gone) while the applicant keeps typing.
    page.context.clear_cookies()
    page.fill("textarea[name=summary-text]", "第二段：会话已过期时写的内容。")
    page.wait_for_function("() => document.querySelector('[data-testid=autosave]').textContent.includes('登录已过期')")
    assert ApplicationSection.objects.get(application=app, key="summary").draft["summary-text"] == [
        "第一段：已自动保存到服务器。"]

    # Log in again (the tab was closed meanwhile): the page restores the browser's copy and saves it.
    login(page, user.username, "pass-12345")
    page.goto(url)
    assert page.input_value("textarea[name=summary-text]") == "第二段：会话已过期时写的内容。"
    assert "已恢复" in page.locator("[data-testid=autosave]").inner_text()
    page.wait_for_function("() => document.querySelector('[data-testid=autosave]').textContent.includes('已自动保存')")
    assert ApplicationSection.objects.get(application=app, key="summary").draft["summary-text"] == [
        "第二段：会话已过期时写的内容。"]


def test_rows_added_in_the_browser_come_back_after_reload(page, live_server, login, transactional_db, reference):
    app = ApplicationFactory()
    login(page, app.applicant.username, "pass-12345")
    url = f"{live_server.url}/apply/{app.code}/section/evaluations/"
    page.goto(url)
    page.fill("input[name=evaluations-rows-0-year]", "2023")
    page.click("[data-add-row=evaluations-rows]")
    page.fill("input[name=evaluations-rows-1-year]", "2024")
    page.wait_for_function("() => document.querySelector('[data-testid=autosave]').textContent.includes('已自动保存')")
    page.goto(url)
    assert page.input_value("input[name=evaluations-rows-1-year]") == "2024"
    assert page.locator(".row-card").count() == 2
