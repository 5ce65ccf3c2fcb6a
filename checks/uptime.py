"""NOTICE-UPTIME: was this PC even on at the times the provider reported?

Says exactly what the logs show and no more: a time before the oldest record, or inside a
session that ended in a crash, is "unknown"."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

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
        return Result(
            "NOTICE-UPTIME",
            Status.UNKNOWN,
            _(TITLE),
            _("The notice gives no times to compare with."),
            (),
            facts,
        )
    if not events:
        return Result(
            "NOTICE-UPTIME",
            Status.UNKNOWN,
            _(TITLE),
            _("This PC keeps no record of when it was started and shut down that we could read."),
            (),
            facts,
        )
    answers = []
    for item in reported:
        start = datetime.fromisoformat(item["utc"])
        end = datetime.fromisoformat(item["end_utc"]) if item.get("end_utc") else start
        first = state_at(events, start, now)
        last = state_at(events, end, now)
        changes = [e for e in events if start < e[0] <= end]
        state = (
            first["state"]
            if (first["state"] == last["state"] and not changes)
            else (
                ON
                if ON in (first["state"], last["state"])
                or any(k in (BOOT, WAKE) for _t, k in changes)
                else UNKNOWN
            )
        )
        answers.append(
            {
                "reported_utc": item["utc"],
                "reported_end_utc": item.get("end_utc"),
                "state": state,
                "since": first.get("since").isoformat() if first.get("since") else None,
                "until": first.get("until").isoformat() if first.get("until") else None,
                "reason": first.get("reason"),
            }
        )
    facts["answers"] = answers
    states = {a["state"] for a in answers}

    def span(a) -> str:
        since = datetime.fromisoformat(a["since"]).astimezone(local_zone) if a["since"] else None
        until = datetime.fromisoformat(a["until"]).astimezone(local_zone) if a["until"] else None
        return _("from {since} to {until}").format(
            since=human(since) if since else "?", until=human(until) if until else _("now")
        )

    if states <= {OFF, ASLEEP}:
        parts = [(_("off") if a["state"] == OFF else _("asleep")) + " " + span(a) for a in answers]
        return Result(
            "NOTICE-UPTIME",
            Status.PASS,
            _(TITLE),
            _("At every reported time this PC was not running: it was {parts}.").format(
                parts="; ".join(parts)
            ),
            (),
            facts,
        )
    if ON in states:
        on = next(a for a in answers if a["state"] == ON)
        reported_at = datetime.fromisoformat(on["reported_utc"]).astimezone(local_zone)
        return Result(
            "NOTICE-UPTIME",
            Status.WARN,
            _(TITLE),
            _(
                "This PC was running at {time} (it was on {span}), so it could have sent mail then."
            ).format(time=human(reported_at), span=span(on)),
            (),
            facts,
        )
    return Result(
        "NOTICE-UPTIME",
        Status.UNKNOWN,
        _(TITLE),
        _("The logs on this PC do not show whether it was on at the reported times."),
        (),
        facts,
    )
