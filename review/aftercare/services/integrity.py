"""诚信档案: fraud recorded against an applicant (and their unit), with the campaign's bans; the
application is closed through the one door, or, already certified, loses its certificate."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.selectors import listed_name
from applications.states import TERMINAL
from portal.audit.actions import AuditAction
from portal.audit.services import audit_record, field_values
from review.services import application_transition

from ..bans import ban_end, unit_ban_years_for
from ..models import Certificate, IntegrityRecord
from ..permissions import RecordRefused
from .common import locked


def integrity_record_write(application, *, facts: str, include_unit: bool, actor, now: dt.datetime):
    """Write the 诚信档案 row of ``application``'s applicant (and unit) with the campaign's bans (and
    its audit event, ``integrity.recorded``)."""
    campaign = application.campaign
    person_years = campaign.person_ban_years
    unit_years = unit_ban_years_for(campaign) if include_unit else None
    if include_unit and unit_years is None:
        raise RecordRefused(_("本通知未规定对单位的处理，不能取消单位参评资格（只记录个人）。"))
    applicant = application.applicant
    record = IntegrityRecord.objects.create(
        id_number=(applicant.id_number or "").upper(),
        name=listed_name(application),
        person=applicant, unit=application.unit if include_unit else None, campaign=campaign,
        application=application, facts=facts, person_ban_years=person_years,
        person_banned_until=ban_end(campaign.year, person_years), unit_ban_years=unit_years,
        unit_banned_until=ban_end(campaign.year, unit_years) if unit_years else None, recorded_by=actor)
    audit_record(action=AuditAction.INTEGRITY_RECORDED, actor=actor, obj=record, application=application,
                 after=field_values(record, ("facts", "person_ban_years", "person_banned_until", "unit",
                                             "unit_ban_years", "unit_banned_until")))
    return record


def ban_summary(record) -> str:
    text = _("个人自%(from)d年起%(n)d年内不得申报，至%(until)s") % {
        "from": record.campaign.year + 1, "n": record.person_ban_years, "until": _day(record.person_banned_until)}
    if record.unit_id:
        text += _("；%(unit)s%(n)d年内取消参评资格，至%(until)s") % {
            "unit": record.unit.name, "n": record.unit_ban_years, "until": _day(record.unit_banned_until)}
    return text


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def integrity_record_create(*, application_id: int, facts: str, actor, include_unit: bool = False,
                            now: dt.datetime | None = None) -> IntegrityRecord:
    """诚信档案: record fraud against the applicant (and their unit) with the campaign's ban
    lengths and close the application.  A certified application keeps its state and loses its
    certificate (撤销), which the public verification then reports."""
    now = now or timezone.now()
    facts = (facts or "").strip()
    if not facts:
        raise RecordRefused(_("请填写弄虚作假的情况。"))
    with transaction.atomic():
        application = locked(application_id, actor)
        if application.state not in TERMINAL:
            application_transition(application_id=application_id, action="close_for_fraud", actor=actor,
                                   comment=facts, data={"include_unit": include_unit}, now=now)
            return IntegrityRecord.objects.filter(application=application).latest("recorded_at", "id")
        record = integrity_record_write(application, facts=facts, include_unit=include_unit, actor=actor, now=now)
        reason = _("弄虚作假，撤销证书")
        for certificate in Certificate.objects.select_for_update().filter(application=application,
                                                                           revoked_at__isnull=True):
            Certificate.objects.filter(pk=certificate.pk).update(revoked_at=now, revoke_reason=reason)
            audit_record(action=AuditAction.CERTIFICATE_REVOKED, actor=actor, obj=certificate,
                         application=application, before={"revoked_at": None},
                         after={"revoked_at": now, "revoke_reason": reason, "integrity_record": record.pk})
        return record
