"""The case store: parallel writers lose nothing, a failed update changes nothing, damaged files
are set aside and the rest is used, and a folder written by the first round's code still opens."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cases import store
from cases.store import Case, CaseError
from checks.model import Result, Status
from tests.platform import needs_fifo, no_wine_links
from tests.recorded import DATA

ROOT = Path(__file__).resolve().parents[2]


def run_main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        cwd=ROOT,
    )


WRITER = """
import sys
sys.path.insert(0, {root!r})
from cases.store import Case
from checks.model import Result, Status
n = int(sys.argv[1])
case = Case(sys.argv[2])
with case.update() as u:
    u.add_results([Result(f"T-{{n}}", Status.PASS, "fine", {{"n": n}})])
    u.set_details(**{{"name" if n == 0 else "phone": "x"}}) if n < 2 else None
"""


def test_twenty_parallel_writers_lose_nothing(tmp_path):
    case_dir = tmp_path / "case"
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT)))
    procs = [
        subprocess.Popen([sys.executable, str(script), str(n), str(case_dir)]) for n in range(20)
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    case = Case(case_dir)
    assert {r.id for r in case.results()} == {f"T-{n}" for n in range(20)}
    assert len(case.history()) == 20
    assert case.details()["name"] == "x" and case.details()["phone"] == "x"
    assert not case.damaged


def test_seven_parallel_details_commands_keep_every_field(tmp_path):
    case_dir = str(tmp_path / "case")
    fields = {
        "--name": "山田 太郎",
        "--contract-id": "EX-1",
        "--provider": "Example",
        "--reference": "AB-1",
        "--notice-date": "2026-11-20",
        "--email": "a@example.jp",
        "--phone": "090",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "details", "--case", case_dir, flag, value],
            cwd=ROOT,
        )
        for flag, value in fields.items()
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    details = Case(case_dir).details()
    assert details == {
        "name": "山田 太郎",
        "contract_id": "EX-1",
        "provider": "Example",
        "reference": "AB-1",
        "notice_date": "2026-11-20",
        "email": "a@example.jp",
        "phone": "090",
    }


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_an_update_that_fails_changes_nothing(tmp_path):
    case = Case(tmp_path / "case")
    case.set_details(name="A")
    before = snapshot(case.path)
    with pytest.raises(RuntimeError), case.update() as u:
        u.set_details(name="B")
        u.add_results([Result("T-1", Status.FAIL, "x")])
        raise RuntimeError("the command failed half-way")
    assert snapshot(case.path) == before


def test_disk_full_between_two_files_leaves_nothing_half_written(tmp_path, monkeypatch):
    case = Case(tmp_path / "case")
    case.set_details(name="A")
    before = snapshot(case.path)
    from cases.folder import Folder

    real = Folder.stage
    calls = []

    def stage(self, name, data):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, name, data)

    monkeypatch.setattr(Folder, "stage", stage)
    with pytest.raises(OSError), case.update() as u:
        u.set_details(name="B")
        u.add_results([Result("T-1", Status.FAIL, "x")])
    assert snapshot(case.path) == before
    assert not list(case.path.glob(".*.partial"))


def test_a_damaged_file_is_reported_set_aside_and_the_rest_used(tmp_path):
    case = Case(tmp_path / "case")
    case.set_details(name="Taro")
    case.add_results([Result("FW-STATUS", Status.WARN, "linux_no_filter")])
    (case.path / "results.json").write_bytes(b'{"results": [{"id": "FW-STA')  # truncated
    (case.path / "remediation.json").write_text('["wrong", "type"]')
    assert case.results() == []
    assert case.details()["name"] == "Taro"
    case.read_state()
    assert {d.name for d in case.damaged} == {"results.json", "remediation.json"}
    with case.update() as u:
        u.add_results([Result("OS-UPDATES", Status.PASS, "up_to_date")])
    assert [r.id for r in case.results()] == ["OS-UPDATES"]
    kept = sorted(p.name for p in case.path.glob("*.damaged-*"))
    assert [k.split(".damaged-")[0] for k in kept] == ["remediation.json", "results.json"]
    assert (case.path / kept[1]).read_bytes() == b'{"results": [{"id": "FW-STA'


def test_steps_are_validated_before_anything_is_written(tmp_path):
    case = Case(tmp_path / "case")
    with pytest.raises(CaseError), case.update() as u:
        u.mark_done("scan", "9999-12-31")
    with pytest.raises(CaseError), case.update() as u:
        u.mark_done("bogus", "2026-11-20")
    assert case.remediation() == {}
    out = run_main("details", "--case", str(case.path), "--name", "N", "--done", "bogus")
    assert out.returncode == 3 and "Traceback" not in out.stderr
    assert case.details()["name"] == ""  # the valid part was not saved either


def test_a_folder_written_by_the_first_rounds_code_still_opens(tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(DATA / "cases/schema1", folder)
    case = Case(folder)
    assert case.meta()["schema"] == 1
    results = {r.id: r for r in case.results()}
    # Its results carry words, not codes: they keep the words they were written with.
    assert results["FW-STATUS"].reason == "legacy_text"
    assert (
        results["FW-STATUS"].summary
        == json.loads((folder / "results.json").read_text(encoding="utf-8"))["results"][4][
            "summary"
        ]
    )
    assert case.details()["name"] == "山田 太郎"
    assert case.remediation() == {"scan": "2026-11-21"}
    from reports.report import letter_text, report_html

    for lang in ("ja", "en"):
        assert "山田 太郎" in letter_text(case, lang)
        assert "FW-STATUS" in report_html(case, lang)
    with case.update() as u:
        u.add_results([Result("OS-UPDATES", Status.PASS, "up_to_date")])
    meta = case.meta()
    assert meta["schema"] == store.SCHEMA_VERSION and meta["migrated_from"] == 1
    assert {r.id for r in case.results()} >= {"FW-STATUS", "SMTP-OUT", "OS-UPDATES"}


def test_partial_files_of_a_killed_writer_are_cleaned(tmp_path):
    case = Case(tmp_path / "case")
    (case.path / ".results.json.abc.partial").write_text("{")
    assert case.clean_partials() == [".results.json.abc.partial"]
    assert not list(case.path.glob(".*.partial"))


# --- all or nothing, whatever fails (issue 30) ----------------------------------------------------


@pytest.mark.parametrize("failing", range(4))
def test_a_failure_at_any_rename_leaves_the_case_as_it_was(tmp_path, monkeypatch, failing):
    from cases.folder import Folder

    case = Case(tmp_path / "case")
    case.set_details(name="A")
    case.add_results([Result("T-0", Status.PASS, "x")])
    before = snapshot(case.path)
    real = Folder.replace
    calls = []

    def replace(self, source, target):
        if source.endswith(".partial"):
            calls.append(target)
            if len(calls) == failing + 1:
                raise OSError(5, "Input/output error")
        return real(self, source, target)

    monkeypatch.setattr(Folder, "replace", replace)
    with pytest.raises(OSError), case.update() as u:
        u.set_details(name="B")
        u.add_results([Result("T-1", Status.FAIL, "x")])
    assert snapshot(case.path) == before
    assert not [p for p in case.path.iterdir() if p.name.endswith((".partial", ".backup"))]


def test_a_folder_where_a_file_goes_fails_the_update_before_anything_changes(tmp_path):
    from cases.store import CommitFailed

    case = Case(tmp_path / "case")
    case.add_results([Result("T-0", Status.PASS, "x")])
    (case.path / "notice.json").mkdir()
    before = snapshot(case.path)
    with pytest.raises(CommitFailed), case.update() as u:
        u.add_results([Result("T-1", Status.FAIL, "x")])
        u.set_notice({"verdict": "unknown"})
    assert snapshot(case.path) == before


@needs_fifo
def test_a_fifo_where_a_file_is_read_is_refused_at_once(tmp_path):
    import os

    case = Case(tmp_path / "case")
    os.mkfifo(case.path / "details.json")
    assert case.details()["name"] == ""  # read at once, not blocked
    assert [d.name for d in case.damaged] == ["details.json"]


@no_wine_links
def test_a_linked_case_folder_is_not_followed(tmp_path):
    from cases.folder import UnsafeFolder

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "case").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafeFolder, match="link"):
        Case(tmp_path / "case")


def test_a_read_only_case_gives_its_letter_and_bundle(tmp_path):
    """A case on a read-only mount (as root here: a tmpfs remounted read-only) still gives its
    letter and its bundle: reading takes no lock."""
    import os
    import subprocess
    import sys

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to mount a read-only file system")
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", str(mount)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        case = Case(mount / "case")
        case.set_details(name="Taro")
        case.add_results([Result("FW-STATUS", Status.WARN, "linux_no_filter")])
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        root = __import__("pathlib").Path(__file__).resolve().parents[2]
        main = [sys.executable, str(root / "main.py")]
        letter = subprocess.run(
            [*main, "letter", "--case", str(case.path), "--lang", "en"],
            capture_output=True,
            encoding="utf-8",
        )
        assert letter.returncode in (0, 1, 2) and "Taro" in letter.stdout, letter.stderr
        out = tmp_path / "b.zip"
        bundle = subprocess.run(
            [*main, "bundle", "--case", str(case.path), "--out", str(out), "--lang", "en"],
            capture_output=True,
            encoding="utf-8",
        )
        assert bundle.returncode in (0, 1, 2) and out.exists(), bundle.stderr
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], capture_output=True)


def test_a_bundle_reads_a_long_history_once(tmp_path, monkeypatch):
    """Issue 30: 50,000 results took 72-82 s to bundle because every question re-read and
    re-validated the history. Counted, not timed: each stored result is parsed once per
    change of the file, however many times the plan asks (bench/bundle_history.py times it)."""
    from checks.model import Result, Status
    from reports import bundle

    case = Case(tmp_path / "case")
    n = 500
    with case.update() as u:
        u.add_results(
            Result("HOST-SMTP-OUT", Status.PASS, reason="no_mail_traffic", params={"i": i})
            for i in range(n)
        )
    calls = 0
    original = Result.from_dict.__func__

    def counting(cls, data):
        nonlocal calls
        calls += 1
        return original(cls, data)

    monkeypatch.setattr(Result, "from_dict", classmethod(counting))
    case = Case(tmp_path / "case")
    bundle.plan(case, "en", with_pdf=False)
    assert calls <= n + 10, calls
    with case.update() as u:  # a change: read again, once
        u.set_details(provider="ISP")
    calls = 0
    bundle.plan(case, "en", with_pdf=False)
    assert calls <= 2 * n + 10, calls


def test_a_reader_holding_a_file_open_only_delays_its_removal(tmp_path):
    """Windows refuses to remove or replace a file another handle has open (Python opens files
    without FILE_SHARE_DELETE), and the window's workers read the case while the writer writes.
    Under Wine, reverting an edited letter while a worker read it left the edit on disk. The
    update waits for the reader instead. (On POSIX the removal simply succeeds.)"""
    import threading

    case = Case(tmp_path / "c")
    with case.update() as u:
        u.set_edited_letter("en", "my own words", "the generated letter")
    path = next(p for p in (tmp_path / "c").iterdir() if "my own words" in _text_or_empty(p))
    reader = open(path, "rb")  # held open across the update, closed by the timer
    threading.Timer(0.3, reader.close).start()
    with case.update() as u:
        u.set_edited_letter("en", None)
    assert case.edited_letter("en") is None
    assert not path.exists()


def _text_or_empty(path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
