"""Validated section content as label/value pairs, for the preview and the read-only pages."""

from __future__ import annotations

from django import forms

from .editor import SPECS
from .fields import YesNoField


def _display(field: forms.Field, value) -> str:
    if value is None or value == "":
        return "至今" if isinstance(field, forms.DateField) else "无"
    if isinstance(field, (YesNoField, forms.BooleanField)):
        return "是" if value else "否"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value) or "无"
    if choices and value in choices:
        return str(choices[value])
    return str(value)


def _runtime_choices(name: str) -> dict:
    """Choices a form fills in its ``__init__`` from the database (empty on ``base_fields``)."""
    if name == "title_level":
        from ..models import Level  # lazy, as in sections.py: these forms load early at start-up

        return dict(Level.objects.values_list("code", "name"))
    return {}


def present_section(key: str, data: dict) -> dict:
    """``{"fields": [(label, value)], "columns": [label], "rows": [[value]]}``: the values as the
    applicant chose them (labels of choices, never their codes)."""
    spec = SPECS.get(key)
    out = {"fields": [], "columns": [], "rows": []}
    if spec is None or not data:
        return out
    if spec.head is not None and not spec.none_option:
        for name, field in spec.head.base_fields.items():
            if name in data:
                runtime = _runtime_choices(name)
                value = str(runtime.get(data[name], data[name])) if runtime and data[name] else None
                out["fields"].append((str(field.label), value or _display(field, data[name])))
    if spec.has_rows:
        fields = spec.row_form.base_fields
        out["columns"] = [str(f.label) for f in fields.values()]
        out["rows"] = [[_display(f, row.get(n)) for n, f in fields.items()] for row in data.get("rows", [])]
    return out


def row_titles(key: str, rows: list[dict]) -> list[str]:
    """A short name for each row, for "这份材料对应哪一项" selects."""
    titles = []
    for index, row in enumerate(rows, start=1):
        title = row.get("name") or row.get("title") or row.get("content") or ""
        titles.append(f"第{index}项 {str(title)[:24]}")
    return titles
