"""``get_FOO_display()`` without hashing every label on every call.

Django's ``Model._get_FIELD_display`` builds ``dict(make_hashable(field.flatchoices))`` on each call:
hashing a lazy label translates it, so one ``get_state_display()`` of the application's 14 states
costs 14 translations, and a list of 50 rows showing a state and a kind ~1,000 of them (a third of
the rows' drawing time at 10,000 applications, issue 16).  ``ChoiceLabels`` keeps, per field, the
choices as a dict keyed by value (values are plain strings or numbers; the lazy labels are only
stored) and translates the one label shown.  Same result as Django's: the label in the active
language, or the value itself when it is not among the choices.  The choices are read once per
process: mix it only into models whose choices are fixed in code (not a callable that reads the
database, as the audit's actions are).
"""

from __future__ import annotations

from django.utils.encoding import force_str


def _labels(field) -> dict:
    found = field.__dict__.get("_choice_labels")
    if found is None:
        found = field.__dict__["_choice_labels"] = dict(field.flatchoices)
    return found


class ChoiceLabels:
    """Mixed into a model before ``models.Model``: its ``get_FOO_display()`` methods read the
    field's choices from a dict kept on the field."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value (a list in a JSON field): Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
