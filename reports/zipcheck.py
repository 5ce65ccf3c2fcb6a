"""A zip read the way every unzip tool will read it, or refused.

Python's zipfile trusts the central directory; unzip and bsdtar also read the local headers,
and where the two disagree each tool extracts something else. So here every byte of the file
must belong to exactly one structure: the entries, one after another from the first byte, each
a local header whose name, method, flags, CRC and sizes are the directory's, its data and (when
announced) a data descriptor; then the central directory; then (ZIP64) its end records; then
the end record, with no comment, as the file's last 22 bytes. Any gap, overlap or disagreement
is a problem naming the entry. Each entry's data is inflated here, from its local header, over
exactly its compressed size: it must end its deflate stream there, give exactly the size the
directory declares (inflation stops one byte past it: no bomb gets further) and match its CRC.

Names are held to what every file system makes of them alike: ASCII or flagged UTF-8 in NFC,
no absolute path, no backslash, no `..`, no empty or `.` part, no part ending in a dot or a
space (Windows trims them), none of Windows' reserved names or characters, and no two names
that are one file once case is folded; folder entries carry no data, and every entry's Unix
mode (when it has one) is a plain file or a folder.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from checks.i18n import N_, said

LOCAL, CENTRAL, END, DESCRIPTOR = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x07\x08"
END64, LOCATOR64 = b"PK\x06\x06", b"PK\x06\x07"
STORED, DEFLATED = 0, 8
ENCRYPTED, HAS_DESCRIPTOR, UTF8 = 0x1, 0x8, 0x800
COMPARED_FLAGS = ENCRYPTED | HAS_DESCRIPTOR | UTF8
# Flags that change how the data is read and that unzip tools refuse or read differently:
# zipfile raises on patched data; strong encryption and masked headers are PKWARE-only.
UNREADABLE_FLAGS = {
    0x20: N_("compressed patched data (flag bit 5)"),
    0x40: N_("strong encryption (flag bit 6)"),
    0x2000: N_("masked local headers (flag bit 13)"),
}
ZIP64_EXTRA, UNICODE_PATH_EXTRA = 0x0001, 0x7075
CHUNK = 1024 * 1024
MAX_DIRECTORY = 64 * 1024 * 1024
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.I)
WINDOWS_FORBIDDEN = set('<>:"|?*') | {chr(c) for c in range(32)} | {"\x7f"}
UNIX_KINDS = {
    0o120000: N_("a symbolic link"),
    0o010000: N_("a FIFO (named pipe)"),
    0o020000: N_("a character device"),
    0o060000: N_("a block device"),
    0o140000: N_("a socket"),
}


# What inflate says of data that is merely damaged (counted as changed, not named).
DAMAGE = (
    "its data is cut short",
    "its compressed data is damaged",
    "its CRC does not match",
)


class Unreadable(ValueError):
    """No zip this reader can walk (not a zip, or its end records are damaged)."""


@dataclass
class Entry:
    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    csize: int
    usize: int
    offset: int  # of the local header
    made_by: int  # the system that made it (3: Unix; its mode is in external_attr)
    external_attr: int
    data_offset: int = -1  # where the data begins, once the local header is read
    end: int = -1  # the first byte after the data (and its descriptor)
    problem: str | None = None  # the first thing wrong with the entry itself

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


@dataclass
class Layout:
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole


def _u16(data: bytes, at: int) -> int:
    return struct.unpack_from("<H", data, at)[0]


def _u32(data: bytes, at: int) -> int:
    return struct.unpack_from("<I", data, at)[0]


def _u64(data: bytes, at: int) -> int:
    return struct.unpack_from("<Q", data, at)[0]


def _read_at(fp: BinaryIO, offset: int, size: int) -> bytes:
    fp.seek(offset)
    data = fp.read(size)
    if len(data) != size:
        raise Unreadable(said("the file ends inside a record at byte {offset}", offset=offset))
    return data


def _extras(blob: bytes) -> dict[int, bytes] | None:
    """The extra fields by id; None when they do not parse exactly (a tool may read them
    otherwise)."""
    out: dict[int, bytes] = {}
    at = 0
    while at < len(blob):
        if at + 4 > len(blob):
            return None
        kind, size = struct.unpack_from("<HH", blob, at)
        if at + 4 + size > len(blob) or kind in out:
            return None
        out[kind] = blob[at + 4 : at + 4 + size]
        at += 4 + size
    return out


def _zip64(extra: bytes, wanted: list[str]) -> dict[str, int] | None:
    """ZIP64 extra values for the fields whose 32-bit value was all ones, in the spec's order."""
    if len(extra) < 8 * len(wanted):
        return None
    return {name: _u64(extra, 8 * i) for i, name in enumerate(wanted)}


def read_layout(fp: BinaryIO, size: int, max_entries: int) -> Layout:
    """Every entry as the directory declares it, each checked against its local header, and
    every byte of the file accounted for."""
    layout = Layout()
    n_total, cd_size, cd_offset, directory_end = _end_records(fp, size, layout)
    if n_total > max_entries:
        raise TooMany(n_total)
    if cd_offset + cd_size != directory_end:
        layout.problems.append(said("bytes between the central directory and its end record"))
    if cd_size > MAX_DIRECTORY or cd_offset + cd_size > size:
        raise Unreadable(said("a central directory larger than the file"))
    directory = _read_at(fp, cd_offset, cd_size)
    at = 0
    for _ in range(n_total):
        entry, at = _central_entry(directory, at)
        layout.entries.append(entry)
    if at != len(directory):
        layout.problems.append(said("bytes in the central directory that no entry accounts for"))
    _walk_local(fp, layout, cd_offset)
    return layout


def _end_records(fp: BinaryIO, size: int, layout: Layout) -> tuple[int, int, int, int]:
    """(entries, directory size, directory offset, where the directory must end) from the end
    record, or its ZIP64 form; a comment, appended bytes or a split zip are refused."""
    if size < 22:
        raise Unreadable(said("too short to be a zip file"))
    end = _read_at(fp, size - 22, 22)
    if end[:4] != END:
        tail = _read_at(fp, max(0, size - 65557), min(size, 65557))
        if END not in tail:
            raise Unreadable(said("no end of central directory record"))
        raise Unreadable(said("bytes after the end of the zip (a comment, or appended data)"))
    disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment = struct.unpack_from(
        "<HHHHIIH", end, 4
    )
    if comment:
        raise Unreadable(said("bytes after the end of the zip (a comment, or appended data)"))
    directory_end = size - 22
    if size >= 42 and _read_at(fp, size - 42, 4) == LOCATOR64:
        locator = _read_at(fp, size - 42, 20)
        z64_disk, z64_offset, disks = struct.unpack_from("<IQI", locator, 4)
        if z64_disk != 0 or disks != 1:
            raise Unreadable(said("a zip split over several disks"))
        record = _read_at(fp, z64_offset, 56)
        if record[:4] != END64:
            raise Unreadable(said("a damaged ZIP64 end record"))
        record_size = _u64(record, 4)
        if z64_offset + 12 + record_size != size - 42:
            layout.problems.append(said("bytes between the ZIP64 end records"))
        disk, cd_disk = struct.unpack_from("<II", record, 16)
        n_disk, n_total, cd_size, cd_offset = struct.unpack_from("<QQQQ", record, 24)
        directory_end = z64_offset
    if disk != 0 or cd_disk != 0 or n_disk != n_total:
        raise Unreadable(said("a zip split over several disks"))
    return n_total, cd_size, cd_offset, directory_end


def _central_entry(directory: bytes, at: int) -> tuple[Entry, int]:
    """The central directory's entry at ``at``, with its problems, and where the next begins."""
    if directory[at : at + 4] != CENTRAL or at + 46 > len(directory):
        raise Unreadable(said("a damaged central directory"))
    (made_by, need, flags, method, _t, _d, crc, csize, usize, nlen, xlen, clen) = (
        struct.unpack_from("<HHHHHHIIIHHH", directory, at + 4)
    )
    entry_disk, _internal, external, offset = struct.unpack_from("<HHII", directory, at + 34)
    raw_name = directory[at + 46 : at + 46 + nlen]
    extra_blob = directory[at + 46 + nlen : at + 46 + nlen + xlen]
    at += 46 + nlen + xlen + clen
    if at > len(directory):
        raise Unreadable(said("a damaged central directory"))
    entry = Entry(
        _decode(raw_name, flags), raw_name, flags, method, crc, csize, usize, offset,
        made_by >> 8, external,
    )  # fmt: skip
    extras = _extras(extra_blob)
    if extras is None:
        entry.problem = said("extra fields that do not parse")
    else:
        wanted = [
            k
            for k, v in (("usize", usize), ("csize", csize), ("offset", offset))
            if v == 0xFFFFFFFF
        ]
        if wanted:
            values = _zip64(extras.get(ZIP64_EXTRA, b""), wanted)
            if values is None:
                entry.problem = said("a ZIP64 size that is missing")
            else:
                for key, value in values.items():
                    setattr(entry, key, value)
        if UNICODE_PATH_EXTRA in extras:
            entry.problem = said("a second name in an extra field (some tools use that one)")
    if entry_disk != 0:
        entry.problem = said("a part on another disk")
    entry.problem = entry.problem or _version_problem(need) or _flags_problem(flags)
    return entry, at


# The newest "version needed to extract" Info-ZIP's unzip 6.0 reads (4.6); above it, it skips
# the entry ("need PK compat. v6.4 (can do v4.6)") and Python's zipfile refuses above 6.3.
MAX_NEED = 46


def _version_problem(need: int) -> str | None:
    version = need & 0xFF
    if version <= MAX_NEED:
        return None
    return said(
        "it needs version {version} of the zip format to unpack",
        version=f"{version // 10}.{version % 10}",
    )


def _flags_problem(flags: int) -> str | None:
    for bit, words in UNREADABLE_FLAGS.items():
        if flags & bit:
            return said(
                "it is stored as {words}, which unzip tools do not read alike", words=said(words)
            )
    return None


class TooMany(Unreadable):
    def __init__(self, count: int):
        super().__init__(said("{count} entries", count=count))
        self.count = count


def _decode(raw: bytes, flags: int) -> str:
    if flags & UTF8:
        return raw.decode("utf-8", "replace")
    return raw.decode("cp437")  # what zipfile does; a non-ASCII name is refused below


def _walk_local(fp: BinaryIO, layout: Layout, cd_offset: int) -> None:
    """Each local header at its offset, in file order, each beginning where the last ended."""
    expected = 0
    for entry in sorted(layout.entries, key=lambda e: e.offset):
        if entry.offset != expected:
            layout.problems.append(
                said("bytes {start}–{end} belong to no entry", start=expected, end=entry.offset)
                if entry.offset > expected
                else said("{name}: its data overlaps another entry's", name=entry.name)
            )
        expected = max(expected, entry.offset)
        end = _local_entry(fp, entry)
        if end is not None:
            expected = max(expected, end)
    if expected != cd_offset:
        layout.problems.append(
            said("bytes {start}–{end} belong to no entry", start=expected, end=cd_offset)
            if cd_offset > expected
            else said("the entries overlap the central directory")
        )


def _local_entry(fp: BinaryIO, entry: Entry) -> int | None:
    """An entry's local header compared with the directory (its problem set when they
    differ); returns where its data ends, or None without a readable local header."""
    try:
        header = _read_at(fp, entry.offset, 30)
    except Unreadable:
        entry.problem = entry.problem or said("its local header is outside the file")
        return None
    if header[:4] != LOCAL:
        entry.problem = entry.problem or said("no local header where the directory points")
        return None
    need, flags, method, _t, _d, crc, csize, usize, nlen, xlen = struct.unpack_from(
        "<HHHHHIIIHH", header, 4
    )
    entry.problem = entry.problem or _version_problem(need) or _flags_problem(flags)
    name = fp.read(nlen)
    extra = fp.read(xlen)
    entry.data_offset = entry.offset + 30 + nlen + xlen
    extras = _extras(extra)
    local_zip64 = False
    if extras is None:
        entry.problem = entry.problem or said("local extra fields that do not parse")
    else:
        if UNICODE_PATH_EXTRA in extras:
            entry.problem = entry.problem or said("a second name in an extra field")
        if ZIP64_EXTRA in extras and (usize == 0xFFFFFFFF or csize == 0xFFFFFFFF):
            values = _zip64(extras[ZIP64_EXTRA], ["usize", "csize"])
            if values is None:
                entry.problem = entry.problem or said("a ZIP64 size that is missing")
            else:
                usize, csize = values["usize"], values["csize"]
                local_zip64 = True
    if name != entry.raw_name:
        entry.problem = entry.problem or said("its local header names another file")
    elif method != entry.method or (flags ^ entry.flags) & COMPARED_FLAGS:
        entry.problem = entry.problem or said("its local header and the directory disagree")
    elif not flags & HAS_DESCRIPTOR and (crc, csize, usize) != (
        entry.crc,
        entry.csize,
        entry.usize,
    ):
        entry.problem = entry.problem or said(
            "its local header and the directory give different sizes or checksums"
        )
    end = entry.data_offset + entry.csize
    if flags & HAS_DESCRIPTOR and entry.problem is None:
        end = _check_descriptor(fp, entry, end, local_zip64)
    entry.end = end
    return end


def _check_descriptor(fp: BinaryIO, entry: Entry, at: int, zip64: bool) -> int:
    width = 8 if zip64 or entry.csize >= 0xFFFFFFFF or entry.usize >= 0xFFFFFFFF else 4
    try:
        head = _read_at(fp, at, 4)
        if head == DESCRIPTOR:
            at += 4
        body = _read_at(fp, at, 4 + 2 * width)
    except Unreadable:
        entry.problem = said("its data descriptor is missing")
        return at
    crc = _u32(body, 0)
    csize, usize = struct.unpack_from("<QQ" if width == 8 else "<II", body, 4)
    if (crc, csize, usize) != (entry.crc, entry.csize, entry.usize):
        entry.problem = said("its data descriptor and the directory disagree")
    return at + 4 + 2 * width


def name_problem(entry: Entry) -> str | None:
    """Why a name may unpack as another name, or somewhere else, with some tool."""
    raw, name = entry.raw_name, entry.name
    if not entry.flags & UTF8 and any(b >= 0x80 for b in raw):
        return said("a non-ASCII name without the UTF-8 flag (tools read it differently)")
    if entry.flags & UTF8:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return said("a name that is not valid UTF-8")
    if not name or name in ("/",):
        return said("an empty name")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return said("an absolute path")
    if "\\" in name:
        return said("a backslash in its name")
    parts = name[:-1].split("/") if entry.is_dir else name.split("/")
    if any(part == ".." for part in parts):
        return said("a path that leaves the folder (..)")
    if any(part in ("", ".") for part in parts):
        return said("an empty or '.' part in its path (another name for the same file)")
    if any(part[-1] in ". " for part in parts):
        return said("a part ending in a dot or a space (Windows drops it: another name)")
    # unzip and bsdtar cannot write a name part over 255 bytes (the file systems' limit), nor
    # Windows a path over 260 characters: "intact" would name a file no tool extracts.
    if any(len(part.encode("utf-8")) > 255 for part in parts) or len(name) > 250:
        return said("a name too long to be extracted (more than 255 bytes in a part)")
    if any(ch in WINDOWS_FORBIDDEN for ch in name):
        return said("a character Windows does not allow in a name")
    if any(WINDOWS_RESERVED.match(part) for part in parts):
        return said("a name Windows reserves for a device")
    if unicodedata.normalize("NFC", name) != name:
        return said("a name not in Unicode NFC form (macOS shows another name)")
    return None


def same_file_key(name: str) -> str:
    """What a case-insensitive, normalising file system (Windows, macOS) makes of a name."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold()).rstrip("/")


def mode_problem(entry: Entry) -> str | None:
    # The high 16 bits are a Unix mode when the maker was Unix (3); other makers leave them 0.
    # Read them whoever says they made it: some tools apply them regardless.
    if entry.made_by == 3 or entry.external_attr >> 16:
        kind = (entry.external_attr >> 16) & 0o170000
        if kind in UNIX_KINDS:
            return said(UNIX_KINDS[kind])
        if kind == 0o040000 and not entry.is_dir:
            return said("a folder by its mode, a file by its name")
        if kind == 0o100000 and entry.is_dir:
            return said("a file by its mode, a folder by its name")
        if kind not in (0, 0o040000, 0o100000):
            return said("an unknown kind of file")
    if entry.external_attr & 0x10 and not entry.is_dir:
        return said("a folder by its attributes, a file by its name")
    return None


def collisions(entries: list[Entry]) -> list[str]:
    """Names that are one file, or a file and a folder, on Windows or macOS."""
    seen: dict[str, str] = {}
    problems = []
    for entry in entries:
        key = same_file_key(entry.name)
        if key in seen and seen[key] != entry.name:
            problems.append(
                said(
                    "{name}: the same file as {other} on Windows or macOS",
                    name=entry.name,
                    other=seen[key],
                )
            )
        seen.setdefault(key, entry.name)
    files = {same_file_key(e.name): e.name for e in entries if not e.is_dir}
    for entry in entries:
        parts = same_file_key(entry.name).split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if folder in files:
                problems.append(
                    said(
                        "{name}: inside {file}, which is a file",
                        name=entry.name,
                        file=files[folder],
                    )
                )
                break
    return problems


@dataclass
class Inflated:
    size: int
    problem: str | None = None


def inflate(
    fp: BinaryIO, entry: Entry, sink: Callable[[bytes], None], chunk: int = CHUNK
) -> Inflated:
    """Feed ``sink`` the entry's bytes, read from its local data over exactly its compressed
    size. A problem when the stream ends early or late, gives another size than declared
    (stopping one byte past it), or fails its CRC."""
    if entry.flags & ENCRYPTED:
        return Inflated(0, said("encrypted"))
    if entry.method not in (STORED, DEFLATED):
        return Inflated(0, said("unknown compression method"))
    if entry.data_offset < 0:
        return Inflated(0, entry.problem or said("no local header"))
    fp.seek(entry.data_offset)
    left = entry.csize
    crc = 0
    size = 0
    inflater = zlib.decompressobj(-15) if entry.method == DEFLATED else None
    pending = b""  # input the inflater has not taken yet (it gives at most a chunk at a time)
    while True:
        if not pending and left:
            pending = fp.read(min(chunk, left))
            if not pending:
                return Inflated(size, said("its data is cut short"))
            left -= len(pending)
        if inflater is None:
            if not pending:
                break
            out, pending = pending, b""
        else:
            if inflater.eof:
                if pending or left:
                    return Inflated(size, said("bytes after its compressed data"))
                break
            # One byte past the declared size is enough to know it is larger.
            want = min(chunk, entry.usize + 1 - size)
            try:
                out = inflater.decompress(pending, want)
            except zlib.error:
                return Inflated(size, said("its compressed data is damaged"))
            pending = inflater.unconsumed_tail
            if inflater.unused_data:
                return Inflated(size, said("bytes after its compressed data"))
            if not out and not pending and not left:
                if not inflater.eof:
                    return Inflated(size, said("its compressed data ends early"))
                break
        if size + len(out) > entry.usize:
            return Inflated(size, said("it unpacks to more than the directory declares"))
        if out:
            sink(out)
            crc = zlib.crc32(out, crc)
            size += len(out)
    if size != entry.usize:
        return Inflated(size, said("it unpacks to less than the directory declares"))
    if crc != entry.crc:
        return Inflated(size, said("its CRC does not match"))
    return Inflated(size)
