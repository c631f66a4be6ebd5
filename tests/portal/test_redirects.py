"""Issue 13 item 8, redirects only to this site: every redirect to a ``next`` goes through
``portal.errors.safe_next`` (``url_has_allowed_host_and_scheme``)."""

import pathlib
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.errors import safe_next
from tests.factories import UnitOfficerFactory

ROOT = pathlib.Path(__file__).resolve().parents[2]
OFF_SITE = ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example",
            "http://evil.example@testserver/", "javascript:alert(1)", " https://evil.example/",
            "\thttps://evil.example/", "https://evil.example\\@testserver/", "///evil.example/"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_every_way_off_site(target):
    for request in (RequestFactory().post("/x/", {"next": target}), RequestFactory().get("/x/", {"next": target})):
        assert safe_next(request, "/home/") == "/home/", target


def test_safe_next_keeps_a_path_of_this_site_and_https_on_https():
    assert safe_next(RequestFactory().get("/x/", {"next": "/review/queue/?page=2"}), "/") == "/review/queue/?page=2"
    secure = RequestFactory().get("/x/", {"next": "http://testserver/review/"}, secure=True)
    assert safe_next(secure, "/") == "/"  # no downgrade from https
    assert safe_next(RequestFactory().get("/x/"), "/d/") == "/d/"


def test_every_next_in_the_code_goes_through_safe_next():
    """The only readers of a posted or queried ``next``: safe_next itself, and the lock-out page,
    which puts it back into the login form (Django's LoginView checks it the same way)."""
    allowed = {"portal/errors.py", "portal/accounts/lockout.py"}
    pattern = re.compile(r"""request\.(GET|POST|REQUEST)(\.get\(|\[)\s*["']next["']""")
    found = {str(path.relative_to(ROOT)) for folder in ("applications", "review", "portal")
             for path in (ROOT / folder).rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))}
    assert found <= allowed, found - allowed


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_batch_approval_goes_back_only_on_this_site(client, reference, target):
    client.force_login(UnitOfficerFactory())
    response = client.post(reverse("review:batch_approve"), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("review:queue")
    response = client.post(reverse("review:batch_approve"), {"next": "/review/queue/?page=2"})
    assert response["Location"] == "/review/queue/?page=2"
