"""Checking a bundle, as a desk does: every member against SHA256SUMS, read as every unzip tool
reads it (reports/zipcheck.py), the journal's chain proof, and, for many bundles at once, one
JSON line each with what its reply.json says (`verify A.zip B.zip ...`, or
`python -m reports.bundle_check` on a machine with nothing but Python and this source: it
imports only the standard library and Clearline's own readers)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checks.i18n import said

SUMS = "SHA256SUMS"
JOURNAL_FILE = "journal.json"  # cases.store.JOURNAL_FILE; not imported, to stay light
REPLY_FILE = "reply.json"  # reports.reply.FILE_NAME
MAX_REPLY_BYTES = 4 * 1024 * 1024


# What verify accepts at most: a bundle is a few files of a few megabytes.
MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 2 * 1024**3
CHUNK = 1024 * 1024
HONEST = (
    "This shows that the files match the checksum list written when the bundle was made;"
    " it does not show who made them."
)


@dataclass
class Verification:
    ok: bool
    checked: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    reply: dict | None = None  # reply.json, when its checksum matched (the desk's line)
    digests: dict[str, str] = field(default_factory=dict)  # each checked file's sha256

    def to_dict(self) -> dict:
        shown = {k: v for k, v in self.__dict__.items() if k not in ("reply", "digests")}
        return {**shown, "what_this_proves": HONEST}


_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
MAX_SUMS_BYTES = 4 * 1024 * 1024  # 10,000 lines of checksum and name
# The proof is parsed whole (Python's json needs several times the text in memory): at most
# what an export may hold (journal.export.MAX_PROOF_RECORDS records of about 850 bytes, twice
# for the events), so that a small zip cannot make a desk's check take gigabytes.
MAX_JOURNAL_BYTES = 96 * 1024 * 1024


def verify(path: Path) -> Verification:
    """Check every member against SHA256SUMS, streaming (bounded memory), with the limits above.
    Anything that is not a plain, listed, matching file makes the bundle "not intact"; the zip
    is read as every unzip tool reads it (reports/zipcheck.py)."""
    try:
        return _verify(path)
    except MemoryError:
        return Verification(False, error=said("the zip is too large to check"))
    except Exception as exc:  # a damaged zip must never crash verify
        return Verification(
            False, error=said("the zip is damaged ({kind})", kind=type(exc).__name__)
        )


def _verify(path: Path) -> Verification:
    from checks.safefile import NotARegularFile, open_regular
    from reports import zipcheck

    try:
        fp = open_regular(path)  # a FIFO or a device is refused before a byte is read
    except NotARegularFile as exc:
        return Verification(False, error=said("not a zip file: {why}", why=exc.strerror))
    except OSError as exc:
        return Verification(False, error=said("not a readable zip file: {why}", why=_why(exc)))
    with fp:
        size = os.fstat(fp.fileno()).st_size
        try:
            layout = zipcheck.read_layout(fp, size, MAX_ENTRIES)
        except zipcheck.TooMany as exc:
            return Verification(
                False,
                error=said(
                    "the bundle has {count} entries (at most {limit})",
                    count=exc.count,
                    limit=MAX_ENTRIES,
                ),
            )
        except (zipcheck.Unreadable, OSError, struct.error) as exc:
            return Verification(False, error=said("not a readable zip file: {why}", why=_why(exc)))
        return _check(fp, layout)


def _check(fp, layout) -> Verification:
    """The bundle against its own checksum list, reading what each file unpacks to."""
    entries = layout.entries
    if sum(e.usize for e in entries) > MAX_TOTAL_BYTES:
        return Verification(False, error=said("the bundle unpacks to more than 2 GiB"))
    result = Verification(True, problems=list(layout.problems))
    members = _members(entries, result)
    if SUMS not in members:
        result.ok = False
        result.extra = sorted(members)
        result.error = said("the bundle has no SHA256SUMS file")
        return result
    sums = _read_sums(fp, members[SUMS])
    if isinstance(sums, Verification):
        return sums
    expected = _expected(sums, result)
    journal_bytes = _check_files(fp, members, expected, result)
    result.extra = sorted(n for n in members if n not in expected and n != SUMS)
    head = None
    if journal_bytes is not None:
        problems, head = _journal_proof(bytes(journal_bytes))
        result.problems += [_about(JOURNAL_FILE, p) for p in problems]
    if result.reply is not None:
        sizes = {name: entry.usize for name, entry in members.items()}
        result.problems += reply_problems(result.reply, result.digests, sizes, head)
    result.ok = not (result.changed or result.missing or result.extra or result.problems)
    return result


def _members(entries: list, result: Verification) -> dict:
    """The files of the zip by name; every unsafe name, mode, folder with data, twice-named or
    colliding entry noted as a problem."""
    from reports import zipcheck

    members: dict[str, zipcheck.Entry] = {}
    for entry in entries:
        name = entry.name
        why = entry.problem or zipcheck.name_problem(entry) or zipcheck.mode_problem(entry)
        if entry.is_dir and why is None and entry.usize + entry.csize:
            why = said("a folder entry carrying {count} bytes", count=entry.usize or entry.csize)
        if why:
            result.problems.append(_about(name, why))
        if entry.is_dir:
            continue
        if name in members:
            result.problems.append(_about(name, said("appears twice in the zip")))
        members[name] = entry
    result.problems += [p for p in zipcheck.collisions(entries) if "appears twice" not in p]
    return members


def _read_sums(fp, sums_entry) -> str | Verification:
    """SHA256SUMS as text, or the verification that it is damaged."""
    from reports import zipcheck

    if sums_entry.usize > MAX_SUMS_BYTES:
        return Verification(
            False,
            changed=[SUMS],
            error=said("SHA256SUMS is damaged: larger than a checksum list"),
        )
    held = bytearray()
    done = zipcheck.inflate(fp, sums_entry, held.extend)
    if done.problem:
        return Verification(
            False, changed=[SUMS], error=said("SHA256SUMS is damaged: {why}", why=done.problem)
        )
    try:
        return bytes(held).decode("utf-8")
    except UnicodeDecodeError as exc:
        return Verification(
            False, changed=[SUMS], error=said("SHA256SUMS is damaged: {why}", why=str(exc))
        )


def _expected(sums: str, result: Verification) -> dict[str, str]:
    """Name -> checksum from the list; malformed and repeated lines noted."""
    expected: dict[str, str] = {}
    for number, line in enumerate(sums.splitlines(), 1):
        if not line.strip():
            continue
        m = _SUM_LINE.match(line)
        if not m:
            result.problems.append(
                said("SHA256SUMS line {number} is not 'checksum  name'", number=number)
            )
            continue
        if m.group(2) in expected:
            result.problems.append(said("SHA256SUMS lists {name} twice", name=m.group(2)))
        expected[m.group(2)] = m.group(1)
    if not expected:
        result.problems.append(said("SHA256SUMS lists no files"))
    return expected


def _check_files(fp, members: dict, expected: dict[str, str], result: Verification):
    """Each listed file unpacked and hashed: checked, changed or missing. Returns the journal's
    bytes when they matched (its chain proof is read next); reply.json is read on the way."""
    from reports import zipcheck

    journal_bytes: bytearray | None = None
    for name, digest in sorted(expected.items()):
        entry = members.get(name)
        if entry is None:
            result.missing.append(name)
            continue
        sha = hashlib.sha256()
        keep = (name == JOURNAL_FILE and entry.usize <= MAX_JOURNAL_BYTES) or (
            name == REPLY_FILE and entry.usize <= MAX_REPLY_BYTES
        )
        kept = bytearray()

        def sink(chunk: bytes, sha=sha, keep=keep, kept=kept) -> None:
            sha.update(chunk)
            if keep:
                kept.extend(chunk)

        done = zipcheck.inflate(fp, entry, sink)
        if entry.problem:  # named above; its bytes are not what every tool reads
            result.changed.append(name)
            continue
        if done.problem:
            # Damage (a failed CRC, broken deflate data) means changed; what makes tools
            # disagree (data past the declared size or stream) is also named.
            if done.problem not in zipcheck.DAMAGE:
                result.problems.append(_about(name, done.problem))
            result.changed.append(name)
            continue
        matched = sha.hexdigest() == digest
        (result.checked if matched else result.changed).append(name)
        if matched:
            result.digests[name] = digest
        if keep and matched and name == REPLY_FILE:
            result.reply = _reply(bytes(kept))
        elif keep and matched:
            journal_bytes = kept
        elif name == JOURNAL_FILE and matched:
            result.problems.append(_about(JOURNAL_FILE, said("too large to check its chain proof")))
    return journal_bytes


def _about(name: str, what: str) -> str:
    """A problem of one file of the bundle, named first."""
    return said("{name}: {what}", name=name, what=what)


def _why(exc: BaseException) -> str:
    """An exception's message, keeping a reader's ``Said`` words (str() would lose them)."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)


def _journal_proof(data: bytes) -> tuple[list[str], str | None]:
    """The journal range carries its records' hash chain: check that it holds (a checksum
    file can be remade; the chain ties the records to the journal they came from). Returns
    (what is wrong, if anything; the hash of its last record when it holds)."""
    from journal.export import contradictions, segment_intact

    try:
        doc = json.loads(data.decode("utf-8"))
        records = doc["proof"]["records"]
        if not isinstance(records, list):
            return [said("its chain proof is missing")], None
        if not segment_intact(records):
            return [said("its records do not follow from one another")], None
        found = contradictions(doc)
        if found:
            return found, None
        last = records[-1] if records and isinstance(records[-1], dict) else {}
        return [], str(last.get("hash") or "") or None
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return [said("its chain proof cannot be read")], None


def reply_problems(
    reply: dict, digests: dict[str, str], sizes: dict[str, int], journal_head: str | None
) -> list[str]:
    """What reply.json says of the bundle that the bundle does not bear out. A desk's tools read
    reply.json, not the files: a checksum list remade after a file was changed, added or
    removed must not let it describe other files, or cite a journal the bundle does not hold."""
    files = {n: d for n, d in digests.items() if n not in (REPLY_FILE, SUMS)}
    ext = reply.get("x_clearline") if isinstance(reply.get("x_clearline"), dict) else {}
    listed = ext.get("files") if isinstance(ext.get("files"), dict) else {}
    out = []
    for name in sorted(set(listed) | set(files)):
        told = listed.get(name) if isinstance(listed.get(name), dict) else {}
        if name not in files:
            out.append(
                _about(
                    REPLY_FILE,
                    said("names {name}, which the bundle does not hold intact", name=name),
                )
            )
        elif name not in listed:
            out.append(
                _about(REPLY_FILE, said("does not name {name}, which the bundle holds", name=name))
            )
        elif told.get("sha256") != files[name] or told.get("size") != sizes.get(name):
            out.append(
                _about(
                    REPLY_FILE, said("describes {name} other than the bundle holds it", name=name)
                )
            )
    evidence = reply.get("evidence") if isinstance(reply.get("evidence"), list) else []
    hashes = {e.get("hash") for e in evidence if isinstance(e, dict)}
    if hashes != {f"sha256:{d}" for d in files.values()}:
        out.append(_about(REPLY_FILE, said("its evidence hashes are not the bundle's files")))
    journal = ext.get("journal") if isinstance(ext.get("journal"), dict) else None
    if journal is not None and journal.get("verified") is True:
        if journal_head is None:
            out.append(
                _about(REPLY_FILE, said("cites a verified journal the bundle does not bear out"))
            )
        elif journal.get("chain_head") != journal_head:
            out.append(
                _about(
                    REPLY_FILE,
                    said("its journal head is not the head of {name}", name=JOURNAL_FILE),
                )
            )
    return out


def _reply(data: bytes) -> dict | None:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


# --- many bundles: what a desk runs -------------------------------------------------------


def bundles_in(paths: list[str]) -> list[Path]:
    """The bundles named: files as given, folders as the .zip files directly inside them."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() == ".zip")
        else:
            found.append(path)
    return found


def desk_line(path: Path) -> dict:
    """One bundle as one JSON line: intact or not and why, and what its reply.json says (only
    from a reply.json whose checksum matched)."""
    result = verify(path)
    why = [
        *(f"changed: {n}" for n in result.changed),
        *(f"missing: {n}" for n in result.missing),
        *(f"extra: {n}" for n in result.extra),
        *result.problems,
        *([result.error] if result.error else []),
    ]
    line: dict = {"file": str(path), "intact": result.ok, "why": why}
    reply = result.reply or {}
    ext = reply.get("x_clearline") if isinstance(reply.get("x_clearline"), dict) else {}
    verdict = ext.get("verdict") if isinstance(ext.get("verdict"), dict) else {}
    journal = ext.get("journal") if isinstance(ext.get("journal"), dict) else None
    asked = ext.get("in_reply_to") if isinstance(ext.get("in_reply_to"), dict) else {}
    line.update(
        reply_id=reply.get("report_id"),
        reference=asked.get("reference"),
        source=reply.get("source_identifier"),
        incident=reply.get("timestamp"),
        verdict=verdict.get("kind"),
        origin=verdict.get("origin"),
        cleanup_status=ext.get("cleanup_status"),
        coverage=None
        if journal is None
        else {
            "window": journal.get("window"),
            "complete": journal.get("complete"),
            "gaps": len(journal.get("gaps") or []),
            "verified": journal.get("verified"),
            "chain_head": journal.get("chain_head"),
        },
    )
    return line


def main(argv: list[str] | None = None) -> int:
    """python -m reports.bundle_check BUNDLE.zip|FOLDER ...: one JSON line per bundle; exit 0
    when every bundle is intact, 2 when one is not, 3 when none was named."""
    import argparse

    from checks.visible import terminal_streams

    # UTF-8 into a pipe or a file whatever the code page (a folder named 証拠 on an English
    # Windows), the console's own encoding with replacement: a desk's run never stops on a name.
    terminal_streams()
    parser = argparse.ArgumentParser(
        prog="python -m reports.bundle_check",
        description="Check Clearline evidence bundles; one JSON line per bundle.",
    )
    parser.add_argument("paths", nargs="+", metavar="BUNDLE.zip|FOLDER")
    args = parser.parse_args(argv)
    bundles = bundles_in(args.paths)
    if not bundles:
        print("no bundle found", file=sys.stderr)
        return 3
    all_intact = True
    for path in bundles:
        line = desk_line(path)
        all_intact = all_intact and line["intact"]
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 0 if all_intact else 2


if __name__ == "__main__":
    raise SystemExit(main())
