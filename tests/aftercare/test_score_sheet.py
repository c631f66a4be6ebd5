"""The session page's score sheet is drawn by Jinja2 from plain rows (``score_rows``), not by a form
per row (issue 16): its inputs must be exactly those Django's widgets write for ``ScoreForm``,
unbound (the values recorded) and bound (a refused save: what was typed, and the errors)."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

from review.aftercare.forms import ScoreForm, ScoreFormSet, score_rows

APPS = [SimpleNamespace(pk=11, code="AAAA1111", state="decided"), SimpleNamespace(pk=12, code="BBBB2222", state="fee_paid"),
        SimpleNamespace(pk=13, code="CCCC3333", state="defense_scheduled")]
INITIAL = [{"application": 11, "score": Decimal("87.0"), "absent": False, "result": "pass"},
           {"application": 12, "score": None, "absent": True, "result": ""},
           {"application": 13, "score": Decimal("59.5"), "absent": False, "result": "fail"}]


def _sheet(formset, scored: bool) -> str:
    return engines["jinja2"].get_template("aftercare/_score_rows.html").render({
        "score_rows": score_rows(APPS, formset), "formset": formset, "scored": scored,
        "result_choices": ScoreForm.base_fields["result"].choices})


def _widgets(formset, scored: bool) -> list[str]:
    shown = ["application", "score" if scored else "result", "absent"]
    return [str(form[name]) for form in formset.forms for name in shown]


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize("scored", [True, False])
def test_an_unbound_sheet_draws_django_s_own_inputs(scored):
    formset = ScoreFormSet(initial=INITIAL, prefix="s")
    sheet = _sheet(formset, scored)
    for widget in _widgets(formset, scored):
        assert widget in sheet
    assert sheet.count('class="score-row"') == 3 and sheet.count("已评审") == 1
    assert ('value="87.0"' in sheet) is scored and ('<option value="pass" selected>' in sheet) is not scored
    assert "checked" in sheet and "field-error" not in sheet


@pytest.mark.parametrize("scored", [True, False])
def test_a_refused_save_shows_what_was_typed_and_each_error_where_its_input_points(scored):
    data = {"s-TOTAL_FORMS": "3", "s-INITIAL_FORMS": "3", "s-MIN_NUM_FORMS": "0", "s-MAX_NUM_FORMS": "1000",
            "s-0-application": "11", "s-0-score": "101", "s-0-result": "maybe", "s-0-absent": "on",
            "s-1-application": "12", "s-1-score": "", "s-1-result": "", "s-2-application": "x13",
            "s-2-score": "60", "s-2-result": "pass"}
    formset = ScoreFormSet(data, initial=INITIAL, prefix="s")
    assert not formset.is_valid()
    sheet = _sheet(formset, scored)
    for widget in _widgets(formset, scored):
        assert widget in sheet
    field = "score" if scored else "result"
    assert f'aria-describedby="id_s-0-{field}_error"' in sheet
    assert f'<small class="field-error" id="id_s-0-{field}_error">' in sheet  # the description exists
    assert 'value="x13"' in sheet  # the hidden id as posted, and its error
    messages = re.findall(r'<small class="field-error"[^>]*>([^<]*)</small>', sheet)
    expected = [errors[0] for form in formset.forms for errors in form.errors.values()]
    assert messages == expected and len(messages) == 3  # score, result (row 1), the id (row 3)
