"""Scale benchmark (issue 16): every page of every role at 1,000, 10,000 (and 100,000) applications.

    python tests/bench/scale.py --applications 1000 10000 --json var/bench/scale.json
    python tests/bench/scale.py --applications 10000 --keep               # keep portal_scale_bench_10000
    python tests/bench/scale.py --applications 10000 --reuse --pages 'clerk:*' --profile clerk:fees
    python tests/bench/scale.py --applications 10000 --reuse --explain clerk:queue_deep
    python tests/bench/scale.py --applications 10000 --reuse --calls --json var/bench/calls.json
    python tests/bench/scale.py --applications 10000 --reuse --serve spawn --json var/bench/serve.json

For each size it builds its own PostgreSQL database ``portal_scale_bench_<n>`` on the server of
``DATABASE_URL`` (migrate, reference data, then ``tests/bench/scale_data.py`` writes the
applications with COPY), and, in one process with Django's test client, requests every page of
``tests/bench/scale_pages.py`` (2 warm-up requests, then ``--repeat`` measured ones, default 20,
fewer only if a page exceeds ``--budget`` seconds), and renders the committee's exports as the
worker does.  Per page and size it records the median of: queries, CPU milliseconds of this
process (``time.process_time``: Python, templates, the database driver — not PostgreSQL's own
CPU), wall milliseconds and SQL milliseconds, and the response size:

    {"pages": {"clerk:fees": {"1000": {"queries": 14, "cpu_ms": 150.2, "wall_ms": ..., "sql_ms": ..., "kb": ...},
                              "10000": {...}}}, "builds": {...}, "machine": {...}}

The process runs as production does (``DJANGO_DEBUG=0``; static files from the manifest, collected
once into ``staticfiles/``).  Databases are dropped at the end unless ``--keep``; ``--reuse``
measures a kept one again without rebuilding it.  ``--serve`` runs the concurrent measurement
against gunicorn instead (``tests/bench/scale_serve.py``).  CPU figures on a shared machine are
noisy: compare sizes measured in one run, and read the query counts as exact.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import fnmatch
import io
import json
import os
import platform
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Production settings; the key must be the served portal's too in --serve mode (sessions are signed).
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "scale-bench-not-a-secret-0123456789abcdefghijklmnop")
os.environ.setdefault("DJANGO_SECURE", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # the worker service logs every stored export

import django  # noqa: E402 - after sys.path and the settings module are set

django.setup()

from django.conf import settings  # noqa: E402 - after django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from tests.bench import scale_data  # noqa: E402
from tests.bench.scale_pages import Page, catalogue, follow_links, login, subjects  # noqa: E402
from tests.bench.scale_upload import upload_breakdown, upload_page  # noqa: E402

# PORTAL_SCALE_DB_PREFIX: branches benchmarking on one server keep apart (``portal_scale2_bench_``).
DB_PREFIX = os.environ.get("PORTAL_SCALE_DB_PREFIX", "portal_scale_bench_")
if not re.fullmatch(r"portal_[a-z0-9_]*bench_", DB_PREFIX):
    raise SystemExit("PORTAL_SCALE_DB_PREFIX must look like portal_<name>_bench_")
META_TABLE = "scale_bench_meta"


# -- databases ------------------------------------------------------------------------------------

def _server():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(dbname="postgres", user=s["USER"] or None, password=s["PASSWORD"] or None,
                           host=s["HOST"] or None, port=s["PORT"] or None, autocommit=True)


def database_name(n: int) -> str:
    return f"{DB_PREFIX}{n}"


def database_exists(name: str) -> bool:
    with _server() as server:
        return server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(name: str) -> None:
    if not re.fullmatch(rf"{DB_PREFIX}\d+", name):  # never anything this script did not create
        raise ValueError(name)
    connection.close()
    with _server() as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def use_database(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name


def build_database(n: int, units: int) -> dict:
    name = database_name(n)
    drop_database(name)
    with _server() as server:
        server.execute(f'CREATE DATABASE "{name}"')
    use_database(name)
    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - began
    print(f"[{n}] migrated in {migrate_s:.1f} s; generating", flush=True)
    report = scale_data.build(n, units=units, log=lambda line: print(f"[{n}]{line}", flush=True))
    report["migrate_seconds"] = round(migrate_s, 1)
    report["total_seconds"] = round(time.perf_counter() - began, 1)
    report["database"] = name
    report["size_mb"] = database_size_mb()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {META_TABLE} (report jsonb NOT NULL)")
        cursor.execute(f"INSERT INTO {META_TABLE} VALUES (%s)", [json.dumps(report, ensure_ascii=False)])
    return report


def database_size_mb() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return round(cursor.fetchone()[0] / 1048576)


def reuse_database(n: int) -> dict | None:
    name = database_name(n)
    if not database_exists(name):
        return None
    use_database(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return None  # a build that did not finish
        cursor.execute(f"SELECT report FROM {META_TABLE}")
        report = cursor.fetchone()[0]
    return json.loads(report) if isinstance(report, str) else report


def ensure_static() -> None:
    """DEBUG off reads static names from the manifest: collect once, as a deployment does."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        call_command("collectstatic", interactive=False, verbosity=0)


# -- one page -------------------------------------------------------------------------------------

class SQLCounter:
    """Counts the queries of a request and their time (``connection.execute_wrapper``): cheaper than
    a debug cursor, which would add its own formatting to the CPU measured."""

    def __init__(self):
        self.queries, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began


class Runner:
    def __init__(self):
        self.clients: dict[object, Client] = {}
        self.remote = 0

    def client(self, user) -> Client:
        key = getattr(user, "pk", None)
        if key not in self.clients:
            client = Client()
            if user is not None:
                login(client, user)
            self.clients[key] = client
        return self.clients[key]

    def request(self, page: Page) -> tuple[int, int]:
        """(status, bytes) of one request, the body read as a browser would."""
        if page.call is not None:
            page.call()
            return 200, 0
        client = self.client(page.user)
        self.remote += 1
        extra = {"REMOTE_ADDR": f"10.{self.remote // 65536 % 256}.{self.remote // 256 % 256}.{self.remote % 256}"}
        extra.update(page.headers)
        if page.method == "post":
            response = client.post(page.url, page.data() if callable(page.data) else page.data, **extra)
        else:
            response = client.get(page.url, **extra)
        if getattr(response, "streaming", False):
            size = sum(len(chunk) for chunk in response.streaming_content)
            response.close()
        else:
            size = len(response.content)
        return response.status_code, size

    def measure(self, page: Page, repeat: int, budget: float) -> dict:
        try:
            return self._measure(page, repeat, budget)
        finally:
            if page.cleanup:
                page.cleanup()

    def warm(self, page: Page) -> str | None:
        """Two requests (templates compiled, caches filled, the session loaded once); an error text
        when the page does not answer as expected."""
        for _ in range(2):
            status, _size = self.request(page)
        return None if status in page.expect else f"HTTP {status}"

    def sample(self, page: Page) -> tuple | str:
        """One measured request: (queries, CPU ms, wall ms, SQL ms, bytes), or an error text."""
        counter = SQLCounter()
        with connection.execute_wrapper(counter):
            cpu, wall = time.process_time(), time.perf_counter()
            status, size = self.request(page)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if status not in page.expect:
            return f"HTTP {status}"
        return counter.queries, cpu * 1000, wall * 1000, counter.seconds * 1000, size

    def _measure(self, page: Page, repeat: int, budget: float) -> dict:
        error = self.warm(page)
        if error:
            return {"error": error}
        samples = []
        began = time.perf_counter()
        for _ in range(repeat):
            found = self.sample(page)
            if isinstance(found, str):
                return {"error": found}
            samples.append(found)
            if len(samples) >= 5 and time.perf_counter() - began > budget:
                break
        return summary(samples)


    def dump(self, page: Page, out: Path) -> str:
        """Write the page's body (after the warm-up) to ``out/<name>.html``, the CSRF token and
        nonces taken out, so that the pages of two versions can be compared with ``diff -r``."""
        error = self.warm(page)
        if error or page.call is not None or page.method != "get":
            return error or "not a page"
        response = self.client(page.user).get(page.url, **page.headers)
        if getattr(response, "streaming", False):
            return "streamed"
        body = re.sub(rb'(csrfmiddlewaretoken" value=|nonce=)"[^"]*"', rb'\1"-"', response.content)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{page.name.replace(':', '-')}.html").write_bytes(body)
        return f"{len(body)} bytes"

    def calls(self, page: Page, repeat: int = 3) -> dict:
        """Python function calls of one request (the fewest of ``repeat``, after the warm-up):
        the work a page does, counted by cProfile, the same on every run and every machine — a
        figure to compare two versions by where CPU time on a shared machine moves by ±50 %."""
        error = self.warm(page)
        if error:
            return {"error": error}
        counts = []
        for _ in range(repeat):
            profiler = cProfile.Profile()
            profiler.enable()
            self.request(page)
            profiler.disable()
            counts.append(pstats.Stats(profiler).total_calls)
        return {"calls": min(counts)}

    def profile(self, page: Page, out: Path) -> str:
        self.request(page)
        profiler = cProfile.Profile()
        profiler.enable()
        self.request(page)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        out.write_text(text.getvalue(), encoding="utf-8")
        return text.getvalue()

    def explain(self, page: Page, out: Path, top: int = 6) -> str:
        """EXPLAIN (ANALYZE, BUFFERS) of the slowest queries of one request of ``page``."""
        captured: list[tuple[float, str, object]] = []

        def wrapper(execute, sql, params, many, context):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append((time.perf_counter() - began, sql, params))

        self.request(page)
        with connection.execute_wrapper(wrapper):
            self.request(page)
        lines = []
        for seconds, sql, params in sorted(captured, key=lambda c: -c[0])[:top]:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            lines.append(f"-- {seconds * 1000:.1f} ms\n{sql}\n{plan}\n")
        out.write_text("\n".join(lines), encoding="utf-8")
        return "\n".join(lines)


def summary(samples: list[tuple]) -> dict:
    column = list(zip(*samples))
    return {"queries": round(statistics.median(column[0])), "cpu_ms": round(statistics.median(column[1]), 1),
            "wall_ms": round(statistics.median(column[2]), 1), "sql_ms": round(statistics.median(column[3]), 1),
            "kb": round(statistics.median(column[4]) / 1024, 1), "n": len(samples),
            "queries_max": max(column[0])}


# -- the run --------------------------------------------------------------------------------------

def selected(pages: list[Page], patterns: list[str] | None) -> list[Page]:
    if not patterns:
        return pages
    return [p for p in pages if any(fnmatch.fnmatch(p.name, pattern) for pattern in patterns)]


def machine() -> dict:
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "load_at_start": [round(v, 2) for v in load],
            "database": f"PostgreSQL {connection.cursor().connection.info.server_version}",
            "date": dt.datetime.now().isoformat(timespec="seconds"), "host": platform.node(),
            "calibration_ms": calibration_ms()}


def calibration_ms() -> float:
    """CPU milliseconds of a fixed piece of pure Python (the median of five): how fast this machine
    runs Python *now* (~50 ms when the machine is quiet).  A shared virtual machine's speed drifts
    by a factor of two to four over a day; figures of runs whose calibrations differ are not
    comparable, those of one run are."""
    times = []
    for _ in range(5):
        began = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i * i
        times.append(time.process_time() - began)
    return round(statistics.median(times) * 1000, 1)


def run_size(n: int, args, report: dict) -> None:
    built = reuse_database(n) if args.reuse else None
    if built is None:
        print(f"[{n}] building {database_name(n)}", flush=True)
        built = build_database(n, args.units)
        print(f"[{n}] built in {built['total_seconds']} s ({built['size_mb']} MB)", flush=True)
    else:
        print(f"[{n}] reusing {database_name(n)} (built in {built.get('total_seconds')} s)", flush=True)
    report["builds"][str(n)] = built
    switch_to(n)  # this size's cache namespace too: kept figures are per database
    if args.serve:
        from tests.bench import scale_serve

        found = scale_serve.run(args, n)
        serve = report.setdefault("serve", {})
        kept = serve.get(str(n)) if args.merge else None
        if kept:  # --merge: pages measured now replace their earlier runs, the rest stays
            kept.setdefault("pages", {}).update(found.pop("pages", {}))
            kept.update(found)
        else:
            serve[str(n)] = found
        return
    out_dir = Path(settings.DATA_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    who = subjects()
    pages, skipped = catalogue(who)
    upload = upload_page(who.rush)
    if upload is not None:
        pages.append(upload)
    if args.upload_profile:
        report.setdefault("upload", {})[str(n)] = breakdown = upload_breakdown(who.rush)
        print(f"[{n}] upload pipeline: {json.dumps(breakdown, ensure_ascii=False, indent=1)}", flush=True)
    if skipped:
        report.setdefault("skipped", {})[str(n)] = skipped
        print(f"[{n}] skipped (URL name not found): {', '.join(skipped)}", flush=True)
    runner = Runner()
    follow_links(pages, runner.client)
    with override_settings(PORTAL_RATE_LIMITS={"lookup_ip": (10**9, 600), "lookup_id": (10**9, 600),
                                               "verify_ip": (10**9, 600)}):
        for page in selected(pages, args.profile or args.explain or args.pages):
            if args.profile:
                path = out_dir / f"profile-{page.name.replace(':', '-')}-{n}.txt"
                print(runner.profile(page, path)[:6000])
                print(f"[{n}] profile written to {path}")
                continue
            if args.dump:
                print(f"[{n}] {page.name}: {runner.dump(page, Path(args.dump))}", flush=True)
                continue
            if args.calls:
                result = runner.calls(page) if page.call is None else {"error": "not a page"}
                if page.cleanup:
                    page.cleanup()
                report["pages"].setdefault(page.name, {})[str(n)] = result
                print(f"[{n}] {page.name:<36} {json.dumps(result)}", flush=True)
                continue
            if args.explain:
                path = out_dir / f"explain-{page.name.replace(':', '-')}-{n}.txt"
                print(runner.explain(page, path))
                print(f"[{n}] plans written to {path}")
                continue
            result = runner.measure(page, args.repeat, args.budget)
            report["pages"].setdefault(page.name, {})[str(n)] = result
            print(f"[{n}] {page.name:<36} {json.dumps(result)}", flush=True)


def switch_to(n: int) -> None:
    """Make size ``n`` the database (and cache namespace) of the next requests; connect now, so
    that no measured request pays for the connection."""
    from django.core.cache import caches

    use_database(database_name(n))
    caches["default"].key_prefix = f"scale-bench-{n}"
    connection.ensure_connection()


def run_interleaved(sizes: list[int], args, report: dict) -> None:
    """Measure every page at every size *alternately*, one request at a time (1k, 10k, 10k, 1k,
    …), so that whatever else the machine does weighs on every size alike: on a shared machine
    the CPU figures of a page are then comparable between sizes, which runs minutes apart are not."""
    sides: dict[int, tuple[Runner, dict[str, Page]]] = {}
    for n in sizes:
        built = reuse_database(n) if args.reuse else None
        if built is None:
            print(f"[{n}] building {database_name(n)}", flush=True)
            built = build_database(n, args.units)
            print(f"[{n}] built in {built['total_seconds']} s ({built['size_mb']} MB)", flush=True)
        report["builds"][str(n)] = built
        switch_to(n)
        who = subjects()
        pages, skipped = catalogue(who)
        upload = upload_page(who.rush)
        if upload is not None:
            pages.append(upload)
        if skipped:
            report.setdefault("skipped", {})[str(n)] = skipped
        runner = Runner()
        follow_links(pages, runner.client)
        sides[n] = (runner, {p.name: p for p in selected(pages, args.pages)})
    names = [name for name in sides[sizes[0]][1] if all(name in sides[n][1] for n in sizes)]
    with override_settings(PORTAL_RATE_LIMITS={"lookup_ip": (10**9, 600), "lookup_id": (10**9, 600),
                                               "verify_ip": (10**9, 600)}):
        for name in names:
            samples: dict[int, list | str] = {}
            for n in sizes:
                switch_to(n)
                samples[n] = sides[n][0].warm(sides[n][1][name]) or []
            began = time.perf_counter()
            for i in range(args.repeat):
                for n in (sizes if i % 2 == 0 else sizes[::-1]):
                    if isinstance(samples[n], str):
                        continue
                    switch_to(n)
                    found = sides[n][0].sample(sides[n][1][name])
                    if isinstance(found, str):
                        samples[n] = found
                    else:
                        samples[n].append(found)
                if i >= 4 and time.perf_counter() - began > args.budget * len(sizes):
                    break
            for n in sizes:
                page = sides[n][1][name]
                if page.cleanup:
                    switch_to(n)
                    page.cleanup()
                result = {"error": samples[n]} if isinstance(samples[n], str) else summary(samples[n])
                report["pages"].setdefault(name, {})[str(n)] = result
            print(f"{name:<36} " + "  ".join(f"{n}: {json.dumps(report['pages'][name][str(n)])}" for n in sizes),
                  flush=True)


def print_table(report: dict, sizes: list[int]) -> None:
    head = f"{'page':<36}" + "".join(f"{f'q@{n}':>9}{f'cpu@{n}':>11}" for n in sizes) + f"{'cpu×':>8}"
    print("\n" + head)
    for name, by_size in sorted(report["pages"].items()):
        cells, cpus = "", []
        for n in sizes:
            m = by_size.get(str(n), {})
            cells += f"{m.get('queries', '-'):>9}{m.get('cpu_ms', m.get('error', '-')):>11}"
            cpus.append(m.get("cpu_ms"))
        ratio = f"{cpus[-1] / cpus[0]:.2f}" if len(cpus) > 1 and all(cpus) else ""
        print(f"{name:<36}{cells}{ratio:>8}")


def markdown(report: dict) -> str:
    """The per-page table of a results file, as the README and docs/scale-part2.md show it: queries,
    CPU ms of the web process and SQL ms per request at each size, and the CPU growth."""
    sizes = sorted({int(n) for by_size in report["pages"].values() for n in by_size})
    head = "| page | " + " | ".join(f"q {n:,} | CPU ms {n:,} | SQL ms {n:,}" for n in sizes) + " | CPU × |"
    lines = [head, "|---|" + "---:|" * (3 * len(sizes) + 1)]
    for name, by_size in sorted(report["pages"].items()):
        cells, cpus = [], []
        for n in sizes:
            m = by_size.get(str(n), {})
            cells += [str(m.get("queries", "–")), str(m.get("cpu_ms", m.get("error", "–"))), str(m.get("sql_ms", "–"))]
            cpus.append(m.get("cpu_ms"))
        ratio = f"{cpus[-1] / cpus[0]:.2f}" if len(cpus) > 1 and all(cpus) else ""
        lines.append(f"| `{name}` | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--json", help="write (or with --merge, update) the results here")
    parser.add_argument("--merge", action="store_true", help="add to the pages already in --json")
    parser.add_argument("--repeat", type=int, default=20, help="measured requests per page (default 20)")
    parser.add_argument("--budget", type=float, default=90.0,
                        help="seconds per page after which it stops at ≥5 requests (default 90)")
    parser.add_argument("--pages", nargs="+", help="only these pages (shell patterns: 'clerk:*')")
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the databases (portal_scale_bench_<n>)")
    parser.add_argument("--reuse", action="store_true", help="measure kept databases without rebuilding them")
    parser.add_argument("--profile", nargs="+", metavar="PAGE", help="cProfile one request of these pages")
    parser.add_argument("--explain", nargs="+", metavar="PAGE", help="EXPLAIN ANALYZE the slowest queries")
    parser.add_argument("--dump", metavar="DIR", help="write each page's HTML to DIR (compare versions with diff -r)")
    parser.add_argument("--calls", action="store_true",
                        help="count each page's Python function calls per request instead of timing it")
    parser.add_argument("--upload-profile", action="store_true",
                        help="also time each step of one 3.3 MB upload, and the reduced checks")
    parser.add_argument("--serve", metavar="URL", help="concurrent mode against gunicorn at URL, or 'spawn'")
    parser.add_argument("--gunicorn-pid", type=int, help="--serve URL: the gunicorn master, for web CPU")
    parser.add_argument("--with-worker", action="store_true", help="--serve spawn: also start a Celery worker")
    parser.add_argument("--upload-pool", action="store_true",
                        help="--serve spawn: uploads to their own gunicorn (compose's web-uploads), as nginx routes them")
    parser.add_argument("--upload-nice", type=int, default=0,
                        help="--upload-pool: its nice value (default 0, as compose runs it)")
    parser.add_argument("--upload-url", help="--serve URL: the upload pool's URL (default: URL itself)")
    parser.add_argument("--upload-pid", type=int, help="--serve URL: the upload pool's gunicorn master")
    parser.add_argument("--duration", type=float, default=8.0, help="--serve: seconds per wrk run")
    parser.add_argument("--quiet-below", type=float, default=0.0, metavar="MS",
                        help="--serve: measure each page when the calibration (CPU ms of a fixed loop) is at most MS")
    parser.add_argument("--quiet-wait", type=float, default=900.0, metavar="S",
                        help="--quiet-below: wait at most S seconds per page for it (default 900)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--rush-page-connections", type=int, default=5,
                        help="--serve: wrk connections on the unit queue during the upload rush")
    parser.add_argument("--rush-only", action="store_true", help="--serve: only the upload rush")
    parser.add_argument("--no-rush", action="store_true", help="--serve: pages only, no upload rush")
    parser.add_argument("--markdown", metavar="JSON", help="print the table of a results file and stop")
    parser.add_argument("--interleave", action="store_true",
                        help="measure the sizes alternately, request by request (comparable CPU on a busy machine)")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text(encoding="utf-8"))))
        return
    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL server: the benchmark creates its databases there")
    sizes = sorted(args.applications)
    ensure_static()
    report: dict = {"pages": {}, "builds": {}}
    if args.merge and args.json and Path(args.json).exists():
        report = json.loads(Path(args.json).read_text(encoding="utf-8"))
        report.setdefault("builds", {})
    report["machine"] = machine()
    original = connection.settings_dict["NAME"]
    try:
        if args.interleave and not (args.serve or args.profile or args.explain or args.calls):
            run_interleaved(sizes, args, report)
        else:
            for n in sizes:
                run_size(n, args, report)
                if not args.keep and not args.reuse:
                    drop_database(database_name(n))
    finally:
        use_database(original)
    if args.interleave and not args.keep and not args.reuse:
        for n in sizes:
            drop_database(database_name(n))
    report["machine"]["calibration_end_ms"] = calibration_ms()
    print(f"calibration: {report['machine']['calibration_ms']} ms at the start, "
          f"{report['machine']['calibration_end_ms']} ms at the end", flush=True)
    if args.json and not (args.profile or args.explain or args.dump):
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if report["pages"] and not (args.serve or args.dump):
        print_table(report, sizes)


if __name__ == "__main__":
    main()
