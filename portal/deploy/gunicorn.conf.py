"""gunicorn settings for a web node (``portal/scripts/start-web.sh``), from the environment.

Processes of one thread each (gunicorn's sync worker), one more than the cores by default: a
page's work is mostly Python (templates, the ORM), which threads of one process take in turns
under the GIL, and each turn handed over adds its wait to every request in the process.  Measured
on two cores at 10,000 applications, 10 connections (issue 16): 3 processes × 4 threads gave p95/p50
ratios of 1.5–2.5, single-thread processes 1.2 at the same throughput (unit queue p95 303 -> 219
ms).  Three processes serve the pages as fast as four, and leave the upload pool its share of the
cores during a deadline rush (uploads' p95 with the queue loaded: 2.7 s with three, 3.3 s with
four; the target is 3 s).

nginx buffers slow clients' uploads and downloads and serves files (X-Accel-Redirect), so a
process is busy only while Django works; uploads have their own pool (``web-uploads``), whose
requests do wait on storage, with threads.

Python's cyclic garbage collector, tuned as for any pre-forking server (``gc.freeze``'s own
advice): what the master loaded before forking (the application: Django, the URL conf, the models)
and, once a worker has served ``GC_FREEZE_AFTER`` requests, what the worker built to serve them
(compiled templates, cached campaigns) are frozen, never scanned again; and the youngest generation
is collected every ``GC_THRESHOLD[0]`` allocations instead of 700.  Measured in one process at
10,000 applications (100 requests each of a review page, 受理后管理's last page and the results
page): time in the collector 0.9–1.5 ms a request, with a full collection every 100–300 requests
stopping the worker for 80–100 ms (a request's wall time 26 ms at its median, 100–119 at its
maximum), against 0.5–0.7 ms a request and no such stop (maximum 38–43 ms).  Objects frozen are
never freed, garbage left behind by those first requests included (collected just before
freezing); a worker is replaced every ``max_requests`` anyway.

The access log is one JSON line a request (``portal.logs``), with nginx's request id; the master
process serves the Prometheus metrics its workers write (``portal.metrics``).
"""

import gc
import os

bind = os.environ.get("PORTAL_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("PORTAL_WEB_WORKERS", str((os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("PORTAL_WEB_THREADS", "1"))
timeout = int(os.environ.get("PORTAL_WEB_TIMEOUT", "120"))
graceful_timeout = 30  # a deploy's SIGTERM lets requests in progress finish
keepalive = 5
max_requests = int(os.environ.get("PORTAL_WEB_MAX_REQUESTS", "2000"))  # recycles a worker that grew
# The application is loaded once, in the master, and the workers are forked from it (its objects
# frozen by portal/wsgi.py, shared copy-on-write): a recycled worker starts in milliseconds instead
# of a second and a half of CPU taken from the requests of the others, and warm (portal.warmup:
# views imported, templates compiled), so that its first requests cost what the others do.
# Nothing is connected at import (database, Redis and S3 clients open on a worker's first request).  A new version is
# deployed by restarting the node (README "Deploy a new version"), never by HUP.
preload_app = os.environ.get("PORTAL_WEB_PRELOAD", "1") == "1"
max_requests_jitter = max_requests // 10
worker_tmp_dir = os.environ.get("PORTAL_WEB_TMP_DIR") or ("/dev/shm" if os.path.isdir("/dev/shm") else None)
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)s %({x-request-id}i)s'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logs.JsonFormatter"}},
    "handlers": {
        "access": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
    },
    "root": {"handlers": ["error"], "level": "INFO"},  # replaced by Django's LOGGING once the app loads
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
    },
}


GC_FREEZE_AFTER = 200
GC_THRESHOLD = (7000, 10, 10)


def pre_fork(server, worker):
    gc.freeze()  # the loaded application, shared with every worker and never scanned in them


def post_fork(server, worker):
    gc.set_threshold(*GC_THRESHOLD)


def post_request(worker, req, environ, resp):
    """Runs once the response is written (``worker.nr``: the requests the worker has taken)."""
    if worker.nr >= GC_FREEZE_AFTER and not getattr(worker, "portal_frozen", False):
        worker.portal_frozen = True
        gc.collect()
        gc.freeze()


def when_ready(server):
    from portal import metrics  # local: the master imports it only to serve

    metrics.serve()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
