"""Structures met in real captures (Zeek's test traces, home-line captures; see README.md),
rebuilt here byte by byte: each test is one structure, read as tshark reads it."""

import struct

import pytest

from app import flows
from checks.analyzer import Analyzer
from checks.model import Status

pytest.importorskip("scapy.all")
from scapy.layers.inet import IP, TCP

BOT, MX, MX2 = "192.168.1.23", "198.51.100.7", "198.51.100.8"
MAC = bytes.fromhex("020000000002020000000001")


def seg(src, dst, sport, dport, flags, payload=b"", seq=1000):
    return bytes(
        IP(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags=flags, seq=seq) / payload
    )


def session(lines, sport=40001, server=MX, handshake=True):
    """Client lines ('c', bytes) and server replies ('s', bytes) of one SMTP session."""
    pkts = []
    cseq, sseq = 1000, 7000
    if handshake:
        pkts += [
            seg(BOT, server, sport, 25, "S", seq=cseq),
            seg(server, BOT, 25, sport, "SA", seq=sseq),
            seg(BOT, server, sport, 25, "A", seq=cseq + 1),
        ]
    cseq, sseq = cseq + 1, sseq + 1
    for who, data in lines:
        if who == "c":
            pkts.append(seg(BOT, server, sport, 25, "PA", data, seq=cseq))
            cseq += len(data)
        else:
            pkts.append(seg(server, BOT, 25, sport, "PA", data, seq=sseq))
            sseq += len(data)
    return pkts


def pcap(packets, times=None, linktype=1, pad=False) -> bytes:
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for i, ip in enumerate(packets):
        frame = (MAC + b"\x08\x00" + ip) if linktype == 1 else ip
        if pad and len(frame) < 60:
            frame += b"HELO 1\r\n" + bytes(60)  # stale bytes in the padding
            frame = frame[:60]
        ts = times[i] if times else 1763600000 + i
        out += struct.pack("<IIII", int(ts), 0, len(frame), len(frame)) + frame
    return out


def analyze(tmp_path, data):
    path = tmp_path / "c.pcap"
    path.write_bytes(data)
    return flows.analyze_capture(None, path)


def test_a_capture_that_starts_mid_session_counts_the_session(tmp_path):
    lines = [
        ("c", b"MAIL FROM:<a@shop.example>\r\n"),
        ("s", b"250 ok\r\n"),
        ("c", b"RCPT TO:<b@victim.example>\r\n"),
        ("s", b"250 ok\r\n"),
        ("c", b"DATA\r\n"),
        ("s", b"354 go\r\n"),
        ("c", b"Subject: x\r\n\r\nbuy\r\n.\r\n"),
        ("s", b"250 queued\r\n"),
    ]
    summary, results = analyze(tmp_path, pcap(session(lines, handshake=False)))
    assert summary["flows_without_handshake"] == 1
    assert summary["messages_accepted"] == 1
    smtp = {r.id: r for r in results}["TRAFFIC-SMTP"]
    assert smtp.status == Status.FAIL  # a device on the line sent mail to port 25
    assert "already open when the capture started" in smtp.summary
    assert "192.168.1.23" in smtp.summary  # a device on the line, never "a program"


def test_replies_are_followed_per_transaction(tmp_path):
    """DATA refused, RSET, then a second transaction that is accepted (real servers do this)."""
    lines = [
        ("c", b"EHLO bot\r\n"),
        ("s", b"250 mx\r\n"),
        ("c", b"MAIL FROM:<a@one.example>\r\n"),
        ("s", b"250 ok\r\n"),
        ("c", b"RCPT TO:<b@victim.example>\r\n"),
        ("s", b"250 ok\r\n"),
        ("c", b"DATA\r\n"),
        ("s", b"554 no valid recipients\r\n"),
        ("c", b"RSET\r\n"),
        ("s", b"250 reset\r\n"),
        ("c", b"MAIL FROM:<a@two.example>\r\n"),
        ("s", b"250 ok\r\n"),
        ("c", b"RCPT TO:<c@victim.example>\r\n"),
        ("s", b"250 ok\r\n"),
        ("c", b"DATA\r\n"),
        ("s", b"354 go\r\n"),
        ("c", b"hello\r\n.\r\n"),
        ("s", b"250 queued\r\n"),
        ("c", b"QUIT\r\n"),
    ]
    summary, _ = analyze(tmp_path, pcap(session(lines)))
    assert summary["mail_from_domains"] == ["one.example", "two.example"]
    assert summary["messages_accepted"] == 1 and summary["messages_refused"] == 1


def test_bdat_chunks_and_pipelining_do_not_hang_the_reader(tmp_path):
    body = b"Subject: x\r\n\r\nbody bytes here\r\n"
    lines = [
        ("c", b"EHLO bot\r\n"),
        ("s", b"250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n"),
        ("c", b"MAIL FROM:<a@one.example>\r\nRCPT TO:<b@victim.example>\r\n"),
        ("s", b"250 ok\r\n250 ok\r\n"),
        ("c", b"BDAT %d LAST\r\n" % len(body) + body),
        ("s", b"250 queued\r\n"),
        ("c", b"MAIL FROM:<a@two.example>\r\n"),
        ("s", b"250 ok\r\n"),
    ]
    summary, _ = analyze(tmp_path, pcap(session(lines)))
    assert summary["mail_from_domains"] == ["one.example", "two.example"]
    assert summary["messages_accepted"] == 1


def test_ethernet_padding_is_not_read_as_smtp(tmp_path):
    ack = seg(BOT, MX, 40001, 25, "A")  # 40 bytes of IP: the frame is padded to 60
    packets = [*session([("c", b"EHLO real-name\r\n")]), ack]
    summary, _ = analyze(tmp_path, pcap(packets, pad=True))
    assert summary["ehlo_names"] == ["real-name"]


def test_addresses_without_brackets_and_bare_lf(tmp_path):
    lines = [
        ("c", b"HELO bot\n"),
        ("s", b"250 mx\n"),
        ("c", b"MAIL FROM: a@nobrackets.example\n"),
        ("s", b"250 ok\n"),
    ]
    summary, _ = analyze(tmp_path, pcap(session(lines)))
    assert summary["ehlo_names"] == ["bot"]  # no "\n" left in the name
    assert summary["mail_from_domains"] == ["nobrackets.example"]


def test_unanswered_syns_are_attempts_and_ports_are_counted_apart(tmp_path):
    packets = [seg(BOT, f"198.51.100.{i}", 41000 + i, 25, "S") for i in range(5)]
    packets += session([("c", b"EHLO me\r\n")], sport=42000, server="203.0.113.9")[:3]
    packets = [*packets, *[seg(BOT, "203.0.113.9", 42000, 587, "S")]]
    summary, results = analyze(tmp_path, pcap(packets))
    smtp = {r.id: r for r in results}["TRAFFIC-SMTP"]
    host = next(p for p in summary["programs"] if p.get("host") == BOT)
    assert len(host["direct_destinations"]) == 6 and host["unanswered"] == 6
    # One server answered; five were only tried: said apart, never "connected to 6".
    assert "connected directly to 1 mail server on port 25 and tried 5 more" in smtp.summary
    only_attempts = [seg(BOT, f"198.51.100.{i}", 41000 + i, 25, "S") for i in range(4)]
    _summary, results = analyze(tmp_path, pcap(only_attempts))
    smtp = {r.id: r for r in results}["TRAFFIC-SMTP"]
    assert "tried to connect directly to 4 mail servers" in smtp.summary
    assert "none answered" in smtp.summary


def test_mx_lookups_count_domains_not_queries():
    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import UDP

    a = Analyzer()
    for i in range(50):
        q = IP(src=BOT, dst="192.0.2.53") / UDP(sport=50000 + i, dport=53)
        q = q / DNS(rd=1, qd=DNSQR(qname=f"d{i % 12}.example", qtype="MX"))
        a.feed(1763600000 + i, bytes(q))
    summary = a.summary(by_host=True)
    host = next(p for p in summary["programs"] if p.get("host") == BOT)
    assert host["mx_queries"] == 50 and host["mx_domains"] == 12


def test_last_is_the_latest_time_not_the_last_packet(tmp_path):
    packets = session([("c", b"EHLO x\r\n")])
    times = [1763600010, 1763600000, 1763600020, 1763600005]
    summary, _ = analyze(tmp_path, pcap(packets, times=times))
    from datetime import UTC, datetime

    def when(ts):
        return datetime.fromtimestamp(ts, UTC).astimezone().isoformat()

    assert summary["last"] == when(max(times)) and summary["first"] == when(min(times))
