"""The journal recorder for real (root, loopback): beside a bot-like child — a copied
interpreter in a hidden folder that looks up MX records at a dnslib server and talks SMTP to
aiosmtpd sinks — every session and lookup is recorded and attributed; an alert is written at
once; kill -9 loses nothing flushed, and a restart leaves a gap in the coverage and a chain
that still verifies."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.conftest import HERE, SERVERS, bot_env

pytestmark = [pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]
if not sys.platform.startswith("linux"):
    pytest.skip("the packet recorder is implemented for Linux", allow_module_level=True)
if os.geteuid() != 0:
    pytest.skip("the packet recorder needs root (CI runs as root)", allow_module_level=True)
try:
    from scapy.arch.common import compile_filter

    from journal.recorder import JOURNAL_FILTER

    compile_filter(JOURNAL_FILTER, iface="lo")
except Exception as exc:
    pytest.skip(f"capture filters need libpcap: {exc}", allow_module_level=True)


def journal(*args, db, check=True) -> subprocess.CompletedProcess:
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "journal", *args, "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert out.returncode in (0, 1, 2), out.stderr
    return out


def start_recorder(db: Path, heartbeat: float = 0.5) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "journal",
            "run",
            "--db",
            str(db),
            # All interfaces, as a user runs it: loopback is one of them.
            "--heartbeat",
            str(heartbeat),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    assert "Recording every mail connection" in line, line + proc.stderr.read()
    return proc


def show(db: Path, start: datetime, end: datetime) -> dict:
    out = journal("show", "--from", start.isoformat(), "--to", end.isoformat(), "--json", db=db)
    return json.loads(out.stdout)


def test_a_bot_is_recorded_and_attributed_and_kill_9_leaves_a_provable_gap(
    tmp_path, dns_server, mail_servers, hidden_bot_exe
):
    db = tmp_path / "journal.sqlite3"
    began = datetime.now(UTC)
    recorder = start_recorder(db)
    domains = [f"victim{i}.example={ip}" for i, ip in enumerate(SERVERS)]
    bot = subprocess.Popen(
        [str(hidden_bot_exe), str(HERE / "mxbot.py"), dns_server, *domains],
        env=dict(bot_env(), MXBOT_DELAY="0.3"),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert bot.stdout.readline().strip() == "ready"
    assert bot.wait(20) == 0 and "done 3" in bot.stdout.read()
    time.sleep(1.2)  # at most a second between a record and its commit
    recorder.send_signal(signal.SIGKILL)
    recorder.wait(10)
    killed_at = datetime.now(UTC)

    doc = show(db, began, killed_at)
    connects = [e for e in doc["events"] if e["kind"] == "connect" and e["rport"] == 25]
    lookups = [e for e in doc["events"] if e["kind"] == "mx"]
    assert sorted(e["remote"] for e in connects) == SERVERS
    assert sorted(e["name"] for e in lookups) == [f"victim{i}.example" for i in range(3)]
    for e in connects + lookups:
        assert e["program"] and e["program"]["pid"] == bot.pid, e
        assert e["program"]["exe"] == str(hidden_bot_exe)
        assert e["program"]["user"] == "root" and e["program"]["started"]
        assert e["program"]["parent"], e
    assert any(a["event"]["program"]["pid"] == bot.pid for a in doc["alerts"])
    assert doc["coverage"]["running"] and doc["modes"] == ["capture"]

    # Restart after a silence longer than the heartbeat allows: a gap, then running again.
    time.sleep(2.5)
    recorder = start_recorder(db)
    time.sleep(1.5)
    recorder.send_signal(signal.SIGTERM)
    assert recorder.wait(10) == 0, recorder.stderr.read()
    ended = datetime.now(UTC)
    doc = show(db, began + timedelta(milliseconds=1), ended - timedelta(milliseconds=1))
    gaps = [
        tuple(datetime.fromisoformat(g[k]) for k in ("from", "to")) for g in doc["coverage"]["gaps"]
    ]
    # The silence after kill -9 is the one long gap; the others are the instants before the
    # first record and after the last one.
    long = [(a, b) for a, b in gaps if b - a >= timedelta(seconds=1.5)]
    assert len(long) == 1, gaps
    assert long[0][0] <= killed_at and long[0][1] >= killed_at + timedelta(seconds=2)
    verified = journal("verify", db=db)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    status = json.loads(journal("status", "--json", db=db).stdout)
    assert status["events"] >= 6 and not status["running"]


def test_a_second_recorder_on_the_same_journal_is_refused(tmp_path):
    db = tmp_path / "journal.sqlite3"
    recorder = start_recorder(db, heartbeat=5)
    try:
        second = journal("run", "--iface", "lo", db=db, check=False)
        assert second.returncode == 3 and "already" in second.stderr
        status = json.loads(journal("status", "--json", db=db).stdout)
        assert status["running"] and status["pid"] == recorder.pid
    finally:
        recorder.send_signal(signal.SIGTERM)
        recorder.wait(10)


HOLDER = """
import smtplib, sys, time
print("ready", flush=True)
time.sleep(0.5)
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="bot.invalid", timeout=5) as s:
    s.ehlo()
    time.sleep(1.5)
"""


def test_polling_records_a_connection_that_stays_open_and_export_copies_it_into_a_case(
    tmp_path, smtp25, hidden_bot_exe
):
    """The fallback without root, run here as root with --source poll: a connection open for
    longer than the look interval is recorded with its program; coverage is marked partial.
    Then `journal export` copies the range into a case."""
    from tests.integration.conftest import bot_env

    db = tmp_path / "journal.sqlite3"
    began = datetime.now(UTC)
    proc = subprocess.Popen(
        [
            *(sys.executable, str(ROOT / "main.py"), "journal", "run", "--db", str(db)),
            *("--source", "poll", "--heartbeat", "0.5"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "connection table every 0.5 s" in proc.stderr.readline()
    holder = subprocess.Popen(
        [str(hidden_bot_exe), "-c", HOLDER, str(smtp25.port)],
        env=bot_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    assert holder.wait(20) == 0
    time.sleep(1.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    ended = datetime.now(UTC)
    doc = show(db, began, ended)
    mine = [e for e in doc["events"] if (e.get("program") or {}).get("pid") == holder.pid]
    assert len(mine) == 1 and mine[0]["rport"] == smtp25.port
    assert mine[0]["program"]["exe"] == str(hidden_bot_exe)
    assert doc["modes"] == ["poll"] and not doc["coverage"]["full_capture"]
    case = tmp_path / "case"
    out = journal(
        "export", "--from", began.isoformat(), "--to", ended.isoformat(), "--case", str(case), db=db
    )
    assert out.returncode == 0, out.stderr
    exported = json.loads((case / "journal.json").read_text())
    assert any((e.get("program") or {}).get("pid") == holder.pid for e in exported["events"])
    assert exported["proof"]["segment_intact"]
