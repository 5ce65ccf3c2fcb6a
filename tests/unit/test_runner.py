"""The runner's contract: concurrent, per-check timeout, children killed, exceptions contained,
results streamed as each finishes."""

import sys
import threading
import time

import psutil
import pytest

from checks.context import Options
from checks.model import CheckSpec, Result, Status
from checks.runner import run_checks


def ok(ctx):
    return Result(id="T-OK", status=Status.PASS, reason="fine")


def boom(ctx):
    raise RuntimeError("probe exploded")


def slow_ok(ctx):
    time.sleep(0.3)
    return Result(id="T-SLOW", status=Status.PASS, reason="fine")


CHILD: dict = {}


def hang_with_child(ctx):
    proc = ctx.popen([sys.executable, "-c", "import time; time.sleep(600)"])
    CHILD["pid"] = proc.pid
    proc.wait()
    return Result(id="T-HANG", status=Status.PASS, reason="never")


def hang_in_python(ctx):
    threading.Event().wait(600)


SPECS = [
    CheckSpec("T-OK", "ok", ok),
    CheckSpec("T-BOOM", "boom", boom),
    CheckSpec("T-HANG", "hang", hang_with_child, timeout=1.0),
    CheckSpec("T-PYHANG", "pyhang", hang_in_python, timeout=1.0),
    CheckSpec("T-SLOW", "slow", slow_ok),
]


def test_broken_and_hung_checks_do_not_stop_the_others():
    seen: list[str] = []
    t0 = time.monotonic()
    results = run_checks(SPECS, on_result=lambda r: seen.append(r.id), platform="linux")
    elapsed = time.monotonic() - t0
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == [s.id for s in SPECS]  # returned in spec order
    assert by_id["T-OK"].status == Status.PASS
    assert by_id["T-SLOW"].status == Status.PASS
    assert by_id["T-BOOM"].status == Status.ERROR
    assert "probe exploded" in by_id["T-BOOM"].facts["exception"]
    assert "Traceback" in by_id["T-BOOM"].facts["traceback"]
    for hung in ("T-HANG", "T-PYHANG"):
        assert by_id[hung].status == Status.UNKNOWN
        assert by_id[hung].facts["reason"] == "timed out"
    # Streamed as they finished: quick ones before the hung ones.
    assert seen.index("T-OK") < seen.index("T-HANG")
    assert seen.index("T-SLOW") < seen.index("T-PYHANG")
    assert elapsed < 10  # the hung checks are abandoned at their 1 s timeout


def test_child_of_a_timed_out_check_is_killed():
    run_checks([SPECS[2]], platform="linux")
    pid = CHILD["pid"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"child {pid} still running after its check timed out")


def test_stamps_time_with_zone_and_duration():
    (result,) = run_checks([CheckSpec("T-SLOW", "slow", slow_ok)], platform="linux")
    assert result.started_at.utcoffset() is not None
    assert result.duration_ms >= 300


def test_skips_with_reasons():
    specs = [
        CheckSpec("T-WIN", "win", ok, platforms=frozenset({"windows"})),
        CheckSpec("T-NET", "net", ok, needs_network=True),
        CheckSpec("T-ADM", "adm", ok, needs_admin=True),
    ]
    results = run_checks(specs, Options(network=False), platform="linux", admin=False)
    assert [r.status for r in results] == [Status.SKIPPED] * 3
    assert [r.facts["reason"] for r in results] == [
        "platform",
        "network lookups not allowed",
        "needs administrator rights",
    ]


def test_wrong_result_id_is_an_error():
    (result,) = run_checks([CheckSpec("T-OTHER", "x", ok)], platform="linux")
    assert result.status == Status.ERROR


def test_cancel_stops_everything_with_a_reason():
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    t0 = time.monotonic()
    (result,) = run_checks(
        [CheckSpec("T-PYHANG", "x", hang_in_python, timeout=60)], platform="linux", cancel=cancel
    )
    assert time.monotonic() - t0 < 5
    assert result.status == Status.UNKNOWN and result.facts["reason"] == "cancelled"


def test_command_probe_reports_missing_timeout_and_bad_bytes():
    from checks.probes.command import run

    assert run(["/nonexistent/tool"]).problem == "missing"
    slow = run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert slow.problem == "timeout"
    # Bytes the reading encoding cannot decode: UTF-8 here, the console code page on Windows
    # (cp437, an English console's, decodes every byte: nothing to test there).
    from checks.probes.command import console_encoding

    encoding = console_encoding() or "utf-8"
    invalid = next(
        (bytes([b]) for b in range(0x80, 0x100) if _undecodable(bytes([b]), encoding)), None
    )
    if invalid is None:
        return
    code = f"import sys; sys.stdout.buffer.write(b'ok' + {invalid!r})"
    bad = run([sys.executable, "-c", code])
    assert bad.ok and bad.undecodable and bad.stdout.startswith("ok")


def _undecodable(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return True
    return False


def test_command_output_in_the_console_code_page_is_read_as_such(monkeypatch):
    """On a Japanese Windows, console tools write cp932 into the pipe: a real process writing
    those bytes is read as Japanese, not as replacement characters."""
    from checks.probes import command

    monkeypatch.setattr(command, "console_encoding", lambda: "cp932")
    code = "import sys; sys.stdout.buffer.write('アクティブ ルート:'.encode('cp932'))"
    out = command.run([sys.executable, "-c", code])
    assert out.ok and not out.undecodable and out.stdout == "アクティブ ルート:"
    monkeypatch.setattr(command, "console_encoding", lambda: None)
    out = command.run([sys.executable, "-c", code])
    assert out.undecodable and "アクティブ" not in out.stdout


def test_result_round_trips_through_json():
    import json
    from datetime import datetime, timedelta, timezone

    r = Result(
        id="X",
        status="warn",
        reason="s",
        params={"n": 3, "at": datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=9)))},
        advice_codes=["a"],
        facts={"n": 1, "when": datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=9)))},
        started_at=datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=9))),
    )
    stored = json.loads(r.to_json())
    assert "summary" not in stored and stored["text"]["summary"]  # words beside, for people
    again = Result.from_dict(stored)
    assert again == r
    assert again.params["at"] == "2026-01-01T00:00:00+09:00"
    assert again.facts["when"] == "2026-01-01T00:00:00+09:00"
    with pytest.raises(ValueError):
        Result(id="X", status="pass", started_at=datetime(2026, 1, 1))


def test_portable_capture_listens_on_every_interface_with_an_address():
    """The Windows/macOS capture opens one scapy socket per interface: those with an address,
    named as people know them, and a broken adapter does not stop the others."""
    from collections import defaultdict

    from checks.probes.capture import portable_interfaces

    class Iface:
        def __init__(self, name, v4=(), v6=(), valid=True, broken=False):
            self.name, self.valid, self.broken = name, valid, broken
            self.ips = defaultdict(list, {4: list(v4), 6: list(v6)})

        def is_valid(self):
            if self.broken:
                raise OSError("adapter vanished")
            return self.valid

    ifaces = [
        Iface("Ethernet", ["192.168.1.13"]),
        Iface("Wi-Fi"),  # no address: not connected
        Iface("Loopback Pseudo-Interface 1", ["127.0.0.1"], ["::1"]),
        Iface("WireGuard Tunnel", v6=["fd00::2"]),
        Iface("Bluetooth", ["169.254.1.1"], valid=False),
        Iface("Hyper-V", ["172.17.112.1"], broken=True),
    ]
    assert [name for name, _i in portable_interfaces(ifaces)] == [
        "Ethernet",
        "Loopback Pseudo-Interface 1",
        "WireGuard Tunnel",
    ]
