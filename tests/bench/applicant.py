"""Benchmark of the applicant's side: the rule engine, the upload pipeline and OCR.

    python tests/bench/applicant.py [--profiles 1000] [--repeat 5] [--json FILE]

Creates a throw-away test database (PostgreSQL when DATABASE_URL is set, else SQLite) with the
reference data and the five seed campaigns, then measures:

* ``manage.py precheck`` on a file of ``--profiles`` varied profiles (issue 3's format), end to
  end (parse, load campaigns, evaluate, print): seconds and queries;
* the rule engine alone on a prefetched campaign: profiles × 2 kinds, seconds and queries;
* ``accept_upload`` (sniff, decode, EXIF upright, quality checks, re-encode, thumbnail) of an A4
  scan at 300 dpi and of a 12-megapixel phone photo taken sideways: median seconds;
* OCR of one scanned page for the name and ID number (Tesseract chi_sim, run by the worker):
  median seconds, when Tesseract is installed.
"""

from __future__ import annotations

import argparse
import io
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

from django.core.management import call_command  # noqa: E402 - after django.setup()
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from PIL import Image  # noqa: E402
from stdnum.cn import ric  # noqa: E402


def timed(fn, *args, **kwargs):
    began = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - began


def id_number(rng: random.Random) -> str:
    county = rng.choice(["652801", "652822", "652823", "652824", "652825", "652826", "652827", "652828", "652829"])
    body = f"{county}{rng.randint(1965, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def profiles(count: int, rng: random.Random) -> list[dict]:
    """Varied inputs for 巴州 2024 质量技术监督 (notice 003): both levels, every unit nature,
    education levels, evaluations that defer, continuing-education gaps, bans and exemptions."""
    natures = ["事业单位", "国有企业", "民营企业", "自由职业者", "机关"]
    schooling = ["中专", "大专", "本科", "硕士", "博士"]
    grades = ["优秀", "合格", "基本合格", "不合格"]
    out = []
    for i in range(count):
        graduated = f"{rng.randint(1995, 2022)}-07-01"
        level = rng.choice(["初级", "中级"])
        title = None if level == "初级" else {"level": "初级", "obtained": f"{rng.randint(2008, 2023)}-09-30"}
        out.append({
            "campaign": "bz-2024-zhijian", "specialty": "质量技术监督", "level": level,
            "kind": "初次确定" if level == "初级" and i % 3 == 0 else "评审",
            "id_number": id_number(rng), "unit_nature": natures[i % len(natures)],
            "county": rng.choice(["库尔勒市", "且末县", "若羌县", "和静县", "轮台县"]),
            "grassroots_below_county": i % 4 == 0, "special_service": ["访惠聚"] if i % 9 == 0 else [],
            "retired": i % 97 == 0, "civil_servant": i % 89 == 0, "aid_xinjiang": i % 23 == 0,
            "education": [{"level": rng.choice(schooling), "full_time": i % 5 != 0, "graduated": graduated,
                           "south_xinjiang_graduate": i % 6 == 0}],
            "professional_work_start": graduated[:4] + "-08-01", "current_title": title,
            "annual_evaluations": {str(y): rng.choice(grades) for y in (2021, 2022, 2023)},
            "ce_hours": {str(y): {"公需": rng.choice([0, 30]), "专业": rng.choice([30, 60])} for y in (2021, 2022, 2023)},
            "ce_exempt": i % 11 == 0, "banned_until": 2025 if i % 51 == 0 else None,
        })
    return out


def bench_precheck(items: list[dict]) -> dict:
    path = Path(tempfile.mkdtemp(prefix="bench-precheck-")) / "profiles.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        _, seconds = timed(call_command, "precheck", str(path), stdout=out)
    verdicts = json.loads(out.getvalue())
    assert len(verdicts) == len(items)
    return {"profiles": len(items), "seconds": round(seconds, 2), "queries": len(queries),
            "eligible": sum(v["eligible"] for v in verdicts)}


def bench_engine(count: int) -> dict:
    from applications.models import Campaign, Level
    from applications.rules import CAMPAIGN_PREFETCH, CurrentTitle, EducationEntry, Profile, evaluate

    campaign = Campaign.objects.prefetch_related(*CAMPAIGN_PREFETCH).get(code="bz-2021-shihua")
    specialty = campaign.specialties.all()[0]
    level = Level.objects.get(code="intermediate")
    import datetime as dt

    people = [Profile(
        unit_nature=["institution", "state_enterprise", "private_enterprise", "freelance"][i % 4],
        county=["且末县", "库尔勒市", "若羌县"][i % 3],
        education=[EducationEntry(level=["bachelor", "master", "doctor", "junior_college"][i % 4], full_time=True,
                                  graduated=dt.date(2005 + i % 10, 7, 1))],
        professional_work_start=dt.date(2005 + i % 10, 8, 1),
        current_title=CurrentTitle(level="junior", obtained=dt.date(2010 + i % 12, 1 + i % 12, 1)),
        annual_evaluations={2018 + i % 3: ["basic", "qualified", "unqualified"][i % 3]},
        special_service=["fanghuiju"] if i % 7 == 0 else [], ce_exempt=i % 11 == 0,
    ) for i in range(count)]
    with CaptureQueriesContext(connection) as queries:
        verdicts, seconds = timed(lambda: [evaluate(campaign, specialty, level, kind, p)
                                           for p in people for kind in ("review", "award")])
    return {"evaluations": len(verdicts), "seconds": round(seconds, 2), "queries": len(queries)}


def texture(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A sharp, photo-like page: noise under dark text strokes (a blank page would be refused as
    blurred and compress unrealistically well)."""
    noise = Image.effect_noise(size, 40).convert("RGB")
    page = Image.blend(Image.new("RGB", size, (235, 232, 225)), noise, 0.25)
    strokes = Image.new("RGB", (size[0], 6), (30, 30, 30))
    for y in range(size[1] // 10, size[1] - size[1] // 10, 60):
        page.paste(strokes.crop((0, 0, rng.randint(size[0] // 3, size[0] * 4 // 5), 6)), (size[0] // 10, y))
    return page


def jpeg(image: Image.Image, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, "JPEG", quality=90, exif=exif)
    else:
        image.save(out, "JPEG", quality=90)
    return out.getvalue()


def bench_uploads(repeat: int, rng: random.Random) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.uploads import accept_upload

    files = {"a4_scan_300dpi": jpeg(texture((2480, 3508), rng)),
             "phone_photo_12mp_sideways": jpeg(texture((4000, 3000), rng), orientation=6)}
    result = {}
    for label, data in files.items():
        times = []
        for _ in range(repeat):
            accepted, seconds = timed(accept_upload, SimpleUploadedFile("scan.jpg", data, "image/jpeg"))
            times.append(seconds)
        result[label] = {"kb_in": len(data) // 1024, "kb_out": len(accepted.content) // 1024,
                         "size_out": [accepted.width, accepted.height],
                         "median_s": round(statistics.median(times), 3)}
    return result


def bench_ocr(repeat: int) -> dict:
    from applications.ocr import find_identity, ocr_available
    from applications.samples import sample_scan

    if not ocr_available():
        return {"skipped": "tesseract-ocr is not installed"}
    name, number = "古丽娜尔·艾买提", "652801199001011232"
    data = sample_scan("毕业证书", name, lines=(f"身份证号：{number}", "兹证明该同志所提交材料真实有效。"))
    times, hits = [], []
    for _ in range(repeat):
        hits, seconds = timed(find_identity, Image.open(io.BytesIO(data)), name=name, id_number=number)
        times.append(seconds)
    return {"page_px": list(Image.open(io.BytesIO(data)).size), "found": sorted(h.what for h in hits),
            "median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="also write the JSON here")
    args = parser.parse_args()
    rng = random.Random(2026)

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    report: dict = {"machine": {"cpus": os.cpu_count(), "database": connection.vendor}}
    try:
        from applications.seeding import load_reference, load_seed_campaigns

        load_reference()
        load_seed_campaigns()
        report["precheck"] = bench_precheck(profiles(args.profiles, rng))
        report["rule_engine"] = bench_engine(args.profiles)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    report["uploads"] = bench_uploads(args.repeat, rng)
    report["ocr"] = bench_ocr(max(1, args.repeat // 2))
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
