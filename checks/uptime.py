"""NOTICE-UPTIME: was this PC even on at the times the provider reported?

Says exactly what the logs show and no more: a time before the oldest record, or inside a
session that ended in a crash, is "unknown"."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from checks import catalogue, wording
from checks.i18n import N_, _
from checks.model import Result, Status
from checks.probes.power import BOOT, CRASH, SHUTDOWN, SLEEP, WAKE
from checks.timefmt import human

TITLE = N_("Was this PC on at the reported times?")
ON, OFF, ASLEEP, UNKNOWN = "on", "off", "asleep", "unknown"


def _parse(events: list[dict[str, str]]) -> list[tuple[datetime, str]]:
    out = []
    for e in events:
        try:
            out.append((datetime.fromisoformat(e["time"]), e["kind"]))
        except (KeyError, ValueError):
            continue
    return sorted(set(out))


def state_at(events: list[tuple[datetime, str]], t: datetime, now: datetime) -> dict[str, Any]:
    prior = [e for e in events if e[0] <= t]
    later = [e for e in events if e[0] > t]
    if not prior:
        return {"state": UNKNOWN, "reason": "before the oldest record"}
    when, kind = prior[-1]
    nxt = later[0] if later else None
    if kind in (BOOT, WAKE):
        if nxt and nxt[1] == CRASH:
            return {
                "state": UNKNOWN,
                "reason": "the session ended in a crash at an unknown time",
                "since": when,
            }
        if t > now:
            return {"state": UNKNOWN, "reason": "in the future"}
        return {"state": ON, "since": when, "until": nxt[0] if nxt else None}
    if kind == SHUTDOWN:
        return {"state": OFF, "since": when, "until": nxt[0] if nxt else None}
    if kind == SLEEP:
        return {"state": ASLEEP, "since": when, "until": nxt[0] if nxt else None}
    return {"state": UNKNOWN, "reason": "after an unexpected shutdown", "since": when}


def interpret(
    power: dict[str, Any],
    reported: list[dict[str, Any]],
    local_zone: tzinfo,
    now: datetime | None = None,
) -> Result:
    now = now or datetime.now(UTC)
    events = _parse(power.get("events", []))
    facts: dict[str, Any] = {
        "sources": power.get("sources", {}),
        "records": len(events),
        "oldest_record": events[0][0].isoformat() if events else None,
    }
    if not reported:
        return Result("NOTICE-UPTIME", Status.UNKNOWN, "no_times", facts=facts)
    if not events:
        return Result("NOTICE-UPTIME", Status.UNKNOWN, "no_records", facts=facts)
    answers = [_answer(events, item, now) for item in reported]
    facts["answers"] = answers
    states = {a["state"] for a in answers}

    def local(value: str | None) -> str | None:
        return datetime.fromisoformat(value).astimezone(local_zone).isoformat() if value else None

    shown = [
        {
            "state": a["state"],
            "since": local(a["since"]),
            "until": local(a["until"]),
            "reported": local(a["reported_utc"]),
        }
        for a in answers
    ]
    if states <= {OFF, ASLEEP}:
        return Result("NOTICE-UPTIME", Status.PASS, "off_every_time", {"answers": shown}, (), facts)
    if ON in states:
        on = next(s for s in shown if s["state"] == ON)
        return Result("NOTICE-UPTIME", Status.WARN, "was_on", {"on": on}, (), facts)
    return Result("NOTICE-UPTIME", Status.UNKNOWN, "logs_silent", facts=facts)


def _answer(events: list, item: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Was the PC on during one reported time (a moment, or a span with end_utc)? One state
    for the whole span, or on if it was on at either end or started or woke within it."""
    start = datetime.fromisoformat(item["utc"])
    end = datetime.fromisoformat(item["end_utc"]) if item.get("end_utc") else start
    first = state_at(events, start, now)
    last = state_at(events, end, now)
    changes = [e for e in events if start < e[0] <= end]
    if first["state"] == last["state"] and not changes:
        state = first["state"]
    elif ON in (first["state"], last["state"]) or any(k in (BOOT, WAKE) for _t, k in changes):
        state = ON
    else:
        state = UNKNOWN
    return {
        "reported_utc": item["utc"],
        "reported_end_utc": item.get("end_utc"),
        "state": state,
        "since": first.get("since").isoformat() if first.get("since") else None,
        "until": first.get("until").isoformat() if first.get("until") else None,
        "reason": first.get("reason"),
    }


SUMMARIES = {
    "no_times": N_("The notice gives no times to compare with."),
    "no_records": N_(
        "This PC keeps no record of when it was started and shut down that we could read."
    ),
    "off_every_time": N_("At every reported time this PC was not running: it was {parts}."),
    "was_on": N_(
        "This PC was running at {time} (it was on {span}), so it could have sent mail then."
    ),
    "logs_silent": N_("The logs on this PC do not show whether it was on at the reported times."),
}


def _span(answer: dict) -> str:
    since = datetime.fromisoformat(answer["since"]) if answer.get("since") else None
    until = datetime.fromisoformat(answer["until"]) if answer.get("until") else None
    return _("from {since} to {until}").format(
        since=human(since) if since else "…", until=human(until) if until else _("now")
    )


def _prepare(params: dict[str, Any]) -> dict[str, Any]:
    answers = [a for a in params.get("answers") or [] if isinstance(a, dict)]
    params["parts"] = "; ".join(
        (_("off") if a.get("state") == OFF else _("asleep")) + " " + _span(a) for a in answers
    )
    on = params.get("on")
    if isinstance(on, dict):
        params["span"] = _span(on)
        params["time"] = on.get("reported")
    return params


wording.register(wording.Phrasebook({"NOTICE-UPTIME": TITLE}, SUMMARIES, {}, _prepare))

# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry("NOTICE-UPTIME", __name__, catalogue.NOTICE, catalogue.CLAIM, order=190),
)
