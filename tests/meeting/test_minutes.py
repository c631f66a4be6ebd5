"""The minutes PDF (a Document of kind ``minutes`` through the renderer registry) and the
评审档案 ZIP of one application."""

from __future__ import annotations

import io
import json
import zipfile

from django.urls import reverse
from pypdf import PdfReader

from review.documents.models import DocumentKind
from review.documents.render import document_render
from review.meeting import services
from review.meeting.minutes import archive_zip, minutes_request
from review.meeting.selectors import voters_of
from tests.meeting.conftest import declare_all, open_with


def _decided(sitting):
    declare_all(sitting)
    plain = sitting.items["plain"]
    services.opinion_record(item=plain, user=sitting.members[0].user,
                            scores={"achievement": 35, "papers": 25, "ability": 28}, comment="业绩突出，同意通过。")
    open_with(sitting, sitting.members[:8] + [sitting.alternates[0]])
    for item in sitting.items.values():
        services.ballot_open(item=item, actor=sitting.clerk)
        voters = voters_of(item)
        experts = {e.pk: e for e in sitting.experts}
        for n, expert_id in enumerate(voters):
            services.ballot_cast(item=item, user=experts[expert_id].user, choice="yes" if n < 6 else "no")
        services.ballot_close(item=item, actor=sitting.clerk)
    services.meeting_confirm(meeting=sitting.meeting, user=sitting.members[0].user)
    services.outcomes_apply(meeting=sitting.meeting, actor=sitting.clerk)
    sitting.meeting.refresh_from_db()


def test_minutes_pdf_names_members_recusals_tallies_and_confirmation(sitting):
    _decided(sitting)
    document, ready = minutes_request(meeting=sitting.meeting, actor=sitting.clerk)
    assert not ready and document.kind == DocumentKind.MINUTES
    document = document_render(document_id=document.pk)
    assert document.is_ready
    with document.file.open("rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages).replace(" ", "").replace("\n", "")
    for expected in ("会议纪要", sitting.members[0].name, "主任委员", "同一单位", sitting.items["plain"].application.code,
                     "通过", str(sitting.meeting.draws.get().seed)):
        assert expected in text, expected
    assert sitting.items["plain"].application.applicant.real_name not in text
    again, ready = minutes_request(meeting=sitting.meeting, actor=sitting.clerk)
    assert ready and again.pk == document.pk  # same data: the same file


def test_archive_zip_has_anonymised_opinions_tally_decision_and_chain(sitting, client):
    _decided(sitting)
    item = sitting.items["plain"]
    name, payload = archive_zip(item)
    assert name == f"评审档案_{item.application.code}.zip"
    archive = zipfile.ZipFile(io.BytesIO(payload))
    names = archive.namelist()
    opinions = json.loads(archive.read("03_评审意见（匿名）.json"))
    assert opinions[0]["专家"] == "专家1" and sitting.members[0].name not in archive.read("03_评审意见（匿名）.json").decode()
    assert json.loads(archive.read("04_计票结果.json"))["计票"]["passed"] is True
    assert json.loads(archive.read("05_评审结果.json"))["结果"] == "通过"
    assert "06_操作记录.jsonl" in names
    assert "meeting.ballot_cast" not in archive.read("06_操作记录.jsonl").decode()  # who voted stays out
    chain = json.loads(archive.read("07_记录链.json"))
    assert {"tally", "opinion", "ballot_choice"} <= {r["kind"] for r in chain}
    client.force_login(sitting.clerk)
    response = client.get(reverse("meeting:archive", args=[sitting.meeting.pk, item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    client.force_login(sitting.members[0].user)
    assert client.get(reverse("meeting:archive", args=[sitting.meeting.pk, item.pk])).status_code == 404
