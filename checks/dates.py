"""Dates and times as each language writes them in a letter, always with the zone.

Month names come from Babel's CLDR data for the letter's language, never from strftime: Qt
sets the C library's locale from the OS, and an English letter written on a Japanese PC read
"20 11月 2026"."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date

# The CLDR locale whose long date each letter language writes ("22 November 2026", "2026年11月22日").
DATE_LOCALES = {"en": "en_GB", "ja": "ja"}


def zone_words(dt: datetime, lang: str) -> str:
    offset = dt.utcoffset()
    if offset is not None and offset.total_seconds() == 9 * 3600:
        return "日本時間" if lang == "ja" else "JST, UTC+09:00"
    text = dt.strftime("%z")
    label = f"UTC{text[:3]}:{text[3:]}" if text else "UTC"
    return label


def date_only(dt: datetime, lang: str) -> str:
    return format_date(dt.date(), "long", locale=DATE_LOCALES.get(lang, "en_GB"))


def moment(dt: datetime, lang: str, seconds: bool = True) -> str:
    """'2026年11月22日 14時02分05秒（日本時間）' / '22 November 2026, 14:02:05 (JST, UTC+09:00)'."""
    if lang == "ja":
        sec = f"{dt.second:02d}秒" if seconds else ""
        return f"{date_only(dt, lang)} {dt.hour}時{dt.minute:02d}分{sec}（{zone_words(dt, lang)}）"
    clock = dt.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{date_only(dt, lang)}, {clock} ({zone_words(dt, lang)})"


def span(start: datetime, end: datetime, lang: str, seconds: bool = True) -> str:
    if start.date() == end.date():
        if lang == "ja":

            def clock(dt: datetime) -> str:
                return f"{dt.hour}時{dt.minute:02d}分" + (f"{dt.second:02d}秒" if seconds else "")

            return (
                f"{date_only(start, lang)} {clock(start)}～{clock(end)}（{zone_words(end, lang)}）"
            )
        fmt = "%H:%M:%S" if seconds else "%H:%M"
        return (
            f"{date_only(start, lang)}, {start.strftime(fmt)}–{end.strftime(fmt)}"
            f" ({zone_words(end, lang)})"
        )
    sep = "～" if lang == "ja" else " – "
    return moment(start, lang, seconds) + sep + moment(end, lang, seconds)


def parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else None
