"""The capture never passes mail it did not read (issue 27): a mail port decides whatever the
other port, tunnels and SMTP on other ports are mail, what could not be read is counted and
makes a clean capture `unknown`, reading stops at a limit and says so, and the words say what
was seen (inbound, local, refused, every port and host)."""

from __future__ import annotations

import struct

import pytest

from app import flows
from checks.analyzer import Analyzer
from checks.model import Status
from checks.traffic import interpret
from tests.platform import needs_fifo
from tests.traffic_golden import (
    MX,
    MX2,
    PC,
    A,
    P,
    R,
    S,
    conversation,
    dns,
    ip4,
    ip6,
    tcp,
    udp,
)

LAPTOP = "192.168.1.40"


def pcap(packets: list[bytes], linktype: int = 101) -> bytes:
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for i, p in enumerate(packets):
        out += struct.pack("<IIII", 1763600000 + i, 0, len(p), len(p)) + p
    return out


def analyze(tmp_path, data: bytes, name: str = "c.pcap"):
    path = tmp_path / name
    path.write_bytes(data)
    summary, results = flows.analyze_capture(None, path)
    return summary, {r.id: r for r in results}


def verdicts(packets, local=None, attributed=False):
    a = Analyzer(local)
    for i, p in enumerate(packets):
        a.feed(1763600000.0 + i, p)
    summary = a.summary(by_host=not attributed)
    return summary, {r.id: r for r in interpret(summary, "linux", attributed, "c.pcap")}


# --- a mail port decides ------------------------------------------------------------------------


def test_smtp_from_client_port_53_is_mail_not_dns():
    packets = conversation(PC, 53, MX, 25, [("s", b"220 mx\r\n"), ("c", b"EHLO bot\r\n")])
    summary, results = verdicts(packets)
    assert summary["smtp_syn_total"] == 1 and summary["ehlo_names"] == ["bot"]
    assert results["TRAFFIC-SMTP"].status == Status.FAIL
    assert summary["dns_queries_total"] == 0


def test_dns_is_kept_whole_only_when_it_reads_as_dns():
    a = Analyzer()
    query = ip4(PC, "192.168.1.1", 17, udp(5353, 53, dns("example.jp", 15)))
    assert a.feed(1.0, query, scrub=True) is None  # kept whole
    smuggled = ip4(PC, "192.168.1.1", 17, udp(5353, 53, b"AUTH PLAIN c2VjcmV0\r\n"))
    assert a.feed(2.0, smuggled, scrub=True) == smuggled[:28]
    two = b"\x00\x1d" + dns("example.jp", 1) + b"EHLO x\r\n"  # a message and something more
    assert (
        a.feed(3.0, ip4(PC, "192.168.1.1", 6, tcp(40000, 53, P | A, two)), scrub=True)[40:] == b""
    )


# --- tunnels and SMTP on other ports --------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_bytes", "kind", "target"),
    [
        (b"\x05\x01\x00\x01" + bytes([198, 51, 100, 7]) + struct.pack("!H", 25), "socks5", MX),
        (
            b"\x05\x01\x00\x03\x0emx.example.com" + struct.pack("!H", 587),
            "socks5",
            "mx.example.com",
        ),
        (
            b"\x04\x01" + struct.pack("!H", 25) + bytes([198, 51, 100, 7]) + b"user\x00",
            "socks4",
            MX,
        ),
        (
            b"CONNECT mx.example.com:25 HTTP/1.1\r\nHost: mx.example.com:25\r\n\r\n",
            "http_connect",
            "mx.example.com",
        ),
    ],
)
def test_a_proxy_asked_for_a_mail_port_is_mail_through_a_proxy(request_bytes, kind, target):
    packets = conversation(
        LAPTOP,
        40000,
        "203.0.113.9",
        1080,
        [("c", request_bytes), ("c", b"EHLO x\r\nAUTH PLAIN eA==\r\n")],
    )
    summary, results = verdicts(packets)
    (tunnel,) = summary["tunnels"]
    assert (tunnel["kind"], tunnel["target"], tunnel["proxy"]) == (kind, target, "203.0.113.9")
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.FAIL, "via_proxy")
    assert "203.0.113.9" in smtp.words("en").summary


def test_a_proxy_asked_for_a_web_port_is_no_mail():
    request = b"CONNECT www.example.com:443 HTTP/1.1\r\n\r\n"
    _summary, results = verdicts(conversation(LAPTOP, 40000, "203.0.113.9", 8080, [("c", request)]))
    assert results["TRAFFIC-SMTP"].status == Status.PASS


@pytest.mark.parametrize("port", [8025, 53], ids=["8025", "relay-on-dns-port"])
def test_smtp_on_a_port_that_is_no_mail_port_is_seen(port):
    """Port 53 too: a relay listening there got "no mail" (only DNS was looked for)."""
    packets = conversation(LAPTOP, 40000, "203.0.113.9", port, [("c", b"EHLO bot\r\n")])
    summary, results = verdicts(packets)
    assert summary["smtp_elsewhere"] == [
        {"client": LAPTOP, "server": "203.0.113.9", "port": port, "direction": "outbound"}
    ]
    assert results["TRAFFIC-SMTP"].reason == "smtp_other_port"


@pytest.mark.parametrize(
    ("client", "server", "answer"),
    [
        # A test mail server on a device at home, in a capture made elsewhere: as on port 25, a
        # question (the server may relay it on out of sight), never "disconnect this PC".
        (LAPTOP, "192.168.1.5", (Status.WARN, "local_only")),
        # A server at home greeted from outside on a port of its own: it takes mail.
        ("198.51.100.7", "192.168.1.5", (Status.WARN, "inbound")),
    ],
    ids=["at-home", "from-outside"],
)
def test_smtp_on_another_port_at_home_is_no_sending(client, server, answer):
    packets = conversation(client, 40000, server, 2526, [("c", b"EHLO x\r\n")])
    _summary, results = verdicts(packets)
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == answer
    assert smtp.advice_codes == (("check_mail_server",) if answer[1] == "inbound" else ())


def test_dns_over_tcp_on_port_53_is_not_mistaken_for_anything_else():
    query = dns("example.org", 15)
    packets = conversation(
        LAPTOP, 40001, "203.0.113.53", 53, [("c", len(query).to_bytes(2, "big") + query)]
    )
    summary, _results = verdicts(packets)
    assert summary["smtp_elsewhere"] == [] and summary["tunnels"] == []


def test_the_tunnel_request_and_the_smtp_inside_it_are_not_kept():
    a = Analyzer()
    for p in conversation(
        LAPTOP,
        40000,
        "203.0.113.9",
        1080,
        [("c", b"\x05\x01\x00"), ("c", b"AUTH PLAIN c2VjcmV0\r\n")],
    ):
        kept = a.feed(1.0, p, scrub=True)
        assert kept is not None and b"c2VjcmV0" not in kept


# --- nothing unread is silent -------------------------------------------------------------------


def test_a_first_fragment_too_short_for_its_ports_is_unread_and_makes_a_clean_capture_unknown():
    first = ip4(PC, MX, 6, b"\x9c\x40\x00\x19", frag=0x2000)  # more fragments, 4 bytes of TCP
    later = ip4(PC, MX, 6, bytes(16), frag=0x2000 | 1)
    summary, results = verdicts([first, later])
    assert summary["unread"] == {"fragment": 1, "short_fragment": 1}
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.UNKNOWN, "not_all_read")
    assert results["TRAFFIC-MX"].status == Status.UNKNOWN


def test_the_rest_of_a_fragmented_packet_whose_first_part_was_read_is_harmless():
    first = ip4(PC, "192.0.2.50", 17, udp(40000, 443, bytes(32)), frag=0x2000)
    later = ip4(PC, "192.0.2.50", 17, bytes(16), frag=0x2000 | 5)
    summary, results = verdicts([first, later])
    assert summary["unread"] == {}
    assert results["TRAFFIC-SMTP"].status == Status.PASS


def test_ipv6_with_an_authentication_header_and_a_fragment_then_options_is_read():
    v6, mx6 = "2001:db8::23", "2001:db8::7"
    ah = bytes([44, 4]) + bytes(22)  # next: fragment; (4 + 2) * 4 = 24 bytes
    fragment = bytes([60, 0]) + struct.pack("!HI", 0x0000, 9)  # first and only, next: options
    options = bytes([6, 0]) + bytes(6)  # next: TCP
    packet = ip6(v6, mx6, 51, ah + fragment + options + tcp(46000, 25, S))
    summary, results = verdicts([packet])
    assert summary["smtp_syn_total"] == 1
    assert results["TRAFFIC-SMTP"].status == Status.FAIL


def test_ipsec_esp_is_unread_and_named():
    esp = ip4(PC, "203.0.113.1", 50, bytes(40))
    summary, results = verdicts([esp])
    assert summary["unread"] == {"encrypted": 1}
    assert "encrypted IPsec" in results["TRAFFIC-SMTP"].words("en").summary


def test_a_capture_of_arp_frames_alone_is_unknown_not_a_pass(tmp_path):
    arp = bytes(12) + b"\x08\x06" + bytes(28)
    summary, results = analyze(tmp_path, pcap([arp] * 1000, linktype=1))
    assert summary["ip_packets"] == 0 and summary["frames"] == 1000
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.UNKNOWN, "nothing_readable")


def test_pcapng_packets_naming_an_interface_never_described_are_counted(tmp_path):
    def block(kind: int, body: bytes) -> bytes:
        body += bytes(-len(body) % 4)
        return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 101, 0, 65535))
    syn = ip4(PC, MX, 6, tcp(40000, 25, S))
    described = block(6, struct.pack("<IIIII", 0, 0, 1, len(syn), len(syn)) + syn)
    stray = block(6, struct.pack("<IIIII", 7, 0, 2, len(syn), len(syn)) + syn)
    summary, results = analyze(tmp_path, shb + idb + described + stray * 500, "c.pcapng")
    assert summary["frames"] == 501 and summary["frames_undecoded"] == 500
    assert results["TRAFFIC-SMTP"].status == Status.FAIL  # the one read still counts
    quiet = ip4(PC, "192.0.2.50", 6, tcp(40000, 443, S))
    one = block(6, struct.pack("<IIIII", 0, 0, 1, len(quiet), len(quiet)) + quiet)
    summary, results = analyze(tmp_path, shb + idb + one + stray * 500, "d.pcapng")
    assert results["TRAFFIC-SMTP"].status == Status.UNKNOWN  # mostly undecoded


def test_a_minority_of_undecoded_frames_is_no_all_clear(tmp_path):
    """500 SYNs to port 25 on an interface the file never described, among 600 readable quiet
    frames: a minority, and mail all the same (issue 27)."""

    def block(kind: int, body: bytes) -> bytes:
        body += bytes(-len(body) % 4)
        return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 101, 0, 65535))
    quiet = ip4(PC, "192.0.2.50", 6, tcp(40000, 443, S))
    syn = ip4(PC, MX, 6, tcp(40000, 25, S))
    read = block(6, struct.pack("<IIIII", 0, 0, 1, len(quiet), len(quiet)) + quiet)
    stray = block(6, struct.pack("<IIIII", 7, 0, 2, len(syn), len(syn)) + syn)
    summary, results = analyze(tmp_path, shb + idb + read * 600 + stray * 500, "c.pcapng")
    assert summary["frames_undecoded"] == 500
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.UNKNOWN, "some_undecoded_unknown")


def test_frames_that_are_not_ip_but_could_carry_it_are_unread_not_skipped(tmp_path):
    quiet = bytes(12) + b"\x08\x00" + ip4(PC, "192.0.2.50", 6, tcp(40000, 443, S))
    macsec = bytes(12) + b"\x88\xe5" + bytes(60)  # encrypted: what it carries is not known
    summary, results = analyze(tmp_path, pcap([quiet] * 10 + [macsec] * 1000, linktype=1))
    assert summary["unread"].get("not_ip") == 1000
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.UNKNOWN, "not_all_read")
    # What cannot carry IP (address resolution, link discovery, spanning tree) is no reason.
    arp = bytes(12) + b"\x08\x06" + bytes(28)
    lldp = bytes(12) + b"\x88\xcc" + bytes(30)
    stp = bytes(12) + b"\x00\x26" + b"\x42\x42\x03" + bytes(35)
    summary, results = analyze(tmp_path, pcap([quiet] * 10 + [arp, lldp, stp] * 100, linktype=1))
    assert not summary["unread"].get("not_ip")
    assert results["TRAFFIC-SMTP"].status == Status.PASS


def test_a_file_of_empty_records_stops_and_says_so(tmp_path):
    summary, results = analyze(tmp_path, pcap([b""] * 20_000))
    assert summary["frames"] == 10_000 and "empty records" in summary["read_limit"]
    assert results["TRAFFIC-SMTP"].status == Status.UNKNOWN


def test_reading_stops_at_the_record_limit_and_says_what_part_was_read(tmp_path, monkeypatch):
    from checks import pcapfile

    monkeypatch.setattr(pcapfile, "MAX_RECORDS", 100)
    quiet = ip4(PC, "192.0.2.50", 6, tcp(40000, 443, S))
    summary, results = analyze(tmp_path, pcap([quiet] * 500))
    assert summary["frames"] == 100 and summary["read_limit"] == "the first 100 packets"
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.UNKNOWN, "read_part")
    assert "the first 100 packets" in smtp.words("en").summary


@needs_fifo
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path):
    import os

    fifo = tmp_path / "fifo.pcap"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        with pytest.raises(OSError, match="not a file"):
            flows.analyze_capture(None, path)


# --- words that say what was seen ---------------------------------------------------------------


def test_inbound_mail_to_a_server_at_home_is_not_sending():
    packets = conversation("203.0.113.77", 40000, LAPTOP, 25, [("s", b"220 home\r\n")])
    _summary, results = verdicts(packets)
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.WARN, "inbound")
    assert "received 1 connection from outside" in smtp.words("en").summary


def test_a_program_talking_to_a_mail_server_on_this_pc_stays_on_the_line():
    local = {bytes([127, 0, 0, 1]), bytes([192, 168, 1, 23])}
    packets = conversation(PC, 40000, PC, 25, [("s", b"220 local\r\n")])
    _summary, results = verdicts(packets, local=local, attributed=True)
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.PASS, "local_only")
    assert "did not leave the line" in smtp.words("en").summary


def test_a_port_scan_names_refusals_and_every_mail_port():
    packets = []
    for i, port in enumerate((25, 465, 587, 2525)):
        packets += [
            ip4(LAPTOP, MX, 6, tcp(41000 + i, port, S)),
            ip4(MX, LAPTOP, 6, tcp(port, 41000 + i, R | A)),
        ]
    packets += [ip4(LAPTOP, MX2, 6, tcp(41010, 25, S))]  # never answered
    _summary, results = verdicts(packets)
    words = results["TRAFFIC-SMTP"].words("en").summary
    assert "1 refused and 1 did not answer" in words
    assert "mail ports 465, 587, 2525 (3 attempts)" in words


def test_every_sending_host_is_named():
    packets = conversation(LAPTOP, 40000, MX, 25, [("s", b"220 mx\r\n")])
    packets += conversation("192.168.1.41", 40001, MX2, 587, [("s", b"220 mx\r\n")])
    _summary, results = verdicts(packets)
    words = results["TRAFFIC-SMTP"].words("en").summary
    assert "192.168.1.40" in words and "192.168.1.41" in words


# --- link layers met in real captures (suricata-verify, zeek): mail behind unusual headers -----


@pytest.mark.parametrize(
    "wrap",
    [
        # MPLS: two labels, the second the bottom of the stack.
        lambda ip: bytes(12) + b"\x88\x47" + b"\x00\x01\x00\x40" + b"\x00\x02\x01\x40" + ip,
        # IEEE 802.1BR E-Tag (8 bytes) before the ethertype.
        lambda ip: bytes(12) + b"\x89\x3f" + bytes(6) + b"\x08\x00" + ip,
        # PPPoE with a one-byte PPP protocol field (0x21: IPv4).
        lambda ip: bytes(12) + b"\x88\x64" + b"\x11\x00\x00\x01\x00\x00" + b"\x21" + ip,
        # 802.3 with an 802.2 LLC/SNAP header (a length, AA AA 03, OUI 0, then the ethertype),
        # as tshark reads it.
        lambda ip: (
            bytes(12) + (len(ip) + 8).to_bytes(2, "big") + b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + ip
        ),
    ],
    ids=["mpls", "e-tag", "ppp-one-byte-protocol", "llc-snap"],
)
def test_mail_behind_unusual_link_headers_is_read(tmp_path, wrap):
    syn = ip4(PC, MX, 6, tcp(40000, 25, S))
    summary, results = analyze(tmp_path, pcap([wrap(syn)], linktype=1))
    assert summary["smtp_syn_total"] == 1
    assert results["TRAFFIC-SMTP"].status == Status.FAIL


def test_mail_between_two_devices_of_a_capture_made_elsewhere_is_a_question():
    packets = conversation(LAPTOP, 40000, "192.168.1.50", 25, [("s", b"220 nas\r\n")])
    _summary, results = verdicts(packets)
    smtp = results["TRAFFIC-SMTP"]
    assert (smtp.status, smtp.reason) == (Status.WARN, "local_only")


def test_the_reader_stops_at_its_time_limit_and_reports_progress_meanwhile(monkeypatch):
    """The time limit and the progress a terminal shows (issue 27): reading stops at the limit
    and says what part was read; before it, progress is reported with frames and bytes."""
    import io

    from checks import pcapfile

    quiet = ip4(PC, "192.0.2.50", 6, tcp(40000, 443, S))
    data = pcap([quiet] * 10_000, linktype=101)
    clock = iter(range(10**6))  # every look at the clock: one second later
    from types import SimpleNamespace

    # The reader's own clock only (not the test runner's).
    monkeypatch.setattr(pcapfile, "time", SimpleNamespace(monotonic=lambda: float(next(clock))))
    seen = []
    reader = pcapfile.Reader(
        io.BytesIO(data), max_seconds=2.5, progress=lambda f, b: seen.append((f, b))
    )
    read = sum(1 for _ in reader.packets())
    assert reader.limit == "8192 packets in the time allowed" and read < 10_000
    assert seen and seen[0][0] == 4096 and 0 < seen[0][1] < len(data)


def test_a_gap_never_filled_counts_the_connection_as_not_followed():
    """smtp-bdat-gap (Wireshark's test captures): a client segment is missing and never comes;
    what follows it is held, never read. The connection was not followed to its end, so its
    counts of messages are a floor, not a fact."""
    lines = [
        ("s", b"220 mx ESMTP\r\n"),
        ("c", b"EHLO pc\r\n"),
        ("s", b"250 CHUNKING\r\n"),
        ("c", b"MAIL FROM:<a@example.jp>\r\n"),
        ("s", b"250 OK\r\n"),
        ("c", b"BDAT 1100 LAST\r\n" + b"x" * 100),
        ("c", b"y" * 1000),  # the segment the capture lost
        ("s", b"250 OK\r\n"),
        ("c", b"QUIT\r\n"),
    ]
    packets = conversation(PC, 40001, MX, 25, lines)
    del packets[9]  # the lost segment (3 handshake + 6 before it)
    summary, _ = verdicts(packets)
    assert summary["flows_not_followed"] == 1
    whole, _ = verdicts(conversation(PC, 40001, MX, 25, lines))
    assert whole["flows_not_followed"] == 0
