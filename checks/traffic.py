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
_ADDR = re.compile(rb"<([^<>@\s]{1,128})@([A-Za-z0-9.\-\[\]:]{1,255})>")
_VERB = re.compile(rb"^([A-Za-z]{4,8})\b")


def ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _mask_local_parts(data: bytes) -> bytes:
    """Same length, local parts of <addresses> replaced by '*'."""
    return _ADDR.sub(lambda m: b"<" + b"*" * len(m.group(1)) + b"@" + m.group(2) + b">", data)


@dataclass
class Flow:
    client: bytes
    cport: int
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
    data_seen: bool = False


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
        parsed = parse_ip(packet)
        self.packets += 1
        if self.first is None:
            self.first = ts
        self.last = ts
        if parsed is None:
            return packet[:64] if scrub else None
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
        if proto != 6:
            return packet[:off] if scrub else None
        if dport in MAIL_PORTS:
            key = (src, sport, dst, dport)
            flow = self.flows.get(key)
            if flags & 0x02 and not flags & 0x10:  # SYN: a connection attempt
                if self.local is not None and src not in self.local:
                    pass  # someone connecting to us: SMTP-LISTEN's business, still counted below
                if flow is None:
                    if len(self.flows) >= self.MAX_FLOWS:
                        self.dropped_flows += 1
                        return packet[:off] if scrub else None
                    flow = self.flows[key] = Flow(src, sport, dst, dport, ts, ts)
                    if self.track_new_flows:
                        self.new_flows.append(key)
                flow.syns += 1
                self.syn_by_dest[(dst, dport)] += 1
                self.dest_per_minute[int(ts // 60)].add((dst, dport))
            if flow is None:
                return packet[:off] if scrub else None
            flow.last = ts
            payload = packet[off:]
            if not payload:
                return None
            return self._client_payload(flow, packet, off, payload, scrub)
        if sport in MAIL_PORTS:
            flow = self.flows.get((dst, dport, src, sport))
            if flow is None:
                return packet[:off] if scrub else None
            flow.last = ts
            if flags & 0x12 == 0x12:
                flow.state = "established"
            elif flags & 0x04 and flow.state == "syn":
                flow.state = "refused"
            payload = packet[off:]
            if not payload:
                return None
            return self._server_payload(flow, packet, off, payload, scrub)
        return packet[:off] if scrub else None

    # SMTP --------------------------------------------------------------------------------------
    def _client_payload(self, flow: Flow, packet: bytes, off: int, payload: bytes, scrub: bool):
        if flow.sport not in CLEARTEXT_SMTP or flow.tls:
            return packet[:off] if scrub else None
        if flow.in_auth:
            return packet[:off] if scrub else None
        if flow.in_data:
            if b"\r\n.\r\n" in payload or payload.startswith(b".\r\n"):
                flow.in_data = False
            return packet[:off] if scrub else None
        keep = True
        for line in payload.split(b"\r\n"):
            m = _VERB.match(line)
            if not m:
                continue
            verb = m.group(1).upper()
            if verb in (b"EHLO", b"HELO", b"LHLO"):
                parts = line.split(None, 1)
                flow.ehlo = parts[1].decode("ascii", "replace")[:255] if len(parts) > 1 else ""
            elif verb == b"MAIL":
                a = _ADDR.search(line)
                if a and len(flow.mail_from) < 50:
                    flow.mail_from.append(a.group(2).decode("ascii", "replace").lower())
            elif verb == b"RCPT":
                a = _ADDR.search(line)
                if a and len(flow.rcpt_domains) < 200:
                    flow.rcpt_domains.append(a.group(2).decode("ascii", "replace").lower())
            elif verb == b"AUTH":
                flow.in_auth = flow.auth_seen = True
                keep = False
            elif verb in (b"DATA", b"BDAT"):
                flow.in_data = flow.data_seen = True
                if verb == b"BDAT":
                    keep = False
            elif verb == b"STARTTLS":
                flow.tls = True
        if not scrub:
            return None
        if not keep:
            return packet[:off]
        if flow.in_data and not payload.rstrip().upper().endswith(b"DATA"):
            return packet[:off]  # pipelined body after DATA
        return packet[:off] + _mask_local_parts(payload)

    def _server_payload(self, flow: Flow, packet: bytes, off: int, payload: bytes, scrub: bool):
        if flow.sport not in CLEARTEXT_SMTP or (flow.tls and not payload.startswith(b"220")):
            return packet[:off] if scrub else None
        if flow.in_auth:
            code = payload[:3]
            if code == b"235" or code[:1] in (b"4", b"5"):
                flow.in_auth = False
            return packet[:off] if scrub else None
        return packet[:off] + _mask_local_parts(payload) if scrub else None

    # Results -----------------------------------------------------------------------------------
    def summary(self, owners: dict | None = None, mx_owners: dict | None = None) -> dict:
        """JSON-ready summary. ``owners`` maps (client, cport, server, sport) and ``mx_owners``
        maps (client, port) to process facts (or None when the program could not be found)."""
        owners = owners or {}
        mx_owners = mx_owners or {}

        def when(ts):
            return datetime.fromtimestamp(ts, UTC).astimezone().isoformat() if ts else None

        per_dest = defaultdict(lambda: {"syn": 0, "completed": 0, "refused": 0})
        programs: dict[str, dict] = {}

        def entry(owner, first: float, last: float) -> dict:
            p = programs.setdefault(
                _program_key(owner),
                {
                    "program": owner,
                    "flows": 0,
                    "ports": set(),
                    "destinations": set(),
                    "first": first,
                    "last": last,
                    "mx_queries": 0,
                },
            )
            p["first"], p["last"] = min(p["first"], first), max(p["last"], last)
            return p

        for key, flow in self.flows.items():
            d = per_dest[(ntop(flow.server), flow.sport)]
            d["syn"] += flow.syns
            d["completed"] += flow.state == "established"
            d["refused"] += flow.state == "refused"
            p = entry(owners.get(key), flow.first, flow.last)
            p["flows"] += 1
            p["ports"].add(flow.sport)
            p["destinations"].add(ntop(flow.server))
        for ts, _name, client, port in self.mx_queries:
            entry(mx_owners.get((client, port)), ts, ts)["mx_queries"] += 1
        mx_names = [name for _ts, name, _c, _p in self.mx_queries]
        return {
            "packets": self.packets,
            "first": when(self.first),
            "last": when(self.last),
            "smtp_syn_total": sum(self.syn_by_dest.values()),
            "smtp_sessions_completed": sum(f.state == "established" for f in self.flows.values()),
            "smtp_refused": sum(f.state == "refused" for f in self.flows.values()),
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
                    **{
                        k: v
                        for k, v in p.items()
                        if k not in ("ports", "destinations", "first", "last")
                    },
                    "ports": sorted(p["ports"]),
                    "destinations": sorted(p["destinations"]),
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
    "connected": Np_("{who} connected to {n} mail server.", "{who} connected to {n} mail servers."),
    "known_clients_only": N_(
        "Only known mail programs sent mail, on the normal submission ports, {scope}."
    ),
    "no_mail": N_("No mail connections were seen {scope}."),
    "mx_lookups": Np_(
        "{who} looked up the mail servers of {n} domain, which only mail servers need to do.",
        "{who} looked up the mail servers of {n} domains, which only mail servers need to do.",
    ),
    "no_mx": N_("No program looked up mail servers (MX) {scope}."),
    "mostly_undecoded": N_(
        "{undecoded} of {frames} frames in {where} could not be decoded (link type {link_types}),"
        " so we cannot tell whether mail was sent."
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
}
WHO_PROGRAM = N_("The program {name} (pid {pid})")
WHO_ENDED = N_("A program that ended before it could be identified")
SCOPE_SPAN = N_("between {span} ({where})")
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
    if params.get("pid") is not None or params.get("name"):
        params["who"] = _(WHO_PROGRAM).format(name=params.get("name"), pid=params.get("pid"))
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
                smtp_lines.append(
                    (
                        status,
                        "direct" if direct else "connected",
                        {**_who_params(p), "n": len(p["destinations"])},
                    )
                )
        if p["mx_queries"]:
            if program is not None and program.kind == "mail_server":
                status = Status.PASS
            elif program is None:
                status = Status.WARN
            else:
                status = Status.FAIL
            p["mx_verdict"] = str(status)
            mx_lines.append((status, {**_who_params(p), "n": p["mx_queries"]}))
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
    advice_bad = ("disconnect", "scan_and_password")
    s_status = worst(smtp_status) if smtp_status else Status.PASS
    if s_status == Status.PASS:
        s_reason, s_params = ("known_clients_only" if smtp_status else "no_mail"), {}
    else:
        _s, s_reason, s_params = sorted(smtp_lines, key=lambda x: -int(x[0] == Status.FAIL))[0]
    if mostly_undecoded and s_status != Status.FAIL:
        # What could not be read may hold the mail: never a pass.
        s_status, s_reason, s_params = Status.UNKNOWN, "mostly_undecoded", {"also": []}
    smtp = Result(
        "TRAFFIC-SMTP",
        s_status,
        s_reason,
        {**base, **s_params},
        advice_bad if s_status == Status.FAIL else (),
        {**facts, "programs": summary["programs"], "destinations": summary["destinations"]},
    )
    m_status = worst([s for s, _p in mx_lines]) if mx_lines else Status.PASS
    if mx_lines:
        m_reason, m_params = "mx_lookups", next(p for s, p in mx_lines if s == m_status)
    else:
        m_reason, m_params = "no_mx", {}
    if mostly_undecoded and m_status != Status.FAIL:
        m_status, m_reason, m_params = Status.UNKNOWN, "mostly_undecoded", {"also": []}
    mx = Result(
        "TRAFFIC-MX",
        m_status,
        m_reason,
        {**base, **m_params},
        advice_bad if m_status == Status.FAIL else (),
        {**facts, "mx_names": summary["mx_names"][:200]},
    )
    return [smtp, mx]


def results_for(summary: dict, attributed: bool, where: str, where_kind: str = "file"):
    """TRAFFIC-SMTP and TRAFFIC-MX for a capture summary (live: ``where_kind="iface"``)."""
    from checks.model import current_platform

    return interpret(summary, current_platform(), attributed, where, where_kind)
