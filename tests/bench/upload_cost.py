"""Web CPU of one scan upload (issue 16 item 2): the applicant's upload request, end to end.

    python tests/bench/upload_cost.py [--uploads 30] [--json FILE]

Creates a throw-away test database (PostgreSQL when DATABASE_URL is set), one applicant with a
draft application, and posts a 2480×3508 A4 scan at 300 dpi (~3.3 MB JPEG, ``a4_scan`` of the
scale benchmark) to ``applications:upload`` through Django's test client, as the section page's
script does (XHR, JSON answer).  For each request it measures the CPU time of this process
(``time.process_time``: request parsing, middleware, session, the checklist, the checks of
``check_upload``, storage, audit and queueing the worker's task) and the wall time.  The queued
task goes to an in-memory broker (no worker runs); the worker's own cost per scan
(``attachment_process``: full decode, upright, re-encode, thumbnail) is measured separately.
The target is ≤ 120 ms of web CPU per scan (median).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # after sys.path and the settings module are set

django.setup()

from django.conf import settings  # noqa: E402 - after django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from PIL import Image  # noqa: E402

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}
TARGET_MS = 120


def _summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered), 1), "min": round(ordered[0], 1),
            "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 1), "max": round(ordered[-1], 1), "n": len(ordered)}


def bench(uploads: int) -> dict:
    from applications.models import Attachment
    from applications.processing import attachment_process
    from tests.bench.scale_upload import a4_scan
    from tests.factories import ApplicationFactory

    data = a4_scan()
    application = ApplicationFactory()
    client = Client()
    client.force_login(application.applicant)
    url = reverse("applications:upload", args=[application.code])

    def post() -> dict:
        response = client.post(url, {"slot": "diploma", "section": "education",
                                     "file": SimpleUploadedFile("scan.jpg", data, "image/jpeg")}, **XHR)
        if response.status_code != 200:
            raise SystemExit(f"upload refused: {response.status_code} {response.content[:300]!r}")
        return response.json()

    for _ in range(3):  # warm-up: imports, first queries, template caches
        post()
        Attachment.objects.filter(application=application).delete()
    cpu, wall = [], []
    for _ in range(uploads):
        began_cpu, began_wall = time.process_time(), time.perf_counter()
        post()
        cpu.append((time.process_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began_wall) * 1000)
        Attachment.objects.filter(application=application).delete()  # stays under the 30 files of a slot
    worker = []
    for _ in range(max(3, uploads // 5)):
        post()
        attachment = Attachment.objects.filter(application=application).latest("pk")
        began = time.process_time()
        attachment_process(attachment_id=attachment.pk)
        worker.append((time.process_time() - began) * 1000)
        Attachment.objects.filter(application=application).delete()
    with Image.open(io.BytesIO(data)) as probe:
        size = probe.size
    return {"scan": {"bytes": len(data), "size": list(size)},
            "web_cpu_ms_per_upload": _summary(cpu), "web_wall_ms_per_upload": _summary(wall),
            "worker_cpu_ms_per_upload": _summary(worker), "target_web_cpu_ms": TARGET_MS,
            "within_target": statistics.median(cpu) <= TARGET_MS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=30)
    parser.add_argument("--json", help="also write the JSON here")
    args = parser.parse_args()

    from portal.celery import app as celery_app

    # No worker here: the queued task goes to an in-memory broker and is never run.
    celery_app.conf.broker_url = "memory://"
    celery_app.conf.task_always_eager = False
    storage_dir = tempfile.mkdtemp(prefix="upload-cost-")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": storage_dir}}}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    report: dict = {"machine": {"cpus": os.cpu_count(), "database": connection.vendor}}
    try:
        from applications.seeding import load_reference, load_seed_campaigns

        load_reference()
        load_seed_campaigns()
        report["upload"] = bench(args.uploads)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(storage_dir, ignore_errors=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
