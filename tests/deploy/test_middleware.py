"""The pieces of portal/ that the topology test exercises end to end, one by one: health probes
before the host check and the SSL redirect, the client address behind nginx, X-Accel-Redirect for
stored files, JSON log lines."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.test import RequestFactory

from portal import logs, proxy
from portal.dispatch.health import heartbeat_beat
from portal.health import HealthCheckMiddleware


@pytest.fixture
def production(settings):
    settings.ALLOWED_HOSTS = ["zhicheng.example.cn"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


@pytest.mark.django_db
def test_probes_answer_over_plain_http_to_any_host(client, production):
    heartbeat_beat()  # a worker said it is alive (readiness checks its heartbeat)
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").json() == {"ok": True}
    ready = client.get("/readyz", HTTP_HOST="10.0.0.7:8000")
    assert ready.status_code == 200 and ready.json() == {"ok": True, "failed": []}
    # Everything else still gets the host check and the redirect.
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/", HTTP_HOST="zhicheng.example.cn").status_code == 301


def test_readiness_reports_a_broken_cache_without_details(settings, db):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    heartbeat_beat()
    response = HealthCheckMiddleware(lambda r: None)(RequestFactory().get("/readyz"))
    assert response.status_code == 503 and json.loads(response.content) == {"ok": False, "failed": ["cache"]}


def test_stored_file_becomes_an_accel_redirect_with_the_views_headers(settings, tmp_path, db):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("scans/1/2/abc-original.jpg", ContentFile(b"\xff\xd8\xff" + b"x" * 5000))

    class Field:  # what FieldFile.open() returns: the file, its storage and name
        def __init__(self):
            self.storage, self.name, self.file = storage, name, storage.open(name, "rb")

        def read(self, *args):
            return self.file.read(*args)

        def close(self):
            self.file.close()

    def view(request):
        response = FileResponse(Field(), content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        response["Content-Disposition"] = 'inline; filename="id_card-original.jpg"'
        return response

    settings.PORTAL_X_ACCEL = True
    response = proxy.AccelRedirectMiddleware(view)(RequestFactory().get("/files/x/original/"))
    assert response["X-Accel-Redirect"] == "/_protected/files/scans/1/2/abc-original.jpg"
    assert response.content == b"" and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store" and "id_card-original" in response["Content-Disposition"]
    settings.PORTAL_X_ACCEL = False
    streamed = proxy.AccelRedirectMiddleware(view)(RequestFactory().get("/files/x/original/"))
    assert not streamed.has_header("X-Accel-Redirect") and b"".join(streamed.streaming_content)[:3] == b"\xff\xd8\xff"


def test_json_lines_carry_request_and_user_and_access_fields():
    record = logging.LogRecord("portal.test", logging.WARNING, __file__, 1, "refused %s", ("x",), None)
    record.request_id, record.user_id = "abc123def456", 42
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "portal.test" and line["message"] == "refused x"
    assert (line["request_id"], line["user_id"]) == ("abc123def456", 42) and line["time"].endswith("+00:00")
    atoms = {"m": "GET", "U": "/apply/BZ-1/", "s": "200", "B": "0", "D": "15300", "{x-request-id}i": "rid-12345678",
             "h": "10.0.0.1", "q": "id_number=652801"}
    access = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(h)s", (atoms,), None)
    line = json.loads(logs.JsonFormatter().format(access))
    assert line["path"] == "/apply/BZ-1/" and line["status"] == 200 and line["duration_ms"] == 15.3
    assert line["request_id"] == "rid-12345678"
    assert "10.0.0.1" not in json.dumps(line) and "652801" not in json.dumps(line)  # no address, no query


def test_readiness_names_the_broker_and_a_silent_worker(settings, db, monkeypatch):
    from portal.dispatch import health

    heartbeat_beat()
    monkeypatch.setattr(health, "broker_client", lambda timeout=1.0: _DeadRedis())
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = HealthCheckMiddleware(lambda r: None)(RequestFactory().get("/readyz"))
    assert response.status_code == 503 and set(json.loads(response.content)["failed"]) >= {"broker", "worker"}


class _DeadRedis:
    def ping(self):
        raise ConnectionError("Connection refused")

    def get(self, key):
        raise ConnectionError("Connection refused")
