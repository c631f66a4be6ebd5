"""Issue 13, item 2: a one-time reset link, issued by the applicant's unit officer (only for
applicants with an application in that unit) or by an administrator; short validity, single use."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail

from portal.accounts.models import Role
from portal.accounts.tasks import send_mail_task
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CountyOfficerFactory,
    UnitOfficerFactory,
    UserFactory,
)

ISSUE = "/accounts/password-reset/"


def _issue(client, who, **extra):
    return client.post(ISSUE, {"who": who, **extra})


def _link(response) -> str:
    return re.search(r'<code class="reset-url">https?://[^/]+(/accounts/reset/[^<]+)</code>',
                     response.content.decode()).group(1)


def _set_password(client, link, password):
    form = client.get(link, follow=True)
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


@pytest.fixture
def unit_app(reference):
    return ApplicationFactory()


@pytest.mark.django_db
def test_unit_officer_issues_a_single_use_link_for_an_applicant_of_the_unit(client, unit_app):
    officer = UnitOfficerFactory(unit=unit_app.unit)
    applicant = unit_app.applicant
    client.force_login(officer)
    issued = _issue(client, applicant.id_number.lower())
    assert issued.status_code == 200 and "只能使用一次" in issued.content.decode()
    link = _link(issued)
    client.logout()
    done = _set_password(client, link, "Kunlun-2027-new")
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    applicant.refresh_from_db()
    assert applicant.check_password("Kunlun-2027-new")
    again = client.get(link, follow=True)
    assert "该链接无效、已使用过或已过期" in again.content.decode()


@pytest.mark.django_db
def test_unknown_and_out_of_scope_numbers_get_the_same_answer(client, unit_app):
    officer = UnitOfficerFactory(unit=unit_app.unit)
    stranger = ApplicationFactory().applicant  # an application in another unit
    colleague = UnitOfficerFactory(unit=unit_app.unit)
    client.force_login(officer)
    answers = [_issue(client, who).content.decode() for who in (stranger.id_number, "652801199001011232",
                                                                colleague.username)]
    refusals = [re.search(r'class="field-error"[^>]*>([^<]+)<', page).group(1) for page in answers]
    assert len(set(refusals)) == 1 and "未找到可以重置密码的用户" in refusals[0]
    assert all("reset-url" not in page for page in answers)


@pytest.mark.django_db
def test_officers_reset_through_an_administrator_who_may_also_email_the_link(
        client, unit_app, django_capture_on_commit_callbacks):
    officer = UnitOfficerFactory(unit=unit_app.unit, email="wang@example.cn")
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks() as callbacks:
        issued = _issue(client, officer.username, send_by_email="on")
    assert "已发送到 wang@example.cn" in issued.content.decode()
    assert mail.outbox == []  # never sent in the request: the worker sends it (queue "mail", retried)
    queued = [c for c in callbacks if getattr(c, "task_name", "") == "accounts.send_mail"]
    assert len(queued) == 1
    send_mail_task.run(**queued[0].task_kwargs)  # what the worker runs
    assert len(mail.outbox) == 1 and _link(issued) in mail.outbox[0].body
    assert mail.outbox[0].to == ["wang@example.cn"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["applicant", "county"])
def test_only_unit_officers_and_administrators_issue_links(client, unit_app, role):
    user = ApplicantFactory() if role == "applicant" else CountyOfficerFactory()
    client.force_login(user)
    assert client.get(ISSUE).status_code == 403
    assert _issue(client, unit_app.applicant.id_number).status_code == 403


@pytest.mark.django_db
def test_a_link_expires_after_the_configured_time(client, unit_app, settings):
    settings.PASSWORD_RESET_TIMEOUT = 2 * 3600
    officer = UnitOfficerFactory(unit=unit_app.unit)
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        client.force_login(officer)
        link = _link(_issue(client, unit_app.applicant.id_number))
        client.logout()
        traveller.shift(dt.timedelta(hours=2, minutes=1))
        assert "该链接无效、已使用过或已过期" in client.get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_opening_reset_links_is_throttled_per_address(client, settings, reference):
    settings.PORTAL_RATE_LIMITS = {"password_reset_ip": (3, 3600)}
    for _ in range(3):
        assert client.get("/accounts/reset/MQ/forged-token/").status_code == 200
    refused = client.get("/accounts/reset/MQ/forged-token/")
    assert refused.status_code == 429 and "尝试次数过多" in refused.content.decode()
