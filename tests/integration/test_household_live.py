"""Issue 34: discovery finds the devices of a household made of real responders in a network
namespace this test creates (mDNS, SSDP with a UPnP description over HTTP, NetBIOS), and
nothing is sent without the user's yes. Never run against the real home network."""

import json
import os
import subprocess
import sys

import pytest

from checks import lan
from checks.model import Status
from checks.probes import discovery
from checks.probes.network import Neighbour, NetworkFacts
from tests.integration.conftest import HERE, make_namespace

pytestmark = pytest.mark.integration
NS, HOST_IF, NS_IF = "clearline-home", "clho0", "clho1"
HERE_IP, LINK_IP = "10.231.9.2", "10.231.9.1"
DEVICES = [
    {"ip": "10.231.9.23", "mdns": ["Taro's iPhone", "companion-link"], "host": "Taros-iPhone"},
    {
        "ip": "10.231.9.40",
        "mdns": ["Living Room TV", "googlecast"],
        "upnp": {
            "deviceType": "urn:schemas-upnp-org:device:MediaRenderer:1",
            "friendlyName": "Living Room TV",
            "manufacturer": "Sony Corporation",
            "modelName": "BRAVIA KJ-43X8000H",
        },
    },
    {"ip": "10.231.9.60", "netbios": "KIDS-LAPTOP"},
    {
        "ip": "10.231.9.70",
        "upnp": {
            "deviceType": "urn:schemas-upnp-org:device:Printer:1",
            "friendlyName": "EPSON EW-M752T",
            "manufacturer": "EPSON",
            "modelName": "EW-M752T",
        },
    },
]


@pytest.fixture
def household(tmp_path):
    """The devices in namespace NS; this machine joined to them by a veth pair."""
    cleanup = make_namespace(NS, HOST_IF, NS_IF, HERE_IP, LINK_IP)
    log = tmp_path / "heard.log"
    log.touch()
    proc = _start_devices(log)
    try:
        yield HERE_IP, log
    finally:
        proc.kill()
        cleanup()


def _start_devices(log):
    for d in DEVICES:
        subprocess.run(
            ["ip", "netns", "exec", NS, "ip", "addr", "add", f"{d['ip']}/24", "dev", NS_IF],
            check=True,
        )
    subprocess.run(
        ["ip", "netns", "exec", NS, "ip", "route", "add", "224.0.0.0/4", "dev", NS_IF], check=True
    )
    proc = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            NS,
            sys.executable,
            str(HERE / "fake_household.py"),
            LINK_IP,
            json.dumps(DEVICES),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOUSEHOLD_LOG": str(log)},
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


PC_NS = "clearline-pc"


@pytest.fixture
def pc_in_the_household(tmp_path):
    """This PC as a namespace of its own whose only network is the household (default route
    to it): Clearline itself runs there, so whatever it sends can reach nothing else."""
    cleanup = make_namespace(NS, HOST_IF, NS_IF, HERE_IP, LINK_IP)

    def sh(*args):
        subprocess.run(args, check=True, capture_output=True)

    subprocess.run(["ip", "netns", "del", PC_NS], capture_output=True)
    sh("ip", "netns", "add", PC_NS)
    log = tmp_path / "heard.log"
    log.touch()
    proc = None
    try:
        # Move this machine's end of the link into the PC's namespace.
        sh("ip", "link", "set", HOST_IF, "netns", PC_NS)
        pc = ("ip", "netns", "exec", PC_NS)
        sh(*pc, "ip", "addr", "add", f"{HERE_IP}/24", "dev", HOST_IF)
        sh(*pc, "ip", "link", "set", HOST_IF, "up", "multicast", "on")
        sh(*pc, "ip", "link", "set", "lo", "up")
        sh(*pc, "ip", "route", "add", "default", "via", LINK_IP)
        proc = _start_devices(log)
        yield pc, log
    finally:
        if proc is not None:
            proc.kill()
        subprocess.run(["ip", "netns", "del", PC_NS], capture_output=True)
        cleanup()


def test_discovery_finds_every_device_by_what_it_announces(household):
    here, log = household
    found, problems = discovery.discover(here, [d["ip"] for d in DEVICES], wait_s=2.0)
    assert problems == []
    assert set(log.read_text().split()) >= {"mdns", "ssdp", "netbios"}  # the log hears queries
    by_ip = {}
    for a in found:
        by_ip.setdefault(a.ip, []).append(a)
    assert set(by_ip) == {d["ip"] for d in DEVICES}
    facts = NetworkFacts(
        addresses={HOST_IF: [HERE_IP]},
        gateways=[],
        neighbours=[Neighbour(d["ip"], None, HOST_IF) for d in DEVICES],
    )
    r = lan.interpret_devices(facts, found, problems)
    assert r.status == Status.WARN and r.params["n"] == 4
    devices = {d["ip"]: d for d in r.facts["devices"]}
    assert devices["10.231.9.23"]["name"] == "Taro's iPhone"
    assert devices["10.231.9.23"]["kind"] == "phone"
    assert devices["10.231.9.40"]["kind"] == "tv"
    assert devices["10.231.9.40"]["maker"] == "Sony Corporation"
    assert devices["10.231.9.60"]["name"] == "KIDS-LAPTOP"
    assert devices["10.231.9.70"]["kind"] == "printer"
    summary = r.words("en").summary
    assert "Taro's iPhone" in summary and "TV or streaming box" in summary


def test_the_audit_asks_the_household_only_after_the_users_yes(pc_in_the_household):
    """`audit --only NET-DEVICES` run on "this PC": without --network no device hears a thing;
    with it, the devices are named."""
    pc, log = pc_in_the_household
    command = [*pc, sys.executable, "main.py", "audit", "--only", "NET-DEVICES", "--json"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert out.returncode in (0, 1, 2), out.stderr
    assert json.loads(out.stdout)[0]["facts"]["discovery"] == "not_asked"
    assert log.read_text() == ""
    out = subprocess.run([*command, "--network"], capture_output=True, text=True, timeout=60)
    assert out.returncode in (0, 1, 2), out.stderr
    result = json.loads(out.stdout)[0]
    assert result["facts"]["discovery"] == "done"
    names = {d.get("name") for d in result["facts"]["devices"]}
    assert {"Taro's iPhone", "Living Room TV", "EPSON EW-M752T"} <= names
    heard = log.read_text().split()
    assert "mdns" in heard and "ssdp" in heard
