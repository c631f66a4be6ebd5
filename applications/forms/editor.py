"""A section's editor: its head form and/or its formset of rows, bound to raw input.

Raw input is what the browser posts, kept as ``{name: [values]}`` (``ApplicationSection.draft``)
so that a draft that does not validate yet is re-rendered exactly as typed.  Validated content is
the JSON of ``applications/sections.py``; ``json_to_raw`` turns it back into raw input, so every
editor is built the same way, whether from a draft, from saved content or from the profile.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.forms.utils import ErrorDict, ErrorList
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from portal.errors import Refused

from ..enums import Section
from . import sections as s
from .context import SectionContext
from .fields import YesNoField


@dataclass(frozen=True)
class SectionSpec:
    key: str
    head: type[s.SectionForm] | None = None
    row_form: type[s.RowForm] | None = None
    formset: type[s.RowsFormSet] | None = None

    @property
    def has_rows(self) -> bool:
        return self.row_form is not None

    @property
    def none_option(self) -> bool:
        return self.head is s.NoneForm


SPECS: dict[str, SectionSpec] = {spec.key: spec for spec in (
    SectionSpec(Section.BASIC, head=s.BasicForm),
    SectionSpec(Section.EDUCATION, row_form=s.EducationRowForm, formset=s.EducationFormSet),
    SectionSpec(Section.QUALIFICATION, head=s.QualificationForm),
    SectionSpec(Section.WORK_HISTORY, row_form=s.WorkRowForm, formset=s.WorkFormSet),
    SectionSpec(Section.ACHIEVEMENTS, row_form=s.AchievementRowForm, formset=s.RowsFormSet),
    SectionSpec(Section.AWARDS, head=s.NoneForm, row_form=s.AwardRowForm, formset=s.OptionalRowsFormSet),
    SectionSpec(Section.IP, head=s.NoneForm, row_form=s.IPRowForm, formset=s.OptionalRowsFormSet),
    SectionSpec(Section.PAPERS, head=s.NoneForm, row_form=s.PaperRowForm, formset=s.OptionalRowsFormSet),
    SectionSpec(Section.EVALUATIONS, row_form=s.EvaluationRowForm, formset=s.EvaluationFormSet),
    SectionSpec(Section.SUMMARY, head=s.SummaryForm),
    SectionSpec(Section.PROBATION, head=s.ProbationForm),
    SectionSpec(Section.CE, head=s.CEHeadForm, row_form=s.CERowForm, formset=s.CEFormSet),
)}

# Sections with typed content (the others hold only attachments: 社保, 其他附件, 承诺书).
DATA_SECTIONS = tuple(SPECS)


def rows_prefix(key: str) -> str:
    return f"{key}-rows"


def _raw_value(field: forms.Field, value) -> list[str]:
    if value is None:
        return []
    if isinstance(field, YesNoField):
        return ["1" if value else "0"]
    if isinstance(field, forms.BooleanField):
        return ["on"] if value else []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def json_to_raw(key: str, data: dict | None) -> dict[str, list[str]]:
    """Raw input that reproduces ``data`` (validated JSON) in the section's editor."""
    spec = SPECS[key]
    data = data or {}
    raw: dict[str, list[str]] = {}
    if spec.head is not None:
        if spec.none_option:
            if data and data.get("rows") == []:
                raw[f"{key}-none"] = ["on"]
        else:
            for name, field in spec.head.base_fields.items():
                if name in data:
                    raw[f"{key}-{name}"] = _raw_value(field, data[name])
    if spec.has_rows:
        rows = list(data.get("rows") or [])
        total = len(rows) or (0 if raw.get(f"{key}-none") else 1)
        prefix = rows_prefix(key)
        raw.update({f"{prefix}-TOTAL_FORMS": [str(total)], f"{prefix}-INITIAL_FORMS": ["0"]})
        for index, row in enumerate(rows):
            for name, field in spec.row_form.base_fields.items():
                if name in row:
                    raw[f"{prefix}-{index}-{name}"] = _raw_value(field, row[name])
    return raw


# --- bounds of raw input ------------------------------------------------------------------------
# A draft keeps only the names of the section's own form (head fields, the formset's management
# fields, row fields of rows below TOTAL_FORMS); anything else posted is dropped.  What is kept is
# bounded: rows, values per name, characters per value (twice the field's ``max_length``, which the
# page's ``maxlength`` already enforces while typing, else 200) and characters per request.  Past a
# bound the whole save is refused (400, Chinese) and the draft already stored is left as it was.
MAX_ROWS = 60
MAX_VALUES_PER_FIELD = 20
MAX_RAW_CHARS = 300_000
_MANAGEMENT_FIELDS = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
_SHORT_VALUE = 200


class InputRefused(Refused):
    """Raw input beyond the bounds above."""

    code = "input_too_large"


def _row_count(key: str, post) -> int:
    total = (post.get(f"{rows_prefix(key)}-TOTAL_FORMS") or "0").strip()
    if not (total.isascii() and total.isdecimal()):
        return 0  # not a number: the formset reports the tampered form
    if len(total) > 6 or int(total) > MAX_ROWS:
        raise InputRefused(_("“%(section)s”最多填写%(n)d行，未保存。请删去多余的行后重试。")
                           % {"section": Section(key).label, "n": MAX_ROWS})
    return int(total)


def _own_field(spec: SectionSpec, name: str, rows: int) -> forms.Field | None:
    """The form field behind a posted ``name`` if it is one of the section's own, else ``None``
    (the management fields of the formset count as short fields)."""
    key = spec.key
    if spec.has_rows and name.startswith(f"{rows_prefix(key)}-"):
        rest = name[len(rows_prefix(key)) + 1:]
        if rest in _MANAGEMENT_FIELDS:
            return forms.IntegerField()
        index, _sep, field = rest.partition("-")
        if index.isascii() and index.isdecimal() and len(index) <= 3 and int(index) < rows:
            return spec.row_form.base_fields.get(field)
        return None
    if spec.head is not None and name.startswith(f"{key}-"):
        return spec.head.base_fields.get(name[len(key) + 1:])
    return None


def _value_cap(field: forms.Field) -> int:
    max_length = getattr(field, "max_length", None)
    return max(2 * max_length, _SHORT_VALUE) if max_length else _SHORT_VALUE


def raw_from_post(key: str, post) -> dict[str, list[str]]:
    """The section's own fields of a POST (``QueryDict``), as storable raw input, within the bounds
    above (``InputRefused`` past them)."""
    spec = SPECS[key]
    rows = _row_count(key, post) if spec.has_rows else 0
    raw: dict[str, list[str]] = {}
    total = 0
    for name in post:
        field = _own_field(spec, name, rows)
        if field is None:
            continue
        # NUL never belongs in text, and PostgreSQL's jsonb cannot store it (the draft would 500).
        values = [value.replace("\x00", "") for value in post.getlist(name)]
        if len(values) > MAX_VALUES_PER_FIELD:
            raise InputRefused(_("提交的内容格式不正确，未保存。请刷新页面后重试。"))
        cap = _value_cap(field)
        for value in values:
            if len(value) > cap:
                label = field.label or _("此项")
                limit = getattr(field, "max_length", None) or cap
                raise InputRefused(_("“%(label)s”的内容过长（%(got)d字，最多%(max)d字），未保存。请删减后重试。")
                                   % {"label": label, "got": len(value), "max": limit})
            total += len(value)
        raw[name] = values
    if total > MAX_RAW_CHARS:
        raise InputRefused(_("“%(section)s”提交的内容过多（%(got)d字），未保存。请删减后重试。")
                           % {"section": Section(key).label, "got": total})
    return raw


def raw_delete_row(key: str, raw: dict[str, list[str]], index: int) -> dict[str, list[str]]:
    """``raw`` without row ``index``: later rows move up one place (as their evidence scans do)."""
    prefix = rows_prefix(key)
    total = (raw.get(f"{prefix}-TOTAL_FORMS") or ["0"])[0].strip()
    total = min(int(total), MAX_ROWS) if total.isascii() and total.isdecimal() and len(total) <= 6 else 0
    out = {k: v for k, v in raw.items() if not k.startswith(f"{prefix}-")}
    for old in range(total):
        if old == index:
            continue
        new = old if old < index else old - 1
        start = f"{prefix}-{old}-"
        for name, values in raw.items():
            if name.startswith(start):
                out[f"{prefix}-{new}-{name[len(start):]}"] = values
    out[f"{prefix}-TOTAL_FORMS"] = [str(max(total - 1, 0))]
    out[f"{prefix}-INITIAL_FORMS"] = ["0"]
    return out


class SectionEditor:
    """Head form and/or rows of one section, always bound to raw input."""

    def __init__(self, key: str, *, context: SectionContext, raw: dict[str, list[str]] | None = None):
        self.key = key
        self.spec = SPECS[key]
        self.context = context
        if raw is None:
            raw = json_to_raw(key, {})
        self.raw = raw
        data = MultiValueDict(raw)
        self.head = self.spec.head(data, context=context, prefix=key) if self.spec.head else None
        self.formset = None
        if self.spec.has_rows:
            # absolute_max: a draft stored before the bounds with a huge TOTAL_FORMS still renders fast.
            factory = forms.formset_factory(self.spec.row_form, formset=self.spec.formset, extra=0,
                                            max_num=MAX_ROWS, absolute_max=MAX_ROWS)
            none_ticked = self.spec.none_option and data.get(f"{key}-none") in ("on", "true", "1")
            min_rows = 0 if key == Section.CE and data.get(f"{key}-exempt") == "1" else None
            self.formset = factory(data, prefix=rows_prefix(key), context=context, none_ticked=none_ticked,
                                   min_rows=min_rows)

    @property
    def label(self) -> str:
        return str(Section(self.key).label)

    def is_valid(self) -> bool:
        valid = True
        if self.head is not None:
            valid = self.head.is_valid() and valid
        if self.formset is not None:
            valid = self.formset.is_valid() and valid
        return valid

    def to_json(self) -> dict:
        data: dict = {}
        if self.head is not None and not self.spec.none_option:
            data.update(self.head.to_json())
        if self.formset is not None:
            data["rows"] = self.formset.to_json()
        return data

    def hide_errors(self) -> None:
        """Render as typed but without error marks (a first visit to a half-filled section should
        not shout); errors show after a save or when the page is opened from the checklist."""
        self.is_valid()
        forms_ = ([self.head] if self.head is not None else []) + (list(self.formset.forms) if self.formset else [])
        for form in forms_:
            form._errors = ErrorDict()
        if self.formset is not None:
            self.formset._non_form_errors = ErrorList()

    def error_messages(self) -> list[str]:
        """Every problem as one readable line: "第2行 · 毕业时间：…"."""
        self.is_valid()
        lines: list[str] = []

        def add(form, where=""):
            for name, errors in form.errors.items():
                label = "" if name == "__all__" else str(form.fields[name].label) + "："
                for error in errors:
                    lines.append(f"{where}{label}{error}")

        if self.head is not None:
            add(self.head)
        if self.formset is not None:
            if self.formset.management_form.errors:
                lines.append("表格数据不完整，请刷新页面后重试。")
            for index, form in enumerate(self.formset.forms, start=1):
                add(form, f"第{index}行 · ")
            lines.extend(str(e) for e in self.formset.non_form_errors())
        return lines
