"""docker-compose.yml cannot be run here (no Docker engine): it is validated against the Compose
specification's JSON schema (the copy check-jsonschema ships, a test dependency), and checked for what the
deployment needs.  tests/deploy/test_topology.py runs its commands and healthchecks as processes."""

import copy
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PORTAL_SERVICES = {"migrate", "web", "web-uploads", "worker-interactive", "worker-bulk", "worker-ocr", "worker-mail", "beat", "backup"}
LONG_RUNNING = {"web", "web-uploads", "nginx", "worker-interactive", "worker-bulk", "worker-ocr", "worker-mail", "beat",
                "postgres", "redis", "minio"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def validator():
    schema_file = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def test_compose_file_is_valid_against_the_compose_specification(compose, validator):
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose)]
    assert not errors, errors
    broken = copy.deepcopy(compose)  # the schema does refuse what Compose would refuse
    broken["services"]["web"]["depends_on"]["migrate"]["condition"] = "service_finished"
    broken["services"]["beat"]["healthcheck"]["retries"] = "three"
    assert len(list(validator.iter_errors(broken))) >= 2


def test_services_health_checks_and_start_order(compose):
    services = compose["services"]
    assert set(services) == LONG_RUNNING | PORTAL_SERVICES
    for name in LONG_RUNNING:
        assert "healthcheck" in services[name], name
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"] == ["sh", "portal/scripts/release.sh"]
    for name in {"web", "web-uploads", "beat"} | {s for s in services if s.startswith("worker-")}:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert services["nginx"]["depends_on"]["web"] == {"condition": "service_healthy"}
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["web"]["deploy"]["replicas"] >= 2
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "portal.healthcheck", "web"]
    # Uploads have their own pool behind nginx: one process, while the pages' nodes have several.
    uploads = services["web-uploads"]
    assert uploads["command"] == services["web"]["command"]
    assert uploads["healthcheck"]["test"] == services["web"]["healthcheck"]["test"]
    assert services["nginx"]["depends_on"]["web-uploads"] == {"condition": "service_healthy"}
    assert "web-uploads:8000" in services["nginx"]["environment"]["PORTAL_UPLOAD_SERVERS"]
    assert uploads["environment"]["PORTAL_WEB_WORKERS"] == "1"
    assert int(services["web"]["environment"]["PORTAL_WEB_WORKERS"]) > 1
    assert services["beat"]["healthcheck"]["test"][-1] == "beat"
    # One worker per kind of queue; together they consume every queue (the default one included).
    queues = set()
    for name in (s for s in services if s.startswith("worker-")):
        service = services[name]
        assert service["command"] == ["sh", "portal/scripts/start-worker.sh"]
        assert service["healthcheck"]["test"][-1] == "worker"
        assert int(service["environment"]["PORTAL_WORKER_MAX_TASKS"]) > 0
        queues |= set(service["environment"]["PORTAL_WORKER_QUEUES"].split(","))
    assert queues == {"interactive", "bulk", "ocr", "mail", "default"}
    for name in PORTAL_SERVICES:
        script = services[name]["command"][1]
        assert (ROOT / script).is_file(), script


def _names_read_by_the_code() -> set[str]:
    """Environment variables the settings, portal modules and scripts read."""
    names = set()
    for path in [*ROOT.joinpath("portal").glob("*.py"), ROOT / "portal" / "deploy" / "gunicorn.conf.py"]:
        text = path.read_text()
        names |= set(re.findall(r'env(?:_bool)?\("([A-Z0-9_]+)"', text))
        names |= set(re.findall(r'environ(?:\.get\(|\[)"([A-Z0-9_]+)"', text))
    for path in ROOT.joinpath("portal", "scripts").glob("*.sh"):
        names |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", path.read_text()))
    return names


def test_portal_services_set_only_variables_the_code_reads(compose):
    read = _names_read_by_the_code()
    for name in PORTAL_SERVICES:
        env = compose["services"][name]["environment"]
        unknown = set(env) - read
        assert not unknown, f"{name} sets variables nothing reads: {unknown}"
        assert env["DJANGO_DEBUG"] == "0" and "DJANGO_SECRET_KEY" in env
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["AWS_STORAGE_BUCKET_NAME"] and env["PORTAL_X_ACCEL"] == "1"
    # Secrets come from the environment (.env), never from the file.
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "AWS_SECRET_ACCESS_KEY"):
        assert f"${{{secret}:?" in text


def test_nginx_gets_every_template_variable(compose):
    templates = ROOT / "portal" / "deploy" / "nginx" / "templates"
    used = set()
    for path in templates.rglob("*.template"):
        used |= set(re.findall(r"\$\{(PORTAL_[A-Z0-9_]+)\}", path.read_text()))
    nginx = compose["services"]["nginx"]
    assert used == {k for k in nginx["environment"] if k.startswith("PORTAL_")}
    assert "./portal/deploy/nginx/templates:/etc/nginx/templates:ro" in nginx["volumes"]
    assert compose["x-portal-env"]["PORTAL_TRUSTED_PROXY_COUNT"] == "1"  # nginx, and nothing else, in front


def test_image_runs_as_a_user_and_leaves_private_data_out():
    dockerfile = (ROOT / "portal" / "docker" / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "collectstatic" in dockerfile
    for package in ("libharfbuzz-subset0", "fonts-noto-cjk", "fonts-hanazono", "poppler-utils", "tesseract-ocr-chi-sim",
                    "libpango-1.0-0", "postgresql-client"):
        assert package in dockerfile
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {"var", ".venv", ".git", "node_modules", "staticfiles", ".env"} <= ignored
