"""The PC's addresses, default gateway and neighbour table: plain data, no judgement.

Linux reads /proc; Windows and macOS run route/arp and parse what they print (parsers here are
pure and tested on recordings)."""

from __future__ import annotations

import re
import socket
import sys
from dataclasses import dataclass, field

import psutil

from checks.context import CheckContext
from checks.probes.command import macos_tool, run, windows_tool


@dataclass(frozen=True)
class Neighbour:
    ip: str
    mac: str | None
    interface: str | None = None


@dataclass
class NetworkFacts:
    addresses: dict[str, list[str]] = field(default_factory=dict)  # interface -> addresses
    gateways: list[tuple[str, str | None]] = field(default_factory=list)  # (gateway ip, interface)
    neighbours: list[Neighbour] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def addresses_flat(self) -> set[str]:
        return {a.split("%")[0] for addrs in self.addresses.values() for a in addrs}


def interface_addresses() -> dict[str, list[str]]:
    stats = psutil.net_if_stats()
    out: dict[str, list[str]] = {}
    for name, addrs in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for a in addrs:
            if a.family in (socket.AF_INET, socket.AF_INET6):
                out.setdefault(name, []).append(a.address.split("%")[0])
    return out


def parse_proc_route(text: str) -> list[tuple[str, str]]:
    gateways = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "00000000" and parts[2] != "00000000":
            gateways.append((socket.inet_ntoa(bytes.fromhex(parts[2])[::-1]), parts[0]))
    return gateways


def parse_proc_arp(text: str) -> list[Neighbour]:
    out = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 6 and parts[2] != "0x0" and parts[3] != "00:00:00:00:00:00":
            out.append(Neighbour(parts[0], parts[3].lower(), parts[5]))
    return out


_MAC = r"([0-9A-Fa-f]{1,2}(?:[:-][0-9A-Fa-f]{1,2}){5})"


def _norm_mac(mac: str) -> str:
    return ":".join(f"{int(p, 16):02x}" for p in re.split("[:-]", mac))


def parse_arp_a(text: str) -> list[Neighbour]:
    """`arp -a` on Windows ("  192.168.1.1   00-11-22-33-44-55   dynamic") and macOS
    ("? (192.168.1.1) at 0:11:22:33:44:55 on en0 ifscope [ethernet]")."""
    out = []
    section = (
        None  # Windows: the address in "Interface: 10.0.0.185 --- 0x5" ("インターフェイス: …")
    )
    for line in text.splitlines():
        head = re.match(r"^\S[^:]*:\s*(\d{1,3}(?:\.\d{1,3}){3})\s+---\s+0x", line)
        if head:
            section = head.group(1)
            continue
        mac_m = re.search(_MAC, line)
        ip_m = re.search(r"(\d{1,3}(?:\.\d{1,3}){3})", line)
        if not mac_m or not ip_m:
            continue
        mac = _norm_mac(mac_m.group(1))
        if mac in ("ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00") or mac.startswith("01:00:5e"):
            continue  # broadcast and multicast entries are not devices
        iface = re.search(r" on (\S+)", line)
        out.append(Neighbour(ip_m.group(1), mac, iface.group(1) if iface else section))
    return out


def parse_route_print(text: str) -> list[tuple[str, str | None]]:
    """Windows `route print -4`: rows "0.0.0.0  0.0.0.0  192.168.1.1  192.168.1.23  25"."""
    out = []
    for m in re.finditer(
        r"^\s*0\.0\.0\.0\s+0\.0\.0\.0\s+(\d{1,3}(?:\.\d{1,3}){3})\s+(\S+)\s+\d+", text, re.M
    ):
        out.append((m.group(1), m.group(2)))
    return out


def parse_netstat_rn(text: str) -> list[tuple[str, str | None]]:
    """macOS `netstat -rn -f inet`: "default   192.168.1.1   UGScg   en0"."""
    out = []
    for m in re.finditer(
        r"^default\s+(\d{1,3}(?:\.\d{1,3}){3})\s+\S+\s+(?:\S+\s+)*?(\w+\d+)\s*$", text, re.M
    ):
        out.append((m.group(1), m.group(2)))
    return out


def gather(ctx: CheckContext) -> NetworkFacts:
    facts = NetworkFacts(addresses=interface_addresses())
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/net/route") as fp:
                facts.gateways = parse_proc_route(fp.read())
        except OSError as exc:
            facts.problems.append(f"routing table: {exc}")
        try:
            with open("/proc/net/arp") as fp:
                facts.neighbours = parse_proc_arp(fp.read())
        except OSError as exc:
            facts.problems.append(f"neighbour table: {exc}")
        return facts
    routes = run(
        [windows_tool("route"), "print", "-4"]
        if sys.platform == "win32"
        else [macos_tool("netstat"), "-rn", "-f", "inet"],
        ctx,
        timeout=15,
    )
    if routes.ok:
        facts.gateways = (
            parse_route_print(routes.stdout)
            if sys.platform == "win32"
            else parse_netstat_rn(routes.stdout)
        )
    else:
        facts.problems.append(f"routing table: {routes.problem}")
    # -n: numeric. Without it, macOS arp looks up a name for every neighbour over the network.
    arp = run(
        [windows_tool("arp"), "-a"] if sys.platform == "win32" else [macos_tool("arp"), "-an"],
        ctx,
        timeout=15,
    )
    if arp.ok:
        facts.neighbours = parse_arp_a(arp.stdout)
    else:
        facts.problems.append(f"neighbour table: {arp.problem}")
    return facts


def probe_ports(host: str, ports: tuple[int, ...], timeout: float = 1.0) -> dict[int, bool]:
    """Which TCP ports answer on ``host`` (a connect that succeeds)."""
    answers = {}
    for port in ports:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                answers[port] = True
        except OSError:
            answers[port] = False
    return answers
