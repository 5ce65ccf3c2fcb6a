"""Every user-facing string has a Japanese translation, and the catalog is actually used."""

import io
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from checks import i18n

ROOT = i18n.LOCALE_DIR.parent
# As `make catalogs` extracts them (its -k options).
KEYWORDS = {"_": None, "N_": None, "said": None, "Np_": (1, 2), "ngettext": (1, 2)}


def source_msgids() -> set[str]:
    ids = set()
    for folder in ("checks", "journal", "cases", "reports", "app", "cli", "gui"):  # make catalogs
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            ids.add(message if isinstance(message, str) else message[0])
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        ROOT / "reports" / "templates",
        method_map=[("**.j2", "jinja2")],
        keywords=KEYWORDS,
        options_map={"**.j2": {"extensions": "jinja2.ext.i18n"}},
    ):
        ids.add(message if isinstance(message, str) else message[0])
    for _line, _func, message, _c in __import__(
        "babel.messages.extract", fromlist=["extract_python"]
    ).extract_python(io.BytesIO((ROOT / "main.py").read_bytes()), KEYWORDS, [], {}):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


TRANSLATED = [code for code in i18n.CODES if code != i18n.SOURCE]


def test_each_language_has_its_catalogue_and_letter():
    for code in TRANSLATED:
        assert (i18n.LOCALE_DIR / code / "LC_MESSAGES/clearline.po").is_file(), code
    for code in i18n.CODES:
        assert (ROOT / f"reports/templates/letter.{code}.txt.j2").is_file(), code


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated(code):
    with (i18n.LOCALE_DIR / code / "LC_MESSAGES/clearline.po").open("rb") as fp:
        catalog = read_po(fp, locale=code)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else m.string[0]) and not m.fuzzy
    }
    missing = sorted(source_msgids() - translated)
    assert not missing, "untranslated (run `make catalogs` and translate):\n" + "\n".join(missing)


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_translation_is_kept_for_words_the_program_no_longer_has(code):
    # A catalogue that `make catalogs` would change is not the catalogue the source asks for: a
    # new check's change would then carry unrelated lines (and a translator reads dead words).
    with (i18n.LOCALE_DIR / code / "LC_MESSAGES/clearline.po").open("rb") as fp:
        catalog = read_po(fp, locale=code)
    kept = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    stale = sorted(kept - source_msgids())
    assert not stale, "no longer in the source (run `make catalogs`):\n" + "\n".join(stale)


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_survive_translation(code):
    import re

    with (i18n.LOCALE_DIR / code / "LC_MESSAGES/clearline.po").open("rb") as fp:
        catalog = read_po(fp, locale=code)
    for m in catalog:
        if not m.id:
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        msgstr = m.string if isinstance(m.string, str) else m.string[0]

        # A clock's hour may be written padded ({hh}, 09) or not ({h}, 9): checks/dates.py
        # supplies both, and Japanese writes 9時05分.
        def fields(text: str) -> set[str]:
            return {f.replace("{hh", "{h") for f in re.findall(r"{\w+", text)}

        assert fields(msgid) == fields(msgstr), msgid


def test_language_follows_the_environment(monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert i18n.detect_language() == "ja"
    # A language Clearline does not speak (Quechua: not one it is likely to gain) gives English.
    monkeypatch.setenv("LANG", "qu_PE.UTF-8")
    assert i18n.detect_language() == "en"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_translation_switches_per_context(lang):
    token = i18n.use_language(lang)
    try:
        text = i18n._("Mail connections from this PC")
    finally:
        i18n.reset_language(token)
    assert (
        text
        == {"ja": "この PC からメールサーバーへの接続", "en": "Mail connections from this PC"}[lang]
    )


def test_po_is_used_even_without_a_compiled_mo(tmp_path, monkeypatch):
    # A fresh checkout run without `make` has no .mo: the .po must still be honoured.
    folder = tmp_path / "ja/LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "clearline.po").write_bytes(
        (i18n.LOCALE_DIR / "ja/LC_MESSAGES/clearline.po").read_bytes()
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert i18n.translations("ja").gettext("OK") == "問題なし"
    finally:
        i18n.translations.cache_clear()


def test_no_translation_call_hides_inside_an_f_string():
    """Babel cannot see _("...") inside an f-string: such a text would never be translated."""
    import re

    offenders = []
    for folder in ("checks", "journal", "cases", "reports", "app", "cli", "gui"):  # make catalogs
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"""\bf["'][^"']*\{_\(["']""", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert not offenders


def test_these_tests_extract_with_the_keywords_make_catalogs_uses():
    # A marker `make catalogs` knows and these tests do not (or the reverse) would let words
    # go untranslated, or call live words stale.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    used = set(re.findall(r"-k (\w+)", makefile))
    assert used == set(KEYWORDS)
