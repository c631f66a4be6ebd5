"""评审结果: the committee's decisions (through the one door) and the results publicity period."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from applications.models import Application, Campaign
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record, changes, field_values
from portal.errors import Refused
from review.services import application_transition
from review.workdays import working_days_between

from ..models import Certificate, ResultPublicity
from ..permissions import RecordRefused
from .common import Outcome, campaign_scope

PUBLICITY_FIELDS = ("start", "end", "working_days")


def decisions_record(*, application_ids: list[int], result: str, meeting_date: dt.date, actor,
                     now: dt.datetime | None = None) -> Outcome:
    """通过/未通过 with the committee's meeting date, each through the one door (``decide``)."""
    outcome = Outcome()
    for application_id in application_ids:
        try:
            outcome.done.append(application_transition(
                application_id=application_id, action="decide", actor=actor,
                data={"result": result, "meeting_date": meeting_date.isoformat()}, now=now))
        except Refused as refusal:
            outcome.refused.append((application_id, refusal.message))
        except Application.DoesNotExist:
            outcome.refused.append((application_id, _("申报不存在或不在您的管理范围内。")))
    return outcome


def result_publicity_set(*, campaign: Campaign, start: dt.date, end: dt.date, actor,
                         now: dt.datetime | None = None) -> ResultPublicity:
    """The period of the results publicity (公示): at least the campaign's working days, not
    before the last meeting date; fixed once certificates are issued."""
    campaign_scope(actor, campaign)
    if end < start:
        raise RecordRefused(_("公示结束日期不能早于开始日期。"))
    last_meeting = (Application.objects.filter(campaign=campaign, decision__isnull=False)
                    .aggregate(last=Max("decision__meeting_date"))["last"])
    if last_meeting is None:
        raise RecordRefused(_("尚未记录评审结果，不能公示。"))
    if start < last_meeting:
        raise RecordRefused(_("公示开始日期不能早于评审会议日期（%s）。") % last_meeting.isoformat())
    days = working_days_between(start, end)
    if days < campaign.publicity_working_days:
        raise RecordRefused(_("公示期不少于%(need)d个工作日：%(start)s至%(end)s只有%(days)d个工作日。") % {
            "need": campaign.publicity_working_days, "start": start.isoformat(), "end": end.isoformat(),
            "days": days})
    with transaction.atomic():
        if Certificate.objects.filter(campaign=campaign).exists():
            raise RecordRefused(_("已发放证书，不能再修改公示期。"))
        old = ResultPublicity.objects.select_for_update().filter(campaign=campaign).first()
        was = field_values(old, PUBLICITY_FIELDS) if old is not None else {}
        publicity, _created = ResultPublicity.objects.update_or_create(campaign=campaign, defaults={
            "start": start, "end": end, "working_days": days, "recorded_by": actor})
        before, after = changes(was, field_values(publicity, PUBLICITY_FIELDS))
        audit_record(action=AuditAction.RESULT_PUBLICITY_SET, actor=actor, obj=publicity,
                     before=before, after={**after, "campaign": campaign.code})
    return publicity
