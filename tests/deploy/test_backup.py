"""Issue 17, Deliver 4: the restore drill.  A portal (its own PostgreSQL database and bucket, on a
moto S3 server) is seeded with applications, scans, masked copies, a rendered review form and a
certificate; ``backup.sh`` saves it; the database and the bucket are wiped; ``restore.sh`` brings it
back into a fresh database and a fresh bucket.  The test compares, by itself (not trusting the
scripts' own check), the row count of every table and the checksum of every stored file."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.deploy.postgres import SERVER, answers, fresh_database
from tests.deploy.topology import ROOT, VENV_BIN, free_port, wait_for

pytestmark = [pytest.mark.postgres]

SEED = """
import os, django
django.setup()
from portal.celery import app
app.conf.task_always_eager = True  # renders (review form on acceptance, certificate) run here
from applications import demo
from portal.accounts.models import User
from review.aftercare.demo import build_certified
demo.build()
officers = {u.username: u for u in User.objects.filter(username__in=["danwei", "zhuguan", "pingwei"])}
assert build_certified(officers)
"""


@pytest.fixture
def s3(tmp_path):
    port = free_port("127.0.0.1")
    with open(tmp_path / "moto.log", "w") as log:
        proc = subprocess.Popen([str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        import socket

        def up():
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        wait_for(up, timeout=30, message="moto server")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _env(tmp_path: Path, database: str, endpoint: str, bucket: str) -> dict[str, str]:
    data = tmp_path / f"data-{bucket}"
    data.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "AWS_", "DJANGO_"))}
    env.update(DATABASE_URL=database, AWS_STORAGE_BUCKET_NAME=bucket, AWS_S3_ENDPOINT_URL=endpoint,
               AWS_S3_REGION_NAME="us-east-1", AWS_ACCESS_KEY_ID="drill", AWS_SECRET_ACCESS_KEY="drill",
               PORTAL_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="portal.settings", PYTHONPATH=str(ROOT))
    return env


def _sh(script: str, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["sh", f"portal/scripts/{script}", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=600, check=False)
    if check:
        assert result.returncode == 0, f"{script}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _bucket(endpoint: str, name: str):
    import boto3

    return boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="drill",
                          aws_secret_access_key="drill").Bucket(name)


def _inventory(database: str, endpoint: str, bucket: str) -> dict:
    """Row count of every table, sha256 of every object: read here, independently of portal.ops."""
    with psycopg.connect(database) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    files = {obj.key: hashlib.sha256(obj.get()["Body"].read()).hexdigest() for obj in _bucket(endpoint, bucket).objects.all()}
    return {"tables": counts, "files": files}


def test_backup_wipe_restore_gives_back_every_row_and_file(tmp_path, s3):
    if not answers():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    backup = tmp_path / "backup"
    with fresh_database("portal_deploy_drill_source") as source_db, \
            fresh_database("portal_deploy_drill_restored") as restored_db:
        source = _env(tmp_path, source_db, s3, "drill-source")
        _sh("release.sh", env=source)  # migrations and the bucket, as a deploy does
        seeded = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=source, capture_output=True, text=True,
                                timeout=600, check=False)
        assert seeded.returncode == 0, seeded.stderr[-4000:]
        before = _inventory(source_db, s3, "drill-source")
        kinds = {name.split("/", 2)[1] for name in before["files"]}  # "portal/<kind>/..."
        assert {"scans", "documents"} <= kinds, kinds
        # Certificates are Documents (documents/<campaign>/certificate/<checksum>.pdf).
        assert any("/certificate/" in name for name in before["files"]), sorted(before["files"])[:20]
        assert before["tables"]["applications_application"] >= 1 and before["tables"]["accounts_user"] >= 5
        assert sum(1 for n in before["tables"].values() if n) >= 20

        _sh("backup.sh", str(backup), env=source)
        assert (backup / "database.dump").stat().st_size > 10_000
        assert len(list((backup / "files").rglob("*.*"))) == len(before["files"])

        # The disaster: the database and every stored file are gone.
        _bucket(s3, "drill-source").objects.all().delete()
        _bucket(s3, "drill-source").delete()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute('DROP DATABASE "portal_deploy_drill_source" WITH (FORCE)')

        restored = _env(tmp_path, restored_db, s3, "drill-restored")
        result = _sh("restore.sh", str(backup), env=restored)
        assert "row counts and checksums equal the backup's" in result.stdout
        after = _inventory(restored_db, s3, "drill-restored")
        assert after["tables"] == before["tables"]
        assert after["files"] == before["files"]

        # Restoring twice into the same place is refused, not merged.
        again = _sh("restore.sh", str(backup), env=restored, check=False)
        assert again.returncode != 0
