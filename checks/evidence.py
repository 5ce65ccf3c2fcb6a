"""Mail evidence as the assessment reads it: a Sighting (something seen sending mail, looking up
mail servers or listening for mail) and an Observation (a time mail traffic was watched, and
whether it was clean).

Each mail check's own module turns its results into these: ``sightings(result)``, and, when it
watches for a time, ``observations(results)``. The catalogue names the module (role MAIL), so a
new mail check is its module alone; nothing here or in the assessment lists
check IDs. Pure: results in, typed evidence out."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from checks import catalogue
from checks.model import Result, Status

# Where a sighting or an observation is: this PC (a program), or the line (a capture made
# elsewhere: hosts, not programs).
THIS_PC, LINE = "this_pc", "line"
# What a sighting saw a program do.
SENDING, LOOKUP, LISTENING = "sending", "lookup", "listening"


@dataclass(frozen=True)
class Sighting:
    """One piece of mail evidence that is ``fail`` or ``warn``: something seen sending, or able
    to send, mail."""

    check_id: str
    status: Status
    reason: str
    where: str  # THIS_PC or LINE
    program: str | None = None
    path: str | None = None
    pid: int | None = None
    host: str | None = None
    servers: int = 0  # distinct mail servers contacted on port 25
    destinations: int = 0
    port: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    seen_at: datetime | None = None  # when the check ran
    kind: str = SENDING  # SENDING, LOOKUP or LISTENING

    @property
    def identified(self) -> bool:
        return bool(self.program)

    @property
    def latest(self) -> datetime | None:
        return self.last_seen or self.seen_at


@dataclass(frozen=True)
class Observation:
    """A time during which mail traffic was watched, and whether it was clean."""

    source: str  # "watch", "snapshot", "capture", "imported", "journal", "journal_poll"
    where: str  # THIS_PC or LINE
    start: datetime
    end: datetime
    clean: bool

    @property
    def length(self) -> timedelta:
        return self.end - self.start


# --- reading a result's facts, which are JSON from a case file: anything may be missing --------


def as_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[dict]:
    return [v for v in as_list(value) if isinstance(v, dict)]


def bad(status: Any) -> bool:
    return status in (Status.FAIL, Status.WARN)


def listening(result: Result, items: list[dict]) -> list[Sighting]:
    """Sightings of programs listening where mail or a proxy is served (each finding's own
    verdict; the result's, when it names none)."""
    out = [
        Sighting(
            result.id,
            Status(f.get("verdict")),
            str(f.get("reason") or result.reason),
            THIS_PC,
            program=f.get("name") or None,
            path=f.get("exe") or None,
            pid=as_int(f.get("pid")),
            port=as_int(f.get("port")),
            seen_at=result.started_at,
            kind=LISTENING,
        )
        for f in items
        if bad(f.get("verdict"))
    ]
    if not out and bad(result.status):
        out.append(
            Sighting(
                result.id,
                result.status,
                result.reason,
                THIS_PC,
                seen_at=result.started_at,
                kind=LISTENING,
            )
        )
    return out


# --- the hooks, found through the catalogue ----------------------------------------------------


def _module(check_id: str):
    entry = catalogue.by_id().get(check_id)
    if entry is None or entry.role != catalogue.MAIL:
        return None
    return importlib.import_module(entry.module)


def sightings_of(result: Result) -> list[Sighting]:
    """What one mail check's result saw (nothing for a check that is not mail evidence)."""
    module = _module(result.id)
    return list(module.sightings(result)) if module is not None else []


def observations_of(history: Iterable[Result]) -> list[Observation]:
    """The watches and captures the history's mail checks made, oldest first; each module reads
    its own results once."""
    by_module: dict[str, list[Result]] = {}
    for r in history:
        entry = catalogue.by_id().get(r.id)
        if entry is not None and entry.role == catalogue.MAIL:
            by_module.setdefault(entry.module, []).append(r)
    out: list[Observation] = []
    for name in catalogue.modules():  # catalogue order, so that ties keep one order
        if name in by_module:
            watch = getattr(importlib.import_module(name), "observations", None)
            out += watch(by_module[name]) if watch is not None else []
    return sorted(out, key=lambda o: o.start)
