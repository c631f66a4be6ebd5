"""The helpers that make a long list cheap must print what Django prints (issue 16):
``ChoiceLabels`` (``get_FOO_display`` from a dict kept per field), ``portal.jinja.url`` (a URL's shape
reversed once) and ``QuickSelect`` (a ``<select>`` drawn in Python)."""

from __future__ import annotations

import html
import re

import pytest
from django import forms
from django.db import models
from django.urls import path, reverse
from django.utils import translation

from applications.enums import Kind
from applications.models import Application
from applications.states import State
from portal import jinja
from portal.widgets import QuickSelect


def test_choice_labels_print_django_labels_in_the_active_language():
    app = Application(state=State.COMMITTEE_REVIEW, kind=Kind.INITIAL)
    with translation.override("zh-hans"):
        assert app.get_state_display() == str(State.COMMITTEE_REVIEW.label) == "待评委会形式审核"
        assert app.get_kind_display() == str(Kind.INITIAL.label)
        # What Django's own method prints, for every state (and a value that is none of them).
        field = Application._meta.get_field("state")
        for state in [*State, "no-such-state"]:
            shown = Application(state=state)
            assert shown.get_state_display() == models.Model._get_FIELD_display(shown, field)
    assert Application(state="no-such-state").get_state_display() == "no-such-state"


def _view(request, *args, **kwargs):  # never called: the patterns are only reversed
    raise AssertionError


urlpatterns = [
    path("a/<int:pk>/b/<int:n>/", _view, name="two"),
    path("year/<int:year>/", _view, name="year"),
    path("slug/<slug:name>/", _view, name="slug"),
]


class FourDigits:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


@pytest.fixture
def shapes(settings):
    settings.ROOT_URLCONF = __name__
    jinja._SHAPES.clear()
    yield
    jinja._SHAPES.clear()


@pytest.mark.urls(__name__)
def test_url_shape_gives_what_reverse_gives(shapes):
    for args in [(1, 2), (123456, 7), (7390146285, 0)]:
        assert jinja.url("two", *args) == reverse("two", args=args)
    assert jinja.url("slug", "x-y") == reverse("slug", args=["x-y"])  # not integers: reversed each time
    assert jinja.url("year", 2024) == "/year/2024/"


@pytest.mark.urls(__name__)
def test_url_shape_falls_back_where_the_sentinel_does_not_fit(shapes):
    from django.urls import converters, register_converter

    register_converter(FourDigits, "four")
    try:
        urlpatterns.append(path("four/<four:y>/", _view, name="four"))
        from django.urls import clear_url_caches

        clear_url_caches()
        assert jinja.url("four", 7) == reverse("four", args=[7]) == "/four/0007/"
        assert [v for k, v in jinja._SHAPES.items() if k[2] == "four"] == [""]  # no shape: reversed every time
    finally:
        urlpatterns.pop()
        converters.REGISTERED_CONVERTERS.pop("four", None)
        converters.get_converters.cache_clear()


class _Form(forms.Form):
    quick = forms.ChoiceField(required=False, widget=QuickSelect)
    plain = forms.ChoiceField(required=False)


def test_quick_select_draws_django_select_markup():
    choices = [("", "整体意见"), ("sec:basic", "基本信息 <b>&"), ("基本信息 · 附件", [("att:1", "毕业证书（1）"),
                                                                              ("att:2", "学位\"证书")])]
    form = _Form(data={"quick": "att:2", "plain": "att:2"})
    for name in ("quick", "plain"):
        form.fields[name].choices = choices
    quick = str(form["quick"]).replace("quick", "NAME")
    plain = str(form["plain"]).replace("plain", "NAME")
    def squash(markup: str) -> str:  # Django's template indents, and writes " as &#34; (Jinja2) or &quot;
        return html.unescape(re.sub(r"\s+", "", markup))

    assert squash(quick) == squash(plain)
    assert "&lt;b&gt;&amp;" in quick and 'value="att:2" selected' in quick
