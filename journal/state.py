"""The journal's state as documents both front ends show: is the recorder running, what the
file holds (status_doc), and does its word hold (verify_doc)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def _zone():
    return datetime.now().astimezone().tzinfo


def verify_doc(db: Path, head: str | None = None) -> dict:
    """The chain, the heads written outside the database, a head given out earlier, and who
    may write the file: each a separate answer, ``ok`` only when all hold."""
    import os
    import stat

    from journal import heads as H
    from journal.store import Journal

    with Journal(db, readonly=True) as journal:
        verdict = journal.verify()
        logged = H.check(journal, db)
        doc: dict = {
            "db": str(db),
            "chain": verdict.__dict__,
            "heads": logged.__dict__,
        }
        if head is not None:
            try:
                wanted = bytes.fromhex(head.strip())
            except ValueError:
                wanted = b""
            found = journal.has_hash(wanted) if len(wanted) == 32 else None
            doc["head"] = {"hash": head, "found": found is not None, "seq": found}
    mode = os.stat(db).st_mode
    # Windows has no mode bits (os.stat says 0o666 for every file): who may write the file is
    # its ACL's business there, and the system journal folder's ACL is the administrators'.
    writable = [
        who
        for who, bit in (("group", stat.S_IWGRP), ("others", stat.S_IWOTH))
        if os.name == "posix" and mode & bit
    ]
    doc["writable_by"] = writable
    doc["ok"] = verdict.ok and logged.ok and doc.get("head", {}).get("found", True) and not writable
    return doc


def status_doc(db: Path) -> dict:
    from journal import paths
    from journal.coverage import iso
    from journal.store import CONNECT, MX, Journal

    run = paths.running(db)
    with Journal(db, readonly=True) as journal:
        start = journal.last_start()
        first, last = journal.first_and_last()
        doc = {
            "db": str(db),
            "running": run.running,
            "pid": run.pid,
            "problem": run.problem,
            "why_not": run.why if not run.running else "",
            "mode": start.data.get("mode") if start else None,
            "since": iso(start.ts_us, _zone()) if start else None,
            "first_record": iso(first.ts_us, _zone()) if first else None,
            "last_record": iso(last.ts_us, _zone()) if last else None,
            "events": journal.count((CONNECT, MX)),
            "records": journal.count(),
            "size_bytes": journal.size_bytes(),
        }
    return doc
