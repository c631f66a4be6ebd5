"""Every message a user can meet is Chinese, Django's own included (its zh_Hans catalogue lacks the
Django 5.2 password-length message and words the length limits awkwardly: portal/locale)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db


def _register(client, **overrides):
    data = {"real_name": "阿依古丽", "id_number": valid_id_number("19930412"), "phone": "13899001122",
            "password1": "Tian-shan-2026", "password2": "Tian-shan-2026", **overrides}
    return client.post(reverse("accounts:register"), data).content.decode()


def _errors(page: str) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]+)<', page)


def test_a_short_id_number_is_told_its_length_in_chinese(client):
    page = _register(client, id_number=valid_id_number("19930412")[:17])
    assert "身份证号码应为18位，您输入了17位。" in _errors(page)
    assert "确保该变量" not in page


def test_a_short_password_is_refused_in_chinese(client):
    page = _register(client, password1="Ab-12", password2="Ab-12")
    assert "密码太短，至少需要8个字符。" in _errors(page)
    assert "too short" not in page


def test_every_password_rule_speaks_chinese(client):
    for password in ("Ab-12", "12345678901", "password123", "19930412"):
        for message in _errors(_register(client, password1=password, password2=password)):
            assert re.search(r"[\u4e00-\u9fff]", message) and not re.search(r"[A-Za-z]{4,}", message), message


def test_an_overlong_value_is_refused_in_chinese(client):
    page = _register(client, real_name="张" * 51)
    assert "最多可填写 50 个字符，现在是 51 个。" in _errors(page)
