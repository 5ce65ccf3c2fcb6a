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


def exposed(addr: str) -> bool:
    """A listener on this address can be reached from other machines."""
    return not is_loopback(addr)


# --- what kind of address is this? ------------------------------------------------------------

CGNAT = ipaddress.ip_network("100.64.0.0/10")
DOCUMENTATION = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
]
BENCHMARK = ipaddress.ip_network("198.18.0.0/15")
ULA = ipaddress.ip_network("fc00::/7")

PUBLIC, PRIVATE, CGNAT_KIND, LINK_LOCAL, LOOPBACK, DOCUMENTATION_KIND, RESERVED = (
    "public",
    "private",
    "cgnat",
    "link-local",
    "loopback",
    "documentation",
    "reserved",
)


def kind(addr: str) -> str:
    """public, private (RFC 1918 / IPv6 ULA), cgnat (100.64.0.0/10), link-local, loopback,
    documentation (RFC 5737 / RFC 3849) or reserved (anything else that is not routable)."""
    ip = parse(addr)
    if ip is None:
        return RESERVED
    if ip.is_loopback:
        return LOOPBACK
    if ip.is_link_local:
        return LINK_LOCAL
    if any(ip.version == n.version and ip in n for n in DOCUMENTATION):
        return DOCUMENTATION_KIND
    if ip.version == 4 and ip in CGNAT:
        return CGNAT_KIND
    if ip.version == 4 and ip in BENCHMARK:
        return RESERVED
    if ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return RESERVED
    if ip.version == 6 and ip in ULA:
        return PRIVATE
    if ip.is_private:
        return PRIVATE
    if ip.is_global:
        return PUBLIC
    return RESERVED
