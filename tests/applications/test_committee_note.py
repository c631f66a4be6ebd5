"""001 names no committee (its notice has no 落款评委会): the pages that print the portal's name for
it say so (issue 15, partly-done list, P2-11)."""

from __future__ import annotations

import time_machine
import datetime as dt
from django.urls import reverse

from applications.models import Campaign

from .rules_support import notice


@time_machine.travel(dt.datetime(2023, 9, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_001_says_its_committee_name_is_the_portals(client, reference):
    campaign = Campaign.objects.get(code="bz-2023-dangxiao")
    assert campaign.committee.name.replace("、", "") not in notice("bz-2023-dangxiao").replace("、", "")
    assert campaign.committee_note.startswith("本通知未写明评审委员会名称")
    assert Campaign.objects.get(code="bz-2023-jianzhu").committee_note == ""
    page = client.get(reverse("home")).content.decode()
    assert page.count('data-testid="committee-note"') == 1 and campaign.committee_note in page
