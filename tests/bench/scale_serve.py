"""The scale benchmark's concurrent mode: pages and the upload rush against a running gunicorn.

    python tests/bench/scale.py --applications 10000 --reuse --serve spawn --json var/bench/serve.json
    python tests/bench/scale.py --applications 10000 --reuse --serve http://127.0.0.1:8000 --gunicorn-pid PID

``spawn`` starts gunicorn as docker-compose.yml's ``web`` runs it (``portal/scripts/start-web.sh``,
``portal/deploy/gunicorn.conf.py``: 3 single-thread workers, its JSON access log into
``serve-gunicorn.log``) on a free port against the benchmark's database, with this process's secret
key (sessions are signed with it), ``DJANGO_DEBUG=0``; ``--upload-pool`` also starts compose's
``web-uploads`` (one process of 4 threads) and sends the rush's uploads
there, as nginx routes ``/apply/<code>/upload/``; ``--with-worker`` also starts a prefork Celery
worker (OCR of the rush then competes for the cores, as in production).  Against a URL, start
gunicorn yourself with the same ``DATABASE_URL`` (the ``portal_scale_bench_<n>`` database),
``DJANGO_SECRET_KEY``, ``PORTAL_DATA_DIR`` and ``DJANGO_DEBUG=0 DJANGO_SECURE=0``, and give its
master's pid for web CPU (``--upload-url``/``--upload-pid`` for an upload pool).

1. Every page (``Page.serve``) at each of ``--connections`` (1, 10, 50): ``wrk`` for
   ``--duration`` seconds with the role's session cookie; p50/p95/p99/max in ms, requests, errors.
   Each page first gets 2 s of warm-up at 6 connections (every worker compiles its templates);
   between runs it waits until gunicorn is idle again (requests left queued would burden the next).
   A page that completes fewer than ``MIN_REQUESTS`` in a run is not run at more connections.
2. The upload rush: ``RUSH_APPLICANTS`` (20) applicants each post 10 A4 scans of ~3.3 MB, one after
   another, all at once (Python threads; the bodies are built once).  First alone: upload latency
   and gunicorn's CPU per upload (``/proc`` times of the master and its workers, before/after).
   Then again while ``wrk`` loads the unit queue with ``--rush-page-connections``: the queue's p95
   during the rush, next to its p95 alone.

``wrk`` comes from apt (``PORTAL_WITH_BENCH=1 sh portal/scripts/install.sh``).  It and the
uploading threads run on the same 2 cores as gunicorn: the latencies include that competition.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.bench.scale_pages import catalogue, follow_links, session_cookie, subjects
from tests.bench.scale_plan import RUSH_APPLICANTS
from tests.bench.scale_upload import RUSH_SLOTS, a4_scan, clear_uploads, purge_queued_tasks

ROOT = Path(__file__).resolve().parents[2]
SCANS_EACH = 10
MIN_REQUESTS = 3  # a page finishing fewer in one run is not run at more connections
CSRF = "b" * 32  # a CSRF secret of our choosing: cookie and form field carry the same value

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "seconds": %.2f, "p50": %.1f, "p90": %.1f, "p95": %.1f, ' ..
    '"p99": %.1f, "max": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


# -- gunicorn -------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_env() -> dict:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "") + "@" if s["USER"] else ""
    return {**os.environ, "DATABASE_URL": f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
            "DJANGO_DEBUG": "0", "DJANGO_SECURE": "0", "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "PORTAL_DATA_DIR": str(settings.DATA_DIR), "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            # The figures kept in the cache are per database: a size never reads another's.
            "PORTAL_CACHE_PREFIX": f"scale-bench-{s['NAME']}",
            # wrk asks from one address thousands of times: the certificate check's limit (30 per 10
            # minutes) would answer its refusal instead of the page measured.
            "PORTAL_RATE_LIMITS": "verify_ip=100000000/600"}


class Served:
    """The gunicorn (and worker) this run started, stopped by their own pids at the end.

    Both pools run ``portal/scripts/start-web.sh`` as docker-compose does (``web`` and, with
    ``upload_pool``, ``web-uploads``: its own gunicorn, one process, the one nginx sends
    ``/apply/<code>/upload/`` to), with their JSON access log, into ``serve-gunicorn.log``."""

    def __init__(self, with_worker: bool, upload_pool: bool = False, upload_nice: int = 0):
        self.log = open(Path(settings.DATA_DIR) / "serve-gunicorn.log", "ab")  # noqa: SIM115 - closed in stop()
        self.metrics = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
        self.gunicorn, self.url = self._web(WEB_POOL)
        self.uploads, self.upload_url = None, self.url
        if upload_pool:
            self.uploads, self.upload_url = self._web({**UPLOAD_POOL, "PORTAL_WEB_NICE": str(upload_nice)})
        self.worker = None
        env = served_env()
        bin_dir = Path(sys.executable).parent
        if with_worker:
            self.worker = subprocess.Popen(
                [str(bin_dir / "celery"), "-A", "portal", "worker", "--pool", "prefork", "--concurrency", "2",
                 "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        wait_ready(self.url)
        wait_ready(self.upload_url)

    def _web(self, extra: dict) -> tuple[subprocess.Popen, str]:
        port = _free_port()
        env = {**served_env(), **extra, "PORTAL_BIND": f"127.0.0.1:{port}",
               "PROMETHEUS_MULTIPROC_DIR": str(self.metrics / str(port))}
        process = subprocess.Popen(["sh", "portal/scripts/start-web.sh"], cwd=ROOT, env=env,
                                   stdout=self.log, stderr=self.log)
        return process, f"http://127.0.0.1:{port}"

    @property
    def pid(self) -> int:
        return self.gunicorn.pid

    @property
    def upload_pid(self) -> int:
        return (self.uploads or self.gunicorn).pid

    def stop(self) -> None:
        for process in (self.gunicorn, self.uploads, self.worker):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.log.close()
        shutil.rmtree(self.metrics, ignore_errors=True)


# docker-compose.yml's ``web`` and ``web-uploads`` (the environment may try other sizes:
# PORTAL_WEB_WORKERS / _THREADS for the pages, PORTAL_UPLOAD_WORKERS / _THREADS for the uploads).
WEB_POOL = {"PORTAL_WEB_WORKERS": os.environ.get("PORTAL_WEB_WORKERS", "3"),
            "PORTAL_WEB_THREADS": os.environ.get("PORTAL_WEB_THREADS", "1")}

# docker-compose.yml's ``web-uploads``: one process of 4 threads.  ``--upload-nice`` lowers its
# priority further (measured quiet, 10,000: nice 6 kept the unit queue's p95 at 117 ms during the
# rush but starved the uploads, p95 4.7 s; nice 0: 159 ms and 2.2 s, both targets).
UPLOAD_POOL = {"PORTAL_WEB_WORKERS": os.environ.get("PORTAL_UPLOAD_WORKERS", "1"),
               "PORTAL_WEB_THREADS": os.environ.get("PORTAL_UPLOAD_THREADS", "4")}


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer /healthz")


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its children (gunicorn's workers), read from /proc."""
    found = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of gunicorn's master and workers so far."""
    if pid is None:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def settle(pid: int | None, url: str, limit: float = 300) -> None:
    """Wait until gunicorn is idle: requests wrk left queued would weigh on the next run."""
    deadline = time.time() + limit
    if pid is None:
        time.sleep(2)
        wait_ready(url)
        return
    while time.time() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1)
        if cpu_seconds(pid) - before < 0.05:
            return


# -- wrk ------------------------------------------------------------------------------------------

def wrk(url: str, cookie: str, connections: int, duration: float, *, stop: threading.Event | None = None) -> dict:
    """One wrk run; with ``stop``, it runs until the event is set (then SIGINT: wrk reports)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    seconds = 3600 if stop is not None else duration
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "30s",
               "-s", script.name, "-H", f"Cookie: {cookie}", url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if stop is not None:
        stop.wait()
        process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=seconds + 60)
    os.unlink(script.name)
    for line in output.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[8:])
    return {"error": output.strip()[-300:]}


def wait_quiet(args) -> float:
    """With ``--quiet-below MS``: wait (up to ``--quiet-wait`` seconds) until this machine runs the
    calibration (``scale.calibration_ms``) within MS; its last figure.  A shared virtual machine's
    speed wanders by a factor of two to four within an hour (other tenants): a page measured in a
    slow spell says nothing about the code, so each page waits for the machine's quiet speed, and
    the calibrations before and after its runs are recorded with it."""
    found = _calibration()
    deadline = time.time() + args.quiet_wait
    while args.quiet_below and found > args.quiet_below and time.time() < deadline:
        time.sleep(15)
        found = _calibration()
    return found


def _calibration() -> float:
    from tests.bench.scale import calibration_ms  # the main script's, imported when it runs us

    return calibration_ms()


def measure_pages(base: str, pid: int | None, args, pages) -> dict:
    cookies: dict = {}
    results: dict = {}
    for page in pages:
        for attempt in range(1, 4):
            results[page.name] = found = _measure_page(base, pid, args, page, cookies)
            found["attempts"] = attempt
            after = found["calibration_ms"][1]
            # The machine slowed during the runs: measured again once it is quiet (at most thrice).
            if not args.quiet_below or after <= args.quiet_below * 1.25:
                break
    return results


def _measure_page(base: str, pid: int | None, args, page, cookies: dict) -> dict:
    """One page at each of ``args.connections``, with the calibrations before and after."""
    key = getattr(page.user, "pk", None)
    if key not in cookies:
        cookies[key] = f"sessionid={session_cookie(page.user)}" if page.user is not None else "x=1"
    result: dict = {}
    settle(pid, base)
    calibrated = wait_quiet(args)
    wrk(base + page.url, cookies[key], 6, 2)  # warm every worker: imports, templates, connections
    slow = False
    for c in args.connections:
        if slow:
            # More connections would only queue behind it and leave minutes of backlog for the
            # next page: recorded as too slow instead.
            result[str(c)] = {"skipped": f"under {MIN_REQUESTS} requests in {args.duration} s "
                                         f"at {args.connections[0]} connection(s)"}
            continue
        settle(pid, base)
        result[str(c)] = found = wrk(base + page.url, cookies[key], c, args.duration)
        slow = found.get("requests", 0) < MIN_REQUESTS
        print(f"  {page.name:<36} c={c:<3} {json.dumps(found)}", flush=True)
        failed = sum(found.get("errors", {}).values())
        if failed:  # an answer ≥ 400 or a broken connection: what was timed is not (all) the page
            found["not_the_page"] = failed
            print(f"  {page.name:<36} c={c:<3} WARNING: {failed} of {found.get('requests', 0)} requests failed "
                  "(HTTP status ≥ 400, timeouts, broken connections): not the page's figures", flush=True)
    result["calibration_ms"] = [calibrated, _calibration()]
    print(f"  {page.name:<36} calibration {result['calibration_ms']} ms", flush=True)
    return result


# -- the upload rush ------------------------------------------------------------------------------

def _multipart(section: str, slot: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("csrfmiddlewaretoken", CSRF), ("slot", slot), ("section", section)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def rush(base: str, applications: list) -> dict:
    """Each rush applicant posts ``SCANS_EACH`` scans one after another, all applicants at once."""
    host = urlsplit(base)
    bodies = [_multipart(section, slot, a4_scan()) for section, slot in RUSH_SLOTS]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def applicant(application) -> None:
        cookie = f"sessionid={session_cookie(application.applicant)}; csrftoken={CSRF}"
        path = reverse("applications:upload", args=[application.code])
        for k in range(SCANS_EACH):
            body, content_type = bodies[k % len(bodies)]
            began = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
                conn.request("POST", path, body=body, headers={
                    "Cookie": cookie, "Content-Type": content_type, "X-Requested-With": "XMLHttpRequest",
                    "Accept": "application/json"})
                response = conn.getresponse()
                text = response.read()
                conn.close()
                ok = response.status == 200 and json.loads(text).get("ok")
            except (OSError, ValueError) as exc:
                ok, text = False, repr(exc).encode()
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                if not ok:
                    failures.append(text[:200].decode("utf-8", "replace"))

    threads = [threading.Thread(target=applicant, args=(a,)) for a in applications]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 1)

    return {"applicants": len(applications), "uploads": len(latencies), "failed": len(failures),
            "failures": failures[:3], "seconds": round(seconds, 1), "p50_ms": pct(0.5), "p95_ms": pct(0.95),
            "max_ms": round(ordered[-1], 1), "bytes_each": len(a4_scan())}


def upload_rush(base: str, pid: int | None, args, queue_url: str, queue_cookie: str,
                uploads: tuple[str, int | None] | None = None) -> dict:
    """``uploads``: (url, pid) of the pool the uploads go to when it is not ``base``'s."""
    upload_base, upload_pid = uploads or (base, pid)
    who = subjects().rush[:RUSH_APPLICANTS]
    clear_uploads(who)
    settle(pid, base)
    settle(upload_pid, upload_base)
    before = cpu_seconds(upload_pid)
    alone = rush(upload_base, who)
    after = cpu_seconds(upload_pid)
    if before is not None:
        alone["web_cpu_s"] = round(after - before, 1)
        alone["web_cpu_ms_per_upload"] = round(1000 * (after - before) / max(1, alone["uploads"] - alone["failed"]), 1)
    print(f"  rush alone: {json.dumps(alone, ensure_ascii=False)}", flush=True)
    clear_uploads(who)
    settle(pid, base)
    settle(upload_pid, upload_base)
    c = args.rush_page_connections
    quiet = wrk(base + queue_url, queue_cookie, c, min(20.0, max(5.0, alone["seconds"])))
    print(f"  unit queue alone, c={c}: {json.dumps(quiet)}", flush=True)
    settle(pid, base)
    stop = threading.Event()
    loaded: dict = {}
    runner = threading.Thread(target=lambda: loaded.update(wrk(base + queue_url, queue_cookie, c, 0, stop=stop)))
    runner.start()
    time.sleep(1)
    during = rush(upload_base, who)
    stop.set()
    runner.join()
    print(f"  rush with the unit queue loaded: {json.dumps(during, ensure_ascii=False)}", flush=True)
    print(f"  unit queue during the rush, c={c}: {json.dumps(loaded)}", flush=True)
    clear_uploads(who)
    return {"alone": alone, "with_queue": during, "queue_connections": c, "queue_alone": quiet,
            "queue_during_rush": loaded}


# -- entry ----------------------------------------------------------------------------------------

def run(args, n: int) -> dict:
    from tests.bench.scale import Runner, selected  # the page filter and signed-in clients of the main script

    served = Served(args.with_worker, args.upload_pool, args.upload_nice) if args.serve == "spawn" else None
    base = served.url if served else args.serve.rstrip("/")
    pid = served.pid if served else args.gunicorn_pid
    if served:
        uploads = (served.upload_url, served.upload_pid)
    else:
        uploads = ((args.upload_url or base).rstrip("/"), args.upload_pid or pid)
    try:
        pages, _skipped = catalogue()
        pages = [p for p in selected(pages, args.pages) if p.serve and p.call is None]
        follow_links(pages, Runner().client)
        pool = "{PORTAL_WEB_WORKERS} workers × {PORTAL_WEB_THREADS} threads".format(**WEB_POOL)
        report = {"url": base, "gunicorn": pool if served else "as started",
                  "upload_pool": ("{PORTAL_WEB_WORKERS} workers × {PORTAL_WEB_THREADS} threads, nice ".format(**UPLOAD_POOL)
                                  + str(args.upload_nice) if served and served.uploads
                                  else "separate" if uploads[0] != base else "none"),
                  "with_worker": bool(served and served.worker), "duration_s": args.duration,
                  "connections": args.connections}
        if not args.rush_only:
            report["pages"] = measure_pages(base, pid, args, pages)
        if not args.no_rush:
            queue = next(p for p in catalogue()[0] if p.name == "unit:queue")
            report["rush"] = upload_rush(base, pid, args, queue.url, f"sessionid={session_cookie(queue.user)}",
                                         uploads)
            if not report["with_worker"]:
                report["rush"]["ocr_tasks_purged"] = purge_queued_tasks()
        return report
    finally:
        if served:
            served.stop()


__all__ = ["run", "served_env", "wrk"]
