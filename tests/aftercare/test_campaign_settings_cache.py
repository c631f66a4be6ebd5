"""The after-acceptance pages keep a campaign's settings in the cache (``load_campaign``, issue 16)
until one of them changes: a page never shows a checklist, fee or specialty older than the change
an administrator saved, and without a reachable cache the pages still work."""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Campaign, CampaignFee, PaperItem, Specialty
from review.aftercare.selectors import load_campaign


def _queries(fn):
    with CaptureQueriesContext(connection) as captured:
        value = fn()
    return value, len(captured)


def test_a_campaign_is_read_once_until_its_settings_change(demo_campaign):
    first, read = _queries(lambda: load_campaign(demo_campaign.pk))
    again, kept = _queries(lambda: load_campaign(demo_campaign.pk))
    assert read >= 5 and kept == 0
    assert [i.name for i in again.paper_items.all()] == [i.name for i in first.paper_items.all()]
    assert again is not first  # each page its own copy

    PaperItem.objects.create(campaign=demo_campaign, name="补充材料：测试", order=99)
    after, read_again = _queries(lambda: load_campaign(demo_campaign.pk))
    assert read_again >= 5 and after.paper_items.all()[len(after.paper_items.all()) - 1].name == "补充材料：测试"


def test_a_fee_or_specialty_changed_in_the_admin_shows_at_once(demo_campaign):
    load_campaign(demo_campaign.pk)
    fee = CampaignFee.objects.filter(campaign=demo_campaign).first()
    fee.amount += 11
    fee.save()
    assert {f.pk: f.amount for f in load_campaign(demo_campaign.pk).fees.all()}[fee.pk] == fee.amount

    other = Specialty.objects.exclude(pk__in=demo_campaign.specialties.values("pk")).first()
    demo_campaign.specialties.add(other)
    assert other.pk in {s.pk for s in load_campaign(demo_campaign.pk).specialties.all()}

    other.name = "改名后的专业"
    other.save()
    assert "改名后的专业" in {s.name for s in load_campaign(demo_campaign.pk).specialties.all()}

    demo_campaign.title = "改过的标题"
    demo_campaign.save()
    assert load_campaign(demo_campaign.pk).title == "改过的标题"


def test_the_fee_page_follows_a_fee_change(client, accepted, staff):
    app = accepted()
    client.force_login(staff.clerk)
    url = reverse("aftercare:fees") + f"?campaign={app.campaign.code}"
    fee = CampaignFee.objects.get(campaign=app.campaign, level=app.level, kind=app.kind)
    page = client.get(url).content.decode()
    assert f"{fee.amount}" in page and "777" not in page
    fee.amount = 777
    fee.save()
    assert "777" in client.get(url).content.decode()


def test_without_a_cache_the_campaign_is_read_each_time(demo_campaign):
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("cache down")):
        campaign, read = _queries(lambda: load_campaign(demo_campaign.pk))
    assert campaign.pk == demo_campaign.pk and read >= 5
    assert Campaign.objects.filter(pk=demo_campaign.pk).exists()
