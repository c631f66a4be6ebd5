"""The applicant's own state changes: submit (or resubmit) and withdraw, through the one door.

They are applicant pages (``applications:submit`` / ``applications:withdraw``, joined into that
namespace by ``portal.urls``) but live here because they call the door, which is review's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.states import State
from applications.views.common import own_application
from portal.errors import Refused

from ..services import application_transition


@login_required
@require_POST
def application_submit(request, code):
    application = own_application(request.user, code)
    action = "resubmit" if application.state == State.RETURNED else "submit"
    try:
        application_transition(application_id=application.pk, action=action, actor=request.user,
                               expected_state=request.POST.get("state") or application.state)
    except Refused as refused:
        # Back to the checklist, which shows what is still missing.
        messages.error(request, refused.message)
        return redirect("applications:checklist", application.code)
    messages.success(request, _("已提交，等待推荐单位审核。审核进度会显示在“我的申报”中。"))
    return redirect("applications:overview", application.code)


@login_required
@require_POST
def application_withdraw(request, code):
    application = own_application(request.user, code)
    try:
        application_transition(application_id=application.pk, action="withdraw", actor=request.user,
                               expected_state=request.POST.get("state") or application.state)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("已撤回，申报回到草稿状态，可修改后重新提交。"))
    return redirect("applications:overview", application.code)
