"""assessment.json for each kind of case (tests/assessment_golden.py): what the letter, the
report, the support summary and step 5 stand on, compared whole."""

import pytest

from tests.assessment_golden import GOLDEN, NAMES, as_text, record


@pytest.mark.parametrize("name", NAMES)
def test_the_assessment_is_what_was_read_and_checked(name):
    expected = (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
    assert as_text(record(name)) == expected, (
        "assessment changed: if deliberate, run tools/regen_golden.py and read the diff"
    )
