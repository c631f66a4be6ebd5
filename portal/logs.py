"""Structured logs for web, worker and beat: one JSON object a line (``LOG_FORMAT=json``, the
production default) or one readable line (``plain``, the developer default), both carrying
time, level, logger, request id and user id.

What is never logged here: names, ID numbers, phone numbers, client addresses, query strings.
Only the numeric user id is added; a message that needs to say who did something says it with ids.

The request id comes from nginx (``X-Request-ID``, its ``$request_id``) or is made here; it is
sent back in the response, follows the work into Celery tasks started by the request (a message
header), and appears in gunicorn's access log, so one id finds a request in every log.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

_request = contextvars.ContextVar("portal_request", default=None)
_request_id = contextvars.ContextVar("portal_request_id", default="")
_task = contextvars.ContextVar("portal_task", default=("", ""))  # (task name, task id)

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
TASK_HEADER = "portal_request_id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


def _user_id(request) -> int | None:
    """The signed-in user's id, only if the request already loaded the user: logging must never
    cost a query (``AuthenticationMiddleware`` caches the user in ``_cached_user``)."""
    user = getattr(request, "_cached_user", None) if request is not None else None
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id``, ``task`` and ``task_id`` to every record.  Django's own
    request records (``django.request``: 404s, errors) are written after the middleware returned,
    so they are read from the request the record carries."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not hasattr(request, "META"):
            request = _request.get()
        record.request_id = getattr(record, "request_id", None) or getattr(request, "request_id", "") or _request_id.get()
        record.user_id = getattr(record, "user_id", None) or _user_id(request)
        record.task, record.task_id = _task.get()
        return True


def _access_fields(record: logging.LogRecord) -> dict:
    """gunicorn's access log record carries its atoms as ``args``: keep the request line without
    the query string (it may carry search terms), status, size, duration and request id."""
    atoms = record.args if isinstance(record.args, dict) else {}
    return {
        "method": atoms.get("m"), "path": atoms.get("U"), "status": _int(atoms.get("s")),
        "bytes": _int(atoms.get("B")), "duration_ms": round(_int(atoms.get("D")) / 1000, 1),
        "request_id": atoms.get("{x-request-id}i") if atoms.get("{x-request-id}i") not in (None, "-") else None,
    }


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access":
            fields = _access_fields(record)
            line["message"] = f"{fields['method']} {fields['path']} {fields['status']}"
            line.update(fields)
        else:
            line["message"] = record.getMessage()
            for key in ("request_id", "user_id", "task", "task_id"):
                value = getattr(record, key, None)
                if value:
                    line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """For a developer's terminal: ``time LEVEL logger [request user] message``."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [getattr(record, "request_id", "") or getattr(record, "task_id", "") or "-"]
        if getattr(record, "user_id", None):
            parts.append(f"user={record.user_id}")
        record.context = " ".join(parts)
        return super().format(record)


class RequestIdMiddleware:
    """Binds the request (for the user id) and its id to the log context; answers with the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get(REQUEST_ID_HEADER, "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        tokens = (_request.set(request), _request_id.set(request_id))
        try:
            response = self.get_response(request)
        finally:
            _request.reset(tokens[0])
            _request_id.reset(tokens[1])
        response["X-Request-ID"] = request_id
        return response


# -- Celery: the same configuration, and the request id carried into tasks -----------------------

def connect_celery() -> None:
    """Called by ``portal.celery``: worker and beat log through Django's ``LOGGING`` (not Celery's
    own format), task lines carry the task and the id of the request that queued it."""
    from celery import signals  # local: the web process never needs Celery's signal machinery

    signals.setup_logging.connect(_configure_from_django, weak=False)
    signals.before_task_publish.connect(_stamp_request_id, weak=False)
    signals.task_prerun.connect(_enter_task, weak=False)
    signals.task_postrun.connect(_leave_task, weak=False)


def _configure_from_django(**kwargs) -> None:
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def _stamp_request_id(headers=None, **kwargs) -> None:
    if headers is not None and _request_id.get():
        headers[TASK_HEADER] = _request_id.get()


def _enter_task(task_id=None, task=None, **kwargs) -> None:
    _task.set((getattr(task, "name", "") or "", task_id or ""))
    _request_id.set(getattr(getattr(task, "request", None), TASK_HEADER, None) or "")


def _leave_task(**kwargs) -> None:
    _task.set(("", ""))
    _request_id.set("")
