"""Issue 13, item 1: wrong passwords lock an account (django-axes) and an address (our counter);
registration is throttled; refusals say in Chinese how long to wait."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from portal.accounts.lockout import release
from portal.accounts.models import Role
from tests.factories import UnitOfficerFactory, UserFactory, valid_id_number

LOGIN = "/accounts/login/"
PASSWORD = "pass-12345"  # the factories' password


def _login(client, username, password, ip):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_thirty_wrong_passwords_lock_an_officer_and_the_right_one_then_fails(client, reference):
    officer = UnitOfficerFactory()
    answers = [_login(client, officer.username, f"guess-{n}", ip=f"10.9.{n}.1") for n in range(30)]
    assert [a.status_code for a in answers[:9]] == [200] * 9  # "账号或密码不正确"
    assert "账号或密码不正确" in answers[0].content.decode()
    assert {a.status_code for a in answers[9:]} == {429}  # locked from the 10th failure on
    locked = answers[-1].content.decode()
    assert "登录失败次数过多，该账号已被临时锁定。请30分钟后再试" in locked
    right = _login(client, officer.username, PASSWORD, ip="10.9.99.1")
    assert right.status_code == 429 and "该账号已被临时锁定" in right.content.decode()
    assert not _logged_in(client)


@pytest.mark.django_db
def test_an_administrator_releases_the_lock(client, reference):
    officer = UnitOfficerFactory()
    for n in range(10):
        _login(client, officer.username, "wrong", ip=f"10.8.{n}.1")
    assert _login(client, officer.username, PASSWORD, ip="10.8.50.1").status_code == 429
    release(officer.username)
    assert _login(client, officer.username, PASSWORD, ip="10.8.50.1").status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
def test_admin_action_releases_the_lock(client, reference):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    applicant = UserFactory(username=valid_id_number())
    for n in range(10):
        _login(client, applicant.username, "wrong", ip=f"10.7.{n}.1")
    client.force_login(admin)
    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "release_login_lock", "_selected_action": [applicant.pk]}, follow=True)
    assert "已解除 1 个账号的登录锁定" in response.content.decode()
    client.logout()
    assert _login(client, applicant.username, PASSWORD, ip="10.7.99.1").status_code == 302


@pytest.mark.django_db
def test_the_lock_ends_when_the_wait_is_over(client, reference):
    officer = UnitOfficerFactory()
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for n in range(10):
            _login(client, officer.username, "wrong", ip=f"10.6.{n}.1")
        traveller.shift(dt.timedelta(minutes=12))
        still = _login(client, officer.username, PASSWORD, ip="10.6.50.1")
        # The refused attempt restarts the wait: guessing on cannot outlast the lock.
        assert still.status_code == 429 and "请30分钟后再试" in still.content.decode()
        traveller.shift(dt.timedelta(minutes=31))
        assert _login(client, officer.username, PASSWORD, ip="10.6.50.1").status_code == 302


@pytest.mark.django_db
def test_a_right_password_resets_the_count_of_an_applicant_who_mistyped(client, reference):
    applicant = UserFactory(username=valid_id_number())
    for n in range(9):
        _login(client, applicant.username, "wrong", ip="10.5.0.1")
    assert _login(client, applicant.username, PASSWORD, ip="10.5.0.1").status_code == 302
    client.logout()
    for n in range(9):
        _login(client, applicant.username, "wrong", ip="10.5.0.1")
    assert _login(client, applicant.username, PASSWORD, ip="10.5.0.1").status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_stopped(client, reference, settings):
    settings.PORTAL_RATE_LIMITS = {"login_ip": (5, 900)}
    users = [UserFactory(username=valid_id_number()) for _ in range(6)]
    for user in users[:5]:
        assert _login(client, user.username, "wrong", ip="10.4.0.1").status_code == 200
    refused = _login(client, users[5].username, PASSWORD, ip="10.4.0.1")
    assert refused.status_code == 429
    assert re.search(r"此网络地址的尝试次数过多，请\d+分钟后再试", refused.content.decode())
    assert not _logged_in(client)
    # The same account from another address is not affected.
    assert _login(client, users[5].username, PASSWORD, ip="10.4.0.2").status_code == 302


def _register(client, ip, **overrides):
    password = "Tian-shan-2026"
    data = {"real_name": "阿依古丽", "id_number": valid_id_number(female=True), "phone": "13912345678",
            "password1": password, "password2": password, **overrides}
    return client.post(reverse("accounts:register"), data, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_registration_is_throttled_per_address(client, reference, settings):
    settings.PORTAL_RATE_LIMITS = {"register_ip": (3, 3600)}
    assert [_register(client, "10.3.0.1").status_code for _ in range(3)] == [302] * 3
    refused = _register(client, "10.3.0.1")
    assert refused.status_code == 429
    assert re.search(r"此网络地址的尝试次数过多，请\d+分钟后再试", refused.content.decode())
    assert _register(client, "10.3.0.2").status_code == 302


@pytest.mark.django_db
def test_password_too_short_is_refused_in_chinese(client, reference):
    response = _register(client, "10.2.0.1", password1="Ab1", password2="Ab1")
    page = response.content.decode()
    assert "密码太短，至少需要8个字符" in page and "too short" not in page
