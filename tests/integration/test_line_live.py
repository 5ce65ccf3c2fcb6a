"""Blocklists against a real DNS server on loopback (dnslib), and the router's exposure against a
test host in a network namespace with listeners on 23 and 7547."""

import socket
import subprocess
import sys
import time

import pytest

from checks import blocklist, lan
from checks.model import Status
from checks.probes import network
from checks.probes.network import Neighbour, NetworkFacts
from tests.integration.conftest import make_namespace

pytestmark = pytest.mark.integration
LINE = "203.0.113.45"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dns(request):
    """A DNS server answering in one of four ways: xbl, pbl, refused, nxdomain-all."""
    from dnslib import QTYPE, RR, A
    from dnslib.server import BaseResolver, DNSServer

    mode = request.param

    class Resolver(BaseResolver):
        def resolve(self, req, handler):
            reply = req.reply()
            name = str(req.q.qname).rstrip(".")
            if mode == "nxdomain-all":
                reply.header.rcode = 3
                return reply
            if name.startswith("2.0.0.127."):
                answer = "127.0.0.2"
            elif name.startswith("45.113.0.203."):
                answer = {"xbl": "127.0.0.4", "pbl": "127.0.0.11", "refused": "127.255.255.254"}[
                    mode
                ]
                if "spamcop" in name:
                    answer = None  # SpamCop lists only reported senders
            else:
                answer = None
            if mode == "refused":
                answer = "127.255.255.254"
            if answer is None:
                reply.header.rcode = 3
            else:
                reply.add_answer(RR(req.q.qname, QTYPE.A, rdata=A(answer), ttl=60))
            return reply

    port = free_udp_port()
    server = DNSServer(Resolver(), port=port, address="127.0.0.1")
    server.start_thread()
    time.sleep(0.1)
    yield f"127.0.0.1:{port}"
    server.stop()


def run(server):
    return blocklist.interpret(LINE, blocklist.ask(LINE, blocklist.DEFAULT_ZONES, server))


@pytest.mark.parametrize("dns", ["xbl"], indirect=True)
def test_xbl_listed_is_a_problem(dns):
    r = run(dns)
    assert r.status == Status.FAIL and "infected" in r.summary
    spamhaus = next(z for z in r.facts["zones"] if z["zone"] == "zen.spamhaus.org")
    assert spamhaus["lists"] == ["XBL"]


@pytest.mark.parametrize("dns", ["pbl"], indirect=True)
def test_pbl_only_is_normal_for_a_home_line(dns):
    r = run(dns)
    assert r.status == Status.PASS and "PBL" in r.summary


@pytest.mark.parametrize("dns", ["refused"], indirect=True)
def test_refused_queries_are_unknown_never_not_listed(dns):
    r = run(dns)
    assert r.status == Status.UNKNOWN


@pytest.mark.parametrize("dns", ["nxdomain-all"], indirect=True)
def test_nxdomain_for_everything_is_unknown(dns):
    r = run(dns)
    assert r.status == Status.UNKNOWN
    assert all(not z["test_entry_ok"] for z in r.facts["zones"])


def test_cli_network_blocklist_through_the_given_dns_server():
    # Without the user's yes, nothing is asked.
    out = subprocess.run(
        [sys.executable, "main.py", "audit", "--only", "NET-BLOCKLIST", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert '"skipped"' in out.stdout


NS = "clearline-gw"


@pytest.fixture
def router_namespace():
    cleanup = make_namespace(NS, "clgw0", "clgw1", "10.231.7.2", "10.231.7.1")
    listeners = [
        subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                NS,
                sys.executable,
                "-c",
                f"import socket,time; s=socket.create_server(('10.231.7.1',{port})); time.sleep(60)",
            ]
        )
        for port in (23, 7547)
    ]
    try:
        time.sleep(0.8)
        yield "10.231.7.1"
    finally:
        for p in listeners:
            p.kill()
        cleanup()


def test_exposed_telnet_on_the_gateway(router_namespace):
    gw = router_namespace
    answers = network.probe_ports(gw, lan.GATEWAY_PORTS, timeout=1.0)
    assert answers[23] and answers[7547] and not answers[80]
    facts = NetworkFacts(
        gateways=[(gw, "clgw0")], neighbours=[Neighbour(gw, "f8:1a:67:12:34:56", "clgw0")]
    )
    r = lan.interpret_gateway(facts, answers)
    assert r.status == Status.FAIL and "telnet" in r.summary
    assert r.facts["open_ports"] == [23, 7547]


IGD_NS = "clearline-igd"


@pytest.fixture
def fake_igd():
    import json as _json

    from tests.integration.conftest import HERE

    cleanup = make_namespace(IGD_NS, "clig0", "clig1", "10.231.8.2", "10.231.8.1")
    subprocess.run(
        ["ip", "netns", "exec", IGD_NS, "ip", "route", "add", "224.0.0.0/4", "dev", "clig1"],
        check=True,
    )
    mappings = [
        [8080, "TCP", "10.231.8.2", 65000, "game"],  # to this PC, nothing listening on 65000
        [25, "TCP", "10.231.8.50", 25, "relay"],  # port 25 to another host: a spam relay
        [51413, "TCP", "10.231.8.60", 51413, "torrent"],  # to another LAN host
    ]
    proc = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            IGD_NS,
            sys.executable,
            str(HERE / "fake_igd.py"),
            "10.231.8.1",
            _json.dumps(mappings),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield "10.231.8.2"
    finally:
        proc.kill()
        cleanup()


def test_upnp_discovery_and_unexpected_mappings(fake_igd):
    from checks import upnp

    facts = upnp.discover(multicast_if=fake_igd, delay_ms=1500)
    assert not facts.get("problem"), facts
    assert facts["external_ip"] == "81.2.69.160"
    assert [(m["external_port"], m["client"]) for m in facts["mappings"]] == [
        (8080, "10.231.8.2"),
        (25, "10.231.8.50"),
        (51413, "10.231.8.60"),
    ]
    result = upnp.interpret(facts, {fake_igd}, listening=set())
    assert result.status == Status.FAIL
    reasons = {f["external_port"]: f["reason"] for f in result.facts["findings"]}
    assert reasons == {8080: "mail_or_proxy_port", 25: "mail_or_proxy_port", 51413: "other_host"}
    assert "port 25" in result.summary or "25" in result.summary


def test_upnp_mapping_explained_by_a_listener_is_fine():
    from checks import upnp

    facts = {
        "devices": 1,
        "igd": "x",
        "external_ip": "81.2.69.160",
        "mappings": [
            {
                "external_port": 40000,
                "protocol": "TCP",
                "client": "192.168.1.23",
                "internal_port": 40000,
                "description": "app",
                "enabled": True,
                "remote_host": "",
                "lease": 0,
            }
        ],
    }
    assert upnp.interpret(facts, {"192.168.1.23"}, {40000}).status == Status.PASS
    assert upnp.interpret(facts, {"192.168.1.23"}, set()).status == Status.WARN
    assert upnp.interpret({"problem": "none", "devices": 0}, set(), set()).status == Status.PASS
