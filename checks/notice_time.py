"""Find the times a provider's notice talks about, in English or Japanese, and normalise them.

Japanese notices: 2026年11月20日 14時05分頃, 2026/11/20(金) 14:05:33, 令和8年11月20日, ranges with
～ or 〜, 日本時間/JST. A time with no zone in a Japanese notice is JST. RFC 5322 dates and ISO
8601 carry their own offsets. Anything impossible (month 13, 25:00) is skipped, never guessed.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

JST = timezone(timedelta(hours=9), "JST")
ZONES = {
    "JST": JST,
    "日本時間": JST,
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "UT": UTC,
    "EST": timezone(timedelta(hours=-5), "EST"),
    "EDT": timezone(timedelta(hours=-4), "EDT"),
    "CST": timezone(timedelta(hours=-6), "CST"),
    "PST": timezone(timedelta(hours=-8), "PST"),
    "PDT": timezone(timedelta(hours=-7), "PDT"),
    "CET": timezone(timedelta(hours=1), "CET"),
    "CEST": timezone(timedelta(hours=2), "CEST"),
    "KST": timezone(timedelta(hours=9), "KST"),
}
REIWA_START = 2018  # 令和1年 = 2019


@dataclass(frozen=True)
class FoundTime:
    text: str  # as written in the notice
    when: datetime  # aware
    zone_assumed: bool  # the notice gave no zone; we assumed one
    approximate: bool  # 頃 / about / approx.
    range_end: datetime | None = None

    def as_facts(self, local_zone) -> dict:
        out = {
            "text": self.text,
            "utc": self.when.astimezone(UTC).isoformat(),
            "local": self.when.astimezone(local_zone).isoformat(),
            "zone_assumed": self.zone_assumed,
            "approximate": self.approximate,
        }
        if self.range_end is not None:
            out["end_utc"] = self.range_end.astimezone(UTC).isoformat()
            out["end_local"] = self.range_end.astimezone(local_zone).isoformat()
        return out


def normalise_text(text: str) -> str:
    """Full-width digits, colons and spaces to ASCII (NFKC), but keep the wave dash ranges."""
    text = text.replace("〜", "～").replace("~", "～")
    text = unicodedata.normalize("NFKC", text)
    return text.replace("~", "～")  # NFKC turns ～ into ~; keep one symbol for ranges


_ZONE = r"(?:\s*[\(（]?\s*(?P<zone>JST|UTC|GMT|日本時間|[+-]\d{2}:?\d{2}|EST|EDT|PST|PDT|CET|CEST|KST)\s*[\)）]?)?"
_DOW = r"(?:\s*[\(（][日月火水木金土A-Za-z]{1,3}[\)）])?"
_APPROX = r"(?P<approx>\s*(?:頃|ごろ|前後|approx\.?|about))?"

JA_DATE = re.compile(
    r"(?:(?P<era>令和)(?P<ryear>\d{1,2}|元)年|(?P<year>\d{4})\s*[年/\-.])\s*(?P<month>\d{1,2})\s*[月/\-.]\s*(?P<day>\d{1,2})\s*日?"
    + _DOW
    + r"\s*(?P<zone_pre>日本時間|JST)?\s*(?:午前|午後)?\s*"
    r"(?P<hour>\d{1,2})\s*(?:時|:)\s*(?P<minute>\d{1,2})\s*分?(?:\s*(?::)?\s*(?P<second>\d{1,2})\s*秒?)?"
    + _APPROX
    + _ZONE
)
# The end of a range: "～14時30分", "～ 15:10:00", or a full date again.
RANGE_TAIL = re.compile(
    r"\s*[～\-–—]\s*(?:(?P<month>\d{1,2})\s*[月/]\s*(?P<day>\d{1,2})\s*日?" + _DOW + r"\s*)?"
    r"(?P<hour>\d{1,2})\s*(?:時|:)\s*(?P<minute>\d{1,2})\s*分?(?:\s*:?\s*(?P<second>\d{1,2})\s*秒?)?"
    + _APPROX
    + _ZONE
)
ISO = re.compile(
    r"(?P<iso>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)" + _ZONE
)
RFC5322 = re.compile(
    r"(?P<rfc>(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|[A-Z]{1,5})?)"
)


def _zone(token: str | None):
    if not token:
        return None
    token = token.strip()
    if token in ZONES:
        return ZONES[token]
    m = re.match(r"([+-])(\d{2}):?(\d{2})$", token)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    return None


def _build(year, month, day, hour, minute, second, tz) -> datetime | None:
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=tz
        )
    except (ValueError, TypeError, OverflowError):
        return None


_APPROX_AFTER = re.compile(r"\s*(?:頃|ごろ|前後)")


def find_times(text: str, default_zone=JST) -> list[FoundTime]:
    """Every time mentioned, in order; ranges carry their end."""
    text = normalise_text(text)
    found: list[tuple[int, FoundTime]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        # ``taken`` is kept sorted and its spans do not overlap: look only at the neighbours.
        i = bisect.bisect_left(taken, (a, a))
        for s, e in taken[max(0, i - 1) : i + 1]:
            if not (b <= s or a >= e):
                return False
        return True

    for m in JA_DATE.finditer(text):
        g = m.groupdict()
        year = (
            int(g["year"])
            if g["year"]
            else REIWA_START + (1 if g["ryear"] == "元" else int(g["ryear"]))
        )
        hour = int(g["hour"])
        if "午後" in m.group(0) and hour < 12:
            hour += 12
        tz = _zone(g["zone"]) or _zone(g["zone_pre"])
        assumed = tz is None
        when = _build(
            year, g["month"], g["day"], hour, g["minute"], g["second"], tz or default_zone
        )
        if when is None:
            continue
        end = None
        end_at = m.end()
        # Matched in place (no copy of the rest of the text per date: that was quadratic).
        tail = RANGE_TAIL.match(text, m.end())
        if tail:
            t = tail.groupdict()
            end = _build(
                year,
                t["month"] or g["month"],
                t["day"] or g["day"],
                t["hour"],
                t["minute"],
                t["second"],
                _zone(t["zone"]) or tz or default_zone,
            )
            # "14:05～14:35（日本時間）": a zone written after the range applies to its start too.
            start = when.replace(tzinfo=_zone(t["zone"])) if _zone(t["zone"]) and assumed else when
            if end is not None and end < start:
                end = None
            if end is not None:
                end_at = tail.end()
                if start is not when:
                    when, assumed = start, False
        approx = bool(g["approx"]) or bool(tail and tail.group("approx"))
        # "14:05～14:35（日本時間）頃": the 頃 may follow the zone.
        after = _APPROX_AFTER.match(text, end_at)
        if after:
            approx, end_at = True, after.end()
        found.append(
            (m.start(), FoundTime(text[m.start() : end_at].strip(), when, assumed, approx, end))
        )
        bisect.insort(taken, (m.start(), end_at))

    for m in ISO.finditer(text):
        if not free(m.start(), m.end()):
            continue
        raw = m.group("iso").replace(" ", "T")
        try:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            continue
        tz = _zone(m.group("zone"))
        assumed = when.tzinfo is None and tz is None
        if when.tzinfo is None:
            when = when.replace(tzinfo=tz or default_zone)
        found.append((m.start(), FoundTime(m.group(0).strip(), when, assumed, False)))
        bisect.insort(taken, (m.start(), m.end()))

    for m in RFC5322.finditer(text):
        if not free(m.start(), m.end()):
            continue
        try:
            when = parsedate_to_datetime(m.group("rfc"))
        except (TypeError, ValueError, IndexError):
            continue
        assumed = when.tzinfo is None
        if assumed:
            when = when.replace(tzinfo=default_zone)
        found.append((m.start(), FoundTime(m.group(0).strip(), when, assumed, False)))
        bisect.insort(taken, (m.start(), m.end()))
    return [f for _pos, f in sorted(found, key=lambda x: x[0])]
