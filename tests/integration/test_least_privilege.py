"""The capture holds root only to open its packet socket: afterwards it runs as the user who
asked, keeps only the capabilities attribution needs, and writes files a planted symlink cannot
redirect. Run as root with a throwaway user the test creates."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("useradd"),
        reason="needs root (to create a user and open a packet socket) and useradd",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
KEPT = (1 << 2) | (1 << 19)  # CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE


@pytest.fixture
def throwaway_user():
    name = f"cltest{os.getpid() % 100000}"
    subprocess.run(
        ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], capture_output=True)


def user_folder(user) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="clearline-priv-"))
    os.chown(folder, user.pw_uid, user.pw_gid)
    return folder


def status(pid: int) -> dict[str, str]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        out[key] = value.strip()
    return out


def test_the_capture_gives_up_root_and_a_planted_symlink_is_harmless(throwaway_user):
    user = throwaway_user
    case = user_folder(user)
    victims = Path(tempfile.mkdtemp(prefix="clearline-victim-"))
    targets = {}
    for name in ("capture.pcap", "events.jsonl"):
        target = victims / f"{name}.target"
        target.write_text("root's file, keep")
        link = case / name
        link.symlink_to(target)  # what malware running as the user would plant
        os.lchown(link, user.pw_uid, user.pw_gid)
        targets[name] = target
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "capture",
            "--iface",
            "lo",
            "--seconds",
            "3",
            "--case",
            str(case),
            "--events",
            str(case / "events.jsonl"),
            "--json",
            "--user",
            user.pw_name,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = json.loads(proc.stdout.readline())
        assert first["type"] == "start", first
        # Every thread of the running capture: the user's ids, and only the kept capabilities.
        for task in Path(f"/proc/{proc.pid}/task").iterdir():
            s = status(int(task.name))
            assert s["Uid"].split() == [str(user.pw_uid)] * 4, s["Uid"]
            assert s["Gid"].split() == [str(user.pw_gid)] * 4, s["Gid"]
            assert int(s["CapEff"], 16) & ~KEPT == 0, s["CapEff"]
            assert int(s["CapPrm"], 16) & ~KEPT == 0, s["CapPrm"]
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (0, 1, 2), err
    assert json.loads(out.splitlines()[-1])["type"] == "summary"
    for name, target in targets.items():
        assert target.read_text() == "root's file, keep"  # never written through the link
        written = case / name
        assert written.is_file() and not written.is_symlink()
        assert written.stat().st_uid == user.pw_uid
    for written in case.iterdir():
        if written.name != ".case.lock" or written.exists():
            assert written.stat().st_uid == user.pw_uid, written
    shutil.rmtree(case, ignore_errors=True)
    shutil.rmtree(victims, ignore_errors=True)


def test_a_case_folder_of_someone_else_is_refused(throwaway_user, tmp_path):
    root_owned = Path(tempfile.mkdtemp(prefix="clearline-root-"))
    os.chmod(root_owned, 0o755)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "capture",
            "--iface",
            "lo",
            "--seconds",
            "1",
            "--case",
            str(root_owned),
            "--user",
            throwaway_user.pw_name,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3 and "belongs to another user" in done.stderr
    assert list(root_owned.iterdir()) == []
    shutil.rmtree(root_owned, ignore_errors=True)
