"""The host checks for real on this Linux machine, and their failure modes with real processes
(fake tools on PATH that are missing, hang, print garbage or may not be run)."""

import os
import shutil
import subprocess
import sys
import time

import psutil
import pytest

from checks import registry, updates
from checks.context import Options
from checks.model import CheckSpec, Status
from checks.runner import run_checks
from checks.updates import parse_apt_simulation

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="runs the Linux probes for real"
    ),
]
HOST = ["OS-UPDATES", "OS-SUPPORT", "AV-STATUS", "FW-STATUS", "CLOCK-SYNC"]


def test_host_checks_give_real_results_here():
    results = {r.id: r for r in run_checks(registry.select(HOST), Options())}
    for r in results.values():
        assert r.status != Status.ERROR, (r.id, r.facts)
        assert r.summary and r.title
    if shutil.which("apt-get"):
        by_hand = subprocess.run(
            ["apt-get", "-s", "upgrade"],
            capture_output=True,
            text=True,
            env=dict(os.environ, LC_ALL="C"),
        ).stdout
        inst = [ln for ln in by_hand.splitlines() if ln.startswith("Inst ")]
        security = [ln for ln in inst if "-security" in ln.split("(", 1)[1]]
        assert results["OS-UPDATES"].facts["pending"] == len(inst)
        assert results["OS-UPDATES"].facts["security"] == len(security)
        assert parse_apt_simulation(by_hand)["summary_upgraded"] == len(inst)
    if not shutil.which("timedatectl") and not shutil.which("chronyc"):
        assert results["CLOCK-SYNC"].status == Status.UNKNOWN


@pytest.fixture
def fake_bin(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")

    def make(name, script, executable=True):
        path = folder / name
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(0o755 if executable else 0o644)
        return path

    return make


def updates_result(timeout=20.0):
    (result,) = run_checks([CheckSpec("OS-UPDATES", "x", updates.run, timeout=timeout)], Options())
    return result


def test_apt_that_hangs_is_killed_at_the_timeout(fake_bin):
    marker = f"clearline-hang-{os.getpid()}"
    fake_bin("apt-get", f"exec sleep 600 # {marker}\n")
    fake_bin("apt-config", "exit 0\n")
    t0 = time.monotonic()
    result = updates_result(timeout=2.0)
    assert time.monotonic() - t0 < 10
    assert result.status == Status.UNKNOWN and result.facts["reason"] == "timed out"
    time.sleep(0.3)
    leftovers = [
        p for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info["cmdline"] or [])
    ]
    assert not leftovers, "the hung apt-get outlived its check"


def test_apt_printing_garbage_is_unknown(fake_bin):
    fake_bin("apt-get", "printf '\\377\\376\\000garbage\\351\\n'\n")
    fake_bin("apt-config", "exit 0\n")
    result = updates_result()
    assert result.status == Status.UNKNOWN
    assert "not valid text" in result.summary


def test_apt_that_may_not_be_run_is_unknown(fake_bin, monkeypatch):
    from checks.context import CheckContext
    from checks.probes import linux

    folder = fake_bin("apt-get", "echo never\n", executable=False).parent
    fake_bin("apt-config", "exit 0\n")
    monkeypatch.setenv("PATH", str(folder))  # only the file we may not execute
    facts = linux.apt_facts(CheckContext())
    assert facts["simulate"]["problem"] == "denied"
    result = updates.interpret_apt(facts)
    assert result.status == Status.UNKNOWN
    assert "access was denied" in result.summary


def test_no_package_manager_at_all_is_unknown(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = updates_result()
    assert result.status == Status.UNKNOWN
    assert "no package manager" in result.summary
