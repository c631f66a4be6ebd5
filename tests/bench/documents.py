"""Benchmark of the documents: review form, rosters and fee lists.

    python tests/bench/documents.py [--rows 1000,10000] [--forms 5] [--repeat 20] [--json FILE]

Creates a throw-away test database (PostgreSQL when DATABASE_URL is set, else SQLite) and a
temporary file storage, fills it with realistic applications — a few through the real chain with
sample scans and photo, then thousands of roster rows with varied names, units, schools and dates
— and prints, as JSON and as a table:

* review form: warm render median / p95 (seconds) and size (KB), without attachments (the photo,
  which the form prints, is included); also the whole service call (data + render + store);
* roster XLSX and PDF and fee list XLSX: seconds for each row count (PDF for 1,000 rows only,
  unless ``--pdf-rows`` says otherwise);
* queries per export for each row count (must not grow with the rows).

Targets (2-core machine): review form ≤ 0.5 s warm and ≤ 500 KB; roster XLSX of 10,000 rows
≤ 3 s; roster PDF of 1,000 rows ≤ 10 s; query count independent of row count.
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

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment
from django.utils import timezone

TARGETS = {"review_form_warm_s": 0.5, "review_form_kb": 500, "roster_xlsx_10000_s": 3.0, "roster_pdf_1000_s": 10.0}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["建华", "明", "丽娜", "海燕", "志强", "晓东", "静", "玉兰", "国庆", "新民", "雪梅", "文博", "子涵", "俊杰", "喆",
         "婷婷", "伟", "磊", "秀英", "红霞"]
UYGHUR = ["古丽娜尔·艾买提", "买买提·吐尔逊", "阿依古丽·热合曼", "艾尔肯·阿不都拉", "热依汗古丽·吾斯曼",
          "努尔艾力·买买提明"]
ETHNICITIES = ["汉族", "汉族", "汉族", "维吾尔族", "回族", "蒙古族", "哈萨克族"]
SCHOOLS = [("新疆大学", "土木工程"), ("塔里木大学", "水利水电工程"), ("石河子大学", "电气工程及其自动化"),
           ("新疆农业大学", "农业机械化及其自动化"), ("巴音郭楞职业技术学院", "建筑工程技术"),
           ("中国石油大学（华东）", "石油工程"), ("西安建筑科技大学", "给排水科学与工程")]
UNITS = [("巴州建筑设计研究院", "institution"), ("库尔勒华源建筑工程有限公司", "private_enterprise"),
         ("巴州天山电力有限责任公司", "state_enterprise"), ("且末县水利电力建设有限公司", "state_enterprise"),
         ("若羌县瓦石峡镇农业技术推广站", "institution"), ("焉耆县宏达建材有限公司", "private_enterprise"),
         ("轮台县城乡规划设计所", "institution"), ("巴州质量与计量检测所", "institution"),
         ("新疆巴音郭楞蒙古自治州库尔勒经济技术开发区建设工程质量安全监督站", "institution"),
         ("和静县市政工程管理处", "institution"), ("博湖县水利局水利工作站", "institution"),
         ("和硕县交通运输局公路养护段", "institution")]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def make_units():
    from applications.models import County, Unit

    counties = list(County.objects.all())
    units = []
    for index, (name, nature) in enumerate(UNITS):
        unit, _ = Unit.objects.get_or_create(name=name, defaults={"nature": nature,
                                                                 "county": counties[index % len(counties)]})
        units.append(unit)
    return units


def make_accepted_forms(count: int, units) -> list[int]:
    """Applications through the real chain: sample sections, scans, photo, masking, one door."""
    from applications.samples import fill_sample_application
    from review.demo import approve_at_unit
    from review.services import application_transition
    from tests.factories import ApplicationFactory, ClerkFactory, CountyOfficerFactory, UnitOfficerFactory

    clerk = ClerkFactory()
    ids = []
    for index in range(count):
        unit = units[index % len(units)]
        app = fill_sample_application(ApplicationFactory(unit=unit))
        application_transition(application_id=app.pk, action="submit", actor=app.applicant)
        approve_at_unit(app, UnitOfficerFactory(unit=unit))  # with its publicity scans and period
        for actor in (CountyOfficerFactory(county=unit.county), clerk):
            application_transition(application_id=app.pk, action="approve", actor=actor)
        ids.append(app.pk)
    return ids


def add_roster_rows(count: int, units, rng: random.Random, start: int) -> None:
    """Accepted applications with varied, valid content, in bulk (roster rows read the snapshot)."""
    from stdnum.cn import ric

    from applications.enums import Kind
    from applications.models import Application, Campaign, Level, Specialty
    from applications.samples import sample_sections
    from applications.snapshot import build_snapshot
    from portal.accounts.models import Role, User
    from applications.states import State

    campaign = Campaign.objects.get(code="demo")
    # Prefetched titles: build_snapshot asks for 拟晋升专业技术职务 through them.
    specialty = Specialty.objects.prefetch_related("series__titles").get(series__name="工程系列", name="建筑")
    levels = {lvl.code: lvl for lvl in Level.objects.all()}
    users, apps = [], []
    for n in range(start, start + count):
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=(n * 37) % (365 * 23))
        body = f"652801{birth:%Y%m%d}{n % 1000:03d}"
        id_number = body + ric.calc_check_digit(body + "0")
        name = (rng.choice(UYGHUR) if rng.random() < 0.15
                else rng.choice(SURNAMES) + rng.choice(GIVEN))
        users.append(User(username=f"{id_number}-{n}", id_number=None, real_name=name, role=Role.APPLICANT))
    User.objects.bulk_create(users, batch_size=2000)
    for n, user in zip(range(start, start + count), users, strict=True):
        unit = units[n % len(units)]
        level_code = "junior" if n % 4 == 0 else "intermediate"
        kind = Kind.INITIAL if n % 9 == 0 else Kind.REVIEW
        app = Application(applicant=user, campaign=campaign, specialty=specialty, level=levels[level_code],
                          kind=kind, unit=unit, submission_count=1)
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=(n * 37) % (365 * 23))
        body = f"652801{birth:%Y%m%d}{n % 1000:03d}"
        sections = sample_sections(name=user.real_name, id_number=body + ric.calc_check_digit(body + "0"),
                                   unit_name=unit.name, unit_nature=unit.nature, county=unit.county.name,
                                   year=campaign.year, level_code=level_code)
        school, major = SCHOOLS[n % len(SCHOOLS)]
        sections["education"]["rows"][-1].update(school=school, major=major)
        sections["basic"]["ethnicity"] = ETHNICITIES[n % len(ETHNICITIES)]
        app.snapshot = build_snapshot(app, sections)
        apps.append(app)
    Application.objects.bulk_create(apps, batch_size=1000)
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(state=State.ACCEPTED, submitted_at=timezone.now())


def timed(fn, *args, **kwargs):
    began = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - began


def bench_review_form(app_ids: list[int], repeat: int) -> dict:
    from review.documents.facts import application_facts, application_for_documents
    from review.documents.review_form import render_review_form
    from review.documents.services import _photo_bytes, review_form_render

    inputs = []
    for pk in app_ids:
        facts = application_facts(application_for_documents(pk))
        inputs.append((facts, _photo_bytes(facts)))
    kwargs = {"verify_code": "ABCDE-23456", "verify_url": settings.PORTAL_BASE_URL + "/documents/verify/ABCDE23456/",
              "generated_on": dt.date.today()}
    render_review_form(inputs[0][0], photo=inputs[0][1], **kwargs)  # warm: WeasyPrint, fonts, templates
    times, sizes, pages = [], [], []
    for i in range(repeat):
        facts, photo = inputs[i % len(inputs)]
        rendered, seconds = timed(render_review_form, facts, photo=photo, **kwargs)
        times.append(seconds)
        sizes.append(len(rendered.content) / 1024)
        pages.append(rendered.pages)
    service_times = []
    for pk in app_ids:
        with CaptureQueriesContext(connection) as queries:
            _document, seconds = timed(review_form_render, application_id=pk)
        service_times.append(seconds)
    return {"renders": repeat, "warm_median_s": round(statistics.median(times), 3),
            "warm_p95_s": round(percentile(times, 0.95), 3), "size_kb_max": round(max(sizes), 1),
            "size_kb_median": round(statistics.median(sizes), 1), "pages": sorted(set(pages)),
            "service_median_s": round(statistics.median(service_times), 3),
            "service_queries": len(queries)}


def bench_exports(rows: int, pdf: bool) -> dict:
    from applications.models import Campaign
    from review.documents.export_files import (
        render_fee_list_pdf,
        render_fee_list_xlsx,
        render_roster_pdf,
        render_roster_xlsx,
    )
    from review.documents.exports import fee_list_for, load_campaign, roster_for
    from review.documents.models import ScopeKind
    from review.documents.scope import ExportScope

    campaign = load_campaign(Campaign.objects.get(code="demo").pk)
    scope = ExportScope(ScopeKind.COMMITTEE, campaign.committee_id, campaign.committee.name)
    today = dt.date.today()
    with CaptureQueriesContext(connection) as roster_queries:
        roster, data_s = timed(lambda: roster_for(campaign=campaign, scope=scope, generated_on=today).as_data())
    assert len(roster["rows"]) == rows, (len(roster["rows"]), rows)
    xlsx, xlsx_s = timed(render_roster_xlsx, roster)
    with CaptureQueriesContext(connection) as fee_queries:
        fees, fee_data_s = timed(lambda: fee_list_for(campaign=campaign, scope=scope, generated_on=today).as_data())
    _fee_xlsx, fee_xlsx_s = timed(render_fee_list_xlsx, fees)
    result = {
        "rows": rows,
        "roster_data_s": round(data_s, 3), "roster_xlsx_render_s": round(xlsx_s, 3),
        "roster_xlsx_total_s": round(data_s + xlsx_s, 3), "roster_xlsx_kb": round(len(xlsx) / 1024, 1),
        "roster_queries": len(roster_queries),
        "fee_data_s": round(fee_data_s, 3), "fee_xlsx_total_s": round(fee_data_s + fee_xlsx_s, 3),
        "fee_queries": len(fee_queries), "fee_total_yuan": fees["overall"]["due"],
    }
    if pdf:
        rendered, pdf_s = timed(render_roster_pdf, roster)
        fee_pdf, fee_pdf_s = timed(render_fee_list_pdf, fees)
        result.update({"roster_pdf_render_s": round(pdf_s, 2), "roster_pdf_total_s": round(data_s + pdf_s, 2),
                       "roster_pdf_pages": rendered.pages, "roster_pdf_kb": round(len(rendered.content) / 1024, 1),
                       "fee_pdf_total_s": round(fee_data_s + fee_pdf_s, 2), "fee_pdf_pages": fee_pdf.pages})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000,10000", help="roster sizes, ascending (default 1000,10000)")
    parser.add_argument("--pdf-rows", default="1000", help="sizes at which PDFs are rendered too (default 1000)")
    parser.add_argument("--forms", type=int, default=5, help="applications through the real chain (default 5)")
    parser.add_argument("--repeat", type=int, default=20, help="warm review-form renders (default 20)")
    parser.add_argument("--json", help="also write the JSON here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",") if s]
    pdf_sizes = {int(s) for s in args.pdf_rows.split(",") if s}

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    storage_dir = tempfile.mkdtemp(prefix="bench-documents-")
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                 "OPTIONS": {"location": storage_dir}}}
    rng = random.Random(2026)
    report: dict = {"machine": {"cpus": os.cpu_count(), "database": connection.vendor,
                                "python": sys.version.split()[0]}}
    try:
        with override_settings(STORAGES=storages, MEDIA_ROOT=storage_dir,
                               PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            from applications.seeding import load_reference, load_seed_campaigns

            load_reference()
            load_seed_campaigns()
            units = make_units()
            form_ids = make_accepted_forms(args.forms, units)
            report["review_form"] = bench_review_form(form_ids, args.repeat)
            report["exports"] = []
            have = len(form_ids)
            for size in sizes:
                add_roster_rows(size - have, units, rng, start=have)
                have = size
                report["exports"].append(bench_exports(size, pdf=size in pdf_sizes))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    report["targets"] = TARGETS
    report["verdict"] = verdict(report)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    print_table(report)


def verdict(report: dict) -> dict:
    form = report["review_form"]
    by_rows = {e["rows"]: e for e in report["exports"]}
    result = {"review_form_warm": form["warm_median_s"] <= TARGETS["review_form_warm_s"],
              "review_form_size": form["size_kb_max"] <= TARGETS["review_form_kb"],
              "queries_constant": len({e["roster_queries"] for e in report["exports"]}) == 1
              and len({e["fee_queries"] for e in report["exports"]}) == 1}
    if 10000 in by_rows:
        result["roster_xlsx_10000"] = by_rows[10000]["roster_xlsx_total_s"] <= TARGETS["roster_xlsx_10000_s"]
    if 1000 in by_rows and "roster_pdf_total_s" in by_rows[1000]:
        result["roster_pdf_1000"] = by_rows[1000]["roster_pdf_total_s"] <= TARGETS["roster_pdf_1000_s"]
    return result


def print_table(report: dict) -> None:
    form = report["review_form"]
    lines = [
        "",
        f"{'measure':<44}{'value':>14}{'target':>12}",
        f"{'review form warm render, median (s)':<44}{form['warm_median_s']:>14}{'≤ 0.5':>12}",
        f"{'review form warm render, p95 (s)':<44}{form['warm_p95_s']:>14}{'':>12}",
        f"{'review form size, max (KB)':<44}{form['size_kb_max']:>14}{'≤ 500':>12}",
        f"{'review form service call, median (s)':<44}{form['service_median_s']:>14}{'':>12}",
    ]
    for e in report["exports"]:
        n = e["rows"]
        lines.append(f"{f'roster XLSX, {n} rows (s)':<44}{e['roster_xlsx_total_s']:>14}"
                     f"{'≤ 3' if n == 10000 else '':>12}")
        if "roster_pdf_total_s" in e:
            label = f"roster PDF, {n} rows (s), {e['roster_pdf_pages']} pages"
            lines.append(f"{label:<44}{e['roster_pdf_total_s']:>14}{'≤ 10' if n == 1000 else '':>12}")
            lines.append(f"{f'fee list PDF, {n} rows (s)':<44}{e['fee_pdf_total_s']:>14}{'':>12}")
        lines.append(f"{f'fee list XLSX, {n} rows (s)':<44}{e['fee_xlsx_total_s']:>14}{'':>12}")
        queries = f"{e['roster_queries']} / {e['fee_queries']}"
        lines.append(f"{f'queries: roster / fee list, {n} rows':<44}{queries:>14}{'constant':>12}")
    lines.append("")
    lines.append("verdict: " + ", ".join(f"{k} {'OK' if v else 'OVER'}" for k, v in report["verdict"].items()))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
