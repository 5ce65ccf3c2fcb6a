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
    clock_steps: list[tuple[int, int, int]] = field(default_factory=list)  # (seq, time, step)

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
            "clock_steps": [
                {"seq": seq, "at": iso(ts, zone), "seconds": round(step / 1e6, 3)}
                for seq, ts, step in self.clock_steps
            ],
        }


# A wall clock that moved more than this against the monotonic one between two beats stepped.
STEP_US = 2_000_000


def _step(before: Record | None, after: Record) -> int:
    """How far the wall clock stepped between two records of one run that carry the
    monotonic clock (positive: forward), 0 when it did not or cannot be told."""
    if before is None or before.run != after.run:
        return 0
    a, b = before.data.get("mono_us"), after.data.get("mono_us")
    if not isinstance(a, int) or not isinstance(b, int):
        return 0
    if before.data.get("boot_id") != after.data.get("boot_id"):
        return 0
    drift = (after.ts_us - before.ts_us) - (b - a)
    return drift if abs(drift) > STEP_US else 0


def stretches(records: Iterable[Record], steps: list | None = None) -> list[Stretch]:
    """Every stretch of time the recorder provably ran, from its records in the order written.

    A run vouches only forward from its own start: a record whose time lies before the run's
    latest (its clock went back: a large NTP step, a dual-boot clock in local time) ends what
    the run vouches for, and a forward step starts a new stretch after it. ``steps`` collects
    (seq, time, how far in microseconds) for each step seen."""
    walk = _Walk(steps)
    for r in sorted(records, key=lambda r: r.seq):
        walk.feed(r)
    walk.close()
    return [s for s in walk.out if s.end_us >= s.start_us]


class _Walk:
    """The state of one pass of ``stretches`` over the records."""

    def __init__(self, steps: list | None) -> None:
        self.out: list[Stretch] = []
        self.current: Stretch | None = None
        self.limit = MAX_GAP_S * 1_000_000
        self.beat: Record | None = None  # the run's latest record carrying the monotonic clock
        self.broken: set[int] = set()  # runs whose clock went back: they vouch for nothing more
        self.steps = steps
        self.drops: dict[int, int] = {}  # run -> the kernel's drop count at its latest beat

    def close(self) -> None:
        if self.current is not None:
            self.out.append(self.current)
            self.current = None

    def open(self, r: Record, mode: str) -> None:
        self.close()
        self.current = Stretch(r.ts_us, r.ts_us, mode, r.run)

    def feed(self, r: Record) -> None:
        mode = r.data.get("mode") if r.kind in (START, HEARTBEAT) else None
        if r.kind in (START, HEARTBEAT):
            # Half a heartbeat of slack: a recorder that beats every minute vouches for 90 s.
            self.limit = gap_limit_us(r.data.get("heartbeat_s"))
        if r.kind == START:
            self.close()
            self.current = Stretch(r.ts_us, r.ts_us, str(mode or POLL), r.seq)
            self.beat = r
            return
        if r.run in self.broken:
            return
        if self._dropped_since_last_beat(r):
            # The kernel dropped packets since the run's last beat: what it did not hand over
            # may be the very connection. That time is a gap, not "every attempt seen".
            self.open(r, str(mode or _mode_of_run(r)))
            self.beat = r if "mono_us" in r.data else self.beat
            return
        step = _step(self.beat, r) if "mono_us" in r.data else 0
        if "mono_us" in r.data:
            self.beat = r
        if self.current is not None and r.run == self.current.run:
            if not self._same_run(r, step, mode):
                return
        else:
            # Another run whose start lies before the records we were given, or the same run
            # after a silence: what follows is a new stretch, the silence a gap.
            self.open(r, str(mode or _mode_of_run(r)))
        if r.kind == STOP:
            self.close()

    def _dropped_since_last_beat(self, r: Record) -> bool:
        count = r.data.get("drops") if r.kind == HEARTBEAT else None
        if not isinstance(count, int) or isinstance(count, bool):
            return False
        before = self.drops.get(r.run)
        self.drops[r.run] = count
        return before is not None and count > before

    def _same_run(self, r: Record, step: int, mode: str | None) -> bool:
        """A record of the run being followed; False when the run's clock went back (the run
        vouches for nothing more)."""
        current = self.current
        assert current is not None
        if step < 0 or r.ts_us < current.end_us - STEP_US:
            if self.steps is not None:
                self.steps.append((r.seq, r.ts_us, step or r.ts_us - current.end_us))
            self.close()
            self.broken.add(r.run)
            return False
        if step > 0:
            if self.steps is not None:
                self.steps.append((r.seq, r.ts_us, step))
            self.open(r, str(mode or _mode_of_run(r)))
        elif r.ts_us - current.end_us <= self.limit:
            current.end_us = max(current.end_us, r.ts_us)
            if mode and current.mode != mode:  # the run changed how it records
                self.open(r, str(mode))
        else:
            self.open(r, str(mode or _mode_of_run(r)))
        return True


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


def coverage(
    records: Iterable[Record],
    start_us: int,
    end_us: int,
    run_starts: dict[int, int] | None = None,
) -> Coverage:
    """Coverage of [start, end], from the records between start - MAX_GAP and end + MAX_GAP.

    ``run_starts`` (run -> the time of its START record, which may lie far outside those
    records): a run never vouches for a time before its own start. Its records there were
    written after its clock went back (a dual-boot clock in local time, a large NTP step), and
    without the start among the records nothing else would show it."""
    clipped: list[Stretch] = []
    steps: list[tuple[int, int, int]] = []
    begun = run_starts or {}
    for s in stretches(records, steps):
        if s.run in begun and s.start_us < begun[s.run]:
            steps.append((s.run, s.start_us, s.start_us - begun[s.run]))
            s = Stretch(begun[s.run], s.end_us, s.mode, s.run)
            if s.end_us < s.start_us:
                continue
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
    return Coverage(start_us, end_us, clipped, gaps, steps)


def events(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r.kind in (CONNECT, MX)]


def mail_events(records: Iterable[Record], ports: tuple[int, ...] = MAIL_PORTS) -> list[Record]:
    """Connection attempts to mail ports (the journal records nothing else, but an import of
    another journal might)."""
    return [r for r in records if r.kind == CONNECT and int(r.data.get("rport", 0)) in ports]


def believed_mail_server(program: dict) -> bool:
    """A mail server in its place, and (when the record says) the very file at that path, seen
    from our own namespaces. Records written before the check carry no ``exe_verified``."""
    if program.get("kind") != "mail_server" or program.get("location"):
        return False
    return "exe_verified" not in program or program.get("exe_verified") is True


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
        moment = found[0].when
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=zone) if zone else moment.astimezone()
        except (OverflowError, OSError):
            moment = moment.replace(tzinfo=UTC)  # out of range anyway: refused just below
    from checks.timefmt import plausible

    if plausible(moment, 2000, 2999) is None:
        raise ValueError(f"{text} is not a time between the years 2000 and 2999")
    return moment


def to_us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)
