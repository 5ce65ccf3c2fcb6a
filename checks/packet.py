"""IP packets read with struct on the few fields the evidence needs: addresses, ports, flags,
where the payload starts, and why a packet could not be read.

Pure and small: the capture, `analyze` and the journal's recorder all read packets through it.
"""

from __future__ import annotations

import socket
import struct
from typing import NamedTuple

_PORTS = struct.Struct("!HH")
_SEQ = struct.Struct("!I")
TCP, UDP, IPIP, IPV6_IN_IP, GRE, AH, ESP = 6, 17, 4, 41, 47, 51, 50
# IPv6 extension headers that a reader walks over to the transport: hop-by-hop, routing,
# destination options, mobility, HIP, shim6 (RFC 8200's list); AH and fragments apart.
_EXTENSIONS = frozenset({0, 43, 60, 135, 139, 140})

# Why a packet was not read (counted; what could hide mail makes a capture `unknown`).
FRAGMENT, SHORT_FRAGMENT, ENCRYPTED, EXTENSIONS, TRUNCATED, OTHER_PROTOCOL, NOT_IP = (
    "fragment",  # a later IP fragment: its ports are in the first one
    "short_fragment",  # a first fragment too short to hold the transport header
    "encrypted",  # IPsec ESP
    "extensions",  # an IPv6 extension chain that could not be walked
    "truncated",  # cut short before its transport header
    "other_protocol",  # read: not TCP or UDP (ICMP, ...), carries no mail
    "not_ip",
)


class Parsed(NamedTuple):
    version: int
    src: bytes
    dst: bytes
    proto: int
    sport: int
    dport: int
    flags: int  # TCP flags (0 for UDP)
    offset: int  # where the payload starts
    seq: int  # TCP sequence number (0 for UDP)
    inner: int  # where an encapsulated IP packet starts (IP-in-IP, 6in4, GRE), else 0


def ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def ip_header(packet: bytes) -> bytes:
    version = packet[0] >> 4 if packet else 0
    if version == 4 and len(packet) >= 20:
        return packet[: max(20, (packet[0] & 0x0F) * 4)]
    if version == 6 and len(packet) >= 40:
        return packet[:40]
    return b""


# IPv4 without options (the common case, read in one go): fragment field, protocol, addresses,
# then TCP's ports, sequence number, data offset and flags, or UDP's ports.
_V4_TCP = struct.Struct("!6xHxB2x4s4sHHI4xBB")
_V4_UDP = struct.Struct("!6xHxB2x4s4sHH")
_new = tuple.__new__


def parse_ip(packet: bytes) -> Parsed | None:
    """The packet's transport fields, or None (``why_unread`` says why)."""
    size = len(packet)
    if size >= 28 and packet[0] == 0x45:
        # What the general reading below gives for TCP and UDP after a 20-byte IPv4 header.
        if size >= 40:
            frag, proto, src, dst, sport, dport, seq, data_offset, flags = _V4_TCP.unpack_from(
                packet
            )
            if proto == TCP and not frag & 0x1FFF:
                offset = 20 + (data_offset >> 4) * 4
                return _new(Parsed, (4, src, dst, TCP, sport, dport, flags, offset, seq, 0))
        else:
            frag, proto, src, dst, sport, dport = _V4_UDP.unpack_from(packet)
        if proto == UDP and not frag & 0x1FFF:
            return _new(Parsed, (4, src, dst, UDP, sport, dport, 0, 28, 0, 0))
    return parse_any(packet)


def parse_any(packet: bytes) -> Parsed | None:
    """``parse_ip`` without its shortcut for the common case."""
    if len(packet) < 20:
        return None
    version = packet[0] >> 4
    if version == 4:
        ihl = (packet[0] & 0x0F) * 4
        proto = packet[9]
        frag = struct.unpack_from("!H", packet, 6)[0] & 0x1FFF
        if ihl < 20 or frag or len(packet) < ihl + 8:
            return None
        src, dst = packet[12:16], packet[16:20]
        l4 = ihl
        if proto == AH:
            if len(packet) < l4 + 12:
                return None
            proto, l4 = packet[l4], l4 + (packet[l4 + 1] + 2) * 4
    elif version == 6:
        if len(packet) < 48:
            return None
        proto = packet[6]
        src, dst = packet[8:24], packet[24:40]
        l4 = _walk_extensions(packet, 40, proto)
        if l4 is None:
            return None
        proto, l4 = l4
    else:
        return None
    return _transport(packet, version, src, dst, proto, l4)


def _walk_extensions(packet: bytes, l4: int, proto: int) -> tuple[int, int] | None:
    """(transport protocol, its offset) after IPv6 extension headers, or None: a later
    fragment, or a chain that does not fit the packet."""
    for _ in range(16):
        if proto in _EXTENSIONS:
            if len(packet) < l4 + 8:
                return None
            proto, l4 = packet[l4], l4 + (packet[l4 + 1] + 1) * 8
        elif proto == 44:  # fragment: only the first holds the transport header
            if len(packet) < l4 + 8 or struct.unpack_from("!H", packet, l4 + 2)[0] & 0xFFF8:
                return None
            proto, l4 = packet[l4], l4 + 8
        elif proto == AH:
            if len(packet) < l4 + 12:
                return None
            proto, l4 = packet[l4], l4 + (packet[l4 + 1] + 2) * 4
        else:
            return proto, l4
    return None


def _transport(packet: bytes, version: int, src, dst, proto: int, l4: int) -> Parsed | None:
    if proto == TCP:
        if len(packet) < l4 + 20:
            return None
        sport, dport = _PORTS.unpack_from(packet, l4)
        offset = l4 + (packet[l4 + 12] >> 4) * 4
        seq = _SEQ.unpack_from(packet, l4 + 4)[0]
        return Parsed(version, src, dst, TCP, sport, dport, packet[l4 + 13], offset, seq, 0)
    if proto == UDP:
        if len(packet) < l4 + 8:
            return None
        sport, dport = _PORTS.unpack_from(packet, l4)
        return Parsed(version, src, dst, UDP, sport, dport, 0, l4 + 8, 0, 0)
    if proto in (IPIP, IPV6_IN_IP):
        return Parsed(version, src, dst, proto, 0, 0, 0, l4, 0, l4)
    if proto == GRE and len(packet) >= l4 + 4:
        flags, ethertype = struct.unpack_from("!HH", packet, l4)
        if ethertype in (0x0800, 0x86DD) and not flags & 0x0007:  # version 0
            inner = l4 + 4 + 4 * bool(flags & 0x8000) + 4 * bool(flags & 0x2000)
            inner += 4 * bool(flags & 0x1000)
            return Parsed(version, src, dst, GRE, 0, 0, 0, inner, 0, inner)
    return Parsed(version, src, dst, proto, 0, 0, 0, l4, 0, 0)


def why_unread(packet: bytes) -> str:
    """Why ``parse_ip`` returned None for this packet."""
    if len(packet) < 1:
        return NOT_IP
    version = packet[0] >> 4
    if version == 4 and len(packet) >= 20:
        if struct.unpack_from("!H", packet, 6)[0] & 0x1FFF:
            return FRAGMENT
        more = struct.unpack_from("!H", packet, 6)[0] & 0x2000
        if packet[9] == ESP:
            return ENCRYPTED
        return SHORT_FRAGMENT if more else TRUNCATED
    if version == 6 and len(packet) >= 40:
        proto, l4 = packet[6], 40
        for _ in range(16):
            if proto == ESP:
                return ENCRYPTED
            if proto == 44:
                if len(packet) >= l4 + 8 and struct.unpack_from("!H", packet, l4 + 2)[0] & 0xFFF8:
                    return FRAGMENT
                return SHORT_FRAGMENT
            if proto in _EXTENSIONS or proto == AH:
                if len(packet) < l4 + 8:
                    return EXTENSIONS
                size = (packet[l4 + 1] + 2) * 4 if proto == AH else (packet[l4 + 1] + 1) * 8
                proto, l4 = packet[l4], l4 + size
                continue
            return TRUNCATED
        return EXTENSIONS
    return NOT_IP


def fragment_key(packet: bytes) -> tuple | None:
    """(source, destination, identification) of an IP fragment, first or later, else None."""
    version = packet[0] >> 4 if packet else 0
    if version == 4 and len(packet) >= 20:
        flags = struct.unpack_from("!H", packet, 6)[0]
        if flags & 0x3FFF:  # more fragments, or an offset
            return (packet[12:16], packet[16:20], packet[4:6])
        return None
    if version == 6 and len(packet) >= 40:
        proto, l4 = packet[6], 40
        for _ in range(16):
            if proto == 44 and len(packet) >= l4 + 8:
                return (packet[8:24], packet[24:40], packet[l4 + 4 : l4 + 8])
            if proto in _EXTENSIONS and len(packet) >= l4 + 8:
                proto, l4 = packet[l4], l4 + (packet[l4 + 1] + 1) * 8
                continue
            return None
    return None


_DNS_HEAD = struct.Struct("!2xHH")
_QTYPE = struct.Struct("!H")


def dns_question(payload: bytes) -> tuple[bool, str, int] | None:
    """(is_response, name, qtype) of the first question."""
    size = len(payload)
    if size < 17:
        return None
    flags, qdcount = _DNS_HEAD.unpack_from(payload)
    if qdcount < 1:
        return None
    labels: list[bytes] = []
    i = 12
    while i < size:
        n = payload[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0 or i + 1 + n > size or len(labels) > 64:
            return None
        labels.append(payload[i + 1 : i + 1 + n])
        i += 1 + n
    if i + 4 > size:
        return None
    # Each byte decodes on its own: decoding the joined name is decoding each label.
    name = b".".join(labels).decode("ascii", "replace").lower()
    return bool(flags & 0x8000), name, _QTYPE.unpack_from(payload, i)[0]


def proxy_request(payload: bytes) -> tuple[str, str, int] | None:
    """(kind, destination, port) when a client's bytes ask a proxy for a connection: SOCKS 4/4a,
    SOCKS 5 or HTTP CONNECT. What a tunnel carries is hidden from the ports: its request is not."""
    if len(payload) >= 9 and payload[0] == 4 and payload[1] == 1 and payload.endswith(b"\0"):
        port = struct.unpack_from("!H", payload, 2)[0]
        ip = payload[4:8]
        if ip[:3] == b"\0\0\0" and ip[3]:  # SOCKS 4a: the name follows the user id
            name = payload[8:-1].split(b"\0", 1)[-1]
            return "socks4", name.decode("ascii", "replace")[:255], port
        return "socks4", ntop(ip), port
    if len(payload) >= 10 and payload[:3] == b"\x05\x01\x00":
        atyp, body = payload[3], payload[4:]
        if atyp == 1 and len(body) == 6:
            return "socks5", ntop(body[:4]), struct.unpack_from("!H", body, 4)[0]
        if atyp == 4 and len(body) == 18:
            return "socks5", ntop(body[:16]), struct.unpack_from("!H", body, 16)[0]
        if atyp == 3 and body and len(body) == 1 + body[0] + 2:
            name = body[1 : 1 + body[0]].decode("ascii", "replace")
            return "socks5", name, struct.unpack_from("!H", body, 1 + body[0])[0]
        return None
    if payload[:8].upper() == b"CONNECT ":
        target = payload[8:].split(None, 1)[0] if len(payload) > 8 else b""
        host, _sep, port = target.rpartition(b":")
        if port.isdigit() and host:
            return "http_connect", host.strip(b"[]").decode("ascii", "replace")[:255], int(port)
    return None


def smtp_greeting_or_hello(payload: bytes) -> bool:
    """A client's EHLO/HELO, whatever the port: SMTP where no mail port shows it."""
    head = payload[:5].upper()
    return head in (b"EHLO ", b"HELO ")
