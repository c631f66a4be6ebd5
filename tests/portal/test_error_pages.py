"""Error pages speak Chinese to the people who meet them (Django's own are English, for developers)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_chinese_404_with_the_way_back(client, reference):
    response = client.get("/review/")  # a guessable address that is no page
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and 'href="/"' in page and "Not Found" not in page


def test_a_signed_in_user_is_offered_their_dashboard(client, reference):
    client.force_login(ApplicantFactory())
    page = client.get("/no-such-page/").content.decode()
    assert "我的工作台" in page and reverse("dashboard") in page


def test_a_stale_form_gets_an_explanation_and_changes_nothing(reference):
    csrf_client = Client(enforce_csrf_checks=True)
    applicant = ApplicantFactory()
    csrf_client.force_login(applicant)
    response = csrf_client.post(reverse("accounts:logout"))  # no token: as from a page left open too long
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page and "已经保存过的内容不受影响" in page and "CSRF" not in page
    assert csrf_client.get(reverse("dashboard")).status_code == 200  # still signed in: the post did nothing


def test_the_server_error_page_renders_without_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器暂时出错" in page and "已经保存过的内容不受影响" in page


def test_forbidden_and_bad_request_pages_are_chinese(rf, reference):
    request = rf.get("/")

    request.user = AnonymousUser()
    assert "无权访问" in defaults.permission_denied(request, Exception()).content.decode()
    assert "请求无效" in defaults.bad_request(request, Exception()).content.decode()
