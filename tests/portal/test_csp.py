"""A strict Content-Security-Policy on every page (django-csp): scripts, styles and images from
this site only, nothing inline that would need ``unsafe-inline``; redirects that take a target from
the request stay on this site."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/register/", "/selfcheck/",
                "/aftercare/certificates/lookup/", "/documents/verify/"]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_answer_with_a_strict_policy(client, reference, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"][0] == "'self'" and "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_signed_in_pages_carry_the_policy_too(client, reference):
    client.force_login(ApplicantFactory())
    for path in (reverse("dashboard"), reverse("applications:profile"), reverse("applications:new")):
        assert "script-src 'self'" in client.get(path)["Content-Security-Policy"], path


def test_error_pages_carry_the_policy_when_debug_is_off(client, reference, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "script-src 'self'" in response["Content-Security-Policy"]


def test_the_500_pages_own_style_is_allowed_by_its_hash():
    html = defaults.server_error(RequestFactory().get("/")).content.decode()
    style = re.search(r"<style>(.*?)</style>", html, flags=re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


def _served_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "pdf" not in path.relative_to(TEMPLATES).parts:  # rendered to PDF by WeasyPrint, never served
            yield path


def test_no_served_template_has_inline_script_handlers_or_styles():
    offenders = []
    for path in _served_templates():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(TEMPLATES))
        offenders += [f"{name}: handler {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{name}: style attribute" for _ in re.findall(r"\sstyle\s*=", text)]
        offenders += [f"{name}: inline script" for tag in re.findall(r"<script\b[^>]*>", text)
                      if "src=" not in tag and "application/json" not in tag]
        if name != "500.html":
            offenders += [f"{name}: <style> block" for _ in re.findall(r"<style\b", text)]
        offenders += [f"{name}: javascript: URL" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


def test_no_static_script_writes_style_attributes():
    # ``el.style.x = …`` (CSSOM) is allowed under the policy; markup with style="…" is not.
    for path in (Path(settings.BASE_DIR) / "static").rglob("*.js"):
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"style=|setAttribute\(\s*['\"]style", text), path
