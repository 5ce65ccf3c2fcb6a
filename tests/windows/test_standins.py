"""Clearline's real Windows subprocess code, end to end, against the Wine harness's stand-ins.

tools/wine/setup.sh puts one small program (tools/wine/standin.c) where Clearline starts
powershell.exe, route.exe and arp.exe; it answers with a recording named by an environment
variable and saves what it was sent. So these tests run the probes as they run on Windows:
the script framed on standard input, the process started by its full path, the output decoded
in the console's code page, the time limit, the JSON parsing, and the checks judging the result.

They run only on Windows with the stand-ins installed (`tools/wine/run.sh python -m pytest
tests/windows`); anywhere else they skip, and on a real Windows the real programs answer, so
they skip there too."""

import functools
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from checks import antivirus, clock, firewall, lan, support, updates
from checks.context import CheckContext
from checks.model import Status
from checks.probes import command, network, power, windows
from checks.probes.network import NetworkFacts
from checks.uptime import interpret as interpret_uptime
from tests.recorded import DATA
from tests.unit import test_antivirus_answers as av_answers
from tests.unit import test_updates_answers as update_answers

pytestmark = pytest.mark.skipif(
    sys.platform != "win32",
    reason="Windows only: the stand-ins run in the Wine harness (tools/wine/README.md)",
)

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # the clock of the recorded-answer tests
HOST = sorted(p.stem for p in (DATA / "windows/host").glob("*.json"))
NET = DATA / "windows/net"


# --- the stand-ins --------------------------------------------------------------------------


@functools.cache
def standin_answer(exe: str) -> str:
    """What exe says to --standin-version: "clearline-standin 1 route", or "" when it is a real
    program (or none)."""
    try:
        out = subprocess.run(
            [exe, "--standin-version"], stdin=subprocess.DEVNULL, capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    text = out.stdout.decode("ascii", "replace").strip()
    return text if out.returncode == 0 and text.startswith("clearline-standin ") else ""


def require_standin(exe: str | None) -> str:
    if exe is None or not standin_answer(exe):
        pytest.skip(
            f"{exe or 'powershell.exe'} is not the Wine harness's stand-in"
            " (tools/wine/setup.sh installs it)"
        )
    return exe


@pytest.fixture
def powershell(monkeypatch, tmp_path):
    """The PowerShell stand-in, answering with nothing until a test names a recording; what it
    receives goes to tmp_path/stdin.bin, its arguments to tmp_path/argv.txt."""
    exe = require_standin(windows.powershell())
    for name in ("POWERSHELL", "SLEEP"):
        monkeypatch.delenv(f"CLEARLINE_STANDIN_{name}", raising=False)
    monkeypatch.setenv("CLEARLINE_STANDIN_STDIN", str(tmp_path / "stdin.bin"))
    monkeypatch.setenv("CLEARLINE_STANDIN_ARGV", str(tmp_path / "argv.txt"))
    return exe


@pytest.fixture
def route_and_arp(monkeypatch, tmp_path):
    exes = (command.windows_tool("route"), command.windows_tool("arp"))
    for exe in exes:
        require_standin(exe)
    monkeypatch.delenv("CLEARLINE_STANDIN_SLEEP", raising=False)
    monkeypatch.setenv("CLEARLINE_STANDIN_ARGV", str(tmp_path / "argv.txt"))
    return exes


def runs(tmp_path: Path) -> list[list[str]]:
    """The argument lists the stand-ins were started with, in order."""
    path = tmp_path / "argv.txt"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [block.split("\n") for block in text.split("\n\n") if block]


def answer_with(monkeypatch, tool: str, recording: Path) -> None:
    monkeypatch.setenv(f"CLEARLINE_STANDIN_{tool.upper()}", str(recording))


def host(name: str) -> Path:
    return DATA / f"windows/host/{name}.json"


def recorded(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def assert_framed(sent: bytes, script: str) -> None:
    """What PowerShell received is script_input(script): for "-Command -", one statement
    "& { ... }" and then an empty line that ends the block; all ASCII, as PowerShell 5.1 reads
    standard input in the console's code page."""
    assert sent == windows.script_input(script)
    assert sent.isascii() and sent.startswith(b"& {\n") and sent.endswith(b"\n}\n\n")
    assert sent[4:-4].decode("ascii") == script.replace("\r\n", "\n").strip()


# --- the one PowerShell report --------------------------------------------------------------


def under_wine() -> bool:
    import ctypes

    return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")


def test_the_harness_runs_the_standins():
    """Not skipped under Wine: there a missing stand-in is a broken setup, not a reason to skip
    every other test quietly."""
    if not under_wine():
        pytest.skip("a real Windows: its own programs answer, not the stand-ins")
    for tool, exe in (
        ("powershell", windows.powershell()),
        ("route", command.windows_tool("route")),
        ("arp", command.windows_tool("arp")),
    ):
        assert exe and standin_answer(exe) == f"clearline-standin 1 {tool}", (
            f"{exe} is not the stand-in: run tools/wine/setup.sh"
        )


@pytest.mark.parametrize("name", HOST)
def test_the_report_arrives_unchanged(name, powershell, monkeypatch, tmp_path):
    """The script is framed on standard input exactly as script_input() makes it, PowerShell is
    started by its full path without encoded commands, and the facts are the recording."""
    answer_with(monkeypatch, "powershell", host(name))
    facts = windows.gather(CheckContext())
    assert facts == recorded(host(name))
    assert_framed((tmp_path / "stdin.bin").read_bytes(), windows.SCRIPT.read_text(encoding="utf-8"))
    assert runs(tmp_path) == [windows.powershell_command(powershell)]


def as_windows_powershell_writes(recording: Path, folder: Path) -> Path:
    """The recording as Windows PowerShell 5.1 puts it into a pipe once the script has set
    [Console]::OutputEncoding to UTF-8: a byte order mark first, CR LF line ends."""
    out = folder / f"bom_crlf_{recording.name}"
    out.write_bytes(b"\xef\xbb\xbf" + recording.read_bytes().replace(b"\n", b"\r\n"))
    return out


def test_a_byte_order_mark_and_cr_lf_are_read_through(powershell, monkeypatch, tmp_path):
    answer_with(
        monkeypatch, "powershell", as_windows_powershell_writes(host("win10_no_av"), tmp_path)
    )
    assert windows.gather(CheckContext()) == recorded(host("win10_no_av"))
    events = DATA / "windows/power/system_events.json"
    answer_with(monkeypatch, "powershell", as_windows_powershell_writes(events, tmp_path))
    got = power.windows_events(CheckContext())
    assert got["sources"] == {"System log": "ok"}
    assert got["events"] == power.parse_windows_events(recorded(events))


class FrozenClock(datetime):
    """datetime, with now() at the recorded-answer tests' NOW."""

    @classmethod
    def now(cls, tz=None):
        return NOW.astimezone(tz) if tz else NOW.replace(tzinfo=None)


CHECKS = {
    "AV-STATUS": (antivirus.run, antivirus.interpret_windows),
    "FW-STATUS": (firewall.run, firewall.interpret_windows),
    "OS-UPDATES": (updates.run, lambda facts: updates.interpret_windows(facts, NOW)),
    "OS-SUPPORT": (support.run, lambda facts: support.interpret_windows(facts, NOW.date())),
    "CLOCK-SYNC": (clock.run, lambda facts: clock.interpret_windows(facts, NOW)),
}
# The recorded-answer tests' scenarios that are a recording as it is: their expected answers.
ANSWERS = {
    ("AV-STATUS", "win11_defender_up_to_date"): av_answers.EXPECTED[("WINDOWS", "defender on")],
    ("AV-STATUS", "win11_third_party_defender_disabled"): av_answers.EXPECTED[
        ("WINDOWS", "third party on, defender disabled")
    ],
    ("AV-STATUS", "win10_av_expired"): av_answers.EXPECTED[("WINDOWS", "third party expired")],
    ("AV-STATUS", "win10_no_av"): av_answers.EXPECTED[("WINDOWS", "nothing on")],
    ("AV-STATUS", "server2022"): av_answers.EXPECTED[("WINDOWS", "server without security center")],
    ("OS-UPDATES", "win11_up_to_date"): update_answers.EXPECTED[("WINDOWS", "up to date")],
    ("OS-UPDATES", "win11_update_service_disabled"): update_answers.EXPECTED[
        ("WINDOWS", "service disabled")
    ],
}
# What tests/unit/test_host_windows.py asserts of the other checks on the plain recordings.
STATUSES = {
    ("OS-UPDATES", "win10_22h2_no_esu"): (Status.WARN, None),
    ("OS-SUPPORT", "win10_22h2_no_esu"): (Status.UNKNOWN, "esu_not_found"),
    ("OS-SUPPORT", "win11_up_to_date"): (Status.PASS, None),
    ("OS-SUPPORT", "server2022"): (Status.UNKNOWN, None),
    ("FW-STATUS", "win11_up_to_date"): (Status.PASS, None),
    ("CLOCK-SYNC", "win11_up_to_date"): (Status.PASS, None),
}


@pytest.mark.parametrize("name", HOST)
def test_the_checks_judge_the_report_as_the_recorded_tests_do(
    name, powershell, monkeypatch, tmp_path
):
    """The five checks of one audit, run for real (one PowerShell run shared by all, at the
    recorded tests' clock), answer what the recorded-answer tests expect of the recording."""
    for module in (updates, support, clock):
        monkeypatch.setattr(module, "datetime", FrozenClock)
    answer_with(monkeypatch, "powershell", host(name))
    ctx = CheckContext()
    data = recorded(host(name))
    for check, (run, interpret) in CHECKS.items():
        result = run(ctx)
        assert result == interpret(data), check
        if (check, name) in ANSWERS:
            status, reason, codes, params, summary, advice = ANSWERS[(check, name)]
            words = result.words("en")
            assert (str(result.status), result.reason, result.advice_codes) == (
                status,
                reason,
                codes,
            )
            assert result.params == params
            assert (words.summary, words.advice) == (summary, advice)
        if (check, name) in STATUSES:
            status, reason = STATUSES[(check, name)]
            assert result.status == status, check
            assert reason is None or result.reason == reason, check
    assert len(runs(tmp_path)) == 1  # one PowerShell run per audit


def test_a_slow_powershell_is_a_timeout_not_a_hang(powershell, monkeypatch, tmp_path):
    """The stand-in waits 60 s before answering; the probe gives up after its limit (3 s
    here), kills it, and every check that needs the report says it could not tell."""
    answer_with(monkeypatch, "powershell", host("win11_up_to_date"))
    monkeypatch.setenv("CLEARLINE_STANDIN_SLEEP", "60")
    monkeypatch.setattr(windows, "TIMEOUT", 3.0)
    started = time.monotonic()
    facts = windows.gather(CheckContext())
    took = time.monotonic() - started
    assert facts == {"problem": "timeout", "detail": "no answer in 3 s"}
    assert took < 40, f"the probe waited {took:.0f} s for a stand-in told to wait 60 s"
    assert_framed((tmp_path / "stdin.bin").read_bytes(), windows.SCRIPT.read_text(encoding="utf-8"))
    for result in (
        antivirus.interpret_windows(facts),
        firewall.interpret_windows(facts),
        updates.interpret_windows(facts, NOW),
        support.interpret_windows(facts, NOW.date()),
        clock.interpret_windows(facts, NOW),
    ):
        assert result.status == Status.UNKNOWN, result


def test_a_powershell_that_prints_no_report_is_unreadable(powershell):
    """Without a recording the stand-in says why on standard error and exits 1: the probe
    reports an unreadable answer with the exit code, never a crash."""
    out = command.run(
        windows.powershell_command(powershell), CheckContext(), timeout=60, stdin=b"& {}\n\n"
    )
    assert out.ok and out.returncode == 1 and out.stdout == ""
    assert "CLEARLINE_STANDIN_POWERSHELL is not set" in out.stderr
    assert windows.gather(CheckContext()) == {
        "problem": "unreadable",
        "detail": "PowerShell printed no report",
        "exit_code": 1,
    }


def test_the_system_log_report(powershell, monkeypatch, tmp_path):
    """NOTICE-UPTIME's own PowerShell run: its script on standard input, the System log's
    events parsed, and the PC's state at a reported time as tests/unit/test_uptime.py finds."""
    recording = DATA / "windows/power/system_events.json"
    answer_with(monkeypatch, "powershell", recording)
    got = power.windows_events(CheckContext())
    assert got == {
        "events": power.parse_windows_events(recorded(recording)),
        "sources": {"System log": "ok"},
    }
    assert_framed((tmp_path / "stdin.bin").read_bytes(), power._PS)
    assert runs(tmp_path) == [windows.powershell_command(powershell)]
    jst = timezone(timedelta(hours=9), "JST")
    asleep = interpret_uptime(got, [{"utc": "2026-11-20T05:05:00+00:00"}], jst, NOW)
    assert asleep.facts["answers"][0]["state"] == "asleep"
    off = interpret_uptime(got, [{"utc": "2026-11-20T18:00:00+00:00"}], jst, NOW)
    assert off.facts["answers"][0]["state"] == "off"


# --- route print -4 and arp -a --------------------------------------------------------------


def net_recordings() -> tuple[Path, Path]:
    """What this Windows's route.exe and arp.exe would print: the Japanese recordings in code
    page 932 when the console's code page is 932, the English ones otherwise."""
    if command.console_encoding() == "cp932":
        return NET / "route_print_ja_win7.cp932.txt", NET / "arp_a_ja.cp932.txt"
    return NET / "route_print_win10.txt", NET / "arp_a_win10.txt"


def test_route_and_arp_output_is_read_in_the_consoles_code_page(route_and_arp, monkeypatch):
    route_file, arp_file = net_recordings()
    answer_with(monkeypatch, "route", route_file)
    answer_with(monkeypatch, "arp", arp_file)
    encoding = command.console_encoding() or "utf-8"
    text = {}
    for argv, recording in (
        ([route_and_arp[0], "print", "-4"], route_file),
        ([route_and_arp[1], "-a"], arp_file),
    ):
        out = command.run(argv, CheckContext(), timeout=60)
        assert out.ok and out.returncode == 0 and not out.undecodable, out
        assert out.stdout == recording.read_bytes().decode(encoding)
        text[argv[-1]] = out.stdout
    if encoding == "cp932":  # Japanese, as tests/unit/test_lan.py reads it
        assert "アクティブ ルート:" in text["-4"] and "リンク上" in text["-4"]
        assert "インターフェイス: 192.168.1.3 --- 0xc" in text["-a"]


def test_the_network_probe_finds_the_gateway_and_neighbours(route_and_arp, monkeypatch, tmp_path):
    """network.gather starts route.exe and arp.exe by their full paths and reads the default
    gateway and the neighbours as tests/unit/test_lan.py does from the same recordings."""
    route_file, arp_file = net_recordings()
    answer_with(monkeypatch, "route", route_file)
    answer_with(monkeypatch, "arp", arp_file)
    facts = network.gather(CheckContext())
    assert facts.problems == []
    assert runs(tmp_path) == [[route_and_arp[0], "print", "-4"], [route_and_arp[1], "-a"]]
    neighbours = [(n.ip, n.mac, n.interface) for n in facts.neighbours]
    if route_file.name.endswith(".cp932.txt"):
        assert facts.gateways == [("192.168.1.1", "192.168.1.13")]
        assert neighbours == [("192.168.1.1", "00:dc:02:3c:32:02", "192.168.1.3")]
        return
    assert facts.gateways == [("10.0.0.1", "10.0.0.185")]
    assert [(ip, interface) for ip, _mac, interface in neighbours] == [
        ("10.0.0.1", "10.0.0.185"),
        ("10.0.0.175", "10.0.0.185"),
        ("10.0.0.187", "10.0.0.185"),
        ("10.0.0.198", "10.0.0.185"),
    ]
    result = lan.interpret_devices(
        NetworkFacts(gateways=facts.gateways, neighbours=facts.neighbours)
    )
    assert result.status == Status.WARN and "3 other devices" in result.summary
