"""Issue 13 item 10, "every message Chinese": whatever an applicant types into any section (no
Latin letter in it), every problem the page lists is Chinese, with no English word of Django's
or ours; and the scan and masking refusals too."""

import re

import pytest

from applications.forms import SPECS, SectionContext, SectionEditor
from tests.factories import ApplicationFactory

ENGLISH = re.compile(r"[A-Za-z]{3,}")
BAD_VALUES = ["？？", "２０３０－１３－４５", "-1", "9" * 12, "　", "字" * 25_000]


def _raws(key):
    spec = SPECS[key]
    for bad in BAD_VALUES:
        raw = {}
        if spec.head is not None:
            raw.update({f"{key}-{name}": [bad] for name in spec.head.base_fields})
        if spec.has_rows:
            prefix = f"{key}-rows"
            yield {**raw, f"{prefix}-TOTAL_FORMS": ["？"], f"{prefix}-INITIAL_FORMS": ["0"]}  # tampered
            yield {**raw}  # no management fields at all
            rows = {f"{prefix}-TOTAL_FORMS": ["3"], f"{prefix}-INITIAL_FORMS": ["0"]}
            for index in range(2):  # the third row left blank
                rows.update({f"{prefix}-{index}-{name}": [bad] for name in spec.row_form.base_fields})
            yield {**raw, **rows}
        else:
            yield raw


@pytest.mark.parametrize("key", sorted(SPECS))
def test_every_section_problem_is_chinese(reference, key):
    application = ApplicationFactory()
    context = SectionContext(user=application.applicant, application=application)
    seen = 0
    for raw in _raws(key):
        for line in SectionEditor(key, context=context, raw=raw).error_messages():
            seen += 1
            assert re.search(r"[\u4e00-\u9fff]", line) and not ENGLISH.search(line), (key, line)
    assert seen
