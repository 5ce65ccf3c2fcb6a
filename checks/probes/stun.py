"""Ask a STUN server (RFC 5389 Binding request) which public address this line has. Only used
when the user allowed network lookups and the router did not say (UPnP)."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
import struct

MAGIC = 0x2112A442
DEFAULT_SERVERS = ("stun.l.google.com:19302", "stun.cloudflare.com:3478")


def servers() -> list[tuple[str, int]]:
    configured = os.environ.get("CLEARLINE_STUN_SERVERS", "")
    out = []
    for item in [s.strip() for s in configured.split(",") if s.strip()] or DEFAULT_SERVERS:
        host, _sep, port = item.rpartition(":")
        out.append((host or item, int(port) if port.isdigit() else 3478))
    return out


def request(transaction: bytes) -> bytes:
    return struct.pack("!HHI", 0x0001, 0, MAGIC) + transaction


def parse_response(data: bytes, transaction: bytes) -> str | None:
    """The mapped address of a Binding success response, or None."""
    if len(data) < 20:
        return None
    kind, length, magic = struct.unpack_from("!HHI", data, 0)
    if kind != 0x0101 or magic != MAGIC or data[8:20] != transaction:
        return None
    i, end = 20, min(len(data), 20 + length)
    mapped = None
    while i + 4 <= end:
        atype, alen = struct.unpack_from("!HH", data, i)
        value = data[i + 4 : i + 4 + alen]
        if atype in (0x0020, 0x0001) and len(value) >= 8:
            family = value[1]
            raw = value[4:8] if family == 1 else value[4:20]
            if atype == 0x0020:
                key = struct.pack("!I", MAGIC) + (transaction if family == 2 else b"")
                raw = bytes(b ^ k for b, k in zip(raw, key, strict=False))
            try:
                address = str(ipaddress.ip_address(raw))
            except ValueError:
                address = None
            if atype == 0x0020 and address:
                return address
            mapped = mapped or address
        i += 4 + alen + (-alen % 4)
    return mapped


def public_address(timeout: float = 2.0) -> tuple[str | None, str | None]:
    """(address, server asked) — (None, None) when no server answered."""
    for host, port in servers():
        transaction = secrets.token_bytes(12)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(timeout)
                s.sendto(request(transaction), (host, port))
                data, _addr = s.recvfrom(2048)
        except OSError:
            continue
        address = parse_response(data, transaction)
        if address:
            return address, f"{host}:{port}"
    return None, None
