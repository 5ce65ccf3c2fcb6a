"""NET-NAT, NET-GATEWAY, NET-DEVICES on recorded routing and neighbour tables, and address kinds."""

import pytest

from checks import addresses, lan
from checks.model import Status
from checks.probes import network
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
    gws = network.parse_route_print(
        (DATA / "windows/net/route_print.txt").read_text(encoding="utf-8")
    )
    assert gws == [("192.168.10.1", "192.168.10.23")]
    neigh = network.parse_arp_a((DATA / "windows/net/arp_a.txt").read_text(encoding="utf-8"))
    assert [n.ip for n in neigh] == [
        "192.168.10.1",
        "192.168.10.31",
        "192.168.10.40",
    ]  # no broadcast/multicast
    result = lan.interpret_devices(NetworkFacts(gateways=gws, neighbours=neigh))
    devices = {d["ip"]: d for d in result.facts["devices"]}
    assert devices["192.168.10.31"]["randomized_mac"] is True  # a phone's private Wi-Fi address
    assert devices["192.168.10.40"]["vendor"]  # 00:11:32 is in the IEEE registry (Synology)
    assert result.status == Status.WARN and "2 other devices" in result.summary


def test_macos_recordings():
    gws = network.parse_netstat_rn((DATA / "macos/net/netstat_rn.txt").read_text())
    assert gws == [("192.168.1.1", "en0")]
    neigh = network.parse_arp_a((DATA / "macos/net/arp_a.txt").read_text())
    assert [(n.ip, n.mac) for n in neigh] == [
        ("192.168.1.1", "b0:be:76:01:02:03"),
        ("192.168.1.20", "00:11:32:aa:bb:cc"),
    ]


def test_linux_recordings_and_gateway_vendor():
    gws = network.parse_proc_route((DATA / "linux/net/proc_net_route.txt").read_text())
    neigh = network.parse_proc_arp((DATA / "linux/net/proc_net_arp.txt").read_text())
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
