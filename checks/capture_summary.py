"""A capture's summary: what the analyzer counted, grouped by program (a live capture, which
knows them) or by sending host (a capture made elsewhere), as JSON-ready values.

Pure: the analyzer's counts and the owners found for its flows in, a dict out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from checks.packet import ntop


def _when(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).astimezone().isoformat() if ts else None


def _program_key(owner) -> str:
    if not owner:
        return "?"
    if "host" in owner:
        return f"host:{owner['host']}"
    return f"{owner.get('pid')}:{owner.get('started')}"


def _new_entry(owner, host, first, last) -> dict[str, Any]:
    return {
        "program": None if host else owner,
        "host": host,
        "flows": 0,
        "sessions": 0,
        "unanswered": 0,
        "refused": 0,
        "handshake_missing": 0,
        "messages_accepted": 0,
        "ports": set(),
        "destinations": set(),
        "direct_destinations": set(),
        "direct_answered": set(),
        "direct_refused": set(),
        "directions": set(),
        "inbound_flows": 0,
        "ehlo_names": set(),
        "first": first,
        "last": last,
        "mx_queries": 0,
        "mx_domains": set(),
        "attempts_by_port": defaultdict(int),
    }


def summarise(analyzer, owners: dict, mx_owners: dict, by_host: bool) -> dict[str, Any]:
    flows = analyzer.flows
    # (server, port) -> [attempts, completed, refused]: a bot's capture has tens of thousands
    per_dest: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    programs: dict[str, dict] = {}

    def owner_of(found, client: bytes):
        if found is None and by_host:
            return {"host": ntop(client)}
        return found

    def entry(owner, first: float, last: float) -> dict:
        host = owner.get("host") if owner else None  # a program's facts have no host
        key = _program_key(owner)
        p = programs.get(key)
        if p is None:
            p = programs[key] = _new_entry(owner, host, first, last)
        p["first"], p["last"] = min(p["first"], first), max(p["last"], last)
        return p

    for key, flow in flows.items():
        server = ntop(flow.server)
        d = per_dest[(server, flow.sport)]
        d[0] += flow.syns
        d[1] += flow.state == "established"
        d[2] += flow.state == "refused"
        p = entry(owner_of(owners.get(key), flow.client), flow.first, flow.last)
        _count_flow(p, flow, server, analyzer.direction(flow))
    for ts, name, client, port in analyzer.mx_queries:
        p = entry(owner_of(mx_owners.get((client, port)), client), ts, ts)
        p["mx_queries"] += 1
        p["mx_domains"].add(name)
    return _totals(analyzer, list(flows.values()), per_dest, programs)


def _count_flow(p: dict, flow, server: str, direction: str) -> None:
    """One mail connection added to its program's (or host's) entry."""
    p["flows"] += 1
    p["sessions"] += flow.state == "established"
    p["unanswered"] += flow.state == "syn"
    p["refused"] += flow.state == "refused"
    p["handshake_missing"] += not flow.handshake_seen
    p["messages_accepted"] += flow.messages_accepted
    p["ports"].add(flow.sport)
    p["attempts_by_port"][flow.sport] += 1
    p["destinations"].add(server)
    p["directions"].add(direction)
    p["inbound_flows"] += direction == "inbound"
    if flow.sport == 25:
        p["direct_destinations"].add(server)
        if flow.state == "established":
            p["direct_answered"].add(server)
        elif flow.state == "refused":
            p["direct_refused"].add(server)
    if flow.ehlo:
        p["ehlo_names"].add(flow.ehlo)


def _totals(analyzer, values: list, per_dest: dict, programs: dict) -> dict[str, Any]:
    mx_names = [name for _ts, name, _c, _p in analyzer.mx_queries]
    return {
        "packets": analyzer.packets,
        "ip_packets": analyzer.ip_packets,
        "first": _when(analyzer.first),
        "last": _when(analyzer.last),
        "smtp_syn_total": sum(analyzer.syn_by_dest.values()),
        "smtp_sessions_completed": sum(f.state == "established" for f in values),
        "smtp_refused": sum(f.state == "refused" for f in values),
        "smtp_unanswered": sum(f.state == "syn" for f in values),
        "flows_without_handshake": sum(not f.handshake_seen for f in values),
        "flows_not_followed": sum(f.session.partly_read or f.fragmented for f in values),
        "messages_accepted": sum(f.messages_accepted for f in values),
        "messages_refused": sum(f.messages_refused for f in values),
        "destinations": [
            {"ip": ip, "port": port, "syn": syn, "completed": completed, "refused": refused}
            for (ip, port), (syn, completed, refused) in sorted(per_dest.items())
        ],
        "ehlo_names": sorted({f.ehlo for f in values if f.ehlo}),
        "mail_from_domains": sorted({d for f in values for d in f.mail_from}),
        "rcpt_domains": sorted({d for f in values for d in f.rcpt_domains}),
        "auth_seen": any(f.auth_seen for f in values),
        "mx_queries_total": len(analyzer.mx_queries),
        "mx_names": sorted(set(mx_names)),
        "mx_distinct": len(set(mx_names)),
        "dns_queries_total": analyzer.dns_queries,
        "per_minute": {
            datetime.fromtimestamp(m * 60, UTC).isoformat(): len(d)
            for m, d in sorted(analyzer.dest_per_minute.items())
        },
        "programs": [_program_out(p) for p in programs.values()],
        "flows_not_tracked": analyzer.dropped_flows,
        "unread": dict(sorted(analyzer.unread.items())),
        "tunnels": list(analyzer.tunnels),
        "smtp_elsewhere": list(analyzer.smtp_elsewhere.values()),
    }


def _program_out(p: dict) -> dict:
    out = {k: v for k, v in p.items() if not isinstance(v, (set, defaultdict))}
    out.update({k: sorted(v) for k, v in p.items() if isinstance(v, set)})
    out["attempts_by_port"] = {str(k): v for k, v in sorted(p["attempts_by_port"].items())}
    out["mx_domains"] = len(p["mx_domains"])
    out["mx_names"] = sorted(p["mx_domains"])[:50]
    out["first"], out["last"] = _when(p["first"]), _when(p["last"])
    return out
