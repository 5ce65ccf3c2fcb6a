"""Text from outside never hides characters: a name typed with ESC [2J or U+202E, a program
that names itself with a bidi override, reach letters, reports and the terminal only as
visible escapes (<U+202E>)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app import flows
from cases.store import Case
from checks import visible, wording
from tests.budget import examples

ROOT = Path(__file__).resolve().parents[2]
HIDDEN = "\x1b[2J\u202eexe.txt\u2066\x07\x9b\u200b\ufeff"


def _hidden_in(text: str) -> list[str]:
    return [c for c in text if visible._HIDDEN.match(c) and c not in "\r"]


def test_visible_escapes_every_hidden_character_and_keeps_lines():
    assert visible.visible("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    assert visible.visible("x\ry") == "x<U+000D>y"
    shown = visible.visible(HIDDEN)
    assert _hidden_in(shown) == []
    assert "<U+001B>[2J" in shown and "<U+202E>exe.txt" in shown


@settings(max_examples=examples(200))
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_nothing_hidden_survives_visible(text):
    assert _hidden_in(visible.visible(text)) == []


@settings(max_examples=examples(40), deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=40))
def test_details_typed_with_any_character_reach_the_letter_only_visibly(tmp_path_factory, text):
    case = Case(tmp_path_factory.mktemp("case"))
    if not text.strip():
        return
    flows.record_details(case, {"name": text, "provider": text, "reference": text})
    for lang in ("en", "ja"):
        letter = flows.letter(case, lang).text
        assert _hidden_in(letter) == [], (lang, letter)


def test_a_program_that_names_itself_with_a_bidi_override_is_shown_as_it_is():
    said = wording.render(
        "{program} sent mail {count} times", {"program": "invoice\u202etxt.exe", "count": 3}
    )
    assert said == "invoice<U+202E>txt.exe sent mail 3 times"


def test_the_terminal_shows_hidden_characters_as_escapes(tmp_path):
    case = Case(tmp_path / "case")
    flows.record_details(case, {"name": "Taro" + HIDDEN, "provider": "ISP"})
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "letter", "--case", str(case.path), "--lang", "en"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": ""},
        timeout=120,
    )
    out = done.stdout.decode("utf-8")
    assert "Taro" in out and _hidden_in(out) == [], out
    assert "<U+202E>" in out
