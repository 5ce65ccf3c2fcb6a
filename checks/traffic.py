"""TRAFFIC-SMTP and TRAFFIC-MX: the verdicts on a capture's summary (checks/analyzer.py reads
the packets, checks/capture_summary.py groups them) and their words.

Nothing unread is silent: what a capture could not read (fragments, IPsec, extension chains, a
file read only in part, frames holding no IP) makes a clean capture `unknown`, never `pass`.
The words say what was seen: mail to a server elsewhere, mail received by a server at home
(inbound), mail between two programs or devices at home (local), servers that refused or never
answered, every sending host or program and every mail port.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checks import catalogue, evidence, wording
from checks import programs as _programs
from checks.i18n import N_, Np_, _
from checks.model import Result, Status, worst

MAIL_PORTS = (25, 465, 587, 2525)
# Unread packets that could hold mail (an ICMP message or an ARP frame cannot).
HIDING = ("fragment", "short_fragment", "encrypted", "extensions", "truncated", "not_ip")

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
    "direct_and_refused": Np_(
        "{who} connected directly to {n} mail server on port 25; {refused} more refused the"
        " connection and {silent} did not answer.",
        "{who} connected directly to {n} mail servers on port 25; {refused} more refused the"
        " connection and {silent} did not answer.",
    ),
    "connected": Np_(
        "{who} connected to {n} mail server ({ports}).",
        "{who} connected to {n} mail servers ({ports}).",
    ),
    "direct_unanswered": Np_(
        "{who} tried to connect directly to {n} mail server on port 25; it did not answer.",
        "{who} tried to connect directly to {n} mail servers on port 25; none answered.",
    ),
    "direct_refused": Np_(
        "{who} tried to connect directly to {n} mail server on port 25; it refused the connection.",
        "{who} tried to connect directly to {n} mail servers on port 25; they refused the"
        " connection.",
    ),
    "direct_refused_and_silent": Np_(
        "{who} tried to connect directly to {n} mail server on port 25: {refused} refused and"
        " {silent} did not answer.",
        "{who} tried to connect directly to {n} mail servers on port 25: {refused} refused and"
        " {silent} did not answer.",
    ),
    "via_proxy": N_(
        "{who} asked the proxy {proxy} (port {proxy_port}) to connect to port {port} of"
        " {target}: mail sent through a proxy, where the mail ports do not show it."
    ),
    "smtp_other_port": N_(
        "{who} spoke to {server} on port {port} as a mail client does (EHLO/HELO), although that"
        " is not a mail port."
    ),
    "inbound": Np_(
        "A mail server on your line ({server}) received {n} connection from outside ({ports});"
        " it accepts mail from the internet.",
        "A mail server on your line ({server}) received {n} connections from outside ({ports});"
        " it accepts mail from the internet.",
    ),
    "local_only": N_(
        "{who} connected only to a mail server inside your own network or on this PC ({server},"
        " {ports}): that traffic did not leave the line."
    ),
    "mid_session": Np_(
        "{mid} connection was already open when the capture started: its start was not captured.",
        "{mid} connections were already open when the capture started: their start was not captured.",
        "mid",
    ),
    "other_ports": Np_(
        "{who} also tried {other_ports} ({attempts} attempt).",
        "{who} also tried {other_ports} ({attempts} attempts).",
        "attempts",
    ),
    "more_senders": Np_(
        "{more} more sent or tried to send mail: {others}.",
        "{more} more sent or tried to send mail: {others}.",
        "more",
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
    "not_all_read": Np_(
        "{unread} packet could not be read ({kinds}); mail could be in it, so we cannot say"
        " that none was sent.",
        "{unread} packets could not be read ({kinds}); mail could be among them, so we cannot"
        " say that none was sent.",
        "unread",
    ),
    "some_unread": Np_(
        "Besides, {unread} packet could not be read ({kinds}).",
        "Besides, {unread} packets could not be read ({kinds}).",
        "unread",
    ),
    "nothing_readable": N_(
        "None of the {frames} frames in {where} held an IP packet that could be read, so"
        " nothing can be said about mail."
    ),
    "read_part": N_(
        "Only part of {where} was read ({read_limit}); the rest could hold mail, so we cannot"
        " say that none was sent."
    ),
    "read_part_also": N_("Only part of {where} was read ({read_limit}); the rest could hold more."),
    "not_all_followed": Np_(
        "{untracked} more connection to a mail server could not be followed (more than the"
        " analyser keeps track of).",
        "{untracked} more connections to mail servers could not be followed (more than the"
        " analyser keeps track of).",
        "untracked",
    ),
    "some_undecoded": N_("{undecoded} of {frames} frames could not be decoded and were not read."),
    "some_undecoded_unknown": N_(
        "{undecoded} of {frames} frames in {where} could not be decoded (link type {link_types});"
        " mail could be in them, so we cannot say that none was sent."
    ),
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
    "check_mail_server": N_(
        "If you do not run a mail server at home, find the device with the address {server} and"
        " turn that service off; if you do, make sure it relays mail only for you."
    ),
}
WHO_PROGRAM = N_("The program {name} (pid {pid})")
WHO_ENDED = N_("A program that ended before it could be identified")
WHO_PID = N_("A program whose name could not be read (pid {pid})")
PORT_WORDS = Np_("mail port {ports}", "mail ports {ports}", "count")
WHO_HOST = N_("A device on your line ({host})")
WHO_LINE = N_("A device on your line")
WHO_THIS_PC = N_("A program on this PC ({host})")
SCOPE_SPAN = N_("during {span} ({where})")
SCOPE_IN = N_("in {where}")
WHERE_IFACE = N_("interface {iface}")
WHERE_EVERY_IFACE = N_("every network connection of this PC")
UNREAD_KINDS = {
    "fragment": N_("IP fragments"),
    "short_fragment": N_("fragments too short to read"),
    "encrypted": N_("encrypted IPsec"),
    "extensions": N_("IPv6 extension headers"),
    "truncated": N_("cut-off packets"),
    "not_ip": N_("frames that could not be read as IP (MACsec, an unknown kind)"),
}


def _who(params: dict) -> str:
    if params.get("host") and params.get("this_pc"):
        return _(WHO_THIS_PC).format(host=params["host"])
    if params.get("host"):
        return _(WHO_HOST).format(host=params["host"])
    if params.get("name"):
        return _(WHO_PROGRAM).format(name=params.get("name"), pid=params.get("pid"))
    if params.get("pid") is not None:
        return _(WHO_PID).format(pid=params.get("pid"))
    if not params.get("attributed", True):
        return _(WHO_LINE)
    return _(WHO_ENDED)


def _prepare(params: dict) -> dict:
    where = params.get("where") or ""
    if params.get("where_kind") == "iface":
        # A capture of every interface is named so, not "interface all" (a log's words).
        where = _(WHERE_EVERY_IFACE) if where in ("all", "") else _(WHERE_IFACE).format(iface=where)
    # The time watched (a live capture's start and end), else the first and last packet.
    start = params.get("started") or params.get("first")
    end = params.get("ended") or params.get("last")
    if start and end:
        span = wording.display_value("span", [start, end])
        params["scope"] = _(SCOPE_SPAN).format(span=span, where=where)
    else:
        params["scope"] = _(SCOPE_IN).format(where=where)
    params["who"] = _who(params)
    for key in ("ports", "other_ports"):
        if isinstance(params.get(key), list):
            ports = params[key]
            params[key] = wording.render(
                PORT_WORDS, {"count": len(ports), "ports": ", ".join(str(x) for x in ports)}
            )
    if params.get("others"):
        params["others"] = "; ".join(_who(o) for o in params["others"] if isinstance(o, dict))
    if params.get("kinds"):
        params["kinds"] = ", ".join(_(UNREAD_KINDS.get(k, k)) for k in params["kinds"])
    return params


wording.register(
    wording.Phrasebook(
        {"TRAFFIC-SMTP": TITLE_SMTP, "TRAFFIC-MX": TITLE_MX}, SUMMARIES, ADVICE, _prepare
    )
)

# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "TRAFFIC-SMTP",
        __name__,
        catalogue.CAPTURE,
        catalogue.MAIL,
        letter=2,
        fix="scan",
        infection=catalogue.ANY_FAIL,
        order=160,
    ),
    catalogue.Entry(
        "TRAFFIC-MX",
        __name__,
        catalogue.CAPTURE,
        catalogue.MAIL,
        letter=3,
        fix="scan",
        infection=catalogue.ANY_FAIL,
        order=170,
    ),
)


def _classify(owner: dict | None, platform: str):
    if not owner:
        return None
    return _programs.classify(
        owner.get("name") or "",
        owner.get("exe"),
        platform,
        owner.get("exe_exists"),
        owner.get("exe_verified"),
    )


def _who_params(p: dict, attributed: bool) -> dict:
    owner = p.get("program")
    if owner:
        return {"name": owner.get("name"), "pid": owner.get("pid")}
    if p.get("host"):
        return {"host": p["host"]}
    return {}


def _ports(ports) -> list[int]:
    return sorted(int(x) for x in ports)


@dataclass
class _Line:
    """One program's (or host's) finding about mail connections."""

    status: Status
    reason: str
    params: dict = field(default_factory=dict)


def _status(p: dict, program, direct: bool, directions: set[str], attributed: bool) -> Status:
    if directions and directions <= {"local"}:
        return _local_status(attributed)
    if directions and directions <= {"inbound", "local"}:
        return Status.WARN  # a server here received mail from outside: not sending
    if program is not None and program.suspicious:
        return Status.FAIL
    if direct and (program is None or program.kind != "mail_server"):
        return Status.FAIL
    if direct:
        return Status.WARN
    if program is not None and program.kind == "mail_client" and program.standard_location:
        return Status.PASS  # a name alone (its file unread, or in an odd folder) is no proof
    return Status.WARN


def _local_status(attributed: bool) -> Status:
    """Mail to a server at home. To one on this PC, in a live capture that also sees what that
    server sends on: nothing left the line. Between two devices of a capture made elsewhere, the
    server may relay it on out of sight: a question, not a pass."""
    return Status.PASS if attributed else Status.WARN


def _direct_words(p: dict) -> tuple[str, dict]:
    """Servers that answered on port 25, refused, or never answered."""
    direct_n = len(p.get("direct_destinations") or p["destinations"])
    if "direct_answered" in p:
        n_ok = len(p["direct_answered"])
    else:  # a summary saved before "direct_answered" existed
        answered = p.get("sessions", 1) or p.get("messages_accepted", 0)
        n_ok = direct_n if answered else 0
    # A server that refused once and answered a retry answered: counted once (it was counted
    # in both, and "-1 did not answer" reached the user).
    answered_any = set(p.get("direct_answered") or [])
    refused = len(set(p.get("direct_refused") or []) - answered_any)
    silent = max(0, direct_n - n_ok - refused)
    if n_ok:
        if refused:
            return "direct_and_refused", {"n": n_ok, "refused": refused, "silent": silent}
        if silent:
            return "direct_and_tried", {"n": n_ok, "tried": silent}
        return "direct", {"n": n_ok}
    if refused and silent:
        return "direct_refused_and_silent", {"n": direct_n, "refused": refused, "silent": silent}
    if refused:
        return "direct_refused", {"n": direct_n}
    return "direct_unanswered", {"n": direct_n}


def _connection_line(p: dict, program, attributed: bool) -> _Line:
    ports = set(p["ports"])
    direct = 25 in ports
    directions = set(p.get("directions") or [])
    status = _status(p, program, direct, directions, attributed)
    who = _who_params(p, attributed)
    if directions and directions <= {"local"}:
        server = ", ".join(p["destinations"][:3])
        return _Line(status, "local_only", {**who, "server": server, "ports": _ports(ports)})
    if directions and directions <= {"inbound", "local"}:
        server = ", ".join(p["destinations"][:3])
        # Connections from outside only (one over the loopback was counted as from outside).
        n = p.get("inbound_flows", p["flows"])  # a summary saved before the count existed
        params = {**who, "server": server, "n": n, "ports": _ports(ports)}
        return _Line(status, "inbound", params)
    if direct:
        reason, params = _direct_words(p)
    else:
        reason, params = "connected", {"n": len(p["destinations"]), "ports": _ports(ports)}
    others = sorted(ports - {25}) if direct else []
    if others:
        attempts = p.get("attempts_by_port") or {}
        count = sum(int(attempts.get(str(x), 0)) for x in others) or len(others)
        params.update(other_ports=_ports(others), attempts=count, also=["other_ports"])
    return _Line(status, reason, {**who, **params})


def _extra_lines(summary: dict, attributed: bool) -> list[_Line]:
    """Proxy requests for a mail port, and SMTP spoken on another port."""
    lines = []
    for t in summary.get("tunnels") or []:
        if int(t.get("port") or 0) in MAIL_PORTS:
            who = {"host": t.get("client"), "this_pc": attributed}
            params = {k: t.get(k) for k in ("proxy", "proxy_port", "target", "port")}
            lines.append(_Line(Status.FAIL, "via_proxy", {**who, **params}))
    for e in summary.get("smtp_elsewhere") or []:
        who = {"host": e.get("client"), "this_pc": attributed}
        if e.get("direction") == "local":
            # A test mail server on this PC or at home (localhost:1025): the mail stayed here.
            params = {"server": e.get("server"), "ports": _ports({e.get("port")})}
            lines.append(_Line(_local_status(attributed), "local_only", {**who, **params}))
            continue
        if e.get("direction") == "inbound":
            # A server here greeted from outside on a port of its own: it takes mail, as on 25.
            params = {"server": e.get("server"), "n": 1, "ports": _ports({e.get("port")})}
            lines.append(_Line(Status.WARN, "inbound", {**who, **params}))
            continue
        params = {"server": e.get("server"), "port": e.get("port")}
        lines.append(_Line(Status.FAIL, "smtp_other_port", {**who, **params}))
    return lines


def _mx_line(p: dict, program, platform: str, attributed: bool) -> tuple[Status, dict]:
    # Lookups through Windows' DNS Client leave from svchost.exe whoever asked for them: a
    # question about some program, not a finding against svchost.
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
    return status, {**_who_params(p, attributed), "n": n, "dns_client": via_dns_client}


def _base(summary: dict, attributed: bool, where: str, where_kind: str) -> dict:
    base = {
        "where": where,
        "where_kind": where_kind,
        "first": summary.get("first"),
        "last": summary.get("last"),
        "started": summary.get("started"),
        "ended": summary.get("ended"),
        "attributed": attributed,
    }
    also: list[str] = []
    frames = int(summary.get("frames") or 0)
    undecoded = int(summary.get("frames_undecoded") or 0)
    if undecoded:
        base.update(
            frames=frames,
            undecoded=undecoded,
            link_types=summary.get("undecoded_link_types") or [],
        )
        also.append("some_undecoded")
    mid = int(summary.get("flows_without_handshake") or 0)
    if mid:
        base["mid"] = mid
        also.append("mid_session")
    untracked = int(summary.get("flows_not_tracked") or 0)
    if untracked:
        base["untracked"] = untracked
        also.append("not_all_followed")
    if also:
        base["also"] = also
    return base


def _unread(summary: dict) -> tuple[int, list[str]]:
    counts = summary.get("unread") or {}
    kinds = [k for k in HIDING if counts.get(k)]
    return sum(int(counts[k]) for k in kinds), kinds


def _unknown_instead(summary: dict, frames: int) -> tuple[str, dict] | None:
    """Why a capture without a finding cannot be a pass: what it could not read."""
    undecoded = int(summary.get("frames_undecoded") or 0)
    if frames > 0 and undecoded * 2 > frames:
        return "mostly_undecoded", {"also": []}
    if frames > 0 and undecoded:
        # A minority is no excuse: 500 SYNs on an interface the file never described hide as
        # well among 600 readable frames as alone.
        return "some_undecoded_unknown", {"also": []}
    if frames > 0 and summary.get("ip_packets") == 0:
        return "nothing_readable", {"frames": frames, "also": []}
    if summary.get("read_limit"):
        return "read_part", {"read_limit": summary["read_limit"], "also": []}
    unread, kinds = _unread(summary)
    if unread:
        return "not_all_read", {"unread": unread, "kinds": kinds, "also": []}
    return None


def _smtp_result(summary, lines: list[_Line], base: dict, facts: dict) -> Result:
    statuses = [line.status for line in lines]
    s_status = worst(statuses)
    problems = sorted(
        (x for x in lines if x.status != Status.PASS), key=lambda x: -int(x.status == Status.FAIL)
    )
    if s_status == Status.PASS:
        s_reason = "known_clients_only" if any(x.reason != "local_only" for x in lines) else None
        local = next((x for x in lines if x.reason == "local_only"), None)
        if local is not None and s_reason is None:
            s_reason, s_params = "local_only", dict(local.params)
        else:
            s_reason, s_params = s_reason or "no_mail", {}
        if int(summary.get("flows_not_tracked") or 0):
            s_status = Status.UNKNOWN  # the connections not followed may be the mail
    else:
        first = problems[0]
        s_reason, s_params = first.reason, dict(first.params)
        if len(problems) > 1:
            s_params["more"] = len(problems) - 1
            s_params["others"] = [x.params for x in problems[1:6]]
            s_params["also"] = [*s_params.get("also", []), "more_senders"]
    # What could not be read turns only a would-be all-clear into "unknown": a finding (fail or
    # warn) stays, with what was not read beside it (a warning and its advice vanished).
    if not evidence.bad(s_status):
        instead = _unknown_instead(summary, int(summary.get("frames") or 0))
        if instead is not None:
            s_status, (s_reason, s_params) = Status.UNKNOWN, instead
    else:
        s_params = _beside_a_finding(summary, s_params)
    advice: tuple[str, ...] = ("disconnect", "scan_and_password")
    if s_params.get("host") and not s_params.get("this_pc"):
        advice = ("find_device",)
    if s_reason == "inbound":
        advice = ("check_mail_server",)
    if "also" in s_params and not s_params["also"]:
        params = {**base, **s_params}  # what could not be read is the whole answer
    else:
        also = [*base.get("also", []), *s_params.pop("also", [])]
        params = {**base, **s_params, "also": also} if also else {**base, **s_params}
    return Result(
        "TRAFFIC-SMTP",
        s_status,
        s_reason,
        params,
        advice if s_status in (Status.FAIL,) or s_reason == "inbound" else (),
        {**facts, "programs": summary["programs"], "destinations": summary["destinations"]},
    )


def _beside_a_finding(summary: dict, params: dict) -> dict:
    """What was not read, said after a finding (which it never replaces): packets that could
    not be read, and a read that stopped at a limit."""
    also = list(params.get("also", []))
    unread, kinds = _unread(summary)
    if unread:
        params = {**params, "unread": unread, "kinds": kinds}
        also.append("some_unread")
    if summary.get("read_limit"):
        params = {**params, "read_limit": summary["read_limit"]}
        also.append("read_part_also")
    return {**params, "also": also} if also else params


def _mx_result(summary, mx_lines, base: dict, facts: dict) -> Result:
    m_status = worst([s for s, _p in mx_lines])
    if mx_lines:
        m_params = next(p for s, p in mx_lines if s == m_status)
        m_reason = "mx_lookups_dns_client" if m_params.pop("dns_client") else "mx_lookups"
        if m_status == Status.PASS:  # every lookup was a mail server's own
            m_reason = "mx_by_mail_server"
    else:
        m_reason, m_params = "no_mx", {}
    if not evidence.bad(m_status):
        instead = _unknown_instead(summary, int(summary.get("frames") or 0))
        if instead is not None:
            m_status, (m_reason, m_params) = Status.UNKNOWN, instead
    else:
        m_params = _beside_a_finding(summary, m_params)
    # Lookups are not connections: what was said about connections is not said again here.
    also = [c for c in base.get("also", []) if c not in ("mid_session", "not_all_followed")]
    if m_params.get("also"):  # what a finding adds comes after
        also = [*also, *m_params.pop("also")]
    mx_base = {**base, "also": also}
    return Result(
        "TRAFFIC-MX",
        m_status,
        m_reason,
        {**mx_base, **m_params},
        # Only a known program's lookups fail (a host's are a question): the program is the
        # thing to remove.
        ("disconnect", "scan_and_password") if m_status == Status.FAIL else (),
        # The programs (or hosts) that looked up: the assessment names them from here.
        {
            **facts,
            "mx_names": summary["mx_names"][:200],
            "programs": [p for p in summary["programs"] if p.get("mx_queries")],
        },
    )


def interpret(
    summary: dict, platform: str, attributed: bool, where: str, where_kind: str = "file"
) -> list[Result]:
    """TRAFFIC-SMTP and TRAFFIC-MX from a capture summary. ``attributed``: programs were looked
    up (live capture); a file from elsewhere has no programs. ``where`` names what was watched
    (an interface, ``where_kind="iface"``, or a file)."""
    lines: list[_Line] = []
    mx_lines: list[tuple[Status, dict]] = []
    for p in summary["programs"]:
        program = _classify(p.get("program"), platform)
        if p["flows"]:
            line = _connection_line(p, program, attributed)
            p["verdict"] = str(line.status)
            lines.append(line)
        if p["mx_queries"]:
            mx_lines.append(_mx_line(p, program, platform, attributed))
    lines += _extra_lines(summary, attributed)
    keys = (
        "first",
        "last",
        "smtp_syn_total",
        "smtp_sessions_completed",
        "smtp_refused",
        "mx_queries_total",
        "mx_distinct",
    )
    facts = {"scope": where, **{k: summary.get(k) for k in keys}}
    for k in ("unread", "tunnels", "smtp_elsewhere", "ip_packets", "read_limit"):
        if summary.get(k):
            facts[k] = summary[k]
    base = _base(summary, attributed, where, where_kind)
    return [_smtp_result(summary, lines, base, facts), _mx_result(summary, mx_lines, base, facts)]


def results_for(summary: dict, attributed: bool, where: str, where_kind: str = "file"):
    """TRAFFIC-SMTP and TRAFFIC-MX for a capture summary (live: ``where_kind="iface"``)."""
    from checks.model import current_platform

    return interpret(summary, current_platform(), attributed, where, where_kind)


# ---------------------------------------------------------------------------------------------
# Evidence for the assessment (checks/evidence.py)


def sightings(result: Result) -> list[evidence.Sighting]:
    """Each host or program a capture's result judged ``fail`` or ``warn``: on this PC when the
    capture was attributed to its programs, on the line otherwise."""
    where = evidence.THIS_PC if result.params.get("attributed") else evidence.LINE
    seen = result.started_at or evidence.as_time(result.facts.get("last"))
    out = [_sighting(result, p, where, seen) for p in evidence.dicts(result.facts.get("programs"))]
    out = [s for s in out if s is not None]
    if not out and evidence.bad(result.status):
        out.append(
            evidence.Sighting(
                result.id, result.status, result.reason, where, seen_at=seen, kind=_kind(result)
            )
        )
    return out


def _kind(result: Result) -> str:
    return evidence.LOOKUP if result.id == "TRAFFIC-MX" else evidence.SENDING


def _sighting(result: Result, p: dict, where: str, seen) -> evidence.Sighting | None:
    lookup = result.id == "TRAFFIC-MX"
    status = p.get("mx_verdict" if lookup else "verdict")
    if not evidence.bad(status):
        return None
    owner = p.get("program") if isinstance(p.get("program"), dict) else {}
    if lookup and p.get("mx_via") == "dns_client":
        owner = {}  # Windows' DNS Client asked for another program: which one is not known
    # A lookup sighting is about lookups, whatever else the same program did.
    direct = 25 in evidence.as_list(p.get("ports")) and not lookup
    servers = evidence.as_list(p.get("direct_destinations")) or evidence.as_list(
        p.get("destinations")
    )
    return evidence.Sighting(
        result.id,
        Status(status),
        "direct" if direct else ("mx_lookups" if lookup else "smtp"),
        where,
        program=owner.get("name") or None,
        path=owner.get("exe") or None,
        pid=evidence.as_int(owner.get("pid")),
        host=p.get("host") or None,
        servers=len(servers) if direct else 0,
        destinations=0 if lookup else len(evidence.as_list(p.get("destinations"))),
        first_seen=evidence.as_time(p.get("first")) if isinstance(p.get("first"), str) else None,
        last_seen=evidence.as_time(p.get("last")) if isinstance(p.get("last"), str) else None,
        seen_at=seen,
        kind=_kind(result),
    )


def observations(results: list[Result]) -> list[evidence.Observation]:
    """Each capture, once (its TRAFFIC-SMTP and TRAFFIC-MX share a window): live on this PC or
    imported from the line; clean when every verdict passed and most of it was read."""
    by_window: dict[tuple, list[Result]] = {}
    for r in results:
        key = (r.params.get("first"), r.params.get("last"), r.params.get("where"))
        by_window.setdefault(key, []).append(r)
    out = []
    for window in by_window.values():
        r0 = window[0]
        live = bool(r0.params.get("attributed"))
        start = evidence.as_time(r0.params.get("started")) or evidence.as_time(
            r0.params.get("first")
        )
        end = evidence.as_time(r0.params.get("ended")) or evidence.as_time(r0.params.get("last"))
        if start is None or end is None:
            continue
        clean = all(r.status == Status.PASS for r in window) and not r0.params.get(
            "undecoded_majority"
        )
        where = evidence.THIS_PC if live else evidence.LINE
        out.append(
            evidence.Observation("capture" if live else "imported", where, start, end, clean)
        )
    return out
