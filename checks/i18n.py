"""One translation mechanism for the whole program: gettext catalogs (domain "clearline").

Catalogs live in ``locale/<lang>/LC_MESSAGES/clearline.po``; ``make`` compiles them to .mo with
Babel. When a .mo is missing or older than its .po (a fresh checkout run without make), the .po
is compiled in memory with Babel, so a translation is never silently lost.

The active language is a ContextVar with a process-wide default, so a worker thread started with
``contextvars.copy_context()`` speaks the language of whoever started it.
"""

from __future__ import annotations

import gettext
import io
import locale
import os
import sys
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import NamedTuple

DOMAIN = "clearline"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


class Language(NamedTuple):
    """What the program needs to know of a language besides its catalogue's words. (A named
    tuple, not a dataclass: the window needs the list before its first paint, and importing
    dataclasses cost ~1 ms of it.)"""

    code: str  # the catalogue's folder under locale/, --lang's value, letter.<code>.txt
    name: str  # its own name, as a language picker shows it
    cldr: str  # the CLDR locale of its dates and of other languages' names (Babel)
    sentence_gap: str  # between two sentences run together: " " in English, none in Japanese
    quotes_foreign: bool  # a letter in it marks text in another script (a notice's words) as quoted


# The one list of languages: every selector (--lang, the window's picker, the letters and the
# bundle's README, Qt's own translations) reads it. A language is its line here, its catalogue
# (locale/<code>/LC_MESSAGES/clearline.po) and its letter (reports/templates/letter.<code>.txt.j2).
LANGUAGES: tuple[Language, ...] = (
    Language("ja", "日本語", "ja", "", False),
    Language("en", "English", "en_GB", " ", True),
)
CODES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
SOURCE = "en"  # the language of the msgids: it needs no catalogue


def language(code: str) -> Language:
    """The Language for a code (normalised; English for one we do not speak)."""
    wanted = normalise(code)
    return next(item for item in LANGUAGES if item.code == wanted)


_default_language = SOURCE
_language: ContextVar[str | None] = ContextVar("clearline_language", default=None)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def Np_(singular: str, plural: str, count: str = "n") -> tuple[str, str, str]:
    """Mark a plural message for extraction; worded later with the param ``count`` as n."""
    return (singular, plural, count)


class Said(str):
    """English words that remember their template and params, so that what a reader found (a
    zip's damage, a journal's contradiction) stays plain text for a desk's JSON and is worded
    again in the user's language where it is shown (``word``)."""

    template: str
    params: dict[str, object]


def said(template: str, **params: object) -> Said:
    """``template`` (marked for extraction like ``_``) filled with ``params``, in English."""
    text = Said(template.format(**params) if params else template)
    text.template = template
    text.params = params
    return text


def word(text: str) -> str:
    """``text`` in the current language: a ``Said`` worded from its template (and its params
    that are ``Said`` too); any other text as it is (a file name, an error from elsewhere)."""
    if not isinstance(text, Said):
        return text
    params = {k: word(v) if isinstance(v, str) else v for k, v in text.params.items()}
    return _(text.template).format(**params)


def detect_language() -> str:
    """The OS user's language if we speak it, else English."""
    candidates: list[str] = []
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            candidates.extend(value.split(":"))
    if sys.platform == "win32":
        try:
            import ctypes

            lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
            candidates.append(locale.windows_locale.get(lcid, ""))
        except (AttributeError, OSError):
            pass
    try:
        candidates.append(locale.getlocale()[0] or "")
    except ValueError:
        pass
    for candidate in candidates:
        code = candidate.split(".")[0].split("_")[0].split("-")[0].lower()
        if code in CODES:
            return code
        if code and code not in ("c", "posix"):
            return SOURCE
    return SOURCE


def set_default_language(lang: str) -> None:
    global _default_language
    _default_language = normalise(lang)


def normalise(lang: str | None) -> str:
    code = (lang or SOURCE).split("_")[0].split("-")[0].lower()
    return code if code in CODES else SOURCE


def get_language() -> str:
    return _language.get() or _default_language


def use_language(lang: str) -> object:
    """Set the language for the current context; returns a token for ``reset_language``."""
    return _language.set(normalise(lang))


def reset_language(token: object) -> None:
    _language.reset(token)  # type: ignore[arg-type]


@cache
def translations(lang: str) -> gettext.NullTranslations:
    lang = normalise(lang)
    if lang == SOURCE:
        return gettext.NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return gettext.GNUTranslations(fp)
    if po.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as fp:
            catalog = read_po(fp, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()


def _(message: str) -> str:
    return translations(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_language()).ngettext(singular, plural, n)


def gettext_in(lang: str, message: str) -> str:
    """``message`` in the language ``lang``, whatever the current one (a letter's words)."""
    return translations(lang).gettext(message)
