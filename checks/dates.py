"""Dates and times as each language writes them in a letter, always with the zone: the forms
are the catalogue's words, the month names Babel's, so a language adds none of its own code.

Month names come from Babel's CLDR data for the letter's language, never from strftime: Qt
sets the C library's locale from the OS, and an English letter written on a Japanese PC read
"20 11月 2026"."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from babel.dates import format_date

from checks.i18n import N_, gettext_in, language

if TYPE_CHECKING:
    from checks.claim_doc import Claim


def zone_words(dt: datetime, lang: str) -> str:
    offset = dt.utcoffset()
    if offset is not None and offset.total_seconds() == 9 * 3600:
        return gettext_in(lang, N_("JST, UTC+09:00"))
    text = dt.strftime("%z")
    label = f"UTC{text[:3]}:{text[3:]}" if text else "UTC"
    return label


def date_only(dt: datetime, lang: str) -> str:
    """The long date of the language's CLDR locale: "22 November 2026", "2026年11月22日"."""
    return format_date(dt.date(), "long", locale=language(lang).cldr)


def date_short(dt: datetime, lang: str) -> str:
    """The medium date of the language's CLDR locale, where room is short: "30 Sept 2026",
    "2026/09/30"."""
    return format_date(dt.date(), "medium", locale=language(lang).cldr)


def clock(dt: datetime, lang: str, seconds: bool = True) -> str:
    """'14:02:05' / '14時02分05秒'."""
    form = N_("{hh}:{mm}:{ss}") if seconds else N_("{hh}:{mm}")
    return gettext_in(lang, form).format(
        h=dt.hour, hh=f"{dt.hour:02d}", mm=f"{dt.minute:02d}", ss=f"{dt.second:02d}"
    )


def moment(dt: datetime, lang: str, seconds: bool = True) -> str:
    """'2026年11月22日 14時02分05秒（日本時間）' / '22 November 2026, 14:02:05 (JST, UTC+09:00)'."""
    return gettext_in(lang, N_("{date}, {clock} ({zone})")).format(
        date=date_only(dt, lang), clock=clock(dt, lang, seconds), zone=zone_words(dt, lang)
    )


def span(start: datetime, end: datetime, lang: str, seconds: bool = True) -> str:
    if start.date() == end.date():
        return gettext_in(lang, N_("{date}, {start}–{end} ({zone})")).format(
            date=date_only(start, lang),
            start=clock(start, lang, seconds),
            end=clock(end, lang, seconds),
            zone=zone_words(end, lang),
        )
    return gettext_in(lang, N_("{start} – {end}")).format(
        start=moment(start, lang, seconds), end=moment(end, lang, seconds)
    )


def parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else None


def between(
    start: datetime | None, end: datetime | None, zone: tzinfo, lang: str, seconds: bool = True
) -> str:
    """The moment, or the span from ``start`` to ``end``, in ``zone`` (one moment when they are
    under a second apart)."""
    if start is None and end is None:
        return ""
    start = (start or end).astimezone(zone)
    end = (end or start).astimezone(zone)
    if end - start < timedelta(seconds=1):
        return moment(start, lang, seconds)
    return span(start, end, lang, seconds)


def claimed_times(claim: Claim, zone: tzinfo, lang: str) -> list[str]:
    """The provider's reported times as the notice gave them: the whole range, in the notice's
    own zone, and in the user's zone too when that differs (the reader of the letter and the
    user see the same moment)."""
    out = []
    for t in claim.notice_times:
        start, end = t.start_as_notice, t.end_as_notice
        if start is None:
            continue
        # The notice's own precision: seconds only when it gave them.
        precise = bool(start.second or (end and end.second))
        own = start.tzinfo or zone
        text = between(start, end or start, own, lang, seconds=precise)
        if t.approximate:
            text = gettext_in(lang, N_("{time} (approximately)")).format(time=text)
        if t.zone_assumed:
            text = gettext_in(lang, N_("{time} (no time zone was given; taken as {zone})")).format(
                time=text, zone=zone_words(start, lang)
            )
        if start.utcoffset() != start.astimezone(zone).utcoffset():
            mine = between(start, end or start, zone, lang, seconds=precise)
            text = gettext_in(lang, N_("{time} ({mine} here)")).format(time=text, mine=mine)
        out.append(text)
    return out
