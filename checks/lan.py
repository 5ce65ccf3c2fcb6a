"""NET-NAT, NET-GATEWAY, NET-DEVICES: what sits between this PC and the internet, and what else
shares the line. A check on this PC cannot see other devices' traffic: the results say so."""

from __future__ import annotations

from typing import Any

from checks import addresses, catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_, Np_, _
from checks.model import CheckSpec, Result, Status
from checks.probes import network
from checks.probes.network import NetworkFacts

TITLE_NAT = N_("Router between this PC and the internet")
TITLE_GATEWAY = N_("The router's own exposure")
TITLE_DEVICES = N_("Other devices on your network")
GATEWAY_PORTS = (23, 22, 80, 443, 8080, 7547)

SUMMARIES = {
    "no_address": N_("This PC has no network address we could read."),
    "public": N_(
        "This PC sits directly on the internet with the public address {ip}: nothing stands between it and attackers."
    ),
    "cgnat": N_(
        "Your provider shares one public address among many customers (carrier-grade NAT, {ip}): a report naming only that public address may concern another customer."
    ),
    "private": N_("This PC has a private address ({ip}) behind a router."),
    "public_seen_as": N_("The internet sees this line as {public}."),
    "documentation_range": N_(
        "This PC's address {ip} is in a range reserved for documentation and tests, not a real deployment: we cannot say whether a router is in front of it."
    ),
    "no_internet_address": N_(
        "This PC only has the address {ip} ({kind}), which does not reach the internet by itself."
    ),
    "no_gateway": N_("This PC has no default gateway (router) that we could find."),
    "not_probed": N_("The router ({ip}) was not probed."),
    "telnet_open": N_(
        "The router {who} answers on telnet (port 23): an old, unencrypted admin door that botnets use to take routers over."
    ),
    "tr069_open": N_("The router {who} answers on port 7547 (TR-069 remote management)."),
    "no_admin_ports": N_(
        "The router {who} answers on none of the admin and remote-management ports we tried."
    ),
    "usual_admin_ports": N_("The router {who} answers only on its usual admin ports ({ports})."),
    "no_devices": N_(
        "No other device is in this PC's neighbour table, which lists only devices it talked to recently."
    ),
    "devices": Np_(
        "{n} other device shares your network: {names}. Any of them could send spam.",
        "{n} other devices share your network: {names}. Any of them could send spam.",
    ),
    "devices_new": Np_(
        "{n} other device shares your network: {names}. New since the last check: {new}. Any"
        " of them could send spam.",
        "{n} other devices share your network: {names}. New since the last check: {new}. Any"
        " of them could send spam.",
    ),
}
ADVICE = {
    "router_in_front": N_(
        "Put a broadband router between the line and this PC, and keep the firewall on."
    ),
    "ask_source_port": N_(
        "Ask your provider for the exact time and source port: with a shared address, only they identify the line."
    ),
    "telnet_off": N_("Turn telnet off in the router, or replace a router that cannot."),
    "admin_password": N_("Change the router's default admin password."),
    "firmware": N_("Update the router's firmware."),
    "remote_off": N_("Turn off remote management and UPnP in the router if you do not use them."),
    "other_devices": N_(
        "Other devices' traffic cannot be seen from this PC: check the router's logs, or switch devices off one at a time while Clearline watches the line."
    ),
}
ROUTER_ADVICE = ("admin_password", "firmware", "remote_off")


def _prepare(params: dict[str, Any]) -> dict[str, Any]:
    if "gateway" in params:
        vendor_name = params.get("vendor")
        params["who"] = params["gateway"] + (f" ({vendor_name})" if vendor_name else "")
    if "devices" in params:
        params["names"] = ", ".join(
            _device_words(d) for d in params["devices"][:6] if isinstance(d, dict)
        )
    return params


wording.register(
    wording.Phrasebook(
        {"NET-NAT": TITLE_NAT, "NET-GATEWAY": TITLE_GATEWAY, "NET-DEVICES": TITLE_DEVICES},
        SUMMARIES,
        ADVICE,
        _prepare,
    )
)


def _device_words(d: dict[str, Any]) -> str:
    """ "192.168.1.23 “Taro's iPhone” (phone or tablet, Apple, new)": what the user recognises."""
    from checks import household

    private, unknown = _("private address, e.g. a phone"), _("unknown maker")
    maker = d.get("maker") or d.get("vendor") or (private if d.get("randomized_mac") else unknown)
    kind = household.KINDS.get(d.get("kind") or "unknown", "")
    parts = [_(kind)] if d.get("kind") not in (None, "unknown") else []
    parts.append(maker)
    if d.get("new"):
        parts.append(_("new"))
    name = f" “{d['name']}”" if d.get("name") else ""
    return f"{d.get('ip')}{name} ({', '.join(parts)})"


def _result(check_id: str, status: Status, reason: str, advice=(), params=None, facts=None):
    return Result(check_id, status, reason, params or {}, tuple(advice), facts or {})


def vendor(mac: str | None) -> str | None:
    if not mac:
        return None
    try:
        from netaddr import EUI

        return str(EUI(mac).oui.registration().org)
    except Exception:
        return None


def randomized(mac: str | None) -> bool:
    """A locally administered MAC (phones' private Wi-Fi addresses): no vendor behind it."""
    try:
        return bool(mac) and bool(int(mac.split(":")[0], 16) & 0x02)
    except ValueError:
        return False


def interpret_nat(
    facts: NetworkFacts,
    public_ip: str | None = None,
    router_wan: str | None = None,
    observed: str | None = None,
) -> Result:
    """``public_ip``: the line's public address (given, or looked up); ``router_wan``: the
    router's own WAN address (UPnP); ``observed``: what a server outside saw (STUN). A WAN
    address in 100.64.0.0/10, or one that differs from what the outside sees, is carrier-grade
    NAT: the line shares its public address."""
    gw_ifaces = {iface for _gw, iface in facts.gateways if iface}
    own = [
        (iface, addr)
        for iface, addrs in facts.addresses.items()
        for addr in addrs
        if (not gw_ifaces or iface in gw_ifaces) and addresses.kind(addr) != addresses.LOOPBACK
    ]
    kinds = {addr: addresses.kind(addr) for _i, addr in own}
    v4 = [a for a in kinds if ":" not in a]
    main = v4[0] if v4 else (next(iter(kinds), None))
    out: dict[str, Any] = {
        "addresses": [{"interface": i, "address": a, "kind": kinds[a]} for i, a in own],
        "gateways": [{"ip": g, "interface": i} for g, i in facts.gateways],
        "public_ip": public_ip,
        "public_ip_source": "given" if public_ip else None,
        "router_wan_ip": router_wan,
        "observed_public_ip": observed,
        "cgnat": False,
        "problems": facts.problems,
    }
    wan_shared = bool(router_wan) and (
        addresses.kind(router_wan) == addresses.CGNAT_KIND
        or (bool(observed) and addresses.parse(router_wan) != addresses.parse(observed))
    )
    if main is None:
        return _result("NET-NAT", Status.UNKNOWN, "no_address", facts=out)
    k = kinds[main]
    out["main_address"], out["main_kind"] = main, k
    if public_ip and public_ip == main:
        k = addresses.PUBLIC
    if k == addresses.PUBLIC:
        return _result("NET-NAT", Status.FAIL, "public", ["router_in_front"], {"ip": main}, out)
    if k == addresses.CGNAT_KIND or wan_shared:
        out["cgnat"] = True
        shared = main if k == addresses.CGNAT_KIND else router_wan
        return _result("NET-NAT", Status.PASS, "cgnat", ["ask_source_port"], {"ip": shared}, out)
    if k == addresses.PRIVATE:
        params: dict[str, Any] = {"ip": main, "public": public_ip}
        if public_ip:
            params["also"] = ["public_seen_as"]
        return _result("NET-NAT", Status.PASS, "private", (), params, out)
    if k == addresses.DOCUMENTATION_KIND:
        return _result("NET-NAT", Status.UNKNOWN, "documentation_range", (), {"ip": main}, out)
    return _result(
        "NET-NAT", Status.UNKNOWN, "no_internet_address", (), {"ip": main, "kind": k}, out
    )


def interpret_gateway(
    facts: NetworkFacts, open_ports: dict[int, bool] | None, announcements: list | None = None
) -> Result:
    """The router's exposure; named by its model when it announced one (UPnP, mDNS)."""
    if not facts.gateways:
        return _result(
            "NET-GATEWAY", Status.UNKNOWN, "no_gateway", facts={"problems": facts.problems}
        )
    gw = facts.gateways[0][0]
    mac = next((n.mac for n in facts.neighbours if n.ip == gw), None)
    out = {
        "ip": gw,
        "mac": mac,
        "vendor": vendor(mac),
        "open_ports": sorted(p for p, ok in (open_ports or {}).items() if ok),
        "probed_ports": sorted(open_ports or {}),
    }
    advice = list(ROUTER_ADVICE)
    said = [a for a in announcements or [] if a.ip == gw]
    model = next(
        (
            " ".join(dict.fromkeys(x for x in (a.manufacturer, a.model or a.name) if x))
            for a in said
        ),
        "",
    )
    out["model"] = model
    params = {
        "ip": gw,
        "gateway": gw,
        "vendor": model or out["vendor"],
        "ports": out["open_ports"],
    }
    if open_ports is None:
        return _result("NET-GATEWAY", Status.UNKNOWN, "not_probed", advice, params, out)
    if open_ports.get(23):
        return _result(
            "NET-GATEWAY", Status.FAIL, "telnet_open", ["telnet_off", *advice], params, out
        )
    if open_ports.get(7547):
        return _result("NET-GATEWAY", Status.WARN, "tr069_open", advice, params, out)
    reason = "usual_admin_ports" if out["open_ports"] else "no_admin_ports"
    return _result("NET-GATEWAY", Status.PASS, reason, advice, params, out)


def interpret_devices(
    facts: NetworkFacts,
    announcements: list | None = None,
    discovery_problems: list[str] | None = None,
) -> Result:
    """The other devices: the neighbour table, and — when the user allowed discovery — what the
    devices announced (names, makers, kinds). ``announcements`` None: discovery was not run."""
    from checks import household

    gateways = {g for g, _i in facts.gateways}
    devices = [
        {
            "ip": n.ip,
            "mac": n.mac,
            "vendor": vendor(n.mac),
            "randomized_mac": randomized(n.mac),
            "interface": n.interface,
        }
        for n in facts.neighbours
        if n.ip not in gateways
    ]
    if announcements is not None:
        mine = facts.addresses_flat()
        devices = [
            d
            for d in household.merge(devices, [a for a in announcements if a.ip not in gateways])
            if d["ip"] not in mine
        ]
    advice = ["other_devices"]
    out = {
        "devices": devices,
        "problems": facts.problems + (discovery_problems or []),
        "discovery": "not_asked" if announcements is None else "done",
    }
    if not devices:
        return _result("NET-DEVICES", Status.UNKNOWN, "no_devices", advice, facts=out)
    shown = [
        {k: d.get(k) for k in ("ip", "vendor", "randomized_mac", "name", "maker", "kind", "new")}
        for d in devices[:6]
    ]
    return _result(
        "NET-DEVICES", Status.WARN, "devices", advice, {"n": len(devices), "devices": shown}, out
    )


def _facts(ctx: CheckContext) -> NetworkFacts:
    return ctx.shared.once("network", lambda: network.gather(ctx))


def run_nat(ctx: CheckContext) -> Result:
    public = ctx.options.public_ip
    source = "given" if public else None
    wan = observed = None
    if ctx.options.network:
        # The router knows its own WAN address (UPnP); a STUN server (configurable:
        # CLEARLINE_STUN_SERVERS) tells what the internet sees. Both: when they differ, the line
        # is behind carrier-grade NAT and shares its public address.
        from checks import upnp
        from checks.probes import stun

        wan = upnp.facts_for(ctx).get("external_ip")
        observed, server = stun.public_address()
        if public is None:
            public = observed or wan
            source = f"stun {server}" if observed else ("upnp" if wan else None)
    result = interpret_nat(_facts(ctx), public, wan, observed)
    result.facts["public_ip_source"] = source
    return result


def run_gateway(ctx: CheckContext) -> Result:
    facts = _facts(ctx)
    if not facts.gateways:
        return interpret_gateway(facts, None)
    found, _problems = _discovered(ctx, facts)
    return interpret_gateway(
        facts, network.probe_ports(facts.gateways[0][0], GATEWAY_PORTS, timeout=0.8), found
    )


def run_devices(ctx: CheckContext) -> Result:
    facts = _facts(ctx)
    if not ctx.options.network:
        return interpret_devices(facts)  # nothing is sent on the network without the user's yes
    found, problems = _discovered(ctx, facts)
    return interpret_devices(facts, found, problems)


def _discovered(ctx: CheckContext, facts: NetworkFacts) -> tuple[list, list[str]]:
    """Ask the home network once per audit, for NET-DEVICES and NET-GATEWAY alike; only with
    the user's yes (Options.network)."""
    if not ctx.options.network:
        return [], []

    def ask():
        from checks.probes import discovery

        here = _lan_address(facts)
        if here is None:
            return [], ["no private IPv4 address to ask the network from"]
        return discovery.discover(here, [n.ip for n in facts.neighbours])

    return ctx.shared.once("discovery", ask)


def _lan_address(facts: NetworkFacts) -> str | None:
    """This PC's private IPv4 address on the interface of its default route."""
    import ipaddress

    preferred = [i for _g, i in facts.gateways if i]
    for interface in [*preferred, *facts.addresses]:
        for address in facts.addresses.get(interface, []):
            try:
                ip = ipaddress.ip_address(address.split("%")[0])
            except ValueError:
                continue
            if ip.version == 4 and ip.is_private and not ip.is_loopback:
                return str(ip)
    return None


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry("NET-NAT", __name__, catalogue.AUDIT, catalogue.CONTEXT, order=100),
    catalogue.Entry(
        "NET-GATEWAY",
        __name__,
        catalogue.AUDIT,
        catalogue.DEFENCE,
        letter=9,
        fix="router",
        order=110,
    ),
    catalogue.Entry("NET-DEVICES", __name__, catalogue.AUDIT, catalogue.CONTEXT, order=120),
)

SPECS = (
    CheckSpec("NET-NAT", TITLE_NAT, run_nat, timeout=30.0),
    CheckSpec("NET-GATEWAY", TITLE_GATEWAY, run_gateway, needs_network=True, timeout=30.0),
    CheckSpec("NET-DEVICES", TITLE_DEVICES, run_devices, timeout=30.0),
)
