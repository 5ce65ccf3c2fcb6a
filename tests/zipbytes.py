"""Zips built byte by byte: each field of the local header, the central directory and the end
record can be set on its own, so that the two can disagree the way a hostile bundle makes them
disagree. (zipfile cannot write such zips: it keeps its headers consistent.)"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field

UNIX_FILE = 0o100644 << 16
UNIX_DIR = (0o040755 << 16) | 0x10


@dataclass
class Member:
    name: bytes | str
    data: bytes = b""
    method: int = 8
    flags: int = 0
    made_by: int = (3 << 8) | 20
    external: int | None = None
    # What the central directory declares, when it is to differ from the truth:
    # crc, csize, usize, name, method, flags, offset, need (version needed to extract).
    central: dict = field(default_factory=dict)
    # What the local header declares, when it is to differ from the truth.
    local: dict = field(default_factory=dict)  # crc, csize, usize, name, method, flags, need
    payload: bytes | None = None  # the bytes stored as data, instead of data compressed
    descriptor: bool = False  # sizes and CRC after the data (flag bit 3)
    local_extra: bytes = b""
    central_extra: bytes = b""

    def raw_name(self) -> bytes:
        return self.name.encode("utf-8") if isinstance(self.name, str) else self.name


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def sums(files: dict[str, bytes]) -> bytes:
    return "".join(
        f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(files.items())
    ).encode()


def build(
    members: list[Member],
    *,
    prefix: bytes = b"",
    between: dict[int, bytes] | None = None,
    before_directory: bytes = b"",
    after_end: bytes = b"",
    comment: bytes = b"",
) -> bytes:
    """The zip's bytes: ``prefix``, each member (``between[i]`` after member i), the
    directory, the end record with ``comment``, then ``after_end``."""
    between = between or {}
    out = bytearray(prefix)
    rows = []
    for i, m in enumerate(members):
        name = m.raw_name()
        flags = m.flags | (0x8 if m.descriptor else 0)
        if any(b >= 0x80 for b in name) and isinstance(m.name, str):
            flags |= 0x800
        payload = m.payload if m.payload is not None else (
            deflate(m.data) if m.method == 8 else m.data
        )  # fmt: skip
        truth = dict(
            crc=zlib.crc32(m.data), csize=len(payload), usize=len(m.data), name=name,
            method=m.method, flags=flags,
        )  # fmt: skip
        local = {**truth, **m.local}
        central = {**truth, **m.central}
        offset = len(out)
        zeros = m.descriptor and not m.local
        out += b"PK\x03\x04" + struct.pack(
            "<HHHHHIIIHH",
            local.get("need", 20),
            local["flags"],
            local["method"],
            0,
            0x21,
            0 if zeros else local["crc"],
            0 if zeros else local["csize"],
            0 if zeros else local["usize"],
            len(local["name"]),
            len(m.local_extra),
        )
        out += local["name"] + m.local_extra + payload
        if m.descriptor:
            out += b"PK\x07\x08" + struct.pack("<III", truth["crc"], truth["csize"], truth["usize"])
        out += between.get(i, b"")
        external = m.external
        if external is None:
            external = UNIX_DIR if name.endswith(b"/") else UNIX_FILE
        rows.append((central, central.get("offset", offset), external, m))
    out += before_directory
    start = len(out)
    for central, offset, external, m in rows:
        out += b"PK\x01\x02" + struct.pack(
            "<HHHHHHIIIHHHHHII",
            m.made_by,
            central.get("need", 20),
            central["flags"],
            central["method"],
            0,
            0x21,
            central["crc"],
            central["csize"],
            central["usize"],
            len(central["name"]),
            len(m.central_extra),
            0,
            0,
            0,
            external,
            offset,
        )
        out += central["name"] + m.central_extra
    size = len(out) - start
    out += b"PK\x05\x06" + struct.pack(
        "<HHHHIIH", 0, 0, len(rows), len(rows), size, start, len(comment)
    )
    return bytes(out + comment + after_end)


def bundle(files: dict[str, bytes], extra: list[Member] = (), **layout) -> bytes:
    """A bundle as Clearline writes it (SHA256SUMS listing ``files``) plus ``extra`` members."""
    members = [Member(n, d) for n, d in files.items()]
    members += list(extra)
    members.append(Member("SHA256SUMS", sums(files)))
    return build(members, **layout)
