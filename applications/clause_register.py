"""Clause registers (issue 15): every clause of a notice, where the portal applies it and what
tests it.  One JSON file per campaign beside its fixture, ``fixtures/campaigns/<code>.clauses.json``::

    {"campaign": "bz-2023-jianzhu", "source": "000_644aaefd655d5b34.txt",
     "clauses": [{"id": "五（一）10", "quote": "…", "status": "implemented",
                  "places": ["fixture:evaluation_years", "applications.rules.eligibility.evaluation_deferral"],
                  "tests": ["tests/applications/test_rules_eligibility.py::test_…"],
                  "note": "说明（中文）", "todo": "phase 2: …"}]}

``id`` is the notice's own numbering (``三（二）``, ``五（一）12``, ``附件3``); a sentence of a clause
that needs its own line gets ``·n`` (``四（二）·3``); the title block is ``通知``.  ``quote`` is the
notice's key words (``……`` for left-out text).  A ``place`` is one of:

* ``fixture:<path>`` — a key of the campaign fixture: ``windows.online``, ``clauses.scope``,
  ``materials[social_insurance]`` (the list item whose value is that code, or the string item
  containing those words);
* ``url:<namespace>:<name>`` — a URL name;
* a template name ending in ``.html`` (``documents/pdf/review_form.html``);
* ``Model.attr`` — a model field or attribute (``Campaign.return_hours``), the model found by its
  class name in any installed app, so a model that moves between apps is still found;
* a dotted import path (``applications.rules.eligibility.check_groups``).

``status`` is one of ``STATUSES``; wrong / missing / partial items carry a ``todo`` for phase 2
(docs/clauses-phase2.md).  ``tests/applications/test_clause_register.py`` checks every place and
every test node id; the Campaign admin page shows the register (``CampaignAdmin.clause_register``).
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

REGISTER_DIR = Path(settings.BASE_DIR) / "fixtures" / "campaigns"

STATUSES = {
    "implemented": _("已实现"),
    "partial": _("部分实现"),
    "wrong": _("有误"),
    "missing": _("缺失"),
    "not-automatable": _("不宜自动化"),
}
OPEN_STATUSES = ("wrong", "missing", "partial")  # phase 2 fixes these (each has a todo)
FIELDS = ("id", "quote", "status", "places", "tests", "note", "todo")


@dataclass(frozen=True)
class Clause:
    id: str
    quote: str
    status: str
    places: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    note: str = ""
    todo: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUSES.get(self.status, self.status))


@dataclass(frozen=True)
class Register:
    campaign: str
    source: str
    clauses: tuple[Clause, ...]

    def counts(self) -> dict[str, int]:
        found = {status: 0 for status in STATUSES}
        for clause in self.clauses:
            found[clause.status] = found.get(clause.status, 0) + 1
        return found


def register_path(code: str) -> Path:
    return REGISTER_DIR / f"{code}.clauses.json"


def parse_register(data: dict[str, Any]) -> Register:
    """A ``Register`` from the file's JSON; raises ``ValueError`` naming what is malformed."""
    clauses = []
    for index, item in enumerate(data.get("clauses") or []):
        unknown = set(item) - set(FIELDS)
        if unknown:
            raise ValueError(f"clause {index} ({item.get('id')}): unknown keys {sorted(unknown)}")
        if not item.get("id") or not item.get("quote"):
            raise ValueError(f"clause {index}: id and quote are required")
        if item.get("status") not in STATUSES:
            raise ValueError(f"clause {item['id']}: status {item.get('status')!r} not in {list(STATUSES)}")
        clauses.append(Clause(
            id=item["id"], quote=item["quote"], status=item["status"], places=tuple(item.get("places") or ()),
            tests=tuple(item.get("tests") or ()), note=item.get("note", ""), todo=item.get("todo", "")))
    return Register(campaign=data.get("campaign", ""), source=data.get("source", ""), clauses=tuple(clauses))


def load_register(code: str) -> Register | None:
    """The register of campaign ``code``, or None when it has none."""
    path = register_path(code)
    if not path.exists():
        return None
    return parse_register(json.loads(path.read_text(encoding="utf-8")))


# -- places ----------------------------------------------------------------------------------------

def place_kind(place: str) -> str:
    if place.startswith("fixture:"):
        return "fixture"
    if place.startswith("url:"):
        return "url"
    if place.endswith(".html"):
        return "template"
    if place[:1].isupper():
        return "field"
    return "python"


_ITEM = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<key>[^\]]+)\])?$")


def _fixture_item(items: list, key: str):
    for item in items:
        if isinstance(item, str) and key in item:
            return item
        if isinstance(item, dict) and any(v == key or (isinstance(v, list) and key in v) for v in item.values()):
            return item
        if isinstance(item, dict) and isinstance(item.get("name"), str) and key in item["name"]:
            return item  # a conditional paper item ({"name", "conditions"}) found by its words
    raise KeyError(key)


def resolve_fixture(path: str, fixture: dict) -> Any:
    """``windows.online`` / ``materials[photo]`` / ``paper_items[花名册]`` in a campaign fixture."""
    value: Any = fixture
    for segment in path.split("."):
        match = _ITEM.match(segment)
        if match is None:
            raise KeyError(segment)
        value = value[match["name"]]
        if match["key"] is not None:
            value = _fixture_item(value, match["key"])
    return value


def resolve_python(path: str) -> Any:
    """Import the longest importable module prefix of ``path``, then walk attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            value = getattr(value, name)
        return value
    raise ImportError(path)


def resolve_model_attr(place: str) -> Any:
    from django.apps import apps

    model_name, _dot, attr = place.partition(".")
    models = [m for m in apps.get_models() if m.__name__ == model_name]
    if len(models) != 1:
        raise LookupError(f"{len(models)} models named {model_name}")
    model = models[0]
    if not attr:
        return model
    try:
        return model._meta.get_field(attr)
    except Exception:  # noqa: BLE001 — FieldDoesNotExist: a property or method is a place too
        return getattr(model, attr)


def url_names() -> set[str]:
    """Every ``namespace:name`` (and bare name) the URLconf knows."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.add(prefix + pattern.name)

    walk(get_resolver().url_patterns, "")
    return found


def place_problem(place: str, *, fixture: dict, urls: set[str] | None = None) -> str | None:
    """Why ``place`` does not resolve, or None when it does."""
    kind = place_kind(place)
    try:
        if kind == "fixture":
            resolve_fixture(place.removeprefix("fixture:"), fixture)
        elif kind == "url":
            name = place.removeprefix("url:")
            if name not in (urls if urls is not None else url_names()):
                return f"no URL named {name}"
        elif kind == "template":
            from django.template.loader import get_template

            get_template(place)
        elif kind == "field":
            resolve_model_attr(place)
        else:
            resolve_python(place)
    except Exception as error:  # noqa: BLE001 — any failure to resolve is the answer
        return f"{kind} {place}: {type(error).__name__}: {error}"
    return None
