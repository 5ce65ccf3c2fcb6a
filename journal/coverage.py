"""When the journal was running, from its own records (pure: no database, no clock).

The recorder writes a heartbeat a minute. Two records of one run no more than ``MAX_GAP`` apart
prove it ran between them; a longer silence (the machine asleep, the recorder killed) is a gap.
A run ends at its ``stop`` record, or at its last record when it was killed. Each stretch keeps
the run's mode: ``capture`` sees every connection attempt as a packet; ``poll`` looks at the
connection table a few times a second and can miss a connection shorter than that, so what it
covers is partial."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journal.store import CONNECT, HEARTBEAT, MX, START, STOP, Record

HEARTBEAT_S = 60
MAX_GAP_S = 91  # a heartbeat a minute, half a minute late, and a second more
CAPTURE, POLL = "capture", "poll"
MAIL_PORTS = (25, 465, 587, 2525)


@dataclass
class Stretch:
    start_us: int
    end_us: int
    mode: str
    run: int

    def to_dict(self, zone=None) -> dict[str, Any]:
        return {"from": iso(self.start_us, zone), "to": iso(self.end_us, zone), "mode": self.mode}


@dataclass
class Coverage:
    start_us: int
    end_us: int
    stretches: list[Stretch] = field(default_factory=list)  # clipped to the range
    gaps: list[tuple[int, int]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Running throughout the range."""
        return not self.gaps and bool(self.stretches)

    @property
    def full_capture(self) -> bool:
        """Running throughout, seeing every connection attempt (not polling)."""
        return self.complete and all(s.mode == CAPTURE for s in self.stretches)

    @property
    def modes(self) -> list[str]:
        return sorted({s.mode for s in self.stretches})

    def to_dict(self, zone=None) -> dict[str, Any]:
        return {
            "from": iso(self.start_us, zone),
            "to": iso(self.end_us, zone),
            "complete": self.complete,
            "full_capture": self.full_capture,
            "running": [s.to_dict(zone) for s in self.stretches],
            "gaps": [{"from": iso(a, zone), "to": iso(b, zone)} for a, b in self.gaps],
        }


def stretches(records: Iterable[Record]) -> list[Stretch]:
    """Every stretch of time the recorder provably ran, from records in time order."""
    out: list[Stretch] = []
    current: Stretch | None = None
    limit = MAX_GAP_S * 1_000_000

    def close() -> None:
        nonlocal current
        if current is not None:
            out.append(current)
            current = None

    for r in sorted(records, key=lambda r: (r.ts_us, r.seq)):
        mode = r.data.get("mode") if r.kind in (START, HEARTBEAT) else None
        if r.kind in (START, HEARTBEAT):
            # Half a heartbeat of slack: a recorder that beats every minute vouches for 90 s.
            limit = gap_limit_us(r.data.get("heartbeat_s"))
        if r.kind == START:
            close()
            current = Stretch(r.ts_us, r.ts_us, str(mode or POLL), r.seq)
            continue
        if current is not None and r.run == current.run and r.ts_us - current.end_us <= limit:
            current.end_us = r.ts_us
            if mode and current.mode != mode:  # the run changed how it records: a new stretch
                close()
                current = Stretch(r.ts_us, r.ts_us, str(mode), r.run)
        else:
            # Another run whose start lies before the records we were given, or the same run
            # after a silence: what follows is a new stretch, the silence a gap.
            close()
            current = Stretch(r.ts_us, r.ts_us, str(mode or _mode_of_run(r)), r.run)
        if r.kind == STOP:
            close()
    close()
    return [s for s in out if s.end_us >= s.start_us]


def gap_limit_us(heartbeat_s) -> int:
    try:
        beat = float(heartbeat_s)
    except (TypeError, ValueError):
        return MAX_GAP_S * 1_000_000
    if not 0 < beat <= HEARTBEAT_S:
        return MAX_GAP_S * 1_000_000
    # Half a beat late, plus a second for a busy machine: 60 s beats vouch for 91 s.
    return int((beat * 1.5 + 1) * 1_000_000)


def _mode_of_run(r: Record) -> str:
    return str(r.data.get("mode") or "unknown")


def coverage(records: Iterable[Record], start_us: int, end_us: int) -> Coverage:
    """Coverage of [start, end], from the records between start - MAX_GAP and end + MAX_GAP."""
    clipped: list[Stretch] = []
    for s in stretches(records):
        a, b = max(s.start_us, start_us), min(s.end_us, end_us)
        if a < b or (a == b and start_us == end_us and s.start_us <= a <= s.end_us):
            clipped.append(Stretch(a, b, s.mode, s.run))
    gaps: list[tuple[int, int]] = []
    at = start_us
    for s in sorted(clipped, key=lambda s: s.start_us):
        if s.start_us > at:
            gaps.append((at, s.start_us))
        at = max(at, s.end_us)
    if at < end_us:
        gaps.append((at, end_us))
    return Coverage(start_us, end_us, clipped, gaps)


def events(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r.kind in (CONNECT, MX)]


def mail_events(records: Iterable[Record], ports: tuple[int, ...] = MAIL_PORTS) -> list[Record]:
    """Connection attempts to mail ports (the journal records nothing else, but an import of
    another journal might)."""
    return [r for r in records if r.kind == CONNECT and int(r.data.get("rport", 0)) in ports]


def iso(us: int, zone=None) -> str:
    moment = datetime.fromtimestamp(us / 1e6, UTC)
    return (moment.astimezone(zone) if zone else moment).isoformat(timespec="milliseconds")


def parse_time(text: str, zone=None) -> datetime:
    """ISO 8601 (with or without an offset; a trailing Z) or the user's local time as written,
    e.g. "2026-11-18 21:12" or "2026/11/18 21:12"; without an offset it is local time (or
    ``zone``)."""
    cleaned = text.strip().replace("/", "-")
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        from checks.notice_time import find_times

        found = find_times(text, default_zone=zone or datetime.now().astimezone().tzinfo)
        if not found:
            raise ValueError(
                f"not a time: {text!r} (write e.g. 2026-11-18T21:12+09:00 or 2026-11-18 21:12)"
            ) from None
        return found[0].when
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone) if zone else moment.astimezone()
    return moment


def to_us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)
