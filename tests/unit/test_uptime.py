"""NOTICE-UPTIME from recorded boot/sleep logs of each OS."""

import json
from datetime import UTC, datetime, timedelta, timezone

from checks.model import Status
from checks.probes import power
from checks.uptime import interpret
from tests.recorded import DATA

JST = timezone(timedelta(hours=9), "JST")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def reported(utc, end=None):
    item = {"utc": utc}
    if end:
        item["end_utc"] = end
    return [item]


def test_linux_last_shows_the_pc_was_off():
    events = power.parse_last_x((DATA / "linux/power/last_x_F_utc.txt").read_text(encoding="utf-8"))
    assert len(events) == 5
    # 14:05-14:30 JST on the 20th = 05:05-05:30 UTC: between shutdown 04:50 and boot 06:10.
    r = interpret(
        {"events": events},
        reported("2026-11-20T05:05:00+00:00", "2026-11-20T05:30:00+00:00"),
        JST,
        NOW,
    )
    assert r.status == Status.PASS
    assert "20 November 2026, 13:50:11 (JST, UTC+09:00)" in r.summary
    assert "15:10:02" in r.summary
    assert r.facts["answers"][0]["state"] == "off"


def test_linux_journal_boots_and_sleep():
    events = power.parse_list_boots_json(
        (DATA / "linux/power/list_boots.json").read_text(encoding="utf-8")
    )
    events += power.parse_sleep_journal(
        (DATA / "linux/power/sleep_journal.json").read_text(encoding="utf-8")
    )
    asleep = interpret({"events": events}, reported("2026-11-20T04:00:00+00:00"), JST, NOW)
    assert asleep.status == Status.PASS and asleep.facts["answers"][0]["state"] == "asleep"
    on = interpret({"events": events}, reported("2026-11-20T02:00:00+00:00"), JST, NOW)
    assert on.status == Status.WARN and "could have sent" in on.summary


def test_windows_system_log():
    events = power.parse_windows_events(
        json.loads((DATA / "windows/power/system_events.json").read_text(encoding="utf-8"))
    )
    assert {e["kind"] for e in events} == {"boot", "sleep", "wake", "shutdown", "crash"}
    asleep = interpret({"events": events}, reported("2026-11-20T05:05:00+00:00"), JST, NOW)
    assert asleep.facts["answers"][0]["state"] == "asleep"
    off = interpret({"events": events}, reported("2026-11-20T18:00:00+00:00"), JST, NOW)
    assert off.facts["answers"][0]["state"] == "off"
    crashed = interpret({"events": events}, reported("2026-11-21T05:00:00+00:00"), JST, NOW)
    assert crashed.status == Status.UNKNOWN  # the session ended in a crash: no more is claimed


def test_macos_pmset_real_output_wake_requests_are_not_wakes():
    """Real output (see the .source file): "Wake Requests" one second after "Sleep"."""
    text = (DATA / "macos/power/pmset_log_sleep_darkwake_2025.txt").read_text(encoding="utf-8")
    events = power.parse_pmset_log(text)
    assert [e["kind"] for e in events] == ["sleep", "wake"]  # Sleep, then the DarkWake
    asleep = interpret({"events": events}, reported("2025-02-07T12:00:06+00:00"), JST, NOW)
    assert asleep.facts["answers"][0]["state"] == "asleep"


def test_a_start_without_a_sleep_before_it_is_a_gap_not_on():
    text = (
        "2026-11-20 08:01:05 +0900 Start               \tBoot\n"
        "2026-11-20 09:00:00 +0900 Wake                \tWake from Deep Idle\n"
        "2026-11-20 18:00:00 +0900 Start               \tBoot\n"
    )
    events = power.parse_pmset_log(text)
    assert [e["kind"] for e in events] == ["boot", "wake", "crash", "boot"]
    r = interpret({"events": events}, reported("2026-11-20T08:00:00+00:00"), JST, NOW)
    assert r.status == Status.UNKNOWN  # between 09:00 and 18:00 JST the log does not say


def test_macos_pmset():
    events = power.parse_pmset_log((DATA / "macos/power/pmset_log.txt").read_text(encoding="utf-8"))
    r = interpret({"events": events}, reported("2026-11-20T05:05:00+00:00"), JST, NOW)
    assert r.facts["answers"][0]["state"] == "asleep"
    # A maintenance DarkWake inside the range means it was briefly on: not "off the whole time".
    r = interpret(
        {"events": events},
        reported("2026-11-20T05:05:00+00:00", "2026-11-20T05:45:00+00:00"),
        JST,
        NOW,
    )
    assert r.status == Status.WARN


def test_no_records_or_before_records_is_unknown():
    assert (
        interpret({"events": []}, reported("2026-11-20T05:05:00+00:00"), JST, NOW).status
        == Status.UNKNOWN
    )
    events = power.parse_last_x((DATA / "linux/power/last_x_F_utc.txt").read_text(encoding="utf-8"))
    before = interpret({"events": events}, reported("2026-10-01T00:00:00+00:00"), JST, NOW)
    assert before.status == Status.UNKNOWN
    assert interpret({"events": events}, [], JST, NOW).status == Status.UNKNOWN


# Exact answers for each situation: what the letter and the window are built from (a changed
# reason, a missing "until" or an off-by-one at an event's own second all change what is said).
T = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def at(minutes):
    return T + timedelta(minutes=minutes)


LOG = [
    (at(0), "boot"),
    (at(60), "sleep"),
    (at(90), "wake"),
    (at(120), "shutdown"),
    (at(180), "boot"),
    (at(240), "crash"),
    (at(300), "boot"),
]


def test_state_at_each_kind_of_moment():
    from checks.uptime import state_at

    now = at(400)
    assert state_at(LOG, at(-1), now) == {"state": "unknown", "reason": "before the oldest record"}
    assert state_at(LOG, at(0), now) == {"state": "on", "since": at(0), "until": at(60)}
    assert state_at(LOG, at(59), now) == {"state": "on", "since": at(0), "until": at(60)}
    assert state_at(LOG, at(60), now) == {"state": "asleep", "since": at(60), "until": at(90)}
    assert state_at(LOG, at(120), now) == {"state": "off", "since": at(120), "until": at(180)}
    assert state_at(LOG, at(200), now) == {
        "state": "unknown",
        "reason": "the session ended in a crash at an unknown time",
        "since": at(180),
    }
    assert state_at(LOG, at(350), now) == {"state": "on", "since": at(300), "until": None}
    assert state_at(LOG, at(500), now) == {"state": "unknown", "reason": "in the future"}
    assert state_at([(at(0), "crash")], at(10), now) == {
        "state": "unknown",
        "reason": "after an unexpected shutdown",
        "since": at(0),
    }


def test_a_reported_span_is_judged_over_its_whole_length():
    events = [{"time": t.isoformat(), "kind": k} for t, k in LOG]
    zone = UTC

    def answer(start, end=None):
        item = {"utc": at(start).isoformat()}
        if end is not None:
            item["end_utc"] = at(end).isoformat()
        return interpret({"events": events}, [item], zone, at(400)).facts["answers"][0]

    # Off the whole time, asleep the whole time.
    assert answer(130, 170)["state"] == "off"
    assert answer(65, 85)["state"] == "asleep"
    # Off at the start and on at the end, or woken up in between: it was on.
    assert answer(170, 185)["state"] == "on"
    assert answer(65, 95)["state"] == "on"
    # Asleep at the start, off at the end (the shutdown in between): not known to be off.
    assert answer(85, 125)["state"] == "on"  # the wake at 90 is inside the span
    one = answer(130)
    assert one == {
        "reported_utc": at(130).isoformat(),
        "reported_end_utc": None,
        "state": "off",
        "since": at(120).isoformat(),
        "until": at(180).isoformat(),
        "reason": None,
    }
    # A span ending exactly when the PC starts: the start is inside the span.
    assert answer(170, 180)["state"] == "on"
    # A span starting exactly at a shutdown is off from its first second.
    assert answer(120, 170)["state"] == "off"


def test_the_words_name_each_state_and_span():
    events = [{"time": t.isoformat(), "kind": k} for t, k in LOG]
    items = [{"utc": at(130).isoformat()}, {"utc": at(70).isoformat()}]
    r = interpret({"events": events}, items, JST, at(400))
    assert r.status == Status.PASS and r.reason == "off_every_time"
    assert r.words("en").summary == (
        "At every reported time this PC was not running: it was off from "
        "20 November 2026, 11:00:00 (JST, UTC+09:00) to 20 November 2026, 12:00:00 (JST, UTC+09:00); asleep"
        " from 20 November 2026, 10:00:00 (JST, UTC+09:00) to 20 November 2026, 10:30:00 (JST, UTC+09:00)."
    )
    on = interpret({"events": events}, [{"utc": at(350).isoformat()}], JST, at(400))
    assert on.status == Status.WARN and on.reason == "was_on"
    assert on.words("en").summary == (
        "This PC was running at 20 November 2026, 14:50:00 (JST, UTC+09:00) (it was on from "
        "20 November 2026, 14:00:00 (JST, UTC+09:00) to now), so it could have sent mail then."
    )
    silent = interpret({"events": events}, [{"utc": at(200).isoformat()}], JST, at(400))
    assert silent.status == Status.UNKNOWN and silent.reason == "logs_silent"


def test_no_times_no_records_and_what_the_facts_keep():
    power = {"events": [{"time": at(0).isoformat(), "kind": "boot"}], "sources": {"wtmp": "ok"}}
    no_times = interpret(power, [], JST, at(400))
    assert (no_times.id, no_times.reason) == ("NOTICE-UPTIME", "no_times")
    assert no_times.facts == {
        "sources": {"wtmp": "ok"},
        "records": 1,
        "oldest_record": at(0).isoformat(),
    }
    empty = interpret({"events": []}, [{"utc": at(10).isoformat()}], JST, at(400))
    assert (empty.id, empty.reason, empty.status) == ("NOTICE-UPTIME", "no_records", Status.UNKNOWN)
    assert empty.facts == {"sources": {}, "records": 0, "oldest_record": None}
    assert interpret({}, [{"utc": at(10).isoformat()}], JST, at(400)).reason == "no_records"


def test_damaged_events_are_skipped_not_the_rest():
    events = [
        {"time": "not a time", "kind": "boot"},
        {"kind": "boot"},
        {"time": at(0).isoformat(), "kind": "boot"},
        {"time": at(0).isoformat(), "kind": "boot"},  # duplicates count once
    ]
    result = interpret({"events": events}, [{"utc": at(5).isoformat()}], JST, at(400))
    assert result.facts["records"] == 1 and result.facts["answers"][0]["state"] == "on"


def test_the_last_record_open_ended_and_the_present_moment():
    from checks.uptime import state_at

    log = [(at(0), "boot"), (at(10), "shutdown")]
    assert state_at(log, at(20), at(30)) == {"state": "off", "since": at(10), "until": None}
    assert state_at([(at(0), "sleep")], at(5), at(30)) == {
        "state": "asleep",
        "since": at(0),
        "until": None,
    }
    assert state_at([(at(0), "boot")], at(30), at(30))["state"] == "on"  # now itself is known


def test_answers_keep_the_reported_span_and_the_reason():
    events = [{"time": t.isoformat(), "kind": k} for t, k in LOG]
    item = {"utc": at(200).isoformat(), "end_utc": at(210).isoformat()}
    result = interpret({"events": events}, [item], UTC, at(400))
    a = result.facts["answers"][0]
    assert a["reported_end_utc"] == at(210).isoformat()
    assert a["reason"] == "the session ended in a crash at an unknown time"
    assert (result.id, result.reason) == ("NOTICE-UPTIME", "logs_silent")
    # Off at the start, crashed session at the end, no start in between: not known to be on.
    mixed = interpret(
        {"events": events},
        [{"utc": at(130).isoformat(), "end_utc": at(200).isoformat()}],
        UTC,
        at(400),
    )
    assert mixed.facts["answers"][0]["state"] == "on"  # the boot at 180 lies inside the span
    silent = interpret(
        {"events": [{"time": at(0).isoformat(), "kind": "crash"}]},
        [{"utc": at(10).isoformat(), "end_utc": at(20).isoformat()}],
        UTC,
        at(400),
    )
    assert silent.facts["answers"][0]["state"] == "unknown"


def test_span_words_without_a_start():
    from checks.uptime import _span

    assert _span({"since": None, "until": at(10).isoformat()}).startswith("from … to ")
