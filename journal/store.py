"""The journal's storage: one SQLite database in WAL mode, append-only, every record chained to
the one before it by a SHA-256 hash.

A record is (seq, time, kind, run, data). Its hash covers the previous record's hash and all of
its own fields, so changing, removing or inserting a record anywhere breaks the chain from that
point on; ``verify`` walks it and names the first record that does not fit. Retention removes
the oldest records but keeps the chain checkable: the hash of the last removed record becomes
the anchor, kept in ``meta`` and confirmed by a ``retention`` record appended to the chain.

Heartbeats (a record a minute while the recorder runs) make coverage provable: the journal was
running between two records no more than ``MAX_GAP`` apart (see journal/coverage.py).

Times are whole microseconds since the epoch (UTC): an integer hashes the same on every machine,
where a float's text may not."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.i18n import _

SCHEMA_VERSION = 1
GENESIS = bytes(32)

# Kinds of record.
START, HEARTBEAT, STOP = "start", "heartbeat", "stop"
CONNECT, MX, ALERT = "connect", "mx", "alert"
RETENTION = "retention"
PROBLEM = "problem"  # the recorder could not write for a while (a full disk): what and since
KINDS = (START, HEARTBEAT, STOP, CONNECT, MX, ALERT, RETENTION, PROBLEM)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seq  INTEGER PRIMARY KEY,
    ts   INTEGER NOT NULL,
    kind TEXT    NOT NULL,
    run  INTEGER NOT NULL,
    data TEXT    NOT NULL,
    prev BLOB    NOT NULL,
    hash BLOB    NOT NULL
);
CREATE INDEX IF NOT EXISTS records_ts ON records (ts);
-- Append-only, against accidents (the hash chain is what shows deliberate changes). Retention
-- removes old records only inside its own transaction, which sets meta 'pruning'.
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
WHEN (SELECT value FROM meta WHERE key = 'pruning') IS NULL
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"""


class JournalError(RuntimeError):
    pass


@dataclass(frozen=True)
class Record:
    seq: int
    ts_us: int
    kind: str
    run: int
    data: dict[str, Any]
    prev: bytes
    hash: bytes

    @property
    def ts(self) -> float:
        return self.ts_us / 1e6

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time_us": self.ts_us,
            "kind": self.kind,
            "run": self.run,
            "data": self.data,
            "prev": self.prev.hex(),
            "hash": self.hash.hex(),
        }


def canonical(data: dict[str, Any]) -> str:
    # ASCII only: a file name that is not valid UTF-8 (a lone surrogate in Python) still
    # hashes, and the text is the same wherever it is read back.
    return json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def record_hash(prev: bytes, seq: int, ts_us: int, kind: str, run: int, data_text: str) -> bytes:
    h = hashlib.sha256()
    h.update(prev)
    h.update(f"{seq}\x1f{ts_us}\x1f{kind}\x1f{run}\x1f".encode())
    h.update(data_text.encode("utf-8"))
    return h.digest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    problem: str | None = None  # "changed", "removed", "inserted", "anchor"
    seq: int | None = None  # the first record that does not fit
    detail: str = ""

    def message(self) -> str:
        if self.ok:
            return f"intact: {self.checked} records"
        return f"record {self.seq} {self.problem}: {self.detail}"


class Journal:
    """One connection to the journal database. Not shared between threads: the recorder has
    its own; readers open their own (WAL lets them read while it writes)."""

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            self.db = _open_readonly(self.path)
            _check_is_journal(self.db, self.path)
        else:
            os.close(_open_for_writing(self.path))  # the same checks as the recorder's lock
            self.db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            # WAL: readers never wait for the recorder; NORMAL: a commit survives a killed
            # process (the WAL is in the file system), only a power cut may lose the last one.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            if self._meta("version") is None:
                with self.transaction():
                    self._set_meta("version", str(SCHEMA_VERSION))
                    self._set_meta("anchor_seq", "0")
                    self._set_meta("anchor_hash", GENESIS.hex())
                    self._set_meta("created_us", str(now_us()))
        version = self._meta("version")
        if version is not None and int(version) > SCHEMA_VERSION:
            raise JournalError(
                _("journal format {version} is newer than this Clearline").format(version=version)
            )
        self._last: tuple[int, bytes] | None = None

    # --- plumbing --------------------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            # Re-read the newest record: what was cached may not have been written. A failed
            # COMMIT (a full disk) counts too, or every retry would skip numbers and the journal
            # would call itself tampered with for ever after.
            self._last = None
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                self.db.execute("ROLLBACK")
            raise

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def anchor(self) -> tuple[int, bytes]:
        return int(self._meta("anchor_seq") or 0), bytes.fromhex(
            self._meta("anchor_hash") or GENESIS.hex()
        )

    def last(self) -> tuple[int, bytes]:
        """(seq, hash) of the newest record, or the anchor when there is none."""
        if self._last is None:
            row = self.db.execute(
                "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            self._last = (row[0], bytes(row[1])) if row else self.anchor()
        return self._last

    # --- writing ---------------------------------------------------------------------------
    def append(
        self, kind: str, data: dict[str, Any], *, run: int = 0, ts_us: int | None = None
    ) -> Record:
        """Append one record (inside the caller's transaction when there is one). ``run`` 0
        on a start record means "this record's own seq"."""
        if kind not in KINDS:
            raise JournalError(f"unknown record kind {kind!r}")
        seq, prev = self.last()
        seq += 1
        ts_us = now_us() if ts_us is None else int(ts_us)
        run = seq if (kind == START and not run) else run
        text = canonical(data)
        digest = record_hash(prev, seq, ts_us, kind, run, text)
        self.db.execute(
            "INSERT INTO records (seq, ts, kind, run, data, prev, hash) VALUES (?,?,?,?,?,?,?)",
            (seq, ts_us, kind, run, text, prev, digest),
        )
        if kind == START:  # found without an index on kind (one less index per record)
            self._set_meta("last_start", str(seq))
        self._last = (seq, digest)
        return Record(seq, ts_us, kind, run, data, prev, digest)

    def append_many(self, items: list[tuple[str, dict[str, Any], int, int | None]]) -> None:
        """Several records in one transaction: one commit (one fsync of the WAL at most)."""
        if not items:
            return
        with self.transaction():
            for kind, data, run, ts_us in items:
                self.append(kind, data, run=run, ts_us=ts_us)

    def prune(self, keep_days: float, now: float | None = None) -> int:
        """Remove records older than ``keep_days``; the chain stays checkable from the new
        anchor, which a ``retention`` record confirms. Returns how many were removed."""
        cutoff = int(((now or time.time()) - keep_days * 86400) * 1e6)
        with self.transaction():
            row = self.db.execute(
                "SELECT seq, hash FROM records WHERE ts < ? ORDER BY seq DESC LIMIT 1", (cutoff,)
            ).fetchone()
            if row is None:
                return 0
            through, anchor_hash = row[0], bytes(row[1])
            last_seq, _ = self.last()
            if through >= last_seq:
                through -= 1  # the newest record stays: the chain goes on from it
                if through <= self.anchor()[0]:
                    return 0
                anchor_hash = bytes(
                    self.db.execute(
                        "SELECT hash FROM records WHERE seq = ?", (through,)
                    ).fetchone()[0]
                )
            self._set_meta("pruning", "1")
            removed = self.db.execute("DELETE FROM records WHERE seq <= ?", (through,)).rowcount
            self._set_meta("pruning", None)
            self._set_meta("anchor_seq", str(through))
            self._set_meta("anchor_hash", anchor_hash.hex())
            self.append(
                RETENTION,
                {
                    "removed_through": through,
                    "anchor_hash": anchor_hash.hex(),
                    "older_than_us": cutoff,
                    "keep_days": keep_days,
                },
            )
        return removed

    # --- reading ---------------------------------------------------------------------------
    def records(
        self,
        start_us: int | None = None,
        end_us: int | None = None,
        kinds: tuple[str, ...] | None = None,
        after_seq: int | None = None,
    ) -> Iterator[Record]:
        sql = "SELECT seq, ts, kind, run, data, prev, hash FROM records WHERE 1"
        args: list[Any] = []
        if after_seq is not None:  # the primary key: a range, not a scan
            sql += " AND seq > ?"
            args.append(int(after_seq))
        if start_us is not None:
            sql += " AND ts >= ?"
            args.append(int(start_us))
        if end_us is not None:
            sql += " AND ts <= ?"
            args.append(int(end_us))
        if kinds:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            args.extend(kinds)
        sql += " ORDER BY seq"
        for seq, ts, kind, run, data, prev, digest in self.db.execute(sql, args):
            yield Record(seq, ts, kind, run, _load(data), bytes(prev), bytes(digest))

    def record_before(self, ts_us: int) -> Record | None:
        row = self.db.execute(
            "SELECT seq, ts, kind, run, data, prev, hash FROM records WHERE ts < ?"
            " ORDER BY ts DESC LIMIT 1",
            (int(ts_us),),
        ).fetchone()
        return _row(row)

    def record_after(self, ts_us: int) -> Record | None:
        row = self.db.execute(
            "SELECT seq, ts, kind, run, data, prev, hash FROM records WHERE ts > ?"
            " ORDER BY ts LIMIT 1",
            (int(ts_us),),
        ).fetchone()
        return _row(row)

    def first_and_last(self) -> tuple[Record | None, Record | None]:
        first = _row(
            self.db.execute(
                "SELECT seq, ts, kind, run, data, prev, hash FROM records ORDER BY seq LIMIT 1"
            ).fetchone()
        )
        last = _row(
            self.db.execute(
                "SELECT seq, ts, kind, run, data, prev, hash FROM records ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        )
        return first, last

    def count(self, kinds: tuple[str, ...] | None = None) -> int:
        if not kinds:
            return self.db.execute("SELECT count(*) FROM records").fetchone()[0]
        marks = ",".join("?" * len(kinds))
        return self.db.execute(
            f"SELECT count(*) FROM records WHERE kind IN ({marks})", kinds
        ).fetchone()[0]

    def last_start(self) -> Record | None:
        seq = self._meta("last_start")
        if seq is None:
            return None
        return _row(
            self.db.execute(
                "SELECT seq, ts, kind, run, data, prev, hash FROM records WHERE seq = ?",
                (int(seq),),
            ).fetchone()
        )

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            try:
                total += Path(f"{self.path}{suffix}").stat().st_size
            except OSError:
                pass
        return total

    # --- checking --------------------------------------------------------------------------
    def _swapped_with_next(self, seq, prev, ts, kind, run, data, digest) -> bool:
        """Record ``seq`` holds what was written as ``seq + 1`` (and the next one what was
        written as ``seq``): their contents traded places."""
        if record_hash(prev, seq + 1, ts, kind, run, data) != digest:
            return False
        row = self.db.execute(
            "SELECT seq, ts, kind, run, data, prev, hash FROM records WHERE seq = ?", (seq + 1,)
        ).fetchone()
        if row is None:
            return False
        _s, nts, nkind, nrun, ndata, nprev, ndigest = row
        try:
            return record_hash(bytes(nprev), seq, nts, nkind, nrun, ndata) == bytes(ndigest)
        except TypeError:
            return False

    def has_hash(self, digest: bytes) -> int | None:
        """The seq of the record whose hash is ``digest`` (a head given out earlier), if any."""
        row = self.db.execute("SELECT seq FROM records WHERE hash = ?", (digest,)).fetchone()
        return int(row[0]) if row else None

    def verify(self) -> Verdict:
        """Walk the chain from the anchor; name the first record that does not fit."""
        anchor_seq, anchor_hash = self.anchor()
        expected_seq, expected_prev = anchor_seq + 1, anchor_hash
        checked = 0
        retention_anchor: tuple[int, str] | None = None
        rows = self.db.execute(
            "SELECT seq, ts, kind, run, data, prev, hash FROM records ORDER BY seq"
        )
        for seq, ts, kind, run, data, prev, digest in rows:
            if not isinstance(prev, bytes | bytearray | memoryview) or not isinstance(
                digest, bytes | bytearray | memoryview
            ):
                return Verdict(False, checked, "changed", seq, "its hash is not a hash (rewritten)")
            if not isinstance(data, str) or not isinstance(ts, int) or not isinstance(seq, int):
                return Verdict(False, checked, "changed", seq, "its fields were rewritten")
            prev, digest = bytes(prev), bytes(digest)
            if seq > expected_seq:
                return Verdict(
                    False,
                    checked,
                    "removed",
                    expected_seq,
                    f"records {expected_seq}–{seq - 1} are missing"
                    if seq - 1 > expected_seq
                    else f"record {expected_seq} is missing",
                )
            if record_hash(prev, seq, ts, kind, run, data) != digest:
                return self._why_not(checked, seq, prev, ts, kind, run, data, digest)
            if prev != expected_prev:
                return Verdict(
                    False,
                    checked,
                    "changed",
                    seq - 1,
                    f"record {seq} does not follow from it (changed, replaced or inserted)",
                )
            if kind == RETENTION:
                loaded = _load(data)
                retention_anchor = (
                    int(loaded.get("removed_through", -1)),
                    loaded.get("anchor_hash"),
                )
            expected_seq, expected_prev = seq + 1, digest
            checked += 1
        if anchor_seq and retention_anchor != (anchor_seq, anchor_hash.hex()):
            return Verdict(
                False,
                checked,
                "anchor",
                anchor_seq,
                "the start of the chain was moved: no retention record confirms it",
            )
        return Verdict(True, checked)

    def _why_not(self, checked, seq, prev, ts, kind, run, data, digest) -> Verdict:
        """A record whose content does not match its hash: swapped with the next, numbered
        after records inserted or removed (up to 8), or changed."""
        if self._swapped_with_next(seq, prev, ts, kind, run, data, digest):
            return Verdict(
                False, checked, "reordered", seq, f"records {seq} and {seq + 1} were swapped"
            )
        for shift in range(1, 9):
            if record_hash(prev, seq - shift, ts, kind, run, data) == digest:
                return Verdict(
                    False,
                    checked,
                    "inserted",
                    seq - shift,
                    f"{shift} record(s) were inserted before the record now numbered {seq}",
                )
            if record_hash(prev, seq + shift, ts, kind, run, data) == digest:
                return Verdict(
                    False,
                    checked,
                    "removed",
                    seq,
                    f"{shift} record(s) were removed and the rest renumbered",
                )
        return Verdict(False, checked, "changed", seq, "its content does not match its hash")


def now_us() -> int:
    return time.time_ns() // 1000


def _open_readonly(path: Path) -> sqlite3.Connection:
    """Read without writing anything next to the database. While the recorder runs, WAL's side
    files exist and are shared; when it is stopped they may be gone and the folder not ours to
    write, so the file is read as it stands (immutable)."""
    from checks.safefile import NotARegularFile, open_regular

    try:
        open_regular(path).close()  # a FIFO or a device would hang SQLite: refuse it first
    except FileNotFoundError:
        raise JournalError(_("no journal at {path}").format(path=path)) from None
    except NotARegularFile as exc:
        raise JournalError(
            _("{path} is not a journal: {why}").format(path=path, why=exc.strerror)
        ) from None
    quoted = str(path.resolve()).replace("?", "%3f").replace("#", "%23")
    for query in ("mode=ro", "mode=ro&immutable=1"):
        db = sqlite3.connect(f"file:{quoted}?{query}", uri=True, timeout=10, isolation_level=None)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            db.close()
            continue
        except sqlite3.DatabaseError as exc:
            db.close()
            raise JournalError(
                _("{path} is not a Clearline journal ({why})").format(path=path, why=exc)
            ) from None
    raise JournalError(_("{path} cannot be read").format(path=path))


def _check_is_journal(db: sqlite3.Connection, path: Path) -> None:
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        version = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.DatabaseError as exc:
        db.close()
        raise JournalError(
            _("{path} is not a Clearline journal ({why})").format(path=path, why=exc)
        ) from None
    if not {"meta", "records"} <= tables or version is None:
        db.close()
        raise JournalError(
            _("{path} is not a Clearline journal (it holds no records table)").format(path=path)
        )
    try:
        newer = int(version[0]) > SCHEMA_VERSION
    except (TypeError, ValueError):
        newer = True
    if newer:
        db.close()
        raise JournalError(
            _(
                "{path} was written by a newer Clearline (journal format {version}); this one"
                " reads format {mine}"
            ).format(path=path, version=version[0], mine=SCHEMA_VERSION)
        )


def lock_for_writing(path: Path):
    """An exclusive lock on the database file itself, held while the process lives: a second
    recorder, however it names the file (a link, another path), is refused at once. Returns
    the open file that holds the lock, or raises JournalError naming who holds it."""
    import os

    fd = _open_for_writing(path)
    if os.name == "nt":
        return _lock_on_windows(path, fd)
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalError(
            _("another recorder is writing {path}").format(path=path.resolve())
        ) from None
    return os.fdopen(fd, "rb")


def _lock_on_windows(path: Path, db_fd: int):
    """Windows locks are mandatory and per handle: a lock on the database itself would stop
    SQLite's own reads. The lock is on a file beside it, ``journal.sqlite3.lock``, one byte."""
    import msvcrt
    import os

    os.close(db_fd)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        os.close(fd)
        raise JournalError(
            _("another recorder is writing {path}").format(path=path.resolve())
        ) from None
    return os.fdopen(fd, "rb")


def _open_for_writing(path: Path) -> int:
    """The database file, opened read-write (made when missing): never through a link, never
    a FIFO or a device, and, as root, only in a folder root alone can change. Otherwise the
    folder's owner could plant the database's side files (-wal, -journal) as links to any file
    root would then write."""
    import os

    from checks import safefile

    if os.name == "nt" and os.path.islink(path):  # no O_NOFOLLOW there: looked at first
        raise JournalError(_("{path} is a link; the journal does not follow it").format(path=path))
    try:
        safefile.refuse_unless_root_only(path.parent)
        path.parent.mkdir(parents=True, exist_ok=True)
        safefile.refuse_unless_root_only(path.parent)
        fd = os.open(
            path,
            os.O_RDWR
            | os.O_CREAT
            | getattr(os, "O_CLOEXEC", 0)
            | getattr(os, "O_NOFOLLOW", 0)
            | getattr(os, "O_NONBLOCK", 0),
            0o644,
        )
    except safefile.NotRootOnly as exc:
        raise JournalError(exc.strerror) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise JournalError(
                _("{path} is a link; the journal does not follow it").format(path=path)
            ) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise JournalError(_("{path} is not a regular file").format(path=path))
    return fd


def _load(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {"_unreadable": text[:200]}
    return value if isinstance(value, dict) else {"_value": value}


def _row(row) -> Record | None:
    if row is None:
        return None
    seq, ts, kind, run, data, prev, digest = row
    return Record(seq, ts, kind, run, _load(data), bytes(prev), bytes(digest))
