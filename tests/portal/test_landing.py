"""After signing in, every role lands on its own work, not on the public home (issue 18)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import current_totp, staff_totp_device
from tests.factories import ApplicantFactory, ClerkFactory, UnitOfficerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [ApplicantFactory, UnitOfficerFactory, ClerkFactory])
def test_login_lands_on_the_role_s_own_page(client, reference, factory):
    user = factory()
    device = staff_totp_device(user) if user.role != "applicant" else None  # staff have enrolled a phone
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "pass-12345"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    landing = client.get(response["Location"])
    if user.role != "applicant":  # staff give their second factor first, then arrive at the same page
        assert landing.status_code == 302 and "/accounts/two-factor/" in landing["Location"]
        verified = client.post(landing["Location"], {"token": current_totp(device)})
        assert verified.status_code == 302 and verified["Location"] == reverse("dashboard")
        landing = client.get(verified["Location"])
    heading = landing.content.decode()
    assert ("我的申报" if user.role == "applicant" else "工作台") in heading


def test_a_safe_next_still_wins(client, reference):
    user = ApplicantFactory()
    response = client.post(reverse("accounts:login") + "?next=/profile/",
                           {"username": user.username, "password": "pass-12345", "next": "/profile/"})
    assert response["Location"] == "/profile/"
    other = ApplicantFactory()
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": other.username, "password": "pass-12345",
                                                        "next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard")
