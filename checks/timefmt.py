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
    """'2026-11-22 14:02:05 (JST, UTC+09:00)'."""
    fmt = "%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S"
    return f"{dt.strftime(fmt)} ({zone_label(dt)})"


def human_span(start: datetime, end: datetime) -> str:
    same_day = start.date() == end.date()
    return f"{start.strftime('%Y-%m-%d %H:%M:%S')} – " + (
        f"{end.strftime('%H:%M:%S')} ({zone_label(end)})" if same_day else human(end)
    )


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
