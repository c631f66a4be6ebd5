import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.seeding import campaign_fixture, load_campaign


@pytest.mark.django_db
def test_home_lists_all_campaigns_with_demo_open_first(client, reference, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("home"))
    page = response.content.decode()
    codes = ["demo", "bz-2023-jianzhu", "bz-2023-dangxiao", "yq-2024-chuding", "bz-2024-zhijian", "bz-2021-shihua"]
    positions = [page.index(f'data-campaign="{code}"') for code in codes]
    assert positions[0] == min(positions)
    assert "申报中" in page and "已截止" in page
    assert "2023年8月15日—9月15日" in page  # 000's online window as the notice writes it


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_campaigns(client, reference, django_assert_num_queries):
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    for i in range(5):
        data = campaign_fixture("demo")
        data["code"] = f"demo-extra-{i}"
        load_campaign(data)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("home"))
    assert len(after) == len(before)


@pytest.mark.django_db
def test_healthz(client):
    assert client.get(reverse("healthz")).json()["ok"] is True
