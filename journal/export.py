"""A time range of the journal as one document: what was recorded, when the recorder was
running (and when not), and the chain proof of the records it rests on. This is what goes into
a case (journal.json) and the bundle, and what the assessment and the letter read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journal import coverage as C
from journal.store import ALERT, CONNECT, MX, Journal, Record, record_hash

FORMAT = 1


def window_doc(db: Path, start: datetime, end: datetime, zone=None) -> dict[str, Any]:
    start_us, end_us = C.to_us(start), C.to_us(end)
    if end_us < start_us:
        start_us, end_us = end_us, start_us
    margin = C.MAX_GAP_S * 1_000_000
    with Journal(db, readonly=True) as journal:
        around = list(journal.records(start_us - margin, end_us + margin))
        cov = C.coverage(around, start_us, end_us)
        # The proof: every record from the first to the last one used, with nothing left out
        # (records are numbered in the order written).
        proof: list[Record] = []
        if around:
            lo, hi = min(r.seq for r in around), max(r.seq for r in around)
            proof = _span(journal, lo, hi)
        head = journal.last()
        first, _last = journal.first_and_last()
        # How each run recorded is in its start record, which may lie long before the range.
        starts = [_span(journal, run, run) for run in sorted({r.run for r in around if r.run})]
        interval = _poll_interval([r for found in starts for r in found] + around)
    inside = [r for r in around if start_us <= r.ts_us <= end_us]
    events = [_event(r, zone) for r in inside if r.kind in (CONNECT, MX)]
    return {
        "format": FORMAT,
        "journal": str(db),
        "exported_at": datetime.now(UTC).astimezone(zone).isoformat(timespec="seconds"),
        "window": {"from": C.iso(start_us, zone), "to": C.iso(end_us, zone)},
        "coverage": cov.to_dict(zone),
        "modes": cov.modes,
        "poll_interval_s": interval,
        "events": events,
        "alerts": [_event(r, zone) for r in inside if r.kind == ALERT],
        "journal_since": C.iso(first.ts_us, zone) if first else None,
        "proof": {
            "records": [r.to_dict() for r in proof],
            "head": {"seq": head[0], "hash": head[1].hex()},
            "segment_intact": segment_intact([r.to_dict() for r in proof]),
        },
    }


def _span(journal: Journal, lo: int, hi: int) -> list[Record]:
    rows = journal.db.execute(
        "SELECT seq, ts, kind, run, data, prev, hash FROM records WHERE seq BETWEEN ? AND ?"
        " ORDER BY seq",
        (lo, hi),
    )
    from journal.store import _row

    return [r for r in (_row(row) for row in rows) if r is not None]


def _poll_interval(records: list[Record]) -> float | None:
    for r in records:
        if r.data.get("interval_s"):
            return float(r.data["interval_s"])
    return None


def _event(r: Record, zone) -> dict[str, Any]:
    return {"seq": r.seq, "time": C.iso(r.ts_us, zone), "kind": r.kind, **r.data}


def segment_intact(records: list[dict[str, Any]]) -> bool:
    """The records of a proof follow one another and each matches its hash: checkable by
    anyone with the bundle (sha256 over the previous hash and the record's fields)."""
    from journal.store import canonical

    previous: bytes | None = None
    expected_seq: int | None = None
    for r in records:
        prev, digest = bytes.fromhex(r["prev"]), bytes.fromhex(r["hash"])
        if expected_seq is not None and (r["seq"] != expected_seq or prev != previous):
            return False
        text = canonical(r["data"])
        if record_hash(prev, r["seq"], r["time_us"], r["kind"], r["run"], text) != digest:
            return False
        previous, expected_seq = digest, r["seq"] + 1
    return True
