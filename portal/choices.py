"""``get_FOO_display()`` without hashing every label on every call.

Django's ``Model._get_FIELD_display`` builds ``dict(make_hashable(field.flatchoices))`` on each call:
hashing a lazy label translates it, so one ``get_state_display()`` of the application's 14 states
costs 14 translations, and a list of 50 rows showing a state and a kind ~1,000 of them (a third of
the rows' drawing time at 10,000 applications, issue 16).  ``ChoiceLabels`` keeps, per field, the
choices as a dict keyed by value (values are plain strings or numbers; the lazy labels are only
stored), and their texts per language once translated (a list's rows show the same few labels
again and again: a translation is a lookup in the active language's catalog through a context-local
variable, ~5 µs).  Same result as Django's: the label in the active language, or the value itself
when it is not among the choices.  The choices (and catalogs) are read once per process: mix it
only into models whose choices are fixed in code (not a callable that reads the database, as the
audit's actions are).
"""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.translation import get_language


def _labels(field) -> dict:
    found = field.__dict__.get("_choice_labels")
    if found is None:
        found = field.__dict__["_choice_labels"] = dict(field.flatchoices)
    return found


def _texts(field, language) -> dict:
    """The field's labels as text in ``language`` (the active one), translated once per process."""
    by_language = field.__dict__.setdefault("_choice_texts", {})
    found = by_language.get(language)
    if found is None:
        found = by_language[language] = {value: force_str(label, strings_only=True)
                                         for value, label in _labels(field).items()}
    return found


class ChoiceLabels:
    """Mixed into a model before ``models.Model``: its ``get_FOO_display()`` methods read the
    field's choices from a dict kept on the field."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            return _texts(field, get_language())[value]
        except KeyError:  # not among the choices: the value itself, as Django shows it
            return force_str(value, strings_only=True)
        except TypeError:  # an unhashable value (a list in a JSON field): Django's own way
            return super()._get_FIELD_display(field)
