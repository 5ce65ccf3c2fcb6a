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
    events = power.parse_last_x((DATA / "linux/power/last_x_F_utc.txt").read_text())
    assert len(events) == 5
    # 14:05-14:30 JST on the 20th = 05:05-05:30 UTC: between shutdown 04:50 and boot 06:10.
    r = interpret(
        {"events": events},
        reported("2026-11-20T05:05:00+00:00", "2026-11-20T05:30:00+00:00"),
        JST,
        NOW,
    )
    assert r.status == Status.PASS
    assert "2026-11-20 13:50:11 (JST, UTC+09:00)" in r.summary
    assert "15:10:02" in r.summary
    assert r.facts["answers"][0]["state"] == "off"


def test_linux_journal_boots_and_sleep():
    events = power.parse_list_boots_json((DATA / "linux/power/list_boots.json").read_text())
    events += power.parse_sleep_journal((DATA / "linux/power/sleep_journal.json").read_text())
    asleep = interpret({"events": events}, reported("2026-11-20T04:00:00+00:00"), JST, NOW)
    assert asleep.status == Status.PASS and asleep.facts["answers"][0]["state"] == "asleep"
    on = interpret({"events": events}, reported("2026-11-20T02:00:00+00:00"), JST, NOW)
    assert on.status == Status.WARN and "could have sent" in on.summary


def test_windows_system_log():
    events = power.parse_windows_events(
        json.loads((DATA / "windows/power/system_events.json").read_text())
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
    text = (DATA / "macos/power/pmset_log_sleep_darkwake_2025.txt").read_text()
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
    events = power.parse_pmset_log((DATA / "macos/power/pmset_log.txt").read_text())
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
    events = power.parse_last_x((DATA / "linux/power/last_x_F_utc.txt").read_text())
    before = interpret({"events": events}, reported("2026-10-01T00:00:00+00:00"), JST, NOW)
    assert before.status == Status.UNKNOWN
    assert interpret({"events": events}, [], JST, NOW).status == Status.UNKNOWN
