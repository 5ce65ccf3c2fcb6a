"""Read the machine's TCP connection table.

On Linux we read /proc/net/tcp and tcp6 ourselves and keep only the lines that matter with one
regular expression over the raw bytes; owners are looked up only for those sockets. That keeps a
poll that finds nothing to a couple of file reads, where psutil.net_connections() walks every
file descriptor of every process on each call. Elsewhere psutil is the portable way.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

PROC_TCP = ("/proc/net/tcp", "/proc/net/tcp6")

TCP_STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
    "0C": "NEW_SYN_RECV",
}


@dataclass(frozen=True)
class Socket:
    laddr: str
    lport: int
    raddr: str
    rport: int
    state: str
    inode: int = 0  # Linux only; 0 once the owner has closed it (TIME_WAIT)
    pid: int | None = None  # known directly on psutil platforms
    uid: int | None = None

    @property
    def key(self) -> tuple[str, int, str, int]:
        return (self.laddr, self.lport, self.raddr, self.rport)


@dataclass(frozen=True)
class SocketTable:
    sockets: tuple[Socket, ...]
    complete: bool = True  # False when part of the table was hidden from us
    reason: str | None = None


def decode_proc_address(hex_addr: bytes | str) -> str:
    """/proc/net/tcp prints addresses as host-order 32-bit words in hex."""
    raw = bytes.fromhex(hex_addr.decode() if isinstance(hex_addr, bytes) else hex_addr)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    addr = ipaddress.IPv6Address(words)
    return str(addr.ipv4_mapped) if addr.ipv4_mapped else str(addr)


_LINE_TAIL = rb" [0-9A-F]+:[0-9A-F]+ [0-9A-F]+:[0-9A-F]+ [0-9A-F]+ +(\d+) +\d+ +(\d+)"


def _remote_port_pattern(ports: Iterable[int]) -> re.Pattern[bytes]:
    alternatives = b"|".join(f"{p:04X}".encode() for p in sorted(set(ports)))
    return re.compile(
        rb"^ *\d+: ([0-9A-F]+):([0-9A-F]{4}) ([0-9A-F]+):("
        + alternatives
        + rb") ([0-9A-F]{2})"
        + _LINE_TAIL,
        re.M,
    )


_LISTEN_PATTERN = re.compile(
    rb"^ *\d+: ([0-9A-F]+):([0-9A-F]{4}) ([0-9A-F]+):([0-9A-F]{4}) (0A)" + _LINE_TAIL, re.M
)


def parse_proc_tcp(data: bytes, pattern: re.Pattern[bytes]) -> list[Socket]:
    sockets = []
    for m in pattern.finditer(data):
        laddr, lport, raddr, rport, state, uid, inode = m.groups()
        sockets.append(
            Socket(
                laddr=decode_proc_address(laddr),
                lport=int(lport, 16),
                raddr=decode_proc_address(raddr),
                rport=int(rport, 16),
                state=TCP_STATES.get(state.decode(), state.decode()),
                inode=int(inode),
                uid=int(uid),
            )
        )
    return sockets


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fp:
            return fp.read()
    except FileNotFoundError:
        return None  # tcp6 is absent when IPv6 is disabled


def parse_active_opens(data: bytes) -> int | None:
    """TCP's ActiveOpens from /proc/net/snmp: every connect() this network namespace made
    (IPv4 and IPv6 share the counter), a SYN that was never answered included."""
    lines = data.split(b"\n")
    for i, line in enumerate(lines[:-1]):
        if line.startswith(b"Tcp: ") and lines[i + 1].startswith(b"Tcp: "):
            names, values = line.split()[1:], lines[i + 1].split()[1:]
            try:
                return int(values[names.index(b"ActiveOpens")])
            except (ValueError, IndexError):
                return None
    return None


class ActiveOpens:
    """The kernel's count of outgoing TCP connections made so far, read in a few microseconds
    (one open file, re-read from its start). A watch that sees it unchanged, with no mail
    connection open at its last look, knows no new connection exists without asking for the
    connection table — whose walk costs about a millisecond however few sockets there are."""

    def __init__(self, path: str = "/proc/net/snmp"):
        self.fd = os.open(path, os.O_RDONLY)

    @classmethod
    def open(cls) -> ActiveOpens | None:
        try:
            reader = cls()
        except OSError:
            return None
        return reader if reader.read() is not None else None

    def read(self) -> int | None:
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            return parse_active_opens(os.read(self.fd, 65536))
        except OSError:
            return None

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass

    def __del__(self):
        self.close()


def proc_available() -> bool:
    return os.path.exists(PROC_TCP[0])


class LinuxTable:
    """Fast reads of /proc/net/tcp{,6} for one pattern, compiled once."""

    def __init__(self, remote_ports: Iterable[int] | None = None, listeners: bool = False):
        self.pattern = _LISTEN_PATTERN if listeners else _remote_port_pattern(remote_ports or ())

    def read(self) -> SocketTable:
        sockets: list[Socket] = []
        for path in PROC_TCP:
            data = _read(path)
            if data:
                sockets.extend(parse_proc_tcp(data, self.pattern))
        return SocketTable(tuple(sockets))


def _psutil_status(status: str) -> str:
    return status if status and status != psutil.CONN_NONE else "UNKNOWN"


def _from_psutil(conns) -> list[Socket]:
    out = []
    for c in conns:
        laddr = c.laddr if c.laddr else ("", 0)
        raddr = c.raddr if c.raddr else ("", 0)
        out.append(
            Socket(
                laddr=str(laddr[0]),
                lport=int(laddr[1]),
                raddr=str(raddr[0]),
                rport=int(raddr[1]),
                state=_psutil_status(c.status),
                pid=c.pid or None,
            )
        )
    return out


def psutil_table() -> SocketTable:
    """Every TCP socket with its pid; on macOS without root only our own processes are seen."""
    try:
        return SocketTable(tuple(_from_psutil(psutil.net_connections(kind="tcp"))))
    except psutil.AccessDenied:
        pass
    sockets: list[Socket] = []
    hidden = 0
    for proc in psutil.process_iter():
        try:
            conns = proc.net_connections(kind="tcp")
        except psutil.AccessDenied:
            hidden += 1
            continue
        except psutil.Error:
            continue
        sockets.extend(
            Socket(s.laddr, s.lport, s.raddr, s.rport, s.state, pid=proc.pid)
            for s in _from_psutil(conns)
        )
    return SocketTable(
        tuple(sockets),
        complete=False,
        reason=f"administrator rights are needed to see the connections of {hidden} processes",
    )


def _socket_inodes(pid: int | str) -> dict[int, int]:
    """socket inode -> pid for one process; raises PermissionError when not ours to read."""
    found: dict[int, int] = {}
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except FileNotFoundError:
        return found
    for fd in names:
        try:
            link = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            found[int(link[8:-1])] = int(pid)
    return found


def find_inode_owners(inodes: set[int], hints: Iterable[int] = ()) -> tuple[dict[int, int], int]:
    """Map socket inodes to pids by reading /proc/*/fd. Likely owners (``hints``: processes seen
    owning mail sockets before) are tried first, so a bot that keeps connecting costs one small
    directory read per poll, not a walk of every process. Returns the mapping and how many
    processes we were not allowed to look into."""
    wanted = set(inodes)
    owners: dict[int, int] = {}
    denied = 0
    tried: set[str] = set()

    def look(pid: str) -> None:
        nonlocal denied
        tried.add(pid)
        try:
            found = _socket_inodes(pid)
        except PermissionError:
            denied += 1
            return
        for inode in wanted & found.keys():
            owners[inode] = found[inode]
        wanted.difference_update(found.keys())

    for pid in hints:
        if not wanted:
            break
        look(str(pid))
    if wanted:
        # Newest processes first: a program that just opened a socket was usually just started,
        # and a short-lived socket must be found before it closes.
        pids = sorted((int(e.name) for e in os.scandir("/proc") if e.name.isdigit()), reverse=True)
        for pid in pids:
            if not wanted:
                break
            if str(pid) not in tried:
                look(str(pid))
    return owners, denied
