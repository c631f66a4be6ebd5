"""The login lock-out (django-axes): the page a locked account sees, how long it still waits,
and the administrator's release.

An account is locked after ``AXES_FAILURE_LIMIT`` wrong passwords; each further attempt while
locked (the right password included) is refused and restarts the cool-off
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``, axes' default), so guessing on cannot wait the
lock out.  The lock ends ``AXES_COOLOFF_TIME`` after the last attempt, or when an administrator
releases it.
"""

from __future__ import annotations

import math

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def minutes_left(username: str) -> int:
    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return 0
    seconds = (last + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def lock_message(username: str) -> str:
    return _("登录失败次数过多，该账号已被临时锁定。请%(minutes)d分钟后再试；"
             "急需登录的，请联系系统管理员解锁。") % {"minutes": minutes_left(username) or 1}


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page again, with the wait, HTTP 429."""
    from .forms import LoginForm  # forms import the models; axes loads this callable lazily anyway

    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username})
    return render(request, "accounts/login.html", {"form": form, "locked": lock_message(username),
                                                   "next": request.POST.get("next", "")}, status=429)


def release(username: str) -> int:
    """An administrator lifts the lock at once; returns how many attempt records were removed."""
    return reset(username=username)
