"""`analyze` with libpcap's filter in front (issue 36) answers exactly what the Python reader
answers: the whole summary and both verdicts, for every capture the tests build (the golden
scenarios of tests/traffic_golden.py, whose answers are in tests/data/golden/traffic, and the
structures of the real-capture tests), in every link layer the filter reads, and for random
mixes of mail, DNS and other packets. What the filter cannot promise goes back to the Python
reader, which is tested here too; and the analyser's shortcut for plain IPv4 mail and DNS
packets reads them as its general path does."""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import flows
from checks import pcapfile, prefilter
from checks.analyzer import Analyzer
from tests import traffic_golden as G
from tests.budget import examples

needs_libpcap = pytest.mark.skipif(
    prefilter.libpcap() is None, reason="libpcap is not installed (tools/system-deps.sh)"
)
MAC = bytes.fromhex("020000000002020000000001")
T0 = 1763600000


def frame(linktype: int, ip: bytes) -> bytes:
    """``ip`` in a frame of the link type, as a capture of that link writes it."""
    v6 = bool(ip[:1]) and ip[0] >> 4 == 6
    if linktype == 1:
        return MAC + (b"\x86\xdd" if v6 else b"\x08\x00") + ip
    if linktype == 113:
        return struct.pack(">HHH8sH", 0, 1, 6, MAC[:8], 0x86DD if v6 else 0x0800) + ip
    if linktype == 276:
        return struct.pack(">HHIHBB8s", 0x86DD if v6 else 0x0800, 0, 2, 1, 4, 6, MAC[:8]) + ip
    if linktype in (0, 108):
        return struct.pack("<I", 30 if v6 else 2) + ip
    if linktype == 9:
        return b"\xff\x03" + (b"\x00\x57" if v6 else b"\x00\x21") + ip
    return ip


def pcap(frames: list[bytes], linktype: int = 1, times=None, **form) -> bytes:
    """A classic pcap file. ``form``: endian ("<" or ">"), nano, snaplen, version."""
    endian, nano = form.get("endian", "<"), form.get("nano", False)
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    major, minor = form.get("version", (2, 4))
    out = [
        struct.pack(
            endian + "IHHiIII", magic, major, minor, 0, 0, form.get("snaplen", 262144), linktype
        )
    ]
    for i, f in enumerate(frames):
        ts = times[i] if times else T0 + i * 0.25
        sec, frac = int(ts), round((ts % 1) * (1e9 if nano else 1e6))
        caplen = form.get("caplen", len(f))
        out.append(struct.pack(endian + "IIII", sec, frac, min(caplen, len(f)), len(f)))
        out.append(f[:caplen])
    return b"".join(out)


def boring(i: int) -> list[bytes]:
    """Web traffic the analyser only counts: HTTPS both ways, QUIC, ICMP, IPv6 HTTPS."""
    return [
        G.ip4(G.PC, "203.0.113.10", 6, G.tcp(50000 + i, 443, G.A, b"\x17\x03\x03data")),
        G.ip4("203.0.113.10", G.PC, 6, G.tcp(443, 50000 + i, G.A)),
        G.ip4(G.PC, "203.0.113.11", 17, G.udp(51000 + i, 443, b"\x40quic")),
        G.ip4(G.PC, G.ROUTER, 1, b"\x08\x00\x00\x00\x00\x01\x00\x01ping"),
        G.ip6("2001:db8::23", "2001:db8::10", 6, G.tcp(52000 + i, 443, G.P | G.A, b"\x17tls")),
    ]


def mixed(packets: list[bytes]) -> list[bytes]:
    """The scenario's packets with boring ones between them."""
    out = []
    for i, p in enumerate(packets):
        out += [*boring(i)[: i % 5 + 1], p]
    return out


def read_both(path) -> tuple:
    """(what the filter path counted and summed, what the Python reader did, filter used?)"""
    fast = Analyzer()
    with open(path, "rb") as fp:
        counts = prefilter.feed_file(path, fp, fast)
    slow = Analyzer()
    with open(path, "rb") as fp:
        reader = pcapfile.Reader(fp)
        for ts, packet in reader.packets():
            slow.feed(ts, packet)
    keys = ("frames", "skipped", "undecoded", "undecoded_linktypes", "warnings", "limit")
    want = (({k: getattr(reader, k) for k in keys}), slow.summary(by_host=True))
    if counts is None:  # analyze then reads the file in Python: the same answer by definition
        return want, want, False
    return ({k: getattr(counts, k) for k in keys}, fast.summary(by_host=True)), want, True


def analyze_both(tmp_path, data: bytes, monkeypatch) -> tuple[dict, dict]:
    """`analyze`'s full answer, with the filter and without it."""
    path = tmp_path / "c.pcap"
    path.write_bytes(data)

    def answer():
        summary, results = flows.analyze_capture(None, path)
        return {"summary": summary, "results": [strip_time(r.to_dict()) for r in results]}

    with_filter = answer()
    with monkeypatch.context() as m:
        m.setattr(prefilter, "feed_file", lambda *a, **k: None)
        without = answer()
    return with_filter, without


def strip_time(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in ("started_at", "duration_ms")}


LINKTYPES = [1, 101, 113, 276, 0, 108, 9, 228]


@needs_libpcap
@pytest.mark.parametrize("linktype", LINKTYPES)
@pytest.mark.parametrize("name", sorted(G.SCENARIOS))
def test_every_golden_scenario_reads_the_same_through_the_filter(tmp_path, name, linktype):
    packets = mixed(G.SCENARIOS[name]()["packets"])
    path = tmp_path / "c.pcap"
    path.write_bytes(pcap([frame(linktype, p) for p in packets], linktype))
    fast, slow, used = read_both(path)
    assert fast == slow
    assert used  # complete records, even too short for their headers, are read in C


@needs_libpcap
@pytest.mark.parametrize("name", sorted(G.SCENARIOS))
def test_analyze_gives_the_same_summary_and_verdicts(tmp_path, monkeypatch, name):
    packets = mixed(G.SCENARIOS[name]()["packets"])
    with_filter, without = analyze_both(tmp_path, pcap([frame(1, p) for p in packets]), monkeypatch)
    assert with_filter == without


@needs_libpcap
@pytest.mark.parametrize(
    "form",
    [
        {"endian": ">"},
        {"nano": True},
        {"endian": ">", "nano": True},
        {"snaplen": 65535},
        {"snaplen": 0},
    ],
    ids=["big-endian", "nanoseconds", "big-endian-nanoseconds", "snaplen-65535", "snaplen-0"],
)
def test_file_forms_libpcap_reads_as_pcapfile_does(tmp_path, form):
    packets = mixed(G.SCENARIOS["bot_direct"]()["packets"])
    times = [T0 + (i * 7919 % 1000) / 997 for i in range(len(packets))]  # out of order
    path = tmp_path / "c.pcap"
    path.write_bytes(pcap([frame(1, p) for p in packets], 1, times, **form))
    fast, slow, used = read_both(path)
    assert fast == slow and used


def test_realworld_structures_read_the_same(tmp_path, monkeypatch):
    pytest.importorskip("scapy.all")
    from tests.realworld import test_captures as R

    lines = [("c", b"EHLO bot\r\n"), ("s", b"250 mx\r\n"), ("c", b"MAIL FROM:<a@b.example>\r\n")]
    packets = R.session(lines) + R.session(lines[:1], sport=40002, handshake=False)
    data = R.pcap(mixed(packets), times=None, pad=True)
    with_filter, without = analyze_both(tmp_path, data, monkeypatch)
    assert with_filter == without
    assert with_filter["summary"]["ehlo_names"] == ["bot"]


@needs_libpcap
def test_the_filter_passes_what_the_analyser_reads_on_other_ports():
    """A tunnel request or an EHLO on a port that is no mail port, DNS, IP fragments, IPsec,
    encapsulations and IPv6 extension headers all reach the analyser (they are not B)."""
    lib = prefilter.libpcap()
    program = prefilter.Program(prefilter.assemble(1))
    hop = bytes([6, 0]) + bytes(6)
    read = {
        "socks5": G.ip4(G.PC, "192.0.2.9", 6, G.tcp(40000, 1080, G.P | G.A, b"\x05\x01\x00\x01")),
        "socks4": G.ip4(G.PC, "192.0.2.9", 6, G.tcp(40000, 9050, G.P | G.A, b"\x04\x01\x00\x19")),
        "connect": G.ip4(G.PC, "192.0.2.9", 6, G.tcp(40000, 8080, G.P, b"CONNECT mx:25 HTTP/1.1")),
        "ehlo": G.ip4(G.PC, "192.0.2.9", 6, G.tcp(40000, 8025, G.P, b"ehlo x\r\n")),
        "smtp from port 53": G.ip4(G.PC, G.MX, 6, G.tcp(53, 25, G.S)),
        "smtp to any port": G.ip4(G.MX, G.PC, 6, G.tcp(25, 41000, G.A)),
        "dns udp": G.ip4(G.PC, G.ROUTER, 17, G.udp(5353, 53, b"")),
        "dns query": G.ip4(G.PC, G.ROUTER, 17, G.udp(5353, 53, G.dns("x.example", 15))),
        "dns query from 53": G.ip4(G.PC, G.ROUTER, 17, G.udp(53, 53, G.dns("x.example", 1))),
        "dns tcp": G.ip4(G.ROUTER, G.PC, 6, G.tcp(53, 41000, G.A)),
        "first fragment": G.ip4(G.PC, G.MX, 6, G.tcp(40000, 443, G.S), frag=0x2000),
        "later fragment": G.ip4(G.PC, G.MX, 6, G.tcp(40000, 443, G.S), frag=5),
        "esp": G.ip4(G.PC, G.MX, 50, bytes(24)),
        "ah": G.ip4(G.PC, G.MX, 51, bytes(24)),
        "gre": G.ip4(G.PC, G.MX, 47, b"\x00\x00\x08\x00" + G.ip4(G.PC, G.MX, 6, G.tcp(1, 25, 2))),
        "ip in ip": G.ip4(G.PC, G.MX, 4, G.ip4(G.PC, G.MX, 6, G.tcp(1, 25, G.S))),
        "6in4": G.ip4(G.PC, G.MX, 41, G.ip6("2001:db8::1", "2001:db8::2", 6, G.tcp(1, 25, 2))),
        "ipv6 hop-by-hop": G.ip6("2001:db8::1", "2001:db8::2", 0, hop + G.tcp(1, 443, G.S)),
        "ipv6 fragment": G.ip6("2001:db8::1", "2001:db8::2", 44, bytes([6, 0, 0, 1]) + bytes(4)),
        "ip header only": G.ip4(G.PC, G.MX, 6, b"")[:20],
        "tcp cut short": G.ip4(G.PC, G.MX, 6, G.tcp(40000, 443, G.A))[:35],
        "ip options": b"\x46" + G.ip4(G.PC, G.MX, 6, G.tcp(1, 25, G.S))[1:],
    }
    accepted = [name for name, ip in read.items() if offline_filter(lib, program, frame(1, ip))]
    assert accepted == []


@needs_libpcap
def test_the_filter_skips_what_the_analyser_only_counts():
    """Without this the filter would be right and useless: the web, QUIC, ICMP, IPv6 and DNS
    answers a home line carries are B."""
    lib = prefilter.libpcap()
    program = prefilter.Program(prefilter.assemble(1))
    options = b"\x46" + G.ip4(G.PC, "203.0.113.10", 6, bytes(4) + G.tcp(50000, 443, G.A))[1:]
    skipped = {
        "https ack": boring(0)[1],
        "https data": boring(0)[0],
        "quic": boring(0)[2],
        "icmp": boring(0)[3],
        "ipv6 https": boring(0)[4],
        "dns answer": G.ip4(G.ROUTER, G.PC, 17, G.udp(53, 5353, G.dns("x.example", 15, True))),
        "ip options": options,
        "http request": G.ip4(G.PC, "203.0.113.10", 6, G.tcp(50000, 80, G.P, b"GET / HTTP/1.1")),
    }
    passed = [
        name for name, ip in skipped.items() if not offline_filter(lib, program, frame(1, ip))
    ]
    assert passed == []


def offline_filter(lib, program, data: bytes, caplen: int | None = None) -> bool:
    """libpcap's own BPF machine (the one pcap_dispatch runs) on one frame."""
    caplen = len(data) if caplen is None else caplen
    header = prefilter._Header(0, 0, caplen, len(data))
    return bool(lib.pcap.pcap_offline_filter(program.program, header, data[:caplen]))


# A packet the analyser only counts leaves it as it was, but for four counters.
def only_counted(ip: bytes) -> bool:
    a = Analyzer()
    a.feed(T0, ip)
    untouched = Analyzer()
    for name, value in vars(untouched).items():
        if name in ("packets", "ip_packets", "first", "last"):
            continue
        if getattr(a, name) != value:
            return False
    return a.packets == a.ip_packets == 1


PORTS = st.sampled_from([25, 465, 587, 2525, 53, 80, 443, 1080, 8080, 5353, 40000])
FIRST = st.sampled_from([b"", b"\x04", b"\x05", b"C", b"c", b"E", b"H", b"e", b"h", b"\x16", b"G"])


@st.composite
def packets(draw) -> bytes:
    """IP packets near every edge the filter decides on."""
    v6 = draw(st.booleans())
    proto = draw(st.sampled_from([6, 6, 6, 17, 17, 1, 58, 50, 51, 47, 4, 41, 0, 44]))
    sport, dport = draw(PORTS), draw(PORTS)
    if proto == 6:
        data_offset = draw(st.sampled_from([5, 5, 5, 8, 4, 2]))
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, data_offset << 4, 0x18, 1, 0, 0)
        l4 += bytes(4 * max(0, data_offset - 5)) + draw(FIRST) + draw(st.binary(max_size=12))
    elif proto == 17:
        l4 = G.udp(sport, dport, draw(st.binary(max_size=20)))
    else:
        l4 = draw(st.binary(max_size=40))
    if v6:
        ip = G.ip6("2001:db8::1", "2001:db8::2", proto, l4)
    else:
        ihl = draw(st.sampled_from([5, 5, 5, 6, 4]))
        frag = draw(st.sampled_from([0, 0, 0, 0x4000, 0x2000, 3]))
        ip = G.ip4(G.PC, G.MX, proto, bytes(4 * max(0, ihl - 5)) + l4, frag=frag)
        ip = bytes([0x40 | ihl]) + ip[1:]
    length_change = draw(st.sampled_from([0, 0, 0, -1, 1, -8, 30]))
    at = 4 if v6 else 2
    value = max(0, min(0xFFFF, struct.unpack_from("!H", ip, at)[0] + length_change))
    ip = ip[:at] + struct.pack("!H", value) + ip[at + 2 :]
    return ip[: draw(st.integers(0, len(ip)))] if draw(st.integers(0, 9)) == 0 else ip


@needs_libpcap
@settings(max_examples=examples(600), deadline=None)
@given(packets(), st.sampled_from(LINKTYPES), st.integers(0, 80))
def test_what_b_accepts_the_analyser_only_counts(ip, linktype, cut):
    """The filter's soundness, packet by packet: B never accepts a packet the analyser reads."""
    lib = prefilter.libpcap()
    boring = prefilter.Program(prefilter.assemble(linktype))
    other = prefilter.Program(prefilter.assemble(linktype, boring=False))
    data = frame(linktype, ip)
    for caplen in (len(data), max(0, len(data) - cut)):
        if offline_filter(lib, boring, data, caplen):
            captured = pcapfile.strip_link(linktype, data[:caplen])
            assert captured is not None and only_counted(captured)
            assert not offline_filter(lib, other, data, caplen)  # N is B's complement
        elif caplen == len(data):  # a complete record is never rejected by both
            assert offline_filter(lib, other, data, caplen)


MIX = st.one_of(
    packets(),
    st.builds(lambda i: boring(i)[i % 5], st.integers(0, 99)),
    st.builds(
        lambda lines, port: G.conversation(G.PC, 40000, G.MX, port, lines)[-1],
        st.lists(st.tuples(st.sampled_from("cs"), st.sampled_from([b"EHLO x\r\n", b"250 ok\r\n"]))),
        st.sampled_from([25, 587]),
    ),
    st.builds(lambda n: G.ip4(G.PC, G.ROUTER, 17, G.udp(n, 53, G.dns(f"d{n}.example", 15))), PORTS),
)


@needs_libpcap
@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(MIX, max_size=40),
    st.sampled_from(LINKTYPES),
    st.lists(st.floats(0, 5000, allow_nan=False), min_size=40, max_size=40),
    st.booleans(),
)
def test_random_mixes_give_the_same_summary(tmp_path, mix, linktype, offsets, arp):
    frames = [frame(linktype, ip) for ip in mix]
    if arp and linktype == 1:
        frames.insert(len(frames) // 2, MAC + b"\x08\x06" + bytes(28))
    path = tmp_path / "mix.pcap"
    path.write_bytes(pcap(frames, linktype, [T0 + o for o in offsets]))
    fast, slow, used = read_both(path)
    assert fast == slow
    # A mix of complete records is read through the filter (an empty one is damage: pcapfile
    # counts runs of them, so the Python reader reads that file).
    assert used or b"" in frames


def test_without_libpcap_the_python_reader_reads_it(tmp_path, monkeypatch):
    monkeypatch.setattr(prefilter, "_LIB", [None])
    packets = mixed(G.SCENARIOS["bot_direct"]()["packets"])
    path = tmp_path / "c.pcap"
    path.write_bytes(pcap([frame(1, p) for p in packets]))
    with open(path, "rb") as fp:
        assert prefilter.feed_file(path, fp, Analyzer()) is None
    summary, results = flows.analyze_capture(None, path)
    assert summary["smtp_syn_total"] == 4 and summary["frames"] == len(packets)
    assert {r.id for r in results} == {"TRAFFIC-SMTP", "TRAFFIC-MX"}


@needs_libpcap
@pytest.mark.parametrize(
    "case",
    [
        "pcapng",
        "truncated",
        "cut by snaplen",
        "cut to the snap length",
        "version 2.2",
        "link 127",
        "empty records",
    ],
)
def test_what_the_filter_cannot_promise_goes_to_the_python_reader(tmp_path, monkeypatch, case):
    packets = [frame(1, p) for p in mixed(G.SCENARIOS["bot_direct"]()["packets"])]
    data = {
        "pcapng": lambda: pcapng(packets),
        "truncated": lambda: pcap(packets)[:-7],
        "cut by snaplen": lambda: pcap(packets, caplen=40),  # headers beyond the record
        "cut to the snap length": lambda: pcap(packets, snaplen=60),
        "version 2.2": lambda: pcap(packets, version=(2, 2)),
        "link 127": lambda: pcap([bytes(26) + p for p in packets], 127),
        # pcapfile stops after a run of empty records, which B's records would break
        "empty records": lambda: pcap([b""] * 6000 + packets[:3] + [b""] * 6000 + packets),
    }[case]()
    path = tmp_path / "c.pcap"
    path.write_bytes(data)
    with open(path, "rb") as fp:
        assert prefilter.feed_file(path, fp, Analyzer()) is None
    with_filter, without = analyze_both(tmp_path, data, monkeypatch)
    assert with_filter == without


def pcapng(frames: list[bytes]) -> bytes:
    out = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    out += struct.pack("<IIHHI", 1, 20, 1, 0, 65535) + struct.pack("<I", 20)
    for f in frames:
        pad = (-len(f)) % 4
        length = 32 + len(f) + pad
        out += struct.pack("<IIIIIII", 6, length, 0, 0, 1, len(f), len(f)) + f + bytes(pad)
        out += struct.pack("<I", length)
    return out


@needs_libpcap
def test_a_libpcap_failure_midway_goes_to_the_python_reader(tmp_path, monkeypatch):
    packets = [frame(1, p) for p in mixed(G.SCENARIOS["bot_direct"]()["packets"])]
    path = tmp_path / "c.pcap"
    path.write_bytes(pcap(packets))

    def broken(*args):
        raise OSError(0, "no filter today")

    monkeypatch.setattr(prefilter, "assemble", broken)
    with open(path, "rb") as fp:
        assert prefilter.feed_file(path, fp, Analyzer()) is None
    summary, _results = flows.analyze_capture(None, path)
    assert summary["frames"] == len(packets) and summary["smtp_syn_total"] == 4


@needs_libpcap
def test_the_record_limit_goes_to_the_python_reader_which_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(pcapfile, "MAX_RECORDS", 50)
    packets = [frame(1, p) for p in mixed(G.SCENARIOS["bot_direct"]()["packets"])]
    summary, _results = flows.analyze_capture(None, write(tmp_path, pcap(packets)))
    assert summary["read_limit"] == "the first 50 packets" and summary["frames"] == 50


def write(tmp_path, data: bytes):
    path = tmp_path / "c.pcap"
    path.write_bytes(data)
    return path


def feed_generally(analyzer: Analyzer, ts: float, packet: bytes, scrub: bool):
    """Analyzer.feed without its shortcut for plain IPv4 mail and DNS packets."""
    analyzer.packets += 1
    if analyzer.first is None or ts < analyzer.first:
        analyzer.first = ts
    if analyzer.last is None or ts > analyzer.last:
        analyzer.last = ts
    return analyzer._feed(ts, packet, scrub, 0)


def state(analyzer: Analyzer) -> dict:
    out = {k: v for k, v in vars(analyzer).items() if k != "flows"}
    out["flows"] = {
        key: (
            [getattr(flow, name) for name in flow.__slots__ if name != "session"],
            [getattr(flow.session, name) for name in flow.session.__slots__],
        )
        for key, flow in analyzer.flows.items()
    }
    return out


CONVERSATION = st.builds(
    lambda lines, port, handshake: G.conversation(G.PC, 40000, G.MX, port, lines, handshake),
    st.lists(
        st.tuples(
            st.sampled_from("cs"),
            st.sampled_from([b"EHLO x\r\n", b"250 ok\r\n", b"DATA\r\n", b"354 go\r\n", b".\r\n"]),
        ),
        max_size=8,
    ),
    st.sampled_from([25, 587, 465]),
    st.booleans(),
)


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(st.one_of(MIX, CONVERSATION.map(tuple)), max_size=12),
    st.lists(st.binary(max_size=12), min_size=12, max_size=12),
    st.booleans(),
)
def test_the_analysers_shortcut_reads_as_its_general_path(items, pads, scrub):
    packets = [p for item in items for p in (item if isinstance(item, tuple) else (item,))]
    fast, general = Analyzer(), Analyzer()
    for i, packet in enumerate(packets):
        packet += pads[i % len(pads)]  # a frame's padding after the IP packet, or none
        ts = T0 + (i * 37 % 11)
        assert fast.feed(ts, packet, scrub) == feed_generally(general, ts, packet, scrub)
    assert state(fast) == state(general)


@needs_libpcap
def test_an_error_in_the_analyser_stops_every_reader(tmp_path):
    import threading

    class Broken(Analyzer):
        def feed(self, ts, packet, scrub=False):
            if self.packets > 20:
                raise RuntimeError("a bug")
            return super().feed(ts, packet, scrub)

    packets = [frame(1, p) for p in mixed(G.SCENARIOS["bot_direct"]()["packets"])] * 300
    path = write(tmp_path, pcap(packets))
    before = threading.active_count()
    with open(path, "rb") as fp, pytest.raises(RuntimeError):
        prefilter.feed_file(path, fp, Broken())
    assert threading.active_count() == before  # every thread joined: nothing left reading


@needs_libpcap
def test_a_failure_counting_b_gives_up_without_hanging(tmp_path, monkeypatch):
    def broken(*args):
        raise ValueError("cannot count")

    monkeypatch.setattr(prefilter, "_boring_times", broken)
    packets = [frame(1, p) for p in mixed(G.SCENARIOS["bot_direct"]()["packets"])] * 300
    path = write(tmp_path, pcap(packets))
    with open(path, "rb") as fp:
        assert prefilter.feed_file(path, fp, Analyzer()) is None
