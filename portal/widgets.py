"""A ``<select>`` drawn in Python, for a long list of options repeated on a page.

Django renders each ``<option>`` through its own template include (a new template context per
option): a reviewer's return form offers every section and every scan of the application
(~130 options at 40 scans) in each of its three note rows, and drawing them was a sixth of the
detail page's CPU (issue 16).  ``QuickSelect`` builds the same markup as Django's ``select.html`` /
``select_option.html`` (attributes as ``attrs.html`` writes them: ``True`` as a bare name, ``False``
and ``None`` left out), escaped: the ``<select>``'s own attributes and value from Django's
``Widget.get_context``, the options straight from the choices as ``ChoiceWidget.optgroups`` selects
them (the first option whose value matches, or every one for a multiple select) without building
its per-option dictionaries (half the select's cost again).
"""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]  # not ChoiceWidget's optgroups
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        options = _options(_frozen(self.choices), frozenset(widget["value"]), self.allow_multiple_selected)
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"], flatatt(widget["attrs"]), options)


def _frozen(choices) -> tuple:
    """The choices as a key: ``(value, None, options)`` for a group, ``(value, text, safe)`` for an
    option; a label as text (a lazy one in the current language) with whether it is marked safe (a
    safe label and a plain one of the same text are drawn apart)."""
    return tuple((value, None, tuple((v, *_text(label_)) for v, label_ in label)) if isinstance(label, (list, tuple))
                 else (value, *_text(label)) for value, label in choices)


def _text(label) -> tuple[str, bool]:
    text = str(label)
    return text, isinstance(text, SafeData)


@lru_cache(maxsize=64)
def _options(choices: tuple, chosen: frozenset, multiple: bool) -> str:
    """The ``<option>``s (and ``<optgroup>``s) of ``choices`` with ``chosen`` selected, kept per
    process: a page repeats one list in several rows (a review page's three note rows, the same
    ~130 options each, nothing chosen) and the next request of that page asks for it again."""
    found, parts = False, []
    for option_value, text, rest in choices:
        if option_value is None:
            option_value = ""
        grouped = text is None
        if grouped:
            parts.append(format_html('\n  <optgroup label="{}">', option_value))
        for value_, label, safe in (rest if grouped else [(option_value, text, rest)]):
            selected = (not found or multiple) and str(value_) in chosen
            found |= selected
            parts.append(f'\n  <option value="{conditional_escape(str(value_))}"{" selected" if selected else ""}>'
                         f'{label if safe else conditional_escape(label)}</option>')
        if grouped:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped (format_html, conditional_escape)
