"""Issue 34: the household's devices by what they announce — parsing each protocol's answers,
naming the kind, merging with the neighbour table, and "new since the last check"."""

import struct

import dns.message
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks import household, lan
from checks.model import Status
from checks.probes import discovery
from checks.probes.network import Neighbour, NetworkFacts


def mdns_response(*records) -> bytes:
    message = dns.message.Message(id=0)
    message.flags = 0x8400
    for name, rdtype, *data in records:
        message.answer.append(dns.rrset.from_text(name, 120, dns.rdataclass.IN, rdtype, *data))
    return message.to_wire()


def test_an_mdns_answer_names_the_device_and_its_services():
    data = mdns_response(
        ("_services._dns-sd._udp.local.", "PTR", "_googlecast._tcp.local."),
        ("_googlecast._tcp.local.", "PTR", "Living\\032Room\\032TV._googlecast._tcp.local."),
        ("Living-Room-TV.local.", "A", "192.168.1.40"),
    )
    a = discovery.parse_mdns(data, "192.168.1.40")
    assert a.name == "Living Room TV" and a.services == ["googlecast"]
    assert household.kind_of([a.name, *a.services]) == "tv"


def test_an_mdns_answer_with_only_an_address_names_the_host():
    a = discovery.parse_mdns(mdns_response(("Taros-iPhone.local.", "A", "192.168.1.23")), "x")
    assert a.name == "Taros-iPhone"


@given(st.binary(max_size=600))
def test_no_bytes_from_the_network_crash_a_parser(data):
    for parse in (discovery.parse_mdns, discovery.parse_ssdp, discovery.parse_nbstat):
        parse(data, "192.168.1.9")
    discovery.parse_description(data)


def test_an_ssdp_answer_and_its_description():
    a = discovery.parse_ssdp(
        b"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://192.168.1.40:8008/"
        b"ssdp/device-desc.xml\r\nSERVER: Linux/3.8 UPnP/1.0 Sony-BDP/2.0\r\n"
        b"ST: urn:schemas-upnp-org:device:MediaRenderer:1\r\nUSN: uuid:x\r\n\r\n",
        "192.168.1.40",
    )
    assert a.services == ["http://192.168.1.40:8008/ssdp/device-desc.xml"]
    assert a.device_type == "urn:schemas-upnp-org:device:MediaRenderer:1"
    described = discovery.parse_description(
        b'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
        b"<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>"
        b"<friendlyName>KJ-43X8000H</friendlyName><manufacturer>Sony Corporation</manufacturer>"
        b"<modelName>BRAVIA 4K</modelName></device></root>"
    )
    assert described == {
        "deviceType": "urn:schemas-upnp-org:device:MediaRenderer:1",
        "friendlyName": "KJ-43X8000H",
        "manufacturer": "Sony Corporation",
        "modelName": "BRAVIA 4K",
    }


def test_a_description_with_entities_is_refused_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<root><friendlyName>&b;</friendlyName></root>"
    )
    assert discovery.parse_description(bomb) == {}


def nbstat_response(names: list[tuple[str, int, int]]) -> bytes:
    question = discovery.nbstat_query(7)[12:]
    body = bytes([len(names)]) + b"".join(
        n.ljust(15).encode("latin-1") + bytes([suffix]) + struct.pack(">H", flags)
        for n, suffix, flags in names
    )
    answer = question[:-4] + struct.pack(">HHIH", 0x21, 1, 0, len(body) + 46) + body + b"\0" * 46
    return struct.pack(">HHHHHH", 7, 0x8400, 0, 1, 0, 0) + answer


def test_a_netbios_answer_gives_the_machines_own_name_not_its_workgroup():
    data = nbstat_response([("WORKGROUP", 0, 0x8400), ("DESKTOP-7Q2KJ3M", 0, 0x0400)])
    assert discovery.parse_nbstat(data, "192.168.1.5").name == "DESKTOP-7Q2KJ3M"


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        (["Taro's iPhone", "companion-link"], "phone"),
        (["urn:schemas-upnp-org:device:InternetGatewayDevice:1"], "router"),
        (["EPSON1A2B3C", "ipp", "printer"], "printer"),
        (["DiskStation", "smb", "afpovertcp"], "nas"),
        (["AQUOS"], "tv"),
        (["something"], "unknown"),
    ],
)
def test_the_kind_comes_from_the_words_a_device_uses(words, kind):
    assert household.kind_of(words) == kind


def test_devices_merge_by_address_and_new_ones_are_marked():
    devices = [{"ip": "192.168.1.23", "mac": "3c:22:fb:00:00:01", "vendor": "Apple, Inc."}]
    found = [
        discovery.Announcement(
            "192.168.1.23", "mdns", name="Taro's iPhone", services=["companion-link"]
        ),
        discovery.Announcement("192.168.1.40", "ssdp", name="KJ-43X8000H", manufacturer="Sony"),
    ]
    merged = household.merge(devices, found)
    assert [(d["ip"], d["name"], d["kind"], d["maker"]) for d in merged] == [
        ("192.168.1.23", "Taro's iPhone", "phone", "Apple, Inc."),
        ("192.168.1.40", "KJ-43X8000H", "unknown", "Sony"),
    ]
    assert household.mark_new(merged, [devices[0]]) == 1
    assert [d["new"] for d in merged] == [False, True]


def test_net_devices_names_what_the_devices_announced():
    facts = NetworkFacts(
        addresses={"eth0": ["192.168.1.10"]},
        gateways=[("192.168.1.1", "eth0")],
        neighbours=[Neighbour("192.168.1.23", "3c:22:fb:00:00:01", "eth0")],
    )
    found = [
        discovery.Announcement(
            "192.168.1.23", "mdns", name="Taro's iPhone", services=["companion-link"]
        ),
        discovery.Announcement("192.168.1.1", "ssdp", name="router itself"),
        discovery.Announcement("192.168.1.10", "mdns", name="this PC"),
    ]
    r = lan.interpret_devices(facts, found)
    assert r.status == Status.WARN and r.params["n"] == 1
    assert "Taro's iPhone" in r.words("en").summary and "phone or tablet" in r.words("en").summary
    assert r.facts["discovery"] == "done"
    assert lan.interpret_devices(facts).facts["discovery"] == "not_asked"


def test_without_the_users_yes_discovery_sends_nothing(monkeypatch):
    from checks.context import CheckContext, Options

    def refuse(*args, **kwargs):
        raise AssertionError("discovery ran without consent")

    monkeypatch.setattr(discovery, "discover", refuse)
    monkeypatch.setattr(
        lan, "_facts", lambda ctx: NetworkFacts(neighbours=[Neighbour("192.168.1.23", None)])
    )
    r = lan.run_devices(CheckContext(Options(network=False)))
    assert r.facts["discovery"] == "not_asked"


def test_a_case_tells_which_devices_are_new_since_its_last_check(tmp_path):
    from app import flows
    from cases.store import Case

    case = Case(tmp_path / "c")
    phone = {"ip": "192.168.1.23", "mac": "3c:22:fb:00:00:01", "vendor": "Apple, Inc."}
    tv = {"ip": "192.168.1.40", "mac": "ac:9b:0a:00:00:02", "vendor": "Sony"}

    def devices_result(devices):
        facts = NetworkFacts(neighbours=[Neighbour(d["ip"], d["mac"]) for d in devices])
        return lan.interpret_devices(facts)

    case.add_results([flows._with_new_devices(devices_result([phone]), case)])
    second = flows._with_new_devices(devices_result([phone, tv]), case)
    assert second.reason == "devices_new" and second.params["new"] == 1
    assert "New since the last check: 1" in second.words("en").summary
    assert "192.168.1.40" in second.words("en").summary.split("New since")[0]
    assert [d["new"] for d in second.facts["devices"]] == [False, True]


def test_a_device_trickling_its_description_is_cut_off_at_the_deadline():
    """A hostile or broken device sends its description a few bytes at a time."""
    import socket
    import threading
    import time

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def trickle():
        conn, _addr = server.accept()
        conn.recv(1024)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<root>")
        while not stop.is_set():
            try:
                conn.sendall(b"x")
            except OSError:
                break
            time.sleep(0.05)
        conn.close()

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    original = discovery._private
    discovery._private = lambda ip: True  # loopback stands in for the device
    try:
        started = time.monotonic()
        described = discovery._description(f"http://127.0.0.1:{port}/d.xml", "127.0.0.1", 1.0)
        took = time.monotonic() - started
    finally:
        discovery._private = original
        stop.set()
        server.close()
    assert described == {} and took < 3.0


def test_the_router_is_named_by_the_model_it_announced():
    facts = NetworkFacts(
        gateways=[("192.168.10.1", "eth0")],
        neighbours=[Neighbour("192.168.10.1", "00:3a:9d:00:00:01", "eth0")],
    )
    said = [
        discovery.Announcement(
            "192.168.10.1", "ssdp", name="Aterm", manufacturer="NEC", model="WG2600HP3"
        )
    ]
    r = lan.interpret_gateway(facts, {23: True, 80: True}, said)
    assert r.status == Status.FAIL and r.facts["model"] == "NEC WG2600HP3"
    assert "NEC WG2600HP3" in r.words("en").summary
