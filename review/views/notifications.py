"""The user's in-portal messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import OFFICER_ROLES

from ..models import Notification
from ..selectors import notifications_for
from .common import PAGE_SIZE


@login_required
def notifications(request):
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("已全部标为已读。"))
        return redirect("review:notifications")
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/notifications.html", {
        "page": page, "unread": sum(1 for n in page.object_list if n.read_at is None),
        "officer": request.user.role in OFFICER_ROLES,
    })
