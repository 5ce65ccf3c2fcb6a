"""The journal's word holds (issue 28): the letter never vouches for a journal that does not
verify; a bundle's journal.json whose events or coverage contradict its own records is refused;
a removed tail, a chain computed again and a clock that went back are seen; a program that only
looks like a mail server is not one; damaged files get plain words."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cases import assessment as A
from journal import coverage as C
from journal import export, heads
from journal.store import CONNECT, HEARTBEAT, START, Journal, canonical, record_hash
from tests.platform import needs_fifo, no_wine_links, posix_only
from tests.unit.test_journal_letter import BOT, JST, REPORTED, letter, make_journal, read_notice

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WINDOW = (REPORTED[0] - timedelta(hours=1), REPORTED[1] + timedelta(hours=1))


def bot_at(minutes: int):
    return (
        REPORTED[0] + timedelta(minutes=minutes),
        {"rport": 25, "remote": "198.51.100.7", "program": BOT},
    )


def log_heads(db):
    """What the recorder does at each heartbeat: the newest record's hash, outside the file."""
    log = heads.HeadLog(db)
    with Journal(db, readonly=True) as j:
        for seq, ts, digest in j.db.execute("SELECT seq, ts, hash FROM records ORDER BY seq"):
            log.write(seq, bytes(digest), ts)
    log.close()


def drop_record(db, seq: int, rehash: bool = False) -> None:
    """What a user who can write the file does: drop the trigger, delete a record, and (to hide
    it) compute the rest of the chain again."""
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER records_no_delete")
    con.execute("DROP TRIGGER records_no_update")
    con.execute("DELETE FROM records WHERE seq = ?", (seq,))
    if rehash:
        rows = con.execute("SELECT seq, ts, kind, run, data FROM records ORDER BY seq").fetchall()
        prev = bytes(32)
        for new_seq, (_old, ts, kind, run, data) in enumerate(rows, start=1):
            digest = record_hash(prev, new_seq, ts, kind, run, data)
            con.execute("DELETE FROM records WHERE seq = ?", (_old,))
            con.execute(
                "INSERT INTO records VALUES (?,?,?,?,?,?,?)",
                (new_seq, ts, kind, run, data, prev, digest),
            )
            prev = digest
        # A heartbeat made up at the end keeps the count: only the hashes can tell.
        seq, ts = len(rows) + 1, rows[-1][1] + 60_000_000
        data = canonical({"mode": "capture", "heartbeat_s": 60})
        digest = record_hash(prev, seq, ts, HEARTBEAT, rows[-1][3], data)
        con.execute(
            "INSERT INTO records VALUES (?,?,?,?,?,?,?)",
            (seq, ts, HEARTBEAT, rows[-1][3], data, prev, digest),
        )
    con.commit()
    con.close()


def bot_seq(db) -> int:
    with Journal(db, readonly=True) as j:
        return next(r.seq for r in j.records() if r.kind == CONNECT)


# --- 1: the letter never vouches for a journal that does not verify -------------------------


def test_a_removed_port25_record_makes_the_letter_say_the_journal_did_not_verify(
    tmp_path, no_journal_of_this_machine
):
    db = no_journal_of_this_machine / "journal.sqlite3"
    make_journal(no_journal_of_this_machine, *WINDOW, events=[bot_at(3)])
    log_heads(db)
    drop_record(db, bot_seq(db))
    case = read_notice(tmp_path)
    doc = case.journal()
    assert doc["verification"]["trusted"] is False
    view = A.assess(case, JST).journal
    assert view is not None and not view.intact and view.running == ()
    for lang, said, never in (
        ("en", "did not verify", "recorded no connection"),
        ("ja", "検証に失敗しました", "一件も記録されておりません"),
    ):
        text = letter(case, lang)
        assert said in text and never not in text


def test_a_journal_that_verifies_prints_its_head(tmp_path, no_journal_of_this_machine):
    db = no_journal_of_this_machine / "journal.sqlite3"
    make_journal(no_journal_of_this_machine, *WINDOW)
    log_heads(db)
    case = read_notice(tmp_path)
    doc = case.journal()
    assert doc["verification"]["trusted"] is True and doc["verification"]["anchored_to_head"]
    head = doc["proof"]["segment_head"]["hash"]
    assert head in letter(case, "en") and head in letter(case, "ja")


# --- 2: verify of a bundle recomputes events and coverage -----------------------------------


def window_doc(folder, **kw):
    make_journal(folder, *WINDOW, **kw)
    return export.window_doc(folder / "journal.sqlite3", *REPORTED, JST)


def test_an_event_removed_from_the_words_but_not_from_the_records_is_refused(tmp_path):
    doc = window_doc(tmp_path, events=[bot_at(3)])
    assert export.contradictions(doc) == []
    doc["events"] = []
    assert export.contradictions(doc) == ["its events are not the events its records hold"]


def test_complete_coverage_over_a_gap_is_refused(tmp_path):
    gap = (REPORTED[0] + timedelta(minutes=5), REPORTED[0] + timedelta(minutes=15))
    doc = window_doc(tmp_path, gap=gap)
    assert doc["coverage"]["complete"] is False
    doc["coverage"]["complete"], doc["coverage"]["gaps"] = True, []
    assert "its coverage says otherwise than its records" in export.contradictions(doc)


def test_an_empty_proof_under_full_coverage_is_refused(tmp_path):
    doc = window_doc(tmp_path)
    doc["proof"]["records"] = []
    assert export.contradictions(doc)


# --- 3: a removed tail, a rebuilt chain, a clock that went back ----------------------------


def test_a_tail_removed_while_the_recorder_was_stopped_is_seen(tmp_path):
    db = tmp_path / "journal.sqlite3"
    make_journal(tmp_path, *WINDOW, events=[bot_at(3)])
    log_heads(db)
    with Journal(db, readonly=True) as j:
        last = j.last()[0]
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER records_no_delete")
    con.execute("DELETE FROM records WHERE seq > ?", (last - 40,))
    con.commit()
    con.close()
    with Journal(db, readonly=True) as j:
        assert j.verify().ok  # the chain alone cannot tell
        check = heads.check(j, db)
    assert (check.ok, check.problem, check.seq) == (False, "tail_removed", last - 39)


def test_a_chain_computed_again_is_seen(tmp_path):
    db = tmp_path / "journal.sqlite3"
    make_journal(tmp_path, *WINDOW, events=[bot_at(3)])
    log_heads(db)
    drop_record(db, bot_seq(db), rehash=True)
    with Journal(db, readonly=True) as j:
        assert j.verify().ok
        check = heads.check(j, db)
    assert (check.ok, check.problem) == (False, "rewritten")


def records(*items):
    """(seq, ts in seconds, kind, mono in seconds or None), all of run 1."""
    out = []
    for seq, ts, kind, mono in items:
        data = {"mode": "capture", "heartbeat_s": 60}
        if mono is not None:
            data.update(mono_us=int(mono * 1e6), boot_id="b")
        out.append(C.Record(seq, int(ts * 1e6), kind, 1, data, b"", b""))
    return out


def test_a_clock_that_goes_back_vouches_for_nothing_after_the_step():
    base = 1_800_000_000
    recs = records(
        (1, base, START, 100),
        (2, base + 60, HEARTBEAT, 160),
        (3, base - 3000, HEARTBEAT, 220),  # the wall clock went back 50 minutes
        (4, base - 2940, HEARTBEAT, 280),
    )
    cov = C.coverage(recs, int((base - 3600) * 1e6), int((base + 120) * 1e6))
    assert [(s.start_us // 10**6, s.end_us // 10**6) for s in cov.stretches] == [(base, base + 60)]
    assert cov.clock_steps and cov.clock_steps[0][0] == 3
    assert not cov.complete  # never "throughout" a time before the run started


def test_a_forward_step_is_a_gap_not_coverage():
    base = 1_800_000_000
    recs = records(
        (1, base, START, 100), (2, base + 60, HEARTBEAT, 160), (3, base + 3660, HEARTBEAT, 220)
    )
    cov = C.coverage(recs, int(base * 1e6), int((base + 3660) * 1e6))
    assert cov.clock_steps[0][2] == 3540 * 10**6  # an hour of wall clock in a minute
    assert cov.gaps  # the jumped-over hour is not vouched for


# --- 4: a program that only looks like a mail server --------------------------------------


def test_a_mail_server_name_is_believed_only_when_its_file_is_verified():
    server = {"kind": "mail_server", "name": "exim4", "exe": "/usr/sbin/exim4", "location": []}
    assert C.believed_mail_server(server)  # older records: no verification recorded
    assert C.believed_mail_server({**server, "exe_verified": True})
    assert not C.believed_mail_server({**server, "exe_verified": False})
    assert not C.believed_mail_server({**server, "exe_verified": None})  # gone before a check


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0, reason="needs root")
def test_a_bot_bind_mounted_over_a_mail_servers_path_in_its_own_namespace_is_disguised(tmp_path):
    """unshare + a bind mount over /usr/sbin/exim4: /proc shows the path, not the file."""
    import shutil
    import time

    from checks import programs
    from checks.probes import processes

    target = "/usr/sbin/exim4"
    made = not os.path.exists(target)
    if made:
        open(target, "w").close()
    bot = tmp_path / "bot"
    shutil.copy2(os.path.realpath("/bin/sleep"), bot)
    try:
        proc = subprocess.Popen(
            ["unshare", "-m", "sh", "-c", f"mount --bind {bot} {target} && exec {target} 5"]
        )
        time.sleep(0.5)
        info = processes.describe(proc.pid)
        assert info is not None and info.exe == target
        assert info.exe_verified is False
        program = programs.classify(
            info.name, info.exe, "linux", info.exe_exists, info.exe_verified
        )
        assert program.kind != "mail_server" and "disguised" in program.reasons
        proc.kill()
        proc.wait()
    finally:
        if made:
            os.unlink(target)


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare"),
    reason="mount namespaces need Linux, root and unshare",
)
def test_the_recorder_in_a_private_mount_namespace_still_believes_the_real_mail_server():
    """The journal's service runs with ProtectSystem and PrivateTmp: a mount namespace of its
    own, made by systemd (PID 1). Compared with its own namespace, every process looked
    foreign, and the real mail server was called disguised and named as a problem in the letter
    (issue 28). Here a PID namespace of the test's own stands for the machine: its PID 1 in one
    mount namespace, a program started there, and the check run from a private one."""
    script = (
        f"{os.path.realpath('/bin/sleep')} 10 & pid=$!; sleep 0.2;"
        f" unshare -m --propagation private {sys.executable} -c"
        ' "from checks.probes import processes;'
        f' print(processes.exe_verified($pid, {os.path.realpath("/bin/sleep")!r}))";'
        " kill $pid"
    )
    seen = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert seen.stdout.strip() == "True", seen


# --- 6: smaller ---------------------------------------------------------------------------------


def test_swapped_records_are_named_as_swapped(tmp_path):
    db = tmp_path / "journal.sqlite3"
    make_journal(tmp_path, *WINDOW)
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER records_no_update")
    con.execute("UPDATE records SET seq = -1 WHERE seq = 5")
    con.execute("UPDATE records SET seq = 5 WHERE seq = 6")
    con.execute("UPDATE records SET seq = 6 WHERE seq = -1")
    con.commit()
    con.close()
    with Journal(db, readonly=True) as j:
        verdict = j.verify()
    assert (verdict.problem, verdict.seq) == ("reordered", 5)


def journal_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "main.py"), "journal", *args, "--lang", "en"],
        capture_output=True,
        encoding="utf-8",
        timeout=60,
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not a Clearline journal"),
        (b"this is not a database at all" * 100, "not a Clearline journal"),
    ],
)
def test_a_damaged_or_empty_file_gets_plain_words(tmp_path, content, words):
    db = tmp_path / "journal.sqlite3"
    db.write_bytes(content)
    for action in ("verify", "status", "show"):
        out = journal_cli(action, "--db", str(db))
        assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr


def test_a_newer_format_and_a_text_hash_are_named(tmp_path):
    db = tmp_path / "journal.sqlite3"
    make_journal(tmp_path, *WINDOW)
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER records_no_update")
    con.execute("UPDATE records SET hash = 'abc' WHERE seq = 3")
    con.commit()
    out = journal_cli("verify", "--db", str(db))
    assert out.returncode == 2 and "record 3 was changed" in out.stdout
    con.execute("UPDATE meta SET value = '99' WHERE key = 'version'")
    con.commit()
    con.close()
    out = journal_cli("verify", "--db", str(db))
    assert out.returncode == 2 and "newer Clearline" in out.stderr


@needs_fifo
def test_a_fifo_as_the_journal_is_refused_at_once(tmp_path):
    fifo = tmp_path / "journal.sqlite3"
    os.mkfifo(fifo)
    out = journal_cli("verify", "--db", str(fifo))
    assert out.returncode == 2 and "FIFO" in out.stderr


@posix_only
def test_a_world_writable_journal_is_said_to_be(tmp_path):
    db = tmp_path / "journal.sqlite3"
    make_journal(tmp_path, *WINDOW)
    os.chmod(db, 0o666)
    out = journal_cli("verify", "--db", str(db))
    assert out.returncode == 2 and "can be written by group, others" in out.stdout


def test_a_stopped_journal_in_a_folder_the_reader_cannot_write_is_read():
    """After a clean stop the WAL side files are gone; a user who cannot create them (here:
    nobody, in a root-owned folder) still reads the journal as it stands."""
    import shutil
    import tempfile

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to read as another user")
    folder = Path(tempfile.mkdtemp(prefix="clearline-ro-"))
    try:
        os.chmod(folder, 0o755)
        db = folder / "journal.sqlite3"
        make_journal(folder, *WINDOW)
        os.chmod(db, 0o644)
        for suffix in ("-wal", "-shm"):
            assert not os.path.exists(f"{db}{suffix}")
        pid = os.fork()
        if pid == 0:  # the child reads as nobody, with everything already imported
            code = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                with Journal(db, readonly=True) as j:
                    code = 0 if j.verify().ok else 2
            finally:
                os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@no_wine_links
def test_a_second_recorder_through_a_link_is_refused(tmp_path):
    from journal.store import JournalError, lock_for_writing

    (tmp_path / "real").mkdir()
    db = tmp_path / "real" / "journal.sqlite3"
    (tmp_path / "other").symlink_to(tmp_path / "real")  # another name for the same folder
    held = lock_for_writing(db)
    try:
        with pytest.raises(JournalError, match="another recorder"):
            lock_for_writing(tmp_path / "other" / "journal.sqlite3")
        (tmp_path / "link.sqlite3").symlink_to(db)
        with pytest.raises(JournalError, match="is a link"):
            lock_for_writing(tmp_path / "link.sqlite3")  # a link as the file: never followed
    finally:
        held.close()


def test_json_of_the_heads_and_a_head_given_out_earlier(tmp_path):
    db = tmp_path / "journal.sqlite3"
    make_journal(tmp_path, *WINDOW)
    log_heads(db)
    with Journal(db, readonly=True) as j:
        seq, digest = j.last()
    out = journal_cli("verify", "--db", str(db), "--head", digest.hex(), "--json")
    doc = json.loads(out.stdout)
    assert out.returncode == 0 and doc["head"] == {"hash": digest.hex(), "found": True, "seq": seq}
    drop_record(db, seq - 1, rehash=True)
    out = journal_cli("verify", "--db", str(db), "--head", digest.hex())
    assert out.returncode == 2 and "does not hold the record" in out.stdout


def test_canonical_is_what_the_hash_covers():
    assert canonical({"b": 1, "a": "é"}) == '{"a":"\\u00e9","b":1}'
    assert datetime.now()  # (keeps the import honest)


def test_a_window_before_the_runs_start_is_never_vouched_for(tmp_path):
    """The run started at 15:00; at 15:30 its clock went back an hour (a dual-boot clock in
    local time). Its records from then on carry 14:30, 14:31…: a window 14:35–14:45 read from
    those records alone looked "covered throughout", because the start and the step lie
    outside it (issue 28). A run vouches for nothing before its own start."""
    from datetime import UTC, datetime, timedelta

    from journal import export
    from journal.store import HEARTBEAT, START, Journal

    def us(t):
        return int(t.timestamp() * 1e6)

    db = tmp_path / "journal.sqlite3"
    start = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    j = Journal(db)
    mono = 100.0
    run = j.append(
        START,
        {"mode": "capture", "heartbeat_s": 60, "mono_us": int(mono * 1e6), "boot_id": "b"},
        ts_us=us(start),
    )
    wall = start
    for minute in range(1, 61):
        mono += 60
        wall = (
            start + timedelta(minutes=minute) - (timedelta(hours=1) if minute > 30 else timedelta())
        )
        data = {"mode": "capture", "heartbeat_s": 60, "mono_us": int(mono * 1e6), "boot_id": "b"}
        j.append(HEARTBEAT, data, run=run.seq, ts_us=us(wall))
    j.close()
    window = (
        datetime(2026, 11, 20, 14, 35, tzinfo=UTC),
        datetime(2026, 11, 20, 14, 45, tzinfo=UTC),
    )
    doc = export.window_doc(db, *window, UTC)
    assert not doc["coverage"]["complete"], doc["coverage"]
    assert doc["coverage"]["running"] == []
    assert export.contradictions(doc) == []  # the bundle's check computes the same coverage


def test_a_commit_that_fails_on_a_full_disk_leaves_the_chain_whole(tmp_path):
    """The recorder keeps running on a full disk and retries: a COMMIT that failed left the
    newest record cached as written, each retry skipped numbers, and the journal called itself
    tampered with ("records 78–51564 are missing") for ever after (issue 28)."""
    import sqlite3

    from journal.store import HEARTBEAT, START, Journal

    class FullDisk:
        """The connection, whose next COMMIT fails as SQLite's does when the disk is full."""

        def __init__(self, db):
            self.db, self.fail = db, 1

        def execute(self, sql, *args):
            if sql == "COMMIT" and self.fail:
                self.fail -= 1
                self.db.execute("ROLLBACK")
                raise sqlite3.OperationalError("database or disk is full")
            return self.db.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.db, name)

    j = Journal(tmp_path / "journal.sqlite3")
    run = j.append(START, {"mode": "capture"})
    real = j.db
    j.db = FullDisk(real)
    with pytest.raises(sqlite3.OperationalError):
        j.append_many([(HEARTBEAT, {"mode": "capture"}, run.seq, None)] * 3)
    j.append_many([(HEARTBEAT, {"mode": "capture"}, run.seq, None)] * 2)
    j.db = real
    verdict = j.verify()
    assert verdict.ok, verdict
    assert [r.seq for r in j.records(0, 2**62)] == [1, 2, 3]
    j.close()


def test_packets_the_kernel_dropped_are_a_gap_not_every_attempt_seen():
    """Heartbeats count the kernel's drops; 5,000 of them still gave 'complete' and 'every
    attempt seen' (issue 28). The time since the last beat before the drops is a gap."""
    base = 1_800_000_000

    def beat(seq, minute, drops):
        data = {"mode": "capture", "heartbeat_s": 60, "drops": drops}
        return C.Record(seq, int((base + 60 * minute) * 1e6), HEARTBEAT, 1, data, b"", b"")

    start = C.Record(1, int(base * 1e6), START, 1, {"mode": "capture", "heartbeat_s": 60}, b"", b"")
    recs = [start, beat(2, 1, 0), beat(3, 2, 0), beat(4, 3, 5000), beat(5, 4, 5000)]
    cov = C.coverage(recs, int(base * 1e6), int((base + 240) * 1e6))
    assert not cov.complete
    assert [(a // 10**6 - base, b // 10**6 - base) for a, b in cov.gaps] == [(120, 180)]
    # Drops before the records read (the count only ever grows in a run) are no gap here.
    later = [beat(2, 1, 7), beat(3, 2, 7), beat(4, 3, 7)]
    assert C.coverage([start, *later], int(base * 1e6), int((base + 180) * 1e6)).complete


def test_journal_show_of_a_journal_that_does_not_verify_says_so_and_does_not_end_well(
    tmp_path, no_journal_of_this_machine
):
    """`journal show` printed "running … (every attempt seen)" and exit 0 for a journal whose
    port-25 record had been removed (issue 28)."""
    db = no_journal_of_this_machine / "journal.sqlite3"
    make_journal(no_journal_of_this_machine, *WINDOW, events=[bot_at(3)])
    log_heads(db)
    drop_record(db, bot_seq(db))
    argv = [sys.executable, os.path.join(ROOT, "main.py"), "journal", "show", "--db", str(db)]
    argv += ["--from", WINDOW[0].isoformat(), "--to", WINDOW[1].isoformat(), "--lang", "en"]
    done = subprocess.run(argv, capture_output=True, encoding="utf-8", timeout=120)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "cannot be relied on" in done.stderr and "Traceback" not in done.stderr


def test_journal_show_of_too_large_a_window_says_why(tmp_path, monkeypatch, capsys):
    from journal import export

    db = tmp_path / "journal.sqlite3"
    make_journal(tmp_path, *WINDOW)
    monkeypatch.setattr(export, "MAX_PROOF_RECORDS", 5)
    from cli import commands

    argv = ["journal", "show", "--db", str(db), "--lang", "en"]
    argv += ["--from", WINDOW[0].isoformat(), "--to", WINDOW[1].isoformat()]
    assert commands.main(argv, open_window=lambda: 0) == 3
    said = capsys.readouterr().err
    assert "Nothing is shown" in said and "crash" not in said, said  # a refusal, not an error
