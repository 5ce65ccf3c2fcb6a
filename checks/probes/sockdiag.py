"""Ask the Linux kernel for just the TCP sockets we care about (NETLINK_SOCK_DIAG).

This is what `ss` uses. A port filter (inet_diag bytecode) runs inside the kernel, so a poll costs
the same with 10 or 10,000 unrelated sockets open: nothing is formatted as text, and nothing that
does not match reaches Python. Each answer carries the socket's inode and owner uid, so owners can
be found without a second look at /proc/net/tcp. Works without root.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
from collections.abc import Iterable

from checks.probes.sockets import TCP_STATES, Socket, SocketTable

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
INET_DIAG_REQ_BYTECODE = 1
BC_JMP, BC_S_GE, BC_S_LE, BC_D_GE, BC_D_LE = 1, 2, 3, 4, 5
TCP_LISTEN = 10
ALL_STATES = (1 << 13) - 2  # states 1..12
CONNECTED_STATES = ALL_STATES & ~(1 << TCP_LISTEN)
LISTEN_ONLY = 1 << TCP_LISTEN

_NLMSG = struct.Struct("=LHHLL")
_REQ = struct.Struct("=BBBxL48s")
_MSG = struct.Struct("=BBBB2s2s16s16sLQLLLLL")  # inet_diag_msg: 72 bytes


def _op(code: int, yes: int, no: int) -> bytes:
    return struct.pack("=BBH", code, yes, no)


def dport_filter(ports: Iterable[int], local: bool = False) -> bytes:
    """Bytecode accepting sockets whose remote port is one of ``ports``.

    The kernel runs it as a tiny program: each op jumps ``yes`` or ``no`` bytes ahead; landing
    exactly on the end accepts, jumping past it (length + 4) rejects. The kernel's audit insists
    that every jump target lies on the chain of ``yes`` jumps from the start, so the layout is the
    one `ss` uses for "a or b": for each port a 16-byte test (D_GE then D_LE, each followed by an
    op whose ``no`` field holds the port), then a JMP to the end (accept); a failed test falls
    through to the next port's test, and past the last one to reject."""
    ports = sorted(set(ports))
    if not ports:
        raise ValueError("no ports")
    total = 20 * len(ports) - 4
    code = b""
    for i, port in enumerate(ports):
        start = 20 * i
        last = i == len(ports) - 1
        fail = total + 4 if last else start + 20
        ge, le = (BC_S_GE, BC_S_LE) if local else (BC_D_GE, BC_D_LE)
        code += _op(ge, 8, fail - start) + _op(0, 0, port)
        code += _op(le, 8, fail - start - 8) + _op(0, 0, port)
        if not last:
            code += _op(BC_JMP, 4, total - (start + 16))
    return code


def _address(family: int, raw: bytes) -> str:
    if family == socket.AF_INET:
        return str(ipaddress.IPv4Address(raw[:4]))
    addr = ipaddress.IPv6Address(raw)
    return str(addr.ipv4_mapped) if addr.ipv4_mapped else str(addr)


def _request(
    family: int, states: int, bytecode: bytes | None, seq: int, protocol: int = socket.IPPROTO_TCP
) -> bytes:
    body = _REQ.pack(family, protocol, 0, states, b"\0" * 48)
    if bytecode:
        attr = struct.pack("=HH", 4 + len(bytecode), INET_DIAG_REQ_BYTECODE) + bytecode
        body += attr + b"\0" * (-len(attr) % 4)
    return (
        _NLMSG.pack(
            _NLMSG.size + len(body), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, seq, 0
        )
        + body
    )


def parse_messages(data: bytes) -> tuple[list[Socket], bool]:
    """Sockets in one netlink read, and whether the dump is finished."""
    out: list[Socket] = []
    offset = 0
    while offset + _NLMSG.size <= len(data):
        length, kind, _flags, _seq, _pid = _NLMSG.unpack_from(data, offset)
        if length < _NLMSG.size:
            break
        if kind == NLMSG_DONE:
            return out, True
        if kind == NLMSG_ERROR:
            if length >= _NLMSG.size + 4 and offset + _NLMSG.size + 4 <= len(data):
                (errno,) = struct.unpack_from("=i", data, offset + _NLMSG.size)
            else:
                errno = -22  # a malformed error message is still an error
            raise OSError(-errno, os.strerror(-errno))
        if (
            kind == SOCK_DIAG_BY_FAMILY
            and length >= _NLMSG.size + _MSG.size
            and offset + _NLMSG.size + _MSG.size <= len(data)
        ):
            (
                family,
                state,
                _t,
                _r,
                sport,
                dport,
                src,
                dst,
                _if,
                _cookie,
                _exp,
                _rq,
                _wq,
                uid,
                inode,
            ) = _MSG.unpack_from(data, offset + _NLMSG.size)
            out.append(
                Socket(
                    laddr=_address(family, src),
                    lport=int.from_bytes(sport, "big"),
                    raddr=_address(family, dst),
                    rport=int.from_bytes(dport, "big"),
                    state=TCP_STATES.get(f"{state:02X}", str(state)),
                    inode=inode,
                    uid=uid,
                )
            )
        offset += (length + 3) & ~3
    return out, False


class SockDiag:
    """One netlink socket, reused for every poll."""

    def __init__(
        self,
        remote_ports: Iterable[int] | None = None,
        listeners: bool = False,
        *,
        local_ports: Iterable[int] | None = None,
        protocol: int = socket.IPPROTO_TCP,
    ):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)
        self.sock.settimeout(2.0)
        self.protocol = protocol
        if protocol == socket.IPPROTO_UDP:
            self.states = ALL_STATES  # unconnected UDP sockets are in state 7 (CLOSE)
        else:
            self.states = LISTEN_ONLY if listeners else CONNECTED_STATES
        if local_ports is not None:
            self.bytecode = dport_filter(local_ports, local=True)
        else:
            self.bytecode = None if listeners else dport_filter(remote_ports or ())
        self.seq = 0

    def _dump(self, family: int) -> list[Socket]:
        self.seq += 1
        self.sock.send(_request(family, self.states, self.bytecode, self.seq, self.protocol))
        found: list[Socket] = []
        while True:
            batch, done = parse_messages(self.sock.recv(65536))
            found += batch
            if done:
                return found

    def read(self) -> SocketTable:
        return SocketTable(tuple(self._dump(socket.AF_INET) + self._dump(socket.AF_INET6)))

    def close(self) -> None:
        self.sock.close()

    def __del__(self):
        try:
            self.sock.close()
        except Exception:
            pass


def available() -> bool:
    try:
        SockDiag(remote_ports=[25]).read()
    except (OSError, AttributeError):
        return False
    return True


def linux_reader(remote_ports: Iterable[int] | None = None, listeners: bool = False):
    """The fastest working reader: sock_diag, else /proc/net/tcp (e.g. a kernel without the
    tcp_diag module). Both have ``read() -> SocketTable``; ``source`` says which it is."""
    from checks.probes.sockets import LinuxTable

    try:
        reader = SockDiag(remote_ports=remote_ports, listeners=listeners)
        reader.read()
        reader.source = "sock_diag"
        return reader
    except (OSError, AttributeError, ValueError):
        table = LinuxTable(remote_ports=remote_ports, listeners=listeners)
        table.source = "/proc/net/tcp"
        return table
