"""The client's real address, behind a configured number of trusted proxies.

gunicorn does not rewrite ``REMOTE_ADDR`` from ``X-Forwarded-For``: behind nginx every request
seems to come from nginx, so a per-address limit would lock everyone out at once.  Each proxy
appends the address it received the request from to ``X-Forwarded-For``; with
``PORTAL_TRUSTED_PROXY_COUNT = n`` the client is the n-th entry from the right.  Entries further
left were written by the client itself and are never trusted.  With 0 (the default: nothing in
front) the header is ignored.  A request that carries fewer entries than there are proxies did not
come through all of them (or the setting is wrong): the peer address is kept.

``ClientAddressMiddleware`` (first in ``MIDDLEWARE``) computes the address once, keeps the peer
in ``request.META["PORTAL_PEER_ADDR"]`` and writes the client into ``REMOTE_ADDR``.  ``request.META``
is the WSGI environ itself, so gunicorn's access log (``%(h)s``) records the client too, and every
rate limit (django-axes included, through ``AXES_CLIENT_IP_CALLABLE``) reads ``client_ip``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

PEER_KEY = "PORTAL_PEER_ADDR"


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def address_from(meta: dict, trusted_proxies: int) -> str | None:
    """The client address for a request's ``META`` (pure: the tests call it directly); ``None``
    when there is none (a request built in a test or a management command)."""
    peer = meta.get(PEER_KEY) or meta.get("REMOTE_ADDR") or ""
    if trusted_proxies <= 0:
        return _valid(peer)
    hops = [h for h in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    if len(hops) < trusted_proxies:
        return _valid(peer)
    return _valid(hops[-trusted_proxies]) or _valid(peer)


def client_ip_or_none(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: axes stores the address in an IP field, which takes ``None``."""
    cached = getattr(request, "client_ip", None)
    if cached:
        return cached
    return address_from(request.META, getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0))


def client_ip(request) -> str:
    """The address every rate limit keys on (computed once per request)."""
    return client_ip_or_none(request) or "unknown"


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = address_from(request.META, getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0))
        request.META.setdefault(PEER_KEY, request.META.get("REMOTE_ADDR", ""))
        if address:
            request.META["REMOTE_ADDR"] = address
            request.client_ip = address
        return self.get_response(request)
