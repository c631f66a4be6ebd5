"""When officers may review: until the window the notice names (issue 15, notice 003 三)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from applications.models import Campaign, Level, Specialty
from review import permissions
from applications.states import State
from tests.factories import ApplicationFactory, CountyOfficerFactory

from .conftest import put_in_state


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_003_officers_review_only_inside_its_online_review_window(cast):
    """003 三 "网上申报审核时间：8月19日至9月14日": approving on 9月14日 is allowed, on 9月15日 it
    is refused with the window — not allowed until the day before paper delivery (9月17日)."""
    app = ApplicationFactory(applicant=cast.applicant, unit=cast.unit.unit,
                             campaign=Campaign.objects.get(code="bz-2024-zhijian"),
                             specialty=Specialty.objects.get(series__name="工程系列", name="质量技术监督"),
                             level=Level.objects.get(code="intermediate"))
    put_in_state(app, State.UNIT_REVIEW)
    assert permissions.can_approve(cast.unit, app, at(dt.date(2024, 9, 14), 23))
    refused = permissions.can_return(cast.unit, app, at(dt.date(2024, 9, 15)))
    assert not refused and "不在网上审核时间内（2024年8月19日—9月14日）" in refused.reason
    put_in_state(app, State.COUNTY_REVIEW)
    county = CountyOfficerFactory(county=cast.unit.unit.county)
    assert not permissions.can_approve(county, app, at(dt.date(2024, 9, 17)))
