"""Settings come from the environment, with embedded defaults.  Each case imports the settings
in a fresh interpreter with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.db import connection
out = {
  "engine": settings.DATABASES["default"]["ENGINE"], "broker": settings.CELERY_BROKER_URL,
  "storage": settings.STORAGES["default"]["BACKEND"], "tz": settings.TIME_ZONE,
  "lang": settings.LANGUAGE_CODE, "cache": settings.CACHES["default"]["BACKEND"],
  "media_url": settings.MEDIA_URL,
}
if out["engine"].endswith("sqlite3"):
    with connection.cursor() as c:
        c.execute("PRAGMA journal_mode"); out["journal"] = c.fetchone()[0]
print(json.dumps(out))
"""


def probe(tmp_path, **env):
    base = {k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME"}}
    base.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_DATA_DIR": str(tmp_path)}, **env)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_defaults_need_no_services(tmp_path):
    got = probe(tmp_path)
    assert got["engine"] == "django.db.backends.sqlite3"
    assert got["journal"] == "wal"
    assert got["broker"] == "filesystem://"
    assert got["storage"] == "django.core.files.storage.FileSystemStorage"
    assert got["cache"].endswith("FileBasedCache")
    assert (got["tz"], got["lang"]) == ("Asia/Shanghai", "zh-hans")
    assert got["media_url"].endswith(".invalid/")  # no public route to uploaded scans
    assert (tmp_path / "broker" / "queue").is_dir()


def test_services_from_environment(tmp_path):
    got = probe(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal_probe",
                REDIS_URL="redis://127.0.0.1:6379/9", AWS_STORAGE_BUCKET_NAME="scans",
                AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000")
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["broker"] == "redis://127.0.0.1:6379/9"
    assert got["storage"] == "storages.backends.s3.S3Storage"
    assert got["cache"].endswith("RedisCache")


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, check=False,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 20 + "-production-like-key-" + "y" * 30,
               DJANGO_ALLOWED_HOSTS="zhicheng.example.cn", DJANGO_SETTINGS_MODULE="portal.settings",
               PORTAL_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_logs_json_and_answers_probes_first(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 50, DJANGO_SETTINGS_MODULE="portal.settings",
               PORTAL_DATA_DIR=str(tmp_path))
    code = ("import json; from django.conf import settings; print(json.dumps({"
            "'formatter': settings.LOGGING['handlers']['console']['formatter'], 'first': settings.MIDDLEWARE[0], "
            "'accel': settings.PORTAL_X_ACCEL, 'hijack': settings.CELERY_WORKER_HIJACK_ROOT_LOGGER}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"formatter": "json", "first": "portal.health.HealthCheckMiddleware", "accel": False, "hijack": False}


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_jit_is_off_for_the_portals_connections():
    """Issue 16: JIT compilation cost more than it saved on the page queries (see settings)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


GC_PROBE = """
import gc, json
gc.set_threshold(700, 10, 10)
before = gc.get_freeze_count()
from portal.wsgi import application
print(json.dumps({"threshold": gc.get_threshold(), "frozen_before": before, "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize(("env", "threshold"), [({}, [5000, 10, 10]), ({"PORTAL_GC_THRESHOLD": "700,10,10"}, [700, 10, 10])])
def test_web_application_freezes_what_it_loaded_and_collects_less_often(tmp_path, env, threshold):
    """Issue 16: the collector walked every loaded object on each full pass (see portal/wsgi.py)."""
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    base.update({"PORTAL_DATA_DIR": str(tmp_path)}, **env)
    out = subprocess.run([sys.executable, "-c", GC_PROBE], cwd=ROOT, env=base, capture_output=True, text=True,
                         check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["threshold"] == threshold
    # Django's modules, apps and models are out of the collector's way: tens of thousands of objects.
    assert found["frozen_before"] == 0 and found["frozen"] > 20_000


def test_rate_limits_are_overridden_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from portal.settings import env_limits

    monkeypatch.setenv("PORTAL_RATE_LIMITS", " verify_ip=60/600, lookup_ip=20/300 ")
    assert env_limits("PORTAL_RATE_LIMITS") == {"verify_ip": (60, 600), "lookup_ip": (20, 300)}
    monkeypatch.setenv("PORTAL_RATE_LIMITS", "")
    assert env_limits("PORTAL_RATE_LIMITS") == {}
    for wrong in ("verify_ip=60", "verify_ip", "verify_ip=sixty/600"):
        monkeypatch.setenv("PORTAL_RATE_LIMITS", wrong)
        with pytest.raises(ImproperlyConfigured, match="name=attempts/seconds"):
            env_limits("PORTAL_RATE_LIMITS")


def test_a_deployment_reads_its_rate_limits(tmp_path):
    probe_limits = ("import django; django.setup(); from portal.accounts.ratelimit import limit; "
                    "print([(r.attempts, r.seconds) for r in (limit('verify_ip', (30, 600)), limit('lookup_ip', (10, 600)))])")
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    base.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_DATA_DIR": str(tmp_path),
                 "PORTAL_RATE_LIMITS": "verify_ip=60/900"})
    out = subprocess.run([sys.executable, "-c", probe_limits], cwd=ROOT, env=base, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[(60, 900), (10, 600)]"
