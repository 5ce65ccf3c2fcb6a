"""Every command on hostile input: a clear message and an exit code from the contract (0 all
clear, 1 could not tell, 2 problems, 3 usage or run error), never a traceback, and a command that
fails leaves the case exactly as it was."""

import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cases.store import Case
from checks.model import Result, Status
from tests.platform import assert_private

ROOT = Path(__file__).resolve().parents[2]
NOTICE = ROOT / "tests/data/notices/notice_ja.txt"


def run(*args, stdin=None, **kw):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        stdin=stdin,
        **kw,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def case(tmp_path) -> Path:
    c = Case(tmp_path / "case")
    with c.update() as u:
        u.set_details(name="Taro")
        u.add_results([Result("FW-STATUS", Status.WARN, "linux_no_filter")])
    assert run("notice", str(NOTICE), "--case", str(c.path)).returncode in (1, 2)
    return c.path


def pcapng_with_time(hi: int, lo: int) -> bytes:
    shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    idb = struct.pack("<IIHHI", 1, 20, 1, 0, 65535) + struct.pack("<I", 20)
    frame = bytes(12) + b"\x08\x00" + bytes(20)
    pad = (-len(frame)) % 4
    length = 32 + len(frame) + pad
    epb = (
        struct.pack("<IIIIIII", 6, length, 0, hi, lo, len(frame), len(frame))
        + frame
        + bytes(pad)
        + struct.pack("<I", length)
    )
    return shb + idb + epb


def hostile_files(tmp: Path) -> dict[str, Path]:
    files = {
        "empty": b"",
        "binary": bytes(range(256)) * 40,
        "utf16": "受付番号：AB-1 2026年11月20日 14時05分 203.0.113.45".encode("utf-16"),
        "far_future": b"Date: Fri, 31 Dec 9999 23:59:59 +0000\nReceived: from x ([203.0.113.5]) by"
        b" mx.example with ESMTP; Fri, 31 Dec 9999 23:59:59 +0000\n\nbody",
        "garbage_zip": b"PK\x03\x04" + bytes(100),
        "ts_all_ones": pcapng_with_time(0xFFFFFFFF, 0xFFFFFFFF),
    }
    out = {}
    for name, data in files.items():
        path = tmp / name
        path.write_bytes(data)
        out[name] = path
    return out


CASE_FILES = ("results.json", "history.json", "details.json", "notice.json", "remediation.json")


@pytest.mark.parametrize("damaged", CASE_FILES)
@pytest.mark.parametrize(
    "command",
    [
        ("letter",),
        ("letter", "--summary"),
        ("bundle", "--out", "OUT", "--no-pdf"),
        ("notice", str(NOTICE)),
    ],
)
def test_damaged_case_files_are_reported_and_the_rest_used(case, tmp_path, damaged, command):
    (case / damaged).write_bytes(b'{"results": [ {"id": ')  # truncated
    args = [a.replace("OUT", str(tmp_path / "b.zip")) for a in command]
    out = run(*args, "--case", str(case))
    err = out.stderr.decode()
    assert out.returncode in (0, 1, 2), err
    assert "Traceback" not in err and damaged in err  # named, not hidden


def test_every_command_on_hostile_input(case, tmp_path):
    files = hostile_files(tmp_path)
    calls = [
        (("audit", "--only", ",,,"), {3}),
        (("audit", "--only", "NOPE"), {3}),
        (("audit", "--watch", "-1"), {3}),
        (("notice", str(files["empty"])), {3}),
        (("notice", str(files["binary"])), {1, 3}),
        (("notice", str(files["utf16"])), {0, 1, 2}),
        (("notice", str(files["far_future"])), {0, 1, 2}),
        (("notice", str(tmp_path / "missing.eml")), {3}),
        (("notice", str(tmp_path)), {3}),
        (("details", "--done", "bogus"), {3}),
        (("details", "--done", "router=9999-12-31"), {3}),
        (("details", "--name", "x" * 5000), {3}),
        (("analyze", str(files["empty"])), {3}),
        (("analyze", str(files["binary"])), {3}),
        (("analyze", str(files["ts_all_ones"])), {0, 1, 2, 3}),
        (("verify", str(files["garbage_zip"])), {2, 3}),
        (("verify", str(tmp_path / "missing.zip")), {3}),
        (("bundle", "--out", ""), {3}),
        (("bundle", "--out", str(case / "results.json")), {3}),
        (("capture", "--seconds", "abc"), {3}),
        (("letter", "--lang", "xx"), {3}),
    ]
    for args, codes in calls:
        before = snapshot(case)
        needs_case = args[0] in ("details", "bundle", "letter")
        extra = ("--case", str(case)) if needs_case or args[0] in ("notice", "analyze") else ()
        out = run(*args, *extra)
        err = out.stderr.decode(errors="replace")
        assert "Traceback" not in err, (args, err)
        assert out.returncode in codes, (args, out.returncode, err)
        if out.returncode == 3:
            assert snapshot(case) == before, args  # a failed command changes nothing


def test_notice_from_a_closed_stdin_is_a_clear_error():
    out = run("notice", "-", stdin=subprocess.DEVNULL)
    assert out.returncode == 3 and b"Traceback" not in out.stderr


def test_a_utf16_notice_is_read():
    import tempfile

    path = Path(tempfile.mkdtemp()) / "n.txt"
    path.write_bytes(NOTICE.read_text(encoding="utf-8").encode("utf-16"))
    out = run("notice", str(path), "--json")
    assert b"ABUSE-2026-112034" in out.stdout


def test_an_unreadable_notice_does_not_overwrite_the_saved_analysis(case, tmp_path):
    before = snapshot(case)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run("notice", str(empty), "--case", str(case)).returncode == 3
    assert snapshot(case) == before


def test_the_bundle_zip_is_private(case, tmp_path):
    out = tmp_path / "b.zip"
    assert run("bundle", "--case", str(case), "--out", str(out), "--no-pdf").returncode == 0
    assert_private(out)
    assert zipfile.is_zipfile(out)


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="sends SIGINT to a child; Windows delivers Ctrl-C only to the processes of one"
    " console, which a test cannot share with its child (KeyboardInterrupt is the same path)",
)
def test_ctrl_c_while_writing_a_bundle_exits_130_and_leaves_no_partial(case, tmp_path):
    import os
    import signal
    import time

    out = tmp_path / "b.zip"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "bundle",
            "--case",
            str(case),
            "--out",
            str(out),
            "--no-pdf",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CLEARLINE_TEST_BUNDLE_PAUSE": "0.5"},
        # A shell's background job starts with Ctrl-C ignored, and children inherit that: the
        # user's terminal never does, so the child gets the default back.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler),
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".b.zip.*.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".*.partial"))
