"""A ``<select>`` drawn in Python, for a long list of options repeated on a page.

Django renders each ``<option>`` through its own template include (a new template context per
option): a reviewer's return form offers every section and every scan of the application
(~130 options at 40 scans) in each of its three note rows, and drawing them was a sixth of the
detail page's CPU (issue 16).  ``QuickSelect`` builds the same markup as Django's ``select.html`` /
``select_option.html`` (attributes as ``attrs.html`` writes them: ``True`` as a bare name, ``False``
and ``None`` left out), escaped, from the widget's own context (``get_context``: the ids, the
selected option and the option groups are Django's).
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(format_html('\n  <option value="{}"{}>{}</option>', option["value"],
                                         flatatt(option["attrs"]), option["label"]))
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value escaped by format_html
