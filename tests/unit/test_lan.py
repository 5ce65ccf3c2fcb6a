"""NET-NAT, NET-GATEWAY, NET-DEVICES on recorded routing and neighbour tables, and address kinds."""

import pytest

from checks import addresses, lan
from checks.model import Status
from checks.probes import network
from checks.probes.command import decode_output
from checks.probes.network import NetworkFacts
from tests.recorded import DATA


@pytest.mark.parametrize(
    ("addr", "kind"),
    [
        ("203.0.114.7", "public"),
        ("8.8.8.8", "public"),
        ("2400:4050:1:2::3", "public"),
        ("192.168.1.23", "private"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("fd00::2", "private"),
        ("100.64.0.1", "cgnat"),
        ("100.127.255.254", "cgnat"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("192.0.2.2", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.45", "documentation"),
        ("2001:db8::1", "documentation"),
        ("198.18.0.1", "reserved"),
        ("240.0.0.1", "reserved"),
        ("not-an-ip", "reserved"),
    ],
)
def test_address_kinds(addr, kind):
    assert addresses.kind(addr) == kind


def facts(addrs, gateways=(("192.168.1.1", "eth0"),), neighbours=()):
    return NetworkFacts(
        addresses={"eth0": list(addrs), "lo": ["127.0.0.1"]},
        gateways=list(gateways),
        neighbours=list(neighbours),
    )


def test_nat_verdicts():
    assert (
        lan.interpret_nat(facts(["198.51.99.1"])).status == Status.FAIL
    )  # public: directly exposed
    private = lan.interpret_nat(facts(["192.168.1.23", "fe80::1"]), public_ip="203.0.114.9")
    assert private.status == Status.PASS and "203.0.114.9" in private.summary
    cgnat = lan.interpret_nat(facts(["100.80.1.2"]))
    assert (
        cgnat.status == Status.PASS
        and cgnat.facts["cgnat"]
        and "carrier-grade NAT" in cgnat.summary
    )
    doc = lan.interpret_nat(facts(["192.0.2.2", "fd00::2"]))
    assert doc.status == Status.UNKNOWN and "documentation" in doc.summary
    assert lan.interpret_nat(facts(["169.254.3.4"])).status == Status.UNKNOWN
    same = lan.interpret_nat(facts(["192.168.1.23"]), public_ip="192.168.1.23")
    assert same.status == Status.FAIL
    assert lan.interpret_nat(NetworkFacts()).status == Status.UNKNOWN


def test_windows_recordings():
    """Real output of a Windows 10 PC with virtual adapters (getmac's samples, cited beside
    each file): the default route is found among 60 routes, broadcast and multicast entries
    are not devices, and each neighbour keeps the adapter it was seen on."""
    gws = network.parse_route_print(
        (DATA / "windows/net/route_print_win10.txt").read_text(encoding="utf-8")
    )
    assert gws == [("10.0.0.1", "10.0.0.185")]
    neigh = network.parse_arp_a((DATA / "windows/net/arp_a_win10.txt").read_text(encoding="utf-8"))
    assert [(n.ip, n.interface) for n in neigh] == [
        ("10.0.0.1", "10.0.0.185"),
        ("10.0.0.175", "10.0.0.185"),
        ("10.0.0.187", "10.0.0.185"),
        ("10.0.0.198", "10.0.0.185"),
    ]
    result = lan.interpret_devices(NetworkFacts(gateways=gws, neighbours=neigh))
    devices = {d["ip"]: d for d in result.facts["devices"]}
    assert "10.0.0.1" not in devices  # the router is not "another device"
    assert devices["10.0.0.175"]["vendor"].startswith("Sonos")
    assert result.status == Status.WARN and "3 other devices" in result.summary


def test_japanese_windows_route_print_in_its_code_page():
    """A Japanese Windows writes `route print` into a pipe in code page 932. Read as UTF-8 it
    is replacement characters; read in the console's code page it is Japanese, and the default
    route is found either way."""
    raw = (DATA / "windows/net/route_print_ja_win7.cp932.txt").read_bytes()
    garbled, bad = decode_output(raw)
    assert bad and "アクティブ" not in garbled
    text, bad = decode_output(raw, "cp932")
    assert not bad and "アクティブ ルート:" in text and "リンク上" in text
    assert network.parse_route_print(text) == [("192.168.1.1", "192.168.1.13")]
    assert network.parse_route_print(garbled) == [("192.168.1.1", "192.168.1.13")]


def test_japanese_windows_arp_a_in_its_code_page():
    """A Japanese Windows names the sections "インターフェイス:" and the kinds 動的/静的: the
    neighbours and their adapter are read all the same, broadcast and multicast left out."""
    raw = (DATA / "windows/net/arp_a_ja.cp932.txt").read_bytes()
    text, bad = decode_output(raw, "cp932")
    assert not bad and "インターフェイス: 192.168.1.3 --- 0xc" in text
    neigh = network.parse_arp_a(text)
    assert [(n.ip, n.mac, n.interface) for n in neigh] == [
        ("192.168.1.1", "00:dc:02:3c:32:02", "192.168.1.3")
    ]
    garbled, _bad = decode_output(raw)  # read in the wrong code page: the same neighbour
    assert [(n.ip, n.interface) for n in network.parse_arp_a(garbled)] == [
        ("192.168.1.1", "192.168.1.3")
    ]


def test_macos_recordings():
    """Real macOS 15 output (getmac's samples): `netstat -rn` with VPN tunnels' IPv6 defaults,
    `arp -an` with one-digit MAC octets."""
    gws = network.parse_netstat_rn(
        (DATA / "macos/net/netstat_rn_15.txt").read_text(encoding="utf-8")
    )
    assert gws == [("198.51.100.1", "en0")]
    neigh = network.parse_arp_a((DATA / "macos/net/arp_an_15.txt").read_text(encoding="utf-8"))
    assert [(n.ip, n.mac, n.interface) for n in neigh] == [
        ("198.51.100.1", "12:34:56:00:a0:20", "en0")
    ]
    result = lan.interpret_devices(NetworkFacts(gateways=gws, neighbours=neigh))
    assert result.status == Status.UNKNOWN  # only the router answered: nothing observed


def test_linux_recordings_and_gateway_vendor():
    gws = network.parse_proc_route(
        (DATA / "linux/net/proc_net_route.txt").read_text(encoding="utf-8")
    )
    neigh = network.parse_proc_arp(
        (DATA / "linux/net/proc_net_arp.txt").read_text(encoding="utf-8")
    )
    assert gws == [("10.0.2.1", "eth0")]
    assert [n.ip for n in neigh] == ["10.0.2.1", "10.0.2.50"]  # incomplete entries are not devices
    f = NetworkFacts(gateways=gws, neighbours=neigh)
    telnet = lan.interpret_gateway(f, {23: True, 80: True, 7547: False})
    assert telnet.status == Status.FAIL and "TP-LINK" in telnet.summary.upper()
    assert lan.interpret_gateway(f, {23: False, 7547: True}).status == Status.WARN
    assert lan.interpret_gateway(f, {23: False, 80: True}).status == Status.PASS
    assert lan.interpret_gateway(NetworkFacts(), None).status == Status.UNKNOWN


def test_no_neighbours_is_unknown_not_pass():
    assert lan.interpret_devices(NetworkFacts()).status == Status.UNKNOWN


def test_a_router_wan_address_that_differs_from_what_the_internet_sees_is_carrier_grade_nat():
    from checks.lan import NetworkFacts, interpret_nat

    facts = NetworkFacts(addresses={"eth0": ["192.168.1.20"]}, gateways=[("192.168.1.1", "eth0")])
    shared = interpret_nat(facts, "198.51.100.7", router_wan="100.71.2.3", observed="198.51.100.7")
    assert (shared.reason, shared.facts["cgnat"], shared.params["ip"]) == (
        "cgnat",
        True,
        "100.71.2.3",
    )
    differs = interpret_nat(
        facts, "198.51.100.7", router_wan="203.0.113.9", observed="198.51.100.7"
    )
    assert differs.facts["cgnat"] is True
    same = interpret_nat(facts, "203.0.113.9", router_wan="203.0.113.9", observed="203.0.113.9")
    assert (same.reason, same.facts["cgnat"]) == ("private", False)
