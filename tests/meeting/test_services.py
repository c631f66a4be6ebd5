"""The meeting's services: draw, recusal, quorum, the secret ballot, the tally, the chair's
confirmation, outcomes through the one door, defense scores, the XLSX import, the hash chain."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from applications.states import State
from portal.audit.models import AuditEvent
from portal.errors import Conflict, Forbidden, Refused
from review.aftercare.models import Decision
from review.meeting import services
from review.meeting.chain import chain_verify
from review.meeting.models import (
    BallotCast,
    BallotChoice,
    Expert,
    MeetingRecord,
    MeetingStatus,
    Opinion,
    RecordKind,
    Recusal,
    RecusalKind,
)
from review.meeting.selectors import seating_of, turnout, voters_of
from tests.meeting.conftest import SEED, declare_all, open_with


def _vote(s, item, yes: int, no: int = 0, abstain: int = 0, voters=None):
    voters = list(voters if voters is not None else voters_of(item))
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    experts = {e.pk: e for e in s.experts}
    for expert_id, choice in zip(voters, choices, strict=False):
        services.ballot_cast(item=item, user=experts[expert_id].user, choice=choice)


def test_draw_records_seed_and_snapshot_and_is_reproduced(sitting):
    draw = sitting.meeting.draws.get()
    assert draw.seed == SEED and len(draw.pool_snapshot) == 15
    assert [e["id"] for e in draw.pool_snapshot] == sorted(e.pk for e in sitting.experts)
    assert services.draw_reproduce(draw)
    assert len(sitting.members) == 9 and len(sitting.alternates) == 3
    assert MeetingRecord.objects.filter(meeting=sitting.meeting, kind=RecordKind.DRAW).count() == 1


def test_redraw_needs_reason_and_excludes_out_of_term(sitting):
    with pytest.raises(Refused):
        services.panel_draw(meeting=sitting.meeting, actor=sitting.clerk, seed=1)
    gone = sitting.experts[0]
    Expert.objects.filter(pk=gone.pk).update(term_end=timezone.localdate() - dt.timedelta(days=1))
    draw = services.panel_draw(meeting=sitting.meeting, actor=sitting.clerk, seed=2, reason="专家聘期届满")
    assert draw.number == 2 and draw.reason == "专家聘期届满"
    assert gone.pk not in [e["id"] for e in draw.pool_snapshot] and len(draw.pool_snapshot) == 14
    assert services.draw_reproduce(draw) and services.draw_reproduce(sitting.meeting.draws.get(number=1))


def test_automatic_recusal_same_unit_and_alternate_steps_in(sitting):
    item = sitting.items["recused"]
    recused = sitting.members[3]
    recusal = Recusal.objects.get(item=item)
    assert (recusal.expert, recusal.kind, recusal.reason) == (recused, RecusalKind.AUTOMATIC, "与申报人同一单位")
    seating = seating_of(item)
    assert recused.pk not in seating.seated and seating.stepped_in == (sitting.alternates[0].pk,)
    assert seating_of(sitting.items["plain"]).stepped_in == ()


def test_ballot_refused_without_quorum_and_opened_at_two_thirds(sitting):
    open_with(sitting, sitting.members[:5])  # 5 of 9: below 2/3
    item = sitting.items["plain"]
    with pytest.raises(Refused, match="未达到法定人数"):
        services.ballot_open(item=item, actor=sitting.clerk)
    services.attendance_record(meeting=sitting.meeting, actor=sitting.clerk,
                               present_ids_=[e.pk for e in sitting.members[:6]])  # exactly 2/3
    assert services.ballot_open(item=item, actor=sitting.clerk).ballot == "open"


def test_pass_with_six_of_eight_fail_with_five_and_recused_not_a_voter(sitting):
    present = sitting.members[:8] + [sitting.alternates[0]]  # member 9 absent
    open_with(sitting, present)
    plain, fail, recused = sitting.items["plain"], sitting.items["fail"], sitting.items["recused"]
    assert len(voters_of(plain)) == 8  # the alternate does not sit where nobody is recused
    for item in (plain, fail, recused):
        services.ballot_open(item=item, actor=sitting.clerk)
    _vote(sitting, plain, yes=6, no=1, abstain=1)
    _vote(sitting, fail, yes=5, no=3)
    voters = voters_of(recused)
    assert sitting.members[3].pk not in voters and sitting.alternates[0].pk in voters and len(voters) == 8
    with pytest.raises(Forbidden):
        services.ballot_cast(item=recused, user=sitting.members[3].user, choice="yes")
    _vote(sitting, recused, yes=6, no=2)
    assert turnout(plain) == (8, 8)
    results = {k: services.ballot_close(item=i, actor=sitting.clerk).tally for k, i in sitting.items.items()}
    assert (results["plain"]["yes"], results["plain"]["voters"], results["plain"]["passed"]) == (6, 8, True)
    assert (results["fail"]["yes"], results["fail"]["needed"], results["fail"]["passed"]) == (5, 6, False)
    assert results["recused"]["passed"] is True
    sitting.meeting.refresh_from_db()
    assert sitting.meeting.status == MeetingStatus.CLOSED

    with pytest.raises(Forbidden):
        services.meeting_confirm(meeting=sitting.meeting, user=sitting.members[1].user)
    services.meeting_confirm(meeting=sitting.meeting, user=sitting.members[0].user)
    done, refused = services.outcomes_apply(meeting=sitting.meeting, actor=sitting.clerk)
    assert refused == [] and len(done) == 3
    assert Decision.objects.get(application=plain.application).result == "pass"
    assert Decision.objects.get(application=fail.application).result == "fail"
    plain.application.refresh_from_db()
    assert plain.application.state == State.DECIDED
    assert MeetingRecord.objects.filter(meeting=sitting.meeting, kind=RecordKind.OUTCOME).count() == 3
    assert chain_verify(sitting.meeting).ok


def test_second_ballot_refused_and_ballot_after_close_refused(sitting):
    open_with(sitting, sitting.members[:8])
    item = sitting.items["plain"]
    with pytest.raises(Conflict, match="尚未开始表决"):
        services.ballot_cast(item=item, user=sitting.members[0].user, choice="yes")
    services.ballot_open(item=item, actor=sitting.clerk)
    services.ballot_cast(item=item, user=sitting.members[0].user, choice="yes")
    with pytest.raises(Conflict, match="不能重复投票"):
        services.ballot_cast(item=item, user=sitting.members[0].user, choice="no")
    assert BallotChoice.objects.filter(item=item).count() == 1
    services.ballot_close(item=item, actor=sitting.clerk)
    with pytest.raises(Conflict, match="表决已结束"):
        services.ballot_cast(item=item, user=sitting.members[1].user, choice="yes")
    absent = sitting.members[8]
    services_item = sitting.items["fail"]
    services.ballot_open(item=services_item, actor=sitting.clerk)
    with pytest.raises(Forbidden):  # absent: no proxy votes
        services.ballot_cast(item=services_item, user=absent.user, choice="yes")
    with pytest.raises(Forbidden):  # the clerk is no voter
        services.ballot_cast(item=services_item, user=sitting.clerk, choice="yes")


def test_ballot_secrecy_no_column_links_choice_to_voter(sitting):
    fields = {f.name: f for f in BallotChoice._meta.get_fields() if f.concrete}
    assert set(fields) == {"id", "item", "choice"}
    assert isinstance(fields["id"], models.UUIDField)  # random, not a sequence
    assert not any(isinstance(f, (models.DateTimeField, models.DateField)) for f in fields.values())
    assert fields["item"].related_model.__name__ == "AgendaItem"
    assert not any(f.name in ("choice",) for f in BallotCast._meta.get_fields())
    open_with(sitting, sitting.members[:8])
    item = sitting.items["plain"]
    services.ballot_open(item=item, actor=sitting.clerk)
    _vote(sitting, item, yes=3, no=3, abstain=2)
    # Nothing written at casting time mentions a choice: the audit events name the voter only,
    # and the chain gets no choice before the ballot closes.
    events = AuditEvent.objects.filter(action="meeting.ballot_cast")
    assert events.count() == 8 and all("choice" not in e.after and "yes" not in str(e.after) for e in events)
    assert not MeetingRecord.objects.filter(meeting=sitting.meeting, kind=RecordKind.BALLOT_CHOICE).exists()
    services.ballot_close(item=item, actor=sitting.clerk)
    chained = list(MeetingRecord.objects.filter(meeting=sitting.meeting, kind=RecordKind.BALLOT_CHOICE)
                   .order_by("seq").values_list("ref", flat=True))
    assert chained == sorted(chained) and len(chained) == 8  # in random-id order, not cast order
    assert all("expert" not in r.payload for r in MeetingRecord.objects.filter(kind=RecordKind.BALLOT_CHOICE))


def _closed_meeting_with_opinion(sitting):
    declare_all(sitting)
    item = sitting.items["plain"]
    opinion = services.opinion_record(item=item, user=sitting.members[0].user,
                                      scores={"achievement": 35, "papers": 25, "ability": 28}, comment="业绩突出。")
    open_with(sitting, sitting.members[:8])
    services.ballot_open(item=item, actor=sitting.clerk)
    _vote(sitting, item, yes=6, no=2)
    services.ballot_close(item=item, actor=sitting.clerk)
    return item, opinion


def test_verify_meeting_passes_then_fails_naming_the_altered_ballot(sitting, capsys):
    item, _opinion = _closed_meeting_with_opinion(sitting)
    call_command("verify_meeting", str(sitting.meeting.pk))
    assert "OK" in capsys.readouterr().out
    choice = BallotChoice.objects.filter(item=item, choice="no").order_by("id").first()
    BallotChoice.objects.filter(pk=choice.pk).update(choice="yes")  # tampering in the database
    report = chain_verify(sitting.meeting)
    assert not report.ok and report.failed.kind == RecordKind.BALLOT_CHOICE and report.failed.ref == str(choice.pk)
    with pytest.raises(CommandError, match=f"ballot_choice {choice.pk}"):
        call_command("verify_meeting", str(sitting.meeting.pk))


def test_verify_meeting_fails_naming_an_altered_opinion_or_record(sitting):
    _item, opinion = _closed_meeting_with_opinion(sitting)
    Opinion.objects.filter(pk=opinion.pk).update(comment="不具备申报条件。")
    report = chain_verify(sitting.meeting)
    assert not report.ok and report.failed.kind == RecordKind.OPINION and report.failed.ref == str(opinion.pk)
    Opinion.objects.filter(pk=opinion.pk).update(comment="业绩突出。")
    assert chain_verify(sitting.meeting).ok
    tally = MeetingRecord.objects.get(meeting=sitting.meeting, kind=RecordKind.TALLY)
    MeetingRecord.objects.filter(pk=tally.pk).update(payload={**tally.payload, "ballots": 9})
    report = chain_verify(sitting.meeting)
    assert not report.ok and report.failed.pk == tally.pk and "hash" in report.reason


def test_opinion_needs_declaration_and_seat_and_period(sitting):
    item = sitting.items["recused"]
    scores = {"achievement": 30, "papers": 20, "ability": 20}
    with pytest.raises(Refused, match="声明"):
        services.opinion_record(item=item, user=sitting.members[0].user, scores=scores, comment="好")
    declare_all(sitting)
    with pytest.raises(Forbidden):
        services.opinion_record(item=item, user=sitting.members[3].user, scores=scores, comment="好")
    with pytest.raises(Refused, match="0—40"):
        services.opinion_record(item=item, user=sitting.members[0].user, scores={**scores, "achievement": 41},
                                comment="好")
    later = sitting.meeting.review_end + dt.timedelta(minutes=1)
    with pytest.raises(Refused, match="评审期"):
        services.opinion_record(item=item, user=sitting.members[0].user, scores=scores, comment="好", now=later)
    services.opinion_record(item=item, user=sitting.alternates[0].user, scores=scores, comment="好")
    with pytest.raises(Conflict):
        services.opinion_record(item=item, user=sitting.alternates[0].user, scores=scores, comment="好")


def test_declared_recusal_brings_the_next_alternate(sitting):
    item = sitting.items["plain"]
    services.declaration_make(meeting=sitting.meeting, user=sitting.members[1].user, statement="承诺",
                              recuse_item_ids=[item.pk], reason="近亲属")
    assert Recusal.objects.get(item=item).kind == RecusalKind.DECLARED
    assert seating_of(item).stepped_in == (sitting.alternates[0].pk,)


def test_xlsx_import_checked_against_template(demo_campaign):
    from openpyxl import Workbook, load_workbook

    from tests.factories import ClerkFactory

    clerk = ClerkFactory()
    committee = demo_campaign.committee
    template = load_workbook(io.BytesIO(services.import_template()))
    sheet = template.active
    sheet.delete_rows(2)
    for i in range(15):
        sheet.append([f"导入专家{i}", f"某单位{i}", "工程系列", "建筑、结构", "高级工程师", "2025-01-01", "2027-06-30",
                      f"import_expert_{i}"])
    data = io.BytesIO()
    template.save(data)
    data.seek(0)
    report = services.experts_import(committee=committee, actor=clerk, file=data)
    assert len(report.created) == 15
    expert = Expert.objects.get(name="导入专家3")
    assert expert.specialties == ["建筑", "结构"] and expert.user.role == "expert"

    bad = Workbook()
    bad.active.append(["名字", "单位"])
    out = io.BytesIO()
    bad.save(out)
    out.seek(0)
    with pytest.raises(Refused, match="表头"):
        services.experts_import(committee=committee, actor=clerk, file=out)
    long_term = load_workbook(io.BytesIO(services.import_template()))
    long_term.active.append(["长期专家", "某单位", "", "建筑", "", "2025-01-01", "2028-01-01", ""])
    out = io.BytesIO()
    long_term.save(out)
    out.seek(0)
    with pytest.raises(Refused, match="第3行"):
        services.experts_import(committee=committee, actor=clerk, file=out)
    assert not Expert.objects.filter(name="长期专家").exists()
    with pytest.raises(Forbidden):
        services.experts_import(committee=committee, actor=expert.user, file=io.BytesIO(services.import_template()))


def test_redraw_after_agenda_keeps_chain_valid_and_recuses_new_members(sitting):
    draw = services.panel_draw(meeting=sitting.meeting, actor=sitting.clerk, seed=99, reason="主任委员因病缺席")
    assert draw.number == 2
    assert chain_verify(sitting.meeting).ok
    item = sitting.items["recused"]
    recused_unit = item.application.unit_id
    for expert_id in seating_of(item).seated:
        assert Expert.objects.get(pk=expert_id).unit_id != recused_unit


def test_attendance_frozen_while_a_ballot_is_open(sitting):
    open_with(sitting, sitting.members[:8])
    services.ballot_open(item=sitting.items["plain"], actor=sitting.clerk)
    with pytest.raises(Conflict, match="正在表决"):
        services.attendance_record(meeting=sitting.meeting, actor=sitting.clerk,
                                   present_ids_=[e.pk for e in sitting.members])


def test_closing_rewrites_ballot_rows_so_no_transaction_id_links_them(sitting):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    open_with(sitting, sitting.members[:8])
    item = sitting.items["plain"]
    services.ballot_open(item=item, actor=sitting.clerk)
    _vote(sitting, item, yes=5, no=2, abstain=1)

    def xmins(table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT xmin::text FROM meeting_{table} WHERE item_id = %s", [item.pk])
            return {row[0] for row in cursor.fetchall()}

    assert len(xmins("ballotchoice")) == 8  # while open: one transaction per ballot, shared with its cast
    assert xmins("ballotchoice") == xmins("ballotcast")
    services.ballot_close(item=item, actor=sitting.clerk)
    assert len(xmins("ballotchoice")) == 1 and xmins("ballotchoice") == xmins("ballotcast")
    assert BallotChoice.objects.filter(item=item).count() == 8 and BallotCast.objects.filter(item=item).count() == 8
    assert chain_verify(sitting.meeting).ok
