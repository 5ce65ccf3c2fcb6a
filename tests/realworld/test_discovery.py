"""Discovery against the structures real devices sent (README.md, "Devices announcing
themselves"): each rebuilt byte by byte from a capture or a test packet nobody here wrote, and
checked against what tshark 4 read from the original."""

import struct

from checks import household
from checks.probes import discovery


def label_seq(name: str) -> bytes:
    return b"".join(bytes([len(p)]) + p for p in (x.encode() for x in name.split("."))) + b"\0"


def rr(owner: bytes, rtype: int, rdata: bytes, cls: int = 0x8001) -> bytes:
    """A record as mDNS responders write it: the cache-flush bit set in the class."""
    return owner + struct.pack(">HHIH", rtype, cls, 120, len(rdata)) + rdata


def message(*records: bytes, answers: int | None = None) -> bytes:
    n = len(records)
    return struct.pack(
        ">HHHHHH", 0, 0x8400, 0, answers or n, 0, 0 if answers is None else n - answers
    ) + b"".join(records)


def test_an_apple_announcement_with_a_compressed_nsec_and_a_curly_apostrophe():
    """ntop/nDPI tests/cfgs/default/pcap/telegram.pcap and iphone.pcap: Macs announce
    "Luca’s iMac" (U+2019, UTF-8 in the label) and compress NSEC's next name, which a strict DNS
    reader (dnspython: DecompressionForbidden) refuses — Clearline read nothing from them before.
    tshark: dns.ptr.domain_name "Luca’s iMac._companion-link._tcp.local"."""
    header = 12
    services = label_seq("_services._dns-sd._udp.local")
    link = label_seq("_companion-link._tcp.local")
    instance = bytes([len("Luca’s iMac".encode())]) + "Luca’s iMac".encode()
    link_at = header + len(services) + 10  # the PTR's rdata: _companion-link._tcp.local
    first = rr(services, 12, link, cls=1)
    pointer_to_link = struct.pack(">H", 0xC000 | link_at)
    second = rr(pointer_to_link, 12, instance + pointer_to_link, cls=1)
    instance_at = header + len(first) + len(pointer_to_link) + 10
    host = label_seq("Lucas-iMac.local")
    nsec = rr(
        struct.pack(">H", 0xC000 | instance_at),
        47,
        struct.pack(">H", 0xC000 | instance_at) + b"\x00\x04\x40\x00\x00\x08",
    )
    a = rr(host, 1, bytes([192, 168, 1, 77]))
    data = message(first, second, nsec, a)
    found = discovery.parse_mdns(data, "192.168.1.77")
    assert found.name == "Luca’s iMac"
    assert found.services == ["companion-link"]
    merged = household.merge([], [found])
    assert merged[0]["kind"] == "computer"


def test_a_host_named_only_by_its_reverse_pointer():
    """nDPI telegram.pcap (an iPad), zeek wlanmon.pcap (802.11, an iPad): the host's name comes
    in a reverse PTR ("75.1.168.192.in-addr.arpa PTR Gabrieles-iPad.local") beside A/AAAA."""
    reverse = rr(label_seq("75.1.168.192.in-addr.arpa"), 12, label_seq("Gabrieles-iPad.local"))
    found = discovery.parse_mdns(message(reverse), "192.168.1.75")
    assert found.name == "Gabrieles-iPad" and found.services == []
    assert household.kind_of([found.name]) == "phone"


def txt(*items: str) -> bytes:
    return b"".join(bytes([len(i.encode())]) + i.encode() for i in items)


def test_a_cast_device_names_itself_in_its_txt_record():
    """AOSP's mDNS tests (Johnny's Chromecast, a Google Home Max "Attic speaker") and snabb's
    Chromecast "Kibble": the instance label is a UUID-like ID; the name a person gave it is the
    TXT key fn=, its model md=. tshark: dns.txt "fn=Kibble", "md=Chromecast"."""
    cast = label_seq("_googlecast._tcp.local")
    instance = label_seq("Chromecast-848da59d8cb6459a9971434b1d588bae._googlecast._tcp.local")
    data = message(
        rr(cast, 12, instance, cls=1),
        rr(instance, 16, txt("id=848da59d", "md=Chromecast", "fn=Kibble", "ca=4101")),
    )
    found = discovery.parse_mdns(data, "192.168.1.40")
    assert (found.name, found.model, found.services) == ("Kibble", "Chromecast", ["googlecast"])
    assert household.kind_of([found.name, *found.services, found.model]) == "tv"


def test_a_corrupt_answer_is_left_out_not_a_crash():
    """python-zeroconf's test packet from a roborock vacuum (tshark: malformed): a record runs
    past the end of the message."""
    bad = message(rr(label_seq("roborock-vacuum-s5.local"), 1, b"\xc0\xa8"))[:-1] + b"\xff" * 3
    assert discovery.parse_mdns(bad[:40], "192.168.1.9") is None


def test_a_roku_answers_with_mixed_case_headers():
    """nDPI anyconnect-vpn.pcap: a Roku's SSDP answers write Location/Server/ST in mixed case.
    tshark: http.location http://10.0.0.151:8060/dial/dd.xml, http.server Roku UPnP/1.0
    Roku/9.1.0."""
    data = (
        b"HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nST: urn:dial-multiscreen-org:"
        b"service:dial:1\r\nUSN: uuid:29600009-5406-1005-8080-1234567890ab::urn:dial-multiscreen-"
        b"org:service:dial:1\r\nExt: \r\nServer: Roku UPnP/1.0 Roku/9.1.0\r\nLOCATION: "
        b"http://10.0.0.151:8060/dial/dd.xml\r\n\r\n"
    )
    found = discovery.parse_ssdp(data, "10.0.0.151")
    assert found.services == ["http://10.0.0.151:8060/dial/dd.xml"]
    assert found.server == "Roku UPnP/1.0 Roku/9.1.0"
    assert household.merge([], [found])[0]["kind"] == "tv"


def test_a_tv_description_with_undeclared_prefixes_still_names_the_tv():
    """A Samsung UE50NU7472's description (home-assistant's async_upnp_client fixtures) uses the
    prefixes pnpx: and df: without declaring them: not well-formed XML (tshark/xmllint refuse
    it). Its four plain elements are still read."""
    body = (
        b'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
        b"<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>"
        b"<pnpx:X_compatibleId>MS_DigitalMediaDeviceClass_DMR_V001</pnpx:X_compatibleId>"
        b"<df:X_deviceCategory>Display.TV.LCD Multimedia.DMR</df:X_deviceCategory>"
        b"<friendlyName>[TV] Samsung 7 Series (50)</friendlyName>"
        b"<manufacturer>Samsung Electronics</manufacturer><modelName>UE50NU7472</modelName>"
        b"</device></root>"
    )
    described = discovery.parse_description(body)
    assert described["friendlyName"] == "[TV] Samsung 7 Series (50)"
    assert described["manufacturer"] == "Samsung Electronics"
    assert household.kind_of(list(described.values())) == "tv"


def test_an_av_receiver_is_not_called_a_tv():
    """Yamaha R-N602 and Denon AVR-X1600H descriptions: MediaRenderer, but receivers."""
    for name, maker in (("R-N602 XXXXXX", "Yamaha Corporation"), ("Denon AVR-X1600H", "Denon")):
        words = [name, maker, "urn:schemas-upnp-org:device:MediaRenderer:1"]
        assert household.kind_of(words) == "speaker"


def test_a_routers_description_says_it_is_the_gateway():
    """Linksys WAG200G and Orange Livebox (Sagemcom) IGD descriptions."""
    words = ["LINKSYS WAG200G Gateway", "urn:schemas-upnp-org:device:InternetGatewayDevice:1"]
    assert household.kind_of(words) == "router"


def test_a_windows_server_answers_node_status_with_its_own_name_first():
    """zeek testing/btest/Traces (NBSTAT from a Windows Server): names WIN-I82B81NSLLJ<00>
    (unique), WORKGROUP<00> (group), WIN-I82B81NSLLJ<20>. tshark: nbns.node_name."""
    question = discovery.nbstat_query(0x4C01)[12:]
    names = [
        ("WIN-I82B81NSLLJ", 0x00, 0x0400),
        ("WORKGROUP", 0x00, 0x8400),
        ("WIN-I82B81NSLLJ", 0x20, 0x0400),
    ]
    body = (
        bytes([len(names)])
        + b"".join(n.ljust(15).encode() + bytes([s]) + struct.pack(">H", f) for n, s, f in names)
        + b"\x00\x0c\x29\x12\x34\x56"
        + b"\0" * 40
    )
    data = (
        struct.pack(">HHHHHH", 0x4C01, 0x8400, 0, 1, 0, 0)
        + question[:-4]
        + struct.pack(">HHIH", 0x21, 1, 0, len(body))
        + body
    )
    found = discovery.parse_nbstat(data, "172.31.112.17")
    assert found.name == "WIN-I82B81NSLLJ"
    assert household.kind_of([found.name]) == "computer"
