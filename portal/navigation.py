"""Navigation per role.  Entries whose URL name is not (yet) routed are left out, so each
capability adds its own entries here without breaking the others."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Role
from portal.accounts.otp import needs_second_factor

PUBLIC = [
    (_("首页"), "home"),
    (_("自助预审"), "applications:selfcheck"),
    (_("证书查询"), "aftercare:certificate_lookup"),
    (_("评审表验证"), "documents:verify_lookup"),
]

BY_ROLE = {
    Role.APPLICANT: [
        (_("我的申报"), "dashboard"),
        (_("新建申报"), "applications:new"),
        (_("个人档案"), "applications:profile"),
        (_("自助预审"), "applications:selfcheck"),
        (_("打印与下载"), "documents:mine"),
        (_("消息"), "review:notifications"),
    ],
    Role.UNIT_OFFICER: [
        (_("工作台"), "dashboard"),
        (_("待审核"), "review:queue"),
        (_("受理后进度"), "aftercare:unit"),
        (_("花名册与清单"), "documents:exports"),
        (_("重置申报人密码"), "accounts:password_reset_issue"),
        (_("消息"), "review:notifications"),
    ],
    Role.COUNTY_OFFICER: [
        (_("工作台"), "dashboard"),
        (_("待审核"), "review:queue"),
        (_("受理后进度"), "aftercare:unit"),
        (_("花名册与清单"), "documents:exports"),
        (_("消息"), "review:notifications"),
    ],
    Role.COMMITTEE_CLERK: [
        (_("工作台"), "dashboard"),
        (_("形式审核"), "review:queue"),
        (_("受理后管理"), "aftercare:index"),
        (_("花名册与清单"), "documents:exports"),
        (_("诚信档案"), "aftercare:integrity"),
        (_("评审会"), "meeting:index"),
        (_("消息"), "review:notifications"),
    ],
    Role.EXPERT: [
        (_("我的评审"), "meeting:mine"),
    ],
    Role.ADMIN: [
        (_("工作台"), "dashboard"),
        (_("管理后台"), "admin:index"),
        (_("重置密码"), "accounts:password_reset_issue"),
    ],
}


def menu_for(user) -> list[dict]:
    if not user.is_authenticated:
        entries = PUBLIC
    else:
        entries = BY_ROLE.get(user.role, [])
        if user.is_superuser and user.role != Role.ADMIN:
            entries = [*entries, (_("管理后台"), "admin:index")]
        if needs_second_factor(user):
            entries = [*entries, (_("两步验证"), "accounts:otp_backup_codes")]
    items = []
    for label, name in entries:
        try:
            items.append({"label": label, "url": reverse(name), "name": name})
        except NoReverseMatch:
            continue
    return items
