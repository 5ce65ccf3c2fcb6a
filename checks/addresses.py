"""Pure helpers about IP addresses."""

from __future__ import annotations

import ipaddress


def parse(addr: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(addr.split("%")[0].strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def is_loopback(addr: str) -> bool:
    ip = parse(addr)
    return bool(ip and ip.is_loopback)


def is_wildcard(addr: str) -> bool:
    ip = parse(addr)
    return bool(ip and ip.is_unspecified)


def exposed(addr: str) -> bool:
    """A listener on this address can be reached from other machines."""
    return not is_loopback(addr)
