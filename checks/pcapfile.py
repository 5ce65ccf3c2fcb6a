"""Read pcap and pcapng files as a stream of (timestamp, IP packet), in bounded memory.

Files come from elsewhere (a router's mirror port, Wireshark, tcpdump): a truncated or damaged
file yields what could be read and a warning, never an exception from the middle of a loop."""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from typing import BinaryIO

ETHERNET, RAW, SLL, SLL2, NULL, LOOP, IPV4, IPV6, PPP = 1, 101, 113, 276, 0, 108, 228, 229, 9
ETH_IP = {0x0800, 0x86DD}
PPPOE_SESSION = 0x8864
PPP_IP = {0x0021, 0x0057}  # IPv4, IPv6
# Link layers this reader decodes; a frame of any other is counted as undecoded, never skipped
# silently (a capture mostly undecoded says "unknown", not "no mail seen").
KNOWN_LINKTYPES = {ETHERNET, RAW, 12, 14, SLL, SLL2, NULL, LOOP, IPV4, IPV6, PPP}


class PcapError(ValueError):
    """Not a capture file we can read at all."""


MPLS = (0x8847, 0x8848)
ETAG = 0x893F  # IEEE 802.1BR: an 8-byte tag, then the real ethertype


def _mpls(frame: bytes, off: int) -> bytes | None:
    """The packet under an MPLS label stack: labels until the bottom-of-stack bit, then IP
    (told by its version nibble)."""
    for _ in range(16):
        if len(frame) < off + 4:
            return None
        bottom = frame[off + 2] & 0x01
        off += 4
        if bottom:
            version = frame[off] >> 4 if len(frame) > off else 0
            return frame[off:] if version in (4, 6) else None
    return None


# Frames that are not IP and cannot carry it: address resolution, link discovery, port
# authentication, link aggregation, clock sync, wake-on-LAN, OAM, powerline and home-network
# control, PPPoE discovery. Any other frame that is not IP (MACsec, an unknown type) could hold
# mail: it is counted as unread, never skipped in silence.
NOT_IP_ETHERTYPES = frozenset(
    {0x0806, 0x8035, 0x88CC, 0x888E, 0x8809, 0x88F7, 0x0842, 0x8902, 0x8899, 0x88E1, 0x8912}
    | {0x893A, 0x9000, 0x8863}
)
LLC_SNAP = b"\xaa\xaa\x03"


def _ethertype(frame: bytes) -> tuple[int, int]:
    """(where the payload starts, its ethertype) after VLAN tags, an E-Tag and an 802.2 SNAP
    header (LLC frames carrying IP, as some routers and old stacks send them)."""
    off, ethertype = 14, int.from_bytes(frame[12:14], "big") if len(frame) >= 14 else 0
    while ethertype in (0x8100, 0x88A8, 0x9100, ETAG) and len(frame) >= off + 4:
        size = 8 if ethertype == ETAG else 4  # VLAN tags, or an E-Tag
        ethertype = int.from_bytes(frame[off + size - 2 : off + size], "big")
        off += size
    if ethertype <= 1500 and frame[off : off + 3] == LLC_SNAP and len(frame) >= off + 8:
        ethertype, off = int.from_bytes(frame[off + 6 : off + 8], "big"), off + 8
    return off, ethertype


def may_hide_ip(linktype: int, frame: bytes) -> bool:
    """Could this frame, which strip_link did not read, carry an IP packet? Only frames known
    to be something else are harmless; a frame of a link layer this reader does not decode is
    counted as undecoded instead."""
    if linktype == ETHERNET:
        off, ethertype = _ethertype(frame)
        if ethertype <= 1500:  # 802.2 LLC without SNAP: spanning tree, NetBIOS, IPX
            return frame[off : off + 3] == LLC_SNAP
        return ethertype not in NOT_IP_ETHERTYPES
    if linktype in (SLL, SLL2):
        at = 14 if linktype == SLL else 0
        ethertype = int.from_bytes(frame[at : at + 2], "big") if len(frame) >= at + 2 else 0
        return ethertype > 1500 and ethertype not in NOT_IP_ETHERTYPES
    if linktype == PPP:
        body = frame[2:] if frame[:2] == b"\xff\x03" else frame
        protocol = int.from_bytes(body[:2], "big") if len(body) >= 2 else 0
        return protocol < 0x8000  # 0x8000 and up: link and network control (LCP, IPCP, CHAP)
    return False


def strip_link(linktype: int, frame: bytes) -> bytes | None:
    if linktype == ETHERNET:
        off, ethertype = _ethertype(frame)
        if ethertype in MPLS:
            return _mpls(frame, off)
        if ethertype == PPPOE_SESSION and len(frame) >= off + 8:
            # PPPoE session (FLET'S and other DSL/fibre lines): 6-byte header, then PPP.
            return _ppp(frame[off + 6 :])
        return frame[off:] if ethertype in ETH_IP else None
    if linktype == PPP:
        return _ppp(frame[2:] if frame[:2] == b"\xff\x03" else frame)
    if linktype == SLL:
        return (
            frame[16:]
            if len(frame) >= 16 and int.from_bytes(frame[14:16], "big") in ETH_IP
            else None
        )
    if linktype == SLL2:
        return (
            frame[20:] if len(frame) >= 20 and int.from_bytes(frame[0:2], "big") in ETH_IP else None
        )
    if linktype in (RAW, 12, 14, IPV4, IPV6):
        return frame
    if linktype in (NULL, LOOP):
        return frame[4:]
    return None


def _ppp(body: bytes) -> bytes | None:
    """IP after a PPP protocol field, two bytes or (protocol-field compression) one: an odd
    first byte is a whole one-byte field."""
    if body[:1] and body[0] & 0x01:
        return body[1:] if body[0] in (0x21, 0x57) else None
    protocol = int.from_bytes(body[:2], "big") if len(body) >= 2 else 0
    return body[2:] if protocol in PPP_IP else None


# Timestamps outside 1970..3000 are damage, not time: read as 0 with a warning.
MAX_TIMESTAMP = 32503680000.0
# Where reading stops, and says so (the verdict is then "only part was read"): a file larger
# than any home capture, or one that never ends (a sparse file of zeros, a stream).
MAX_RECORDS = 50_000_000
MAX_SECONDS = 15 * 60.0
MAX_EMPTY_RUN = 10_000  # records holding no byte, in a row: zeros, not packets
NO_INTERFACE = -1  # a packet naming an interface the file never described


class Reader:
    def __init__(
        self,
        fp: BinaryIO,
        max_records: int | None = None,
        max_seconds: float | None = None,
        progress=None,
    ):
        self.fp = fp
        self.warnings: list[str] = []
        self.frames = 0
        self.skipped = 0  # frames that are not IP (ARP, PPP control, ...) or not decoded
        self.hidden = 0  # of those, frames that could carry IP all the same (MACsec, ...)
        self.undecoded = 0  # frames of a link layer this reader does not decode
        self.undecoded_linktypes: set[int] = set()
        self.limit: str | None = None  # why reading stopped before the end of the file
        self.max_records = max_records or MAX_RECORDS
        self.deadline = time.monotonic() + (max_seconds or MAX_SECONDS)
        self.progress = progress  # called with (frames, bytes read) about once a second
        self._next_report = time.monotonic() + 1.0
        self._empty_run = 0

    def _counted(self, size: int) -> bool:
        """Count one record; False when reading must stop here (a limit or damage)."""
        self.frames += 1
        self._empty_run = 0 if size else self._empty_run + 1
        if self._empty_run >= MAX_EMPTY_RUN:
            self.limit = f"{MAX_EMPTY_RUN} empty records in a row: the rest is damage"
            self._warn("the file is damaged: " + self.limit)
            return False
        if self.frames >= self.max_records:
            self.limit = f"the first {self.max_records} packets"
            return False
        if self.frames % 4096 == 0:
            now = time.monotonic()
            if now >= self.deadline:
                self.limit = f"{self.frames} packets in the time allowed"
                return False
            if self.progress is not None and now >= self._next_report:
                self._next_report = now + 1.0
                self.progress(self.frames, self.fp.tell() if self.fp.seekable() else None)
        return True

    def _time(self, ts: float) -> float:
        if 0 <= ts <= MAX_TIMESTAMP:
            return ts
        self._warn("the file is damaged: a packet has an impossible time; it was read as 0")
        return 0.0

    def _not_decoded(self, linktype: int) -> None:
        self.undecoded += 1
        self.undecoded_linktypes.add(linktype)

    def _warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def packets(self) -> Iterator[tuple[float, bytes]]:
        head = self.fp.read(4)
        if len(head) < 4:
            raise PcapError("the file is empty or too short to be a capture")
        if head == b"\x0a\x0d\x0d\x0a":
            yield from self._pcapng(head)
        elif head in (
            b"\xd4\xc3\xb2\xa1",
            b"\xa1\xb2\xc3\xd4",
            b"\x4d\x3c\xb2\xa1",
            b"\xa1\xb2\x3c\x4d",
        ):
            yield from self._pcap(head)
        else:
            raise PcapError("this is not a pcap or pcapng file")

    def _pcap(self, magic: bytes) -> Iterator[tuple[float, bytes]]:
        endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        rest = self.fp.read(20)
        if len(rest) < 20:
            raise PcapError("the file ends inside its header")
        linktype = struct.unpack(endian + "HHiIII", rest)[5] & 0xFFFF
        record = struct.Struct(endian + "IIII")
        divisor = 1e9 if nano else 1e6
        while True:
            hdr = self.fp.read(16)
            if not hdr:
                return
            if len(hdr) < 16:
                self._warn("the file is truncated: it ends in the middle of a packet header")
                return
            sec, frac, incl, _orig = record.unpack(hdr)
            if incl > 262144:
                self._warn(
                    "the file is damaged: a packet claims an impossible length; reading stopped there"
                )
                return
            data = self.fp.read(incl)
            if len(data) < incl:
                self._warn("the file is truncated: it ends in the middle of a packet")
                return
            if not self._counted(incl):
                return
            if linktype not in KNOWN_LINKTYPES:
                self._not_decoded(linktype)
            ip = strip_link(linktype, data)
            if ip is None:
                self._skip(linktype, data)
                continue
            yield self._time(sec + frac / divisor), ip

    def _pcapng(self, first: bytes) -> Iterator[tuple[float, bytes]]:
        endian = "<"
        interfaces: list[tuple[int, float]] = []  # (linktype, ticks per second)
        block_type = first
        while True:
            if block_type is None:
                block_type = self.fp.read(4)
                if not block_type:
                    return
                if len(block_type) < 4:
                    self._warn("the file is truncated: it ends between blocks")
                    return
            raw_len = self.fp.read(4)
            if len(raw_len) < 4:
                self._warn("the file is truncated: it ends inside a block header")
                return
            if block_type == b"\x0a\x0d\x0d\x0a":
                bom = self.fp.read(4)
                endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
                length = struct.unpack(endian + "I", raw_len)[0]
                rest = self.fp.read(max(0, length - 12))
                if len(rest) < length - 12:
                    self._warn("the file is truncated: it ends in the middle of a block")
                    return
                body = bom + rest
                interfaces = []
            else:
                length = struct.unpack(endian + "I", raw_len)[0]
                if length < 12 or length > 16 * 1024 * 1024:
                    self._warn(
                        "the file is damaged: a block claims an impossible length; reading stopped there"
                    )
                    return
                body = self.fp.read(length - 8)
                if len(body) < length - 8:
                    self._warn("the file is truncated: it ends in the middle of a block")
                    return
            kind = struct.unpack(endian + "I", block_type)[0]
            block_type = None
            if kind == 1 and len(body) >= 8:  # Interface Description
                linktype = struct.unpack_from(endian + "H", body, 0)[0]
                interfaces.append((linktype, _tsresol(body[8:-4], endian)))
            elif kind in (2, 6) and len(body) >= 20:  # (Enhanced) Packet Block
                if kind == 6:
                    iface, hi, lo, caplen, _orig = struct.unpack_from(endian + "IIIII", body, 0)
                else:  # the obsolete Packet Block: a 16-bit interface and a drops count
                    iface, _drops, hi, lo, caplen, _orig = struct.unpack_from(
                        endian + "HHIIII", body, 0
                    )
                if not self._counted(caplen):
                    return
                found = self._interface(interfaces, iface)
                if found is None:
                    continue
                linktype, per_second = found
                if linktype not in KNOWN_LINKTYPES:
                    self._not_decoded(linktype)
                ip = strip_link(linktype, body[20 : 20 + caplen])
                if ip is None:
                    self._skip(linktype, body[20 : 20 + caplen])
                    continue
                yield self._time(((hi << 32) | lo) / per_second), ip
            elif kind == 3 and len(body) >= 4:  # Simple Packet (no timestamp)
                if not self._counted(len(body) - 8):
                    return
                found = self._interface(interfaces, 0)
                if found is None:
                    continue
                if found[0] not in KNOWN_LINKTYPES:
                    self._not_decoded(found[0])
                ip = strip_link(found[0], body[4:-4])
                if ip is None:
                    self._skip(found[0], body[4:-4])
                    continue
                yield 0.0, ip

    def _skip(self, linktype: int, frame: bytes) -> None:
        self.skipped += 1
        if linktype in KNOWN_LINKTYPES and may_hide_ip(linktype, frame):
            self.hidden += 1

    def _interface(self, interfaces: list, iface: int):
        """The interface a packet names, or None: it was never described, so the packet's link
        layer is unknown (counted as undecoded, never skipped in silence)."""
        if iface < len(interfaces):
            return interfaces[iface]
        self._not_decoded(NO_INTERFACE)
        self._warn("the file is damaged: some packets name an interface it never describes")
        return None


def _tsresol(options: bytes, endian: str) -> float:
    i = 0
    while i + 4 <= len(options):
        code, length = struct.unpack_from(endian + "HH", options, i)
        if code == 0:
            break
        if code == 9 and length >= 1 and i + 4 < len(options):
            value = options[i + 4]
            return float(2 ** (value & 0x7F)) if value & 0x80 else float(10**value)
        i += 4 + length + (-length % 4)
    return 1e6
