"""查阅记录: every staff open of an application page, a scan, a document or an export leaves an
``AccessEvent``; the applicant reads them as role and unit / committee, never a person's name;
an export's download writes its rows in one query whatever its length."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import AccessEvent, AccessWhat, Application, Campaign, StateChange
from applications.states import State
from review.documents.models import DocumentKind, ScopeKind
from review.documents.scope import ExportScope
from review.documents.services import document_render, export_request
from tests.documents.test_exports import bulk_accepted
from tests.factories import ClerkFactory, UnitFactory


def _reached_committee(app) -> None:
    StateChange.objects.create(application=app, action="approve", from_state=State.COUNTY_REVIEW,
                               to_state=State.COMMITTEE_REVIEW, actor_role="county_officer")
    Application.objects.filter(pk=app.pk).update(state=State.COMMITTEE_REVIEW)


def test_officer_and_clerk_opens_are_recorded_and_shown_to_the_applicant(client, cast, app_in):
    app = app_in(State.UNIT_REVIEW, files=True)
    client.force_login(cast.unit)
    assert client.get(reverse("review:detail", args=[app.pk])).status_code == 200
    scan = app.attachments.filter(needs_masking=True).first()
    assert client.get(f"/files/{scan.uid}/original/").status_code == 200
    _reached_committee(app)
    client.force_login(cast.clerk)
    assert client.get(reverse("review:detail", args=[app.pk])).status_code == 200
    assert client.get(reverse("review:attachment", args=[scan.pk])).status_code == 200
    events = list(AccessEvent.objects.filter(application=app).order_by("id"))
    assert [(e.actor_id, e.role, e.what) for e in events] == [
        (cast.unit.pk, "unit_officer", AccessWhat.PAGE), (cast.unit.pk, "unit_officer", AccessWhat.SCAN),
        (cast.clerk.pk, "committee_clerk", AccessWhat.PAGE), (cast.clerk.pk, "committee_clerk", AccessWhat.SCAN)]
    assert events[0].scope_label == cast.unit.unit.name and events[2].scope_label == str(cast.clerk.committee)

    client.force_login(cast.applicant)
    page = client.get(reverse("applications:overview", args=[app.code])).content.decode()
    section = page[page.index("谁查看了我的材料"):]
    assert "推荐单位人事（职称）部门" in section and cast.unit.unit.name in section
    assert "评审委员会办公室" in section and str(cast.clerk.committee) in section
    for officer in (cast.unit, cast.clerk):
        assert officer.real_name not in section and officer.username not in section
    # The applicant's own opens are not recorded.
    assert AccessEvent.objects.filter(application=app).count() == 4


def test_refused_opens_leave_no_record(client, cast, app_in):
    app = app_in(State.UNIT_REVIEW, files=True)
    client.force_login(cast.clerk)
    assert client.get(reverse("review:detail", args=[app.pk])).status_code == 404
    client.force_login(cast.other_unit)
    assert client.get(reverse("review:detail", args=[app.pk])).status_code == 404
    assert not AccessEvent.objects.exists()


def test_export_download_records_every_listed_application_in_one_query(client, reference, private_storage):
    clerk = ClerkFactory()
    client.force_login(clerk)
    scope = ExportScope(ScopeKind.COMMITTEE, clerk.committee_id, clerk.committee.name)
    campaign = Campaign.objects.get(code="demo")
    counts = []
    total = 0
    for batch in (2, 12):
        total += batch
        bulk_accepted(batch, unit=UnitFactory())
        document = export_request(user=clerk, scope=scope, campaign=campaign, kind=DocumentKind.ROSTER_XLSX)
        document_render(document_id=document.pk)
        before = AccessEvent.objects.count()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("documents:download", args=[document.uid]))
        assert response.status_code == 200
        inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "applications_accessevent"')]
        assert len(inserts) == 1
        counts.append(len(queries))
        assert AccessEvent.objects.count() - before == total
    assert counts[0] == counts[1]
    assert set(AccessEvent.objects.values_list("what", "role")) == {(AccessWhat.EXPORT, "committee_clerk")}


def test_queue_pages_write_no_access_rows(client, cast, app_in):
    app_in(State.UNIT_REVIEW)
    client.force_login(cast.unit)
    assert client.get(reverse("review:queue")).status_code == 200
    assert not AccessEvent.objects.exists()
