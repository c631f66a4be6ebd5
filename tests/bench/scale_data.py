"""The scale benchmark's data: one campaign of N applications in realistic states, written fast.

``build(n)`` fills the current (empty, migrated) database: reference data and the seed notices,
~50 units in the reference counties (uneven sizes, as real units are), their officers, a committee
clerk and an administrator, then N applicants with one application each in the demo campaign,
spread over every state of the chain and after acceptance (``STATE_SHARES``), with

* their 12 sections (draft and validated content, as the forms store them) and profile sections;
* 20–60 scans each (drafts fewer), all rows pointing at one stored scan, thumbnail and masked copy;
* the history the one door would have written (``StateChange`` with the round record of each
  submission, publicity, returns and their notes) and the notifications of every transition;
* after acceptance: paper receipts, fee payments (a third in unit batches), defense records and
  sessions, decisions, the results publicity, certificates, review-form documents, a few exports
  and integrity records.

Rows are written with PostgreSQL ``COPY`` (``scale_copy.Table``): 10,000 applications take well
under a minute.  What each application is and went through is planned in ``scale_plan``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import time
import uuid

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from tests.bench.scale_copy import Table, _json, import_first, model, next_id
from tests.bench.scale_plan import (
    AFTER_ACCEPTANCE,
    CODE_ALPHABET,
    RANK,
    REVIEW_STATES,
    RUSH_APPLICANTS,
    SEED,
    STATE_SHARES,
    UNIT_KINDS,
    Plan,
    event_times,
    events_of,
    id_number_of,
    person_name,
    scans_of,
    stage_of,
)

ARCHIVED_INTEGRITY_RECORDS = 60  # earlier years' records, more than a page of the records list

# -- the build ------------------------------------------------------------------------------------

class Build:
    """Everything ``build`` made that the pages need afterwards is found again through the ORM
    (``tests/bench/scale_pages.py``); this object only carries the generation state."""

    def __init__(self, n: int, *, units: int = 50, log=print):
        self.n, self.unit_count, self.log = n, units, log
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.timings: dict[str, float] = {}
        self.rows: dict[str, int] = {}

    def step(self, label: str, fn, *args):
        began = time.perf_counter()
        result = fn(*args)
        self.timings[label] = round(time.perf_counter() - began, 1)
        self.log(f"  {label}: {self.timings[label]} s")
        return result

    def count(self, model_name: str, rows: int) -> None:
        self.rows[model_name] = self.rows.get(model_name, 0) + rows

    # -- reference, units, officers ---------------------------------------------------------------
    def reference(self) -> None:
        seeding = import_first("applications.seeding")
        seeding.load_reference()
        seeding.load_seed_campaigns()
        self.campaign = model("Campaign").objects.select_related("committee").get(code="demo")
        self.specialties = list(self.campaign.specialties.order_by("id"))
        self.levels = {lvl.code: lvl for lvl in model("Level").objects.all()}
        self.fees = {(f.level.code, f.kind): f.amount for f in self.campaign.fees.select_related("level")}
        self.paper_items = list(self.campaign.paper_items.order_by("order", "id").values_list("name", flat=True))
        titles = {(t.specialty_id, t.level_id): t.name for t in model("TitleName").objects.all()}
        series = self.specialties[0].series
        self.series_name = series.name
        self.titles = {(s.pk, code): titles.get((s.pk, lvl.pk)) or titles.get((None, lvl.pk)) or lvl.name
                       for s in self.specialties for code, lvl in self.levels.items()}

    def units_and_officers(self) -> None:
        Unit, User = model("Unit"), model("User")
        counties = list(model("County").objects.order_by("order", "id"))
        units = []
        for k in range(self.unit_count):
            county = counties[k % len(counties)]
            kind, nature = UNIT_KINDS[(k // len(counties)) % len(UNIT_KINDS)]
            short = county.name.replace("回族自治县", "").replace("经济技术开发区", "开发区")
            units.append(Unit(name=f"{short}{kind}" + (f"{k // (len(counties) * len(UNIT_KINDS)) + 1}"
                                                          if k >= len(counties) * len(UNIT_KINDS) else ""),
                              nature=nature, county=county, grassroots_below_county=k % 7 == 3))
        Unit.objects.bulk_create(units)
        self.units = list(Unit.objects.filter(name__in=[u.name for u in units]).select_related("county")
                          .order_by("id"))
        # Uneven sizes: a few large employers, many small ones (Zipf-like weights, shuffled so that
        # the largest units are not all in one county).
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(self.units))]
        self.rng.shuffle(weights)
        total = sum(weights)
        self.cum_weights = [sum(weights[:k + 1]) / total for k in range(len(weights))]
        staff = [User(username=f"danwei{k:02d}", real_name=f"{u.name}人事科", role="unit_officer", unit=u,
                      password="!bench") for k, u in enumerate(self.units)]
        staff += [User(username=f"xianshi{k:02d}", real_name=f"{c.name}人社局职称科", role="county_officer", county=c,
                       password="!bench") for k, c in enumerate(counties)]
        staff += [User(username="pingwei", real_name="评委会办公室", role="committee_clerk",
                       committee=self.campaign.committee, password="!bench"),
                  User(username="admin", real_name="系统管理员", role="admin", is_staff=True, is_superuser=True,
                       password="!bench")]
        User.objects.bulk_create(staff)
        by_name = {u.username: u.pk for u in User.objects.filter(username__in=[s.username for s in staff])}
        self.unit_officer = {u.pk: by_name[f"danwei{k:02d}"] for k, u in enumerate(self.units)}
        self.county_officer = {c.pk: by_name[f"xianshi{k:02d}"] for k, c in enumerate(counties)}
        self.clerk_id, self.admin_id = by_name["pingwei"], by_name["admin"]

    # -- plans ----------------------------------------------------------------------------------
    def plan(self) -> None:
        rng, n = self.rng, self.n
        states = [s for s, _ in STATE_SHARES]
        cum, acc = [], 0.0
        for _, share in STATE_SHARES:
            acc += share
            cum.append(acc)
        user_id, app_id = next_id("User"), next_id("Application")
        codes: set[str] = set()
        self.plans: list[Plan] = []
        start = self.now - dt.timedelta(days=14)
        for i in range(n + RUSH_APPLICANTS):
            rush = i >= n
            state = "draft" if rush else rng.choices(states, cum_weights=cum)[0]
            while True:
                code = "".join(rng.choices(CODE_ALPHABET, k=8))
                if code not in codes:
                    codes.add(code)
                    break
            id_number = id_number_of(i, region=3 if rush else 0)
            level = "junior" if rng.random() < 0.25 else "intermediate"
            kind = "initial" if rng.random() < 0.10 else ("award" if level == "intermediate" and rng.random() < 0.05
                                                          else "review")
            after = state in AFTER_ACCEPTANCE
            created = start + dt.timedelta(seconds=rng.uniform(0, (6 if after else 12.5) * 86400))
            plan = Plan(
                index=i, app_id=app_id + i, user_id=user_id + i, name=person_name(rng), id_number=id_number,
                gender="male" if int(id_number[16]) % 2 else "female",
                unit=rng.choices(range(len(self.units)), cum_weights=self.cum_weights)[0],
                specialty_id=rng.choices(self.specialties, weights=[60, 25, 15][:len(self.specialties)])[0].pk,
                level=level, kind=kind, state=state, code=code, created=created,
                resubmitted=state not in ("draft", "closed") and rng.random() < 0.12,
                return_step=rng.choice(REVIEW_STATES) if state in ("returned", "abandoned") else "",
                scans=0 if rush else (rng.randint(3, 35) if state == "draft" else rng.randint(20, 60)),
                rush=rush)
            plan.exempt = level == "junior" or kind != "review" or rng.random() < 0.2
            if state == "defense_exempt":
                plan.exempt = True
            elif state == "defense_scheduled":
                plan.exempt = False
            elif state == "fee_paid":
                plan.exempt = False  # an exempt application with its fee settled moves on at once
            plan.fraud = state == "closed" and rng.random() < 0.3
            plan.paid = state in ("fee_paid", "defense_scheduled", "defense_exempt", "decided", "certified") or (
                state in ("accepted", "paper_received") and rng.random() < 0.2)
            plan.publicity = any(e[0] == "approve" and e[1] == "unit_review" for e in events_of(plan))
            self.plans.append(plan)

    # -- users, applications, sections ----------------------------------------------------------
    def applicants(self) -> None:
        table = Table("User", ["id", "username", "real_name", "id_number", "role", "password", "date_joined"],
                      now=self.now, constants={"is_active": True})
        rows = ((p.user_id, ("rush-" if p.rush else "") + p.id_number, p.name, p.id_number, "applicant", "!bench",
                 p.created) for p in self.plans)
        self.count("User", table.copy(rows))

    def _sections(self, plan: Plan) -> dict:
        samples = import_first("applications.samples")
        unit = self.units[plan.unit]
        return samples.sample_sections(name=plan.name, id_number=plan.id_number, unit_name=unit.name,
                                       unit_nature=unit.nature, county=unit.county.name, year=self.campaign.year,
                                       level_code=plan.level, grassroots=unit.grassroots_below_county)

    def applications(self) -> None:
        snapshot_module = import_first("applications.snapshot")
        Application = model("Application")
        specialties = {s.pk: s for s in model("Specialty").objects.select_related("series")
                       .prefetch_related("series__titles").filter(pk__in=[s.pk for s in self.specialties])}
        fields = ["id", "applicant_id", "campaign_id", "specialty_id", "level_id", "kind", "unit_id", "code", "state",
                  "submission_count", "submitted_at", "returned_at", "return_deadline", "snapshot", "created_at",
                  "updated_at"]
        table = Table("Application", fields, now=self.now)
        User = model("User")

        def rows():
            for p in self.plans:
                events = events_of(p)
                times = event_times(p, len(events), self.now)
                submits = [t for e, t in zip(events, times) if e[0] in ("submit", "resubmit")]
                returns = [t for e, t in zip(events, times) if e[0] == "return"]
                snapshot = {}
                if submits:
                    app = Application(unit=self.units[p.unit], specialty=specialties[p.specialty_id],
                                      level=self.levels[p.level], applicant=User(real_name=p.name))
                    snapshot = snapshot_module.build_snapshot(app, self._sections(p))
                returned_at = returns[-1] if returns and p.state == "returned" else None
                state = "closed" if p.fraud else p.state
                yield (p.app_id, p.user_id, self.campaign.pk, p.specialty_id, self.levels[p.level].pk, p.kind,
                       self.units[p.unit].pk, p.code, state, len(submits), submits[-1] if submits else None,
                       returned_at, returned_at + dt.timedelta(hours=self.campaign.return_hours) if returned_at else None,
                       _json(snapshot), p.created, (times[-1] if times else p.created))
        self.count("Application", table.copy(rows()))

    def sections(self) -> None:
        editor = import_first("applications.forms.editor", "applications.forms")
        table = Table("ApplicationSection", ["id", "application_id", "key", "draft", "data", "is_complete",
                                             "updated_at"], now=self.now)
        profile = Table("ProfileSection", ["id", "user_id", "key", "data", "updated_at"], now=self.now)
        profile_keys = getattr(import_first("applications.sections"), "PROFILE_SECTIONS", ())
        first = next_id("ApplicationSection")
        first_profile = next_id("ProfileSection")
        buffered: list[tuple] = []

        def rows():
            pk = first
            for p in self.plans:
                sections = self._sections(p)
                keys = list(sections)
                # A draft is being filled in: some sections done, the next one typed but not valid
                # yet, the rest untouched.
                done = len(keys) if p.state != "draft" or p.rush else 3 + p.index % (len(keys) - 2)
                for k, key in enumerate(keys[:done + 1]):
                    raw = _json(editor.json_to_raw(key, sections[key]))
                    complete = k < done
                    yield (pk, p.app_id, str(key), raw, _json(sections[key]) if complete else "{}", complete, p.created)
                    pk += 1
                    if key in profile_keys and complete:
                        buffered.append((p.user_id, str(key), _json(sections[key]), p.created))
        self.count("ApplicationSection", table.copy(rows()))
        self.count("ProfileSection", profile.copy((first_profile + k, *row) for k, row in enumerate(buffered)))

    # -- files and scans ----------------------------------------------------------------------
    def stored_files(self) -> None:
        """One scan (original, thumbnail, masked copy) and one PDF, stored once; every row points at them."""
        from PIL import Image

        samples = import_first("applications.samples")
        scan = samples.sample_scan("毕业证书", "王建华")
        image = Image.open(io.BytesIO(scan))
        thumb = image.copy()
        thumb.thumbnail((360, 360))
        out = io.BytesIO()
        thumb.save(out, "JPEG", quality=80)
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        pdf = io.BytesIO()
        writer.write(pdf)

        def store(name: str, data: bytes) -> str:
            if default_storage.exists(name):
                default_storage.delete(name)
            return default_storage.save(name, ContentFile(data))

        self.scan = {"file": store("bench/scan.jpg", scan), "thumb": store("bench/scan-thumb.jpg", out.getvalue()),
                     "masked": store("bench/scan-masked.jpg", scan), "size": len(scan), "width": image.width,
                     "height": image.height, "sha256": hashlib.sha256(scan).hexdigest()}
        self.pdf = {"file": store("bench/document.pdf", pdf.getvalue()), "size": len(pdf.getvalue()),
                    "sha256": hashlib.sha256(pdf.getvalue()).hexdigest()}

    def attachments(self) -> None:
        table = Table("Attachment", ["id", "uid", "application_id", "section", "slot", "row", "order", "file",
                                     "thumbnail", "masked", "needs_masking", "mask_boxes", "ocr_status", "created_at"],
                      now=self.now, constants={"content_type": "image/jpeg", "original_name": "scan.jpg",
                                               "size": self.scan["size"], "width": self.scan["width"],
                                               "height": self.scan["height"], "sha256": self.scan["sha256"]})
        first = next_id("Attachment")
        rng = random.Random(SEED + 1)
        box = _json([[100, 285, 700, 90]])
        original, thumb, masked = self.scan["file"], self.scan["thumb"], self.scan["masked"]

        def rows():
            pk = first
            for p in self.plans:
                p.att_start = pk
                layout = scans_of(p, self.units[p.unit].nature.endswith("enterprise"))
                orders: dict[str, int] = {}
                for section, slot, row in layout:
                    order = orders.get(slot, 0)
                    orders[slot] = order + 1
                    named = slot not in ("photo", "social_insurance")
                    answered = p.state != "draft" or rng.random() < 0.7
                    needs = (named if answered else None)
                    yield (pk, uuid.UUID(int=rng.getrandbits(128)), p.app_id, section, slot, row, order, original,
                           thumb, masked if needs else "", needs, box if needs else "[]",
                           "done" if answered else "pending", p.created)
                    pk += 1
        self.count("Attachment", table.copy(rows()))

    # -- history, notes, publicity, notifications -----------------------------------------------
    def _actor(self, plan: Plan, role: str) -> int | None:
        unit = self.units[plan.unit]
        return {"applicant": plan.user_id, "unit_officer": self.unit_officer[unit.pk],
                "county_officer": self.county_officer[unit.county_id], "committee_clerk": self.clerk_id}.get(role)

    def _round(self, plan: Plan, sections: dict) -> str:
        layout = scans_of(plan, self.units[plan.unit].nature.endswith("enterprise"))
        files = [{"id": plan.att_start + k, "section": s, "slot": slot, "file": self.scan["file"]}
                 for k, (s, slot, _row) in enumerate(layout) if slot not in ("publicity", "publicity_result")]
        return _json({"sections": {str(k): v for k, v in sections.items()}, "attachments": files})

    def history(self) -> None:
        table = Table("StateChange", ["id", "application_id", "action", "from_state", "to_state", "actor_id",
                                      "actor_role", "comment", "submission_round", "data", "created_at"], now=self.now)
        first = next_id("StateChange")
        publicity_end = self.today - dt.timedelta(days=2)
        self.publicity_rows: list[tuple] = []
        self.return_rows: list[tuple] = []
        self.change_ids: dict[int, int] = {}

        def rows():
            pk = first
            for p in self.plans:
                events = events_of(p)
                if not events:
                    continue
                self.change_ids[p.index] = pk
                times = event_times(p, len(events), self.now)
                rounds = 0
                sections = None
                for (action, source, to, role), at in zip(events, times):
                    data, comment = {}, ""
                    if action in ("submit", "resubmit"):
                        rounds += 1
                        sections = sections or self._sections(p)
                        data_text = self._round(p, sections)
                    else:
                        if action == "approve" and source == "unit_review":
                            data = {"publicity": {"start": (publicity_end - dt.timedelta(days=8)).isoformat(),
                                                  "end": publicity_end.isoformat(), "working_days": 7}}
                            comment = self.campaign.unit_opinion_text
                            self.publicity_rows.append((p.app_id, self._actor(p, role)))
                        elif action == "approve":
                            comment = "同意推荐。" if source == "county_review" else "评审委员会已接收材料"
                        elif action == "return":
                            comment = "继续教育合格证书扫描件不清晰，请重新上传；工作经历时间不衔接。"
                            self.return_rows.append((pk, p.app_id))
                        elif action == "confirm_fee":
                            due = self.fees.get((p.level, p.kind))
                            data = {"fee": {"due": due, "amount": str(due), "receipt": f"R{p.code}"}}
                        elif action == "decide":
                            data = {"decision": {"result": "pass", "meeting_date": self.meeting_day.isoformat()}}
                        data_text = _json(data)
                    yield (pk, p.app_id, action, source, to, self._actor(p, role),
                           "system" if role == "system" else role, comment, rounds, data_text, at)
                    pk += 1
        self.meeting_day = self.today - dt.timedelta(days=9)
        self.count("StateChange", table.copy(rows()))
        self.reached_steps()

    def reached_steps(self) -> None:
        """The queues' flags (``Application.reached_*``, issue 16) and the state the latest change
        left (``left_from``) from the history just written, as the one door sets them row by row
        (the values the migrations' backfills give)."""
        flags = getattr(import_first("applications.states"), "REACHED_FIELD_OF_STATE", None)
        if not flags:
            return
        by_field: dict[str, list[str]] = {}
        for state, name in flags.items():
            by_field.setdefault(name, []).append(str(state))
        # One pass over the history grouped by application (the per-row EXISTS of the migrations
        # rescanned the unanalysed history for every application: hours at 100,000).
        columns = [f"bool_or(s.to_state IN ({', '.join(repr(v) for v in states)})) AS {name}"
                   for name, states in by_field.items()]
        sets = [f"{name} = h.{name}" for name in by_field]
        if any(f.name == "left_from" for f in model("Application")._meta.get_fields()):
            # The state the latest change left (the committee's returned and closed ones).
            columns.append("(array_agg(s.from_state ORDER BY s.created_at DESC, s.id DESC))[1] AS left_from")
            sets.append("left_from = COALESCE(h.left_from, '')")
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE applications_application AS a SET {', '.join(sets)} FROM "
                           f"(SELECT s.application_id, {', '.join(columns)} FROM applications_statechange s "
                           f"GROUP BY s.application_id) AS h WHERE h.application_id = a.id")

    def notes_and_publicity(self) -> None:
        notes = Table("ReturnNote", ["id", "change_id", "application_id", "section", "text"], now=self.now)
        first = next_id("ReturnNote")
        rows = []
        for k, (change_id, app_id) in enumerate(self.return_rows):
            rows.append((first + 2 * k, change_id, app_id, "ce", "2023年公需科目证书看不清，请重新扫描。"))
            rows.append((first + 2 * k + 1, change_id, app_id, "work_history", "第二段工作经历的起始日期应为上一段结束日期的次日。"))
        self.count("ReturnNote", notes.copy(rows))
        publicity = Table("UnitPublicity", ["id", "application_id", "start", "end", "working_days", "opinion",
                                            "recorded_by_id"], now=self.now)
        end = self.today - dt.timedelta(days=2)
        seen: dict[int, int | None] = dict(self.publicity_rows)  # the latest approval's row
        first = next_id("UnitPublicity")
        self.count("UnitPublicity", publicity.copy(
            (first + k, app_id, end - dt.timedelta(days=8), end, 7, self.campaign.unit_opinion_text, actor)
            for k, (app_id, actor) in enumerate(seen.items())))

    def notifications(self) -> None:
        table = Table("Notification", ["id", "user_id", "application_id", "change_id", "title", "body", "read_at",
                                       "created_at"], now=self.now)
        first = next_id("Notification")
        officers_of = {"unit_review": "unit_officer", "county_review": "county_officer",
                       "committee_review": "committee_clerk"}

        def rows():
            pk = first
            for p in self.plans:
                events = events_of(p)
                if not events:
                    continue
                times = event_times(p, len(events), self.now)
                change = self.change_ids[p.index]
                for k, ((action, _source, to, _role), at) in enumerate(zip(events, times)):
                    read = at if at < self.now - dt.timedelta(days=1) else None
                    yield (pk, p.user_id, p.app_id, change + k, f"您的申报 {p.code} 状态更新", f"当前状态：{to}", read, at)
                    pk += 1
                    if to in officers_of:
                        who = self._actor(p, officers_of[to])
                        label = f"申报 {p.code}" if to == "committee_review" else f"{p.name}的申报 {p.code}"
                        yield (pk, who, p.app_id, change + k, f"{label}待您审核", "", read, at)
                        pk += 1
        self.count("Notification", table.copy(rows()))

    # -- after acceptance ---------------------------------------------------------------------
    def aftercare(self) -> None:
        clerk, today, now = self.clerk_id, self.today, self.now
        accepted = [p for p in self.plans if stage_of(p) is not None]

        # Paper: the whole checklist from paper_received on; some accepted ones partly.
        receipts = Table("PaperReceipt", ["id", "application_id", "item_name", "received_on", "recorded_by_id",
                                          "recorded_at"], now=now)
        first = next_id("PaperReceipt")

        def paper_rows():
            pk = first
            for p in accepted:
                reached = RANK[stage_of(p)] >= 1
                items = self.paper_items if reached else (self.paper_items[:4] if p.index % 5 < 2 else [])
                for name in items:
                    yield (pk, p.app_id, name, today - dt.timedelta(days=5), clerk, now)
                    pk += 1
        self.count("PaperReceipt", receipts.copy(paper_rows()))

        # Fees: two thirds paid individually, a third in one batch per unit.
        paid = [p for p in accepted if p.paid and self.fees.get((p.level, p.kind)) is not None]
        batched = [p for p in paid if p.index % 3 == 0]
        batches = Table("FeeBatch", ["id", "campaign_id", "unit_id", "amount", "paid_on", "receipt_number",
                                     "recorded_by_id", "recorded_at"], now=now)
        first_batch = next_id("FeeBatch")
        batch_of_unit: dict[int, int] = {}
        totals: dict[int, int] = {}
        for p in batched:
            totals[p.unit] = totals.get(p.unit, 0) + self.fees[(p.level, p.kind)]
        rows = []
        for k, (unit, amount) in enumerate(sorted(totals.items())):
            batch_of_unit[unit] = first_batch + k
            rows.append((first_batch + k, self.campaign.pk, self.units[unit].pk, amount, today - dt.timedelta(days=4),
                         f"PL-{self.units[unit].pk}", clerk, now))
        self.count("FeeBatch", batches.copy(rows))
        payments = Table("FeePayment", ["id", "application_id", "amount", "paid_on", "receipt_number", "batch_id",
                                        "recorded_by_id", "recorded_at"], now=now)
        first = next_id("FeePayment")
        self.count("FeePayment", payments.copy(
            (first + k, p.app_id, self.fees[(p.level, p.kind)], today - dt.timedelta(days=4),
             f"PL-{self.units[p.unit].pk}" if p.index % 3 == 0 else f"R{p.code}",
             batch_of_unit[p.unit] if p.index % 3 == 0 else None, clerk, now) for k, p in enumerate(paid)))

        # Defense: sessions per specialty (past ones for the decided, upcoming for the scheduled).
        sessions = Table("DefenseSession", ["id", "campaign_id", "specialty_id", "date", "time_slot", "place",
                                            "created_by_id", "created_at"], now=now)
        first_session = next_id("DefenseSession")
        session_rows, session_of = [], {}
        pk = first_session
        for past in (True, False):
            for specialty in self.specialties:
                members = [p for p in accepted if p.specialty_id == specialty.pk and not p.exempt and (
                    p.state in ("decided", "certified") if past else p.state == "defense_scheduled")]
                for start in range(0, len(members), 40):
                    day = self.meeting_day - dt.timedelta(days=3) if past else self.campaign.defense_start
                    session_rows.append((pk, self.campaign.pk, specialty.pk, day,
                                         ["上午 9:30—12:00", "下午 15:30—19:00"][(start // 40) % 2],
                                         "巴州住建大厦13楼1311室" if past else "", clerk, now))
                    for p in members[start:start + 40]:
                        session_of[p.index] = pk
                    pk += 1
        self.count("DefenseSession", sessions.copy(session_rows))
        records = Table("DefenseRecord", ["id", "application_id", "exempt", "grounds", "session_id", "score",
                                          "passed", "absent", "scored_by_id", "scored_at", "evaluated_at"], now=now)
        grounds = _json(["申报初级专业技术职务任职资格。"])
        first = next_id("DefenseRecord")

        def defense_rows():
            pk = first
            for p in accepted:
                if p.fraud or RANK[p.state] < 2 or (p.state == "fee_paid" and p.index % 2):
                    continue
                decided = p.state in ("decided", "certified")
                score = None if p.exempt or not decided else 60 + p.index % 36
                yield (pk, p.app_id, p.exempt, grounds if p.exempt else "[]", session_of.get(p.index), score, None,
                       False, clerk if score is not None else None, now if score is not None else None, now)
                pk += 1
        self.count("DefenseRecord", records.copy(defense_rows()))

        decided = [p for p in accepted if p.state in ("decided", "certified")]
        decisions = Table("Decision", ["id", "application_id", "result", "meeting_date", "defense_score",
                                       "defense_basis", "recorded_by_id", "recorded_at"], now=now)
        first = next_id("Decision")
        self.count("Decision", decisions.copy(
            (first + k, p.app_id, "pass" if p.state == "certified" or p.index % 5 else "fail", self.meeting_day,
             None if p.exempt else 60 + p.index % 36,
             "免于答辩，按本专业答辩人员平均分赋分" if p.exempt else "参加现场答辩", clerk, now)
            for k, p in enumerate(decided)))
        if decided:
            model("ResultPublicity").objects.create(
                campaign=self.campaign, start=self.meeting_day + dt.timedelta(days=1),
                end=self.meeting_day + dt.timedelta(days=7), working_days=5, recorded_by_id=clerk)
        self.certificates([p for p in decided if p.state == "certified"])
        self.integrity([p for p in self.plans if p.fraud])

    def certificates(self, certified: list[Plan]) -> None:
        """Each certificate with its rendered file: a ready ``Document`` of kind ``certificate``."""
        documents = Table("Document", ["id", "uid", "kind", "series_key", "version", "application_id", "campaign_id",
                                       "scope_kind", "scope_id", "scope_label", "status", "progress", "file",
                                       "filename", "checksum", "size", "pages", "verify_code", "is_current",
                                       "created_at", "started_at", "finished_at"], now=self.now)
        table = Table("Certificate", ["id", "application_id", "campaign_id", "number", "token", "holder_name",
                                      "id_number", "gender", "series", "specialty", "level", "title", "kind",
                                      "committee", "meeting_date", "issued_on", "document_id", "issued_by_id",
                                      "created_at"], now=self.now)
        first = next_id("Certificate")
        first_document = next_id("Document")
        rng = random.Random(SEED + 2)
        specialties = {s.pk: s.name for s in self.specialties}
        kinds = {"review": "评审", "initial": "初次确定", "award": "授予"}
        tokens: set[str] = set()
        now, pdf = self.now, self.pdf

        def token() -> str:
            while True:
                value = "".join(rng.choices(CODE_ALPHABET, k=16))
                if value not in tokens:
                    tokens.add(value)
                    return value

        self.count("Document", documents.copy(
            (first_document + k, uuid.UUID(int=rng.getrandbits(128)), "certificate", f"certificate:{first + k}", 1,
             p.app_id, self.campaign.pk, "application", p.app_id, p.code, "ready", 100, pdf["file"],
             f"证书_{p.code}.pdf", pdf["sha256"], pdf["size"], 1, None, True, now, now, now)
            for k, p in enumerate(certified)))
        self.count("Certificate", table.copy(
            (first + k, p.app_id, self.campaign.pk,
             f"BZ{self.campaign.year}-{self.campaign.committee_id:03d}-{k + 1:05d}", token(), p.name, p.id_number,
             "男" if p.gender == "male" else "女", self.series_name, specialties[p.specialty_id],
             self.levels[p.level].name, self.titles[(p.specialty_id, p.level)], kinds[p.kind],
             self.campaign.committee.name, self.meeting_day, self.meeting_day + dt.timedelta(days=10),
             first_document + k, self.clerk_id, self.now)
            for k, p in enumerate(certified)))

    def integrity(self, frauds: list[Plan]) -> None:
        table = Table("IntegrityRecord", ["id", "id_number", "name", "person_id", "unit_id", "campaign_id",
                                          "application_id", "facts", "person_ban_years", "person_banned_until",
                                          "recorded_by_id", "recorded_at"], now=self.now)
        first = next_id("IntegrityRecord")
        rows = [(first + k, p.id_number, p.name, p.user_id, None, self.campaign.pk, p.app_id,
                 "提供的继续教育合格证书系伪造，经发证机构核实无此证书", 3, dt.date(self.campaign.year + 3, 12, 31),
                 self.clerk_id, self.now) for k, p in enumerate(frauds)]
        # The prefecture's archive from earlier years (bans still running), the same at every size:
        # the records page is full at 1,000 applications too.
        rows += [(first + len(frauds) + k, f"65280119800101{k:03d}X"[-18:], f"往年{k:03d}", None, None, self.campaign.pk,
                  None, "往年评审中提供虚假学历证明", 3, dt.date(self.campaign.year + 1, 12, 31), self.clerk_id,
                  self.now - dt.timedelta(days=400 + k)) for k in range(ARCHIVED_INTEGRITY_RECORDS)]
        self.count("IntegrityRecord", table.copy(rows))

    def documents(self) -> None:
        """The current review form of every accepted application, and some exports of each scope."""
        table = Table("Document", ["id", "uid", "kind", "series_key", "version", "application_id", "campaign_id",
                                   "scope_kind", "scope_id", "scope_label", "status", "progress", "file", "filename",
                                   "checksum", "size", "pages", "verify_code", "is_current", "created_at",
                                   "started_at", "finished_at"], now=self.now)
        first = next_id("Document")
        rng = random.Random(SEED + 3)
        codes: set[str] = set()

        def verify_code() -> str:
            while True:
                value = "".join(rng.choices(CODE_ALPHABET, k=10))
                if value not in codes:
                    codes.add(value)
                    return value

        now, pdf = self.now, self.pdf

        def rows():
            pk = first
            for p in self.plans:
                if p.state not in AFTER_ACCEPTANCE:
                    continue
                yield (pk, uuid.UUID(int=rng.getrandbits(128)), "review_form", f"review_form:a{p.app_id}", 1, p.app_id,
                       self.campaign.pk, "application", p.app_id, p.code, "ready", 100, pdf["file"],
                       f"评审表_{p.code}.pdf", pdf["sha256"], pdf["size"], 6, verify_code(), True, now, now, now)
                pk += 1
            scopes = [("committee", self.campaign.committee_id, str(self.campaign.committee))]
            scopes += [("unit", u.pk, u.name) for u in self.units[:10]]
            scopes += [("county", c, "") for c in sorted({u.county_id for u in self.units})]
            for kind_, id_, label in scopes:
                for version, doc_kind in enumerate(("roster_xlsx", "roster_pdf", "fee_list_xlsx", "roster_xlsx"), 1):
                    yield (pk, uuid.UUID(int=rng.getrandbits(128)), doc_kind,
                           f"{doc_kind}:{kind_}:{id_}:c{self.campaign.pk}:{version}", 1, None, self.campaign.pk,
                           kind_, id_, label, "ready", 100, pdf["file"], f"{doc_kind}.{doc_kind.rsplit('_', 1)[1]}",
                           pdf["sha256"], pdf["size"],
                           2, None, False, now, now, now)
                    pk += 1
        self.count("Document", table.copy(rows()))

    # -- finish -------------------------------------------------------------------------------
    def finish(self) -> None:
        models = [m for m in apps.get_models() if m._meta.managed]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        with connection.cursor() as cursor:
            # VACUUM (visibility map: index-only scans, as on a settled database) cannot run in a
            # transaction, e.g. a test's.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def build(n: int, *, units: int = 50, log=print) -> dict:
    """Fill the current database (migrated, empty) with ``n`` applications; returns timings and row
    counts."""
    b = Build(n, units=units, log=log)
    began = time.perf_counter()
    b.step("reference", b.reference)
    b.step("units and officers", b.units_and_officers)
    b.step("plan", b.plan)
    b.step("applicants", b.applicants)
    b.step("applications", b.applications)
    b.step("sections", b.sections)
    b.step("stored files", b.stored_files)
    b.step("attachments", b.attachments)
    b.step("history", b.history)
    b.step("notes and publicity", b.notes_and_publicity)
    b.step("notifications", b.notifications)
    b.step("after acceptance", b.aftercare)
    b.step("documents", b.documents)
    b.step("vacuum analyze", b.finish)
    states: dict[str, int] = {}
    for p in b.plans:
        key = "closed" if p.fraud else p.state
        states[key] = states.get(key, 0) + 1
    return {"seconds": round(time.perf_counter() - began, 1), "steps": b.timings, "rows": b.rows, "states": states,
            "units": len(b.units), "counties": len({u.county_id for u in b.units})}


__all__ = ["STATE_SHARES", "build", "import_first", "model"]
