"""One settings module for every environment; the environment decides.

Embedded defaults need no services: SQLite (WAL) in ``var/``, private files on disk,
Celery over kombu's filesystem transport.  Set ``DATABASE_URL`` for PostgreSQL,
``REDIS_URL`` for Redis (broker, results and cache), ``AWS_STORAGE_BUCKET_NAME`` (+ endpoint
and keys) for S3-compatible storage.  Production switches: ``DJANGO_DEBUG=0``,
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DJANGO_SECURE=1`` (HTTPS-only cookies, HSTS).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_limits(name: str) -> dict[str, tuple[int, int]]:
    """``name=attempts/seconds`` pairs, comma-separated: ``PORTAL_RATE_LIMITS=verify_ip=60/600``."""
    limits = {}
    for item in filter(None, (part.strip() for part in env(name).split(","))):
        try:
            key, value = item.split("=", 1)
            attempts, seconds = (int(number) for number in value.split("/", 1))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not name=attempts/seconds") from None
        limits[key.strip()] = (attempts, seconds)
    return limits


DATA_DIR = Path(env("PORTAL_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)
# The fallback key only ever serves a developer's machine: DEBUG off without a key is refused.
SECRET_KEY = env("DJANGO_SECRET_KEY") or (
    "dev-only-insecure-key-9f1c2b7e" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
ALLOWED_HOSTS = [h for h in env("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
CSRF_TRUSTED_ORIGINS = [o for o in env("DJANGO_CSRF_TRUSTED_ORIGINS").split(",") if o]

# Public address used in QR codes and e-mails (verification links must work off-site).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "portal.admin_site.PortalAdminConfig",  # django.contrib.admin under the portal's names (portal.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "csp",
    # Layers, lowest first (README "Layering"; enforced by .importlinter): portal infrastructure,
    # applications, review, and the two apps built on review (aftercare may use documents).
    "portal.dispatch",
    "portal.accounts",
    "portal.audit",
    "applications",
    "review",
    "review.documents",
    "review.aftercare",
    "review.meeting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.errors.RequestLimitsMiddleware",  # oversized form bodies: a Chinese 400, before CSRF reads them
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (django-csp).
    "csp.middleware.CSPMiddleware",
    # The one handler of refusals (portal.errors.Refused): a Chinese page or JSON, right status.
    "portal.errors.RefusalMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
            # {% jinja "…" %}: the rows of the longest tables, drawn by Jinja2 (portal.jinja).
            "builtins": ["portal.jinja"],
        },
    },
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "portal.jinja.environment"},
    },
]

# Form fields (widgets, labels, errors) are rendered from Django's own Jinja2 templates: the same
# markup, a fraction of the template engine's cost (issue 16: the review detail page 51 -> 37 ms).
FORM_RENDERER = "portal.forms_renderer.FormRenderer"

# --- Database -------------------------------------------------------------------------------
if env("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True)}
    _pg_settings: list[str] = []  # PostgreSQL settings of every connection (``-c name=value``)
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env("PORTAL_PG_JIT", "0") != "1":
        # PostgreSQL's JIT compiles a query whose estimated cost is high; for the portal's page
        # queries (aggregates over a campaign, tens of milliseconds) the compilation costs more than
        # it saves: 50 of the fee page's 80 ms at 10,000 applications went to JIT (issue 16).
        _pg_settings.append("jit=off")
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env("PORTAL_PG_PARALLEL", "0") != "1":
        # No parallel workers for one query: the web's requests already share the cores, and a
        # parallel plan builds its hash tables once per worker (a search's count at 100,000
        # applications hashed the 100,000 applicants three times: 71 ms, issue 16).
        _pg_settings.append("max_parallel_workers_per_gather=0")
    if _pg_settings:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = " ".join([options.get("options", ""), *(f"-c {name}" for name in _pg_settings)]).strip()
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("PORTAL_PG_PREPARE", True):
        # Server-side parameters, and psycopg prepares a statement the fifth time a connection
        # runs it (connections live CONN_MAX_AGE seconds); once PostgreSQL settles on a generic
        # plan for it (after five more runs, where that plan costs no more) it stops planning the
        # list pages' queries anew on every request, which cost as much as running them (a
        # 50-row page's row query: 7–9 ms of planning for 2–3 ms of execution; SQL time of the
        # committee's results page 41 -> 23-28 ms at 10,000 applications, issue 16).
        # PORTAL_PG_PREPARE=0 behind a pooler in transaction mode (pgbouncer < 1.21), which
        # cannot keep a connection's prepared statements.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["server_side_binding"] = True
        options["prepare_threshold"] = 5
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(DATA_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets the web process read while the worker writes; IMMEDIATE takes the write
                # lock at BEGIN so concurrent writers queue instead of failing mid-transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": env("SQLITE_TEST_PATH", str(DATA_DIR / "test-db.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"  # each role's own work: 我的申报 or the officer's 工作台
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request while it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded scans are private: no route serves MEDIA_ROOT.  Files are read back only through views
# that check the user's scope, via the storage API (so S3 works the same).  MEDIA_URL points at a
# reserved, unresolvable host so that nothing (not even the test live server) ever serves them.
MEDIA_ROOT = DATA_DIR / "private"
MEDIA_URL = "https://no-public-media.invalid/"

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "location": env("AWS_LOCATION", "portal"),
        },
    }
else:
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Form bodies without their files (uploads are bounded by PORTAL_UPLOAD_MAX_BYTES): the largest
# honest one, a section of 60 rows in Chinese, is well under 4 MB.  Beyond the limits
# portal.errors.RequestLimitsMiddleware answers a Chinese 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Redis, cache, Celery -------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # Short timeouts: a Redis that is down answers "稍后再试" (rate limits) within a second.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    # File cache is shared between processes (web + worker), which the rate limiter needs.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
# PORTAL_CACHE_PREFIX: deployments (or the benchmark's databases) sharing one cache keep apart.
CACHES["default"]["KEY_PREFIX"] = env("PORTAL_CACHE_PREFIX", "")

# Issue 14, "faults lose nothing": every task goes through the outbox (portal.dispatch), published
# with a short timeout and no retries in the request; the worker acknowledges a message only when
# its task has finished (a dead worker's task is redelivered); time limits bound every task and
# the visibility timeout is sized to the longest (a message unacknowledged that long is delivered
# again); results are not kept (the outbox row says what happened).
CELERY_TASK_SOFT_TIME_LIMIT = int(env("PORTAL_TASK_SOFT_TIME_LIMIT", "540"))  # raises inside the task
CELERY_TASK_TIME_LIMIT = int(env("PORTAL_TASK_TIME_LIMIT", "600"))  # the child is killed
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Publishing (web and worker): one connection attempt, then the outbox keeps the task.
        "socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 1, "interval_start": 0,
        "interval_step": 0.2, "interval_max": 0.2,
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + 300,
    }
else:
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # else kombu writes ./control in the cwd
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-render leaves the task queued for the next one
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# The outbox (portal.dispatch): the beat job's period, how long a published task may wait in the
# queue before it is published again (doubled each time, at most an hour), how often at most.
PORTAL_OUTBOX_SWEEP_SECONDS = float(env("PORTAL_OUTBOX_SWEEP_SECONDS", "30"))
PORTAL_OUTBOX_QUEUED_SECONDS = float(env("PORTAL_OUTBOX_QUEUED_SECONDS", "600"))
PORTAL_OUTBOX_QUEUED_MAX = float(env("PORTAL_OUTBOX_QUEUED_MAX", "3600"))
PORTAL_OUTBOX_PUBLISH_GRACE = float(env("PORTAL_OUTBOX_PUBLISH_GRACE", "60"))
PORTAL_OUTBOX_MAX_PUBLICATIONS = int(env("PORTAL_OUTBOX_MAX_PUBLICATIONS", "8"))
PORTAL_OUTBOX_KEEP_DAYS = int(env("PORTAL_OUTBOX_KEEP_DAYS", "30"))  # done rows are deleted after this
# A task started but not finished after its time limit plus this is published again (its worker died).
PORTAL_OUTBOX_RUNNING_GRACE = float(env("PORTAL_OUTBOX_RUNNING_GRACE", "60"))
# /readyz: a worker must have written its heartbeat (every 10 s) within this many seconds.
PORTAL_WORKER_HEARTBEAT_MAX = float(env("PORTAL_WORKER_HEARTBEAT_MAX", "90"))
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "portal")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}  # filled by the review app (see review/apps.py)
# Queues the deployment may give their own workers (portal.dispatch); a worker started without
# -Q consumes every queue listed here, so one worker still does everything.
CELERY_TASK_QUEUES = [Queue(name) for name in (CELERY_TASK_DEFAULT_QUEUE, "interactive", "bulk", "ocr", "mail")]
# By kind of work (README "Workers and queues", issue 16): a small export never waits behind a PDF
# of a whole scope, a document never behind OCR, a request never behind SMTP.
CELERY_TASK_ROUTES = {
    # Exports and single documents someone waits for on a page.  Renders started in batches ask for
    # "bulk" at the call site: roster and fee-list PDFs (documents.services.export_queue), the
    # review forms every acceptance renders, certificates issued together.
    "documents.*": {"queue": "interactive"},
    "applications.ocr_*": {"queue": "ocr"},
    "applications.process_upload": {"queue": "ocr"},  # re-encoding, thumbnails, PDF pages
    "review.send_mail": {"queue": "mail"},
    "accounts.send_mail": {"queue": "mail"},
    # beat's periodic jobs (review.expire_returns …) stay on the default queue (worker-interactive).
}

# --- Mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # for the file-based backend
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))  # a mail server that hangs fails the try (then retried)
# Mail tasks (queue "mail") are retried on any error with growing pauses: 30 s, 1 min, 2 min … at
# most an hour apart, 8 times (about two hours); then the outbox row is a dead letter (admin:
# 后台任务, action 「重新发送」).
PORTAL_MAIL_RETRY_BACKOFF = int(env("PORTAL_MAIL_RETRY_BACKOFF", "30"))
PORTAL_MAIL_MAX_RETRIES = int(env("PORTAL_MAIL_MAX_RETRIES", "8"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "巴州职称申报评审平台 <noreply@zhicheng.bz.local>")

# --- Security -------------------------------------------------------------------------------
SECURE = env_bool("DJANGO_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("DJANGO_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_SAVE_EVERY_REQUEST = False
X_FRAME_OPTIONS = "DENY"  # a page that must be framed opts in with @xframe_options_sameorigin

# --- Production: behind nginx, on several machines (portal/deploy/, docker-compose.yml) --------
# Health probes answer first (before the host check and the SSL redirect); the client address comes
# from X-Forwarded-For behind PORTAL_TRUSTED_PROXY_COUNT proxies (portal.accounts.client_ip, first
# of all below); stored files are sent by nginx
# (X-Accel-Redirect) when PORTAL_X_ACCEL=1; request latency by view for Prometheus.
MIDDLEWARE = [
    "portal.health.HealthCheckMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.logs.RequestIdMiddleware",
    *MIDDLEWARE,
    "portal.proxy.AccelRedirectMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
PORTAL_X_ACCEL = env_bool("PORTAL_X_ACCEL", False)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # worker and beat log through LOGGING below (portal.logs)

# Content-Security-Policy (django-csp 4): scripts, styles, images and fonts from this site only; no
# inline script, no inline style attribute, no plugin, no framing, forms post only here.  Pico's
# icons are data: SVGs in its stylesheet, hence data: for images.  The one inline <style> is the
# self-contained 500 page's (it must render when nothing else can); it is allowed by its hash,
# computed here from the template so that editing the page cannot silently break it.
def _inline_style_hashes(template: Path) -> list[str]:
    import base64  # only here: settings read the template once, at start-up
    import hashlib
    import re

    blocks = re.findall(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *_inline_style_hashes(BASE_DIR / "templates" / "500.html")],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "portal.logs.ContextFilter"}},
    "formatters": {"json": {"()": "portal.logs.JsonFormatter"}, "plain": {"()": "portal.logs.PlainFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                             "formatter": env("LOG_FORMAT", "plain" if DEBUG else "json")}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every layout step and fontTools every subsetting step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Portal knobs ---------------------------------------------------------------------------
# seed_demo: each layer adds what it owns, lowest first (the composition root names them).
PORTAL_DEMO_BUILDERS = ["applications.demo", "review.demo", "review.aftercare.demo", "review.meeting.demo"]
PORTAL_NAME = _("巴州职称申报评审平台")
PORTAL_UPLOAD_MAX_BYTES = int(env("PORTAL_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
PORTAL_TESSERACT_CMD = env("PORTAL_TESSERACT_CMD", "tesseract")

# --- Accounts: throttling, second factor, client address, password reset (issue 13) ---------
# The client address behind this many trusted proxies (nginx in front of gunicorn: 1); see
# portal/accounts/client_ip.py.  0 ignores X-Forwarded-For, which a client can write freely.
PORTAL_TRUSTED_PROXY_COUNT = int(env("PORTAL_TRUSTED_PROXY_COUNT", "0"))
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static", "axes"]
# The client address first of all, but after the health probes, metrics and the request id.
MIDDLEWARE.insert(MIDDLEWARE.index("portal.logs.RequestIdMiddleware") + 1, "portal.accounts.client_ip.ClientAddressMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "django_otp.middleware.OTPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
                  "portal.accounts.middleware.SecondFactorMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Logins: an account is locked after AXES_FAILURE_LIMIT wrong passwords until the cool-off ends or
# an administrator releases it (admin "登录失败记录", or the user list's action "解除登录锁定").
# Failures per address are counted separately (PORTAL_RATE_LIMITS "login_ip") with a higher
# limit, so that an office behind one address is not locked out by one person's typing.
AXES_FAILURE_LIMIT = int(env("PORTAL_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(env("PORTAL_LOGIN_LOCK_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for "ip_address" above; addresses are limited by "login_ip" instead (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.accounts.client_ip.client_ip_or_none"
AXES_LOCKOUT_CALLABLE = "portal.accounts.lockout.lockout_response"
AXES_VERBOSE = False
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # every login at INFO; lock-outs are warnings
# Any rate limit (portal.accounts.ratelimit: login_ip, register_ip, lookup_ip, verify_ip, …), overridden
# by the operator as name=attempts/seconds pairs.
PORTAL_RATE_LIMITS = env_limits("PORTAL_RATE_LIMITS")
# Staff second factor (TOTP, with static backup codes): portal/accounts/otp.py.
OTP_TOTP_ISSUER = "巴州职称平台"
# An applicant's one-time reset link (issued by their unit officer or an administrator) is
# valid this long; it stops working as soon as the password is changed with it.
PASSWORD_RESET_TIMEOUT = int(env("PORTAL_PASSWORD_RESET_HOURS", "24")) * 3600
