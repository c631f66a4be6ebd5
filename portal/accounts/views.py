"""Login, registration and the one-time password reset.

Limits (``portal.accounts.ratelimit``, keyed on the real client address):
* ``login_ip``: wrong passwords from one address (30 per 15 minutes).  The per-account lock is
  django-axes' (``lockout.py``).  If the cache is down, logins fall back on that lock alone
  (it lives in the database).
* ``register_ip``: registrations from one address (10 per hour); fails closed without the cache.
* ``password_reset_ip``: openings of reset links from one address (30 per hour); fails closed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.fonts import name_warning

from . import ratelimit
from .client_ip import client_ip
from .forms import LoginForm, RegistrationForm, ResetIssueForm
from .lockout import release
from .services import (
    applicant_register,
    can_issue_reset_links,
    password_reset_done,
    password_reset_link_issue,
    reset_target_find,
)

LIMITS = {"login_ip": (30, 900), "register_ip": (10, 3600), "password_reset_ip": (30, 3600)}


def _rule(name: str) -> ratelimit.Limit:
    return ratelimit.limit(name, LIMITS[name])


def _too_many(verdict: ratelimit.Verdict) -> str:
    return _("此网络地址的尝试次数过多，请%(minutes)d分钟后再试。") % {"minutes": verdict.wait_minutes}


BUSY = gettext_lazy("系统繁忙，请稍后再试。")

REGISTERED = gettext_lazy("注册申请已受理。请用身份证号码和刚才设置的密码登录。如果该身份证号码以前已经注册过，"
               "本次注册不会生效，请用原密码登录；忘记密码请联系所在单位人事部门或系统管理员。")


@require_http_methods(["GET", "POST"])
def register(request):
    """Answers the same for a new and an already registered ID number (no auto-login, which
    would tell them apart): both go to the login page with one message."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        try:
            verdict = ratelimit.hit(_rule("register_ip"), client_ip(request))
        except ratelimit.RateLimitUnavailable:
            form.is_valid()
            form.add_error(None, BUSY)
            return render(request, "accounts/register.html", {"form": form}, status=503)
        if not verdict.allowed:
            form.is_valid()
            form.add_error(None, _too_many(verdict))
            return render(request, "accounts/register.html", {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            applicant_register(real_name=data["real_name"], id_number=data["id_number"], phone=data["phone"],
                               password=data["password1"])
            messages.success(request, REGISTERED)
            warning = name_warning(data["real_name"])
            if warning:  # registered all the same: the name is the ID card's (issue 13 item 9)
                messages.warning(request, warning)
            return redirect("accounts:login")
    return render(request, "accounts/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        try:
            verdict = ratelimit.check(_rule("login_ip"), client_ip(request))
        except ratelimit.RateLimitUnavailable:
            verdict = None  # the per-account lock (database) still holds
        if verdict is not None and not verdict.allowed:
            # An unbound form: validating this one would try the password (and count it).
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            context = self.get_context_data(form=form, locked=_too_many(verdict))
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        try:
            ratelimit.record(_rule("login_ip"), client_ip(self.request))
        except ratelimit.RateLimitUnavailable:
            pass
        return super().form_invalid(form)


# --- One-time password reset ------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def password_reset_issue(request):
    """A unit officer (for the applicants of their unit) or an administrator (for anyone) makes a
    one-time link to print or e-mail.  An unknown ID number and one outside the officer's unit get
    the same answer."""
    if not can_issue_reset_links(request.user):
        raise PermissionDenied
    form = ResetIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = reset_target_find(actor=request.user, text=form.cleaned_data["who"])
        if target is None:
            form.add_error("who", _("未找到可以重置密码的用户：只能为本单位有申报记录的申报人重置密码，"
                                    "请核对身份证号码。单位经办人的密码由系统管理员重置。"))
        else:
            link = password_reset_link_issue(actor=request.user, target=target,
                                             send_by_email=form.cleaned_data["send_by_email"])
            return render(request, "accounts/password_reset_link.html", {"link": link})
    return render(request, "accounts/password_reset_issue.html",
                  {"form": form, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def dispatch(self, *args, **kwargs):
        try:
            verdict = ratelimit.hit(_rule("password_reset_ip"), client_ip(self.request))
        except ratelimit.RateLimitUnavailable:
            return render(self.request, "accounts/password_reset_confirm.html",
                          {"validlink": False, "refusal": BUSY}, status=503)
        if not verdict.allowed:
            return render(self.request, "accounts/password_reset_confirm.html",
                          {"validlink": False, "refusal": _too_many(verdict)}, status=429)
        return super().dispatch(*args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        release(form.user.get_username())  # a new password also ends a login lock
        password_reset_done(user=form.user)
        messages.success(self.request, _("新密码已设置，请用新密码登录。该链接已失效。"))
        return response
