"""The journal's recorder behind one interface: the Windows and macOS paths (the connection
table polled, as psutil reads it there) replayed from the recordings the SMTP-OUT check is
tested on; the packet path's decoding of real packets; the service plans for each system."""

import json
import plistlib
import threading
from pathlib import Path

import pytest

from journal import coverage as C
from journal import recorder, service
from journal.store import ALERT, CONNECT, Journal
from tests.platform import needs_fifo, posix_only
from tests.recorded import load, recorded_watch


class Replayed(recorder.PollSource):
    """The poll source over a recording: one recorded table per look, then stop."""

    def __init__(self, name: str, stop: threading.Event):
        super().__init__(watch=recorded_watch(name), interval=0.0)
        self.left = len(load(name)["polls"])
        self.stop = stop

    def events(self, timeout):
        if self.left == 0:
            self.stop.set()
            return []
        self.left -= 1
        return super().events(0)


@pytest.mark.parametrize(
    ("recording", "bot", "exe_part"),
    [
        ("windows/mail_connections_infected.json", "svchost.exe", "AppData"),
        ("macos/mail_connections_bot.json", None, "/"),
    ],
)
def test_windows_and_macos_connection_tables_are_journaled(tmp_path, recording, bot, exe_part):
    rec = load(recording)
    stop = threading.Event()
    rec_path = tmp_path / "j.sqlite3"
    notified = []
    r = recorder.Recorder(
        rec_path, Replayed(recording, stop), notify=lambda t, b: notified.append(b) or True
    )
    r.run(stop)
    with Journal(rec_path, readonly=True) as j:
        records = list(j.records())
        assert j.verify().ok
    connects = [x for x in records if x.kind == CONNECT]
    recorded = {
        (c["laddr"][1], c["raddr"][0], c["raddr"][1]) for poll in rec["polls"] for c in poll
    }
    assert {(x.data["lport"], x.data["remote"], x.data["rport"]) for x in connects} == recorded
    on25 = [x for x in connects if x.data["rport"] == 25]
    assert on25 and all(x.data["program"] or x.data.get("owner_problem") for x in on25)
    named = [x.data["program"] for x in on25 if x.data["program"]]
    if bot:
        assert {p["name"] for p in named} == {bot}
    assert all(exe_part in (p["exe"] or "") for p in named)
    assert any(x.kind == ALERT for x in records) and notified
    start = records[0]
    assert start.data["mode"] == "poll" and start.data["mx"] is False
    cov = C.coverage(records, records[0].ts_us, records[-1].ts_us)
    assert cov.complete and not cov.full_capture  # polled: partial, and said so


def test_a_connection_seen_in_several_polls_is_one_event(tmp_path):
    stop = threading.Event()
    r = recorder.Recorder(
        tmp_path / "j", Replayed("windows/mail_connections_infected.json", stop), notify=None
    )
    r.run(stop)
    with Journal(tmp_path / "j", readonly=True) as j:
        keys = [(x.data["lport"], x.data["remote"]) for x in j.records() if x.kind == CONNECT]
    assert len(keys) == len(set(keys))


def test_packets_are_decoded_into_attempts_and_mx_queries_only():
    """A SYN to port 25, a SYN-ACK, an MX query and an A query, built byte by byte (75 real
    Zeek traces gave the same counts as tshark: tests/realworld/README.md)."""
    import struct

    def ipv4(proto, payload, src=b"\xc0\xa8\x00\x02", dst=b"\xcb\x00\x71\x19"):
        header = struct.pack(
            "!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, src, dst
        )
        return header + payload

    def tcp(dport, flags):
        return struct.pack("!HHIIBBHHH", 50000, dport, 1, 0, 5 << 4, flags, 65535, 0, 0)

    def dns(qtype):
        q = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0)
        q += b"\x07example\x03com\x00" + struct.pack("!HH", qtype, 1)
        return struct.pack("!HHHH", 50001, 53, 8 + len(q), 0) + q

    syn = recorder.packet_event(ipv4(6, tcp(25, 0x02)), 1)
    assert syn[0].kind == CONNECT and syn[0].data == {
        "local": "192.168.0.2",
        "lport": 50000,
        "remote": "203.0.113.25",
        "rport": 25,
    }
    assert recorder.packet_event(ipv4(6, tcp(25, 0x12)), 1) is None  # SYN-ACK: not an attempt
    assert recorder.packet_event(ipv4(6, tcp(443, 0x02)), 1) is None
    mx = recorder.packet_event(ipv4(17, dns(15)), 1)
    assert mx[0].data["name"] == "example.com" and mx[1] == (
        "udp",
        (b"\xc0\xa8\x00\x02", 50001),
        0,
    )
    # A SYN's key holds its sequence number: a new connection reusing the ports is not taken
    # for a retransmission of the old one.
    assert syn[1][2] == struct.unpack("!I", ipv4(6, tcp(25, 0x02))[24:28])[0]
    assert recorder.packet_event(ipv4(17, dns(1)), 1) is None


def test_the_kernel_filter_compiles_and_passes_only_what_the_recorder_keeps():
    compile_filter = pytest.importorskip("scapy.arch.common").compile_filter
    try:
        compile_filter(recorder.JOURNAL_FILTER, iface="lo")
    except Exception as exc:  # libpcap missing
        pytest.skip(f"libpcap is needed to compile filters: {exc}")


@posix_only
def test_systemd_unit_gives_only_the_capabilities_the_recorder_uses(tmp_path):
    (tmp_path / "run/systemd/system").mkdir(parents=True)
    plan = service.install_plan(tmp_path / "var/lib/clearline/journal.sqlite3", "linux", tmp_path)
    ((path, unit),) = plan.files.items()
    assert Path(path) == tmp_path / "etc/systemd/system/clearline-journal.service"
    assert "CapabilityBoundingSet=CAP_NET_RAW CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" in unit
    assert "NoNewPrivileges=yes" in unit and "ProtectSystem=strict" in unit
    assert "journal run --db" in unit and "WantedBy=multi-user.target" in unit
    assert plan.commands[-1] == ["systemctl", "enable", "--now", "clearline-journal.service"]
    ran = []
    done = service.apply(plan, run=lambda argv, **kw: ran.append(argv))
    assert (tmp_path / "etc/systemd/system/clearline-journal.service").read_text(
        encoding="utf-8"
    ) == unit
    assert [a[1:] for a in ran] == [c[1:] for c in plan.commands] and done
    gone = service.uninstall_plan("linux", tmp_path)
    service.apply(gone, run=lambda argv, **kw: None)
    assert not (tmp_path / "etc/systemd/system/clearline-journal.service").exists()


def test_without_systemd_install_says_how_to_run_it_by_hand(tmp_path):
    plan = service.install_plan(tmp_path / "j.sqlite3", "linux", tmp_path)
    assert not plan.possible and "journal run --db" in plan.manual and "systemd" in plan.manual


def test_launchd_plist_is_a_valid_property_list():
    db = Path("/Library/x/journal.sqlite3")  # as this system writes it (the plan is for macOS)
    plan = service.install_plan(db, "macos")
    ((path, text),) = plan.files.items()
    doc = plistlib.loads(text.encode())
    assert doc["Label"] == service.LAUNCHD_LABEL and doc["RunAtLoad"] and doc["KeepAlive"]
    assert doc["ProgramArguments"][-3:] == ["run", "--db", str(db)]
    assert plan.commands == [["/bin/launchctl", "bootstrap", "system", path]]


def test_windows_task_runs_at_start_up_as_system():
    plan = service.install_plan(
        __import__("pathlib").Path(r"C:\ProgramData\Clearline\j.sqlite3"), "windows"
    )
    (argv,) = plan.commands
    assert argv[0].endswith(r"System32\schtasks.exe")
    assert argv[argv.index("/SC") + 1] == "ONSTART" and argv[argv.index("/RU") + 1] == "SYSTEM"
    assert "journal run --db" in argv[argv.index("/TR") + 1]
    assert json.dumps(argv)  # plain strings only


def test_install_dry_run_says_what_it_would_do_and_changes_nothing():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "main.py"), "journal", "install", "--dry-run"],
        capture_output=True,
        encoding="utf-8",
        timeout=60,
    )
    assert out.returncode in (0, 1), out.stderr  # 1: no service manager here, words instead
    assert "journal run --db" in out.stdout


def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    import shutil
    import subprocess
    from pathlib import Path

    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here (Debian package systemd)")
    unit = tmp_path / service.UNIT_NAME
    unit.write_text(
        service.systemd_unit(
            service.recorder_argv(Path("/var/lib/clearline/j.db")), Path("/var/lib/clearline")
        )
    )
    out = subprocess.run(
        [tool, "verify", str(unit)], capture_output=True, encoding="utf-8", timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    # The same check fails on a unit it should refuse: this test can fail.
    unit.write_text(
        unit.read_text(encoding="utf-8").replace("ExecStart=", "ExecStart=relative/path ")
    )
    bad = subprocess.run(
        [tool, "verify", str(unit)], capture_output=True, encoding="utf-8", timeout=60
    )
    assert bad.returncode != 0


def test_the_service_reads_nothing_from_the_users_environment():
    from pathlib import Path

    argv = service.recorder_argv(Path("/var/lib/clearline/j.db"))
    assert argv[1:3] == ["-E", "-s"]
    warning = service.source_checkout_warning()
    assert warning and "source checkout" in warning


def test_a_tool_answering_in_the_consoles_code_page_never_stops_the_install(tmp_path):
    """schtasks on a Japanese Windows answers in cp932, and the app runs in UTF-8 mode: the
    task was created, and reading its answer must not turn that into a crash (issue 31)."""
    import sys

    answer = '成功: スケジュール タスク "Clearline Journal" は正しく作成されました。'
    tool = [
        sys.executable,
        "-c",
        f"import sys; sys.stdout.buffer.write({answer.encode('cp932')!r})",
    ]
    done = service.apply(service.Plan("windows", commands=[tool]))
    assert done == ["ran " + " ".join(tool)]


@needs_fifo
def test_a_fifo_planted_as_the_pid_file_is_refused_at_once(tmp_path):
    """`journal status`, `journal run` (as root) and the window ask whether a recorder runs:
    a FIFO in place of the pid file made them wait for ever (issue 29)."""
    import os

    from journal import paths

    db = tmp_path / paths.DB_NAME
    os.mkfifo(paths.pid_file(db))
    done = []
    worker = threading.Thread(target=lambda: done.append(paths.running(db)), daemon=True)
    worker.start()
    worker.join(5)
    assert done and not done[0].running and "cannot be read" in done[0].why
