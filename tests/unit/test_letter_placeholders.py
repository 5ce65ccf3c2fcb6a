"""The letter never carries a placeholder for what the notice may not give: a sentence is
written without the reference rather than with "[notice reference]" (issue 32)."""

import pytest

from reports.report import letter_text
from tests.cases import JST, TODAY, build

KINDS = ["clean", "infected", "forged", "account", "suspicious", "ongoing", "nofacts"]


@pytest.mark.parametrize("kind", KINDS)
def test_no_reference_no_placeholder_and_a_given_one_is_named(tmp_path, kind):
    case = build(kind, tmp_path)
    for lang in ("en", "ja"):
        text = letter_text(case, lang, JST, TODAY)
        assert "[notice reference]" not in text and "［受付番号］" not in text
    case.set_details(reference="AB-77")
    assert "(reference AB-77)" in letter_text(case, "en", JST, TODAY)
    assert "（受付番号：AB-77）" in letter_text(case, "ja", JST, TODAY)
