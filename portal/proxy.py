"""Behind nginx (``portal/deploy/nginx/``): the client's address, and file downloads that nginx
sends instead of a gunicorn thread.

* The client's address is not here: ``portal.accounts.client_ip`` reads it from
  ``X-Forwarded-For`` behind ``PORTAL_TRUSTED_PROXY_COUNT`` proxies (1 behind the repo's nginx).
* ``AccelRedirectMiddleware`` (``PORTAL_X_ACCEL=1``): a ``FileResponse`` over a stored file (scan,
  masked copy, document, certificate: every such view opens ``field.open("rb")`` after its scope
  check) becomes an empty response with ``X-Accel-Redirect``; nginx then sends the bytes itself,
  from the bucket (a signed URL, in an internal location) or from the private folder.  The view's
  headers (type, disposition, no-store) are kept.  Views need not know.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import FileResponse, HttpResponse

KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "X-Content-Type-Options")


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
