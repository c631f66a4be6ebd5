"""Issue 17, Deliver 5: the upgrade path.  The previous release (the commit named in
portal/deploy/PREVIOUS_RELEASE, an ancestor of main) is extracted with ``git archive``; its own
``migrate`` and ``seed_demo`` build a database; this code's ``migrate`` (the release step of a
deploy) must then apply cleanly and keep every row."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.deploy.postgres import answers, fresh_database
from tests.deploy.topology import ROOT

pytestmark = [pytest.mark.postgres]

PREVIOUS = (ROOT / "portal" / "deploy" / "PREVIOUS_RELEASE").read_text().split()[0]


def _previous_release(target: Path) -> None:
    try:
        subprocess.run(["git", "rev-parse", "--verify", f"{PREVIOUS}^{{commit}}"], cwd=ROOT, check=True,
                       capture_output=True)
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip(f"not a git checkout holding {PREVIOUS} (portal/deploy/PREVIOUS_RELEASE)")
    archive = subprocess.run(["git", "archive", "--format=tar", PREVIOUS], cwd=ROOT, check=True, capture_output=True)
    target.mkdir()
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)


def _env(code: Path, database: str, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "AWS_", "DJANGO_"))}
    data.mkdir(exist_ok=True)
    env.update(DATABASE_URL=database, PORTAL_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="portal.settings",
               PYTHONPATH=str(code), PYTHONDONTWRITEBYTECODE="1")
    return env


def _manage(code: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=code, env=env, capture_output=True, text=True,
                            timeout=900, check=False)
    assert result.returncode == 0, f"{code.name}: manage.py {' '.join(args)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _snapshot(database: str) -> dict:
    with psycopg.connect(database) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        applications = sorted(conn.execute("SELECT code, state, snapshot::text FROM applications_application").fetchall())
        users = sorted(conn.execute("SELECT username, password FROM accounts_user").fetchall())
    return {"counts": counts, "applications": applications, "users": users}


def test_migrating_a_database_of_the_previous_release_keeps_its_data(tmp_path):
    if not answers():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    previous = tmp_path / "previous"
    _previous_release(previous)
    with fresh_database("portal_deploy_upgrade") as database:
        old = _env(previous, database, tmp_path / "data-previous")
        _manage(previous, old, "migrate", "--noinput")
        _manage(previous, old, "seed_demo")
        before = _snapshot(database)
        assert before["applications"] and before["counts"]["django_migrations"] > 10

        new = _env(ROOT, database, tmp_path / "data-current")
        _manage(ROOT, new, "migrate", "--noinput")
        _manage(ROOT, new, "migrate", "--check")  # nothing left unapplied
        after = _snapshot(database)
        assert after["applications"] == before["applications"]
        assert after["users"] == before["users"]
        # Tables a migration fills by itself grow: content types and permissions of new models.
        grown_by_migrate = {"django_migrations", "django_content_type", "auth_permission"}
        for table, count in before["counts"].items():
            if table not in grown_by_migrate:
                assert after["counts"].get(table) == count, table
        # The new code reads what the old one wrote, through its models.
        check = subprocess.run([sys.executable, "-c", (
            "import django; django.setup()\n"
            "from applications.models import Application\n"
            "rows = [(a.code, a.state, a.campaign.code, a.get_state_display()) for a in "
            "Application.objects.select_related('campaign')]\n"
            "print(len(rows))")], cwd=ROOT, env=new, capture_output=True, text=True, timeout=120, check=False)
        assert check.returncode == 0, check.stderr[-3000:]
        assert int(check.stdout.split()[-1]) == len(before["applications"])
