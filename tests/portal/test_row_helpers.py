"""The helpers that make a long list cheap must print what Django prints (issue 16):
``ChoiceLabels`` (``get_FOO_display`` from a dict kept per field), ``portal.jinja.url`` (a URL's shape
reversed once), ``portal.jinja.fast_floatformat`` (an amount's places without Django's general
machinery), ``portal.jinja.local_date`` (numeric dates written directly) and ``QuickSelect`` (a
``<select>`` drawn in Python)."""

from __future__ import annotations

import datetime as dt
import html
import random
import re
from decimal import Decimal

import pytest
from django import forms
from django.db import models
from django.urls import NoReverseMatch, path, reverse
from django.template.defaultfilters import date as django_date
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation

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
    # The texts are kept per language: another language (or none active) gets its own.
    for language in ("en", None):
        with translation.override(language):
            for state in State:
                shown = Application(state=state)
                assert shown.get_state_display() == models.Model._get_FIELD_display(shown, field)


AMOUNTS = ["0", "0.00", "-0", "-0.001", "-0.005", "0.005", "0.015", "0.025", "1.5", "2.5", "-2.5", "-0.5",
           "100", "1E+2", "1E+3", "1E-7", "600.00", "599.995", "123456789012.345", "-17.125", "3.14159"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_fast_floatformat_prints_what_django_prints(language, settings):
    rng = random.Random(16)
    values = [Decimal(v) for v in AMOUNTS] + [Decimal(rng.randrange(-10**9, 10**9)).scaleb(-rng.randrange(0, 6))
                                             for _ in range(400)]
    with translation.override(language):
        for value in values:
            for places in (0, 1, 2, 3):
                assert jinja.fast_floatformat(value, places) == floatformat(value, places), (value, places)
        # Not a Decimal amount to fixed places: Django's filter itself, whatever it prints.
        for value, arg in ((1.5, 2), (3, 2), (None, 2), ("2.5", 2), (Decimal("2.50"), -1), (Decimal("2.5"), "2")):
            assert jinja.fast_floatformat(value, arg) == floatformat(value, arg)
    # Grouped numbers are Django's too (the fast path prints none).
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("en"):
        assert jinja.fast_floatformat(Decimal("1234567.5"), 2) == floatformat(Decimal("1234567.5"), 2) == "1,234,567.50"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_local_date_prints_what_django_prints_in_beijing_time(language):
    rng = random.Random(16)
    start = dt.datetime(1999, 12, 31, 15, 30, tzinfo=dt.UTC)  # 23:30 in Beijing: the date differs
    moments = [start, start + dt.timedelta(minutes=31), dt.datetime(2026, 1, 1, 16, 5, tzinfo=dt.UTC)]
    moments += [start + dt.timedelta(seconds=rng.randrange(0, 40 * 365 * 86400)) for _ in range(300)]
    values = [*moments, *(m.date() for m in moments), *(m.replace(tzinfo=None) for m in moments[:20]),
              dt.date(1, 1, 1), dt.date(9999, 12, 31)]
    with translation.override(language), timezone.override("Asia/Shanghai"):
        for value in values:
            for fmt in ("Y-m-d", "m-d", "m-d H:i", "Y年n月j日", "n月j日", "D, j M Y", None):
                try:
                    expected = django_date(timezone.template_localtime(value), fmt)
                except TypeError:  # a time format of a bare date: Django refuses it, and so do we
                    with pytest.raises(TypeError):
                        jinja.local_date(value, fmt)
                    continue
                assert jinja.local_date(value, fmt) == expected, (value, fmt)
        assert jinja.local_date(None, "Y-m-d") == django_date(None, "Y-m-d") == ""
        assert jinja.local_date(dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC), "Y-m-d") == "2026-07-01"


def _view(request, *args, **kwargs):  # never called: the patterns are only reversed
    raise AssertionError


urlpatterns = [
    path("a/<int:pk>/b/<int:n>/", _view, name="two"),
    path("year/<int:year>/", _view, name="year"),
    path("slug/<slug:name>/", _view, name="slug"),
    path("apply/<str:code>/files/<uuid:uid>/<slug:variant>/", _view, name="scan"),
    path("code/<str:code>/", _view, name="code"),
    path("upper/<int:n>/", _view, name="number_only"),
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
    assert jinja.url("slug", "x-y") == reverse("slug", args=["x-y"])
    assert jinja.url("year", 2024) == "/year/2024/"


@pytest.mark.urls(__name__)
def test_url_shape_of_codes_and_uuids_gives_what_reverse_gives(shapes):
    import uuid

    for code, uid, variant in [("AB12CD34", uuid.uuid4(), "thumb"), ("x_y-Z", uuid.UUID(int=0), "original")]:
        assert jinja.url("scan", code, uid, variant) == reverse("scan", args=[code, uid, variant])
    assert [v for k, v in jinja._SHAPES.items() if k[2] == "scan"] == ["/apply/{0}/files/{1}/{2}/"]
    # Text that needs quoting or that a pattern may refuse is reversed every time, as Django does.
    for text in ("中文 名", "a.b", "%41"):
        assert jinja.url("code", text) == reverse("code", args=[text])
    for name, text in (("code", "a/b"), ("number_only", "abc")):  # refused by the pattern: still refused
        with pytest.raises(NoReverseMatch):
            jinja.url(name, text)


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


def test_quick_select_selects_as_django_does():
    """Unbound, empty, a grouped value, a value twice among the choices (Django selects the first
    only), a value none of them has, numbers and None as values, a translatable label."""
    from django.utils.translation import gettext_lazy

    choices = [(None, "—"), ("", "整体意见"), (3, "三"), ("dup", "一"), ("g", [("dup", "二"), ("x", gettext_lazy("退回"))])]
    for data in (None, {}, {"quick": "dup", "plain": "dup"}, {"quick": "x", "plain": "x"},
                 {"quick": "3", "plain": "3"}, {"quick": "nope", "plain": "nope"}, {"quick": "", "plain": ""}):
        form = _Form(data=data)
        for name in ("quick", "plain"):
            form.fields[name].choices = choices
        quick = str(form["quick"]).replace("quick", "NAME")
        plain = str(form["plain"]).replace("plain", "NAME")
        (quick_tag, quick_options), (plain_tag, plain_options) = (m.split(">", 1) for m in (quick, plain))
        # The same attributes on <select> (``flatatt`` writes the boolean ones last), the same options.
        assert sorted(quick_tag.split()) == sorted(plain_tag.split()), data
        assert html.unescape(re.sub(r"\s+", "", quick_options)) == html.unescape(re.sub(r"\s+", "", plain_options)), data
        assert quick.count(" selected") <= 1


def test_quick_select_options_kept_per_process_follow_language_and_choice():
    """The options are kept per process (a page draws one list in several rows): a lazy label is
    drawn as it reads in each request (its language), and the chosen option is each row's own."""
    from django.utils.functional import lazy

    reads = {"label": "整体意见"}
    choices = [("", lazy(lambda: reads["label"], str)()), ("a", "甲"), ("b", "乙")]

    def draw(data=None):
        form = _Form(data=data)
        form.fields["quick"].choices = choices
        return str(form["quick"])

    first = draw()
    assert first == draw() and '<option value="" selected>整体意见</option>' in first
    reads["label"] = "Overall"  # the same lazy label in another language
    assert '<option value="" selected>Overall</option>' in draw()
    chosen = draw({"quick": "b"})
    assert '<option value="b" selected>乙</option>' in chosen and '<option value="" selected>' not in chosen
    assert '<option value="" selected>Overall</option>' in draw()  # the earlier choice is not kept


def test_quick_select_keeps_a_safe_label_and_a_plain_one_of_the_same_text_apart():
    """The options are kept by their text: a label marked safe (drawn as is) and a plain label with
    the same characters (escaped) must not share one drawing."""
    from django.utils.safestring import mark_safe

    def draw(label):
        form = _Form(data=None)
        form.fields["quick"].choices = [("", "—"), ("a", label)]
        return str(form["quick"])

    assert "<option value=\"a\"><b>甲</b></option>" in draw(mark_safe("<b>甲</b>"))
    assert "&lt;b&gt;甲&lt;/b&gt;" in draw("<b>甲</b>")
    assert "<option value=\"a\"><b>甲</b></option>" in draw(mark_safe("<b>甲</b>"))
