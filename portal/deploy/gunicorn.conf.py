"""gunicorn settings for a web node (``portal/scripts/start-web.sh``), from the environment.

Threads, not more processes: requests wait on PostgreSQL, Redis and S3 more than they compute, and
nginx buffers slow clients' uploads and downloads, so a thread is busy only while Django works.
The access log is one JSON line a request (``portal.logs``), with nginx's request id; the master
process serves the Prometheus metrics its workers write (``portal.metrics``).
"""

import os

bind = os.environ.get("PORTAL_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("PORTAL_WEB_WORKERS", "3"))
threads = int(os.environ.get("PORTAL_WEB_THREADS", "4"))
timeout = int(os.environ.get("PORTAL_WEB_TIMEOUT", "120"))
graceful_timeout = 30  # a deploy's SIGTERM lets requests in progress finish
keepalive = 5
max_requests = int(os.environ.get("PORTAL_WEB_MAX_REQUESTS", "2000"))  # recycles a worker that grew
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


def when_ready(server):
    from portal import metrics  # local: the master imports it only to serve

    metrics.serve()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
