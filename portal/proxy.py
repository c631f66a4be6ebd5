"""Behind nginx (``portal/deploy/nginx/``): the client's address, and file downloads that nginx
sends instead of a gunicorn thread.

* ``ClientAddressMiddleware``: gunicorn's ``REMOTE_ADDR`` is nginx's address, so every rate limit
  keyed by address would count the whole public as one client.  nginx sets ``X-Real-IP``; it is
  believed only when the request comes from an address in ``PORTAL_TRUSTED_PROXIES``.
* ``AccelRedirectMiddleware`` (``PORTAL_X_ACCEL=1``): a ``FileResponse`` over a stored file (scan,
  masked copy, document, certificate: every such view opens ``field.open("rb")`` after its scope
  check) becomes an empty response with ``X-Accel-Redirect``; nginx then sends the bytes itself,
  from the bucket (a signed URL, in an internal location) or from the private folder.  The view's
  headers (type, disposition, no-store) are kept.  Views need not know.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import FileResponse, HttpResponse

KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "X-Content-Type-Options")


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]):
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in spec if n.strip())


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.PORTAL_TRUSTED_PROXIES)))


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real and _trusted(request.META.get("REMOTE_ADDR", "")):
            try:
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(real))
            except ValueError:
                pass  # a malformed header from a trusted proxy: keep the proxy's own address
        return self.get_response(request)


def accel_location(field) -> str | None:
    """Where nginx finds the stored file behind ``field`` (a FieldFile), or None if it cannot."""
    storage, name = getattr(field, "storage", None), getattr(field, "name", None)
    if storage is None or not name:
        return None
    location = getattr(storage, "location", None)
    if hasattr(storage, "bucket_name"):  # S3-compatible: a signed URL, fetched by nginx
        url = urlsplit(storage.url(name))
        return f"/_protected/s3/{url.scheme}/{url.netloc}{url.path}" + (f"?{url.query}" if url.query else "")
    if location is not None and hasattr(storage, "path"):  # the private folder nginx can read
        return "/_protected/files/" + quote(name)
    return None


class AccelRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.PORTAL_X_ACCEL or not isinstance(response, FileResponse) or response.status_code != 200:
            return response
        target = accel_location(getattr(response, "file_to_stream", None))
        if target is None:
            return response
        accel = HttpResponse(status=200)
        for header in KEPT_HEADERS:
            if header in response:
                accel[header] = response[header]
        accel["X-Accel-Redirect"] = target
        response.close()  # the view opened the file; nginx reads it, gunicorn does not
        return accel
