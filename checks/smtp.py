"""SMTP-OUT and SMTP-LISTEN: which programs on this PC talk to mail servers or act as one."""

from __future__ import annotations

from dataclasses import dataclass, field

from checks import programs
from checks.addresses import exposed
from checks.context import CheckContext
from checks.i18n import N_, _, ngettext
from checks.model import CheckSpec, Result, Status, current_platform, worst
from checks.probes import listeners as listener_probe
from checks.probes import mail_connections
from checks.probes.listeners import ListenerFacts
from checks.probes.mail_connections import OWNER_HIDDEN, Observation, WatchFacts
from checks.timefmt import human, human_span

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
    program = programs.classify(info.name, info.exe, platform, info.exe_exists)
    group.program = program
    if program.suspicious:
        group.status, group.reason = Status.FAIL, "suspicious_location"
    elif direct and program.kind != "mail_server":
        group.status, group.reason = Status.FAIL, "direct"
    elif direct:
        group.status, group.reason = Status.WARN, "mail_server_direct"
    elif program.kind == "mail_client" and program.standard_location:
        group.status, group.reason = Status.PASS, "mail_client"
    elif program.kind == "mail_client":
        group.status, group.reason = Status.WARN, "client_unusual_place"
    else:
        group.status, group.reason = Status.WARN, "unknown_program"


def _summary(group: _Group) -> str:
    n = len(group.direct_servers)
    dest = ", ".join(group.destinations[:3])
    name = group.name
    if group.reason == "suspicious_location":
        where = programs.describe_reasons(list(group.program.reasons))
        if n:
            return ngettext(
                "A program called {name} in {where} was sending mail directly to {n} mail server.",
                "A program called {name} in {where} was sending mail directly to {n} mail servers.",
                n,
            ).format(name=name, where=where, n=n)
        return _(
            "A program called {name} in {where} was connecting to a mail server ({dest})."
        ).format(name=name, where=where, dest=dest)
    if group.reason == "direct":
        return ngettext(
            "A program called {name} was sending mail directly to {n} mail server, which normal"
            " mail programs never do.",
            "A program called {name} was sending mail directly to {n} mail servers, which normal"
            " mail programs never do.",
            n,
        ).format(name=name, n=n)
    if group.reason == "mail_server_direct":
        return ngettext(
            "The mail server program {name} on this PC delivered mail directly to {n} mail server.",
            "The mail server program {name} on this PC delivered mail directly to {n} mail"
            " servers.",
            n,
        ).format(name=name, n=n)
    if group.reason == "client_unusual_place":
        return _(
            "{name} connected to a mail server ({dest}), but it runs from an unusual folder."
        ).format(name=group.program.display_name, dest=dest)
    if group.reason == "unknown_program":
        return _(
            "A program called {name}, which we do not know as a mail program, connected to a mail"
            " server ({dest})."
        ).format(name=name, dest=dest)
    if group.reason == "unidentified_direct":
        if group.problem == OWNER_HIDDEN:
            return ngettext(
                "Something on this PC connected directly to {n} mail server on port 25; only an"
                " administrator can see which program it was.",
                "Something on this PC connected directly to {n} mail servers on port 25; only an"
                " administrator can see which program it was.",
                n,
            ).format(n=n)
        return ngettext(
            "Something on this PC connected directly to {n} mail server on port 25, but it ended"
            " before we could see which program it was.",
            "Something on this PC connected directly to {n} mail servers on port 25, but it ended"
            " before we could see which program it was.",
            n,
        ).format(n=n)
    return _(
        "Something on this PC connected to a mail server ({dest}); we could not see which program."
    ).format(dest=dest)


def _advice(group: _Group) -> list[str]:
    path = group.owner.exe if group.owner is not None and group.owner.exe else group.name
    if group.reason in ("suspicious_location", "direct"):
        return [
            _(
                "Disconnect this PC from the internet (unplug the cable or turn off Wi-Fi) until it"
                " is cleaned, so that no more mail is sent from your line."
            ),
            _(
                "Run a full scan with your antivirus (on Windows, the Microsoft Defender Offline"
                " scan) and remove what it finds. The program was: {path}"
            ).format(path=path),
            _("Afterwards, change your mail password from another device you trust."),
            _(
                "If the program comes back after the scan, back up your files and reinstall the"
                " operating system, or ask a professional for help."
            ),
        ]
    if group.reason == "mail_server_direct":
        return [
            _(
                "If you did not set up a mail server on this PC, stop and remove {name}. If you"
                " did, check its logs for mail you did not send."
            ).format(name=group.name)
        ]
    if group.reason == "client_unusual_place":
        return [
            _(
                "Make sure this is the real {program}: reinstall it from the official site. It runs"
                " from: {path}"
            ).format(program=group.program.display_name, path=path)
        ]
    if group.reason == "unknown_program":
        return [
            _(
                "If you do not recognise {name} ({path}), end it and scan this PC with your"
                " antivirus."
            ).format(name=group.name, path=path)
        ]
    if group.reason.startswith("unidentified") and group.problem == OWNER_HIDDEN:
        return [
            _(
                "Run the check again as administrator, and for several minutes, to identify the"
                " program."
            )
        ]
    if group.reason.startswith("unidentified"):
        return [
            _(
                "Watch the connections for several minutes: a program that keeps sending will be"
                " caught while its connection is open."
            )
        ]
    return []


def interpret_outbound(facts: WatchFacts) -> Result:
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
    window = {
        "mode": "watch" if watching else "snapshot",
        "from": facts.started.isoformat(),
        "to": facts.ended.isoformat(),
        "polls": facts.polls,
        "complete": facts.complete,
        "partial_reason": facts.incomplete_reason,
        "ports": list(MAIL_PORTS),
    }
    listed = []
    for g in ordered:
        entry = (
            programs.program_facts(g.owner, g.program)
            if g.owner is not None
            else {
                "pid": None,
                "owner_problem": g.problem,
            }
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
        listed.append(entry)

    advice: list[str] = []
    for g in ordered:
        for step in _advice(g):
            if step not in advice:
                advice.append(step)
    status = worst([g.status for g in ordered])
    if ordered and status != Status.PASS:
        summary = _summary(ordered[0])
    elif ordered:
        names = sorted({g.program.display_name for g in ordered})
        summary = _(
            "Only known mail programs connected to mail servers, on the normal submission"
            " ports: {names}."
        ).format(names=", ".join(names))
    elif not facts.complete:
        status = Status.UNKNOWN
        summary = _(
            "No mail connections were visible, but without administrator rights we could not see"
            " every program's connections."
        )
    elif watching:
        summary = _("No program on this PC connected to a mail server between {span}.").format(
            span=human_span(facts.started, facts.ended)
        )
    else:
        summary = _("No program on this PC was connected to a mail server at {time}.").format(
            time=human(facts.started)
        )
    if not ordered and facts.complete and not watching:
        advice.append(
            _(
                "One look can miss a program that sends in short bursts: watch the connections"
                " for several minutes to be sure."
            )
        )
    if not facts.complete:
        advice.append(_("Run Clearline as administrator to see every program's connections."))
    return Result(
        id="SMTP-OUT",
        status=status,
        title=_(TITLE_OUT),
        summary=summary,
        advice=tuple(advice),
        facts={"window": window, "programs": listed},
    )


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


def interpret_listen(facts: ListenerFacts) -> Result:
    entries = []
    statuses: list[Status] = []
    first_problem: tuple[Status, str] | None = None
    advice: list[str] = []
    for item in facts.listeners:
        if item.port not in LISTEN_PORTS:
            continue
        entry = {"address": item.addr, "port": item.port, "exposed": exposed(item.addr)}
        if item.owner is not None:
            program = programs.classify(
                item.owner.name, item.owner.exe, facts.platform, item.owner.exe_exists
            )
            entry.update(programs.program_facts(item.owner, program))
        else:
            program = None
            entry["owner_problem"] = item.owner_problem
        name = item.owner.name if item.owner is not None else "?"
        if not exposed(item.addr):
            status, text = Status.PASS, ""
        elif program is not None and program.suspicious:
            status = Status.FAIL
            text = _(
                "A program called {name} in {where} is running a mail server that other machines"
                " can reach (port {port})."
            ).format(
                name=name, where=programs.describe_reasons(list(program.reasons)), port=item.port
            )
            advice += [
                _(
                    "Disconnect this PC from the internet until it is cleaned, and run a full"
                    " antivirus scan."
                )
            ]
        elif program is not None and program.kind == "mail_server":
            status = Status.WARN
            text = _(
                "The mail server {program} is accepting connections from other machines on port"
                " {port}. If it relays mail for anyone, spammers can use it."
            ).format(program=program.display_name, port=item.port)
            advice.append(
                _(
                    "If you do not need a mail server on this PC, turn {program} off. If you do,"
                    " make sure it relays only for you and listens only where it must."
                ).format(program=program.display_name)
            )
        elif program is None:
            status = Status.WARN
            text = _(
                "Something is accepting mail connections from other machines on port {port}; only"
                " an administrator can see which program."
            ).format(port=item.port)
            advice.append(_("Run Clearline as administrator to identify it."))
        else:
            status = Status.FAIL
            text = _(
                "A program called {name}, which is not a known mail server, is accepting mail"
                " connections from other machines on port {port}."
            ).format(name=name, port=item.port)
            advice.append(
                _(
                    "If you do not recognise {name} ({path}), end it and scan this PC with your"
                    " antivirus."
                ).format(name=name, path=item.owner.exe or name)
            )
        entry["verdict"] = str(status)
        entries.append(entry)
        statuses.append(status)
        if status != Status.PASS and (
            first_problem is None or programs_rank(status) > programs_rank(first_problem[0])
        ):
            first_problem = (status, text)
    status = worst(statuses)
    if first_problem is not None:
        summary = first_problem[1]
    elif entries:
        summary = _("A mail server runs on this PC but only for this PC itself (loopback).")
    elif not facts.complete:
        status = Status.UNKNOWN
        summary = _(
            "No mail server was visible, but without administrator rights we could not see every"
            " program's listening ports."
        )
    else:
        summary = _("No mail server is listening on this PC.")
    facts_out = {
        "observed_at": facts.observed_at.isoformat(),
        "listeners": entries,
        "complete": facts.complete,
        "partial_reason": facts.incomplete_reason,
    }
    return Result(
        id="SMTP-LISTEN",
        status=status,
        title=_(TITLE_LISTEN),
        summary=summary,
        advice=tuple(dict.fromkeys(advice)),
        facts=facts_out,
    )


def run_listen(ctx: CheckContext) -> Result:
    return interpret_listen(
        listener_probe.read_listeners(platform=current_platform(), admin=ctx.admin)
    )


SPECS = (
    CheckSpec("SMTP-OUT", TITLE_OUT, run_outbound, timeout=30.0, uses_watch=True),
    CheckSpec("SMTP-LISTEN", TITLE_LISTEN, run_listen, timeout=30.0),
)
