"""A notice without a resubmission deadline never abandons (issue 15 item 4, P2-01).

003 四（三）"申报人需严格按照修改意见修改后提交" and 004 四 "经修改后再次上报" set no time limit, so
their fixtures carry ``return_hours: null``: a returned application has no deadline, the clock
never abandons it, and the applicant may resubmit while officers can still review (003: the
window its 三 names, 8月19日至9月14日).  000 keeps its 48 hours (``test_expiry_worker``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import Campaign, Level, Specialty
from applications.rules.engine import procedure_notes
from applications.rules.profile import Profile
from applications.states import State
from review import permissions
from review.models import Notification
from review.services import application_transition, returns_expire
from tests.factories import ApplicationFactory

from .conftest import put_in_state


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _returned(cast, code: str, specialty: tuple[str, str], day: dt.date):
    app = ApplicationFactory(applicant=cast.applicant, unit=cast.unit.unit, campaign=Campaign.objects.get(code=code),
                             specialty=Specialty.objects.get(series__name=specialty[0], name=specialty[1]),
                             level=Level.objects.get(code="intermediate"))
    put_in_state(app, State.UNIT_REVIEW)
    application_transition(application_id=app.pk, action="return", actor=cast.unit, now=at(day),
                           comment="请补充2023年度考核表。")
    app.refresh_from_db()
    return app


@pytest.mark.django_db(transaction=False)
def test_003_return_has_no_deadline_and_is_never_abandoned(cast, private_storage):
    app = _returned(cast, "bz-2024-zhijian", ("工程系列", "质量技术监督"), dt.date(2024, 9, 10))
    assert app.campaign.return_hours is None
    assert (app.state, app.return_deadline) == (State.RETURNED, None)
    assert returns_expire(now=at(dt.date(2024, 9, 13), 23)) == []
    assert returns_expire(now=at(dt.date(2024, 12, 31), 23)) == []
    app.refresh_from_db()
    assert app.state == State.RETURNED
    assert permissions.can_resubmit(cast.applicant, app, at(dt.date(2024, 9, 12)))
    refused = permissions.can_resubmit(cast.applicant, app, at(dt.date(2024, 9, 15)))
    assert not refused and "网上审核时间已过（2024年8月19日—9月14日）" in refused.reason
    note = Notification.objects.filter(user=cast.applicant, application=app).order_by("-pk").first()
    assert note is None or ("逾期视为放弃" not in note.body and "严格按照修改意见修改后" in note.body)


@pytest.mark.django_db(transaction=False)
def test_004_return_has_no_deadline_until_the_day_before_paper(cast, private_storage):
    """004 names no review window: resubmission is open until its online window / the day before
    paper delivery, whichever is later (9月18日), then refused."""
    app = _returned(cast, "bz-2021-shihua", ("工程系列", "石油"), dt.date(2021, 9, 10))
    assert app.return_deadline is None and returns_expire(now=at(dt.date(2021, 9, 20))) == []
    assert permissions.can_resubmit(cast.applicant, app, at(dt.date(2021, 9, 18)))
    assert not permissions.can_resubmit(cast.applicant, app, at(dt.date(2021, 9, 19)))


def test_003_procedure_says_revise_as_told_not_hours(reference):
    notes = procedure_notes(Campaign.objects.get(code="bz-2024-zhijian"), Profile())
    assert "严格按照修改意见修改后提交" in notes[0].text and "小时" not in notes[0].text
    notes = procedure_notes(Campaign.objects.get(code="bz-2023-jianzhu"), Profile())
    assert "48小时内修改提交" in notes[0].text
