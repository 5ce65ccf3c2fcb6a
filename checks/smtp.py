"""SMTP-OUT and SMTP-LISTEN: which programs on this PC talk to mail servers or act as one."""

from __future__ import annotations

from dataclasses import dataclass, field

from checks import catalogue, evidence, programs, wording
from checks.addresses import exposed
from checks.context import CheckContext
from checks.i18n import N_, Np_
from checks.model import CheckSpec, Result, Status, current_platform, worst
from checks.probes import listeners as listener_probe
from checks.probes import mail_connections
from checks.probes.listeners import ListenerFacts
from checks.probes.mail_connections import OWNER_HIDDEN, Observation, WatchFacts

DIRECT_PORT = 25
MAIL_PORTS = mail_connections.MAIL_PORTS
LISTEN_PORTS = (25, 465, 587, 2525)

TITLE_OUT = N_("Mail connections from this PC")
TITLE_LISTEN = N_("Mail server on this PC")


# ---------------------------------------------------------------------------------------------
# SMTP-OUT interpretation (pure)


@dataclass
class _Group:
    owner: object | None  # ProcessInfo
    problem: str | None
    conns: list[Observation] = field(default_factory=list)
    program: programs.Program | None = None
    status: Status = Status.PASS
    reason: str = ""

    @property
    def direct_servers(self) -> list[str]:
        return sorted({c.raddr for c in self.conns if c.rport == DIRECT_PORT})

    @property
    def destinations(self) -> list[str]:
        return sorted({f"{c.raddr}:{c.rport}" for c in self.conns})

    @property
    def name(self) -> str:
        return self.owner.name if self.owner is not None else "?"


def _judge(group: _Group, platform: str) -> None:
    direct = bool(group.direct_servers)
    if group.owner is None:
        group.status = Status.WARN
        group.reason = "unidentified_direct" if direct else "unidentified"
        return
    info = group.owner
    program = programs.classify(info.name, info.exe, platform, info.exe_exists, info.exe_verified)
    group.program = program
    if program.suspicious:
        group.status, group.reason = Status.FAIL, "suspicious_location"
    elif direct and program.kind != "mail_server":
        group.status, group.reason = Status.FAIL, "direct"
    elif direct:
        group.status, group.reason = Status.WARN, "mail_server_direct"
    elif program.kind == "mail_client" and program.standard_location:
        group.status, group.reason = Status.PASS, "mail_client"
    elif program.kind == "mail_client" and program.standard_location is None:
        # Its file could not be read: a name alone is no mail program (and no unusual folder).
        group.status, group.reason = Status.WARN, "client_path_unknown"
    elif program.kind == "mail_client":
        group.status, group.reason = Status.WARN, "client_unusual_place"
    else:
        group.status, group.reason = Status.WARN, "unknown_program"


OUT_SUMMARIES = {
    "suspicious_location_direct": Np_(
        "A program called {name} in {where} was sending mail directly to {n} mail server.",
        "A program called {name} in {where} was sending mail directly to {n} mail servers.",
    ),
    "suspicious_location": N_(
        "A program called {name} in {where} was connecting to a mail server ({dest})."
    ),
    "direct": Np_(
        "A program called {name} was sending mail directly to {n} mail server, which normal"
        " mail programs never do.",
        "A program called {name} was sending mail directly to {n} mail servers, which normal"
        " mail programs never do.",
    ),
    "mail_server_direct": Np_(
        "The mail server program {name} on this PC delivered mail directly to {n} mail server.",
        "The mail server program {name} on this PC delivered mail directly to {n} mail servers.",
    ),
    "client_unusual_place": N_(
        "{name} connected to a mail server ({dest}), but it runs from an unusual folder."
    ),
    "client_path_unknown": N_(
        "{name} connected to a mail server ({dest}), but its file could not be read, so we could"
        " not check that it is the real {program}."
    ),
    "unknown_program": N_(
        "A program called {name}, which we do not know as a mail program, connected to a mail"
        " server ({dest})."
    ),
    "unidentified_direct_hidden": Np_(
        "Something on this PC connected directly to {n} mail server on port 25; only an"
        " administrator can see which program it was.",
        "Something on this PC connected directly to {n} mail servers on port 25; only an"
        " administrator can see which program it was.",
    ),
    "unidentified_direct": Np_(
        "Something on this PC connected directly to {n} mail server on port 25, but it ended"
        " before we could see which program it was.",
        "Something on this PC connected directly to {n} mail servers on port 25, but it ended"
        " before we could see which program it was.",
    ),
    "unidentified": N_(
        "Something on this PC connected to a mail server ({dest}); we could not see which program."
    ),
    "known_clients_only": N_(
        "Only known mail programs connected to mail servers, on the normal submission"
        " ports: {names}."
    ),
    "incomplete": N_(
        "No mail connections were visible, but without administrator rights we could not see"
        " every program's connections."
    ),
    "known_clients_incomplete": N_(
        "Only known mail programs were seen connecting to mail servers ({names}), but without"
        " administrator rights we could not see every program's connections."
    ),
    "none_watched": N_("No program on this PC connected to a mail server during {span}."),
    "none_snapshot": N_("No program on this PC was connected to a mail server at {time}."),
}
OUT_ADVICE = {
    "disconnect": N_(
        "Disconnect this PC from the internet (unplug the cable or turn off Wi-Fi) until it"
        " is cleaned, so that no more mail is sent from your line."
    ),
    "full_scan": N_(
        "Run a full scan with your antivirus (on Windows, the Microsoft Defender Offline"
        " scan) and remove what it finds. The program was: {path}"
    ),
    "change_password": N_("Afterwards, change your mail password from another device you trust."),
    "reinstall": N_(
        "If the program comes back after the scan, back up your files and reinstall the"
        " operating system, or ask a professional for help."
    ),
    "stop_mail_server": N_(
        "If you did not set up a mail server on this PC, stop and remove {name}. If you"
        " did, check its logs for mail you did not send."
    ),
    "reinstall_client": N_(
        "Make sure this is the real {program}: reinstall it from the official site. It runs"
        " from: {path}"
    ),
    "end_unknown": N_(
        "If you do not recognise {name} ({path}), end it and scan this PC with your antivirus."
    ),
    "rerun_admin_path": N_(
        "Run the check again as administrator: it can then read where {name} runs from."
    ),
    "rerun_admin_long": N_(
        "Run the check again as administrator, and for several minutes, to identify the program."
    ),
    "watch_longer": N_(
        "Watch the connections for several minutes: a program that keeps sending will be"
        " caught while its connection is open."
    ),
    "watch_bursts": N_(
        "One look can miss a program that sends in short bursts: watch the connections"
        " for several minutes to be sure."
    ),
    "run_admin": N_("Run Clearline as administrator to see every program's connections."),
}


def _program_params(entry: dict) -> dict:
    """What the words of one program need, from its params entry."""
    location = entry.get("location") or []
    return {
        "name": entry.get("name") or "…",
        "program": entry.get("display_name") or entry.get("name") or "…",
        "path": entry.get("path") or entry.get("name") or "…",
        "where": programs.describe_reasons(list(location)) if location else "…",
        "n": len(entry.get("direct_servers") or []),
        "dest": ", ".join((entry.get("destinations") or [])[:3]),
    }


def _summary_code(entry: dict) -> str:
    reason = entry.get("reason") or ""
    if reason == "suspicious_location" and entry.get("direct_servers"):
        return "suspicious_location_direct"
    if reason in ("client_unusual_place", "client_path_unknown"):
        return reason
    if reason == "unidentified_direct" and entry.get("problem") == OWNER_HIDDEN:
        return "unidentified_direct_hidden"
    return reason


def _advice_codes(entry: dict) -> list[str]:
    reason = entry.get("reason") or ""
    if reason in ("suspicious_location", "direct"):
        return ["disconnect", "full_scan", "change_password", "reinstall"]
    if reason == "mail_server_direct":
        return ["stop_mail_server"]
    if reason == "client_unusual_place":
        return ["reinstall_client"]
    if reason == "client_path_unknown":
        return ["rerun_admin_path"]
    if reason == "unknown_program":
        return ["end_unknown"]
    if reason.startswith("unidentified") and entry.get("problem") == OWNER_HIDDEN:
        return ["rerun_admin_long"]
    if reason.startswith("unidentified"):
        return ["watch_longer"]
    return []


# Answers about the whole watch (not about one program), worded from the result's own params.
_WHOLE = (
    "known_clients_only",
    "known_clients_incomplete",
    "incomplete",
    "none_watched",
    "none_snapshot",
)


def word_outbound(result: Result) -> tuple[str, list[str]]:
    """SMTP-OUT in words: the most serious program first, advice for each program."""
    p = result.params
    entries = [e for e in p.get("programs") or [] if isinstance(e, dict)]
    advice: list[str] = []
    for entry in entries:
        values = _program_params(entry)
        advice += [wording.render(OUT_ADVICE[c], values) for c in _advice_codes(entry)]
    advice += [wording.render(OUT_ADVICE[c], p) for c in result.advice_codes if c in OUT_ADVICE]
    if result.reason in _WHOLE:
        return wording.render(OUT_SUMMARIES[result.reason], p), advice
    if entries:
        message = OUT_SUMMARIES.get(_summary_code(entries[0]))
        if message is not None:
            return wording.render(message, _program_params(entries[0])), advice
    return result.reason, advice


def interpret_outbound(facts: WatchFacts) -> Result:
    """SMTP-OUT from what the watch saw: each program's connections judged, the worst first."""
    groups: dict[object, _Group] = {}
    for obs in facts.observations:
        key = obs.owner.identity if obs.owner is not None else ("?", obs.owner_problem)
        if key not in groups:
            groups[key] = _Group(owner=obs.owner, problem=obs.owner_problem)
        groups[key].conns.append(obs)
    for group in groups.values():
        _judge(group, facts.platform)
    ordered = sorted(
        groups.values(),
        key=lambda g: (-programs_rank(g.status), -len(g.direct_servers), -len(g.conns)),
    )
    watching = facts.polls > 1
    params: dict = {
        "programs": [_worded(g) for g in ordered],
        "span": [facts.started.isoformat(), facts.ended.isoformat()],
        "time": facts.started.isoformat(),
    }
    status, reason = _outbound_answer(ordered, facts.complete, watching, params)
    codes: list[str] = []
    if not ordered and facts.complete and not watching:
        codes.append("watch_bursts")
    if not facts.complete:
        codes.append("run_admin")
    window = {
        "mode": "watch" if watching else "snapshot",
        "from": facts.started.isoformat(),
        "to": facts.ended.isoformat(),
        "polls": facts.polls,
        "complete": facts.complete,
        "partial_reason": facts.incomplete_reason,
        "ports": list(MAIL_PORTS),
    }
    return Result(
        id="SMTP-OUT",
        status=status,
        reason=reason,
        params=params,
        advice_codes=tuple(codes),
        facts={"window": window, "programs": [_listed(g) for g in ordered]},
    )


def _outbound_answer(
    ordered: list[_Group], complete: bool, watching: bool, params: dict
) -> tuple[Status, str]:
    status = worst([g.status for g in ordered])
    if ordered and status != Status.PASS:
        return status, ordered[0].reason
    if ordered:
        params["names"] = sorted({g.program.display_name for g in ordered})
        if not complete:  # known programs seen is no all-clear when not every one could be
            return Status.UNKNOWN, "known_clients_incomplete"
        return status, "known_clients_only"
    if not complete:
        return Status.UNKNOWN, "incomplete"
    return status, ("none_watched" if watching else "none_snapshot")


def _listed(g: _Group) -> dict:
    """A program's facts: who it is and every connection it made (the first 200)."""
    entry = (
        programs.program_facts(g.owner, g.program)
        if g.owner is not None
        else {"pid": None, "owner_problem": g.problem}
    )
    entry.update(
        verdict=str(g.status),
        reason=g.reason,
        connection_count=len(g.conns),
        direct_servers=g.direct_servers,
        destinations=g.destinations,
        first_seen=min(c.first_seen for c in g.conns).isoformat(),
        last_seen=max(c.last_seen for c in g.conns).isoformat(),
        connections=[
            {k: v for k, v in c.as_facts().items() if k != "owner"} for c in g.conns[:200]
        ],
    )
    return entry


def _worded(g: _Group) -> dict:
    """What the words need of a program: who, where it runs from, and where it connected."""
    return {
        "reason": g.reason,
        "problem": g.problem,
        "name": g.owner.name if g.owner is not None else None,
        "display_name": g.program.display_name if g.program is not None else None,
        "path": g.owner.exe if g.owner is not None and g.owner.exe else None,
        "location": list(g.program.reasons) if g.program is not None else [],
        "direct_servers": g.direct_servers,
        "destinations": g.destinations[:3],
    }


def programs_rank(status: Status) -> int:
    from checks.model import SEVERITY

    return SEVERITY[status]


def run_outbound(ctx: CheckContext) -> Result:
    facts = mail_connections.watch(
        ctx.options.watch,
        keep_going=ctx.sleep,
        platform=current_platform(),
        admin=ctx.admin,
    )
    return interpret_outbound(facts)


# ---------------------------------------------------------------------------------------------
# SMTP-LISTEN interpretation (pure)


LISTEN_SUMMARIES = {
    "suspicious_location": N_(
        "A program called {name} in {where} is running a mail server that other machines"
        " can reach (port {port})."
    ),
    "mail_server_exposed": N_(
        "The mail server {program} is accepting connections from other machines on port"
        " {port}. If it relays mail for anyone, spammers can use it."
    ),
    "unidentified": N_(
        "Something is accepting mail connections from other machines on port {port}; only"
        " an administrator can see which program."
    ),
    "unknown_program": N_(
        "A program called {name}, which is not a known mail server, is accepting mail"
        " connections from other machines on port {port}."
    ),
    "loopback_only": N_("A mail server runs on this PC but only for this PC itself (loopback)."),
    "incomplete": N_(
        "No mail server was visible, but without administrator rights we could not see every"
        " program's listening ports."
    ),
    "none": N_("No mail server is listening on this PC."),
}
LISTEN_ADVICE = {
    "suspicious_location": N_(
        "Disconnect this PC from the internet until it is cleaned, and run a full antivirus scan."
    ),
    "mail_server_exposed": N_(
        "If you do not need a mail server on this PC, turn {program} off. If you do,"
        " make sure it relays only for you and listens only where it must."
    ),
    "unidentified": N_("Run Clearline as administrator to identify it."),
    "unknown_program": N_(
        "If you do not recognise {name} ({path}), end it and scan this PC with your antivirus."
    ),
    "run_admin_listen": N_(
        "Run Clearline as administrator to see every program's listening ports."
    ),
}


def word_listen(result: Result) -> tuple[str, list[str]]:
    items = [i for i in result.params.get("items") or [] if isinstance(i, dict)]
    shown = []
    for item in items:
        location = item.get("location") or []
        shown.append(
            {
                **item,
                "where": programs.describe_reasons(list(location)) if location else "…",
                "name": item.get("name") or "…",
                "program": item.get("program") or item.get("name") or "…",
                "path": item.get("path") or item.get("name") or "…",
            }
        )
    # The most serious first: "disconnect" before "turn your mail server off".
    by_severity = sorted(
        shown, key=lambda i: -programs_rank(Status(i["status"])) if i.get("status") else 0
    )
    advice = [
        wording.render(LISTEN_ADVICE[i["reason"]], i)
        for i in by_severity
        if i.get("reason") in LISTEN_ADVICE  # a stored item may lack one
    ]
    advice += [
        wording.render(LISTEN_ADVICE[c], {}) for c in result.advice_codes if c in LISTEN_ADVICE
    ]
    if result.reason in LISTEN_SUMMARIES and result.reason not in LISTEN_ADVICE:
        return wording.render(LISTEN_SUMMARIES[result.reason], result.params), advice
    top = next((i for i in shown if i.get("top")), shown[0] if shown else {})
    # Without the item (a stored result), the result's own reason in words, never its code.
    message = LISTEN_SUMMARIES.get(top.get("reason") or result.reason)
    return (wording.render(message, top) if message else result.reason), advice


def interpret_listen(facts: ListenerFacts) -> Result:
    """SMTP-LISTEN: mail servers that accept connections from other machines."""
    entries = []
    items: list[dict] = []
    statuses: list[Status] = []
    top: dict | None = None
    for item in facts.listeners:
        if item.port not in LISTEN_PORTS:
            continue
        entry, status, worded = _listener(item, facts.platform)
        entries.append(entry)
        statuses.append(status)
        if worded is not None:
            items.append(worded)
            if top is None or programs_rank(status) > programs_rank(Status(top["status"])):
                top = worded
    if top is not None:
        top["top"] = True
    status = worst(statuses)
    if top is not None:
        reason = top["reason"]
    elif entries:
        reason = "loopback_only"
    elif not facts.complete:
        status, reason = Status.UNKNOWN, "incomplete"
    else:
        reason = "none"
    return Result(
        id="SMTP-LISTEN",
        status=status,
        reason=reason,
        params={"items": items},
        advice_codes=("run_admin_listen",) if reason == "incomplete" else (),
        facts={
            "observed_at": facts.observed_at.isoformat(),
            "listeners": entries,
            "complete": facts.complete,
            "partial_reason": facts.incomplete_reason,
        },
    )


def _listener(item, platform: str) -> tuple[dict, Status, dict | None]:
    """One listener on a mail port: its facts, its verdict, and its words when it matters."""
    entry = {"address": item.addr, "port": item.port, "exposed": exposed(item.addr)}
    program = None
    if item.owner is not None:
        program = programs.classify(
            item.owner.name,
            item.owner.exe,
            platform,
            item.owner.exe_exists,
            item.owner.exe_verified,
        )
        entry.update(programs.program_facts(item.owner, program))
    else:
        entry["owner_problem"] = item.owner_problem
    if not exposed(item.addr):
        status, reason = Status.PASS, ""
    elif program is not None and program.suspicious:
        status, reason = Status.FAIL, "suspicious_location"
    elif program is not None and program.kind == "mail_server":
        status, reason = Status.WARN, "mail_server_exposed"
    elif program is None:
        status, reason = Status.WARN, "unidentified"
    else:
        status, reason = Status.FAIL, "unknown_program"
    entry["verdict"] = str(status)
    if status == Status.PASS:
        return entry, status, None
    entry["reason"] = reason  # its own: each listener's sighting took the whole result's
    return (
        entry,
        status,
        {
            "reason": reason,
            "status": str(status),
            "port": item.port,
            "name": item.owner.name if item.owner is not None else None,
            "path": item.owner.exe if item.owner is not None else None,
            "program": program.display_name if program is not None else None,
            "location": list(program.reasons) if program is not None else [],
        },
    )


def run_listen(ctx: CheckContext) -> Result:
    return interpret_listen(
        listener_probe.read_listeners(platform=current_platform(), admin=ctx.admin)
    )


wording.register(
    wording.Phrasebook({"SMTP-OUT": TITLE_OUT}, OUT_SUMMARIES, OUT_ADVICE, word=word_outbound)
)
wording.register(
    wording.Phrasebook(
        {"SMTP-LISTEN": TITLE_LISTEN}, LISTEN_SUMMARIES, LISTEN_ADVICE, word=word_listen
    )
)


# ---------------------------------------------------------------------------------------------
# Evidence for the assessment (checks/evidence.py)


def sightings(result: Result) -> list[evidence.Sighting]:
    """Each program a result judged ``fail`` or ``warn``: sending (SMTP-OUT) or listening."""
    if result.id == "SMTP-LISTEN":
        facts = result.facts
        return evidence.listening(
            result, evidence.dicts(facts.get("findings")) or evidence.dicts(facts.get("listeners"))
        )
    out = [_sending(result, p) for p in evidence.dicts(result.facts.get("programs"))]
    out = [s for s in out if s is not None]
    if not out and evidence.bad(result.status):
        out.append(
            evidence.Sighting(
                "SMTP-OUT",
                result.status,
                result.reason,
                evidence.THIS_PC,
                seen_at=result.started_at,
            )
        )
    return out


def _sending(result: Result, p: dict) -> evidence.Sighting | None:
    if not evidence.bad(p.get("verdict")):
        return None
    return evidence.Sighting(
        "SMTP-OUT",
        Status(p.get("verdict")),
        str(p.get("reason") or ""),
        evidence.THIS_PC,
        program=p.get("name") or None,
        path=p.get("exe") or None,
        pid=evidence.as_int(p.get("pid")),
        servers=len(evidence.as_list(p.get("direct_servers"))),
        destinations=len(evidence.as_list(p.get("destinations"))),
        first_seen=evidence.as_time(p.get("first_seen")),
        last_seen=evidence.as_time(p.get("last_seen")),
        seen_at=result.started_at,
    )


def observations(results: list[Result]) -> list[evidence.Observation]:
    """Each watch or snapshot of SMTP-OUT over a known, complete window: clean when it passed
    and listed no program."""
    out = []
    for r in results:
        if r.id != "SMTP-OUT" or r.status not in (Status.PASS, Status.FAIL, Status.WARN):
            continue
        window = r.facts.get("window") if isinstance(r.facts.get("window"), dict) else {}
        start, end = evidence.as_time(window.get("from")), evidence.as_time(window.get("to"))
        if start and end and window.get("complete", True) is not False:
            source = "watch" if window.get("mode") == "watch" else "snapshot"
            clean = r.status == Status.PASS and not evidence.dicts(r.facts.get("programs"))
            out.append(evidence.Observation(source, evidence.THIS_PC, start, end, clean))
    return out


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "SMTP-OUT",
        __name__,
        catalogue.AUDIT,
        catalogue.MAIL,
        letter=1,
        fix="scan",
        infection=catalogue.ANY_FAIL,
        order=10,
    ),
    catalogue.Entry(
        "SMTP-LISTEN",
        __name__,
        catalogue.AUDIT,
        catalogue.MAIL,
        letter=4,
        fix="scan",
        infection=catalogue.ANY_FAIL,
        order=20,
    ),
)

SPECS = (
    CheckSpec("SMTP-OUT", TITLE_OUT, run_outbound, timeout=30.0, uses_watch=True),
    CheckSpec("SMTP-LISTEN", TITLE_LISTEN, run_listen, timeout=30.0),
)
