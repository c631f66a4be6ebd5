"""Template helpers of the applicant's pages."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from ..models import ApplicationSection
from ..states import EDITABLE, State

register = template.Library()


@register.simple_tag
def file_url(attachment, variant="original"):
    return reverse("applications:attachment_file", args=[attachment.uid, variant])


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def labelled(row, columns):
    """Each cell of a table row with its column's label: on a phone the rows become cards."""
    return list(zip(columns, row))


@register.filter
def notes_for(notes, attachment):
    """Return notes that concern one attachment."""
    return [n for n in notes or [] if n.attachment_id == attachment.pk]


@register.simple_tag
def applicant_rows(applications):
    """Each application with the time left on its clock and the next thing to do.

    Two queries for the whole list (applications, section completeness), whatever its length.
    """
    apps = list(applications)
    incomplete: dict[int, int] = {}
    for app_id, complete in ApplicationSection.objects.filter(application__in=[a.pk for a in apps]).values_list(
            "application_id", "is_complete"):
        if not complete:
            incomplete[app_id] = incomplete.get(app_id, 0) + 1
    now = timezone.now()
    rows = []
    for app in apps:
        clock = None
        if app.state == State.RETURNED and app.return_deadline:
            seconds = max(0, int((app.return_deadline - now).total_seconds()))
            clock = {"deadline": timezone.localtime(app.return_deadline), "hours": seconds // 3600,
                     "minutes": seconds % 3600 // 60, "urgent": seconds < 12 * 3600}
        window = app.campaign.submission_window(app.kind)
        days_left = (window.end - timezone.localdate()).days
        if app.state == State.DRAFT:
            todo = ("继续填写（%d个栏目未完成）" % incomplete[app.pk]) if incomplete.get(app.pk) else "保存并检查后提交"
            url = reverse("applications:overview", args=[app.code]) if incomplete.get(app.pk) else reverse(
                "applications:checklist", args=[app.code])
        elif app.state == State.RETURNED:
            todo, url = "按退回意见修改后重新提交", reverse("applications:overview", args=[app.code])
        elif app.state in (State.UNIT_REVIEW, State.COUNTY_REVIEW, State.COMMITTEE_REVIEW):
            todo, url = "等待审核，无需操作", reverse("applications:overview", args=[app.code])
        elif app.state == State.ACCEPTED:
            todo, url = "打印评审表，按通知报送纸质材料", reverse("applications:overview", args=[app.code])
        else:
            todo, url = "查看进度", reverse("applications:overview", args=[app.code])
        rows.append({"app": app, "clock": clock, "todo": todo, "url": url, "editable": app.state in EDITABLE,
                     "days_left": days_left if app.state == State.DRAFT else None})
    return rows
