"""Jinja2 for what a page repeats — the rows of the long tables, the fields of its forms — inside
pages written in the Django template language.

A table of 50 rows drawn by the Django template language costs ~0.3 ms a row (a ``{% translate %}``,
a ``{% url %}`` and a dozen lookups per cell, each a Python call chain); the same markup compiled
by Jinja2 costs a fraction of that, and on two cores a page must cost about 20 ms in all to stay
within 150 ms at ten connections (issue 16).  So the pages stay Django templates (layout, blocks,
everything said once) and a page includes its repeated part with
``{% jinja "aftercare/_index_rows.html" %}`` (the tag below, a builtin of the Django templates): the
Jinja2 template (``templates/jinja2/``) sees the page's context.  A page variable of the same name
hides a global below (a context variable named ``url`` would hide ``url()``): the views pass none.

The environment is the Django backend's (autoescaping on) with what the rows use:
``_("…")`` (Django's translation, kept per render: a row repeats its labels), ``url(name, *args)``,
``static(path)``, ``zip`` and the ``floatformat`` / ``date`` / ``linebreaksbr`` / ``truncatechars`` filters of Django's own
template language, so values print exactly as on the rest of the page.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import ROUND_HALF_UP, Context, Decimal

from django import template
from django.conf import settings
from django.template import engines
from django.template.defaultfilters import date, floatformat, linebreaksbr, truncatechars
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from jinja2 import Environment

register = template.Library()


# A URL's shape per (script prefix, URLconf, name, kinds of arguments): a row's links differ only
# in the values they carry (``url("aftercare:application", app.pk)``, a scan's code and UUID), and
# reversing one costs a resolver walk (~50 µs, two to five per row).  The shape is the URL reversed
# once with sentinel values of the same kinds, each then a format field; "" when the name does not
# take such values that way (a converter that rewrites them, a pattern that refuses the sentinel):
# then every call reverses.  The kinds: integers, UUIDs, and text of letters, digits, "-" and "_"
# (what ``str``/``slug`` converters take as is, nothing to quote); any other value is reversed.
_SHAPES: dict[tuple, str] = {}
_SENTINEL = 7_390_146_285
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_-]+")


def _kind(arg) -> str:
    kind = type(arg)
    if kind is int:
        return "i"
    if kind is uuid.UUID:
        return "u"
    if kind is str and _PLAIN_TEXT.fullmatch(arg):
        return "s"
    return ""


def _sentinel(kind: str, i: int):
    if kind == "i":
        return _SENTINEL + i
    if kind == "u":
        return uuid.UUID(int=_SENTINEL * 1_000 + i)
    return f"Zq9_-SeNtInEl{i}"  # taken only where letters of both cases, digits, "-" and "_" are


def _shape(name: str, kinds: tuple[str, ...]) -> str:
    values = [_sentinel(kind, i) for i, kind in enumerate(kinds)]
    try:
        reversed_ = reverse(name, args=values)
    except NoReverseMatch:
        return ""
    sentinels = [str(value) for value in values]
    if any(reversed_.count(s) != 1 for s in sentinels):
        return ""
    shape = reversed_.replace("{", "{{").replace("}", "}}")
    for i, s in enumerate(sentinels):
        shape = shape.replace(s, "{%d}" % i)
    return shape


def url(name: str, *args) -> str:
    """``reverse(name, args=args)``; for integers, UUIDs and plain text from the name's shape, kept
    per process."""
    if args:
        kinds = tuple(_kind(arg) for arg in args)
        if all(kinds):
            key = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, name, kinds)
            shape = _SHAPES.get(key)
            if shape is None:
                shape = _SHAPES[key] = _shape(name, kinds)
            if shape:
                return shape.format(*args)
    return reverse(name, args=args)


def fast_floatformat(value, arg=-1):
    """Django's ``floatformat`` filter, the same text, without its general machinery for the case
    the rows print — a ``Decimal`` amount to a fixed number of places (``floatformat(2)``: 148 a
    fee page, ~40 µs each); anything else is Django's own filter.  Equal only where the language
    writes a decimal point and numbers are not grouped (Chinese, ``USE_THOUSAND_SEPARATOR`` off),
    as checked here on every call; ``tests/portal/test_row_helpers.py`` compares the two."""
    if (type(value) is Decimal and type(arg) is int and 0 <= arg <= 6 and value.is_finite()
            and not settings.USE_THOUSAND_SEPARATOR and get_format("DECIMAL_SEPARATOR") == "."):
        rounded = value.quantize(_PLACES[arg], ROUND_HALF_UP, _CONTEXT)
        return format(rounded.copy_abs() if not rounded else rounded, "f")
    return floatformat(value, arg)


_PLACES = [Decimal(1).scaleb(-places) for places in range(7)]
_CONTEXT = Context(prec=60)  # Django widens the precision to the digits needed; amounts need far fewer


def local_date(value, arg=None) -> str:
    """Django's ``date`` filter as the Django templates apply it: on the time in the current
    time zone (Beijing), not in UTC as stored.  The few numeric formats the rows print are written
    directly (Django's formatter builds an object and walks the format a character at a time: ~35
    µs a cell); any other format, or a value that is not a date or datetime, is Django's own."""
    if arg in _NUMERIC_DATES and isinstance(value, dt.date):
        if isinstance(value, dt.datetime):
            value = template_localtime(value)
        elif arg not in _DATE_ONLY:
            return date(value, arg)  # a time of a bare date: Django's own answer
        return _NUMERIC_DATES[arg](value)
    return date(template_localtime(value), arg)


# Formats of numbers only (the same in every language), as Django prints them.
_NUMERIC_DATES = {
    "Y-m-d": lambda v: f"{v.year:04d}-{v.month:02d}-{v.day:02d}",
    "m-d": lambda v: f"{v.month:02d}-{v.day:02d}",
    "m-d H:i": lambda v: f"{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}",
    "Y年n月j日": lambda v: f"{v.year:04d}年{v.month}月{v.day}日",
    "n月j日": lambda v: f"{v.month}月{v.day}日",
}
_DATE_ONLY = {"Y-m-d", "m-d", "Y年n月j日", "n月j日"}


def translations():
    """``_``: Django's ``gettext``, each text looked up once per render (the language is the
    request's, fixed for the render)."""
    seen: dict[str, str] = {}

    def translate(message: str) -> str:
        found = seen.get(message)
        if found is None:
            found = seen[message] = gettext(message)
        return found

    return translate


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(url=url, static=static, _=gettext, zip=zip)
    env.filters.update(floatformat=fast_floatformat, date=local_date, truncatechars=truncatechars,
                       linebreaksbr=lambda value: linebreaksbr(value, autoescape=True))
    return env


def fragment(template_name: str, values: dict, request=None) -> str:
    """The Jinja2 template rendered with ``values`` (and ``_``), as safe HTML: its output is
    escaped by Jinja2 itself.  A view renders a part of a page with it that it keeps in the cache
    (``{{ html }}`` in the Django template)."""
    found = engines["jinja2"].get_template(template_name)
    return mark_safe(found.render({**values, "_": translations()}, request=request))  # noqa: S308 - autoescaped


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str) -> str:
    """``{% jinja "name.html" %}``: the Jinja2 template rendered with the page's context (``fragment``)."""
    values = context.flatten()
    return fragment(template_name, values, request=values.get("request"))
