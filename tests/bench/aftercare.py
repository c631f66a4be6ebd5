"""Benchmark of the after-acceptance work at a realistic campaign size.

    python tests/bench/aftercare.py [--rows 1000] [--json FILE]

Creates a throw-away test database (PostgreSQL when DATABASE_URL is set, else SQLite), fills the
demo campaign with ``--rows`` accepted applications (the documents benchmark's varied rows), then
measures, as one committee clerk would meet them:

* bulk paper receipt from the roster for all rows (seconds per application, through the one door);
* unit batch payments (one per unit) and the fee page (totals, reconciliation): seconds, queries;
* the defense exemption evaluation for every row (rule engine, constant queries);
* the clerk's roster page (50 a page), fee page and defense page: seconds and queries;
* certificate PDF: warm render median (seconds) and size (KB);
* results publicity list: XLSX seconds, PDF seconds for all passes;
* public look-up: seconds per request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.bench.documents import add_roster_rows, make_units  # noqa: E402


def timed(fn, *args, **kwargs):
    began = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - began


def page(client, url) -> dict:
    connection.queries_log.clear()  # a full log (maxlen) would hide the count
    with CaptureQueriesContext(connection) as ctx:
        (response, seconds) = timed(client.get, url)
    assert response.status_code == 200, (url, response.status_code)
    return {"seconds": round(seconds, 3), "queries": len(ctx.captured_queries), "kb": len(response.content) // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--json")
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    storage_dir = tempfile.mkdtemp(prefix="bench-aftercare-")
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                 "OPTIONS": {"location": storage_dir}}}
    report: dict = {"machine": {"cpus": os.cpu_count(), "database": connection.vendor}, "rows": args.rows}
    try:
        with override_settings(STORAGES=storages, MEDIA_ROOT=storage_dir, ALLOWED_HOSTS=["testserver"],
                               PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            report.update(run(args.rows))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")


def run(rows: int) -> dict:
    from applications.models import Application, Campaign
    from applications.rules import fee_for
    from applications.samples import fill_sample_application
    from review.aftercare import services
    from review.aftercare.models import Certificate
    from review.aftercare.render import certificate_render
    from applications.states import State
    from tests.aftercare.conftest import move_window, put_accepted
    from tests.factories import ApplicationFactory, ClerkFactory
    from applications.seeding import load_reference, load_seed_campaigns

    load_reference()
    load_seed_campaigns()
    units = make_units()
    add_roster_rows(rows, units, random.Random(2026), start=0)
    campaign = Campaign.objects.get(code="demo")
    move_window(campaign, "defense", -20, -15)
    clerk = ClerkFactory()
    today = timezone.localdate()
    out: dict = {}

    ids = list(Application.objects.filter(campaign=campaign, state=State.ACCEPTED).values_list("pk", flat=True))
    outcome, seconds = timed(services.paper_receipts_record_bulk, application_ids=ids, received_on=today, actor=clerk)
    out["paper_bulk"] = {"applications": len(outcome.done), "refused": len(outcome.refused),
                         "ms_per_application": round(1000 * seconds / max(1, len(ids)), 1)}

    began, batches = time.perf_counter(), 0
    for unit in units:
        apps = list(Application.objects.filter(campaign=campaign, unit=unit).select_related("level"))
        if not apps:
            continue
        total = sum(fee_for(campaign, a.level, a.kind) or 0 for a in apps)
        payable = [a.pk for a in apps if fee_for(campaign, a.level, a.kind) is not None]
        services.fee_batch_record(campaign=campaign, unit=unit, application_ids=payable, amount=total, paid_on=today,
                                  receipt_number=f"PL-{unit.pk}", actor=clerk)
        batches += 1
    out["fee_batches"] = {"batches": batches, "seconds": round(time.perf_counter() - began, 2)}

    _, seconds = timed(services.defense_exemptions_apply, campaign=campaign, actor=clerk)
    out["defense_apply_seconds"] = round(seconds, 2)

    client = Client()
    client.force_login(clerk)
    out["pages"] = {name: page(client, f"/aftercare/{path}?campaign=demo") for name, path in (
        ("index", ""), ("fees", "fees/"), ("defense", "defense/"), ("results", "results/"))}

    # A few passes with scans (the photo) to render certificates and the publicity list.
    passes = []
    for _ in range(5):
        app = ApplicationFactory(level=campaign.levels.get(code="junior"))
        fill_sample_application(app)
        put_accepted(app)
        items = list(campaign.paper_items.values_list("name", flat=True))
        services.paper_receipts_record(application_id=app.pk, item_names=items, received_on=today, actor=clerk)
        services.fee_payment_record(application_id=app.pk, amount=220, paid_on=today, receipt_number=f"C{app.pk}",
                                    actor=clerk)
        passes.append(app.pk)
    exempt = list(Application.objects.filter(campaign=campaign, state=State.DEFENSE_EXEMPT).values_list("pk", flat=True))
    services.decisions_record(application_ids=exempt, result="pass", meeting_date=today - dt.timedelta(days=14),
                              actor=clerk)
    services.result_publicity_set(campaign=campaign, start=today - dt.timedelta(days=13),
                                  end=today - dt.timedelta(days=1), actor=clerk)
    services.certificates_issue(application_ids=passes, actor=clerk)
    times, sizes = [], []
    for certificate in Certificate.objects.all():
        _, seconds = timed(certificate_render, certificate_id=certificate.pk)
        certificate.refresh_from_db()
        times.append(seconds)
        sizes.append(certificate.file.size)
    out["certificate"] = {"first_s": round(times[0], 2), "warm_median_s": round(statistics.median(times[1:]), 3),
                          "kb": round(statistics.median(sizes) / 1024)}
    from review.aftercare.exports import publicity_list_data, publicity_list_render, publicity_list_xlsx

    data, seconds = timed(publicity_list_data, campaign=campaign)
    _, xlsx_seconds = timed(publicity_list_xlsx, data)
    _, pdf_seconds = timed(publicity_list_render, campaign_id=campaign.pk)
    out["publicity_list"] = {"rows": len(data["rows"]), "data_s": round(seconds, 3), "xlsx_s": round(xlsx_seconds, 3),
                             "pdf_s": round(pdf_seconds, 2)}
    public = Client(REMOTE_ADDR="10.9.9.9")
    certificate = Certificate.objects.first()
    lookups = []
    for _ in range(5):
        _, seconds = timed(public.post, "/aftercare/certificates/lookup/",
                           {"id_number": certificate.id_number, "name": certificate.holder_name})
        lookups.append(seconds)
    out["public_lookup_median_s"] = round(statistics.median(lookups), 3)
    return out


if __name__ == "__main__":
    main()
