"""docker-compose.yml cannot be run here (no Docker engine); check what can be checked: the
services the multi-machine path needs, health checks, and an environment the settings read."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_services_and_environment_match_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    settings_source = (ROOT / "portal" / "settings.py").read_text()
    read = set(re.findall(r'env(?:_bool)?\("([A-Z0-9_]+)"', settings_source))
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        unknown = set(env) - read
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:")
    assert "gunicorn" in (ROOT / "portal" / "docker" / "Dockerfile").read_text()
    assert services["worker"]["command"][:3] == ["celery", "-A", "portal"]
    assert "beat" in services["beat"]["command"]
