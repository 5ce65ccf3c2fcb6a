"""Times as people and abuse desks read them: always with the zone."""

from __future__ import annotations

from datetime import UTC, datetime


def zone_label(dt: datetime) -> str:
    offset = dt.strftime("%z")
    label = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    name = dt.tzname()
    if name and name.startswith("UTC") and offset == "+0900":
        name = "JST"  # the zone of the users this is for, named as they know it
    if name and not name.startswith(("UTC", "+", "-")):
        return f"{name}, {label}"
    return label


def human(dt: datetime, with_date: bool = True) -> str:
    """A moment in the words of the active language, with its zone: '22 November 2026,
    14:02:05 (JST, UTC+09:00)', '2026年11月22日 14時02分05秒（日本時間）' (checks/dates.py, the one
    formatter of dates and times; the clock alone without the date)."""
    if not with_date:
        return f"{dt.strftime('%H:%M:%S')} ({zone_label(dt)})"
    from checks import dates, i18n

    return dates.moment(dt, i18n.get_language())


def human_span(start: datetime, end: datetime) -> str:
    from checks import dates, i18n

    return dates.span(start, end, i18n.get_language())


def plausible(moment: datetime | None, first_year: int = 1990, last_year: int = 2200):
    """``moment`` when it is a real instant of the years a mail, a complaint or a record can
    carry (converted to UTC, so that "0001-01-01T00:00+14:00", the year 0 in UTC, is not); None
    otherwise. Every date from outside passes here before any arithmetic."""
    if moment is None:
        return None
    try:
        utc = moment.astimezone(UTC) if moment.tzinfo else moment
    except (OverflowError, OSError, ValueError):
        return None
    return moment if first_year <= utc.year <= last_year else None
