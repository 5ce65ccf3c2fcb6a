"""NET-DNS: which DNS server this PC was given, and whether it is one it should be.

Malware that takes a router over often changes the DNS server the router hands out, so every
device at home asks the attacker for names. From this PC we can read the server it was given:
the router itself (normal; what the router asks in turn cannot be seen from here), a well-known
public resolver, or some other address on the internet — which may be the provider's own or a
hijacker's. We cannot tell those two apart without the provider's list, so that answer is
`unknown` with what to compare, never a verdict. Reads configuration only; sends nothing."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

from checks import catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_
from checks.model import CheckSpec, Result, Status

TITLE = N_("The DNS server this PC was given")
# Well-known public resolvers, from their operators' own pages (Google Public DNS, Cloudflare
# 1.1.1.1, Quad9, Cisco OpenDNS, AdGuard DNS): a user or a program may set them on purpose.
PUBLIC_RESOLVERS = {
    "Google Public DNS": ("8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844"),
    "Cloudflare": ("1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001"),
    "Quad9": ("9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9"),
    "OpenDNS": ("208.67.222.222", "208.67.220.220", "2620:119:35::35", "2620:119:53::53"),
    "AdGuard DNS": ("94.140.14.14", "94.140.15.15", "2a10:50c0::ad1:ff", "2a10:50c0::ad2:ff"),
}
_KNOWN = {ip: name for name, ips in PUBLIC_RESOLVERS.items() for ip in ips}
# Where a router's own DNS answers: the home network's ranges, link-local, this PC. (Not
# ipaddress's "is_private", which also counts documentation and other reserved ranges.)
HOME_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "127.0.0.0/8",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)

SUMMARIES = {
    "router": N_(
        "This PC asks the router ({servers}) for names. What the router asks in turn cannot be"
        " seen from here."
    ),
    "public_resolver": N_("This PC asks {names} for names, a well-known public DNS service."),
    "unknown_public": N_(
        "This PC asks {servers} for names: neither the router nor a well-known public DNS"
        " service. If your provider does not list it as its own, the router's DNS setting may"
        " have been changed, as malware that takes routers over does."
    ),
    "none": N_("No DNS server setting could be read on this PC."),
    "not_read_here": N_("The DNS server setting is not read on this system yet."),
}
ADVICE = {
    "compare_with_provider": N_(
        "Compare the address with the DNS servers on your provider's support pages; if it is"
        " not theirs, open the router's settings page, restore its DNS setting, change its"
        " admin password and update its firmware."
    ),
}
wording.register(wording.Phrasebook({"NET-DNS": TITLE}, SUMMARIES, ADVICE))


def parse_resolv_conf(text: str) -> list[str]:
    """The `nameserver` lines of resolv.conf(5), in order, without a zone index."""
    out = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            out.append(parts[1].split("%")[0])
    return out


def parse_windows_name_servers(values: list[str]) -> list[str]:
    """The registry's NameServer / DhcpNameServer values (addresses separated by spaces or
    commas), each interface's in turn, without repeats."""
    out: list[str] = []
    for value in values:
        for item in value.replace(",", " ").split():
            if item not in out:
                out.append(item)
    return out


def interpret(servers: list[str] | None) -> Result:
    if servers is None:
        return Result("NET-DNS", Status.UNKNOWN, "not_read_here")
    kinds: dict[str, list[str]] = {"router": [], "known": [], "other": []}
    for server in servers:
        try:
            ip = ipaddress.ip_address(server)
        except ValueError:
            continue
        if any(ip.version == n.version and ip in n for n in HOME_NETWORKS):
            kinds["router"].append(server)
        elif server in _KNOWN or str(ip) in _KNOWN:
            kinds["known"].append(server)
        else:
            kinds["other"].append(server)
    facts = {"servers": servers, **kinds}
    if kinds["other"]:
        return Result(
            "NET-DNS",
            Status.UNKNOWN,
            "unknown_public",
            {"servers": ", ".join(kinds["other"])},
            ("compare_with_provider",),
            facts,
        )
    if kinds["known"]:
        names = ", ".join(dict.fromkeys(_KNOWN.get(s, s) for s in kinds["known"]))
        return Result("NET-DNS", Status.PASS, "public_resolver", {"names": names}, (), facts)
    if kinds["router"]:
        servers_text = ", ".join(kinds["router"])
        return Result("NET-DNS", Status.PASS, "router", {"servers": servers_text}, (), facts)
    return Result("NET-DNS", Status.UNKNOWN, "none", {}, (), facts)


def linux_servers(root: Path = Path("/")) -> list[str]:
    """The servers this Linux PC asks; behind systemd-resolved's local stub, the ones it uses."""
    servers = _read(root / "etc/resolv.conf")
    if servers and all(ipaddress.ip_address(s).is_loopback for s in _valid(servers)):
        upstream = _read(root / "run/systemd/resolve/resolv.conf")
        if upstream:
            return upstream
    return servers


def _read(path: Path) -> list[str]:
    try:
        return parse_resolv_conf(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


def _valid(servers: list[str]) -> list[str]:
    out = []
    for s in servers:
        try:
            ipaddress.ip_address(s)
        except ValueError:
            continue
        out.append(s)
    return out


def windows_servers() -> list[str]:
    """Each interface's NameServer (set by hand) or else DhcpNameServer (handed out), from the
    registry: plain address lists, the same in every Windows language."""
    import winreg  # type: ignore[import-not-found]

    base = r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces"
    values: list[str] = []
    try:
        root = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, base)
    except OSError:
        return []
    with root:
        index = 0
        while True:
            try:
                name = winreg.EnumKey(root, index)
            except OSError:
                break
            index += 1
            try:
                with winreg.OpenKey(root, name) as key:
                    for value_name in ("NameServer", "DhcpNameServer"):
                        try:
                            value, _kind = winreg.QueryValueEx(key, value_name)
                        except OSError:
                            continue
                        if isinstance(value, str) and value.strip():
                            values.append(value)
                            break
            except OSError:
                continue
    return parse_windows_name_servers(values)


def run(ctx: CheckContext) -> Result:
    if sys.platform.startswith("linux"):
        return interpret(linux_servers())
    if sys.platform == "win32":
        return interpret(windows_servers())
    return interpret(None)


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "NET-DNS", __name__, catalogue.AUDIT, catalogue.DEFENCE, fix="router", order=140
    ),
)

SPECS = (CheckSpec("NET-DNS", TITLE, run, timeout=15.0),)
