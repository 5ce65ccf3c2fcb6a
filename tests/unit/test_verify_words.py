"""What verify finds wrong with a bundle is worded in the user's language where it is shown, and
stays English for a desk's JSON: a Japanese user was shown "link: a symbolic link" and
"SHA256SUMS line 4 is not 'checksum  name'" in the middle of Japanese sentences."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from checks import i18n
from checks.i18n import Said, said, word
from reports.bundle import verify
from tests.unit.test_bundle_verify_answers import CASES, zip_of
from tests.unit.test_zip_readers import HOSTILE

ROOT = Path(__file__).resolve().parents[2]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _said_of(result) -> list[str]:
    return [*result.problems, *([result.error] if result.error else [])]


def _in_japanese(text: str) -> str:
    token = i18n.use_language("ja")
    try:
        return word(text)
    finally:
        i18n.reset_language(token)


def _every_answer(tmp_path):
    for name, make in HOSTILE.items():
        path = tmp_path / f"hostile-{len(name)}-{abs(hash(name))}.zip"
        path.write_bytes(make())
        yield name, verify(path)
    for name, (entries, attrs, _expected) in CASES.items():
        path = zip_of(tmp_path / f"case-{abs(hash(name))}.zip", entries, attrs)
        yield name, verify(path)
    for name, data in (("not a zip", b"hello"), ("an end record only", b"PK\x05\x06")):
        path = tmp_path / f"{abs(hash(name))}.zip"
        path.write_bytes(data)
        yield name, verify(path)


def test_every_problem_verify_names_is_worded_in_japanese(tmp_path):
    seen = 0
    for name, result in _every_answer(tmp_path):
        for text in _said_of(result):
            seen += 1
            # English words with no template would stay English in a Japanese run.
            assert isinstance(text, Said), (name, text)
            shown = _in_japanese(text)
            assert shown != text and JAPANESE.search(shown), (name, text, shown)
    assert seen > 40  # the hostile zips and the answer table reach the readers' words


def test_a_desk_reads_the_same_english_whatever_the_users_language(tmp_path):
    made = {name: [str(t) for t in _said_of(r)] for name, r in _every_answer(tmp_path)}
    token = i18n.use_language("ja")
    try:
        again = {name: [str(t) for t in _said_of(r)] for name, r in _every_answer(tmp_path)}
    finally:
        i18n.reset_language(token)
    assert again == made
    assert not any(JAPANESE.search(t) for texts in made.values() for t in texts)


@pytest.mark.parametrize(
    ("text", "ja"),
    [
        # A param that is itself a reader's words is worded too; a file name never is.
        (
            said("{name}: {what}", name="link", what=said("a symbolic link")),
            "link：シンボリックリンク",
        ),
        (said("{name}: {what}", name="a symbolic link", what="x"), "a symbolic link：x"),
        ("plain words from elsewhere", "plain words from elsewhere"),
        (said("bytes {start}–{end} belong to no entry", start=3, end=9), "3～9 バイト目"),
    ],
)
def test_word_translates_templates_and_said_params_only(text, ja):
    assert _in_japanese(text).startswith(ja)


def test_the_command_shows_a_hostile_bundles_problems_in_japanese(tmp_path):
    path = tmp_path / "hostile.zip"
    path.write_bytes(HOSTILE["local header names another file"]())
    args = [sys.executable, "main.py", "verify", str(path)]
    ja = subprocess.run([*args, "--lang", "ja"], capture_output=True, encoding="utf-8", cwd=ROOT)
    en = subprocess.run([*args, "--lang", "en"], capture_output=True, encoding="utf-8", cwd=ROOT)
    assert ja.returncode == en.returncode == 2, (ja.stderr, en.stderr)
    assert "its local header names another file" in en.stdout
    assert "ローカルヘッダーに別のファイル名があります" in ja.stdout, ja.stdout
    assert "its local header" not in ja.stdout
