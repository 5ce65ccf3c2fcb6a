"""CLOCK-SYNC: each situation gives exactly one status, reason, advice and set of words.

Written after mutation testing (docs/mutation.md) showed that more than half of the changes to
checks/clock.py went unnoticed: the older tests looked at the status only."""

from datetime import UTC, datetime, timedelta

import pytest

from checks import clock
from checks.model import Status
from tests.recorded import DATA

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def cmd(stdout="", returncode=0, stderr="", problem=None):
    return {"stdout": stdout, "returncode": returncode, "stderr": stderr, "problem": problem}


def answer(result):
    words = result.words("en")
    return result.status, result.reason, result.advice_codes, words.summary


CHRONY = (DATA / "linux/chronyc_tracking.txt").read_text(encoding="utf-8")
NTP = ("linux_ntp",)
TD_YES = "Timezone=Asia/Tokyo\nNTP=yes\nNTPSynchronized=yes\n"
TD_NO = "Timezone=Asia/Tokyo\nNTP=no\nNTPSynchronized=no\n"
NTPQ = (
    "     remote           refid      st t when poll reach   delay   offset  jitter\n"
    "==============================================================================\n"
    "*ntp1.jst.mfeed. 133.243.236.17   2 u   36   64  377    4.123   -0.210   0.101\n"
    "+ntp2.jst.mfeed. 133.243.236.17   2 u   40   64  377    4.551    0.113   0.090\n"
)
NTPQ_NONE = NTPQ.replace("*ntp1", " ntp1").replace("+ntp2", " ntp2")

LINUX = [
    (
        "timedatectl synchronised",
        {"timedatectl": cmd(TD_YES)},
        (Status.PASS, "synchronised", (), "The clock is synchronised with network time."),
        {"source": "timedatectl", "ntp_enabled": True, "timezone": "Asia/Tokyo"},
    ),
    (
        "timedatectl not synchronised",
        {"timedatectl": cmd(TD_NO)},
        (Status.WARN, "not_synchronised", NTP, "The clock is not synchronised with network time."),
        {"source": "timedatectl", "ntp_enabled": False, "timezone": "Asia/Tokyo"},
    ),
    (
        "chrony normal and close",
        {"chronyc": cmd(CHRONY)},
        (
            Status.PASS,
            "chrony_synchronised",
            (),
            "The clock is synchronised with network time (chrony).",
        ),
        {"source": "chronyc", "leap_status": "Normal", "offset_s": 0.000012745},
    ),
    (
        "chrony normal but 2 s off",
        {"chronyc": cmd(CHRONY.replace("0.000012745 seconds fast", "2.000000000 seconds slow"))},
        (
            Status.WARN,
            "chrony_not_synchronised",
            NTP,
            "The clock is not synchronised with network time (chrony).",
        ),
        {"offset_s": 2.0},
    ),
    (
        "chrony exactly 1 s off",
        {"chronyc": cmd(CHRONY.replace("0.000012745 seconds fast", "1.000000000 seconds fast"))},
        (
            Status.WARN,
            "chrony_not_synchronised",
            NTP,
            "The clock is not synchronised with network time (chrony).",
        ),
        {"offset_s": 1.0},
    ),
    (
        "chrony not synchronised",
        {
            "chronyc": cmd(
                CHRONY.replace("Leap status     : Normal", "Leap status     : Not synchronised")
            )
        },
        (
            Status.WARN,
            "chrony_not_synchronised",
            NTP,
            "The clock is not synchronised with network time (chrony).",
        ),
        {"leap_status": "Not synchronised"},
    ),
    (
        "chrony without an offset line",
        {"chronyc": cmd("Leap status     : Normal\n")},
        (
            Status.PASS,
            "chrony_synchronised",
            (),
            "The clock is synchronised with network time (chrony).",
        ),
        {"offset_s": None},
    ),
    (
        "timedatectl without systemd, chrony answers",
        {
            "timedatectl": cmd("", 1, "System has not been booted with systemd"),
            "chronyc": cmd(CHRONY),
        },
        (
            Status.PASS,
            "chrony_synchronised",
            (),
            "The clock is synchronised with network time (chrony).",
        ),
        {},
    ),
    (
        "ntpd with a chosen server",
        {"ntpq": cmd(NTPQ)},
        (
            Status.PASS,
            "ntpd_synchronised",
            (),
            "The clock is synchronised with network time (ntpd).",
        ),
        {"source": "ntpq"},
    ),
    (
        "ntpd without a chosen server",
        {"ntpq": cmd(NTPQ_NONE)},
        (Status.WARN, "ntpd_no_server", NTP, "ntpd has not chosen a time server yet."),
        {"source": "ntpq"},
    ),
    (
        "no tool at all",
        {"pid1": "init"},
        (
            Status.UNKNOWN,
            "could_not_tell",
            ("compare",),
            "We could not tell whether the clock is synchronised: no time tool is installed"
            " (timedatectl, chronyc or ntpq).",
        ),
        {"tried": []},
    ),
    (
        "timedatectl alone, no systemd",
        {"timedatectl": cmd("", 1, "System has not been booted with systemd"), "pid1": "tini"},
        (
            Status.UNKNOWN,
            "could_not_tell",
            ("compare",),
            "We could not tell whether the clock is synchronised: timedatectl could not ask"
            " systemd (this system was not started by systemd; PID 1 is tini).",
        ),
        {"tried": ["timedatectl"], "pid1": "tini"},
    ),
    (
        "every tool failed",
        {
            "timedatectl": cmd("", 1),
            "chronyc": cmd("506 Cannot talk to daemon", 1),
            "ntpq": cmd("", 1),
        },
        (
            Status.UNKNOWN,
            "could_not_tell",
            ("compare",),
            "We could not tell whether the clock is synchronised: no time service answered.",
        ),
        {"tried": ["timedatectl", "chronyc", "ntpq"]},
    ),
]


@pytest.mark.parametrize(
    ("facts", "expected", "kept"), [c[1:] for c in LINUX], ids=[c[0] for c in LINUX]
)
def test_linux_answers(facts, expected, kept):
    result = clock.interpret_linux(facts)
    assert answer(result) == expected
    for key, value in kept.items():
        assert result.facts[key] == value


def windows_time(**changes):
    base = {
        "service_status": "Stopped",
        "type": "NTP",
        "ntp_server": "time.windows.com,0x9",
        "last_sync_event": None,
        "sync_task_last_run": None,
        "sync_task_result": None,
    }
    return {"time": {**base, **changes}}


SYNC = ("windows_sync",)
WINDOWS = [
    (
        "synced yesterday (event), service stopped as usual",
        windows_time(last_sync_event=(NOW - timedelta(days=1)).isoformat()),
        (
            Status.PASS,
            "windows_synchronised",
            (),
            "The clock is synchronised with time.windows.com.",
        ),
        {"server": "time.windows.com"},
    ),
    (
        "synced by the task 7 days ago",
        windows_time(sync_task_last_run=(NOW - timedelta(days=7)).isoformat(), sync_task_result=0),
        (
            Status.PASS,
            "windows_synchronised",
            (),
            "The clock is synchronised with time.windows.com.",
        ),
        {"server": "time.windows.com"},
    ),
    (
        "the task failed: not a sync",
        windows_time(sync_task_last_run=(NOW - timedelta(days=1)).isoformat(), sync_task_result=1),
        (
            Status.UNKNOWN,
            "windows_no_sync_record",
            SYNC,
            "We found no record that Windows synchronised the clock (neither the Windows Time"
            " service's log nor its scheduled task shows a successful sync).",
        ),
        {},
    ),
    (
        "last sync 8 days ago",
        windows_time(last_sync_event=(NOW - timedelta(days=8)).isoformat()),
        (Status.WARN, "last_sync_days", SYNC, "The clock was last synchronised 8 days ago."),
        {"days": 8},
    ),
    (
        "the newer of event and task counts",
        windows_time(
            last_sync_event=(NOW - timedelta(days=30)).isoformat(),
            sync_task_last_run=(NOW - timedelta(days=2)).isoformat(),
            sync_task_result=0,
        ),
        (
            Status.PASS,
            "windows_synchronised",
            (),
            "The clock is synchronised with time.windows.com.",
        ),
        {"server": "time.windows.com"},
    ),
    (
        "set not to synchronise",
        windows_time(type="NoSync", last_sync_event=(NOW - timedelta(days=1)).isoformat()),
        (Status.WARN, "windows_nosync", SYNC, "Windows is set not to synchronise its clock."),
        {},
    ),
    (
        "no server configured",
        windows_time(ntp_server="", last_sync_event=(NOW - timedelta(days=1)).isoformat()),
        (Status.PASS, "windows_synchronised", (), "The clock is synchronised with NTP."),
        {"server": "NTP"},
    ),
]


@pytest.mark.parametrize(
    ("facts", "expected", "params"), [c[1:] for c in WINDOWS], ids=[c[0] for c in WINDOWS]
)
def test_windows_answers(facts, expected, params):
    result = clock.interpret_windows(facts, NOW)
    assert answer(result) == expected
    assert result.params == params
    t = facts["time"]
    assert result.facts == {
        "service": t["service_status"],
        "type": t["type"],
        "server": t["ntp_server"],
        "last_sync_event": t["last_sync_event"],
        "sync_task_last_run": t["sync_task_last_run"],
        "sync_task_result": t["sync_task_result"],
    }


@pytest.mark.parametrize(
    "facts",
    [{"problem": "missing", "time": {"type": "NTP"}}, {"errors": {"time": "access denied"}}],
)
def test_windows_unreadable(facts):
    result = clock.interpret_windows(facts, NOW)
    assert answer(result) == (
        Status.UNKNOWN,
        "windows_unreadable",
        (),
        "We could not read the Windows Time settings.",
    )
    assert result.facts == {"error": (facts.get("errors") or {}).get("time")}


MACOS = [
    (
        "automatic",
        cmd("Network Time: On\n"),
        (
            Status.PASS,
            "macos_automatic",
            (),
            "macOS sets its clock automatically from network time.",
        ),
        {"network_time": True},
    ),
    (
        "manual",
        cmd("Network Time: Off\n"),
        (
            Status.WARN,
            "macos_manual",
            ("macos_automatic",),
            "macOS does not set its clock automatically.",
        ),
        {"network_time": False},
    ),
    (
        "needs an administrator",
        cmd("", 0, "You need administrator access to run this tool... exiting!\n"),
        (
            Status.UNKNOWN,
            "macos_needs_admin",
            ("rerun_admin",),
            "Reading the time settings needs administrator rights.",
        ),
        {},
    ),
    (
        "denied",
        cmd(problem="denied"),
        (
            Status.UNKNOWN,
            "macos_needs_admin",
            ("rerun_admin",),
            "Reading the time settings needs administrator rights.",
        ),
        {},
    ),
    (
        "unexpected",
        cmd("Time Zone: Asia/Tokyo\n"),
        (Status.UNKNOWN, "macos_unreadable", (), "We could not read the macOS time settings."),
        {},
    ),
]


@pytest.mark.parametrize(
    ("ss", "expected", "kept"), [c[1:] for c in MACOS], ids=[c[0] for c in MACOS]
)
def test_macos_answers(ss, expected, kept):
    result = clock.interpret_macos({"systemsetup": ss})
    assert answer(result) == expected
    for key, value in kept.items():
        assert result.facts[key] == value


def test_every_advice_is_worded():
    assert clock.interpret_windows(windows_time(type="NoSync"), NOW).words("en").advice == (
        'Open Settings > Time & language > Date & time, turn on "Set time automatically" and'
        ' click "Sync now".',
    )
    assert clock.interpret_linux({"timedatectl": cmd(TD_NO)}).words("en").advice == (
        "Turn on network time: sudo timedatectl set-ntp true (or install chrony).",
    )
    assert clock.interpret_linux({}).words("en").advice == (
        "Compare the clock with a trusted time source before relying on the times in the report.",
    )
    assert clock.interpret_macos({"systemsetup": cmd("Network Time: Off")}).words("en").advice == (
        'Turn on "Set time and date automatically" in System Settings > General > Date & Time.',
    )
    assert clock.interpret_macos({"systemsetup": cmd(problem="denied")}).words("en").advice == (
        "Run the check again as administrator.",
    )
