"""Read a message's Received chain as hops and decide where the message entered the internet.

Pure functions over header text; the verdicts are DESIGN.md's: direct, account, forged, unknown.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_IP_IN_BRACKETS = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")
_IP_BARE = re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3})\b")
_AUTH_WITH = re.compile(
    r"^(E?SMTPS?A|ESMTPSA|ESMTPA|LMTPSA|UTF8SMTPSA|UTF8SMTPA|ESMTPSA\w*)$", re.I
)
_AUTH_TEXT = re.compile(
    r"Authenticated sender:\s*<?([^\s>)]+)|\bauth(?:enticated)?\s*(?:as|user|=)\s*<?([^\s>);]+)|\(authenticated(?: bits=\d+)?\)",
    re.I,
)

# Reverse-DNS names of end-user (dynamic) address pools, including Japanese providers'.
DYNAMIC_NAME = re.compile(
    r"(\d{1,3}[-.]\d{1,3}[-.]\d{1,3}[-.]\d{1,3})|\b(dyn|dynamic|dhcp|pool|ppp|pppoe|adsl|dsl|cable|"
    r"cpe|broadband|dialup|dial|client|customer|home|res|ipngn|flets|bbtec|ocn|plala|dion|"
    r"au-net|ap\d|ntt|catv|ftth|fiber|user|host\d|p\d+-|ai\d+|kd\d+)\b",
    re.I,
)


@dataclass
class Hop:
    index: int  # 0 = the first hop (closest to the sender)
    raw: str
    from_helo: str | None = None
    from_rdns: str | None = None
    client_ip: str | None = None
    by: str | None = None
    with_proto: str | None = None
    authenticated: bool = False
    auth_user: str | None = None
    time: datetime | None = None
    warnings: list[str] = field(default_factory=list)

    def as_facts(self) -> dict:
        return {
            "index": self.index,
            "from": self.from_helo,
            "rdns": self.from_rdns,
            "client_ip": self.client_ip,
            "by": self.by,
            "with": self.with_proto,
            "authenticated": self.authenticated,
            "auth_user": self.auth_user,
            "time_utc": self.time.astimezone(UTC).isoformat() if self.time else None,
            "raw": self.raw[:1000],
        }


def _valid_ip(text: str) -> str | None:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ip)


def is_public(ip: str | None) -> bool:
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv4Address) and addr in ipaddress.ip_network("100.64.0.0/10"):
        return False
    # Documentation ranges are treated as public: samples and tests use them for real addresses.
    doc = any(
        addr in ipaddress.ip_network(n)
        for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
        if addr.version == ipaddress.ip_network(n).version
    )
    return doc or addr.is_global


def parse_received(raw: str, index: int = 0) -> Hop:
    text = " ".join(raw.split())
    hop = Hop(index=index, raw=text)
    body, _sep, date_part = text.rpartition(";")
    if not _sep:
        body, date_part = text, ""
    if date_part.strip():
        try:
            hop.time = parsedate_to_datetime(date_part.strip())
            if hop.time is not None and hop.time.tzinfo is None:
                hop.time = hop.time.replace(tzinfo=UTC)
                hop.warnings.append("time without zone, read as UTC")
        except (TypeError, ValueError, IndexError):
            hop.warnings.append("unreadable time")
    m = re.search(r"\bfrom\s+(.*?)(?=\s+by\s|\s+with\s|\s+id\s|\s+for\s|$)", body, re.I)
    from_clause = m.group(1) if m else ""
    if from_clause:
        hop.from_helo = from_clause.split()[0].strip("()")
        rd = re.search(r"\(\s*([A-Za-z0-9.\-]+\.[A-Za-z]{2,})\s*\[", from_clause)
        if rd:
            hop.from_rdns = rd.group(1).lower()
        # "from HELO (rdns [IP])": the address the server saw is inside the parentheses; a
        # bracketed first word is only what the client claimed in HELO.
        seen = re.findall(r"\([^()]*?\[(?:IPv6:)?([0-9A-Fa-f:.]+)\][^()]*\)", from_clause)
        for cand in seen + _IP_IN_BRACKETS.findall(from_clause) + _IP_BARE.findall(from_clause):
            ip = _valid_ip(cand)
            if ip:
                hop.client_ip = ip
                break
    m = re.search(r"\bby\s+([^\s;()]+)", body, re.I)
    if m:
        hop.by = m.group(1).lower()
    m = re.search(r"\bwith\s+([A-Za-z0-9_\-]+)", body, re.I)
    if m:
        hop.with_proto = m.group(1)
        if _AUTH_WITH.match(m.group(1)):
            hop.authenticated = True
    auth = _AUTH_TEXT.search(body)
    if auth:
        hop.authenticated = True
        hop.auth_user = auth.group(1) or auth.group(2)
    return hop


def parse_chain(received_headers: list[str]) -> list[Hop]:
    """Headers as they appear (newest first) -> hops oldest first, indexed from 0."""
    hops = [parse_received(h) for h in reversed(received_headers)]
    for i, hop in enumerate(hops):
        hop.index = i
    return hops


def entry_hop(hops: list[Hop]) -> Hop | None:
    """The hop where the message entered the internet: the first (oldest) hop whose client is a
    public address. Hops before it are inside the sender's own network."""
    for hop in hops:
        if is_public(hop.client_ip):
            return hop
    return None


def looks_dynamic(hop: Hop) -> bool:
    name = hop.from_rdns or ""
    return bool(name and DYNAMIC_NAME.search(name))


def auth_results(headers: list[str]) -> dict[str, str]:
    """spf/dkim/dmarc results from Authentication-Results and Received-SPF headers."""
    results: dict[str, str] = {}
    for value in headers:
        for method in ("spf", "dkim", "dmarc"):
            m = re.search(rf"\b{method}=(\w+)", value, re.I)
            if m and method not in results:
                results[method] = m.group(1).lower()
    return results
