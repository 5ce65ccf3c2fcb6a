"""SMTP-OUT against real traffic on loopback: a real SMTP server and a real bot-like process."""

from __future__ import annotations

import json
import os
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from checks import registry
from checks.context import Options
from checks.model import Status
from checks.runner import run_checks

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def bot_entry(result, pid):
    return next((p for p in result.facts["programs"] if p.get("pid") == pid), None)


def test_watch_names_a_bot_whose_sessions_last_under_100ms(smtp25, start_bot, hidden_bot_exe):
    bot = start_bot(smtp25.port, seconds=3.5, pause=0.25)
    (result,) = run_checks(registry.select(["SMTP-OUT"]), Options(watch=3.0))
    out, _err = bot.communicate(timeout=20)
    longest_ms = float(out.split("longest_ms")[1])
    assert longest_ms < 100, f"the bot's sessions were not short: {out}"
    assert result.status == Status.FAIL, result.summary
    entry = bot_entry(result, bot.pid)
    assert entry is not None, result.facts
    assert entry["exe"] == str(hidden_bot_exe)
    assert entry["location"] == ["temp", "hidden"]
    assert entry["verdict"] == "fail"
    assert entry["connection_count"] >= 2  # several separate short sessions were caught
    assert "svchost" in result.summary and "hidden temporary folder" in result.summary


def test_cli_watch_json_names_the_bot_and_exits_2(smtp25, start_bot, hidden_bot_exe):
    bot = start_bot(smtp25.port, seconds=10, pause=0.2)
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "audit",
            "--only",
            "SMTP-OUT",
            "--watch",
            "5",
            "--json",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    (result,) = json.loads(proc.stdout)
    assert result["status"] == "fail"
    entry = next(p for p in result["facts"]["programs"] if p["pid"] == bot.pid)
    assert entry["exe"] == str(hidden_bot_exe)
    assert entry["cmdline"][1].endswith("bot.py")
    assert result["facts"]["window"]["mode"] == "watch"


def test_a_mail_client_submitting_on_587_does_not_fail(smtp587):
    stop = threading.Event()

    def client():
        while not stop.is_set():
            with smtplib.SMTP("127.0.0.1", smtp587.port, timeout=5) as s:
                s.ehlo("laptop.example")
                time.sleep(0.5)  # a client keeps its session open while it sends

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    try:
        (result,) = run_checks(registry.select(["SMTP-OUT"]), Options(watch=1.5))
    finally:
        stop.set()
        thread.join(5)
    assert result.status != Status.FAIL, result.summary
    me = bot_entry(result, os.getpid())
    assert me is not None and me["destinations"] == [f"127.0.0.1:{smtp587.port}"]
    assert me["verdict"] == "warn"  # a Python test process is not a known mail program


def test_snapshot_sees_a_long_lived_connection(smtp25):
    with smtplib.SMTP("127.0.0.1", smtp25.port, timeout=5) as s:
        s.ehlo("x")
        (result,) = run_checks(registry.select(["SMTP-OUT"]), Options())
    entry = bot_entry(result, os.getpid())
    assert entry is not None
    assert entry["connection_count"] == 1
    if smtp25.port == 25:
        assert result.status == Status.FAIL  # an unknown program talking to port 25 directly
