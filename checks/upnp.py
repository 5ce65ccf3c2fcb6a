"""NET-UPNP: the router's UPnP port mappings, and the ones nobody expects.

miniupnpc (the reference UPnP IGD client, one small wheel with no dependencies) discovers the
Internet Gateway Device over SSDP and lists its mappings; malware and hijacked routers use UPnP
to open the LAN to the internet (spam proxies on port 25 and proxy ports)."""

from __future__ import annotations

from typing import Any

from checks import addresses, catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_, Np_
from checks.model import CheckSpec, Result, Status, current_platform, worst
from checks.proxy import PROXY_PORTS

TITLE = N_("Port mappings on the router (UPnP)")
MAX_MAPPINGS = 256

SUMMARIES = {
    "no_igd": N_(
        "No router answered UPnP discovery, so no port can have been opened to this network through UPnP."
    ),
    "not_asked": N_("The router's UPnP could not be asked ({detail})."),
    "all_explained": Np_(
        "The router has {n} UPnP port mapping and each is explained.",
        "The router has {n} UPnP port mappings and each is explained.",
    ),
    "mail_or_proxy_port": N_(
        "The router forwards port {port} from the internet to {client}: a mail or proxy port, as spam relays use."
    ),
    "unexplained_here": N_(
        "The router forwards port {port} to this PC, but no program here is listening on it."
    ),
    "other_host": N_(
        "The router forwards port {port} from the internet to another device, {client}."
    ),
}
ADVICE = {
    "delete_mappings": N_(
        "Open the router's admin page and delete the port mappings you do not recognise."
    ),
    "upnp_off": N_("Turn UPnP off in the router if no game console or app needs it."),
}
wording.register(wording.Phrasebook({"NET-UPNP": TITLE}, SUMMARIES, ADVICE))


def discover(multicast_if: str | None = None, delay_ms: int = 2000) -> dict[str, Any]:
    """Find the IGD and read its mappings; {"problem": ...} when there is none or no library."""
    try:
        import miniupnpc
    except ImportError as exc:
        return {"problem": "missing", "detail": str(exc)}
    u = miniupnpc.UPnP(multicastif=multicast_if) if multicast_if else miniupnpc.UPnP()
    u.discoverdelay = delay_ms
    try:
        found = u.discover()
    except Exception as exc:
        return {"problem": "failed", "detail": str(exc)}
    try:
        url = u.selectigd()
    except Exception as exc:
        return {"problem": "none", "devices": found, "detail": str(exc)}
    facts: dict[str, Any] = {"devices": found, "igd": url, "lan_address": u.lanaddr, "mappings": []}
    try:
        facts["external_ip"] = u.externalipaddress()
    except Exception:
        facts["external_ip"] = None
    for index in range(MAX_MAPPINGS):
        try:
            entry = u.getgenericportmapping(index)
        except Exception:
            break
        if entry is None:
            break
        ext_port, proto, (client, int_port), desc, enabled, remote, duration = entry
        facts["mappings"].append(
            {
                "external_port": ext_port,
                "protocol": proto,
                "client": client,
                "internal_port": int_port,
                "description": desc,
                "enabled": bool(enabled),
                "remote_host": remote or "",
                "lease": duration,
            }
        )
    return facts


def interpret(facts: dict[str, Any], local_addresses: set[str], listening: set[int]) -> Result:
    if facts.get("problem") == "none":
        return Result("NET-UPNP", Status.PASS, "no_igd", facts={"devices": facts.get("devices", 0)})
    if facts.get("problem"):
        return Result(
            "NET-UPNP",
            Status.UNKNOWN,
            "not_asked",
            {"detail": facts.get("detail") or facts["problem"]},
            facts=facts,
        )
    findings = []
    for m in facts.get("mappings", []):
        ports = {m["external_port"], m["internal_port"]}
        client = m["client"]
        if 25 in ports or ports & set(PROXY_PORTS):
            status, reason = Status.FAIL, "mail_or_proxy_port"
        elif client in local_addresses and m["internal_port"] not in listening:
            status, reason = Status.WARN, "unexplained_here"
        elif client not in local_addresses and addresses.kind(client) in (
            addresses.PRIVATE,
            addresses.DOCUMENTATION_KIND,
        ):
            status, reason = Status.WARN, "other_host"
        else:
            continue
        findings.append({**m, "verdict": str(status), "reason": reason})
    out = {**facts, "findings": findings}
    advice = ("delete_mappings", "upnp_off")
    if not findings:
        return Result(
            "NET-UPNP",
            Status.PASS,
            "all_explained",
            {"n": len(facts.get("mappings", []))},
            facts=out,
        )
    # The most telling first: a problem before a warning, port 25 before anything else.
    top = max(
        findings,
        key=lambda f: (f["verdict"] == "fail", 25 in (f["external_port"], f["internal_port"])),
    )
    return Result(
        "NET-UPNP",
        worst([Status(f["verdict"]) for f in findings]),
        top["reason"],
        {"port": top["external_port"], "client": top["client"]},
        advice,
        out,
    )


def facts_for(ctx: CheckContext) -> dict[str, Any]:
    return ctx.shared.once("upnp", discover)


def run(ctx: CheckContext) -> Result:
    from checks.probes import listeners, network

    facts = facts_for(ctx)
    local = {a for addrs in network.interface_addresses().values() for a in addrs}
    listening = {
        item.port
        for item in listeners.read_listeners(platform=current_platform(), admin=ctx.admin).listeners
    }
    return interpret(facts, local, listening)


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "NET-UPNP", __name__, catalogue.AUDIT, catalogue.DEFENCE, letter=8, fix="router", order=130
    ),
)

SPECS = (CheckSpec("NET-UPNP", TITLE, run, needs_network=True, timeout=30.0),)
