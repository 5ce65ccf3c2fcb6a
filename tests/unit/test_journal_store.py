"""The journal's database: append-only, hash-chained, and ``verify`` names the first record
that was changed, removed or inserted — whichever way it was done."""

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.store import (
    CONNECT,
    HEARTBEAT,
    START,
    STOP,
    Journal,
    JournalError,
    canonical,
    record_hash,
)

T0 = 1_763_700_000_000_000  # 2025-11-21, in microseconds


def filled(path, n=10) -> Journal:
    j = Journal(path)
    start = j.append(START, {"mode": "capture"}, ts_us=T0)
    for i in range(1, n - 1):
        kind = CONNECT if i % 3 == 0 else HEARTBEAT
        j.append(kind, {"i": i, "rport": 25}, run=start.seq, ts_us=T0 + i * 60_000_000)
    j.append(STOP, {}, run=start.seq, ts_us=T0 + n * 60_000_000)
    return j


def raw(path) -> sqlite3.Connection:
    """A tamperer with the file: triggers out of the way, as anyone with write access can."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TRIGGER records_no_update")
    db.execute("DROP TRIGGER records_no_delete")
    return db


def test_a_fresh_chain_verifies(tmp_path):
    j = filled(tmp_path / "j.db")
    verdict = j.verify()
    assert verdict.ok and verdict.checked == 10


def test_the_database_refuses_updates_and_deletes(tmp_path):
    j = filled(tmp_path / "j.db")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        j.db.execute("UPDATE records SET data = '{}' WHERE seq = 3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        j.db.execute("DELETE FROM records WHERE seq = 3")


def test_an_edited_record_is_named(tmp_path):
    path = tmp_path / "j.db"
    filled(path).close()
    raw(path).execute("""UPDATE records SET data = '{"i":3,"rport":587}' WHERE seq = 4""")
    verdict = Journal(path).verify()
    assert (verdict.ok, verdict.problem, verdict.seq) == (False, "changed", 4)


def test_an_edited_record_with_its_hash_recomputed_is_named_by_the_next(tmp_path):
    path = tmp_path / "j.db"
    filled(path).close()
    db = raw(path)
    seq, ts, kind, run, _data, prev, _h = db.execute(
        "SELECT * FROM records WHERE seq = 4"
    ).fetchone()
    text = canonical({"i": 3, "rport": 587})
    db.execute(
        "UPDATE records SET data = ?, hash = ? WHERE seq = 4",
        (text, record_hash(prev, seq, ts, kind, run, text)),
    )
    verdict = Journal(path).verify()
    assert (verdict.problem, verdict.seq) == ("changed", 4)


def test_a_deleted_record_is_named(tmp_path):
    path = tmp_path / "j.db"
    filled(path).close()
    raw(path).execute("DELETE FROM records WHERE seq = 6")
    verdict = Journal(path).verify()
    assert (verdict.problem, verdict.seq) == ("removed", 6)


def test_an_inserted_record_is_named_even_when_the_rest_is_renumbered(tmp_path):
    path = tmp_path / "j.db"
    filled(path).close()
    db = raw(path)
    # Make room at 5 and insert a record that links correctly to record 4.
    for seq in range(10, 4, -1):
        db.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq + 1, seq))
    prev = bytes(db.execute("SELECT hash FROM records WHERE seq = 4").fetchone()[0])
    text = canonical({"note": "forged"})
    ts = T0 + 270_000_000
    db.execute(
        "INSERT INTO records VALUES (5, ?, 'heartbeat', 1, ?, ?, ?)",
        (ts, text, prev, record_hash(prev, 5, ts, "heartbeat", 1, text)),
    )
    verdict = Journal(path).verify()
    assert (verdict.problem, verdict.seq) == ("inserted", 5), verdict


def test_retention_keeps_the_chain_verifiable_and_a_moved_anchor_is_caught(tmp_path):
    path = tmp_path / "j.db"
    j = filled(path, n=20)
    removed = j.prune(keep_days=1, now=T0 / 1e6 + 86400 + 10 * 60)  # older than minute 10
    assert removed == 10
    assert j.verify().ok
    first, _last = j.first_and_last()
    assert first.seq == 11
    j.close()
    # Someone removes more and moves the anchor to match: no retention record confirms it.
    db = raw(path)
    db.execute("DELETE FROM records WHERE seq <= 13")
    anchor = bytes(db.execute("SELECT hash FROM records WHERE seq = 14").fetchone()[0])
    db.execute("UPDATE meta SET value = '13' WHERE key = 'anchor_seq'")
    db.execute("UPDATE meta SET value = ? WHERE key = 'anchor_hash'", (anchor.hex(),))
    verdict = Journal(path).verify()
    assert not verdict.ok


def test_a_journal_opened_read_only_cannot_be_written(tmp_path):
    path = tmp_path / "j.db"
    filled(path).close()
    ro = Journal(path, readonly=True)
    assert ro.verify().ok
    with pytest.raises(sqlite3.OperationalError):
        ro.append(HEARTBEAT, {})
    with pytest.raises(JournalError):
        Journal(tmp_path / "missing.db", readonly=True)


@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=6),
            st.one_of(st.integers(), st.text(max_size=12), st.floats(allow_nan=False)),
            max_size=4,
        ),
        min_size=1,
        max_size=15,
    ),
    st.data(),
)
def test_any_single_change_to_any_record_is_caught(tmp_path_factory, payloads, data):
    path = tmp_path_factory.mktemp("j") / "j.db"
    j = Journal(path)
    for i, payload in enumerate(payloads):
        j.append(CONNECT, payload, run=1, ts_us=T0 + i)
    assert j.verify().ok
    j.close()
    victim = data.draw(st.integers(1, len(payloads)))
    column = data.draw(st.sampled_from(["ts", "kind", "run", "data"]))
    new = {
        "ts": T0 - 1,
        "kind": "heartbeat",
        "run": 99,
        "data": canonical({"x": data.draw(st.text(max_size=5))}),
    }[column]
    db = raw(path)
    before = db.execute(f"SELECT {column} FROM records WHERE seq = ?", (victim,)).fetchone()[0]
    if before == new:
        return
    db.execute(f"UPDATE records SET {column} = ? WHERE seq = ?", (new, victim))
    verdict = Journal(path).verify()
    assert not verdict.ok and verdict.seq == victim


def test_a_file_name_that_is_not_utf8_still_hashes(tmp_path):
    j = Journal(tmp_path / "j.db")
    j.append(CONNECT, {"exe": "/tmp/\udcff\udcfe/bot"}, run=1)
    assert j.verify().ok
