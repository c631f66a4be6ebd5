"""No staff page without the second factor.

After ``OTPMiddleware`` (which tells whether this session was verified by a device): a user who
needs a second factor (``otp.needs_second_factor``: every role but the applicant's) and whose
session is not verified is sent to enrolment or verification, with the page they asked for as
``next``.  Deny by default: only the second-factor pages themselves, logout and static files are
let through, so a staff page added later is covered without being listed anywhere.  Applicants
and visitors who are not logged in never meet this.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .otp import has_confirmed_device, needs_second_factor

OPEN_URL_NAMES = ("accounts:otp_setup", "accounts:otp_verify", "accounts:logout")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:  # reversed on first use: the URLconf is not loaded at __init__
            self._open_paths = frozenset(reverse(name) for name in OPEN_URL_NAMES)
        return path in self._open_paths or path.startswith(settings.STATIC_URL)

    def __call__(self, request):
        user = request.user
        if needs_second_factor(user) and not user.is_verified() and not self._is_open(request.path_info):
            step = "accounts:otp_verify" if has_confirmed_device(user) else "accounts:otp_setup"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
