"""Who "this line" is, as a set of addresses: what the notice reader compares a mail's path with.

A line is not one address string. It has an IPv4 and often an IPv6 address (dual stack, IPoE),
each IPv6 address stands for its /64 (privacy addresses change daily), a dynamic IPv4 changes
on every reconnection, the provider's notice names the address the line had at the reported
time, and behind carrier-grade NAT the line shares its public address with other subscribers.

Pure: built from what the user typed, what the notice names and what the checks of this PC
saw (NET-NAT's facts); ``match`` says how an address relates to the line.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from checks import addresses

# How an address relates to the line.
EXACT = "exact"  # one of the line's addresses
PREFIX = "prefix"  # in the /64 of one of the line's IPv6 addresses: the same line
NEAR = "near"  # in the same provider's block (IPv4 /16, IPv6 /32): could be this line at
#                another time, or a neighbour: only the provider can tell
OTHER = "other"  # elsewhere

# Where an address of the line came from.
GIVEN, NOTICE, THIS_PC, ROUTER, OBSERVED = "given", "notice", "this_pc", "router_wan", "observed"

V6_LINE_PREFIX = 64
V6_PROVIDER_PREFIX = 32
V4_PROVIDER_PREFIX = 16


@dataclass(frozen=True)
class LineAddress:
    ip: str
    source: str  # GIVEN, NOTICE, THIS_PC, ROUTER, OBSERVED
    kind: str  # checks.addresses.kind(): public, cgnat, private, ...


@dataclass(frozen=True)
class LineIdentity:
    addresses: tuple[LineAddress, ...] = ()
    cgnat: bool = False
    cgnat_reason: str | None = None  # "given_cgnat", "router_wan_cgnat", "wan_differs"
    ignored: tuple[str, ...] = field(default=())  # given values that are not addresses

    @property
    def public(self) -> list[LineAddress]:
        """The addresses the internet can see the line by (what a mail's headers record)."""
        return [
            a for a in self.addresses if a.kind in (addresses.PUBLIC, addresses.DOCUMENTATION_KIND)
        ]

    @property
    def known(self) -> bool:
        return bool(self.public)

    def families(self) -> set[int]:
        return {ipaddress.ip_address(a.ip).version for a in self.public}

    def match(self, ip: str | None) -> tuple[str, LineAddress | None]:
        """(EXACT | PREFIX | NEAR | OTHER, the line's address it relates to)."""
        addr = addresses.parse(ip) if ip else None
        if addr is None:
            return OTHER, None
        best: tuple[str, LineAddress | None] = (OTHER, None)
        for line in self.public:
            own = ipaddress.ip_address(line.ip)
            if own.version != addr.version:
                continue
            if own == addr:
                return EXACT, line
            if addr.version == 6 and _same(own, addr, V6_LINE_PREFIX):
                best = (PREFIX, line)
            elif best[0] == OTHER and _same(
                own, addr, V6_PROVIDER_PREFIX if addr.version == 6 else V4_PROVIDER_PREFIX
            ):
                best = (NEAR, line)
        return best

    def is_line(self, ip: str | None) -> bool:
        return self.match(ip)[0] in (EXACT, PREFIX)

    def elsewhere(self, ip: str | None) -> bool:
        """``ip`` is known not to be this line's: the line's address of its family is known and
        not shared, and ``ip`` is outside the provider's block around it. Unknown, shared or
        near is never "elsewhere": a dynamic address may have been the line's then."""
        addr = addresses.parse(ip) if ip else None
        if addr is None or self.cgnat or addr.version not in self.families():
            return False
        return self.match(ip)[0] == OTHER

    def mentioned_in(self, text: str) -> str | None:
        """The first of the line's addresses written anywhere in ``text`` (a header, a body, a
        link, a bounce's report, "77.32.148.21:5293057"), or None."""
        for line in self.public:
            if ":" not in line.ip:
                pattern = r"(?<![\d.])" + re.escape(line.ip) + r"(?!\d)"
                if re.search(pattern, text):
                    return line.ip
        if any(":" in a.ip for a in self.public):
            for token in _V6_TOKEN.findall(text.replace("IPv6:", " ").replace("ipv6:", " ")):
                if self.is_line(token.strip(".:[]")):
                    return str(addresses.parse(token.strip(".:[]")))
        return None

    def shown(self) -> str:
        """The line's public addresses as the words show them ("203.0.113.45, 2001:db8:1::/64")."""
        out = []
        for a in self.public:
            ip = ipaddress.ip_address(a.ip)
            text = (
                str(ipaddress.ip_network(f"{a.ip}/{V6_LINE_PREFIX}", strict=False))
                if ip.version == 6
                else a.ip
            )
            if text not in out:
                out.append(text)
        return ", ".join(out)

    def as_facts(self) -> dict[str, Any]:
        return {
            "addresses": [{"ip": a.ip, "source": a.source, "kind": a.kind} for a in self.addresses],
            "cgnat": self.cgnat,
            "cgnat_reason": self.cgnat_reason,
            "ignored": list(self.ignored),
        }


_TOKEN = re.compile(r"[0-9A-Fa-f:.]{2,}")
_V6_TOKEN = re.compile(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}")


def addresses_in(text: str) -> list[str]:
    """Every IP address written anywhere in ``text`` (a Received line, a header value), in any
    of the forms servers write: 203.0.113.45, [IPv6:2001:db8::1], ::ffff:203.0.113.45."""
    out: list[str] = []
    for token in _TOKEN.findall(text.replace("IPv6:", " ").replace("ipv6:", " ")):
        ip = addresses.parse(token.strip(".:"))
        if ip is not None and str(ip) not in out:
            out.append(str(ip))
    return out


def _same(a: ipaddress._BaseAddress, b: ipaddress._BaseAddress, bits: int) -> bool:
    net = ipaddress.ip_network(f"{a}/{bits}", strict=False)
    return b in net


def split_given(values: list[str] | str | None) -> list[str]:
    """What the user typed: one or several addresses, separated by commas, spaces or 、."""
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for token in str(value).replace("、", ",").replace(";", ",").replace(",", " ").split():
            if token and token not in out:
                out.append(token)
    return out


def build(
    given: list[str] | str | None = None,
    notice_sources: list[str] | None = None,
    nat_facts: dict[str, Any] | None = None,
) -> LineIdentity:
    """The line from the user's addresses, the addresses the provider's notice names as this
    contract's, and NET-NAT's facts (this PC's global addresses, the router's WAN address and the
    public address seen from outside)."""
    found: dict[str, LineAddress] = {}
    ignored: list[str] = []
    cgnat_reason: str | None = None

    def add(raw: Any, source: str) -> LineAddress | None:
        ip = addresses.parse(str(raw)) if raw else None
        if ip is None:
            return None
        text = str(ip)
        if text not in found:
            found[text] = LineAddress(text, source, addresses.kind(text))
        return found[text]

    for value in split_given(given):
        entry = add(value, GIVEN)
        if entry is None:
            ignored.append(value)
        elif entry.kind == addresses.CGNAT_KIND:
            cgnat_reason = cgnat_reason or "given_cgnat"
    for value in notice_sources or []:
        # What the notice's words call the source is the line's only if a line can have it: a
        # bounce quoting "from [127.0.0.1]" names no subscriber.
        if addresses.kind(str(value)) in (
            addresses.PUBLIC,
            addresses.DOCUMENTATION_KIND,
            addresses.CGNAT_KIND,
        ):
            add(value, NOTICE)
    nat = nat_facts or {}
    for item in nat.get("addresses") or []:
        kind = addresses.kind(str(item.get("address", ""))) if isinstance(item, dict) else None
        if kind in (addresses.PUBLIC, addresses.DOCUMENTATION_KIND):
            # A global address on this PC is the line's (IPv6 on most lines; IPv4 when the PC is
            # connected without a router).
            add(item.get("address"), THIS_PC)
    public = nat.get("public_ip")
    source = str(nat.get("public_ip_source") or "")
    if public:
        entry = add(public, ROUTER if source == "upnp" else OBSERVED)
        if entry is not None and entry.kind == addresses.CGNAT_KIND:
            cgnat_reason = cgnat_reason or "router_wan_cgnat"
    wan, seen = nat.get("router_wan_ip"), nat.get("observed_public_ip")
    if wan and seen and addresses.parse(str(wan)) != addresses.parse(str(seen)):
        add(wan, ROUTER)
        add(seen, OBSERVED)
        cgnat_reason = cgnat_reason or "wan_differs"
    if nat.get("cgnat"):
        cgnat_reason = cgnat_reason or "router_wan_cgnat"
    return LineIdentity(
        tuple(found.values()), cgnat_reason is not None, cgnat_reason, tuple(ignored)
    )
