"""The claim of a notice as a typed document: what `notice.json`'s "claim" guarantees, parsed
once, tolerantly, for everyone who reads it (the assessment, the letter, the desk's reply, the
suspects, the window).

checks/notice_claim.py and checks/notice.py write the claim as JSON-ready values; ``Claim.
from_dict`` reads one (a case from an older Clearline, or a file someone edited: anything of
the wrong type is left out, never a crash) and ``to_dict`` gives back the same document, keys
it does not know included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The keys a claimed time always has (notice_time.FoundTime.as_facts), then those it may have.
_TIME_ALWAYS = ("text", "utc", "local", "notice_local", "zone", "zone_assumed", "approximate")
_TIME_OPTIONAL = ("year_assumed", "end_utc", "end_local", "end_notice_local", "source")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _ints(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, int) and not isinstance(v, bool))


def _aware(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return value if value is not None and value.tzinfo else None


@dataclass(frozen=True)
class ClaimedTime:
    """One time the notice gives: its own words, the instant (UTC), this PC's wall clock, the
    notice's wall clock and zone (as the letter restates it), an end for a range."""

    text: str = ""
    utc: str = ""  # ISO 8601, as the notice reader wrote it (desks get it back unchanged)
    local: str = ""
    notice_local: str = ""
    zone: str = ""
    zone_assumed: bool = False
    approximate: bool = False
    year_assumed: bool = False
    end_utc: str = ""
    end_local: str = ""
    end_notice_local: str = ""
    source: str = ""  # set when it comes from elsewhere than the notice's words (a sample's Date)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ClaimedTime:
        known = set(_TIME_ALWAYS + _TIME_OPTIONAL)
        return cls(
            **{k: _str(d.get(k)) for k in ("text", "utc", "local", "notice_local", "zone")},
            zone_assumed=d.get("zone_assumed") is True,
            approximate=d.get("approximate") is True,
            year_assumed=d.get("year_assumed") is True,
            **{k: _str(d.get(k)) for k in ("end_utc", "end_local", "end_notice_local", "source")},
            extra={k: v for k, v in d.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in _TIME_ALWAYS}
        for k in _TIME_OPTIONAL:
            if getattr(self, k):
                out[k] = getattr(self, k)
        return {**out, **self.extra}

    @property
    def start(self) -> datetime | None:
        """The instant, zone-aware; None when the document holds none."""
        return _aware(self.utc)

    @property
    def end(self) -> datetime | None:
        return _aware(self.end_utc)

    @property
    def start_as_notice(self) -> datetime | None:
        """The notice's own wall clock and zone, else the instant."""
        return _aware(self.notice_local) or self.start

    @property
    def end_as_notice(self) -> datetime | None:
        return _aware(self.end_notice_local) or self.end


_CLAIM_LISTS = ("ips", "source_ips", "named_sources", "destinations")
_CLAIM_PORTS = ("source_ports", "destination_ports", "message_counts")
_CLAIM_TEXTS = ("reference", "provider", "reply_to")


def _bot(value: Any) -> dict[str, Any] | None:
    """A bot report as written, or None for anything else (tolerant of a hand-edited file)."""
    if not isinstance(value, Mapping) or not isinstance(value.get("evidence"), str):
        return None
    family = value.get("family")
    return {"evidence": value["evidence"], "family": family if isinstance(family, str) else None}


@dataclass(frozen=True)
class Claim:
    """What the notice says happened: when, from which addresses and ports, to where, how many
    messages, its reference, the provider and where a reply goes; with an ARF report, its
    fields as the reporting server wrote them."""

    times: tuple[ClaimedTime, ...] = ()
    ips: tuple[str, ...] = ()
    source_ips: tuple[str, ...] = ()
    named_sources: tuple[str, ...] = ()  # addresses the notice itself calls the source
    destinations: tuple[str, ...] = ()
    source_ports: tuple[int, ...] = ()
    destination_ports: tuple[int, ...] = ()
    message_counts: tuple[int, ...] = ()
    count_approximate: bool = False
    reference: str | None = None
    provider: str | None = None
    reply_to: str | None = None
    feedback_report: Mapping[str, Any] | None = None  # an ARF report's fields, when one came
    # The notice's words say the mail account (its password) was used to send: written only
    # when they do, so notices that do not say it read as they did before.
    account_used: bool = False
    # Whom the notice is written to and the contract it names (also written only when given).
    addressee: str | None = None
    contract_id: str | None = None
    # A notice that reports a bot, not spam: {"evidence": the desk's sentence, "family": ...}.
    bot_report: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Any) -> Claim:
        if not isinstance(d, Mapping):
            return cls()
        report, times = d.get("feedback_report"), d.get("times")
        known = {
            *_CLAIM_LISTS,
            *_CLAIM_PORTS,
            *_CLAIM_TEXTS,
            "times",
            "count_approximate",
            "account_used",
            "addressee",
            "contract_id",
            "bot_report",
        }
        return cls(
            times=tuple(
                ClaimedTime.from_dict(t)
                for t in (times if isinstance(times, list) else [])
                if isinstance(t, Mapping)
            ),
            **{k: _strs(d.get(k)) for k in _CLAIM_LISTS},
            **{k: _ints(d.get(k)) for k in _CLAIM_PORTS},
            count_approximate=d.get("count_approximate") is True,
            **{k: (d.get(k) if isinstance(d.get(k), str) else None) for k in _CLAIM_TEXTS},
            feedback_report=dict(report) if isinstance(report, Mapping) else None,
            account_used=d.get("account_used") is True,
            addressee=d.get("addressee") if isinstance(d.get("addressee"), str) else None,
            contract_id=d.get("contract_id") if isinstance(d.get("contract_id"), str) else None,
            bot_report=_bot(d.get("bot_report")),
            extra={k: v for k, v in d.items() if k not in known | {"feedback_report"}},
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"times": [t.to_dict() for t in self.times]}
        out.update({k: list(getattr(self, k)) for k in (*_CLAIM_LISTS, *_CLAIM_PORTS)})
        out["count_approximate"] = self.count_approximate
        out.update({k: getattr(self, k) for k in _CLAIM_TEXTS})
        if self.feedback_report is not None:
            out["feedback_report"] = dict(self.feedback_report)
        if self.account_used:
            out["account_used"] = True
        out.update({k: getattr(self, k) for k in ("addressee", "contract_id") if getattr(self, k)})
        if self.bot_report is not None:
            out["bot_report"] = dict(self.bot_report)
        return {**out, **self.extra}

    @property
    def notice_times(self) -> tuple[ClaimedTime, ...]:
        """The times the notice's own words give (not a sample's Date header)."""
        return tuple(t for t in self.times if not t.source)

    @property
    def count(self) -> int | None:
        return max(self.message_counts) if self.message_counts else None
