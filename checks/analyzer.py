"""What mail traffic a capture shows: a lean per-packet analyzer (the hot path) and the scrubbing
that keeps only what evidence needs. The verdicts are checks/traffic.py's.

A mail port decides, whatever the other port: SMTP is a TCP flow to port 25, 465, 587 or 2525
(from any client port, 53 included); DNS is a flow on port 53 whose other end is no mail port,
and is kept whole only when it reads as DNS. Proxy requests (SOCKS 4/5, HTTP CONNECT) for a mail
port and SMTP greetings on other ports are mail too. Nothing unread is silent: fragments that
cannot be placed, IPsec, extension chains that cannot be walked are counted by kind, so the
verdict can say what could hide mail.

Scrubbing (checks/smtp_stream.py): headers always; of SMTP clients only complete lines of
harmless commands in stream order; of servers the reply codes (words of greetings and
acceptances); nothing of AUTH, bodies, TLS, port 465, or of any other port's payload.
"""

from __future__ import annotations

import struct
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from checks import packet as P
from checks.smtp_stream import Session, mask_local_parts, server_bytes

MAIL_PORTS = frozenset({25, 465, 587, 2525})
CLEARTEXT_SMTP = frozenset({25, 587, 2525})
SUBMISSION = frozenset({465, 587, 2525})
DNS_PORT = 53
TCP, UDP = P.TCP, P.UDP
# An IPv4 header without options, then TCP (or UDP's ports): total length, fragment field,
# protocol, addresses, ports, sequence number, data offset, flags.
_V4_HEAD = struct.Struct("!2xH2xHxB2x4s4sHHI4xBB")
QTYPE_MX = 15
ntop, parse_ip, dns_question = P.ntop, P.parse_ip, P.dns_question
# Encapsulations followed into the inner packet (IP-in-IP, 6in4, GRE), at most this deep.
MAX_DEPTH = 3
MAX_FRAGMENT_KEYS = 65536
MAX_TUNNELS = 1000
# First payload bytes on a port that is no mail port that the analyser reads further: a SOCKS 4
# or 5 request or an HTTP CONNECT (checks.packet.proxy_request), or an EHLO/HELO. Any other
# first byte leaves such a segment only counted (checks/prefilter.py relies on it).
TUNNEL_FIRST = (4, 5, 0x43, 0x63)
HELLO_FIRST = (0x45, 0x48, 0x65, 0x68)
FIRST_BYTES_READ = TUNNEL_FIRST + HELLO_FIRST


@dataclass(slots=True)  # tens of thousands of them: a bot's capture
class Flow:
    client: bytes  # (the client's port is in the flow's key)
    server: bytes
    sport: int
    first: float
    last: float
    syns: int = 0
    state: str = "syn"  # syn -> established | refused
    handshake_seen: bool = True  # False: the capture started in the middle of this connection
    fragmented: bool = False  # some of its packets came in IP fragments: not all was read
    session: Session = field(default_factory=Session)

    # What the session read, as the summary names it.
    @property
    def ehlo(self) -> str | None:
        return self.session.ehlo

    @property
    def mail_from(self) -> list[str]:
        return self.session.mail_from

    @property
    def rcpt_domains(self) -> list[str]:
        return self.session.rcpt_domains

    @property
    def messages_accepted(self) -> int:
        return self.session.messages_accepted

    @property
    def messages_refused(self) -> int:
        return self.session.messages_refused

    @property
    def auth_seen(self) -> bool:
        return self.session.auth_seen


class Analyzer:
    """Counts what matters, packet by packet, in bounded memory (flows are capped)."""

    MAX_FLOWS = 200_000

    def __init__(self, local_addresses: set[bytes] | None = None, track_new_flows: bool = False):
        self.local = local_addresses  # this PC's addresses (live capture); None for a file
        self.track_new_flows = track_new_flows  # live capture: new flows go to attribution
        self.packets = 0
        self.ip_packets = 0
        self.flows: dict[tuple, Flow] = {}
        self.syn_by_dest: Counter = Counter()
        self.mx_queries: list[tuple[float, str, bytes, int]] = []  # (ts, name, client, client port)
        self.dns_queries = 0
        self.dest_per_minute: dict[int, set] = defaultdict(set)
        self.first: float | None = None
        self.last: float | None = None
        self.dropped_flows = 0
        self.new_flows: list[tuple] = []  # keys of flows created since the caller last drained it
        self.unread: Counter = Counter()  # why packets were not read (checks.packet's codes)
        self.fragments: dict[tuple, bool] = {}  # first fragments seen: (src, dst, id) -> mail?
        self.tunnels: list[dict] = []  # proxy requests (SOCKS, HTTP CONNECT)
        self.smtp_elsewhere: dict[tuple, dict] = {}  # SMTP greetings on ports that are no mail port

    # The hot path ------------------------------------------------------------------------------
    def feed(self, ts: float, packet: bytes, scrub: bool = False) -> bytes | None:
        """Account for one IP packet; with ``scrub`` return the bytes to keep (None: keep all)."""
        self.packets += 1
        if self.first is None or ts < self.first:
            self.first = ts
        if self.last is None or ts > self.last:
            self.last = ts
        if len(packet) >= 40 and packet[0] == 0x45:
            # Most of what reaches here: an unfragmented IPv4 packet without options, TCP to
            # or from a mail port or UDP DNS, taken straight to its reader. What _feed, _read
            # and parse_ip would do for it, in one unpack (tests hold the two ways equal).
            total, frag, proto, src, dst, sport, dport, seq, data_offset, flags = (
                _V4_HEAD.unpack_from(packet)
            )
            if total >= 40 and not frag & 0x3FFF:
                if proto == TCP and (dport in MAIL_PORTS or sport in MAIL_PORTS):
                    cut = total < len(packet)
                    packet = packet[:total] if cut else packet
                    self.ip_packets += 1
                    off = 20 + (data_offset >> 4) * 4
                    kept = self._smtp(ts, packet, src, dst, sport, dport, flags, off, seq, scrub)
                    return packet if cut and scrub and kept is None else kept
                if proto == UDP and (sport == DNS_PORT or dport == DNS_PORT):
                    cut = total < len(packet)
                    packet = packet[:total] if cut else packet
                    self.ip_packets += 1
                    kept = self._dns(ts, packet, src, sport, 28, False, scrub)
                    return packet if cut and scrub and kept is None else kept
        return self._feed(ts, packet, scrub, 0)

    def _feed(self, ts: float, packet: bytes, scrub: bool, depth: int) -> bytes | None:
        # The IP length, not the frame's, says where the packet ends: short Ethernet frames are
        # padded to 60 bytes, and stale padding must never be read as SMTP, nor kept.
        version = packet[0] >> 4 if packet else 0
        if version == 4:
            total = int.from_bytes(packet[2:4], "big")
            if 20 <= total < len(packet):
                packet = packet[:total]
                kept = self._read(ts, packet, scrub, depth)
                return packet if scrub and kept is None else kept
        elif version == 6:
            total = 40 + int.from_bytes(packet[4:6], "big")
            if total < len(packet):
                packet = packet[:total]
                kept = self._read(ts, packet, scrub, depth)
                return packet if scrub and kept is None else kept
        return self._read(ts, packet, scrub, depth)

    def _read(self, ts: float, packet: bytes, scrub: bool, depth: int) -> bytes | None:
        parsed = parse_ip(packet)
        if parsed is None:
            self._not_read(packet)
            # Its IP header at most, never its data (a fragment of a body has no ports).
            return P.ip_header(packet) if scrub else None
        self.ip_packets += 1
        version, src, dst, proto, sport, dport, flags, off, seq, inner = parsed
        if inner:
            if depth >= MAX_DEPTH:
                self.unread[P.EXTENSIONS] += 1
                return packet[:off] if scrub else None
            kept = self._feed(ts, packet[inner:], scrub, depth + 1)
            if not scrub:
                return None
            return packet[:inner] + (packet[inner:] if kept is None else kept)
        # P.fragment_key(packet) is not None, asked cheaply (an IPv4 header is there to read).
        if version == 4:
            fragment = bool(packet[6] & 0x3F or packet[7])
        else:
            fragment = P.fragment_key(packet) is not None
        if proto == TCP:
            if dport in MAIL_PORTS or sport in MAIL_PORTS:
                if fragment:
                    self._first_fragment(packet, True)
                return self._smtp(
                    ts, packet, src, dst, sport, dport, flags, off, seq, scrub, fragment
                )
            if sport == DNS_PORT or dport == DNS_PORT:
                if len(packet) > off and not self._tcp_dns(packet, off):
                    # Not DNS on port 53: looked at as on any other port (a greeting to a relay
                    # on port 53 is mail; it passed as "no mail" before).
                    self._other_tcp(parsed, packet[off:])
                return self._dns(ts, packet, src, sport, off, True, scrub)
            if len(packet) > off:
                self._other_tcp(parsed, packet[off:])
        elif proto == UDP and (sport == DNS_PORT or dport == DNS_PORT):
            return self._dns(ts, packet, src, sport, off, False, scrub)
        elif proto == P.ESP:
            self.unread[P.ENCRYPTED] += 1  # IPsec: what it carries cannot be read
        if fragment:
            self._first_fragment(packet, False)
        return packet[:off] if scrub else None

    def _not_read(self, packet: bytes) -> None:
        reason = P.why_unread(packet)
        if reason == P.FRAGMENT:
            key = P.fragment_key(packet)
            if key is not None and self.fragments.get(key) is False:
                return  # the rest of a packet whose first fragment was read: no mail port
        elif reason == P.SHORT_FRAGMENT:
            key = P.fragment_key(packet)
            if key is not None and len(self.fragments) < MAX_FRAGMENT_KEYS:
                self.fragments[key] = True  # ports unknown: the rest cannot be placed either
        self.unread[reason] += 1

    def _first_fragment(self, packet: bytes, mail: bool) -> None:
        key = P.fragment_key(packet)
        if key is not None and len(self.fragments) < MAX_FRAGMENT_KEYS:
            self.fragments[key] = mail

    @staticmethod
    def _tcp_dns(packet: bytes, off: int) -> bool:
        """Does this TCP segment start a DNS message (its length, then a question)?"""
        declared = int.from_bytes(packet[off : off + 2], "big")
        return dns_question(packet[off + 2 : off + 2 + declared]) is not None

    def _dns(self, ts: float, packet: bytes, src: bytes, sport: int, off: int, tcp, scrub):
        payload = packet[off + (2 if tcp else 0) :]
        whole = True
        if tcp:
            # DNS over TCP starts with the message's length: one message, exactly, is kept
            # whole; a segment holding more (or less) is read but cut to its headers.
            declared = int.from_bytes(packet[off : off + 2], "big")
            whole = declared == len(payload)
            payload = payload[:declared]
        q = dns_question(payload)
        if q is not None and not q[0]:
            self.dns_queries += 1
            if q[2] == QTYPE_MX:
                self.mx_queries.append((ts, q[1], src, sport))
        if q is None or not whole:
            return packet[:off] if scrub else None
        return None  # a DNS message is kept whole: its question is the evidence

    def _other_tcp(self, parsed: P.Parsed, payload: bytes) -> None:
        """A port that is no mail port: a proxy request or an SMTP greeting still shows mail."""
        first = payload[0]
        if first in TUNNEL_FIRST and len(self.tunnels) < MAX_TUNNELS:  # SOCKS, CONNECT
            request = P.proxy_request(payload)
            if request is not None:
                kind, target, port = request
                self.tunnels.append(
                    {
                        "client": ntop(parsed.src),
                        "proxy": ntop(parsed.dst),
                        "proxy_port": parsed.dport,
                        "kind": kind,
                        "target": target,
                        "port": port,
                    }
                )
        elif first in HELLO_FIRST and P.smtp_greeting_or_hello(payload):
            key = (parsed.src, parsed.dst, parsed.dport)
            if key not in self.smtp_elsewhere and len(self.smtp_elsewhere) < MAX_TUNNELS:
                self.smtp_elsewhere[key] = {
                    "client": ntop(parsed.src),
                    "server": ntop(parsed.dst),
                    "port": parsed.dport,
                    "direction": self.between(parsed.src, parsed.dst),
                }

    # SMTP --------------------------------------------------------------------------------------
    def _smtp(self, ts, packet, src, dst, sport, dport, flags, off, seq, scrub, fragment=False):
        """A segment to or from a mail port, as the client's or the server's."""
        from_client = dport in MAIL_PORTS and not (
            sport in MAIL_PORTS and (src, sport, dst, dport) not in self.flows and not flags & 0x02
        )
        if from_client:
            key = (src, sport, dst, dport)
            return self._from_client(key, ts, packet, flags, off, seq, scrub, fragment)
        return self._from_server((dst, dport, src, sport), ts, packet, flags, off, scrub)

    def _from_client(
        self, key, ts: float, packet: bytes, flags, off, seq, scrub: bool, fragment: bool
    ) -> bytes | None:
        """A client's segment: counts attempts, and keeps what the session allows of it."""
        flow = self.flows.get(key)
        if flags & 0x02 and not flags & 0x10:  # SYN: a connection attempt
            if flow is None:
                if len(self.flows) >= self.MAX_FLOWS:
                    self.dropped_flows += 1
                    return packet[:off] if scrub else None
                flow = self._new_flow(key, ts, True)
            flow.syns += 1
            flow.session.syn(seq)
            dest = key[2:]  # (server, port), one tuple for both tallies
            self.syn_by_dest[dest] += 1
            self.dest_per_minute[int(ts) // 60].add(dest)
        if flow is None:
            flow = self._mid_session(key, ts, flags)
            if flow is None:
                return packet[:off] if scrub else None
        if ts > flow.last:
            flow.last = ts
        if fragment:
            flow.fragmented = True
        payload = packet[off:]
        if not payload:
            return None
        # Data on a SYN (TCP Fast Open) starts right after the SYN's sequence number.
        keep = flow.session.segment((seq + (flags & 0x02 and 1)) % (1 << 32), payload)
        if not scrub:
            return None
        return packet[:off] + mask_local_parts(payload[:keep]) if keep else packet[:off]

    def _from_server(
        self, key: tuple, ts: float, packet: bytes, flags: int, off: int, scrub: bool
    ) -> bytes | None:
        """A server's segment: whether it took the connection, and its replies."""
        flow = self.flows.get(key)
        if flow is None:
            flow = self._mid_session(key, ts, flags)
            if flow is None:
                return packet[:off] if scrub else None
        if ts > flow.last:
            flow.last = ts
        if flow.state == "syn":
            # The server answered: a reset refuses; anything else (a SYN-ACK, or an ACK or data
            # after a SYN-ACK the capture missed) means it took the connection.
            flow.state = "refused" if flags & 0x04 else "established"
        payload = packet[off:]
        if not payload:
            return None
        if flow.sport not in CLEARTEXT_SMTP:
            return packet[:off] if scrub else None
        flow.session.replies(payload)
        if not scrub:
            return None
        if not flow.handshake_seen:
            return packet[:off]
        return packet[:off] + server_bytes(payload, flow.session)

    def _new_flow(self, key: tuple, ts: float, handshake: bool) -> Flow:
        client, _cport, server, sport = key
        flow = self.flows[key] = Flow(
            client, server, sport, ts, ts, handshake_seen=handshake,
            session=Session(tls=sport not in CLEARTEXT_SMTP),
        )  # fmt: skip
        if self.track_new_flows:
            self.new_flows.append(key)
        return flow

    def _mid_session(self, key: tuple, ts: float, flags: int) -> Flow | None:
        """A flow the capture joined in its middle (or whose SYN it missed), counted from here;
        None for a lone reset (it ends whatever it was: it opens nothing) or past the limit."""
        if flags & 0x04:
            return None
        if len(self.flows) >= self.MAX_FLOWS:
            self.dropped_flows += 1
            return None
        flow = self._new_flow(key, ts, False)
        flow.state = "established"
        self.dest_per_minute[int(ts) // 60].add((flow.server, flow.sport))
        return flow

    # Results -----------------------------------------------------------------------------------
    def direction(self, flow: Flow) -> str:
        """outbound (to a server elsewhere), inbound (to a server here) or local (both here)."""
        return self.between(flow.client, flow.server)

    def between(self, client: bytes, server: bytes) -> str:
        """direction() for two addresses."""
        local = self.local
        if local is not None:
            here_c = client in local or _loopback(client)
            here_s = server in local or _loopback(server)
        else:
            # A capture made elsewhere: the home network is what is not on the internet.
            here_c, here_s = not _public(client), not _public(server)
        if here_c and here_s:
            return "local"
        if here_s and not here_c:
            return "inbound"
        return "outbound"

    def summary(
        self, owners: dict | None = None, mx_owners: dict | None = None, by_host: bool = False
    ) -> dict:
        """JSON-ready summary. ``owners`` maps (client, cport, server, sport) and ``mx_owners``
        maps (client, port) to process facts (or None when the program could not be found).
        ``by_host``: a capture made elsewhere has no programs; group by the sending host."""
        from checks.capture_summary import summarise

        return summarise(self, owners or {}, mx_owners or {}, by_host)


def _loopback(addr: bytes) -> bool:
    return addr[:1] == b"\x7f" if len(addr) == 4 else addr == b"\0" * 15 + b"\1"


@lru_cache(maxsize=1 << 16)
def _public(addr: bytes) -> bool:
    """An address on the internet (documentation ranges count as such: the samples use them).
    Cached: a capture's flows share addresses, and ipaddress walks its lists for each. (A bot's
    capture of a million packets has 18,000 addresses: a smaller cache than that asked
    ipaddress again for most of them, half the summary's time.)"""
    import ipaddress

    if len(addr) == 4:  # our own ranges as numbers; ipaddress decides the rest
        value = int.from_bytes(addr, "big")
        if value >> 22 == 0x191:  # 100.64.0.0/10, shared address space
            return False
        if value >> 8 in _DOC_V4:
            return True
        return ipaddress.IPv4Address(value).is_global
    ip = ipaddress.IPv6Address(addr)
    return addr[:4] == b"\x20\x01\x0d\xb8" or ip.is_global  # 2001:db8::/32


_DOC_V4 = frozenset({0xC00002, 0xC63364, 0xCB0071})  # 192.0.2/24, 198.51.100/24, 203.0.113/24


def when(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).astimezone().isoformat() if ts else None
