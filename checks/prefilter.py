"""`analyze` of a classic pcap file with a BPF filter, run by libpcap, in front of the analyser.

Most of a home line's packets are web and streaming traffic that the analyser only counts. A
BPF filter run by libpcap (ctypes on the library tcpdump uses: pcap_setfilter, pcap_dispatch)
splits the file in C into the packets the analyser must read and the ones it would only count,
so that Python sees the first kind alone, exactly as today's reader would hand them over, and
the second kind only as numbers:

    N = not B   every packet the analyser must read, in file order, dumped into a pipe that
                the analyser reads as a pcap stream
    B           "boring": a complete, unfragmented IPv4 or IPv6 packet on a plain link header,
                TCP or UDP on no mail or DNS port (TCP whose first payload byte cannot start
                a proxy request or an EHLO/HELO), a DNS response over UDP (the analyser counts
                queries), or another protocol that carries nothing the analyser reads (not ESP,
                AH, GRE, IP-in-IP or an IPv6 extension header).
                Dumped, cut to 4 bytes, into a second pipe: its count and its first and last
                times are what the analyser would have added (packets, ip_packets, first, last)
    T           every record, counted

Nothing unread is silent: N and B must together be every record T counted. N is B with its
answers swapped; a record neither accepted (BPF rejects a packet when it would read past the
captured bytes: a record cut short by a small snap length) makes the fast path give up, as does any error or limit, and
``None`` sends the caller back to checks.pcapfile, which reads the whole file as before. So does
whatever this path does not claim to read exactly as pcapfile does: pcapng, a link type outside
LINKS, a pcap version other than 2.4, a record that libpcap may have cut to the file's snap
length, more records than the reader's limit, a machine without libpcap, Windows.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import add

from checks import pcapfile
from checks.analyzer import DNS_PORT, FIRST_BYTES_READ, MAIL_PORTS

# Link types read here, and where IP starts in their frames. Only a frame whose type field
# says IP right there can be B (LINK_TYPES below); anything else (VLAN tags, MPLS, PPPoE,
# compressed PPP) goes to the analyser, as unread frames do: the filter only decides what may
# be skipped.
LINKS = {
    1: 14,  # Ethernet
    113: 16,  # Linux cooked (SLL)
    276: 20,  # SLL2
    9: 4,  # PPP in HDLC framing
    0: 4,  # BSD loopback: the reader takes what follows the 4-byte family, as this does
    108: 4,
    101: 0,  # raw IP
    12: 0,
    228: 0,
    229: 0,
}
# libpcap swaps these pseudo-headers in a file of the other byte order: the bytes would differ.
SWAPPED_HEADERS = {113, 276}
MAX_SNAPLEN = 262144  # libpcap's limit for these link types, and pcapfile's
BORING_SNAP = 4  # B is cut to this (times and lengths are all it needs)
# Transport protocols the analyser reads into (IP-in-IP, 6in4, GRE), counts as unread (ESP,
# AH) or walks (IPv6 extension headers and fragments): never boring.
NOT_BORING_V4 = (6, 17, 4, 41, 47, 50, 51)
NOT_BORING_V6 = (6, 17, 4, 41, 47, 50, 51, 0, 43, 44, 60, 135, 139, 140)
PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", False),
    b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True),
    b"\xa1\xb2\x3c\x4d": (">", True),
}


# The filter ---------------------------------------------------------------------------------
# B is a classic BPF program written out here rather than compiled from a filter expression:
# libpcap's optimizer miscompiled the negation of the expression this started as (a packet
# both B and "not B" accepted, found by the tests), and unoptimized compiled code is four
# times slower. Written out, N is B with its two answers swapped: its exact complement.
# Registers: X holds the IP header's length (l4 - l3), M[0] the IP packet's length, M[1] the
# transport header's length plus the IP header's (where a TCP payload starts, from l3).
LD, LDX, ST, STX, ALU, JMP, RET, MISC = 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
W, H, B_ = 0x00, 0x08, 0x10
IMM, ABS, IND, MEM, LEN, MSH = 0x00, 0x20, 0x40, 0x60, 0x80, 0xA0
ADD, SUB, AND, RSH = 0x00, 0x10, 0x50, 0x70
JA, JEQ, JGT, JGE, JSET = 0x00, 0x10, 0x20, 0x30, 0x40
K, X = 0x00, 0x08
TAX, TXA = 0x00, 0x80
ACCEPT, REJECT = "accept", "reject"
LINK_TYPES = {  # the guard on a frame's type field: (where, accepted values)
    1: (12, (0x0800, 0x86DD)),
    113: (14, (0x0800, 0x86DD)),
    276: (0, (0x0800, 0x86DD)),
}


def _need(base: int, size: int) -> list:
    """The IP packet and the frame both hold ``size`` bytes past the IP header, and the last
    of them was captured (a load past the captured bytes makes the whole program reject)."""
    return [
        (LD | MEM, 0, 0, 2),  # A = IP header length (kept in M[2])
        (ALU | ADD | K, 0, 0, size),
        (MISC | TAX, 0, 0, 0),
        (LD | W | MEM, 0, 0, 0),  # the IP length must reach it
        (JMP | JGE | X, 0, REJECT, 0),
        (LD | W | LEN, 0, 0, 0),  # so must the frame
        (ALU | SUB | K, 0, 0, base),
        (JMP | JGE | X, 0, REJECT, 0),
        (LDX | W | MEM, 0, 0, 2),
        (LD | B_ | IND, 0, 0, base + size - 1),
    ]


def _not_in(values, otherwise=REJECT) -> list:
    return [(JMP | JEQ | K, otherwise, 0, v) for v in values]


def _transport(base: int) -> list:
    """A = protocol, X = M[2] = IP header length, M[0] = IP length."""
    no_mail = (*sorted(MAIL_PORTS), DNS_PORT)
    tcp = [
        "tcp",
        *_need(base, 20),
        (LD | H | IND, 0, 0, base),
        *_not_in(no_mail),
        (LD | H | IND, 0, 0, base + 2),
        *_not_in(no_mail),
        (LD | B_ | IND, 0, 0, base + 12),  # where the payload starts, from l3
        (ALU | AND | K, 0, 0, 0xF0),
        (ALU | RSH | K, 0, 0, 2),
        (ALU | ADD | X, 0, 0, 0),
        (MISC | TAX, 0, 0, 0),
        (LD | W | MEM, 0, 0, 0),
        (JMP | JGT | X, 0, ACCEPT, 0),  # no payload
        (LD | W | LEN, 0, 0, 0),
        (ALU | SUB | K, 0, 0, base),
        (JMP | JGT | X, 0, REJECT, 0),  # a payload the frame does not hold: not ours to say
        (LD | B_ | IND, 0, 0, base),  # its first byte
        *_not_in(FIRST_BYTES_READ),
        (JMP | JA, 0, 0, ACCEPT),
    ]
    udp = [
        "udp",
        *_need(base, 8),
        (LD | H | IND, 0, 0, base),
        (JMP | JEQ | K, "dns", 0, DNS_PORT),
        (LD | H | IND, 0, 0, base + 2),
        (JMP | JEQ | K, "dns", ACCEPT, DNS_PORT),
        "dns",  # a DNS response (QR set) is only counted: the analyser reads queries
        *_need(base, 11),
        (LD | B_ | IND, 0, 0, base + 10),
        (JMP | JSET | K, ACCEPT, REJECT, 0x80),
    ]
    return [
        "transport",
        (JMP | JEQ | K, "tcp", 0, 6),
        (JMP | JEQ | K, "udp", 0, 17),
        *_need(base, 8),  # another protocol: nothing in it is read
        (JMP | JA, 0, 0, ACCEPT),
        *tcp,
        *udp,
    ]


def _program(linktype: int) -> list:
    """B for a link type, as (code, jt, jf, k) with labels, before assembly."""
    base = LINKS[linktype]
    out: list = [(LD | W | LEN, 0, 0, 0), (JMP | JGE | K, 0, REJECT, base + 20)]
    if linktype in LINK_TYPES:
        at, kinds = LINK_TYPES[linktype]
        out += [(LD | H | ABS, 0, 0, at), *_not_in(kinds, "ip"), (JMP | JA, 0, 0, REJECT)]
    elif linktype == 9:  # PPP in HDLC framing, a two-byte protocol field
        out += [(LD | H | ABS, 0, 0, 0), (JMP | JEQ | K, 0, REJECT, 0xFF03)]
        out += [(LD | H | ABS, 0, 0, 2), *_not_in((0x0021, 0x0057), "ip")]
        out += [(JMP | JA, 0, 0, REJECT)]
    out += [
        "ip",
        (LD | B_ | ABS, 0, 0, base),
        (ALU | AND | K, 0, 0, 0xF0),
        (JMP | JEQ | K, "v4", 0, 0x40),
        (JMP | JEQ | K, "v6", REJECT, 0x60),
        "v4",  # a header of 20 bytes or more, no fragment, no protocol read into
        (LD | B_ | ABS, 0, 0, base),
        (ALU | AND | K, 0, 0, 0x0F),
        (JMP | JGT | K, 0, REJECT, 4),
        (LD | H | ABS, 0, 0, base + 6),
        (JMP | JSET | K, REJECT, 0, 0x3FFF),
        (LDX | B_ | MSH, 0, 0, base),
        (STX, 0, 0, 2),
        (LD | H | ABS, 0, 0, base + 2),
        (ST, 0, 0, 0),
        (LD | B_ | ABS, 0, 0, base + 9),
        *_not_in(NOT_BORING_V4[2:]),
        (JMP | JA, 0, 0, "transport"),
        "v6",  # no extension header, no protocol read into
        (LD | W | LEN, 0, 0, 0),
        (JMP | JGE | K, 0, REJECT, base + 40),
        (LDX | W | IMM, 0, 0, 40),
        (STX, 0, 0, 2),
        (LD | H | ABS, 0, 0, base + 4),
        (ALU | ADD | K, 0, 0, 40),
        (ST, 0, 0, 0),
        (LD | B_ | ABS, 0, 0, base + 6),
        *_not_in(NOT_BORING_V6[2:]),
        *_transport(base),
    ]
    return out


def assemble(linktype: int, boring: bool = True) -> list[tuple[int, int, int, int]] | None:
    """B (or, ``boring=False``, N: the same program, its answers swapped) as BPF instructions;
    None for a link type not read here."""
    if linktype not in LINKS:
        return None
    items = [*_program(linktype), ACCEPT, (RET | K, 0, 0, 0), REJECT, (RET | K, 0, 0, 0)]
    labels, at = {}, 0
    for item in items:
        if isinstance(item, str):
            labels[item] = at
        else:
            at += 1
    yes, no = (MAX_SNAPLEN, 0) if boring else (0, MAX_SNAPLEN)
    code, at = [], 0
    for item in items:
        if isinstance(item, str):
            continue
        op, jt, jf, k = item
        if op == RET | K:
            k = yes if at == labels[ACCEPT] else no
        elif op == JMP | JA:
            k = labels[k] - at - 1 if isinstance(k, str) else k
        else:
            jt = labels[jt] - at - 1 if isinstance(jt, str) else jt
            jf = labels[jf] - at - 1 if isinstance(jf, str) else jf
        if not (0 <= jt <= 255 and 0 <= jf <= 255):
            raise ValueError("a jump beyond what classic BPF can encode")
        code.append((op, jt, jf, k))
        at += 1
    return code


class _Program(ctypes.Structure):  # struct bpf_program
    _fields_ = [("bf_len", ctypes.c_uint), ("bf_insns", ctypes.c_void_p)]


class _Insn(ctypes.Structure):  # struct bpf_insn
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint32),
    ]


class Program:
    """A BPF program as libpcap takes it (struct bpf_program), and the instructions it
    points to."""

    def __init__(self, code: list[tuple[int, int, int, int]]):
        self.insns = (_Insn * len(code))(*code)
        self.program = _Program(len(code), ctypes.cast(self.insns, ctypes.c_void_p))


# libpcap through ctypes ------------------------------------------------------------------------
class _Header(ctypes.Structure):  # struct pcap_pkthdr, for pcap_offline_filter
    _fields_ = [
        ("tv_sec", ctypes.c_long),
        ("tv_usec", ctypes.c_long),
        ("caplen", ctypes.c_uint32),
        ("len", ctypes.c_uint32),
    ]


_P = ctypes.c_void_p
_PROTOTYPES = {
    "pcap_fopen_offline_with_tstamp_precision": (_P, [_P, ctypes.c_uint, ctypes.c_char_p]),
    "pcap_open_dead_with_tstamp_precision": (_P, [ctypes.c_int, ctypes.c_int, ctypes.c_uint]),
    "pcap_setfilter": (ctypes.c_int, [_P, ctypes.POINTER(_Program)]),
    "pcap_offline_filter": (
        ctypes.c_int,
        [ctypes.POINTER(_Program), ctypes.POINTER(_Header), ctypes.c_char_p],
    ),
    "pcap_datalink": (ctypes.c_int, [_P]),
    "pcap_geterr": (ctypes.c_char_p, [_P]),
    "pcap_dump_fopen": (_P, [_P, _P]),
    "pcap_dump_flush": (ctypes.c_int, [_P]),
    "pcap_dump_close": (None, [_P]),
    "pcap_dispatch": (ctypes.c_int, [_P, ctypes.c_int, _P, _P]),
    "pcap_breakloop": (None, [_P]),
    "pcap_close": (None, [_P]),
}
PRECISION_MICRO, PRECISION_NANO = 0, 1


@dataclass
class Libpcap:
    pcap: ctypes.CDLL
    libc: ctypes.CDLL
    dump: int  # the address of pcap_dump, the callback that writes each packet accepted

    def fdopen(self, fd: int, mode: bytes) -> int:
        stream = self.libc.fdopen(fd, mode)
        if not stream:
            os.close(fd)
            raise OSError(ctypes.get_errno(), "fdopen failed")
        self.libc.setvbuf(stream, None, 0, 1 << 18)  # fully buffered, 256 KB
        return stream

    def open_fd(self, fd: int, nano: bool) -> int:
        """A savefile handle reading ``fd`` (which it then owns)."""
        errbuf = ctypes.create_string_buffer(512)
        stream = self.fdopen(fd, b"rb")
        handle = self.pcap.pcap_fopen_offline_with_tstamp_precision(
            stream, PRECISION_NANO if nano else PRECISION_MICRO, errbuf
        )
        if not handle:
            self.libc.fclose(stream)
            raise OSError(0, errbuf.value.decode(errors="replace"))
        return handle


_LIB: list[Libpcap | None] = []


def libpcap() -> Libpcap | None:
    """libpcap and the C library, or None (Windows, or no usable libpcap): the caller then
    reads the file in Python."""
    if not _LIB:
        _LIB.append(_load())
    return _LIB[0]


def _load() -> Libpcap | None:
    if os.name != "posix":
        return None  # Npcap's FILE* belongs to another C runtime: not worth the risk
    names = [ctypes.util.find_library("pcap"), "libpcap.so.1", "libpcap.so.0.8", "libpcap.dylib"]
    for name in filter(None, names):
        try:
            pcap = ctypes.CDLL(name)
            for fn, (restype, argtypes) in _PROTOTYPES.items():
                getattr(pcap, fn).restype = restype
                getattr(pcap, fn).argtypes = argtypes
            libc = ctypes.CDLL(None, use_errno=True)
        except (OSError, AttributeError):
            continue
        libc.fdopen.restype, libc.fdopen.argtypes = _P, [ctypes.c_int, ctypes.c_char_p]
        libc.setvbuf.argtypes = [_P, _P, ctypes.c_int, ctypes.c_size_t]
        libc.fclose.argtypes = [_P]
        return Libpcap(pcap, libc, ctypes.cast(pcap.pcap_dump, ctypes.c_void_p).value)
    return None


# The passes ------------------------------------------------------------------------------------
@dataclass
class Header:
    linktype: int
    nano: bool
    snapshot: int  # libpcap's: records longer than this are cut to it


def read_header(fp) -> Header | None:
    """The pcap header when this path reads the file exactly as pcapfile does, else None."""
    fp.seek(0)
    head = fp.read(24)
    fp.seek(0)
    if len(head) < 24 or head[:4] not in PCAP_MAGIC:
        return None
    endian, nano = PCAP_MAGIC[head[:4]]
    major, minor, _zone, _sigfigs, snaplen, linktype = struct.unpack(endian + "HHiIII", head[4:])
    if (major, minor) != (2, 4) or linktype not in LINKS:
        return None  # older versions swap lengths; upper link-type bits carry FCS lengths
    if endian != _NATIVE and linktype in SWAPPED_HEADERS:
        return None
    snapshot = snaplen if 0 < snaplen <= MAX_SNAPLEN else MAX_SNAPLEN
    return Header(linktype, nano, snapshot)


_NATIVE = "<" if sys.byteorder == "little" else ">"


@dataclass
class Passes:
    """The three readers of the file and the chain that cuts B down, each on its own thread
    (ctypes lets go of the GIL while libpcap runs)."""

    lib: Libpcap
    header: Header
    handles: dict[str, int] = field(default_factory=dict)
    results: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    stream_fd: int = -1  # N, for the analyser
    boring_fd: int = -1  # B cut to its times, for the counter

    def open(self, opener: Callable[[], int]) -> None:
        """Open N, B and T on fresh descriptors of the file; set their filters."""
        linktype = self.header.linktype
        for name, boring in (("N", False), ("B", True), ("T", None)):
            handle = self.handles[name] = self.lib.open_fd(opener(), self.header.nano)
            if boring is not None:
                program = Program(assemble(linktype, boring))
                if self.lib.pcap.pcap_setfilter(handle, program.program):
                    raise OSError(0, (self.lib.pcap.pcap_geterr(handle) or b"").decode())

    def start(self, boring: Boring) -> None:
        """The readers on their threads, and B's counter on its own."""
        null = os.open(os.devnull, os.O_WRONLY)
        stream_r, stream_w = os.pipe()
        chain_r, chain_w = os.pipe()
        boring_r, boring_w = os.pipe()
        self.stream_fd, self.boring_fd = stream_r, boring_r
        jobs = [
            (self._dump, ("N", self.handles["N"], stream_w, None)),
            (self._dump, ("B", self.handles["B"], chain_w, BORING_SNAP)),
            (self._cut, (chain_r, boring_w)),
            (self._dump, ("T", self.handles["T"], null, None)),
            (drain_boring, (boring_r, self.header.nano, boring)),
        ]
        for target, args in jobs:
            thread = threading.Thread(target=target, args=args, daemon=True)
            self.threads.append(thread)
            thread.start()

    def _dump(self, name: str, handle: int, fd: int, snap: int | None) -> None:
        """Every packet the handle's filter accepts, into ``fd`` as a pcap stream (whose header
        claims ``snap`` as its snap length, so that the reader at the other end cuts them)."""
        pcap = self.lib.pcap
        dead = None
        try:
            stream = self.lib.fdopen(fd, b"wb")
            source = handle
            if snap is not None:
                precision = PRECISION_NANO if self.header.nano else PRECISION_MICRO
                dead = source = pcap.pcap_open_dead_with_tstamp_precision(
                    pcap.pcap_datalink(handle), snap, precision
                )
                if not dead:
                    self.lib.libc.fclose(stream)
                    raise OSError(0, "pcap_open_dead failed")
            dumper = pcap.pcap_dump_fopen(source, stream)
            if not dumper:
                self.lib.libc.fclose(stream)
                raise OSError(0, "pcap_dump_fopen failed")
            pcap.pcap_dump_flush(dumper)
            count = pcap.pcap_dispatch(handle, -1, self.lib.dump, dumper)
            if count < 0:
                self.errors.append(f"{name}: {(pcap.pcap_geterr(handle) or b'').decode()}")
            self.results[name] = count
            pcap.pcap_dump_close(dumper)
        except OSError as exc:
            self.errors.append(f"{name}: {exc}")
        finally:
            if dead:
                pcap.pcap_close(dead)

    def _cut(self, chain_r: int, boring_w: int) -> None:
        """Read B's stream back with its small snap length: every record cut to 4 bytes."""
        try:
            handle = self.handles["C"] = self.lib.open_fd(chain_r, self.header.nano)
        except OSError as exc:
            os.close(boring_w)
            self.errors.append(f"C: {exc}")
            return
        self._dump("C", handle, boring_w, None)

    def stop(self) -> None:
        """Ask the file's readers to stop (after an error, or when the analyser gave up). The
        chain's reader is never stopped: it reads B's stream to its end, so that B never waits
        on a full pipe, and ends when B does."""
        for name in ("N", "B", "T"):
            if name in self.handles:
                self.lib.pcap.pcap_breakloop(self.handles[name])

    def close(self) -> None:
        """Wait for every thread, then let go of the pipes and handles. N's writer gets EPIPE
        once its reader is closed; B's counter reads to the end whatever happens, so that
        the chain before it always finishes (and no thread reads a descriptor closed under
        it)."""
        if self.stream_fd >= 0:
            os.close(self.stream_fd)
        self.stream_fd = -1
        for thread in self.threads:
            thread.join()
        if self.boring_fd >= 0:
            os.close(self.boring_fd)
        self.boring_fd = -1
        for handle in self.handles.values():
            self.lib.pcap.pcap_close(handle)
        self.handles.clear()


# Python's side: the analyser on N, the counter on B -----------------------------------------
class GiveUp(Exception):
    """This path cannot promise pcapfile's answer for this file: read it in Python."""


@dataclass
class Counts:
    """What pcapfile.Reader counts, for the caller's summary."""

    frames: int = 0
    skipped: int = 0
    hidden: int = 0  # of the skipped, frames that could carry IP all the same (pcapfile's)
    undecoded: int = 0
    undecoded_linktypes: set = field(default_factory=set)
    warnings: list = field(default_factory=list)
    limit: str | None = None


@dataclass
class Boring:
    """B's records: how many, and their first and last times."""

    count: int = 0
    first: float | None = None
    last: float | None = None
    error: str | None = None


# Link types whose IP starts at a fixed place after a type field: (where the type is, where IP
# starts); any other frame goes through pcapfile.strip_link.
_FIXED = {1: (12, 14), 113: (14, 16), 276: (0, 20), 0: (None, 4), 108: (None, 4)}
_FIXED.update({lt: (None, 0) for lt in (101, 12, 228, 229)})
_IP_TYPES = (b"\x08\x00", b"\x86\xdd")


def read_stream(fd: int, analyzer, header: Header, limits: dict, progress) -> Counts:
    """Feed N's packets to the analyser, as pcapfile.Reader would have handed them over."""
    record = struct.Struct(_NATIVE + "IIII")
    divisor = 1e9 if header.nano else 1e6
    linktype, feed, strip = header.linktype, analyzer.feed, pcapfile.strip_link
    kind_at, ip_at = _FIXED.get(linktype, (-1, 0))
    cut = header.snapshot if header.snapshot < MAX_SNAPLEN else MAX_SNAPLEN + 1
    _stream_header(fd, header)
    counts, data, off = Counts(), b"", 0
    check = 4096
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        data, off = data[off:] + chunk, 0
        end = len(data)
        while off + 16 <= end:
            sec, frac, incl, _wire = record.unpack_from(data, off)
            start, off = off + 16, off + 16 + incl
            if off > end:
                off = start - 16
                break
            if incl >= cut or not incl:
                # A record libpcap may have cut to the file's snap length; or an empty one,
                # which pcapfile counts in runs that B's records would have broken.
                raise GiveUp("a record this path cannot promise to read as pcapfile does")
            counts.frames += 1
            if kind_at is None or (
                kind_at >= 0
                and incl >= ip_at
                and data[start + kind_at : start + kind_at + 2] in _IP_TYPES
            ):
                ip = data[start + ip_at : off]
            else:
                ip = strip(linktype, data[start:off])
                if ip is None:
                    counts.skipped += 1
                    counts.hidden += pcapfile.may_hide_ip(linktype, data[start:off])
                    continue
            feed(sec + frac / divisor, ip)
        if counts.frames >= check:
            check = counts.frames + 4096
            _checkpoint(counts.frames, limits, progress)
    if off != len(data):
        raise GiveUp("the filtered stream ended inside a record")
    return counts


def _stream_header(fd: int, header: Header) -> None:
    head = b""
    while len(head) < 24:
        chunk = os.read(fd, 24 - len(head))
        if not chunk:
            raise GiveUp("the filtered stream has no header")
        head += chunk
    magic = b"\x4d\x3c\xb2\xa1" if header.nano else b"\xd4\xc3\xb2\xa1"
    if _NATIVE == ">":
        magic = magic[::-1]
    if head[:4] != magic:
        raise GiveUp("the filtered stream is not in the expected format")


def _checkpoint(frames: int, limits: dict, progress) -> None:
    if frames >= limits["max_records"]:
        raise GiveUp("more records than the reader reads")
    now = time.monotonic()
    if now >= limits["deadline"]:
        raise GiveUp("out of time")
    if progress is not None and now >= limits["report"]:
        limits["report"] = now + 1.0
        progress(frames + limits["boring"].count, None)


def drain_boring(fd: int, nano: bool, boring: Boring) -> None:
    """Count B's records and keep their first and last times; read to the end of the stream
    even after a failure (which gives up the fast path), so that its writer never waits."""
    try:
        _drain(fd, nano, boring)
    except Exception as exc:  # any failure means "read it in Python", never a hang
        boring.error = f"{type(exc).__name__}: {exc}"
        while os.read(fd, 1 << 16):
            pass


def _drain(fd: int, nano: bool, boring: Boring) -> None:
    size = 16 + BORING_SNAP
    divisor = 1e9 if nano else 1e6
    data = b""
    while len(data) < 24:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise GiveUp("the boring stream has no header")
        data += chunk
    data = data[24:]
    while True:
        whole = len(data) - len(data) % size
        if whole:
            _boring_times(memoryview(data)[:whole].cast("I"), divisor, boring)
            data = data[whole:]
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        data += chunk
    if data:
        raise GiveUp("the boring stream ended inside a record")


def _boring_times(words: memoryview, divisor: float, boring: Boring) -> None:
    step = (16 + BORING_SNAP) // 4
    lengths = words[2::step]
    if min(lengths) != BORING_SNAP or max(lengths) != BORING_SNAP:
        raise GiveUp("the boring stream was not cut as expected")
    times = list(map(add, words[0::step], map(divisor.__rtruediv__, words[1::step])))
    low, high = min(times), max(times)
    boring.count += len(times)
    if boring.first is None or low < boring.first:
        boring.first = low
    if boring.last is None or high > boring.last:
        boring.last = high


def feed_file(path, fp, analyzer, progress=None, max_records=None, deadline=None):
    """Feed the analyser the packets of the classic pcap file ``fp`` (opened from ``path``)
    that it must read, and count the rest into it; the reader's counts, or None when the file
    must be read in Python (the analyser is then in no useful state: start a new one)."""
    lib = libpcap()
    header = read_header(fp) if lib is not None else None
    if header is None:
        return None
    before = os.fstat(fp.fileno())
    passes = Passes(lib, header)
    boring = Boring()
    limits = {
        "max_records": max_records or pcapfile.MAX_RECORDS,
        "deadline": deadline or time.monotonic() + pcapfile.MAX_SECONDS,
        "report": time.monotonic() + 1.0,
        "boring": boring,
    }
    counts = None
    try:
        passes.open(lambda: _reopen(path, before))
        passes.start(boring)
        counts = read_stream(passes.stream_fd, analyzer, header, limits, progress)
    except (GiveUp, OSError):
        pass
    finally:
        if counts is None:
            passes.stop()  # given up (or interrupted): the readers stop where they are
        passes.close()
    after = os.fstat(fp.fileno())
    if counts is None or not _complete(passes, counts, boring, limits):
        return None
    if _changed(before, after):
        return None
    _count_boring(analyzer, counts, boring)
    return counts


def _reopen(path, before: os.stat_result) -> int:
    """A descriptor of its own (a position of its own) on the same file."""
    from checks import safefile

    with safefile.open_regular(path) as f:
        st = os.fstat(f.fileno())
        if (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise OSError(0, "the file was replaced while it was read")
        return os.dup(f.fileno())


def _changed(before: os.stat_result, after: os.stat_result) -> bool:
    return (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)


def _complete(passes: Passes, counts: Counts, boring: Boring, limits: dict) -> bool:
    """Every record went to N or to B, and nothing failed or was cut short."""
    results = passes.results
    if passes.errors or boring.error or set(results) != {"N", "B", "C", "T"}:
        return False
    total = results["T"]
    return (
        results["N"] == counts.frames
        and results["B"] == results["C"] == boring.count
        and total == counts.frames + boring.count
        and total < limits["max_records"]
    )


def _count_boring(analyzer, counts: Counts, boring: Boring) -> None:
    """B's packets, as the analyser would have counted them: IP packets read, and their
    times."""
    counts.frames += boring.count
    analyzer.packets += boring.count
    analyzer.ip_packets += boring.count
    if boring.count:
        if analyzer.first is None or boring.first < analyzer.first:
            analyzer.first = boring.first
        if analyzer.last is None or boring.last > analyzer.last:
            analyzer.last = boring.last
