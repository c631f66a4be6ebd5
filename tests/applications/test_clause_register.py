"""The clause registers (issue 15): every clause of every notice has a place in the portal and a test
or a reason, and everything a register points at still exists.

Format: ``applications/clause_register.py``.  What is checked:

* every numbered clause, sub-clause and 附件 the notice has (found by reading the notice's own
  numbering, ``notice_clause_ids``) has an entry, and every entry quotes the notice's own words;
* each entry has a place or a 说明 (``note``), and a test or a 说明; open items (wrong / missing /
  partial) carry a ``todo`` for phase 2, ``not-automatable`` ones a 说明;
* every place resolves: fixture keys in the campaign fixture, dotted paths by import, ``Model.attr``
  on the model of that name, templates through Django's loaders, URL names in the URLconf;
* every test node id names a test function that exists (the module is parsed, not run).

No clause may be wrong or missing (``test_no_clause_is_wrong_or_missing``): phase 2
(docs/clauses-phase2.md) fixed the last of them; partly-done clauses keep a ``todo``.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape

from applications.clause_register import (
    OPEN_STATUSES,
    STATUSES,
    Clause,
    load_register,
    parse_register,
    place_problem,
    url_names,
)
from applications.models import Campaign

from .rules_support import SEED_FILES, notice

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "campaigns"
NOTICES = ROOT / "fixtures" / "notices"
CODES = sorted(SEED_FILES)
CN = "一二三四五六七八九十"
ITEM = re.compile(r"^(\d{1,2})(?:[.．、]|(?=“))")
QUOTE_MAX = 80  # the key words, not the whole clause
# The committee 001 names nowhere (README; P2-11): its register says so.
INVENTED = {("bz-2023-dangxiao", "committee")}


def register(code: str):
    found = load_register(code)
    assert found is not None, f"fixtures/campaigns/{code}.clauses.json is missing"
    return found


def fixture(code: str) -> dict:
    return json.loads((FIXTURES / f"{code}.json").read_text(encoding="utf-8"))


def _line(raw: str) -> str:
    return raw.strip().replace("(", "（").replace(")", "）").replace(":", "：").lstrip("- ").strip()


def notice_clause_ids(text: str) -> list[str]:
    """The notice's own numbering: chapters (五), sub-clauses (五（一）), items (五（一）12) and every
    附件 it lists or mentions.  Reading stops at the attachment list (their bodies follow it)."""
    ids: list[str] = []
    chapter = sub = None
    listing = done = False
    for raw in text.splitlines():
        line = _line(raw)
        if not line or done:
            continue
        head = re.match(r"^附件：\s*(.*)$", line)
        if head:
            listing, line = True, head.group(1).strip()
            if not line:
                continue
        if listing:
            item = ITEM.match(line)
            if item:
                ids.append(f"附件{item.group(1)}")
            else:
                done = True
            continue
        if re.match(r"^附件\s*\d", line):
            done = True
            continue
        if match := re.match(rf"^([{CN}]+)、", line):
            chapter, sub = match.group(1), None
            ids.append(chapter)
        elif (match := re.match(rf"^（([{CN}]+)）", line)) and chapter:
            sub = match.group(1)
            ids.append(f"{chapter}（{sub}）")
        elif (match := ITEM.match(line)) and chapter:
            ids.append(f"{chapter}（{sub}）{match.group(1)}" if sub else f"{chapter}{match.group(1)}")
    mentioned = {f"附件{n}" for n in re.findall(r"附件\s*(\d)", text)}
    return ids + sorted(mentioned - set(ids))


def covered(clause_id: str, ids: set[str]) -> bool:
    """An id is covered by its own entry or by entries below it (五 by 五（一）1, 三 by 三·6)."""
    below = "（0123456789" if not clause_id[-1].isdigit() else "（"
    return any(i == clause_id or i.startswith(clause_id + "·") or
               (i.startswith(clause_id) and i[len(clause_id)] in below) for i in ids)


@cache
def defined_tests(module: str) -> frozenset[str]:
    """``name`` and ``Class::name`` of every test in a module, read from its source."""
    path = ROOT / module
    if not path.exists():
        return frozenset()
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names |= {f"{node.name}::{f.name}" for f in node.body
                      if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name.startswith("test")}
    return frozenset(names)


def node_exists(node_id: str) -> bool:
    module, _sep, name = node_id.partition("::")
    return bool(name) and re.sub(r"\[.*\]$", "", name) in defined_tests(module)


# -- the registers --------------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_register_names_its_campaign_and_notice(code):
    reg = register(code)
    assert reg.campaign == code
    assert reg.source == fixture(code)["source"] == SEED_FILES[code]


@pytest.mark.parametrize("code", CODES)
def test_every_numbered_clause_and_attachment_has_an_entry(code):
    ids = {c.id for c in register(code).clauses}
    expected = notice_clause_ids((NOTICES / SEED_FILES[code]).read_text(encoding="utf-8"))
    assert [i for i in expected if not covered(i, ids)] == []
    assert len({c.id for c in register(code).clauses}) == len(register(code).clauses), "duplicate ids"


@pytest.mark.parametrize("code", CODES)
def test_quotes_are_the_notices_own_words(code):
    text = notice(code)
    wrong = []
    for clause in register(code).clauses:
        quote = re.sub(r"\s+", "", clause.quote).translate(str.maketrans({",": "，", ";": "；", ":": "：",
                                                                            "(": "（", ")": "）"}))
        parts = [p for p in quote.split("……") if p]
        if len(clause.quote) > QUOTE_MAX or not parts or any(p not in text for p in parts):
            wrong.append((clause.id, [p for p in parts if p not in text] or len(clause.quote)))
    assert wrong == []


def entry_problems(clause: Clause) -> list[str]:
    problems = []
    if not clause.places and not clause.note:
        problems.append("neither a place nor a 说明")
    if not clause.tests and not clause.note:
        problems.append("neither a test nor a 说明")
    if clause.status in OPEN_STATUSES and not clause.todo:
        problems.append(f"{clause.status} without a todo")
    if clause.status == "not-automatable" and not clause.note:
        problems.append("not-automatable without a 说明")
    if clause.status == "implemented" and clause.todo:
        problems.append("implemented with a todo")
    return problems


@pytest.mark.parametrize("code", CODES)
def test_every_clause_has_a_place_and_a_test_or_a_reason(code):
    found = {c.id: entry_problems(c) for c in register(code).clauses}
    assert {k: v for k, v in found.items() if v} == {}


@pytest.mark.parametrize("code", CODES)
def test_every_place_still_exists(code):
    data, urls = fixture(code), url_names()
    broken = [(c.id, problem) for c in register(code).clauses for place in c.places
              if (problem := place_problem(place, fixture=data, urls=urls))]
    assert broken == []


@pytest.mark.parametrize("code", CODES)
def test_every_referenced_test_exists(code):
    missing = [(c.id, t) for c in register(code).clauses for t in c.tests if not node_exists(t)]
    assert missing == []


@pytest.mark.parametrize("code", CODES)
def test_campaign_identity_is_the_notices_own(code):
    """Title, issuer and committee (落款) of the fixture are in the notice; 001 names no committee and
    its register says so (``通知`` entry, P2-11)."""
    data, text = fixture(code), notice(code)
    values = {"title": data["title"], "issuer": data["issuer"], "committee": data["committee"]["name"]}
    absent = {key for key, value in values.items() if re.sub(r"\s+", "", value) not in text}
    assert absent == {key for c, key in INVENTED if c == code}
    if absent:
        entry = next(c for c in register(code).clauses if c.id == "通知")
        assert entry.status == "partial" and "评委会" in entry.note


# -- the checks themselves ------------------------------------------------------------------------

def test_the_checks_catch_what_they_should(reference):
    data = fixture("bz-2023-jianzhu")
    assert place_problem("fixture:materials[social_insurance]", fixture=data) is None
    assert place_problem("fixture:materials[no_such_slot]", fixture=data)
    assert place_problem("Campaign.return_hours", fixture=data) is None
    assert place_problem("Campaign.no_such_field", fixture=data)
    assert place_problem("applications.rules.eligibility.check_groups", fixture=data) is None
    assert place_problem("applications.rules.eligibility.no_such_rule", fixture=data)
    assert place_problem("documents/pdf/review_form.html", fixture=data) is None
    assert place_problem("documents/pdf/no_such_form.html", fixture=data)
    assert place_problem("url:aftercare:certificate_lookup", fixture=data) is None
    assert place_problem("url:aftercare:no_such_page", fixture=data)
    assert node_exists("tests/applications/test_clause_register.py::test_the_checks_catch_what_they_should")
    assert not node_exists("tests/applications/test_clause_register.py::test_no_such_test")
    assert entry_problems(Clause(id="一", quote="x", status="wrong")) == [
        "neither a place nor a 说明", "neither a test nor a 说明", "wrong without a todo"]
    assert covered("五", {"五（一）1"}) and covered("三", {"三·6"}) and not covered("五（一）1", {"五（一）12"})
    with pytest.raises(ValueError):
        parse_register({"clauses": [{"id": "一", "quote": "x", "status": "done"}]})


def test_notice_numbering_is_read_as_written():
    ids = notice_clause_ids((NOTICES / SEED_FILES["bz-2024-zhijian"]).read_text(encoding="utf-8"))
    assert ids[:4] == ["一", "二", "三", "四"]
    assert "五（六）15" in ids and "八（五）" in ids and "附件8" in ids and "八（五）1" not in ids
    ids = notice_clause_ids((NOTICES / SEED_FILES["yq-2024-chuding"]).read_text(encoding="utf-8"))
    assert "五（三）1" in ids and "附件5" in ids  # "1“形式审核通过”后": an item without its full stop


# -- open items ------------------------------------------------------------------------------------

def open_items() -> dict[str, list[str]]:
    return {code: [f"{c.id} {c.status}: {c.todo}" for c in register(code).clauses if c.status in ("wrong", "missing")]
            for code in CODES}


def test_no_clause_is_wrong_or_missing():
    assert {code: items for code, items in open_items().items() if items} == {}


def test_statuses_are_counted():
    """The counts the admin shows add up to the register (and every status is a known one)."""
    for code in CODES:
        reg = register(code)
        counts = reg.counts()
        assert set(counts) == set(STATUSES) and sum(counts.values()) == len(reg.clauses)


# -- the admin -------------------------------------------------------------------------------------

def test_admin_shows_the_register_on_the_campaign_page(admin_client, reference):
    campaign = Campaign.objects.get(code="bz-2024-zhijian")
    page = admin_client.get(reverse("admin:applications_campaign_change", args=[campaign.pk])).content.decode()
    reg = register("bz-2024-zhijian")
    assert 'data-testid="clause-register"' in page
    assert page.count('data-testid="clause-row"') == len(reg.clauses)
    for heading in ("条款", "原文（摘要）", "位置", "测试／说明", "状态"):
        assert f"<th>{heading}</th>" in page
    entry = next(c for c in reg.clauses if c.id == "五（三）")
    assert entry.id in page and entry.status_label in page and escape(entry.todo) in page
    assert "applications.rules.eligibility.check_groups" in page


def test_admin_says_when_a_campaign_has_no_register(admin_client, reference):
    campaign = Campaign.objects.get(code="demo")
    page = admin_client.get(reverse("admin:applications_campaign_change", args=[campaign.pk])).content.decode()
    assert "尚无条款登记" in page and "demo.clauses.json" in page
