"""The Result model and check specs: the only things that cross threads and processes."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    ERROR = "error"


# How much attention a status asks for; used to pick the worst of several.
SEVERITY = {
    Status.PASS: 0,
    Status.SKIPPED: 1,
    Status.UNKNOWN: 2,
    Status.WARN: 3,
    Status.ERROR: 4,
    Status.FAIL: 5,
}


def worst(statuses: list[Status], default: Status = Status.PASS) -> Status:
    return max(statuses, key=SEVERITY.__getitem__, default=default)


def exit_code(results: list[Result]) -> int:
    """DESIGN.md exit codes: 0 all clear, 1 warnings (incl. could-not-tell), 2 problems found."""
    statuses = {r.status for r in results}
    if Status.FAIL in statuses:
        return 2
    if statuses & {Status.WARN, Status.UNKNOWN, Status.ERROR}:
        return 1
    return 0


# Exact types that are already JSON values: a result's facts hold tens of thousands of them (a
# capture's destinations), and the general walk below asks each one six questions.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {str(k): _jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, StrEnum):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# The case schema this Result layout belongs to (see cases/store.py for the migration).
RESULT_SCHEMA = 2


@dataclass(frozen=True)
class Result:
    """Evidence, not prose: a status, a stable reason code and the typed values the words need.

    ``reason`` and ``advice_codes`` are stable codes; ``params`` holds numbers, ISO times, paths
    and addresses. Words are made at the edge, in whatever language is active when they are
    shown: ``title``, ``summary`` and ``advice`` call the check module's wording function each
    time they are read (see checks/wording.py), so a stored result reads in any language.
    """

    id: str
    status: Status
    reason: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    advice_codes: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)
    started_at: datetime | None = None
    duration_ms: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "advice_codes", tuple(self.advice_codes))
        object.__setattr__(self, "params", _jsonable(dict(self.params)))
        object.__setattr__(self, "facts", _jsonable(dict(self.facts)))
        if self.started_at is not None and self.started_at.tzinfo is None:
            raise ValueError("started_at must be timezone-aware")

    # Words, made when read --------------------------------------------------------------------
    def words(self, lang: str | None = None):
        from checks import wording

        return wording.words(self, lang)

    @property
    def title(self) -> str:
        return self.words().title

    @property
    def summary(self) -> str:
        return self.words().summary

    @property
    def advice(self) -> tuple[str, ...]:
        return self.words().advice

    # Storage ------------------------------------------------------------------------------------
    def to_dict(self, *, text: bool = True) -> dict[str, Any]:
        """The stored form. ``text`` adds a rendering in the active language for people reading
        the file; it is never read back."""
        data: dict[str, Any] = {
            "id": self.id,
            "status": str(self.status),
            "reason": self.reason,
            "params": self.params,
            "advice_codes": list(self.advice_codes),
            "facts": self.facts,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "duration_ms": self.duration_ms,
        }
        if text:
            words = self.words()
            from checks.i18n import get_language

            data["text"] = {
                "lang": get_language(),
                "title": words.title,
                "summary": words.summary,
                "advice": list(words.advice),
            }
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        """Read a stored result; one written before results carried reason codes (schema 1:
        title, summary and advice as text) becomes a ``legacy_text`` result that keeps its words
        as they were written."""
        if not isinstance(data, Mapping):
            raise ValueError("a result must be a JSON object")
        started = data.get("started_at")
        if "reason" not in data and "summary" in data:
            reason = "legacy_text"
            params: dict[str, Any] = {
                "title": str(data.get("title") or ""),
                "summary": str(data.get("summary") or ""),
                "advice": [str(a) for a in (data.get("advice") or [])],
            }
            codes: tuple[str, ...] = ()
        else:
            reason = str(data.get("reason") or "")
            params = dict(data.get("params") or {})
            codes = tuple(str(c) for c in (data.get("advice_codes") or ()))
        return cls(
            id=str(data["id"]),
            status=Status(data["status"]),
            reason=reason,
            params=params,
            advice_codes=codes,
            facts=dict(data.get("facts") or {}),
            started_at=datetime.fromisoformat(started) if started else None,
            duration_ms=int(data.get("duration_ms") or 0),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


PLATFORMS = frozenset({"linux", "windows", "macos"})


def current_platform() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


@dataclass(frozen=True)
class CheckSpec:
    """What the runner needs to know about a check before running it.

    ``title`` is an English msgid (marked with N_) translated where it is shown.
    ``run`` does probe then interpret; it receives a CheckContext.
    ``uses_watch``: the check polls for ``options.watch`` seconds, so its timeout grows by that.
    ``timeout_for(options)`` is the limit the runner applies.
    """

    id: str
    title: str
    run: Callable[..., Result]
    platforms: frozenset[str] = PLATFORMS
    needs_admin: bool = False
    needs_network: bool = False
    timeout: float = 30.0
    uses_watch: bool = False
    uses_scan: bool = False  # runs a virus scan with `audit --scan`: give it up to an hour

    def timeout_for(self, options) -> float:
        extra = options.watch if self.uses_watch else 0.0
        if self.uses_scan and options.scan:
            extra += 3600.0
        return self.timeout + extra
