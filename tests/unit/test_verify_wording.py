"""What Clearline says a checked bundle proves, in every place and language: that its files
match the checksum list written when it was made, never that nothing was changed. The list
travels in the same zip, so anyone who rewrites a file can rewrite its line too."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from checks import i18n
from reports import bundle

ROOT = Path(__file__).resolve().parents[2]
OVERCLAIMS = re.compile(
    r"is intact|nothing was changed|not been (changed|tampered)|改ざんされていません"
    r"|改ざんはありません|変更されていないことを"
)


def test_no_message_in_either_language_says_the_bundle_was_not_tampered_with():
    catalog = read_po((ROOT / "locale/ja/LC_MESSAGES/clearline.po").open("rb"))
    about_bundles = [m for m in catalog if re.search(r"bundle|SHA256SUMS|checksum", str(m.id))]
    assert len(about_bundles) > 10
    for message in about_bundles:
        for text in (message.id, message.string):
            for part in text if isinstance(text, tuple) else (text,):
                assert not OVERCLAIMS.search(part or ""), part


def test_the_letters_and_the_bundle_readme_say_what_a_match_shows_and_how_on_windows():
    readme = bundle.readme("case-1", bundle.names())
    japanese, english = readme.split("[English]")
    assert "[日本語]" in japanese
    for text in (
        english,
        japanese,
        *(
            (ROOT / f"reports/templates/letter.{code}.txt.j2").read_text(encoding="utf-8")
            for code in i18n.CODES
        ),
    ):
        assert not OVERCLAIMS.search(text), OVERCLAIMS.search(text)
        assert "Get-FileHash" in text
    assert "not who made them" in english
    assert "誰が作成したかを示すものではありません" in japanese
