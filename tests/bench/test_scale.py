"""The scale benchmark's generator and page list stay usable: a small build has every state, a
history that ends in each application's state, and every page of the catalogue answers.

Run when models, URL names or the chain change (issue 11's restructure): a page that no longer
resolves or answers 500 here would silently drop out of ``tests/bench/scale.py``'s figures.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.bench.scale_copy import model
from tests.bench.scale_data import build
from tests.bench.scale_pages import catalogue, follow_links, login, subjects
from tests.bench.scale_plan import STATE_SHARES
from tests.bench.scale_upload import upload_page

pytestmark = pytest.mark.postgres

SIZE = 300


@pytest.fixture
def built(db, private_storage, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the generator writes with PostgreSQL COPY")
    settings.PORTAL_RATE_LIMITS = {"lookup_ip": (1000, 600), "lookup_id": (1000, 600), "verify_ip": (1000, 600)}
    return build(SIZE, log=lambda line: None)


def test_build_covers_every_state_with_a_consistent_history(built):
    Application, StateChange = model("Application"), model("StateChange")
    assert built["rows"]["Application"] == SIZE + 20  # and the upload rush's drafts
    assert set(built["states"]) == {state for state, _share in STATE_SHARES}
    last, entered = {}, {}
    for application_id, to_state in StateChange.objects.order_by("created_at", "id").values_list(
            "application_id", "to_state"):
        last[application_id] = to_state
        entered.setdefault(application_id, set()).add(to_state)
    for application in Application.objects.only("id", "state"):
        assert last.get(application.pk, "draft") == application.state, application.pk
    # The queues' flags (issue 16) agree with the history.
    for pk, unit, county, committee in Application.objects.values_list(
            "pk", "reached_unit", "reached_county", "reached_committee"):
        states = entered.get(pk, set())
        assert (unit, county, committee) == ("unit_review" in states, "county_review" in states,
                                             bool(states & {"committee_review", "accepted"})), pk
    assert 20 * SIZE <= model("Attachment").objects.count() <= 60 * SIZE


def test_every_page_of_the_catalogue_answers(built):
    who = subjects()
    pages, skipped = catalogue(who)
    pages.append(upload_page(who.rush))
    assert not skipped
    assert len({p.name for p in pages}) == len(pages) > 70
    clients: dict = {}

    def client_for(user):
        client = clients.get(getattr(user, "pk", None))
        if client is None:
            client = clients[getattr(user, "pk", None)] = Client()
            if user is not None:
                login(client, user)
        return client

    deep = {p.name: p.url for p in pages if p.follow}
    follow_links(pages, client_for)
    # At least the committee's whole-campaign list has more than a page: its deep page is a cursor.
    moved = [p for p in pages if p.follow and p.url != deep[p.name]]
    assert any("after=" in p.url or "before=" in p.url for p in moved), deep
    for page in pages:
        if page.call is not None:
            page.call()
            continue
        client = client_for(page.user)
        data = page.data() if callable(page.data) else page.data
        response = (client.post(page.url, data, **page.headers) if page.method == "post"
                    else client.get(page.url, **page.headers))
        assert response.status_code in page.expect, (page.name, page.url, response.status_code)
        if page.cleanup:
            page.cleanup()
