"""Read a message's Received chain as hops and decide where the message entered the internet.

Pure functions over header text; the verdicts are DESIGN.md's: direct, account, forged, unknown.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from checks.timefmt import plausible

_IP_IN_BRACKETS = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")
# A bare IPv4 address, not the start or end of a longer dotted number: "Messaging Server
# 7.0.5.33.0" is a version, not the client.
_IP_BARE = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
# A comment in parentheses (innermost first): "with" and "by" inside one ("using TLSv1 with
# cipher ...") are no part of the line's clauses.
_COMMENT = re.compile(r"\([^()]*\)")
# Exim and Ecelerity write the greeting name inside the brackets: "([10.0.0.1:50449] helo=x)";
# CommuniGate Pro "(account user HELO [10.0.0.1])".
_HELO_IN_COMMENT = re.compile(r"\bhelo(?:=\s*|\s+)\[?([A-Za-z0-9.\-_:]+)\]?", re.I)
# What the client claimed in its greeting, as a literal: never the address the server saw.
_HELO_LITERAL = re.compile(r"\b(?:HELO|EHLO)(?:=\s*|\s+)\[[^\]]*\]", re.I)
# Exim writes the reverse name first and the greeting after it: "from RDNS ([ip] helo=HELO)".
_EXIM_RDNS = re.compile(r"^([A-Za-z0-9.\-]+\.[A-Za-z]{2,})\s+\(\[[^\]]+\]\s+helo=", re.I)
# "with" protocols that record a login (RFC 3848: ESMTPA, ESMTPSA, LMTPA, UTF8SMTPSA, ...; Exim
# writes them in lower case), and webmail ("with HTTP", "via HTTP"): a browser that logged in.
_AUTH_WITH = re.compile(r"^(?:UTF8)?(?:E?SMTPS?A|LMTPS?A|ASMTP)\w*$", re.I)  # Exim 3: asmtp
_WEBMAIL = re.compile(r"\b(?:with|via)\s+HTTP[SU]?\b", re.I)  # CommuniGate XIMSS: HTTPU
# Login words servers write into Received lines, in the forms real servers use: Postfix
# "(Authenticated sender: x)", Sendmail "(authenticated bits=0)", "(authenticated as x)",
# "auth=x", Courier "(AUTH: LOGIN x)", Japanese providers' "with ESMTP AUTH" / "SMTP-AUTH".
_AUTH_TEXT = re.compile(
    r"Authenticated sender:\s*<?([^\s>)]+)"
    r"|\bauth(?:enticated)?\s*(?:as|user|by|=)\s*<?([^\s>);,]+)"
    r"|\(AUTH:\s*[A-Z0-9-]+\s+([^\s,)]+)"
    r"|\(authenticated(?: bits=\d+)?\)"
    r"|\bwith\s+E?SMTPS?\s+AUTH\b|\bSMTP[- ]?AUTH\b"
    r"|\bby\s+authid\s+<?([^\s>);,]+)",  # Exim's authenticated id
    re.I,
)

# qmail: "from RDNS (HELO name) (user@[ip])", Japanese providers' "(ip with plain)" and
# "(user@domain@ip)": a login name or mechanism beside the address is a login.
_QMAIL_FROM = re.compile(
    r"^(?P<rdns>[^\s()]+)\s+(?:\((?:HELO|EHLO)\s+(?P<helo>[^\s()]+)\)\s+)?"
    r"\((?:(?P<user>[^\s()\[\]]+)@)?\[?(?P<ip>[0-9A-Fa-f:.]+)\]?"
    r"(?:\s+with\s+(?P<mech>[A-Za-z0-9\-]+))?\)\s*$",
    re.I,
)
# Authentication-Results (RFC 8601) that records a login: "auth=pass smtp.auth=user".
_AR_AUTH = re.compile(r"\bauth=pass\b[^;]*?\bsmtp\.auth=\s*<?([^\s;>]+)", re.I)

# Reverse-DNS names of end-user (dynamic) address pools, including Japanese providers'.
DYNAMIC_NAME = re.compile(
    r"(\d{1,3}[-.]\d{1,3}[-.]\d{1,3}[-.]\d{1,3})|\b(dyn|dynamic|dhcp|pool|ppp|pppoe|adsl|dsl|cable|"
    r"cpe|broadband|dialup|dial|client|customer|home|res|ipngn|flets|bbtec|ocn(?!\.ad\.jp)|plala|dion|"
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
    webmail: bool = False
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


_CLAUSE_END = re.compile(r"\s(?:by|with|id|for|via)\s", re.I)


def _from_clause(body: str) -> str:
    """What follows "from" up to the next clause ("by", "with", "id", "for", "via") outside
    parentheses: "(user@ip with plain)" and "(using TLSv1 with cipher ...)" belong to it."""
    m = re.match(r"\s*from\s+", body, re.I)
    if not m:
        return ""
    depth, i = 0, m.end()
    while i < len(body):
        ch = body[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and ch.isspace():
            end = _CLAUSE_END.match(body, i)
            if end:
                return body[m.end() : i]
        i += 1
    return body[m.end() :]


def _outside_comments(text: str) -> str:
    for _ in range(8):
        stripped = _COMMENT.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    return text


def _address(candidate: str) -> str | None:
    """An address as servers bracket it, with a port after an IPv4 one ("10.0.0.1:50449", or
    Exim 3's "10.0.0.1.50449")."""
    ip = _valid_ip(candidate)
    if ip is None:
        with_port = re.fullmatch(r"(\d{1,3}(?:\.\d{1,3}){3})[:.]\d{1,5}", candidate)
        ip = _valid_ip(with_port.group(1)) if with_port else None
    return ip


def parse_received(raw: str, index: int = 0) -> Hop:
    """One Received line: its time, the client it names (address, HELO, reverse name), the
    receiving server, the protocol and whether the client logged in."""
    text = " ".join(raw.split())
    hop = Hop(index=index, raw=text)
    body, _sep, date_part = text.rpartition(";")
    if not _sep:
        body, date_part = text, ""
    if date_part.strip():
        _read_time(hop, date_part.strip())
    # The from clause opens the line (RFC 5321 "Received: from X by Y"): a "from" inside a
    # later comment, as in "by mx (Postfix, from userid 1000)" or qmail's "(qmail 123 invoked
    # from network)", names no client.
    from_clause = _from_clause(body)
    qmail = _QMAIL_FROM.match(from_clause)
    if qmail:
        _read_qmail_from(hop, qmail)
    elif from_clause:
        _read_from(hop, from_clause)
    _read_by_and_with(hop, body)
    return hop


def _read_time(hop: Hop, date_part: str) -> None:
    try:
        hop.time = parsedate_to_datetime(date_part)
        if hop.time is not None and hop.time.tzinfo is None:
            hop.time = hop.time.replace(tzinfo=UTC)
            hop.warnings.append("time without zone, read as UTC")
        if hop.time is not None and plausible(hop.time) is None:
            hop.time = None
            hop.warnings.append("a time outside the years a mail can carry; not used")
    except (TypeError, ValueError, IndexError, OverflowError):
        hop.warnings.append("unreadable time")


def _read_qmail_from(hop: Hop, qmail: re.Match) -> None:
    """qmail writes "from RDNS (HELO name) (user@[ip])": the first word is the reverse-DNS
    name, the HELO is in parentheses, and "user@" before the address is a login."""
    rdns, helo, user, ip = (
        qmail.group("rdns"),
        qmail.group("helo"),
        qmail.group("user"),
        qmail.group("ip"),
    )
    hop.from_helo = helo or rdns
    if rdns and rdns.lower() != "unknown" and "." in rdns and _address(rdns.strip("[]")) is None:
        hop.from_rdns = rdns.lower()
    hop.client_ip = _address(ip)
    if user or qmail.group("mech"):
        hop.authenticated, hop.auth_user = True, user


# CommuniGate Pro names the account that logged in: "(account user@example.edu HELO x)".
_CGP_ACCOUNT = re.compile(r"\(account\s+([^\s()]+)", re.I)


def _read_from(hop: Hop, from_clause: str) -> None:
    # Aliyun writes "from srv01(mailfrom:x@y fp:...)": the greeting ends at the parenthesis.
    first = from_clause.split()[0].strip("()")
    hop.from_helo = first.split("(")[0] or first
    rd = re.search(r"\(\s*([A-Za-z0-9.\-]+\.[A-Za-z]{2,})\.?\s*\[", from_clause)
    if rd:
        hop.from_rdns = rd.group(1).lower()
    helo = _HELO_IN_COMMENT.search(from_clause)
    exim = _EXIM_RDNS.match(from_clause)
    if helo and exim and not rd and hop.from_helo.lower() not in ("localhost", "unknown"):
        hop.from_rdns, hop.from_helo = exim.group(1).lower(), helo.group(1)
    elif helo and hop.from_helo.startswith("[") and _address(hop.from_helo.strip("[]")):
        hop.from_helo = helo.group(1)  # "from [ip] (helo=name)": the name it greeted with
    elif helo and hop.from_helo.lower() in ("localhost", "unknown"):
        hop.from_helo = helo.group(1)
    # "from HELO (rdns [IP])": the address the server saw is inside the parentheses; a
    # bracketed first word, or a literal after HELO, is only what the client claimed.
    said = _HELO_LITERAL.sub(" ", from_clause)
    seen = re.findall(r"\([^()]*?\[(?:IPv6:)?([0-9A-Fa-f:.]+)\][^()]*\)", said)
    for cand in seen + _IP_IN_BRACKETS.findall(said) + _IP_BARE.findall(said):
        ip = _address(cand)
        if ip:
            hop.client_ip = ip
            break
    if hop.from_helo.lower() == "authenticated-user":
        # Mail-in-a-Box names a client that logged in "authenticated-user".
        hop.authenticated = True


def _read_by_and_with(hop: Hop, body: str) -> None:
    clauses = _outside_comments(body)
    m = re.search(r"\bby\s+([^\s;()]+)", clauses, re.I)
    if m:
        hop.by = m.group(1).lower()
    m = re.search(r"\bwith\s+([A-Za-z0-9_\-]+)", clauses, re.I)
    if m:
        hop.with_proto = m.group(1)
        if _AUTH_WITH.match(m.group(1)) or m.group(1).lower() == "mapi":
            # MAPI: Outlook submitting through Exchange, logged in as the mailbox's owner.
            hop.authenticated = True
    auth = _AUTH_TEXT.search(body)
    if auth:
        hop.authenticated = True
        said = auth.group(1) or auth.group(2) or auth.group(3) or auth.group(4)
        hop.auth_user = hop.auth_user or said
    if _WEBMAIL.search(body) and not _internal(hop):
        # A browser that logged in to webmail; Exchange Online's servers also hand mail to each
        # other "with HTTPS", which is no login.
        hop.authenticated, hop.webmail = True, True
    account = _CGP_ACCOUNT.search(body)
    if account and hop.authenticated:
        # Only the name: whether it logged in is what "with ESMTPSA" and the rest say.
        hop.auth_user = hop.auth_user or account.group(1)


def _internal(hop: Hop) -> bool:
    own = org(hop.from_rdns or hop.from_helo)
    return own is not None and own == org(hop.by)


def parse_chain(received_headers: list[str]) -> list[Hop]:
    """Headers as they appear (newest first) -> hops oldest first, indexed from 0."""
    hops = [parse_received(h) for h in reversed(received_headers)]
    for i, hop in enumerate(hops):
        hop.index = i
    return hops


# Second-level suffixes under which organisations register (enough for mail hosts seen in
# notices; not the whole public suffix list).
_SECOND_LEVEL = {
    "co.jp",
    "ne.jp",
    "or.jp",
    "ad.jp",
    "ac.jp",
    "go.jp",
    "gr.jp",
    "ed.jp",
    "lg.jp",
    "co.uk",
    "org.uk",
    "ac.uk",
    "com.au",
    "net.au",
    "org.au",
    "co.kr",
    "or.kr",
    "ne.kr",
    "com.br",
    "com.cn",
    "net.cn",
    "com.tw",
    "co.nz",
    "co.in",
    "com.sg",
    "com.hk",
}


# Operators that run one mail service under several domains: their servers hand mail to each
# other across them (smtp.gmail.com -> mail-xx.google.com; Exchange Online's
# prod.exchangelabs.com and protection.outlook.com).
OPERATORS = {
    "google.com": "google",
    "gmail.com": "google",
    "googlemail.com": "google",
    "1e100.net": "google",
    "outlook.com": "microsoft",
    "office365.com": "microsoft",
    "exchangelabs.com": "microsoft",
    "hotmail.com": "microsoft",
    "live.com": "microsoft",
    "microsoft.com": "microsoft",
    "yahoo.com": "yahoo",
    "yahoo.net": "yahoo",
    "yahoodns.net": "yahoo",
    "aol.com": "yahoo",
    "icloud.com": "apple",
    "me.com": "apple",
    "mac.com": "apple",
    "apple.com": "apple",
    "amazonses.com": "amazon",
}


def org(host: str | None) -> str | None:
    """The organisation's domain of a host name: mx1.mail.example.co.jp -> example.co.jp (or the
    operator's name for a service under several domains)."""
    if not host or "." not in host or _valid_ip(host.strip("[]")):
        return None
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _SECOND_LEVEL:
        domain = ".".join(labels[-3:])
    else:
        domain = ".".join(labels[-2:])
    return OPERATORS.get(domain, domain)


def _from_host(hop: Hop) -> str | None:
    return hop.from_rdns or hop.from_helo


@dataclass
class Reading:
    """How far a Received chain can be trusted, read from the newest line down."""

    entry: Hop | None  # where the message entered the receiving side from outside
    trusted: list[Hop]  # written by the receiving side (the entry's line included)
    untrusted: list[Hop]  # written by the sending side: can be invented
    notes: list[str]


def walk(hops: list[Hop], anchor_ip: str | None = None) -> Reading:
    """Walk from the newest line (written by the recipient's own server) down while each line
    is an internal relay of the receiving organisation; the first line whose client is outside
    it is the entry. An ARF report's Source-IP anchors the entry when a line shows it."""
    newest_first = list(reversed(hops))
    notes: list[str] = []
    if not newest_first:
        return Reading(None, [], [], notes)
    if anchor_ip:
        for i, hop in enumerate(newest_first):
            if hop.client_ip == anchor_ip:
                return Reading(hop, newest_first[: i + 1], newest_first[i + 1 :], notes)
        notes.append(f"the report's Source-IP {anchor_ip} is in no Received line")
    receiver = org(newest_first[0].by)
    for i, hop in enumerate(newest_first):
        host_org = org(_from_host(hop))
        same_org = receiver is not None and host_org == receiver
        if hop.client_ip is None:
            # No address: an internal hand-over, unless it names a host of another organisation
            # (then the message entered here, and its address is hidden).
            internal = host_org is None or same_org
        else:
            internal = not is_public(hop.client_ip) or same_org
        if internal and i == len(newest_first) - 1 and is_public(hop.client_ip):
            # The oldest line with a public client: the message came from somewhere, and this
            # is the only place the chain shows (sender and receiver may share a domain).
            internal = False
        if not internal:
            below = newest_first[i + 1 :]
            if below:
                notes.append(
                    f"{len(below)} older Received line(s) were written by the sending side and"
                    " are not trusted"
                )
            return Reading(hop, newest_first[: i + 1], below, notes)
    notes.append("no Received line shows a client outside the receiving side")
    return Reading(None, newest_first, [], notes)


def _names(hop: Hop) -> set[str]:
    return {n.lower().strip(".") for n in (hop.from_rdns, hop.from_helo) if n}


def _transparent(hop: Hop) -> bool:
    """A line a server writes to itself: no client ("Received: by mx (Postfix, from userid
    0)"), or the loopback (a list server or a filter re-injecting the message)."""
    if hop.client_ip is None:
        return not hop.from_helo
    return ipaddress.ip_address(hop.client_ip).is_loopback


def hands_over(above: Hop, below: Hop, also: set[str] = frozenset()) -> bool:
    """The line below was written by the server the line above received the message from: its
    "by" is that server's name (or its address), or a host of the same organisation. ``also``:
    more names of that server (from lines it wrote to itself in between)."""
    by = (below.by or "").lower().strip(".")
    if not by:
        return False
    literal = _valid_ip(by.strip("[]"))
    if literal:
        return literal == above.client_ip
    names = _names(above) | set(also)
    if by in names:
        return True
    if not {org(n) for n in names} - {None} and org(above.by) is not None:
        # The line above names its client only by address (an operator's internal relays
        # often do): a line below written by the same organisation is its own hand-over.
        return org(by) == org(above.by)
    if "." not in by:  # "by mx1 (Postfix)" below "from mx1.example.net"
        return any(n.split(".")[0] == by for n in names)
    own = org(by)
    return own is not None and own in {org(n) for n in names}


def handed_down(reading: Reading) -> list[Hop]:
    """The lines below the entry that the chain vouches for: each written by the server the line
    above received from, across organisations (a mailing list, a forwarder, an open relay, the
    sender's own gateway, a webmail service), down to the first home line or login. What a home
    line or a logged-in client writes about itself can be invented, so the walk stops there."""
    if reading.entry is None or looks_dynamic(reading.entry) or reading.entry.authenticated:
        return []
    chain: list[Hop] = []
    above = reading.entry
    also: set[str] = set()
    for hop in reading.untrusted:
        itself = not hop.by or _literal(hop.by) or _localhost(hop.by)
        if _transparent(hop) and (itself or hands_over(above, hop, also)):
            # The server above writing to itself (a filter such as amavisd-new writes "by
            # localhost"): the line below is handed over to it still.
            chain.append(hop)
            if hop.by and not _localhost(hop.by):
                also.add(hop.by.lower().strip("."))
            continue
        if not hands_over(above, hop, also):
            break
        chain.append(hop)
        if hop.authenticated or looks_dynamic(hop):
            break
        above, also = hop, set()
    return chain


def _literal(name: str | None) -> bool:
    return bool(name) and _valid_ip(name.strip("[]")) is not None


def _localhost(name: str | None) -> bool:
    """A name every machine gives itself: it names no server, so it never vouches for one."""
    return (name or "").lower().strip(".") in ("localhost", "localhost.localdomain")


def sender_chain(reading: Reading) -> list[Hop]:
    """The part of ``handed_down`` inside the entry's own organisation (its submission servers)."""
    if reading.entry is None:
        return []
    sender_org = org(_from_host(reading.entry))
    chain: list[Hop] = []
    for hop in handed_down(reading):
        if sender_org is None or org(hop.by) != sender_org:
            break
        chain.append(hop)
    return chain


def looks_dynamic(hop: Hop) -> bool:
    name = hop.from_rdns or ""
    return bool(name and DYNAMIC_NAME.search(name))


def auth_login(headers: list[str]) -> tuple[str, str] | None:
    """(authserv-id, user) of an Authentication-Results header that records a login
    (auth=pass smtp.auth=...). The caller decides whether that server is one to believe."""
    for value in headers:
        m = _AR_AUTH.search(value)
        named = value.split(";", 1)[0].split()
        if m and named:  # a login no server vouches for is no login to believe
            return named[0].lower(), m.group(1)
    return None


def auth_results(headers: list[str]) -> dict[str, str]:
    """spf/dkim/dmarc results from Authentication-Results and Received-SPF headers."""
    results: dict[str, str] = {}
    for value in headers:
        for method in ("spf", "dkim", "dmarc"):
            m = re.search(rf"\b{method}=(\w+)", value, re.I)
            if m and method not in results:
                results[method] = m.group(1).lower()
    return results
