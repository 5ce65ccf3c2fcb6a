"""Find the times a provider's notice talks about, in English or Japanese, and normalise them.

Japanese notices: 2026年11月20日 14時05分頃, 2026/11/20(金) 14:05:33, 令和8年11月18日（水）午後9時12分
から午後9時40分ごろ（日本時間）, 23時50分頃～0時10分頃 (a range across midnight), 24時30分 (the next
day's 0:30). English ones: RFC 5322 dates, ISO 8601, "November 18, 2026 at 9:12 PM (PDT)".

An explicit zone word (日本時間, JST, +0900, GMT, UTC, (PDT)) always decides, for the whole range
when it follows the range. Only a time with no zone at all takes an assumed zone, and says so:
Japan's for a notice written in Japanese (a Japanese provider writes Japan time, whatever the
reader's PC is set to), otherwise the zone the caller gives (the PC's). Anything impossible
(month 13, 30:00) is skipped, never guessed.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

JST = timezone(timedelta(hours=9), "JST")
ZONES = {
    "JST": JST,
    "日本時間": JST,
    "日本標準時": JST,
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "UT": UTC,
    "EST": timezone(timedelta(hours=-5), "EST"),
    "EDT": timezone(timedelta(hours=-4), "EDT"),
    "CST": timezone(timedelta(hours=-6), "CST"),
    "CDT": timezone(timedelta(hours=-5), "CDT"),
    "MST": timezone(timedelta(hours=-7), "MST"),
    "MDT": timezone(timedelta(hours=-6), "MDT"),
    "PST": timezone(timedelta(hours=-8), "PST"),
    "PDT": timezone(timedelta(hours=-7), "PDT"),
    "CET": timezone(timedelta(hours=1), "CET"),
    "CEST": timezone(timedelta(hours=2), "CEST"),
    "BST": timezone(timedelta(hours=1), "BST"),
    "KST": timezone(timedelta(hours=9), "KST"),
}
REIWA_START = 2018  # 令和1年 = 2019
# Years a notice can speak of: a date outside is a typo or hostile, and arithmetic on it near
# datetime's limits would overflow.
MIN_YEAR, MAX_YEAR = 1990, 2200


@dataclass(frozen=True)
class FoundTime:
    text: str  # as written in the notice
    when: datetime  # aware, in the notice's own zone (or the assumed one)
    zone_assumed: bool  # the notice gave no zone; we assumed one
    approximate: bool  # 頃 / about / approx.
    range_end: datetime | None = None
    zone_label: str | None = None  # the zone as written, or the name of the assumed one
    year_assumed: bool = False  # "11月18日" without a year: the nearest past one was taken

    def as_facts(self, local_zone: tzinfo) -> dict:
        out = {
            "text": self.text,
            "utc": self.when.astimezone(UTC).isoformat(),
            "local": self.when.astimezone(local_zone).isoformat(),
            # The notice's own reading: its wall clock and zone, as the letter restates it.
            "notice_local": self.when.isoformat(),
            "zone": self.zone_label,
            "zone_assumed": self.zone_assumed,
            "approximate": self.approximate,
        }
        if self.year_assumed:
            out["year_assumed"] = True
        if self.range_end is not None:
            out["end_utc"] = self.range_end.astimezone(UTC).isoformat()
            out["end_local"] = self.range_end.astimezone(local_zone).isoformat()
            out["end_notice_local"] = self.range_end.isoformat()
        return out


def normalise_text(text: str) -> str:
    """Full-width digits, colons and spaces to ASCII (NFKC), but keep the wave dash ranges."""
    text = text.replace("〜", "～").replace("~", "～")
    text = unicodedata.normalize("NFKC", text)
    return text.replace("~", "～")  # NFKC turns ～ into ~; keep one symbol for ranges


_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MON = r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_WEEKDAY_EN = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"

# The dates a notice writes; each is followed by a time (_TIME), which is what makes it a moment.
DATE_FORMS = (
    re.compile(
        r"(?:(?P<era>令和)\s*(?P<ryear>\d{1,2}|元)\s*年|(?P<year>\d{4})\s*[年/\-.])"
        r"\s*(?P<month>\d{1,2})\s*[月/\-.]\s*(?P<day>\d{1,2})(?!\d)\s*日?"
    ),
    re.compile(
        r"(?<![\w])" + _WEEKDAY_EN + r"(?P<day>\d{1,2})\s+" + _MON + r",?\s+(?P<year>\d{4})"
    ),
    re.compile(
        r"(?<![\w])"
        + _WEEKDAY_EN
        + _MON
        + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
    ),
    # 11/18/2026 (US) or 18/11/2026 when the first number cannot be a month.
    re.compile(r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})(?![\d/])"),
    # 「11月18日」 without a year: the year is the nearest that is not in the future.
    re.compile(r"(?<![\d年/])(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"),
)

_ZONE_WORDS = r"日本標準時|日本時間|JST|UTC|GMT|UT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|CET|CEST|BST|KST"
# A zone: a word, an offset (+0900, +09:00, UTC+9, GMT+09:00), in parentheses or not.
_ZONE = (
    r"(?:\s*[\(（]?\s*(?P<{g}>(?:(?:UTC|GMT)\s*[+-]\s*\d{{1,2}}(?::?\d{{2}})?|[+-]\d{{2}}:?\d{{2}}"
    r"|(?:" + _ZONE_WORDS + r")(?![A-Za-z])|Z(?![A-Za-z])))\s*[\)）]?)?"
)
_APPROX = r"(?P<{g}>\s*(?:頃|ごろ|前後|approx\.?|about|approximately))?"
_CLOCK = (
    r"(?P<{p}ampm_pre>午前|午後)?\s*"
    r"(?:(?P<{p}h1>\d{{1,2}})\s*時(?:\s*(?P<{p}m1>\d{{1,2}})\s*分|\s*(?P<{p}half>半))?"
    r"(?:\s*(?P<{p}s1>\d{{1,2}})\s*秒)?"
    r"|(?P<{p}h2>\d{{1,2}}):(?P<{p}m2>\d{{2}})(?::(?P<{p}s2>\d{{2}})(?:\.\d+)?)?)"
    r"(?:\s*(?P<{p}ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
)
_TIME = re.compile(
    r"(?:\s*[\(（][日月火水木金土A-Za-z]{1,3}[\)）])?"  # (水), (Wed)
    r"(?:\s*[,、]?\s*(?:at|の)?\s*|T)"
    r"(?:(?P<zone_pre>日本時間|日本標準時|JST)\s*)?"
    + _CLOCK.format(p="")
    + _APPROX.format(g="approx")
    + _ZONE.format(g="zone")
    + _APPROX.format(g="approx2")
)
# The end of a range: "～14時30分", "から午後9時40分ごろ", "– 15:10:00 UTC", "to 11/19 0:10", or a
# full date again.
_RANGE = re.compile(
    r"\s*(?:～|-|–|—|から|より|to|until|till|through)\s*[、,]?\s*"
    # 「翌朝」「翌日」: the end is on the next day ("22時半から翌朝7時まで").
    r"(?:(?P<next>翌朝|翌日|翌)\s*(?:[\(（][^)）]{1,6}[\)）])?\s*)?"
    r"(?:(?:(?P<year>\d{4})\s*[年/\-.]\s*)?(?P<month>\d{1,2})\s*[月/]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:\s*[\(（][日月火水木金土A-Za-z]{1,3}[\)）])?\s*)?"
    r"(?:(?P<zone_pre>日本時間|JST)\s*)?"
    + _CLOCK.format(p="")
    + _APPROX.format(g="approx")
    + r"(?:\s*まで)?"
    + _ZONE.format(g="zone")
    + _APPROX.format(g="approx2")
    + r"(?:\s*まで)?"
)
_APPROX_AFTER = re.compile(r"\s*(?:頃|ごろ|前後)")
_ZONE_BEFORE = re.compile(r"(日本時間|日本標準時|JST)\s*[:：]?\s*$")


def _zone(token: str | None) -> tzinfo | None:
    if not token:
        return None
    token = re.sub(r"\s+", "", token)
    if token in ZONES:
        return ZONES[token]
    m = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", token)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes > 59:
            return None
        sign = 1 if m.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    return None


def _clock(g: dict) -> tuple[int, int, int] | None:
    """(hour, minute, second) of a matched clock; hour may be 24–29 (the next day, as Japanese
    notices write late night); None when impossible."""
    hour = g.get("h1") or g.get("h2")
    if hour is None:
        return None
    h = int(hour)
    m = 30 if g.get("half") else int(g.get("m1") or g.get("m2") or 0)
    s = int(g.get("s1") or g.get("s2") or 0)
    if g.get("ampm_pre") == "午後" and h < 12:
        h += 12
    elif g.get("ampm_pre") == "午前" and h == 12:
        h = 0
    ampm = (g.get("ampm") or "").replace(".", "").lower()
    if ampm:
        if h > 12 or h == 0:
            return None
        h = (h % 12) + (12 if ampm == "pm" else 0)
    if h > 29 or m > 59 or s > 59:
        return None
    return h, m, s


def _moment(year: int, month: int, day: int, clock: tuple[int, int, int], tz) -> datetime | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    h, m, s = clock
    try:
        base = datetime(year, month, day, 0, m, s, tzinfo=tz) + timedelta(hours=h)
    except (ValueError, TypeError, OverflowError):
        return None
    from checks.timefmt import plausible

    return plausible(base, MIN_YEAR, MAX_YEAR)


def _date(m: re.Match, reference: datetime | None = None) -> tuple[int, int, int] | None:
    g = m.groupdict()
    try:
        if not g.get("year") and not g.get("era") and not g.get("a") and not g.get("mon"):
            # No year written: the latest such day not more than a few weeks ahead of now.
            today = (reference or datetime.now(UTC)).date()
            month, day = int(g["month"]), int(g["day"])
            year = today.year
            if (month, day) > (today.month, today.day) and month - today.month > 1:
                year -= 1
            return year, month, day
        if g.get("era"):
            year = REIWA_START + (1 if g["ryear"] == "元" else int(g["ryear"]))
        else:
            year = int(g["year"])
        if g.get("mon"):
            month = _MONTHS[g["mon"][:3].lower()]
            return year, month, int(g["day"])
        if g.get("a"):
            a, b = int(g["a"]), int(g["b"])
            return (year, b, a) if a > 12 else (year, a, b)
        return year, int(g["month"]), int(g["day"])
    except (KeyError, ValueError, TypeError):
        return None


def _label(token: str | None) -> str | None:
    return re.sub(r"\s+", "", token) if token else None


def find_times(
    text: str, default_zone: tzinfo = JST, reference: datetime | None = None
) -> list[FoundTime]:
    """Every time mentioned, in order; ranges carry their end. A time without a zone takes
    Japan's when the text is Japanese, ``default_zone`` otherwise (marked as assumed)."""
    text = normalise_text(text)
    assumed_zone = JST if _JAPANESE.search(text) else default_zone
    found: list[tuple[int, FoundTime]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        # ``taken`` is kept sorted and its spans do not overlap: look only at the neighbours.
        i = bisect.bisect_left(taken, (a, a))
        for s, e in taken[max(0, i - 1) : i + 1]:
            if not (b <= s or a >= e):
                return False
        return True

    for form in DATE_FORMS:
        for dm in form.finditer(text):
            if not free(dm.start(), dm.end()):
                continue
            date = _date(dm, reference)
            tm = _TIME.match(text, dm.end()) if date else None
            if tm is None:
                continue
            clock = _clock(tm.groupdict())
            if clock is None:
                continue
            item = _found(
                text,
                dm,
                tm,
                date,
                clock,
                assumed_zone,
                not dm.groupdict().get("year") and not dm.groupdict().get("era"),
            )
            if item is None:
                continue
            start_at, end_at, moment = item
            found.append((start_at, moment))
            bisect.insort(taken, (start_at, end_at))
    return [f for _pos, f in sorted(found, key=lambda x: x[0])]


def _found(text, dm, tm, date, clock, assumed_zone, year_assumed=False):
    g = dict(tm.groupdict())
    end_at = tm.end()
    if g.get("zone") and _dash_offset_is_a_range(text, tm):
        # "10:00-11:00" is a range, not the offset -11:00: read it as one below.
        g["zone"] = g["approx2"] = None
        end_at = tm.start("zone")
    before = _ZONE_BEFORE.search(text, max(0, dm.start() - 12), dm.start())
    zone_token = g.get("zone") or g.get("zone_pre")
    start_at = dm.start()
    if zone_token is None and before is not None:
        # "日本時間 2026年11月18日 21時12分": the zone written before the date.
        zone_token, start_at = before.group(1), before.start()
    tz = _zone(zone_token)
    if zone_token and tz is None:
        return None  # a zone we cannot read: not a guess
    approx = bool(g.get("approx") or g.get("approx2"))
    year, month, day = date
    end = None
    rm = _RANGE.match(text, end_at)
    if rm is not None:
        r = rm.groupdict()
        end_clock = _clock(r)
        end_token = r.get("zone") or r.get("zone_pre")
        end_tz = _zone(end_token)
        if end_clock is not None and not (end_token and end_tz is None):
            # A zone written after the range applies to its start too ("14:05～14:35（日本時間）").
            if end_tz is not None and tz is None:
                tz, zone_token = end_tz, end_token
            start = _moment(year, month, day, clock, tz or assumed_zone)
            end = _moment(
                int(r["year"]) if r.get("year") else year,
                int(r["month"]) if r.get("month") else month,
                int(r["day"]) if r.get("day") else day,
                end_clock,
                end_tz or tz or assumed_zone,
            )
            if end is not None and r.get("next") and not r.get("day"):
                end += timedelta(days=1)
            elif start is not None and end is not None and end < start and not r.get("day"):
                end += timedelta(days=1)  # "23時50分頃～0時10分頃": the end is the next day
            if start is None or end is None or end < start or end - start > timedelta(days=31):
                end = None
            else:
                end_at = rm.end()
                approx = approx or bool(r.get("approx") or r.get("approx2"))
    when = _moment(year, month, day, clock, tz or assumed_zone)
    if when is None:
        return None
    after = _APPROX_AFTER.match(text, end_at)
    if after:
        approx, end_at = True, after.end()
    label = _label(zone_token) if tz is not None else _zone_name(assumed_zone, when)
    moment = FoundTime(
        text[start_at:end_at].strip(), when, tz is None, approx, end, label, year_assumed
    )
    return start_at, end_at, moment


def _dash_offset_is_a_range(text: str, tm: re.Match) -> bool:
    """A minus offset written straight after the clock ("10:00-11:00") is the end of a range,
    unless the time is ISO 8601 ("2026-11-18T21:12:05-07:00")."""
    at = tm.start("zone")
    return text[at] == "-" and not text[at - 1].isspace() and "T" not in tm.group(0)[:2]


def _zone_name(zone: tzinfo, when: datetime) -> str:
    name = zone.tzname(when) if zone is not None else None
    if name and not name.startswith("UTC"):
        return name
    offset = when.strftime("%z")
    if not offset or offset == "+0000":
        return "UTC"
    return f"UTC{offset[:3]}:{offset[3:]}"
