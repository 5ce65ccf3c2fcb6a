"""A time range of the journal as one document: what was recorded, when the recorder was
running (and when not), and the chain proof of the records it rests on. This is what goes into
a case (journal.json) and the bundle, and what the assessment and the letter read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checks.i18n import said
from journal import coverage as C
from journal.store import ALERT, CONNECT, MX, START, Journal, Record, record_hash

FORMAT = 2
# A whole-chain walk is done when the journal is at most this long (a few seconds); beyond
# it, the segment is tied to a head written outside the database instead.
FULL_VERIFY_MAX = 300_000
# A case carries the records of its window whole; a window holding more than this (a day of a
# busy machine) is refused: export a shorter one (a complaint's is minutes).
# A complaint window's proof at most (a busy hour of a bot): its journal.json is then under
# reports.bundle_check.MAX_JOURNAL_BYTES, which a desk's check parses whole.
MAX_PROOF_RECORDS = 60_000


class WindowTooLarge(ValueError):
    pass


def window_doc(db: Path, start: datetime, end: datetime, zone=None) -> dict[str, Any]:
    start_us, end_us = C.to_us(start), C.to_us(end)
    if end_us < start_us:
        start_us, end_us = end_us, start_us
    margin = C.MAX_GAP_S * 1_000_000
    with Journal(db, readonly=True) as journal:
        around = list(journal.records(start_us - margin, end_us + margin))
        # How each run recorded, and from when it may vouch, is in its start record, which may
        # lie long before the range (or, after its clock went back, after it).
        starts = [_span(journal, run, run) for run in sorted({r.run for r in around if r.run})]
        begun = [r for found in starts for r in found if r.kind == START]
        cov = C.coverage(around, start_us, end_us, {r.seq: r.ts_us for r in begun})
        # The proof: every record from the first to the last one used, with nothing left out
        # (records are numbered in the order written).
        proof: list[Record] = []
        if around:
            lo, hi = min(r.seq for r in around), max(r.seq for r in around)
            if hi - lo + 1 > MAX_PROOF_RECORDS:
                raise WindowTooLarge(
                    f"the range holds {hi - lo + 1:,} records; export at most"
                    f" {MAX_PROOF_RECORDS:,} (a shorter range)"
                )
            proof = _span(journal, lo, hi)
        head = journal.last()
        first, _last = journal.first_and_last()
        checked = verification(journal, db, proof)
        interval = _poll_interval(begun + around)
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
            # The start record of each run in it: a run vouches for nothing before its start.
            "run_starts": [r.to_dict() for r in begun],
            "head": {"seq": head[0], "hash": head[1].hex()},
            # The last record of the segment: the commitment the letter prints.
            "segment_head": {"seq": proof[-1].seq, "hash": proof[-1].hash.hex()} if proof else None,
            "segment_intact": checked["segment_intact"],
        },
        "verification": checked,
    }


def verification(journal: Journal, db: Path, proof: list[Record]) -> dict[str, Any]:
    """Whether the segment can be cited: its records chain and match their hashes; the journal
    still holds every head the recorder wrote outside it (no tail removed, no chain computed
    again); the segment leads to such a head; and the whole chain verifies when it is short
    enough to walk now. ``trusted`` is the one answer the letter reads."""
    from journal import heads as H
    from journal import keeper

    intact = segment_intact([r.to_dict() for r in proof])
    head_check = H.check(journal, db, (proof[0].seq, proof[-1].seq) if proof else None)
    anchored = _anchored(journal, db, proof)
    count = journal.count()
    if count <= FULL_VERIFY_MAX:
        verdict = journal.verify()
        chain = {"checked": True, "ok": verdict.ok, "problem": verdict.problem}
        chain.update({"seq": verdict.seq, "detail": verdict.detail})
    else:
        chain = {"checked": False, "ok": None, "records": count}
    logged = H.heads_around(db, 0, 0)[1] is not None
    kept_by = keeper.problem(db)
    trusted = (
        intact
        and head_check.ok
        and chain["ok"] is not False
        and (anchored or (not logged and chain["ok"] is True) or not proof)
        and kept_by is None
    )
    return {
        "segment_intact": intact,
        "heads": {
            "ok": head_check.ok,
            "problem": head_check.problem,
            "seq": head_check.seq,
            "detail": head_check.detail,
        },
        "anchored_to_head": anchored,
        "chain": chain,
        # Who could have written it: a journal a user's program can write cannot speak against
        # such a program, however well its records chain (journal/keeper.py).
        "keeper": {"ok": kept_by is None, "problem": kept_by or ""},
        "trusted": bool(trusted),
    }


def _anchored(journal: Journal, db: Path, proof: list[Record]) -> bool:
    """The segment's last record leads, record by record, to a head written outside the
    database at or after it."""
    from journal import heads as H

    if not proof:
        return False
    last = proof[-1]
    later = [h for h in H.heads_around(db, last.seq, last.seq)[0] if h.seq >= last.seq]
    if not later:
        return False
    target = min(later, key=lambda h: h.seq)
    previous = last.hash
    for r in _span(journal, last.seq + 1, target.seq):
        if (
            r.prev != previous
            or record_hash(r.prev, r.seq, r.ts_us, r.kind, r.run, _canonical(r.data)) != r.hash
        ):
            return False
        previous = r.hash
    return previous == target.hash


def _canonical(data: dict[str, Any]) -> str:
    from journal.store import canonical

    return canonical(data)


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


def contradictions(doc: dict[str, Any]) -> list[str]:
    """What a journal.json says that its own chain proof does not: its events and coverage are
    computed again from the proof records (checkable by anyone with the bundle) and compared.
    The letter reads events and coverage: a copy whose words were edited and whose records were
    left alone must not pass."""
    from journal.store import Record

    try:
        records = [
            Record(
                int(r["seq"]),
                int(r["time_us"]),
                str(r["kind"]),
                int(r["run"]),
                dict(r["data"]),
                bytes.fromhex(r["prev"]),
                bytes.fromhex(r["hash"]),
            )
            for r in doc["proof"]["records"]
        ]
        start = datetime.fromisoformat(doc["window"]["from"])
        end = datetime.fromisoformat(doc["window"]["to"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return [said("its proof or window cannot be read")]
    problems = []
    start_us, end_us = C.to_us(start), C.to_us(end)
    begun = {}
    for r in doc["proof"].get("run_starts") or []:
        if isinstance(r, dict) and r.get("kind") == START:
            try:
                begun[int(r["seq"])] = int(r["time_us"])
            except (KeyError, TypeError, ValueError):
                return [said("its run starts cannot be read")]
    cov = C.coverage(records, start_us, end_us, begun).to_dict(start.tzinfo)
    claimed = doc.get("coverage") if isinstance(doc.get("coverage"), dict) else {}
    if bool(claimed.get("complete")) != cov["complete"]:
        problems.append(said("its coverage says otherwise than its records"))
    for key in ("running", "gaps"):
        if _instants(claimed.get(key)) != _instants(cov[key]):
            problems.append(said("its coverage ({key}) says otherwise than its records", key=key))
    inside = {
        r.seq: r for r in records if start_us <= r.ts_us <= end_us and r.kind in (CONNECT, MX)
    }
    listed = {}
    for e in doc.get("events") or []:
        if isinstance(e, dict) and isinstance(e.get("seq"), int):
            listed[e["seq"]] = e
    if set(listed) != set(inside):
        problems.append(said("its events are not the events its records hold"))
    else:
        for seq, e in listed.items():
            r = inside[seq]
            shown = {k: v for k, v in e.items() if k not in ("seq", "time", "kind")}
            if e.get("kind") != r.kind or shown != r.data:
                problems.append(said("its event {seq} is not what record {seq} holds", seq=seq))
                break
    return problems


def _instants(items) -> list[tuple]:
    out = []
    for item in items or []:
        try:
            out.append(
                (
                    datetime.fromisoformat(item["from"]).timestamp(),
                    datetime.fromisoformat(item["to"]).timestamp(),
                    item.get("mode"),
                )
            )
        except (KeyError, TypeError, ValueError):
            out.append(("?",))
    return sorted(out, key=str)


def recheck(doc: dict[str, Any]) -> str | None:
    """Why a journal.json kept in a case may no longer be cited, or None: its proof records
    must still chain and its words (events, coverage) must still be what they hold. A case
    folder is the user's, and so any program's running as the user: the letter checks what it
    cites when it cites it, not only when the range was exported."""
    try:
        records = doc["proof"]["records"]
        if not isinstance(records, list) or not segment_intact(records):
            return "its records do not follow from one another"
    except (KeyError, TypeError, ValueError, AttributeError):
        return "its chain proof cannot be read"
    found = contradictions(doc)
    return "; ".join(found) if found else None
