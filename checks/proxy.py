"""PROXY-OPEN: programs that let other machines connect through this PC (open proxies) or listen
from a folder where malware hides. Infected PCs are rented out as spam proxies."""

from __future__ import annotations

from checks import catalogue, evidence, programs, wording
from checks.addresses import exposed
from checks.context import CheckContext
from checks.i18n import N_, Np_
from checks.model import SEVERITY, CheckSpec, Result, Status, current_platform, worst
from checks.probes import listeners as listener_probe
from checks.probes.listeners import ListenerFacts

TITLE = N_("Open proxies and unexpected listeners")

# Ports that proxy software (and proxy malware) listens on by default.
PROXY_PORTS = {
    1080: "SOCKS",
    1081: "SOCKS",
    3128: "HTTP proxy (Squid)",
    3129: "HTTP proxy",
    6588: "HTTP proxy",
    8080: "HTTP proxy / web server",
    8118: "HTTP proxy (Privoxy)",
    8888: "HTTP proxy / web server",
    9050: "Tor SOCKS",
    9150: "Tor Browser SOCKS",
}

KNOWN_PROXIES = {
    "squid": "Squid",
    "tor": "Tor",
    "privoxy": "Privoxy",
    "tinyproxy": "Tinyproxy",
    "danted": "Dante",
    "sockd": "Dante",
    "polipo": "Polipo",
    "ccproxy": "CCProxy",
}


SUMMARIES = {
    "suspicious_location": N_(
        "A program called {name} in {where} accepts connections from other machines"
        " (port {port}): infected PCs are used this way to relay spam."
    ),
    "known_proxy": N_(
        "The proxy {name} accepts connections from other machines on port {port}; if"
        " anyone can use it, spam can be sent through your line."
    ),
    "proxy_port": N_(
        "A program called {name} accepts connections from other machines on port {port},"
        " a port proxies use."
    ),
    "unidentified_proxy_port": N_(
        "Something accepts connections from other machines on port {port}, a port proxies"
        " use; only an administrator can see which program."
    ),
    "hidden_listeners_not_admin": Np_(
        "{n} program accepts connections from other machines and only an administrator can"
        " see which; among the others nothing looks like an open proxy.",
        "{n} programs accept connections from other machines and only an administrator can"
        " see which; among the others nothing looks like an open proxy.",
    ),
    "hidden_listeners": Np_(
        "No open proxy was found. {n} port open to other machines ({ports}) could not be traced"
        " to a program, as with some of the system's own services; it is not a port proxies use.",
        "No open proxy was found. {n} ports open to other machines ({ports}) could not be traced"
        " to a program, as with some of the system's own services; none of them is a port"
        " proxies use.",
    ),
    "incomplete": N_(
        "Nothing looked like an open proxy, but without administrator rights we could not see"
        " every program's listening ports."
    ),
    "none_found": N_("No open proxy and no program listening from an unusual folder was found."),
}
ADVICE = {
    "disconnect_scan": N_(
        "Disconnect this PC from the internet until it is cleaned, and run a full antivirus scan."
    ),
    "change_password": N_("Afterwards, change your mail password from another device you trust."),
    "restrict_proxy": N_(
        "If you do not need {name} to be reachable from other machines, turn it"
        " off or make it listen on this PC only (127.0.0.1)."
    ),
    "run_admin": N_("Run Clearline as administrator to see every listening program."),
}


def _prepare(params: dict) -> dict:
    if params.get("location"):
        params["where"] = programs.describe_reasons(list(params["location"]))
    return params


wording.register(wording.Phrasebook({"PROXY-OPEN": TITLE}, SUMMARIES, ADVICE, _prepare))


def interpret(facts: ListenerFacts) -> Result:
    """PROXY-OPEN from the listeners reachable from other machines: a program listening from
    where malware hides, a known proxy or any program on a proxy port; the worst first."""
    findings: list[dict] = []
    hidden_exposed = 0
    for item in facts.listeners:
        if not exposed(item.addr):
            continue
        if item.owner is None:
            hidden_exposed += 1
            if item.port in PROXY_PORTS:
                findings.append(
                    {
                        "address": item.addr,
                        "port": item.port,
                        "owner_problem": item.owner_problem,
                        "verdict": str(Status.WARN),
                        "reason": "unidentified_proxy_port",
                    }
                )
            continue
        entry = _finding(item, facts.platform)
        if entry is not None:
            findings.append(entry)
    findings.sort(key=lambda f: -SEVERITY[Status(f["verdict"])])
    status, reason, params, advice = _proxy_answer(findings, hidden_exposed, facts)
    return Result(
        id="PROXY-OPEN",
        status=status,
        reason=reason,
        params=params,
        advice_codes=tuple(dict.fromkeys(advice)),
        facts={
            "observed_at": facts.observed_at.isoformat(),
            "findings": findings,
            "exposed_listeners": sum(1 for i in facts.listeners if exposed(i.addr)),
            "unidentified_exposed_listeners": hidden_exposed,
            "complete": facts.complete,
            "partial_reason": facts.incomplete_reason,
            "unidentified": [
                {"address": i.addr, "port": i.port, "owner_problem": i.owner_problem}
                for i in facts.listeners
                if i.owner is None and exposed(i.addr)
            ],
        },
    )


def _finding(item, platform: str) -> dict | None:
    """One identified listener judged: None when it is nothing to report."""
    owner = item.owner
    program = programs.classify(
        owner.name, owner.exe, platform, owner.exe_exists, owner.exe_verified
    )
    base = programs.base_name(owner.exe, owner.name, platform)
    if program.suspicious:
        status, reason = Status.FAIL, "suspicious_location"
    elif item.port in PROXY_PORTS and base in KNOWN_PROXIES:
        status, reason = Status.WARN, "known_proxy"
    elif item.port in PROXY_PORTS:
        status, reason = Status.WARN, "proxy_port"
    else:
        return None
    entry = {"address": item.addr, "port": item.port, "verdict": str(status), "reason": reason}
    entry.update(programs.program_facts(owner, program))
    if reason == "known_proxy":
        entry["proxy"] = KNOWN_PROXIES[base]  # "Squid", not "squid" or "CCProxy.exe"
    return entry


def _unseen_ports(facts: ListenerFacts, most: int = 5) -> dict:
    """How many ports open to other machines have a program that could not be seen, and which
    (a provider's desk reads numbers; a port open on IPv4 and IPv6 is one port)."""
    ports = sorted({i.port for i in facts.listeners if exposed(i.addr) and i.owner is None})
    shown = ", ".join(str(p) for p in ports[:most])
    return {"n": len(ports), "ports": shown + (", …" if len(ports) > most else "")}


def _proxy_answer(
    findings: list[dict], hidden_exposed: int, facts: ListenerFacts
) -> tuple[Status, str, dict, list[str]]:
    """The check's answer: the worst finding, else what could not be seen, else none."""
    status = worst([Status(f["verdict"]) for f in findings])
    advice: list[str] = []
    params: dict = {}
    if findings:
        top = findings[0]
        reason = top["reason"]
        params = {
            "name": top.get("proxy") or top.get("name"),
            "port": top["port"],
            "location": top.get("location"),
        }
        if reason == "suspicious_location":
            advice += ["disconnect_scan", "change_password"]
        restrict = [f for f in findings if f["reason"] in ("known_proxy", "proxy_port")]
        if restrict:
            advice.append("restrict_proxy")
            name = restrict[0].get("proxy") or restrict[0].get("name")
            params["advice_params"] = {"restrict_proxy": {"name": name}}
    elif hidden_exposed and not facts.admin:
        status, reason = Status.UNKNOWN, "hidden_listeners_not_admin"
        params = {"n": hidden_exposed}
    elif hidden_exposed:
        status, reason = Status.UNKNOWN, "hidden_listeners"
        params = _unseen_ports(facts)
    elif not facts.complete:
        status, reason = Status.UNKNOWN, "incomplete"
    else:
        reason = "none_found"
    if (hidden_exposed and not facts.admin) or not facts.complete:
        advice.append("run_admin")
    return status, reason, params, advice


def run(ctx: CheckContext) -> Result:
    return interpret(listener_probe.read_listeners(platform=current_platform(), admin=ctx.admin))


def sightings(result: Result) -> list[evidence.Sighting]:
    """Each program listening as a proxy that the result judged ``fail`` or ``warn``."""
    facts = result.facts
    return evidence.listening(
        result, evidence.dicts(facts.get("findings")) or evidence.dicts(facts.get("listeners"))
    )


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "PROXY-OPEN",
        __name__,
        catalogue.AUDIT,
        catalogue.MAIL,
        letter=5,
        fix="scan",
        infection=catalogue.ANY_FAIL,
        order=30,
    ),
)

SPECS = (CheckSpec("PROXY-OPEN", TITLE, run, timeout=30.0),)
