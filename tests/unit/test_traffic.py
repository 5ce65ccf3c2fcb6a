"""The capture analyzer, scrubbing and pcap reading, on packets built with scapy."""

import io
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

scapy_all = pytest.importorskip("scapy.all")
from scapy.all import DNS, DNSQR, IP, TCP, UDP, Ether, raw, wrpcap  # noqa: E402
from scapy.utils import PcapNgWriter  # noqa: E402

from checks import pcapfile  # noqa: E402
from checks.analyzer import Analyzer  # noqa: E402
from checks.model import Status  # noqa: E402
from checks.traffic import interpret  # noqa: E402
from tests.budget import examples  # noqa: E402

CLIENT, SERVER = "192.0.2.10", "198.51.100.25"


def smtp_session(sport=40000, dport=25, lines=(), server=SERVER):
    """A TCP connection whose sequence numbers count each side's bytes, as a real stack's do."""
    seq = {"c": 100, "s": 900}

    def segment(who: str, flags: str, data: bytes = b"") -> IP:
        src, dst, a, b = (
            (CLIENT, server, sport, dport) if who == "c" else (server, CLIENT, dport, sport)
        )
        pkt = IP(src=src, dst=dst) / TCP(sport=a, dport=b, flags=flags, seq=seq[who])
        seq[who] += len(data) + ("S" in flags)
        return pkt / data if data else pkt

    pkts = [segment("c", "S"), segment("s", "SA"), segment("c", "A")]
    pkts.append(segment("s", "PA", b"220 mx.example ESMTP\r\n"))
    for who, text in lines:
        pkts.append(segment(who, "PA", text))
    return pkts


def feed_all(pkts, scrub=True):
    a = Analyzer()
    out = [a.feed(1763600000.0 + i, raw(p), scrub=scrub) for i, p in enumerate(pkts)]
    return a, out


def test_counts_attempts_sessions_refusals_and_envelope():
    pkts = smtp_session(
        lines=[
            ("c", b"EHLO bot.invalid\r\n"),
            ("c", b"MAIL FROM:<sales@spam.example>\r\n"),
            ("c", b"RCPT TO:<alice@victim.example>\r\n"),
        ]
    )
    refused = [
        IP(src=CLIENT, dst="203.0.113.9") / TCP(sport=40001, dport=25, flags="S"),
        IP(src="203.0.113.9", dst=CLIENT) / TCP(sport=25, dport=40001, flags="RA"),
    ]
    a, _ = feed_all(pkts + refused)
    s = a.summary()
    assert (s["smtp_syn_total"], s["smtp_sessions_completed"], s["smtp_refused"]) == (2, 1, 1)
    assert s["ehlo_names"] == ["bot.invalid"]
    assert s["mail_from_domains"] == ["spam.example"] and s["rcpt_domains"] == ["victim.example"]
    assert {(d["ip"], d["port"]) for d in s["destinations"]} == {(SERVER, 25), ("203.0.113.9", 25)}


def test_scrubbing_keeps_verbs_and_domains_only():
    secret = b"AHRhcm8AaHVudGVyMg=="  # \0taro\0hunter2
    pkts = smtp_session(
        dport=587,
        lines=[
            ("c", b"EHLO laptop\r\n"),
            ("c", b"AUTH PLAIN " + secret + b"\r\n"),
            ("s", b"235 2.7.0 ok\r\n"),
            ("c", b"MAIL FROM:<taro@isp.example>\r\n"),
            ("c", b"RCPT TO:<hanako@friend.example>\r\n"),
            ("c", b"DATA\r\n"),
            ("s", b"354 go ahead\r\n"),
            ("c", b"Subject: x\r\n\r\nPRIVATE BODY\r\n.\r\n"),
            ("c", b"QUIT\r\n"),
        ],
    )
    _a, out = feed_all(pkts)
    kept = b"".join(o if o is not None else raw(p) for o, p in zip(out, pkts, strict=True))
    assert secret not in kept and b"hunter2" not in kept and b"PRIVATE BODY" not in kept
    assert b"RCPT TO:<******@friend.example>" in kept and b"MAIL FROM:<****@isp.example>" in kept
    assert b"EHLO laptop" in kept and b"QUIT" in kept
    assert b"hanako" not in kept


def test_mx_queries_are_counted():
    q = [
        IP(src=CLIENT, dst="192.0.2.53")
        / UDP(sport=50000 + i, dport=53)
        / DNS(rd=1, qd=DNSQR(qname=f"victim{i % 3}.example", qtype="MX"))
        for i in range(5)
    ]
    a_query = (
        IP(src=CLIENT, dst="192.0.2.53")
        / UDP(sport=50100, dport=53)
        / DNS(qd=DNSQR(qname="www.example", qtype="A"))
    )
    a, _ = feed_all([*q, a_query])
    s = a.summary()
    assert (s["mx_queries_total"], s["mx_distinct"], s["dns_queries_total"]) == (5, 3, 6)


def test_verdicts_without_attribution():
    a, _ = feed_all(smtp_session())
    smtp, mx = interpret(a.summary(), "linux", attributed=False, where="test.pcap")
    assert smtp.status == Status.FAIL  # port 25 from an unknown program
    assert mx.status == Status.PASS and "No program looked up" in mx.summary


def test_verdicts_with_a_known_client_on_587_pass():
    a, _ = feed_all(smtp_session(dport=587))
    key = next(iter(a.flows))
    owner = {
        "pid": 5,
        "name": "thunderbird",
        "exe": "/usr/lib/thunderbird/thunderbird",
        "exe_exists": True,
        "started": "x",
    }
    smtp, _mx = interpret(a.summary({key: owner}), "linux", attributed=True, where="x")
    assert smtp.status == Status.PASS


def write_pcap(pkts, ng=False, tmp=None):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / ("x.pcapng" if ng else "x.pcap")
    frames = [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / p for p in pkts]
    for i, f in enumerate(frames):
        f.time = 1763600000 + i
    if ng:
        w = PcapNgWriter(str(path))
        for f in frames:
            w.write(f)
        w.close()
    else:
        wrpcap(str(path), frames)
    return path.read_bytes()


@pytest.mark.parametrize("ng", [False, True])
def test_reader_reads_pcap_and_pcapng(ng):
    data = write_pcap(smtp_session(lines=[("c", b"EHLO x\r\n")]), ng=ng)
    reader = pcapfile.Reader(io.BytesIO(data))
    a = Analyzer()
    for ts, pkt in reader.packets():
        a.feed(ts, pkt)
    assert a.summary()["ehlo_names"] == ["x"] and not reader.warnings


@pytest.mark.parametrize("ng", [False, True])
def test_truncated_file_gives_what_it_has_and_a_warning(ng):
    data = write_pcap(smtp_session(lines=[("c", b"EHLO x\r\n")] * 20), ng=ng)
    reader = pcapfile.Reader(io.BytesIO(data[: len(data) - 30]))
    count = sum(1 for _ in reader.packets())
    assert 0 < count < 24
    assert any("truncated" in w for w in reader.warnings)


def test_not_a_capture_file():
    with pytest.raises(pcapfile.PcapError):
        list(pcapfile.Reader(io.BytesIO(b"hello world, not a pcap")).packets())


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=2000))
def test_garbage_files_never_crash(data):
    reader = pcapfile.Reader(io.BytesIO(data))
    a = Analyzer()
    try:
        for ts, pkt in reader.packets():
            a.feed(ts, pkt, scrub=True)
    except pcapfile.PcapError:
        pass
    a.summary()


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(min_size=20, max_size=400))
def test_garbage_packets_never_crash_the_analyzer(packet):
    a = Analyzer()
    a.feed(1.0, bytes([0x45]) + packet[1:], scrub=True)
    a.feed(2.0, bytes([0x60]) + packet[1:], scrub=True)
    a.summary()


def test_npcap_missing_on_windows_says_how_to_install(monkeypatch, tmp_path):
    from checks.probes import capture

    monkeypatch.setattr(capture.sys, "platform", "win32")
    monkeypatch.setenv("SystemRoot", str(tmp_path))
    assert capture.npcap_problem() == "Npcap is not installed"
    (tmp_path / "System32" / "Npcap").mkdir(parents=True)
    assert capture.npcap_problem() is None
    monkeypatch.setattr(capture.sys, "platform", "linux")
    assert capture.npcap_problem() is None


def test_split_frame_by_content():
    from checks.probes.capture import split_frame

    ip = raw(IP(src=CLIENT, dst=SERVER) / TCP(sport=1, dport=25, flags="S"))
    eth = b"\x02" * 12 + b"\x08\x00" + ip
    assert split_frame(eth)[0] == ip and split_frame(eth)[4] == 0x0800
    bsd_loopback = (2).to_bytes(4, "little") + ip
    assert split_frame(bsd_loopback)[0] == ip and split_frame(bsd_loopback)[2] == 772
    assert split_frame(ip)[0] == ip
    assert split_frame(b"\xff" * 10) is None


@given(st.binary(max_size=120))
def test_split_frame_never_crashes(frame):
    from checks.probes.capture import split_frame

    split_frame(frame)


@settings(max_examples=examples(400), deadline=None)
@given(
    st.sampled_from([6, 17, 1, 51, 47]),
    st.sampled_from([0, 0x4000, 0x2000, 1, 0x1FFF]),
    st.binary(max_size=40),
    st.integers(0, 60),
)
def test_the_ipv4_shortcut_reads_as_the_general_parser(proto, frag, rest, cut):
    from checks.packet import parse_any, parse_ip

    header = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(rest), 1, frag, 64, proto, 0, b"\1" * 4, b"\2" * 4
    )
    packet = (header + rest)[: 20 + len(rest) - cut] if cut < len(rest) else header + rest
    assert parse_ip(packet) == parse_any(packet)


def dns_question_before(payload: bytes):
    """checks.packet.dns_question as it was before issue 36 made it faster."""
    if len(payload) < 17:
        return None
    flags, qdcount = struct.unpack_from("!HH", payload, 2)
    if qdcount < 1:
        return None
    labels, i = [], 12
    while i < len(payload):
        n = payload[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0 or i + 1 + n > len(payload) or len(labels) > 64:
            return None
        labels.append(payload[i + 1 : i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 4 > len(payload):
        return None
    qtype = struct.unpack_from("!H", payload, i)[0]
    return bool(flags & 0x8000), ".".join(labels).lower(), qtype


@settings(max_examples=examples(400), deadline=None)
@given(
    st.binary(min_size=12, max_size=12),
    st.lists(st.binary(max_size=70), max_size=70),
    st.binary(max_size=8).map(lambda tail: b"\0" + tail) | st.binary(max_size=8),
)
def test_dns_question_reads_as_it_did(head, labels, tail):
    from checks.packet import dns_question

    payload = head + b"".join(bytes([len(x)]) + x for x in labels) + tail
    assert dns_question(payload) == dns_question_before(payload)


def public_before(addr: bytes) -> bool:
    """checks.analyzer._public as it was before issue 36 made it faster."""
    import ipaddress

    ip = ipaddress.ip_address(addr)
    if ip.version == 4 and ip in ipaddress.ip_network("100.64.0.0/10"):
        return False
    doc = any(
        ip in ipaddress.ip_network(n)
        for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
        if ip.version == ipaddress.ip_network(n).version
    )
    return doc or ip.is_global


EDGES = ["100.63.255.255", "100.64.0.0", "100.127.255.255", "100.128.0.0", "192.0.1.255"]
EDGES += ["192.0.2.0", "192.0.3.0", "198.51.100.7", "203.0.113.255", "203.0.114.0", "10.1.2.3"]
EDGES += ["192.0.0.9", "192.0.0.170", "255.255.255.255", "2001:db8::1", "2001:db9::", "fc00::1"]


@settings(max_examples=examples(500), deadline=None)
@given(st.binary(min_size=4, max_size=4) | st.binary(min_size=16, max_size=16))
def test_public_answers_as_it_did(addr):
    from checks.analyzer import _public

    assert _public.__wrapped__(addr) == public_before(addr)


@pytest.mark.parametrize("edge", EDGES)
def test_public_answers_as_it_did_at_the_edges_of_its_ranges(edge):
    import socket

    from checks.analyzer import _public

    raw = socket.inet_pton(socket.AF_INET6 if ":" in edge else socket.AF_INET, edge)
    assert _public.__wrapped__(raw) == public_before(raw)
