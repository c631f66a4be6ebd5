"""The meeting's hash chain: ``chain_append`` (inside the writing transaction, the meeting row
locked) and ``chain_verify``.

Each ``MeetingRecord`` stores ``hash = sha256(prev_hash + canonical JSON of {seq, kind, ref,
payload})`` (canonical: sorted keys, no spaces, UTF-8); the first record's ``prev_hash`` is 64
zeros.  ``chain_verify`` walks the records in order and reports the first that fails, either
because its own hash does not match (the record was edited), or because the row it describes no
longer says what the record says (a ballot choice, opinion, score, attendance or recusal edited
in the database), or because a tally no longer matches the ballot choices.

Ballot choices enter the chain when the ballot closes, sorted by their random ids: appended as
they are cast, the chain's order would link each choice to the voter of the same moment.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .models import (
    AgendaItem,
    Attendance,
    BallotChoice,
    MeetingRecord,
    Opinion,
    PanelDefenseScore,
    Recusal,
    RecordKind,
)
from .rules import MeetingNumbers, tally

GENESIS = "0" * 64


def canonical(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def record_hash(prev_hash: str, seq: int, kind: str, ref: str, payload) -> str:
    body = canonical({"seq": seq, "kind": kind, "ref": ref, "payload": payload})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def chain_append(meeting, kind: str, payload: dict, ref: str = "") -> MeetingRecord:
    """Append one record (call with the meeting row locked, in the transaction of the write)."""
    last = MeetingRecord.objects.filter(meeting=meeting).order_by("-seq").first()
    seq = last.seq + 1 if last else 1
    prev = last.hash if last else GENESIS
    payload = json.loads(canonical(payload))  # what is stored is exactly what was hashed
    return MeetingRecord.objects.create(meeting=meeting, seq=seq, kind=kind, ref=str(ref), payload=payload,
                                        prev_hash=prev, hash=record_hash(prev, seq, kind, str(ref), payload))


# -- what each record says about its row ---------------------------------------------------------------

def opinion_payload(opinion: Opinion) -> dict:
    return {"item": opinion.item_id, "expert": opinion.expert_id, "scores": opinion.scores,
            "total": str(opinion.total), "comment": opinion.comment}


def choice_payload(choice: BallotChoice) -> dict:
    return {"item": choice.item_id, "choice": choice.choice}


def score_payload(score: PanelDefenseScore) -> dict:
    return {"item": score.item_id, "expert": score.expert_id, "score": str(score.score)}


def attendance_payload(row: Attendance) -> dict:
    return {"expert": row.expert_id, "present": row.present}


def recusal_payload(row: Recusal) -> dict:
    return {"item": row.item_id, "expert": row.expert_id, "kind": row.kind, "reason": row.reason}


def _live(record: MeetingRecord):
    """The payload the row behind ``record`` would give now (``None``: nothing to compare)."""
    kind, ref = record.kind, record.ref
    if kind == RecordKind.BALLOT_CHOICE:
        row = BallotChoice.objects.filter(pk=ref).first()
        return choice_payload(row) if row else {"missing": ref}
    if kind == RecordKind.OPINION:
        row = Opinion.objects.filter(pk=ref).first()
        return opinion_payload(row) if row else {"missing": ref}
    if kind == RecordKind.DEFENSE_SCORE:
        row = PanelDefenseScore.objects.filter(pk=ref).first()
        return score_payload(row) if row else {"missing": ref}
    if kind == RecordKind.RECUSAL:
        row = Recusal.objects.filter(pk=ref).first()
        return recusal_payload(row) if row else {"missing": ref}
    if kind == RecordKind.TALLY:
        item = AgendaItem.objects.get(pk=ref)
        numbers = MeetingNumbers(**item.meeting.numbers)
        choices = list(BallotChoice.objects.filter(item=item).values_list("choice", flat=True))
        recount = tally(choices, record.payload["tally"]["voters"], numbers).as_dict()
        return {**record.payload, "tally": recount, "ballots": len(choices)}
    return None


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    records: int
    failed: MeetingRecord | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.records} records, chain and tallies match"
        return f"FAILED at record #{self.failed.seq} ({self.failed.kind} {self.failed.ref}): {self.reason}"


def chain_verify(meeting) -> ChainReport:
    """Recompute the chain and the tallies; the first record that does not match, with why."""
    prev = GENESIS
    count = 0
    for record in MeetingRecord.objects.filter(meeting=meeting).order_by("seq"):
        count += 1
        if record.prev_hash != prev:
            return ChainReport(False, count, record, "prev_hash does not match the previous record")
        if record_hash(prev, record.seq, record.kind, record.ref, record.payload) != record.hash:
            return ChainReport(False, count, record, "hash does not match its content (record edited)")
        live = _live(record)
        if live is not None and canonical(live) != canonical(record.payload):
            what = "tally does not match the ballots" if record.kind == RecordKind.TALLY else \
                "stored row differs from the chained record"
            return ChainReport(False, count, record, f"{what}: chained {canonical(record.payload)}, "
                                                     f"now {canonical(live)}")
        prev = record.hash
    return ChainReport(True, count)
