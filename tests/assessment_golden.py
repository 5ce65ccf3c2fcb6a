"""The assessment (assessment.json in the bundle: what the letter stands on) for each kind of
case: the seven letter kinds of tests/cases.py, captures made here and elsewhere, listeners,
and journals that ran throughout, with a gap, or by polling.

The golden files in tests/data/golden/assessment were read against their cases before they were
committed; tools/regen_golden.py rewrites them after a deliberate change (read the diff)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cases import assessment
from checks import traffic
from checks.model import Result, Status
from tests import cases, traffic_golden
from tests.cases import JST, T0

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests/data/golden/assessment"
LETTER_KINDS = ("clean", "infected", "forged", "account", "suspicious", "ongoing", "nofacts")


def _stamp(result: Result, at: datetime, ms: int = 900) -> Result:
    return replace(result, started_at=at, duration_ms=ms)


def _capture(name: str, at: datetime, where: str = "capture.pcap") -> list[Result]:
    """The TRAFFIC results of one of tests/traffic_golden's scenarios, as a case stores them."""
    record = traffic_golden.record(name)
    summary = record["summary"]
    s = traffic_golden.SCENARIOS[name]()
    results = traffic.interpret(summary, s["platform"], s["attributed"], where)
    return [_stamp(r, at, 600_000) for r in results]


def _inputs(**kw: Any) -> dict[str, Any]:
    latest: dict[str, Result] = {}
    history: list[Result] = kw.get("history", [])
    for r in history:
        latest[r.id] = r
    return {
        "latest": latest,
        "history": history,
        "remediation": kw.get("remediation", {}),
        "notice": kw.get("notice"),
        "details": kw.get("details", {}),
        "zone": JST,
        "journal": kw.get("journal"),
    }


def _elsewhere() -> dict[str, Any]:
    # A capture made on the router: the laptop 192.168.1.40 sent on port 25.
    return _inputs(history=_capture("elsewhere_by_host", T0, "router.pcap"))


def _live_bot_then_clean() -> dict[str, Any]:
    """A live capture sees the bot; it is removed; a 30-minute clean capture follows."""
    bot = _capture("bot_direct", T0)
    clean = [
        _stamp(
            replace(
                r,
                params={
                    **r.params,
                    "started": (T0 + timedelta(hours=2)).isoformat(),
                    "ended": (T0 + timedelta(hours=2, minutes=30)).isoformat(),
                },
            ),
            T0 + timedelta(hours=2),
        )
        for r in _capture("auth_login_587", T0 + timedelta(hours=2))
    ]
    return _inputs(
        history=bot + clean,
        remediation={"removal": (T0 + timedelta(hours=1)).isoformat()},
    )


def _listeners() -> dict[str, Any]:
    listen = Result(
        "SMTP-LISTEN",
        Status.FAIL,
        "listening",
        {},
        facts={
            "findings": [
                {"verdict": "pass", "name": "sshd", "pid": 600, "port": 2525},
                {
                    "verdict": "fail",
                    "reason": "unknown_listener",
                    "name": "relay.exe",
                    "exe": "C:/Users/taro/AppData/Local/Temp/relay.exe",
                    "pid": 5120,
                    "port": 25,
                },
                {"verdict": "pass", "name": "hmailserver.exe", "pid": 900, "port": 587},
            ]
        },
    )
    proxy = Result(
        "PROXY-OPEN",
        Status.WARN,
        "known_proxy",
        {},
        facts={"listeners": [{"verdict": "warn", "name": "privoxy", "pid": 77, "port": 8118}]},
    )
    bare = Result("SMTP-OUT", Status.WARN, "watch_incomplete", {})
    return _inputs(history=[_stamp(listen, T0), _stamp(proxy, T0), _stamp(bare, T0)])


def _journal_doc(running, gaps, events, complete, poll=None) -> dict[str, Any]:
    def span(a, b, **more):
        return {"from": a.isoformat(), "to": b.isoformat(), **more}

    return {
        "window": span(T0 - timedelta(minutes=10), T0 + timedelta(minutes=40)),
        "reported": span(T0, T0 + timedelta(minutes=30)),
        "coverage": {
            "complete": complete,
            "running": [span(a, b, mode=m) for a, b, m in running],
            "gaps": [span(a, b) for a, b in gaps],
        },
        "events": events,
        "proof": {"segment_intact": True},
        "poll_interval_s": poll,
    }


BOT_PROGRAM = {
    "name": "svchost",
    "exe": "/tmp/.cache-x/svchost",
    "pid": 4242,
    "kind": "other",
    "location": ["temp", "hidden"],
}
MAILER = {
    "name": "postfix",
    "exe": "/usr/lib/postfix/sbin/master",
    "pid": 800,
    "kind": "mail_server",
    "location": [],
}
CLIENT = {
    "name": "thunderbird",
    "exe": "/usr/lib/thunderbird/thunderbird",
    "pid": 77,
    "kind": "mail_client",
    "location": [],
}


def _event(minutes: int, rport: int, program: dict, remote: str) -> dict[str, Any]:
    return {
        "kind": "connect",
        "time": (T0 + timedelta(minutes=minutes)).isoformat(),
        "rport": rport,
        "remote": remote,
        "program": program,
    }


def _journal_throughout() -> dict[str, Any]:
    a, b = T0 - timedelta(minutes=10), T0 + timedelta(minutes=40)
    events = [
        _event(3, 25, BOT_PROGRAM, "198.51.100.7"),
        _event(4, 25, BOT_PROGRAM, "198.51.100.8"),
        _event(5, 25, BOT_PROGRAM, "198.51.100.8"),
        _event(6, 25, MAILER, "198.51.100.9"),  # the mail server's own delivery: not a bot
        _event(7, 25, CLIENT, "198.51.100.10"),  # a mail client on port 25: a warning
        _event(8, 587, CLIENT, "203.0.113.80"),
        {"kind": "mx", "time": (T0 + timedelta(minutes=3)).isoformat(), "name": "x.example"},
    ]
    return _inputs(journal=_journal_doc([(a, b, "capture")], [], events, True))


def _journal_with_gap_by_polling() -> dict[str, Any]:
    a, b = T0 - timedelta(minutes=10), T0 + timedelta(minutes=40)
    gap = (T0 + timedelta(minutes=5), T0 + timedelta(minutes=12))
    running = [(a, gap[0], "poll"), (gap[1], b, "poll")]
    events = [_event(20, 587, CLIENT, "203.0.113.80")]
    return _inputs(
        journal=_journal_doc(running, [gap], events, False, poll=0.5),
        history=[_stamp(r, T0) for r in [cases.clean_watch(T0 + timedelta(minutes=50))]],
    )


def _bare_findings() -> dict[str, Any]:
    """Findings without the per-program facts (older or partial results) still count, and
    watches that were snapshots or incomplete are not clean observations."""

    def window(mode, minutes, complete=True):
        return {
            "mode": mode,
            "from": T0.isoformat(),
            "to": (T0 + timedelta(minutes=minutes)).isoformat(),
            "complete": complete,
        }

    bot = {
        "verdict": "fail",
        "reason": "direct",
        "name": "bot.exe",
        "exe": "C:/Users/taro/AppData/Local/Temp/bot.exe",
        "pid": 66,
        "direct_servers": ["198.51.100.7", "198.51.100.8"],
        "destinations": ["198.51.100.7", "198.51.100.8"],
        "first_seen": T0.isoformat(),
        "last_seen": "not a time",
    }
    outlook = {"verdict": "pass", "name": "OUTLOOK.EXE", "destinations": ["203.0.113.80"]}
    last = (T0 + timedelta(minutes=3)).isoformat()
    history = [
        Result("SMTP-LISTEN", Status.FAIL, "open_relay"),
        Result(
            "TRAFFIC-SMTP", Status.WARN, "connected", {"attributed": False}, facts={"last": last}
        ),
        Result("SMTP-OUT", Status.PASS, "no_mail", facts={"window": window("snapshot", 0)}),
        Result("SMTP-OUT", Status.PASS, "no_mail", facts={"window": window("watch", 15, False)}),
        Result(
            "SMTP-OUT",
            Status.FAIL,
            "direct",
            facts={"window": window("watch", 10), "programs": [outlook, bot]},
        ),
    ]
    stamped = [_stamp(r, T0 + timedelta(minutes=i)) for i, r in enumerate(history)]
    stamped[1] = replace(stamped[1], started_at=None)
    return _inputs(history=stamped)


SCENARIOS: dict[str, Callable[[], dict[str, Any]]] = {
    "bare_findings": _bare_findings,
    "capture_elsewhere": _elsewhere,
    "live_bot_then_clean": _live_bot_then_clean,
    "listeners": _listeners,
    "journal_throughout": _journal_throughout,
    "journal_gap_polling": _journal_with_gap_by_polling,
}
NAMES = [f"kind_{k}" for k in LETTER_KINDS] + list(SCENARIOS)


def record(name: str) -> dict[str, Any]:
    if name.startswith("kind_"):
        with tempfile.TemporaryDirectory() as tmp:
            case = cases.build(name.removeprefix("kind_"), Path(tmp))
            a = assessment.assess(case, JST)
    else:
        a = assessment.build(**SCENARIOS[name]())
    data = a.to_dict(JST)
    data["uptime_off_everywhere"] = a.uptime_off_everywhere
    data["primary_identified"] = a.primary.identified if a.primary else None
    data["journal_partial"] = a.journal.partial if a.journal else None
    # What the letter reads of the notice (not all of it is in assessment.json).
    data["notice_view"] = (
        {**asdict(a.notice), "claim": a.notice.claim.to_dict()} if a.notice else None
    )
    return data


def as_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
