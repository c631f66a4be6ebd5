"""Public certificate pages: look-up by ID number + name (a wrong pair answers exactly like an
unknown one), masked ID numbers, signed downloads, number and QR verification, rate limits
shared through the cache."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import Level
from review.aftercare.models import Certificate
from review.aftercare.render import certificate_render
from review.aftercare.services import (
    certificates_issue,
    decisions_record,
    integrity_record_create,
    result_publicity_set,
)
from review.aftercare.views.public import DOWNLOAD_SALT
from tests.aftercare.conftest import results_timeline
from tests.aftercare.test_defense import to_fee_paid
from tests.factories import valid_id_number

LOOKUP = "/aftercare/certificates/lookup/"


def _days(n):
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(accepted, staff, demo_campaign):
    timeline = results_timeline(demo_campaign)
    app = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
    decisions_record(application_ids=[app.pk], result="pass", meeting_date=timeline.meeting, actor=staff.clerk)
    result_publicity_set(campaign=demo_campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                         actor=staff.clerk)
    certificates_issue(application_ids=[app.pk], actor=staff.clerk)
    return certificate_render(certificate_id=Certificate.objects.get(application=app).pk)


def _lookup(client, id_number, name, ip="10.0.0.1"):
    return client.post(LOOKUP, {"id_number": id_number, "name": name}, REMOTE_ADDR=ip)


def _without_inputs(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'(name="(id_number|name)"[^>]*?) value="[^"]*"', r"\1", html)


def test_the_right_pair_finds_the_certificate_with_a_masked_id_and_a_download(client, certificate):
    response = _lookup(client, certificate.id_number, certificate.holder_name)
    page = response.content.decode()
    masked = certificate.id_number[:4] + "*" * 10 + certificate.id_number[-4:]
    assert masked in page and certificate.number in page and "助理工程师" in page
    assert certificate.id_number not in page  # masked, and the form is emptied after a hit
    link = re.search(r'href="(/aftercare/certificates/file/[^"]+)"', page).group(1)
    download = client.get(link)
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content)[:5] == b"%PDF-"


def test_a_wrong_pair_answers_exactly_like_an_unknown_one(client, certificate):
    stranger = valid_id_number("19850101")
    answers = [_lookup(client, certificate.id_number, "王小明"), _lookup(client, stranger, certificate.holder_name),
               _lookup(client, stranger, "王小明")]
    assert {r.status_code for r in answers} == {200}
    pages = {_without_inputs(r.content.decode()) for r in answers}
    assert len(pages) == 1
    page = pages.pop()
    assert "未查询到证书。请核对身份证号码和姓名" in page and certificate.number not in page


def test_a_malformed_id_number_is_a_form_error_not_a_database_answer(client, certificate):
    page = _lookup(client, certificate.id_number[:-1] + ("0" if certificate.id_number[-1] != "0" else "1"),
                   certificate.holder_name).content.decode()
    assert "身份证号码校验位不正确" in page and "未查询到证书" not in page


def test_lookups_are_rate_limited_per_address(client, certificate, settings):
    settings.PORTAL_RATE_LIMITS = {"lookup_ip": (3, 600)}
    for _ in range(3):
        assert _lookup(client, certificate.id_number, "王小明", ip="10.0.0.9").status_code == 200
    limited = _lookup(client, certificate.id_number, certificate.holder_name, ip="10.0.0.9")
    assert limited.status_code == 429
    assert re.search(r"查询过于频繁，请([1-9]|10)分钟后再试", limited.content.decode())
    assert certificate.number not in limited.content.decode()
    # Another address is not affected.
    assert certificate.number in _lookup(client, certificate.id_number, certificate.holder_name, ip="10.0.0.10") \
        .content.decode()


def test_lookups_of_one_id_number_are_limited_from_every_address(client, certificate, settings):
    settings.PORTAL_RATE_LIMITS = {"lookup_id": (2, 3600)}
    for n in range(2):
        assert _lookup(client, certificate.id_number, f"猜测{n}", ip=f"10.1.0.{n}").status_code == 200
    assert _lookup(client, certificate.id_number, certificate.holder_name, ip="10.1.0.99").status_code == 429


def test_verify_by_number_or_check_code_shows_a_masked_name(client, certificate):
    for text in (certificate.number, certificate.number.lower().replace("-", ""), certificate.token):
        page = client.get(reverse("aftercare:certificate_verify"), {"number": text}).content.decode()
        assert "证书有效" in page, text
        assert certificate.holder_name[0] + "*" in page and certificate.holder_name not in page
    page = client.get(reverse("aftercare:certificate_verify"), {"number": "BZ2026-999-00001"}).content.decode()
    assert "查无此证书编号" in page


def test_qr_page_shows_the_holder_and_the_certificate_pdf_points_there(client, certificate):
    response = client.get(reverse("aftercare:certificate_qr", args=[certificate.token]))
    page = response.content.decode()
    assert response.status_code == 200 and "证书真实有效" in page and certificate.holder_name in page
    assert certificate.id_number not in page
    with certificate.file.open("rb") as fh:
        text = PdfReader(BytesIO(fh.read())).pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert reverse("aftercare:certificate_qr", args=[certificate.token]) in text
    missing = client.get(reverse("aftercare:certificate_qr", args=["AAAAAAAAAAAAAAAA"]))
    assert missing.status_code == 404 and "可能是伪造的" in missing.content.decode()


def test_a_revoked_certificate_says_so_and_cannot_be_downloaded(client, certificate, staff):
    token = signing.dumps({"c": certificate.pk}, salt=DOWNLOAD_SALT, compress=True)
    integrity_record_create(application_id=certificate.application_id, facts="学历证书系伪造", actor=staff.clerk)
    assert "证书已撤销" in client.get(reverse("aftercare:certificate_qr", args=[certificate.token])).content.decode()
    page = _lookup(client, certificate.id_number, certificate.holder_name).content.decode()
    assert "该证书已撤销" in page and "下载电子证书" not in page
    assert client.get(reverse("aftercare:certificate_public_download", args=[token])).status_code == 404


def test_download_links_are_signed(client, certificate):
    assert client.get(reverse("aftercare:certificate_public_download", args=["forged"])).status_code == 404
    other = signing.dumps({"c": certificate.pk}, salt="something-else", compress=True)
    assert client.get(reverse("aftercare:certificate_public_download", args=[other])).status_code == 404


def test_the_certificates_file_is_not_served_by_the_documents_pages(client, certificate):
    """A certificate is a Document, but its file is served by its own doors (holder, clerk, the
    public look-up), never by the documents app's generic download, whoever asks."""
    client.force_login(certificate.application.applicant)
    assert client.get(reverse("documents:download", args=[certificate.document.uid])).status_code == 404
    assert client.get(reverse("aftercare:my_certificate", args=[certificate.application.code])).status_code == 200


# --- Issue 13: limits that count only failures, the real address, a cache that is down ---------

def test_ten_wrong_names_from_ten_addresses_do_not_stop_the_right_pair(client, certificate):
    for n in range(10):
        assert _lookup(client, certificate.id_number, f"猜测{n}", ip=f"10.2.0.{n}").status_code == 200
    found = _lookup(client, certificate.id_number, certificate.holder_name, ip="10.2.1.1")
    assert found.status_code == 200 and certificate.number in found.content.decode()


def test_an_address_that_keeps_guessing_one_number_is_stopped_but_not_the_holder(client, certificate):
    for n in range(5):
        assert _lookup(client, certificate.id_number, f"猜测{n}", ip="10.3.0.1").status_code == 200
    refused = _lookup(client, certificate.id_number, certificate.holder_name, ip="10.3.0.1")
    assert refused.status_code == 429 and certificate.number not in refused.content.decode()
    assert certificate.number in _lookup(client, certificate.id_number, certificate.holder_name, ip="10.3.0.2") \
        .content.decode()


def test_a_number_closed_by_many_addresses_opens_again_when_its_window_ends(client, certificate, settings):
    import time_machine

    settings.PORTAL_RATE_LIMITS = {"lookup_id": (3, 900)}
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, 10, tzinfo=dt.UTC), tick=False) as traveller:
        for n in range(3):
            _lookup(client, certificate.id_number, f"猜测{n}", ip=f"10.4.0.{n}")
        refused = _lookup(client, certificate.id_number, certificate.holder_name, ip="10.4.1.1")
        assert refused.status_code == 429
        assert "查询过于频繁，请15分钟后再试" in refused.content.decode()  # 10:00:10 → the window ends at 10:15
        assert int(refused["Retry-After"]) == 890
        traveller.shift(dt.timedelta(seconds=891))
        found = _lookup(client, certificate.id_number, certificate.holder_name, ip="10.4.1.1")
        assert found.status_code == 200 and certificate.number in found.content.decode()


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, certificate, settings):
    settings.PORTAL_RATE_LIMITS = {"lookup_ip": (2, 600)}
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1

    def via_proxy(forwarded):
        return client.post(LOOKUP, {"id_number": certificate.id_number, "name": certificate.holder_name},
                           REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert [via_proxy("198.51.100.7").status_code for _ in range(3)] == [200, 200, 429]
    assert via_proxy("198.51.100.8").status_code == 200  # another citizen behind the same nginx
    # What the client writes itself (left of the proxy's entry) is not trusted.
    assert via_proxy("203.0.113.1, 198.51.100.7").status_code == 429


def test_with_the_cache_down_the_look_up_says_try_later_and_answers_nothing(client, certificate):
    import socket

    with socket.socket() as probe:  # a port nothing listens on: a real connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    with override_settings(CACHES=down):  # restored before ``fresh_limits`` clears the real cache
        response = _lookup(client, certificate.id_number, certificate.holder_name)
        verify = client.get(reverse("aftercare:certificate_verify"), {"number": certificate.number})
    assert response.status_code == 503
    page = response.content.decode()
    assert "请稍后再试" in page and certificate.number not in page
    assert verify.status_code == 503 and "请稍后再试" in verify.content.decode()


def test_rerender_never_redirects_off_site(client, certificate, staff):
    client.force_login(staff.clerk)
    url = reverse("aftercare:certificate_rerender", args=[certificate.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and not response["Location"].startswith(("http", "//"))
    assert response["Location"] == reverse("aftercare:index")
    for target in ("//evil.example/", "https:evil.example", "/aftercare/"):
        location = client.post(url, {"next": target})["Location"]
        assert "evil" not in location
    assert client.post(url, {"next": "/aftercare/"})["Location"] == "/aftercare/"


def test_a_certificate_not_yet_rendered_can_be_asked_again_from_the_list(accepted, staff, demo_campaign):
    """The certificates list (its rows drawn by Jinja2, portal.jinja) offers 重新生成 for a
    certificate whose file is not ready, with the page's CSRF token: the form posts."""
    from django.test import Client

    timeline = results_timeline(demo_campaign)
    app = to_fee_paid(accepted(level=Level.objects.get(code="junior")), staff.clerk)
    decisions_record(application_ids=[app.pk], result="pass", meeting_date=timeline.meeting, actor=staff.clerk)
    result_publicity_set(campaign=demo_campaign, start=timeline.publicity_start, end=timeline.publicity_end,
                         actor=staff.clerk)
    certificates_issue(application_ids=[app.pk], actor=staff.clerk)  # queued, not rendered
    certificate = Certificate.objects.get(application=app)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.clerk)
    page = client.get(reverse("aftercare:certificates") + "?campaign=demo").content.decode()
    action = reverse("aftercare:certificate_rerender", args=[certificate.pk])
    form = re.search(rf'<form method="post" action="{action}" class="inline">(.*?)</form>', page).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert "重新生成" in form
    response = client.post(action, {"csrfmiddlewaretoken": token, "next": "/aftercare/certificates/?campaign=demo"})
    assert response.status_code == 302 and response["Location"] == "/aftercare/certificates/?campaign=demo"


def test_the_certificate_prints_its_address_on_one_unbroken_line(certificate, tmp_path):
    import subprocess

    from review.aftercare.certificates import verify_url

    pdf = tmp_path / "certificate.pdf"
    with certificate.document.file.open("rb") as fh:
        pdf.write_bytes(fh.read())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert any(verify_url(certificate) in line for line in text.splitlines()), text
