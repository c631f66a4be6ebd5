"""Issue 13, item 3: no staff page without the second factor, for every staff role (the check is
by role, so a role added later, such as experts, is covered); enrolment with a QR code, backup
codes, verification at each login.  ``raw_client`` logs in without the test shim
(tests/conftest.py ``staff_second_factor_shim``)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import Role
from tests.conftest import current_totp
from tests.factories import (
    ApplicantFactory,
    ClerkFactory,
    CountyOfficerFactory,
    UnitOfficerFactory,
    UserFactory,
)

STAFF_PAGES = ["/me/", "/review/queue/", "/review/applications/1/", "/documents/exports/", "/aftercare/",
               "/aftercare/unit/", "/aftercare/integrity/", "/admin/", "/accounts/password-reset/",
               "/accounts/two-factor/backup-codes/"]

STAFF = {
    "unit_officer": lambda: UnitOfficerFactory(),
    "county_officer": lambda: CountyOfficerFactory(),
    "committee_clerk": lambda: ClerkFactory(),
    "admin": lambda: UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True),
    # Not a role yet: the check is "every role but the applicant's", so it is covered already.
    "expert": lambda: UserFactory(role="expert"),
    "applicant_with_staff_flag": lambda: ApplicantFactory(is_staff=True),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(STAFF))
@pytest.mark.parametrize("enrolled", [False, True], ids=["not-enrolled", "enrolled"])
def test_a_staff_login_without_its_second_factor_reaches_no_staff_page(raw_client, reference, kind, enrolled):
    user = STAFF[kind]()
    if enrolled:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    raw_client.force_login(user)
    step = reverse("accounts:otp_verify" if enrolled else "accounts:otp_setup")
    for path in STAFF_PAGES:
        response = raw_client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(step + "?next="), (path, response["Location"])
    # A write is stopped the same way.
    assert raw_client.post("/review/queue/batch-approve/", {"ids": [1]})["Location"].startswith(step)


@pytest.mark.django_db
def test_applicants_and_visitors_are_not_asked(raw_client, reference):
    assert raw_client.get("/aftercare/certificates/lookup/").status_code == 200
    raw_client.force_login(ApplicantFactory())
    assert raw_client.get("/me/").status_code == 200
    assert raw_client.get("/accounts/two-factor/backup-codes/").status_code == 302  # nothing to see there


@pytest.mark.django_db
def test_enrolment_with_the_qr_code_then_backup_codes_then_every_login_asks(client, reference):
    officer = UnitOfficerFactory()
    assert client.post("/accounts/login/", {"username": officer.username, "password": "pass-12345"}).status_code == 302
    setup = client.get("/review/queue/", follow=True)
    assert setup.redirect_chain[-1][0] == "/accounts/two-factor/setup/?next=%2Freview%2Fqueue%2F"
    page = setup.content.decode()
    assert "<svg" in page and "设置两步验证" in page
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") in device.config_url
    # The second wrong code comes within the throttle's delay (1 s after one failure): the clock is
    # held still for both, so a slow machine (a parallel run) cannot let the delay pass between them.
    with time_machine.travel(timezone.now(), tick=False):
        wrong = client.post("/accounts/two-factor/setup/", {"token": "000000", "next": "/review/queue/"})
        assert "验证码不正确" in wrong.content.decode()
        assert "验证码错误次数过多，请" in client.post("/accounts/two-factor/setup/", {"token": "000000"}).content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post("/accounts/two-factor/setup/", {"token": current_totp(device), "next": "/review/queue/"})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10 and "两步验证已设置" in done.content.decode()
    assert client.get("/review/queue/").status_code == 200
    # Next login: the password alone is not enough; a backup code works once.
    client.logout()
    client.post("/accounts/login/", {"username": officer.username, "password": "pass-12345"})
    assert client.get("/review/queue/")["Location"].startswith("/accounts/two-factor/?next=")
    verified = client.post("/accounts/two-factor/", {"token": codes[0], "next": "/review/queue/"})
    assert verified["Location"] == "/review/queue/" and client.get("/review/queue/").status_code == 200
    client.logout()
    client.post("/accounts/login/", {"username": officer.username, "password": "pass-12345"})
    reused = client.post("/accounts/two-factor/", {"token": codes[0], "next": "/review/queue/"})
    assert reused.status_code == 200 and "验证码不正确或已使用过" in reused.content.decode()
    assert client.get("/review/queue/").status_code == 302


@pytest.mark.django_db
def test_verification_with_the_app_code_and_a_throttle_in_chinese(raw_client, reference):
    clerk = ClerkFactory()
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    raw_client.force_login(clerk)
    first = raw_client.post("/accounts/two-factor/", {"token": "123456"})
    assert "验证码不正确" in first.content.decode()
    second = raw_client.post("/accounts/two-factor/", {"token": current_totp(device)})
    assert "验证码错误次数过多，请" in second.content.decode()  # one second's wait after one failure
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    ok = raw_client.post("/accounts/two-factor/", {"token": current_totp(device), "next": "/aftercare/"})
    assert ok["Location"] == "/aftercare/"


@pytest.mark.django_db
def test_next_after_verification_stays_on_this_site(raw_client, reference):
    clerk = ClerkFactory()
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    raw_client.force_login(clerk)
    response = raw_client.post("/accounts/two-factor/?next=https://evil.example/",
                               {"token": current_totp(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/me/"


@pytest.mark.django_db
def test_the_test_shim_verifies_staff_logged_in_with_force_login(client, reference):
    client.force_login(CountyOfficerFactory())
    assert client.get("/review/queue/").status_code == 200


@pytest.mark.django_db
def test_demo_logins_get_the_published_demo_secret(reference):
    from applications import demo
    from portal.accounts import demo as accounts_demo

    demo.build()
    devices = TOTPDevice.objects.filter(name=accounts_demo.DEMO_DEVICE_NAME, confirmed=True)
    assert sorted(d.user.username for d in devices) == ["admin", "danwei", "danwei2", "pingwei", "xianshi", "zhuguan"]
    assert {d.key for d in devices} == {accounts_demo.demo_totp_key()}
