"""What mail traffic a capture shows: a lean per-packet analyzer (the hot path), the scrubbing
that keeps only what evidence needs, and the TRAFFIC-SMTP / TRAFFIC-MX verdicts.

Packets arrive as IP packets (link layer already stripped). Parsing uses struct on the few fields
needed; addresses stay bytes until the summary is written.

Scrubbing, before anything is written: all headers are kept; for cleartext SMTP only command
verbs, EHLO names and the domains of MAIL FROM / RCPT TO (local parts masked); message bodies,
the whole AUTH exchange and anything after STARTTLS or on port 465 are cut off (the record keeps
its original length, so Wireshark shows it as truncated). DNS is kept whole: the questions are
the evidence.
"""

from __future__ import annotations

import re
import socket
import struct
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

MAIL_PORTS = frozenset({25, 465, 587, 2525})
CLEARTEXT_SMTP = frozenset({25, 587, 2525})
SUBMISSION = frozenset({465, 587, 2525})
DNS_PORT = 53
QTYPE_MX = 15

_IPV4 = struct.Struct("!BBHHHBBH4s4s")
_PORTS = struct.Struct("!HH")
_ADDR = re.compile(rb"<([^<>@\s]+)@([A-Za-z0-9.\-\[\]:]{1,255})>")
# "MAIL FROM: user@host" without angle brackets (Exchange and Postfix accept it).
_BARE_ADDR = re.compile(rb"(?i)((?:FROM|TO):[ \t]*)([^<>@\s:]+)@([A-Za-z0-9.\-\[\]:]{1,255})")
_BDAT = re.compile(rb"(?i)^BDAT[ \t]+(\d{1,12})(?:[ \t]+(LAST))?")
_VERB = re.compile(rb"^([A-Za-z]{4,8})\b")


def ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _mask_local_parts(data: bytes) -> bytes:
    """Same length, local parts of addresses (in <> or after FROM:/TO:) replaced by '*'."""
    data = _ADDR.sub(lambda m: b"<" + b"*" * len(m.group(1)) + b"@" + m.group(2) + b">", data)
    return _BARE_ADDR.sub(lambda m: m.group(1) + b"*" * len(m.group(2)) + b"@" + m.group(3), data)


def _address_domain(line: bytes) -> str | None:
    a = _ADDR.search(line) or _BARE_ADDR.search(line)
    if a is None:
        return None
    return a.group(a.lastindex).decode().lower()  # the patterns take ASCII only


@dataclass
class Flow:
    client: bytes  # (the client's port is in the flow's key)
    server: bytes
    sport: int
    first: float
    last: float
    syns: int = 0
    state: str = "syn"  # syn -> established | refused
    ehlo: str | None = None
    mail_from: list[str] = field(default_factory=list)
    rcpt_domains: list[str] = field(default_factory=list)
    in_data: bool = False
    in_auth: bool = False
    tls: bool = False
    auth_seen: bool = False
    handshake_seen: bool = True  # False: the capture started in the middle of this connection
    data_pending: bool = False  # DATA sent, the server's 354 (or a refusal) not seen yet
    bdat_left: int = 0  # bytes of a BDAT chunk still to come
    awaiting_end: bool = False  # a message was sent ("." or BDAT LAST): its reply decides
    messages_accepted: int = 0
    messages_refused: int = 0


def _ip_header(packet: bytes) -> bytes:
    version = packet[0] >> 4 if packet else 0
    if version == 4 and len(packet) >= 20:
        return packet[: max(20, (packet[0] & 0x0F) * 4)]
    if version == 6 and len(packet) >= 40:
        return packet[:40]
    return b""


def parse_ip(packet: bytes):
    """(version, src, dst, proto, sport, dport, tcp_flags, payload_offset) or None."""
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
    elif version == 6:
        if len(packet) < 48:
            return None
        proto = packet[6]
        src, dst = packet[8:24], packet[24:40]
        l4 = 40
        # Hop-by-hop, routing, destination options: skip to the transport header.
        while proto in (0, 43, 60) and len(packet) >= l4 + 8:
            proto, l4 = packet[l4], l4 + (packet[l4 + 1] + 1) * 8
        if proto == 44:  # a fragment: only the first one holds the ports
            if len(packet) < l4 + 8 or struct.unpack_from("!H", packet, l4 + 2)[0] & 0xFFF8:
                return None
            proto, l4 = packet[l4], l4 + 8
        if len(packet) < l4 + 8:
            return None
    else:
        return None
    if proto == 6:
        if len(packet) < l4 + 20:
            return None
        sport, dport = _PORTS.unpack_from(packet, l4)
        offset = l4 + (packet[l4 + 12] >> 4) * 4
        return version, src, dst, 6, sport, dport, packet[l4 + 13], offset
    if proto == 17:
        sport, dport = _PORTS.unpack_from(packet, l4)
        return version, src, dst, 17, sport, dport, 0, l4 + 8
    return None


def dns_question(payload: bytes) -> tuple[bool, str, int] | None:
    """(is_response, name, qtype) of the first question."""
    if len(payload) < 17:
        return None
    flags, qdcount = struct.unpack_from("!HH", payload, 2)
    if qdcount < 1:
        return None
    labels, i = [], 12
    while i < len(payload):
        n = payload[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0 or i + 1 + n > len(payload) or len(labels) > 64:
            return None
        labels.append(payload[i + 1 : i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 4 > len(payload):
        return None
    qtype = struct.unpack_from("!H", payload, i)[0]
    return bool(flags & 0x8000), ".".join(labels).lower(), qtype


class Analyzer:
    """Counts what matters, packet by packet, in bounded memory (flows are capped)."""

    MAX_FLOWS = 200_000

    def __init__(self, local_addresses: set[bytes] | None = None, track_new_flows: bool = False):
        self.local = local_addresses  # None: judge direction by who sends the SYN
        self.track_new_flows = track_new_flows  # live capture: new flows go to attribution
        self.packets = 0
        self.flows: dict[tuple, Flow] = {}
        self.syn_by_dest: Counter = Counter()
        self.mx_queries: list[tuple[float, str, bytes, int]] = []  # (ts, name, client, client port)
        self.dns_queries = 0
        self.dest_per_minute: dict[int, set] = defaultdict(set)
        self.first: float | None = None
        self.last: float | None = None
        self.dropped_flows = 0
        self.new_flows: list[tuple] = []  # keys of flows created since the caller last drained it

    # The hot path ------------------------------------------------------------------------------
    def feed(self, ts: float, packet: bytes, scrub: bool = False) -> bytes | None:
        """Account for one IP packet; with ``scrub`` return the bytes to keep (None: keep all)."""
        # The IP length, not the frame's, says where the packet ends: short Ethernet frames are
        # padded to 60 bytes, and stale padding must never be read as SMTP.
        # With ``scrub``, what is kept of a padded packet never includes its padding either.
        # (A slice of a short packet is short: its length field is then too small or too large
        # to trim anything.)
        version = packet[0] >> 4 if packet else 0
        if version == 4:
            total = int.from_bytes(packet[2:4], "big")
            if 20 <= total < len(packet):
                return self._trimmed(ts, packet[:total], scrub)
        elif version == 6:
            total = 40 + int.from_bytes(packet[4:6], "big")
            if total < len(packet):
                return self._trimmed(ts, packet[:total], scrub)
        parsed = parse_ip(packet)
        self.packets += 1
        self.first = ts if self.first is None else min(self.first, ts)
        self.last = ts if self.last is None else max(self.last, ts)
        if parsed is None:
            # A later fragment, another protocol or no IP at all: its IP header at most, never
            # its data (a fragment of a mail body has no ports to recognise it by).
            return _ip_header(packet) if scrub else None
        _version, src, dst, proto, sport, dport, flags, off = parsed
        if proto == 17 or (proto == 6 and DNS_PORT in (sport, dport)):
            if dport == DNS_PORT or sport == DNS_PORT:
                payload = packet[off + (2 if proto == 6 else 0) :]
                q = dns_question(payload)
                if q and not q[0]:
                    self.dns_queries += 1
                    if q[2] == QTYPE_MX:
                        self.mx_queries.append((ts, q[1], src, sport))
                return None  # DNS is kept whole
            return packet[:off] if scrub else None
        # parse_ip reads only TCP and UDP: from here on, TCP.
        if dport in MAIL_PORTS:
            key = (src, sport, dst, dport)
            flow = self.flows.get(key)
            if flags & 0x02 and not flags & 0x10:  # SYN: a connection attempt
                if flow is None:
                    if len(self.flows) >= self.MAX_FLOWS:
                        self.dropped_flows += 1
                        return packet[:off] if scrub else None
                    flow = self.flows[key] = Flow(src, dst, dport, ts, ts)
                    if self.track_new_flows:
                        self.new_flows.append(key)
                flow.syns += 1
                self.syn_by_dest[(dst, dport)] += 1
                self.dest_per_minute[int(ts) // 60].add((dst, dport))
            if flow is None:
                # The capture started in the middle of this connection: count it from here
                # (a lone reset ends whatever it was: it opens nothing).
                flow = None if flags & 0x04 else self._mid_session(key, ts)
                if flow is None:
                    return packet[:off] if scrub else None
            flow.last = max(flow.last, ts)
            payload = packet[off:]
            if not payload:
                return None
            return self._client_payload(flow, packet, off, payload, scrub)
        if sport in MAIL_PORTS:
            key = (dst, dport, src, sport)
            flow = self.flows.get(key)
            if flow is None:
                # A SYN-ACK whose SYN was not captured, or the middle of a connection; a lone
                # reset opens nothing.
                flow = None if flags & 0x04 else self._mid_session(key, ts)
                if flow is None:
                    return packet[:off] if scrub else None
            flow.last = max(flow.last, ts)
            if flow.state == "syn":
                # The server answered: a reset refuses; anything else (a SYN-ACK, or an ACK or
                # data after a SYN-ACK the capture missed) means it took the connection.
                flow.state = "refused" if flags & 0x04 else "established"
            payload = packet[off:]
            if not payload:
                return None
            return self._server_payload(flow, packet, off, payload, scrub)
        return packet[:off] if scrub else None

    def _trimmed(self, ts: float, packet: bytes, scrub: bool) -> bytes | None:
        kept = self.feed(ts, packet, scrub)
        return packet if scrub and kept is None else kept

    def _mid_session(self, key: tuple, ts: float) -> Flow | None:
        if len(self.flows) >= self.MAX_FLOWS:
            self.dropped_flows += 1
            return None
        client, _cport, server, sport = key
        flow = self.flows[key] = Flow(client, server, sport, ts, ts, handshake_seen=False)
        flow.state = "established"
        # Nothing before the first packet was seen: a body or an AUTH exchange may be under
        # way, so nothing of this flow's payload is kept until a reply shows where it stands.
        flow.data_pending = True
        self.dest_per_minute[int(ts) // 60].add((server, sport))
        if self.track_new_flows:
            self.new_flows.append(key)
        return flow

    # SMTP --------------------------------------------------------------------------------------
    def _client_payload(self, flow: Flow, packet: bytes, off: int, payload: bytes, scrub: bool):
        if flow.sport not in CLEARTEXT_SMTP or flow.tls:
            return packet[:off] if scrub else None
        if flow.in_auth or flow.data_pending:
            return packet[:off] if scrub else None
        if flow.bdat_left:
            # A BDAT chunk: exactly its announced size, no terminator (RFC 3030).
            taken = min(flow.bdat_left, len(payload))
            flow.bdat_left -= taken
            payload = payload[taken:]
            if not payload:
                return packet[:off] if scrub else None
            keep = False  # the rest of a packet that began with body bytes is not kept either
        else:
            keep = True
        if flow.in_data:
            if b"\r\n.\r\n" in payload or payload.startswith(b".\r\n") or b"\n.\n" in payload:
                flow.in_data, flow.awaiting_end = False, True
            return packet[:off] if scrub else None
        lines = payload.splitlines()
        for line in lines:
            m = _VERB.match(line)
            if not m:
                continue
            verb = m.group(1).upper()
            if verb in (b"EHLO", b"HELO", b"LHLO"):
                parts = line.split(None, 1)
                flow.ehlo = (
                    parts[1].decode("ascii", "replace").strip()[:255] if len(parts) > 1 else ""
                )
            elif verb == b"MAIL":
                domain = _address_domain(line)
                if domain and len(flow.mail_from) < 50:
                    flow.mail_from.append(domain)
            elif verb == b"RCPT":
                domain = _address_domain(line)
                if domain and len(flow.rcpt_domains) < 200:
                    flow.rcpt_domains.append(domain)
            elif verb == b"AUTH":
                flow.in_auth = flow.auth_seen = True
                keep = False
                break
            elif verb == b"DATA":
                # The body follows only after the server's 354; a refusal means none comes.
                flow.data_pending = True
                break
            elif verb == b"BDAT":
                b = _BDAT.match(line)
                keep = False
                if b:
                    size = int(b.group(1))
                    flow.awaiting_end = bool(b.group(2))
                    # The chunk starts right after this command line, in this packet or later.
                    start = payload.find(line)
                    end = payload.find(b"\n", start + len(line))
                    rest = len(payload) - (end + 1) if end >= 0 else 0
                    flow.bdat_left = max(0, size - rest)
                break
            elif verb == b"STARTTLS":
                flow.tls = True
        if not scrub:
            return None
        if not keep:
            return packet[:off]
        return packet[:off] + _mask_local_parts(payload)

    def _server_payload(self, flow: Flow, packet: bytes, off: int, payload: bytes, scrub: bool):
        if flow.sport not in CLEARTEXT_SMTP or (flow.tls and not payload.startswith(b"220")):
            return packet[:off] if scrub else None
        # Pipelining puts several replies in one segment: follow each final reply line.
        for line in payload.splitlines():
            if len(line) >= 3 and line[:3].isdigit() and line[3:4] in (b" ", b""):
                self._reply(flow, line[:3])
        if flow.in_auth or (not flow.handshake_seen and flow.data_pending):
            return packet[:off] if scrub else None
        return packet[:off] + _mask_local_parts(payload) if scrub else None

    @staticmethod
    def _reply(flow: Flow, code: bytes) -> None:
        if flow.in_auth:
            if code == b"235" or code[:1] in (b"4", b"5"):
                flow.in_auth = False
            return
        if flow.data_pending:
            if code == b"354":
                flow.data_pending, flow.in_data = False, True
            elif not flow.handshake_seen:
                flow.data_pending = False  # mid-session: a reply, so the client is between commands
            elif code[:1] in (b"4", b"5"):
                flow.data_pending = False  # DATA refused: no body follows (RSET, MAIL next)
                flow.messages_refused += 1
        elif flow.awaiting_end and not flow.in_data and not flow.bdat_left:
            if code == b"250":
                flow.messages_accepted += 1
                flow.awaiting_end = False
            elif code[:1] in (b"4", b"5"):
                flow.messages_refused += 1
                flow.awaiting_end = False

    # Results -----------------------------------------------------------------------------------
    def summary(
        self, owners: dict | None = None, mx_owners: dict | None = None, by_host: bool = False
    ) -> dict:
        """JSON-ready summary. ``owners`` maps (client, cport, server, sport) and ``mx_owners``
        maps (client, port) to process facts (or None when the program could not be found).
        ``by_host``: a capture made elsewhere has no programs; group by the sending host."""
        owners = owners or {}
        mx_owners = mx_owners or {}

        def owner_of(found, client: bytes):
            if found is None and by_host:
                return {"host": ntop(client)}
            return found

        def when(ts):
            return datetime.fromtimestamp(ts, UTC).astimezone().isoformat() if ts else None

        per_dest = defaultdict(lambda: {"syn": 0, "completed": 0, "refused": 0})
        programs: dict[str, dict] = {}

        def entry(owner, first: float, last: float) -> dict:
            host = owner.get("host") if owner else None  # a program's facts have no host
            p = programs.setdefault(
                _program_key(owner),
                {
                    "program": None if host else owner,
                    "host": host,
                    "flows": 0,
                    "sessions": 0,
                    "unanswered": 0,
                    "handshake_missing": 0,
                    "messages_accepted": 0,
                    "ports": set(),
                    "destinations": set(),
                    "direct_destinations": set(),
                    "direct_answered": set(),
                    "ehlo_names": set(),
                    "first": first,
                    "last": last,
                    "mx_queries": 0,
                    "mx_domains": set(),
                },
            )
            p["first"], p["last"] = min(p["first"], first), max(p["last"], last)
            return p

        for key, flow in self.flows.items():
            d = per_dest[(ntop(flow.server), flow.sport)]
            d["syn"] += flow.syns
            d["completed"] += flow.state == "established"
            d["refused"] += flow.state == "refused"
            p = entry(owner_of(owners.get(key), flow.client), flow.first, flow.last)
            p["flows"] += 1
            p["sessions"] += flow.state == "established"
            p["unanswered"] += flow.state == "syn"
            p["handshake_missing"] += not flow.handshake_seen
            p["messages_accepted"] += flow.messages_accepted
            p["ports"].add(flow.sport)
            p["destinations"].add(ntop(flow.server))
            if flow.sport == 25:
                p["direct_destinations"].add(ntop(flow.server))
                if flow.state == "established":
                    p["direct_answered"].add(ntop(flow.server))
            if flow.ehlo:
                p["ehlo_names"].add(flow.ehlo)
        for ts, name, client, port in self.mx_queries:
            p = entry(owner_of(mx_owners.get((client, port)), client), ts, ts)
            p["mx_queries"] += 1
            p["mx_domains"].add(name)
        mx_names = [name for _ts, name, _c, _p in self.mx_queries]
        return {
            "packets": self.packets,
            "first": when(self.first),
            "last": when(self.last),
            "smtp_syn_total": sum(self.syn_by_dest.values()),
            "smtp_sessions_completed": sum(f.state == "established" for f in self.flows.values()),
            "smtp_refused": sum(f.state == "refused" for f in self.flows.values()),
            "smtp_unanswered": sum(f.state == "syn" for f in self.flows.values()),
            "flows_without_handshake": sum(not f.handshake_seen for f in self.flows.values()),
            "messages_accepted": sum(f.messages_accepted for f in self.flows.values()),
            "messages_refused": sum(f.messages_refused for f in self.flows.values()),
            "destinations": [
                {"ip": ip, "port": port, **counts}
                for (ip, port), counts in sorted(per_dest.items())
            ],
            "ehlo_names": sorted({f.ehlo for f in self.flows.values() if f.ehlo}),
            "mail_from_domains": sorted({d for f in self.flows.values() for d in f.mail_from}),
            "rcpt_domains": sorted({d for f in self.flows.values() for d in f.rcpt_domains}),
            "auth_seen": any(f.auth_seen for f in self.flows.values()),
            "mx_queries_total": len(self.mx_queries),
            "mx_names": sorted(set(mx_names)),
            "mx_distinct": len(set(mx_names)),
            "dns_queries_total": self.dns_queries,
            "per_minute": {
                datetime.fromtimestamp(m * 60, UTC).isoformat(): len(d)
                for m, d in sorted(self.dest_per_minute.items())
            },
            "programs": [
                {
                    **{k: v for k, v in p.items() if not isinstance(v, set)},
                    **{k: sorted(v) for k, v in p.items() if isinstance(v, set)},
                    "mx_domains": len(p["mx_domains"]),
                    "mx_names": sorted(p["mx_domains"])[:50],
                    "first": when(p["first"]),
                    "last": when(p["last"]),
                }
                for p in programs.values()
            ],
            "flows_not_tracked": self.dropped_flows,
        }


def _program_key(owner) -> str:
    if not owner:
        return "?"
    if "host" in owner:
        return f"host:{owner['host']}"
    return f"{owner.get('pid')}:{owner.get('started')}"


# --- verdicts ---------------------------------------------------------------------------------

from checks import programs as _programs  # noqa: E402
from checks import wording  # noqa: E402
from checks.i18n import N_, Np_, _  # noqa: E402
from checks.model import Result, Status, worst  # noqa: E402

TITLE_SMTP = N_("Mail traffic seen on the line")
TITLE_MX = N_("Mail-server lookups (MX) seen on the line")

SUMMARIES = {
    "direct": Np_(
        "{who} connected directly to {n} mail server on port 25.",
        "{who} connected directly to {n} mail servers on port 25.",
    ),
    "direct_and_tried": Np_(
        "{who} connected directly to {n} mail server on port 25 and tried {tried} more that"
        " did not answer.",
        "{who} connected directly to {n} mail servers on port 25 and tried {tried} more that"
        " did not answer.",
    ),
    "connected": Np_("{who} connected to {n} mail server.", "{who} connected to {n} mail servers."),
    "direct_unanswered": Np_(
        "{who} tried to connect directly to {n} mail server on port 25; it did not answer.",
        "{who} tried to connect directly to {n} mail servers on port 25; none answered.",
    ),
    "mid_session": Np_(
        "{mid} connection was already open when the capture started: its start was not captured.",
        "{mid} connections were already open when the capture started: their start was not captured.",
        "mid",
    ),
    "known_clients_only": N_(
        "Only known mail programs sent mail, on the normal submission ports, {scope}."
    ),
    "no_mail": N_("No mail connections were seen {scope}."),
    "mx_lookups": Np_(
        "{who} looked up the mail servers of {n} domain, which only mail servers need to do.",
        "{who} looked up the mail servers of {n} domains, which only mail servers need to do.",
    ),
    "mx_lookups_dns_client": Np_(
        "Windows' DNS Client service (svchost.exe, PID {pid}) looked up the mail servers of {n}"
        " domain for a"
        " program it does not name. It makes the lookups of every program, so it is not the"
        " sender itself; which program asked is not known yet.",
        "Windows' DNS Client service (svchost.exe, PID {pid}) looked up the mail servers of {n}"
        " domains for a"
        " program it does not name. It makes the lookups of every program, so it is not the"
        " sender itself; which program asked is not known yet.",
    ),
    "mx_by_mail_server": Np_(
        "{who}, a mail server, looked up the mail servers of {n} domain, as it must to deliver"
        " mail.",
        "{who}, a mail server, looked up the mail servers of {n} domains, as it must to deliver"
        " mail.",
    ),
    "no_mx": N_("No program looked up mail servers (MX) {scope}."),
    "mostly_undecoded": N_(
        "{undecoded} of {frames} frames in {where} could not be decoded (link type {link_types}),"
        " so we cannot tell whether mail was sent."
    ),
    "not_all_followed": Np_(
        "{untracked} more connection to a mail server could not be followed (more than the"
        " analyser keeps track of).",
        "{untracked} more connections to mail servers could not be followed (more than the"
        " analyser keeps track of).",
        "untracked",
    ),
    "some_undecoded": N_("{undecoded} of {frames} frames could not be decoded and were not read."),
}
ADVICE = {
    "disconnect": N_(
        "Disconnect this PC from the internet (unplug the cable or turn off Wi-Fi) until it is cleaned, so that no more mail is sent from your line."
    ),
    "scan_and_password": N_(
        "Run a full scan with your antivirus and remove what it finds; then change your mail password from another device."
    ),
    "find_device": N_(
        "Find the device with the address {host} (your router's list of connected devices shows its name) and disconnect it from the network until it has been checked."
    ),
}
WHO_PROGRAM = N_("The program {name} (pid {pid})")
WHO_ENDED = N_("A program that ended before it could be identified")
WHO_HOST = N_("A device on your line ({host})")
WHO_LINE = N_("A device on your line")
SCOPE_SPAN = N_("during {span} ({where})")
SCOPE_IN = N_("in {where}")
WHERE_IFACE = N_("interface {iface}")


def _prepare(params: dict) -> dict:
    where = params.get("where") or ""
    if params.get("where_kind") == "iface":
        where = _(WHERE_IFACE).format(iface=where)
    if params.get("first") and params.get("last"):
        span = wording.display_value("span", [params["first"], params["last"]])
        params["scope"] = _(SCOPE_SPAN).format(span=span, where=where)
    else:
        params["scope"] = _(SCOPE_IN).format(where=where)
    if params.get("host"):
        params["who"] = _(WHO_HOST).format(host=params["host"])
    elif params.get("pid") is not None or params.get("name"):
        params["who"] = _(WHO_PROGRAM).format(name=params.get("name"), pid=params.get("pid"))
    elif not params.get("attributed", True):
        params["who"] = _(WHO_LINE)
    else:
        params["who"] = _(WHO_ENDED)
    return params


wording.register(
    wording.Phrasebook(
        {"TRAFFIC-SMTP": TITLE_SMTP, "TRAFFIC-MX": TITLE_MX}, SUMMARIES, ADVICE, _prepare
    )
)


def _classify(owner: dict | None, platform: str):
    if not owner:
        return None
    return _programs.classify(
        owner.get("name") or "", owner.get("exe"), platform, owner.get("exe_exists")
    )


def _who_params(p: dict) -> dict:
    owner = p.get("program")
    if owner:
        return {"name": owner.get("name"), "pid": owner.get("pid")}
    if p.get("host"):
        return {"host": p["host"]}
    return {}


def interpret(
    summary: dict, platform: str, attributed: bool, where: str, where_kind: str = "file"
) -> list[Result]:
    """TRAFFIC-SMTP and TRAFFIC-MX from a capture summary. ``attributed``: programs were looked
    up (live capture); a file from elsewhere has no programs. ``where`` names what was watched
    (an interface, ``where_kind="iface"``, or a file)."""
    smtp_status: list[Status] = []
    smtp_lines: list[tuple[Status, str, dict]] = []
    mx_lines: list[tuple[Status, dict]] = []
    for p in summary["programs"]:
        program = _classify(p.get("program"), platform)
        direct = 25 in p["ports"]
        if p["flows"]:
            if program is not None and program.suspicious:
                status = Status.FAIL
            elif direct and (program is None or program.kind != "mail_server"):
                status = Status.FAIL
            elif direct:
                status = Status.WARN
            elif program is not None and program.kind == "mail_client":
                status = Status.PASS
            else:
                status = Status.WARN
            p["verdict"] = str(status)
            smtp_status.append(status)
            if status != Status.PASS:
                direct_n = len(p.get("direct_destinations") or p["destinations"])
                reason, params = "connected", {"n": len(p["destinations"])}
                if direct:
                    # Servers that answered on port 25, and those only tried. Summaries saved
                    # before "direct_answered" existed only tell whether any server answered.
                    if "direct_answered" in p:
                        n_ok = len(p["direct_answered"])
                    else:
                        answered = p.get("sessions", 1) or p.get("messages_accepted", 0)
                        n_ok = direct_n if answered else 0
                    tried = direct_n - n_ok
                    if not n_ok:
                        reason, params = "direct_unanswered", {"n": direct_n}
                    elif tried > 0:
                        reason, params = "direct_and_tried", {"n": n_ok, "tried": tried}
                    else:
                        reason, params = "direct", {"n": n_ok}
                smtp_lines.append((status, reason, {**_who_params(p), **params}))
        if p["mx_queries"]:
            # Lookups through Windows' DNS Client leave from svchost.exe whoever asked for them:
            # a question about some program, not a finding against svchost.
            via_dns_client = _programs.is_windows_dns_client(p.get("program"), platform)
            if program is not None and program.kind == "mail_server":
                status = Status.PASS
            elif program is None or via_dns_client:
                status = Status.WARN
            else:
                status = Status.FAIL
            p["mx_verdict"] = str(status)
            if via_dns_client:
                p["mx_via"] = "dns_client"
            domains = p.get("mx_domains")
            n = domains if isinstance(domains, int) else p["mx_queries"]
            mx_lines.append((status, {**_who_params(p), "n": n, "dns_client": via_dns_client}))
    facts = {
        "scope": where,
        **{
            k: summary[k]
            for k in (
                "first",
                "last",
                "smtp_syn_total",
                "smtp_sessions_completed",
                "smtp_refused",
                "mx_queries_total",
                "mx_distinct",
            )
        },
    }
    base = {
        "where": where,
        "where_kind": where_kind,
        "first": summary.get("first"),
        "last": summary.get("last"),
        "started": summary.get("started"),
        "ended": summary.get("ended"),
        "attributed": attributed,
    }
    frames = int(summary.get("frames") or 0)
    undecoded = int(summary.get("frames_undecoded") or 0)
    if undecoded:
        base.update(
            frames=frames,
            undecoded=undecoded,
            link_types=summary.get("undecoded_link_types") or [],
            also=["some_undecoded"],
        )
    mostly_undecoded = frames > 0 and undecoded * 2 > frames
    mid = int(summary.get("flows_without_handshake") or 0)
    if mid:
        base["mid"] = mid
        base["also"] = [*base.get("also", []), "mid_session"]
    untracked = int(summary.get("flows_not_tracked") or 0)
    if untracked:
        base["untracked"] = untracked
        base["also"] = [*base.get("also", []), "not_all_followed"]
    advice_bad: tuple[str, ...] = ("disconnect", "scan_and_password")
    s_status = worst(smtp_status)
    if s_status == Status.PASS:
        s_reason, s_params = ("known_clients_only" if smtp_status else "no_mail"), {}
        if untracked:
            s_status = Status.UNKNOWN  # the connections not followed may be the mail
    else:
        _s, s_reason, s_params = sorted(smtp_lines, key=lambda x: -int(x[0] == Status.FAIL))[0]
    if mostly_undecoded and s_status != Status.FAIL:
        # What could not be read may hold the mail: never a pass.
        s_status, s_reason, s_params = Status.UNKNOWN, "mostly_undecoded", {"also": []}
    smtp_advice = advice_bad
    if s_params.get("host"):
        smtp_advice = ("find_device",)
    smtp = Result(
        "TRAFFIC-SMTP",
        s_status,
        s_reason,
        {**base, **s_params},
        smtp_advice if s_status == Status.FAIL else (),
        {**facts, "programs": summary["programs"], "destinations": summary["destinations"]},
    )
    m_status = worst([s for s, _p in mx_lines])
    if mx_lines:
        m_params = next(p for s, p in mx_lines if s == m_status)
        m_reason = "mx_lookups_dns_client" if m_params.pop("dns_client") else "mx_lookups"
        if m_status == Status.PASS:  # every lookup was a mail server's own
            m_reason = "mx_by_mail_server"
    else:
        m_reason, m_params = "no_mx", {}
    if mostly_undecoded and m_status != Status.FAIL:
        m_status, m_reason, m_params = Status.UNKNOWN, "mostly_undecoded", {"also": []}
    # Lookups are not connections: what was said about connections is not said again here.
    mx_base = {
        **base,
        "also": [c for c in base.get("also", []) if c not in ("mid_session", "not_all_followed")],
    }
    mx = Result(
        "TRAFFIC-MX",
        m_status,
        m_reason,
        {**mx_base, **m_params},
        # Only a known program's lookups fail (a host's are a question): the program is the
        # thing to remove.
        advice_bad if m_status == Status.FAIL else (),
        # The programs (or hosts) that looked up: the assessment names them from here.
        {
            **facts,
            "mx_names": summary["mx_names"][:200],
            "programs": [p for p in summary["programs"] if p.get("mx_queries")],
        },
    )
    return [smtp, mx]


def results_for(summary: dict, attributed: bool, where: str, where_kind: str = "file"):
    """TRAFFIC-SMTP and TRAFFIC-MX for a capture summary (live: ``where_kind="iface"``)."""
    from checks.model import current_platform

    return interpret(summary, current_platform(), attributed, where, where_kind)
