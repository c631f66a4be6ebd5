"""One exception for every refusal the user can meet, handled in one place.

A service that will not do what it is asked raises ``Refused`` (or one of its subclasses) with a
message in Chinese that says why and, where it can, what to do; nothing has been written then.
Every refusal of the portal derives from it: ``TransitionRefused`` (the one door),
``ApplicationRefused``, ``UploadRefused``, ``MaskingRefused``, ``RecordRefused``,
``DocumentRefused``.

``RefusalMiddleware`` turns a refusal that a view lets through into the answer the user needs,
with the refusal's HTTP status: JSON ``{"ok": false, "message", "code"}`` for a request made by
the page's own script (fetch / XHR), a Chinese page with the way back otherwise.  A view catches
``Refused`` itself only where it can do better than that page: show the form again with what was
typed, or go back to the page the user came from with the message on top.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger("portal.errors")


class Refused(Exception):
    """A refusal with a user-facing message; ``status`` is the HTTP status it answers with."""

    status = 400
    code = "refused"

    def __init__(self, message, *, status: int | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class Forbidden(Refused):
    """The user may not do this (role, scope)."""

    status = 403


class NotFound(Refused):
    """What was asked for does not exist or is not the user's to see (the two look alike)."""

    status = 404


class Conflict(Refused):
    """The thing is not in a state that allows this now (someone else acted, a window closed)."""

    status = 409


def answers_json(view):
    """Mark a view that only ever answers JSON (an autosave endpoint): its refusals are JSON too,
    whatever the request's headers."""
    view.answers_json = True
    return view


def wants_json(request: HttpRequest) -> bool:
    """A request made by the page's own script rather than by the browser navigating, or to a
    view that only answers JSON."""
    match = getattr(request, "resolver_match", None)
    if match is not None and getattr(match.func, "answers_json", False):
        return True
    return (request.headers.get("x-requested-with") == "XMLHttpRequest"
            or "application/json" in request.headers.get("accept", ""))


def _way_back(request: HttpRequest) -> str:
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return ""


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the request asks to go back to (POST, then GET) when it stays on this site
    (``url_has_allowed_host_and_scheme``: host, scheme, ``//host``, ``https:host``, control
    characters); ``default`` otherwise.  Every redirect to a ``next`` goes through here."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def small_int(value: str) -> int | None:
    """A posted row id: ASCII digits only and within a database integer, else ``None`` (``"²"``,
    ``"١٢"`` or 5,000 digits would make ``int()`` or the database fail with a 500)."""
    value = (value or "").strip()
    if value.isascii() and value.isdecimal() and len(value) <= 9:
        return int(value)
    return None


def posted_ids(request: HttpRequest, name: str = "ids") -> list[int]:
    """The ids of ticked checkboxes; anything that is not one is left out."""
    return [i for i in map(small_int, request.POST.getlist(name)) if i is not None]


def refusal_response(request: HttpRequest, refusal: Refused) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"ok": False, "message": refusal.message, "code": refusal.code}, status=refusal.status)
    return render(request, "refused.html", {"message": refusal.message, "back": _way_back(request)},
                  status=refusal.status)


class RefusalMiddleware:
    """The one handler of ``Refused`` (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Refused):
            return refusal_response(request, exception)
        return None


class RequestLimitsMiddleware:
    """Form bodies beyond Django's limits (``DATA_UPLOAD_MAX_MEMORY_SIZE``,
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS``, ``DATA_UPLOAD_MAX_NUMBER_FILES``) are refused here with a
    Chinese 400 (JSON to the page's script), before the CSRF check or a view reads them: Django
    alone would answer its bare 400 page.  NUL characters are dropped from the query and the form.
    Place it before ``CsrfViewMiddleware``."""

    LIMITS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            request.GET = _without_nul(request.GET)
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        try:
            posted = request.POST  # parse the body now, under the limits
        except self.LIMITS as exc:
            request._mark_post_parse_error()
            logger.warning("request body refused: %s", exc, extra={"status_code": 400})
            return refusal_response(request, Refused(
                _("提交的内容过多或过大，未保存。请删减后重试；上传文件请逐个上传。"), code="request_too_large"))
        if any("\x00" in name or any("\x00" in value for value in values) for name, values in posted.lists()):
            request._post = _without_nul(posted)
        return None


def _without_nul(data: QueryDict) -> QueryDict:
    """NUL never belongs in text, and PostgreSQL refuses it in text and jsonb (a 500 at the save or
    the query): it is dropped from every name and value, as a browser drops what it cannot show."""
    cleaned = QueryDict(mutable=True)
    for name, values in data.lists():
        cleaned.setlist(name.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned
