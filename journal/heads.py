"""The journal's heads, written outside the database: the anchor a rewrite must also match.

At every heartbeat (and when it stops) the recorder appends the newest record's number and
hash to ``journal.heads`` beside the database, a file only it writes. Someone who deletes the
last records while the recorder is stopped, or removes one and computes the chain again,
leaves a database that verifies on its own; the heads file still names a record that is gone
or a hash the chain no longer has. What this proves, against whom: someone who can write the
database can usually write this file too (both are root's); the head printed in the reply to
the provider is the copy no one here can change, and a later `journal verify --head HASH`
shows whether the journal still holds it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HEADS_NAME = "journal.heads"
MAX_LINE = 200


def heads_path(db: Path) -> Path:
    return db.with_name(HEADS_NAME)


class HeadLog:
    """Append-only lines ``seq hash time_us``, each flushed to disk before the next."""

    def __init__(self, db: Path):
        self.path = heads_path(db)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        self.fd = os.open(self.path, flags, 0o644)

    def write(self, seq: int, digest: bytes, ts_us: int) -> None:
        os.write(self.fd, f"{seq} {digest.hex()} {ts_us}\n".encode())
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


@dataclass(frozen=True)
class Head:
    seq: int
    hash: bytes
    ts_us: int


def read_heads(db: Path, limit: int = 1_000_000) -> list[Head]:
    """The heads the recorder wrote (the last ``limit``); lines that do not read are skipped
    (a line cut by a crash is the only one that may be short)."""
    from checks.safefile import open_regular

    try:
        fp = open_regular(heads_path(db))
    except FileNotFoundError:
        return []
    out: list[Head] = []
    with fp:
        for raw in fp:
            parts = raw[:MAX_LINE].split()
            try:
                seq, digest, ts = int(parts[0]), bytes.fromhex(parts[1].decode()), int(parts[2])
            except (IndexError, ValueError, UnicodeDecodeError):
                continue
            if len(digest) == 32:
                out.append(Head(seq, digest, ts))
                if len(out) > limit:
                    del out[0]
    return out


def _parse(raw: bytes) -> Head | None:
    parts = raw[:MAX_LINE].split()
    try:
        seq, digest, ts = int(parts[0]), bytes.fromhex(parts[1].decode()), int(parts[2])
    except (IndexError, ValueError, UnicodeDecodeError):
        return None
    return Head(seq, digest, ts) if len(digest) == 32 else None


def _line_at(fp, offset: int) -> tuple[Head | None, int]:
    """The first whole line starting after ``offset`` (or at 0), and where it starts."""
    fp.seek(max(0, offset - 1))
    if offset > 0:
        fp.readline()  # the end of the line ``offset`` falls in
    start = fp.tell()
    return _parse(fp.readline()), start


def heads_around(db: Path, lo: int, hi: int) -> tuple[list[Head], Head | None]:
    """The heads with lo <= seq, up to the first at or after ``hi``, and the newest head: found
    by bisecting the file (its lines are in the order written), not read whole."""
    from checks.safefile import open_regular

    try:
        fp = open_regular(heads_path(db))
    except FileNotFoundError:
        return [], None
    with fp:
        size = fp.seek(0, 2)
        left, right = 0, size
        while left < right:
            middle = (left + right) // 2
            head, _start = _line_at(fp, middle)
            if head is not None and head.seq < lo:
                left = middle + 1
            else:
                right = middle
        _head, start = _line_at(fp, left)
        fp.seek(start)
        found: list[Head] = []
        for raw in fp:
            head = _parse(raw)
            if head is None or head.seq < lo:
                continue
            found.append(head)
            if head.seq >= hi:
                break
        fp.seek(max(0, size - 2 * MAX_LINE))
        tail = fp.read().splitlines()
        newest = next((h for h in map(_parse, reversed(tail)) if h is not None), None)
    return found, newest


@dataclass(frozen=True)
class HeadCheck:
    ok: bool
    checked: int
    problem: str | None = None  # "tail_removed", "rewritten"
    seq: int | None = None
    detail: str = ""


def check(journal, db: Path, around: tuple[int, int] | None = None) -> HeadCheck:
    """Does the database still hold every head the recorder wrote outside it? With
    ``around`` (a segment's first and last record), only the newest head and those from the
    segment to the first head after it: a chain computed again anywhere changes every hash
    after the change, so the newest head shows a change after the segment and the first head
    after it a change before or inside it."""
    if around is not None:
        heads, newest = heads_around(db, *around)
        if newest is None:
            return HeadCheck(True, 0, detail="no heads written outside the database")
        heads = [*heads, newest]
    else:
        heads = read_heads(db)
        if not heads:
            return HeadCheck(True, 0, detail="no heads written outside the database")
        newest = max(heads, key=lambda h: h.seq)
    anchor_seq, _anchor = journal.anchor()
    last_seq, _last = journal.last()
    if newest.seq > last_seq:
        return HeadCheck(
            False,
            len(heads),
            "tail_removed",
            last_seq + 1,
            f"records {last_seq + 1}–{newest.seq} were removed after they were written",
        )
    checked = 0
    for head in heads:
        if head.seq <= anchor_seq:
            continue  # removed by retention, which the chain itself confirms
        row = journal.db.execute("SELECT hash FROM records WHERE seq = ?", (head.seq,)).fetchone()
        try:
            same = row is not None and bytes(row[0]) == head.hash
        except TypeError:
            same = False
        if not same:
            return HeadCheck(
                False,
                checked,
                "rewritten",
                head.seq,
                f"record {head.seq} is not the one written then: the chain was computed again",
            )
        checked += 1
    return HeadCheck(True, checked)
