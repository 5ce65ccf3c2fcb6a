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

DOMAIN = "clearline"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("en", "ja")

_default_language = "en"
_language: ContextVar[str | None] = ContextVar("clearline_language", default=None)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def Np_(singular: str, plural: str, count: str = "n") -> tuple[str, str, str]:
    """Mark a plural message for extraction; worded later with the param ``count`` as n."""
    return (singular, plural, count)


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
        if code in LANGUAGES:
            return code
        if code and code not in ("c", "posix"):
            return "en"
    return "en"


def set_default_language(lang: str) -> None:
    global _default_language
    _default_language = normalise(lang)


def normalise(lang: str | None) -> str:
    code = (lang or "en").split("_")[0].split("-")[0].lower()
    return code if code in LANGUAGES else "en"


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
    if lang == "en":
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
