"""Every sentence a verdict cites as the notice's own words is in the notice.

Citations quote with ``……`` for left-out text and ``；`` between passages, lead with the section
number (``五、（一）12：``), and may carry a bracketed remark of the portal's (``（本通知未……）``,
``（原文如此……）``, ``（按自治区……）``); everything else must appear in the notice verbatim (its
whitespace and ASCII punctuation normalised)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from applications.rules import CLAUSE_KEYS

from .rules_support import SEED_FILES, notice

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "campaigns"
REMARK = re.compile(r"（[^（）]*(?:按自治区|本通知未|原文如此|不在此列|按同期)[^（）]*(?:（[^（）]*）[^（）]*)*）")
SECTION = re.compile(r"^(?:[一二三四五六七八九十]+、[^：（]{0,8}|[一二三四五六七八九十]+、?（[一二三四五六七八九十]+）"
                     r"(?:\d+(?:、\d+)?)?|[一二三四五六七八九十]+|附件\d+|个人承诺书)：")


def quoted_passages(clause: str) -> list[str]:
    passages = []
    for part in re.split(r"；|……", REMARK.sub("", clause)):
        part = SECTION.sub("", part).strip("。")
        if len(part) >= 4:
            passages.append(part)
    return passages


def cited(code: str) -> list[tuple[str, str]]:
    data = json.loads((FIXTURES / f"{code}.json").read_text(encoding="utf-8"))
    found = [(f"clauses.{key}", text) for key, text in data.get("clauses", {}).items()]
    found += [(f"ce_rules[{i}].clause", rule["clause"]) for i, rule in enumerate(data["ce_rules"])]
    if data["fees"]:
        found.append(("fee_clause", data["fee_clause"]))
    return found


@pytest.mark.parametrize("code", sorted(SEED_FILES))
def test_cited_passages_are_the_notices_own_words(code):
    text = notice(code)
    missing = [(where, passage) for where, clause in cited(code) for passage in quoted_passages(clause)
               if passage not in text]
    assert missing == []


@pytest.mark.parametrize("code", sorted(SEED_FILES))
def test_clause_keys_are_known(code):
    data = json.loads((FIXTURES / f"{code}.json").read_text(encoding="utf-8"))
    assert set(data["clauses"]) <= set(CLAUSE_KEYS)
    assert {"scope", "person_ban"} <= set(data["clauses"])


def test_the_check_catches_a_wrong_word():
    assert quoted_passages("二、评审条件：退休人员不得参加职称评审。") == ["退休人员不得参加职称评审"]
    assert "退休人员不得参加职称评审" not in notice("bz-2024-zhijian")  # the notice says more than that
