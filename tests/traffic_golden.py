"""What the capture analyser keeps and concludes, packet by packet, for each SMTP/DNS structure
we met: the bytes kept of every packet (what reaches the evidence), the summary and the two
verdicts with their English words.

Packets are built here byte by byte (no scapy) so a reader can follow each one. The golden files
in tests/data/golden/traffic were read against these packets before they were committed;
tools/regen_golden.py rewrites them after a deliberate change (read the diff)."""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checks import traffic
from checks.analyzer import Analyzer
from checks.packet import parse_ip

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests/data/golden/traffic"
T0 = datetime(2026, 11, 20, 5, 5, tzinfo=UTC).timestamp()
PC, ROUTER, MX, MX2, MX3, SUBMIT = (
    "192.168.1.23",
    "192.168.1.1",
    "198.51.100.7",
    "198.51.100.8",
    "198.51.100.9",
    "203.0.113.80",
)
F, S, R, P, A = 0x01, 0x02, 0x04, 0x08, 0x10


def addr(text: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)


def ip4(src: str, dst: str, proto: int, l4: bytes, frag: int = 0, pad: bytes = b"") -> bytes:
    header = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, frag, 64, proto, 0, addr(src), addr(dst)
    )
    return header + l4 + pad


def ip6(src: str, dst: str, next_header: int, rest: bytes) -> bytes:
    """``rest``: any extension headers (each names the one after it), then the transport."""
    header = struct.pack("!IHBB16s16s", 6 << 28, len(rest), next_header, 64, addr(src), addr(dst))
    return header + rest


def tcp(sport: int, dport: int, flags: int, payload: bytes = b"", seq: int = 1000) -> bytes:
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def dns(name: str, qtype: int, response: bool = False) -> bytes:
    flags = 0x8180 if response else 0x0100
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return (
        struct.pack("!HHHHHH", 0x1234, flags, 1, int(response), 0, 0)
        + labels
        + struct.pack("!HH", qtype, 1)
    )


def conversation(
    client: str, cport: int, server: str, sport: int, lines: list[tuple[str, bytes]], handshake=True
) -> list[bytes]:
    """One TCP connection: ('c', data) from the client, ('s', data) from the server, each side's
    sequence numbers counting its bytes as a real stack does."""
    out = []
    cseq, sseq = 1000, 5000
    if handshake:
        out += [
            ip4(client, server, 6, tcp(cport, sport, S, seq=cseq)),
            ip4(server, client, 6, tcp(sport, cport, S | A, seq=sseq)),
            ip4(client, server, 6, tcp(cport, sport, A, seq=cseq + 1)),
        ]
    cseq, sseq = cseq + 1, sseq + 1
    for who, data in lines:
        if who == "c":
            out.append(ip4(client, server, 6, tcp(cport, sport, P | A, data, seq=cseq)))
            cseq += len(data)
        else:
            out.append(ip4(server, client, 6, tcp(sport, cport, P | A, data, seq=sseq)))
            sseq += len(data)
    return out


def owner(pid: int, name: str, exe: str, **more: Any) -> dict[str, Any]:
    return {"pid": pid, "name": name, "exe": exe, "exe_exists": True, "started": T0 - 600, **more}


BOT = owner(4242, "svcupd.exe", "C:/Users/taro/AppData/Roaming/svcupd/svcupd.exe")
THUNDERBIRD = owner(3100, "thunderbird.exe", "C:/Program Files/Mozilla Thunderbird/thunderbird.exe")
DNS_CLIENT = owner(
    1520,
    "svchost.exe",
    "C:/Windows/System32/svchost.exe",
    cmdline=["C:/Windows/system32/svchost.exe", "-k", "NetworkService", "-p", "-s", "Dnscache"],
)


def _bot_direct() -> dict[str, Any]:
    delivered = conversation(
        PC,
        40001,
        MX,
        25,
        [
            ("s", b"220 mx.recipient.example ESMTP\r\n"),
            ("c", b"EHLO WIN-7Q2KJ3M\r\n"),
            ("s", b"250-mx.recipient.example\r\n250 PIPELINING\r\n"),
            ("c", b"MAIL FROM:<taro.yamada@example.jp>\r\nRCPT TO:<yuki@recipient.example>\r\n"),
            ("s", b"250 ok\r\n250 ok\r\n"),
            ("c", b"DATA\r\n"),
            ("s", b"354 go ahead\r\n"),
            ("c", b"Subject: your parcel\r\n\r\nsecret body text\r\n"),
            ("c", b"more body\r\n.\r\n"),
            ("s", b"250 2.0.0 queued as 1A2B\r\n"),
            ("c", b"QUIT\r\n"),
            ("s", b"221 bye\r\n"),
        ],
    )
    refused = [
        ip4(PC, MX2, 6, tcp(40002, 25, S)),
        ip4(MX2, PC, 6, tcp(25, 40002, R | A)),
    ]
    unanswered = [ip4(PC, MX3, 6, tcp(40003, 25, S)), ip4(PC, MX3, 6, tcp(40003, 25, S))]
    lookups = [
        ip4(PC, ROUTER, 17, udp(53000, 53, dns("recipient.example", 15))),
        ip4(ROUTER, PC, 17, udp(53, 53000, dns("recipient.example", 15, response=True))),
        ip4(PC, ROUTER, 17, udp(53001, 53, dns("other.example", 15))),
        ip4(PC, ROUTER, 17, udp(53002, 53, dns("www.example.com", 1))),
    ]
    keys = [(PC, 40001, MX, 25), (PC, 40002, MX2, 25), (PC, 40003, MX3, 25)]
    return {
        "packets": lookups + delivered + refused + unanswered,
        "owners": {k: BOT for k in keys},
        "mx_owners": {(PC, 53000): BOT, (PC, 53001): BOT},
        "platform": "windows",
        "attributed": True,
    }


def _auth_login_587() -> dict[str, Any]:
    """A mail program's submission with a multi-packet AUTH LOGIN: the user name and the
    password (base64 lines after each 334) must never be kept."""
    packets = conversation(
        PC,
        41000,
        SUBMIT,
        587,
        [
            ("s", b"220 smtp.isp.example.jp ESMTP\r\n"),
            ("c", b"EHLO [192.168.1.23]\r\n"),
            ("s", b"250-smtp.isp.example.jp\r\n250 AUTH LOGIN PLAIN\r\n"),
            ("c", b"AUTH LOGIN\r\n"),
            ("s", b"334 VXNlcm5hbWU6\r\n"),
            ("c", b"dGFyby55YW1hZGFAaXNwLmV4YW1wbGUuanA=\r\n"),
            ("s", b"334 UGFzc3dvcmQ6\r\n"),
            ("c", b"aHVudGVyMg==\r\n"),
            ("s", b"235 2.7.0 accepted\r\n"),
            ("c", b"MAIL FROM:<taro.yamada@isp.example.jp>\r\n"),
            ("s", b"250 ok\r\n"),
            ("c", b"RCPT TO:<hanako@example.org>\r\n"),
            ("s", b"250 ok\r\n"),
            ("c", b"DATA\r\n"),
            ("s", b"354 go ahead\r\n"),
            ("c", b"Subject: hello\r\n\r\nprivate words\r\n.\r\n"),
            ("s", b"250 ok\r\n"),
        ],
    )
    return {
        "packets": packets,
        "owners": {(PC, 41000, SUBMIT, 587): THUNDERBIRD},
        "platform": "windows",
        "attributed": True,
    }


def _starttls_and_465() -> dict[str, Any]:
    tls = conversation(
        PC,
        42000,
        SUBMIT,
        587,
        [
            ("s", b"220 smtp.isp.example.jp ESMTP\r\n"),
            ("c", b"EHLO pc\r\n"),
            ("s", b"250 STARTTLS\r\n"),
            ("c", b"STARTTLS\r\n"),
            ("s", b"220 ready\r\n"),
            ("c", b"\x16\x03\x01\x02\x00MAIL FROM:<hidden@x.example>"),
            ("s", b"\x16\x03\x03\x00\x7a235 looks like a reply"),
        ],
    )
    implicit = conversation(
        PC, 42001, SUBMIT, 465, [("c", b"\x16\x03\x01EHLO inside tls"), ("s", b"\x16\x03\x03")]
    )
    return {"packets": tls + implicit, "owners": {}, "platform": "linux", "attributed": True}


def _mid_session() -> dict[str, Any]:
    """The capture starts while a bot is sending a body: nothing is kept until a reply."""
    packets = conversation(
        PC,
        43000,
        MX,
        25,
        [
            ("c", b"body line with a secret\r\n.\r\n"),
            ("s", b"250 2.0.0 ok\r\n"),
            ("c", b"MAIL FROM:<x@spam.example>\r\n"),
            ("s", b"250 ok\r\n"),
            ("c", b"RCPT TO:<a@b.example>\r\n"),
        ],
        handshake=False,
    )
    server_first = conversation(
        PC, 43001, MX2, 25, [("s", b"250 ok\r\n"), ("c", b"RSET\r\n")], handshake=False
    )
    reset_only = [ip4(MX3, PC, 6, tcp(25, 43002, R))]  # a lone reset opens no connection
    return {
        "packets": packets + server_first + reset_only,
        "owners": {},
        "platform": "linux",
        "attributed": False,
    }


def _bdat() -> dict[str, Any]:
    """CHUNKING: each chunk is exactly its announced size, whatever it contains."""
    packets = conversation(
        PC,
        44000,
        MX,
        25,
        [
            ("c", b"EHLO host\r\n"),
            ("c", b"MAIL FROM:<a@bdat.example>\r\n"),
            ("c", b"BDAT 20\r\n0123456789"),
            ("c", b"RCPT TO:<\r\n"),  # the last 10 bytes of the chunk, which look like a command
            ("c", b"BDAT 12 LAST\r\nQUIT\r\nxxxxxx"),
            ("s", b"250 ok\r\n"),
            ("c", b"QUIT\r\n"),
        ],
    )
    return {"packets": packets, "owners": {}, "platform": "linux", "attributed": False}


def _elsewhere_by_host() -> dict[str, Any]:
    """A capture made on a router: no programs, one sender per address on the line."""
    laptop = "192.168.1.40"
    packets = conversation(
        laptop, 45000, MX, 25, [("c", b"HELO x\r\n"), ("s", b"250 ok\r\n")]
    ) + conversation(PC, 45001, SUBMIT, 587, [("c", b"EHLO pc\r\n")])
    packets.append(ip4(laptop, ROUTER, 17, udp(5353, 53, dns("victim.example", 15))))
    return {"packets": packets, "by_host": True, "platform": "linux", "attributed": False}


def _odd_packets() -> dict[str, Any]:
    """What is not SMTP or DNS, or cannot be read, is kept to its headers or dropped."""
    hop_by_hop = bytes([6, 0]) + bytes(6)  # next header TCP, 8 bytes long
    first_fragment = bytes([6, 0]) + struct.pack("!HI", 0x0001, 7)  # offset 0, more to come
    later_fragment = bytes([6, 0]) + struct.pack("!HI", 8 << 3, 7)  # offset 64: no ports here
    v6, mx6 = "2001:db8::23", "2001:db8::7"
    packets = [
        ip6(v6, mx6, 0, hop_by_hop + tcp(46000, 25, S)),
        ip6(mx6, v6, 6, tcp(25, 46000, S | A)),
        ip6(v6, mx6, 44, first_fragment + tcp(46000, 25, P | A, b"EHLO frag\r\n", seq=1001)),
        ip6(v6, mx6, 44, later_fragment + b"EHLO not a header\r\n" + bytes(8)),
        ip4(PC, MX, 6, tcp(46001, 25, S), frag=0x2000 | 5),  # a later IPv4 fragment
        ip4(PC, MX, 6, tcp(46002, 25, S), pad=b"HELO padding\r\n"),  # Ethernet padding
        ip4(PC, ROUTER, 1, b"\x08\x00\x00\x00\x00\x01\x00\x01icmp-echo"),
        ip4(PC, "192.0.2.50", 6, tcp(46003, 443, S | A, b"https")),
        ip4(PC, ROUTER, 17, udp(40000, 123, b"\x23" + bytes(47))),
        ip4(PC, ROUTER, 6, tcp(46004, 53, P | A, b"\x00\x21" + dns("tcp.example", 15))),
        ip4(PC, ROUTER, 17, udp(40001, 53, b"\x12\x34\x01\x00\x00\x01" + bytes(6) + b"\xc0\x0c")),
        b"\x45\x00\x00",  # too short to be a packet
        b"\x75" + bytes(40),  # version 7
    ]
    return {"packets": packets, "owners": {}, "platform": "linux", "attributed": True}


def _dns_client_lookups() -> dict[str, Any]:
    packets = [ip4(PC, ROUTER, 17, udp(50000 + i, 53, dns(f"d{i}.example", 15))) for i in range(3)]
    return {
        "packets": packets,
        "mx_owners": {(PC, 50000 + i): DNS_CLIENT for i in range(3)},
        "platform": "windows",
        "attributed": True,
    }


def _mostly_undecoded() -> dict[str, Any]:
    return {
        "packets": conversation(PC, 47000, SUBMIT, 587, [("c", b"EHLO pc\r\n")]),
        "owners": {(PC, 47000, SUBMIT, 587): THUNDERBIRD},
        "summary_extra": {"frames": 40, "frames_undecoded": 36, "undecoded_link_types": [147]},
        "platform": "windows",
        "attributed": True,
    }


POSTFIX = owner(800, "master", "/usr/lib/postfix/sbin/master")


def _mail_server_and_a_bot() -> dict[str, Any]:
    """A Linux PC running Postfix, which delivers on port 25 and looks up MX records as a mail
    server must; an unknown program on 587 first, then a bot on port 25: the worst is told."""
    postfix = conversation(PC, 48000, MX, 25, [("c", b"EHLO pc.example\r\n")])
    unknown = conversation(PC, 48001, SUBMIT, 587, [("c", b"EHLO x\r\n")])
    bot = conversation(PC, 48002, MX2, 25, [("c", b"HELO bot\r\n")])
    lookups = [
        ip4(PC, ROUTER, 17, udp(53100, 53, dns("recipient.example", 15))),
        ip4(PC, ROUTER, 17, udp(53101, 53, dns("victim.example", 15))),
    ]
    return {
        "packets": postfix + unknown + bot + lookups,
        "owners": {
            (PC, 48000, MX, 25): POSTFIX,
            (PC, 48001, SUBMIT, 587): owner(900, "helper", "/opt/helper/helper"),
            (PC, 48002, MX2, 25): owner(901, "kworker", "/tmp/.x/kworker"),
        },
        "mx_owners": {(PC, 53100): POSTFIX, (PC, 53101): POSTFIX},
        "platform": "linux",
        "attributed": True,
    }


def _a_few_frames_undecoded() -> dict[str, Any]:
    s = _mostly_undecoded()
    s["summary_extra"] = {"frames": 40, "frames_undecoded": 5, "undecoded_link_types": [147]}
    s["packets"] = s["packets"] + _mid_session()["packets"][:2]
    return s


def _flows_capped() -> dict[str, Any]:
    """Past its flow limit the analyser counts what it could not follow, and keeps headers."""
    syns = [ip4(PC, f"198.51.100.{20 + i}", 6, tcp(49000 + i, 25, S)) for i in range(4)]
    late = [
        ip4("198.51.100.30", PC, 6, tcp(25, 49010, P | A, b"250 ok\r\n")),  # mid-session reply
        ip4(PC, "198.51.100.31", 6, tcp(49011, 25, P | A, b"MAIL FROM:<a@b.example>\r\n")),
    ]
    padded6 = ip6("2001:db8::23", "2001:db8::9", 6, tcp(49020, 25, S)) + b"HELO pad\r\n"
    return {
        "packets": [*syns, *late, padded6],
        "max_flows": 2,
        "platform": "linux",
        "attributed": False,
    }


def _refusals_and_odd_commands() -> dict[str, Any]:
    """A failed login, then three messages on one connection: accepted, refused after its
    body, refused before it (DATA answered 554); a second client with bare LF line ends."""
    first = conversation(
        PC,
        50000,
        MX,
        25,
        [
            ("c", b"EHLO\r\n"),  # no name given
            ("s", b"250 mx\r\n"),
            ("c", b"AUTH PLAIN dGFybwB0YXJvAGh1bnRlcjI=\r\n"),
            ("s", b"535 5.7.8 authentication failed\r\n"),
            ("c", b"MAIL FROM:<a@one.example>\r\n"),
            ("c", b"RCPT TO:<b@two.example>\r\n"),
            ("c", b"DATA\r\n"),
            ("s", b"354 go\r\n"),
            ("c", b"first body\r\n"),
            ("c", b".\r\n"),  # the end of the body opens the packet
            ("s", b"250 ok 1\r\n"),
            ("c", b"MAIL FROM:<a@one.example>\r\nDATA\r\n"),
            ("s", b"354 go\r\n"),
            ("c", b"second body\r\n.\r\n"),
            ("s", b"550 5.7.1 rejected as spam\r\n"),
            ("c", b"MAIL FROM:<a@one.example>\r\nDATA\r\n"),
            ("s", b"554 5.5.1 no valid recipients\r\n"),
            ("c", b"RSET\r\n"),
        ],
    )
    lf = conversation(
        PC,
        50001,
        MX2,
        25,
        [
            ("c", b"lhlo lowercase.example\n"),
            ("c", b"DATA\n"),
            ("s", b"354 go\n"),
            ("c", b"body with bare line ends\n.\n"),
            ("s", b"250 ok\n"),
            ("c", b"HELO " + b"n" * 300 + b"\n"),
        ],
    )
    return {"packets": first + lf, "platform": "linux", "attributed": False}


def _padding_and_odd_flags() -> dict[str, Any]:
    """Frames longer than their IP length (padding or a trailer, after short and long packets,
    IPv4 and IPv6), and TCP flags a bot or a scanner sends: padding is never read or kept."""
    v6, mx6 = "2001:db8::23", "2001:db8::7"
    header_only = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20, 1, 0, 64, 6, 0, addr(PC), addr(MX)
    ) + tcp(51000, 25, S)  # an IP header alone; its padding looks like a SYN to port 25
    long_ehlo = b"EHLO " + b"h" * 300 + b"\r\n"
    long4 = conversation(PC, 51001, MX, 25, [("c", long_ehlo)])
    long4[-1] += b"RCPT TO:<pad@padding.example>\r\n"
    long_mail = b"MAIL FROM:<" + b"m" * 280 + b"@six.example>\r\n"
    long6 = [
        ip6(v6, mx6, 6, tcp(51002, 25, S)) + b"HELO pad6\r\n",
        ip6(mx6, v6, 6, tcp(25, 51002, S | A)),
        ip6(v6, mx6, 6, tcp(51002, 25, P | A, long_mail, seq=1001))
        + b"RCPT TO:<x@pad6.example>\r\n",
    ]
    odd = [
        ip4(PC, MX2, 6, tcp(51003, 25, R)),  # a lone reset from this PC opens nothing
        ip4(PC, MX2, 6, tcp(51004, 25, S | F)),  # SYN+FIN: still a connection attempt
        ip4(PC, MX2, 6, tcp(51005, 25, F)),  # a FIN alone: a connection already open
        ip4(PC, MX3, 6, tcp(51006, 25, S)),  # the SYN-ACK was not captured: the server's
        ip4(MX3, PC, 6, tcp(25, 51006, A)),  # ACK still shows that it answered
        ip4(PC, MX3, 6, tcp(51007, 25, S)),
        ip4(MX3, PC, 6, tcp(25, 51007, F | A)),
    ]
    return {
        "packets": [header_only, *long4, *long6, *odd],
        "platform": "linux",
        "attributed": False,
    }


def _commands_and_replies_at_the_edges() -> dict[str, Any]:
    """SMTP as real clients and servers also write it: a line that is no command, a name with
    spaces or a byte outside ASCII, the null sender, bare addresses, a bare reply code, two
    messages accepted and refusals at each step, AUTH ended by a temporary failure, a BDAT
    chunk split across packets after another command, a reply continued over packets, and
    more senders and recipients than are kept."""
    first = conversation(
        PC,
        52000,
        MX,
        25,
        [
            ("c", b"123 not a command\r\nEHLO my host name\r\n"),
            ("c", b"MAIL FROM:<>\r\nRCPT TO:<postmaster>\r\n"),
            ("c", b"MAIL FROM: bot@bare.example\r\nRCPT TO: victim@bare-rcpt.example\r\n"),
            ("c", b"DATA\r\n"),
            ("s", b"354 go\r\n"),
            ("c", b"one\r\n.\r\n"),
            ("s", b"250\r\n"),  # a reply code alone is a whole reply (RFC 5321 4.2)
            ("c", b"MAIL FROM:<a@edge.example>\r\nDATA\r\n"),
            ("s", b"354 go\r\n"),
            ("c", b"two\r\n.\r\n"),
            ("s", b"250 ok\r\n"),
            ("c", b"DATA\r\n"),
            ("s", b"451 4.3.0 try later\r\n"),  # refused before the body
            ("c", b"DATA\r\n"),
            ("s", b"354 go\r\n"),
            ("c", b"three\r\n.\r\n"),
            ("s", b"552 5.3.4 too big\r\n"),  # refused after it
            ("c", b"RSET\r\n"),
            ("s", b"250 ok\r\n"),  # a reply to RSET accepts no message
            ("c", b"DATA\r\n"),
            ("s", b"354 go\r\n"),
            ("c", b"four\r\n.\r\n"),
            ("s", b"451 4.7.1 later\r\n"),
        ],
    )
    lmtp = conversation(PC, 52001, MX2, 25, [("c", b"LHLO lmtp.example\r\n")])
    latin = conversation(PC, 52002, MX2, 25, [("c", b"EHLO caf\xe9\r\n")])
    auth = conversation(
        PC,
        52003,
        MX2,
        25,
        [
            ("c", b"EHLO a\r\nAUTH LOGIN\r\n"),
            ("s", b"454 4.7.0 temporary authentication failure\r\n"),
            ("c", b"MAIL FROM:<x@after-auth.example>\r\n"),
        ],
    )
    chunk = conversation(
        PC,
        52004,
        MX3,
        25,
        [
            ("c", b"RSET\r\nBDAT 6\r\nabc"),
            ("c", b"defMAIL FROM:<a@after-chunk.example>\r\n"),
        ],
    )
    continued = conversation(
        PC, 52005, MX3, 25, [("s", b"250-PIPELINING\r\n"), ("s", b"250 ok\r\n")], handshake=False
    )
    many = b"".join(b"MAIL FROM:<a@s%d.example>\r\n" % i for i in range(51))
    many += b"".join(b"RCPT TO:<b@r%d.example>\r\n" % i for i in range(201))
    crowd = conversation(PC, 52006, MX3, 25, [("c", many)])
    return {
        "packets": first + lmtp + latin + auth + chunk + continued + crowd,
        "platform": "linux",
        "attributed": False,
    }


def _programs_at_the_edges() -> dict[str, Any]:
    """Two bots told apart although Windows gave them the same process id; one retries a
    server; a program whose name and file could not be read; hundreds of MX lookups, one
    domain twice."""
    later_bot = {**BOT, "started": T0 - 60}  # the same pid, another process
    nameless = owner(5000, None, "C:/Users/taro/AppData/Local/Temp/x.exe", exe_exists=False)
    packets = [
        *conversation(PC, 53000, MX, 25, [("s", b"220 mx\r\n")]),
        *conversation(PC, 53001, MX, 25, [("s", b"220 mx\r\n")]),
        *conversation(PC, 53002, MX2, 25, [("s", b"220 mx\r\n")]),
        *conversation(PC, 53003, SUBMIT, 587, [("c", b"EHLO x\r\n")]),
    ]
    names = [f"d{i:03}.example" for i in range(201)] + ["d000.example"]
    lookups = [ip4(PC, ROUTER, 17, udp(54000 + i, 53, dns(n, 15))) for i, n in enumerate(names)]
    return {
        "packets": packets + lookups,
        "owners": {
            (PC, 53000, MX, 25): BOT,
            (PC, 53001, MX, 25): BOT,
            (PC, 53002, MX2, 25): later_bot,
            (PC, 53003, SUBMIT, 587): nameless,
        },
        "mx_owners": {(PC, 54000 + i): BOT for i in range(len(names))},
        "platform": "windows",
        "attributed": True,
    }


SCENARIOS: dict[str, Callable[[], dict[str, Any]]] = {
    "padding_and_odd_flags": _padding_and_odd_flags,
    "commands_and_replies_at_the_edges": _commands_and_replies_at_the_edges,
    "programs_at_the_edges": _programs_at_the_edges,
    "refusals_and_odd_commands": _refusals_and_odd_commands,
    "flows_capped": _flows_capped,
    "mail_server_and_a_bot": _mail_server_and_a_bot,
    "a_few_frames_undecoded": _a_few_frames_undecoded,
    "bot_direct": _bot_direct,
    "auth_login_587": _auth_login_587,
    "starttls_and_465": _starttls_and_465,
    "mid_session": _mid_session,
    "bdat": _bdat,
    "elsewhere_by_host": _elsewhere_by_host,
    "odd_packets": _odd_packets,
    "dns_client_lookups": _dns_client_lookups,
    "mostly_undecoded": _mostly_undecoded,
}


def _kept(packet: bytes, out: bytes | None) -> dict[str, Any] | str:
    if out is None:
        return "whole"
    # The payload shown is everything after the transport header, or after the IP header of
    # a packet that has none to read (a later fragment, ICMP): what a reader could recover.
    parsed = parse_ip(packet)
    if parsed:
        offset = parsed.offset
    elif packet[:1] and packet[0] >> 4 == 4:
        offset = max(20, (packet[0] & 0x0F) * 4)
    else:
        offset = 40 if packet[:1] and packet[0] >> 4 == 6 else 0
    return {"bytes": len(out), "of": len(packet), "payload": out[offset:].decode("latin-1")}


def _utc(value: Any) -> Any:
    # The summary shows times in the machine's zone; the record holds them in UTC.
    return datetime.fromisoformat(value).astimezone(UTC).isoformat() if value else value


def _keyed(mapping: dict, size: int) -> dict:
    return {
        tuple(addr(v) if isinstance(v, str) else v for v in k[:size]): o for k, o in mapping.items()
    }


def record(name: str) -> dict[str, Any]:
    s = SCENARIOS[name]()
    analyzer, counting = Analyzer(), Analyzer()
    analyzer.MAX_FLOWS = counting.MAX_FLOWS = s.get("max_flows", Analyzer.MAX_FLOWS)
    kept, returned_without_scrub = [], set()
    for i, packet in enumerate(s["packets"]):
        kept.append(_kept(packet, analyzer.feed(T0 + i, packet, scrub=True)))
        # Without scrubbing (no file written) nothing is returned, and the counts are the same.
        returned_without_scrub.add(repr(counting.feed(T0 + i, packet)))
    owners = (
        _keyed(s.get("owners") or {}, 4),
        _keyed(s.get("mx_owners") or {}, 2),
        s.get("by_host", False),
    )
    summary = analyzer.summary(*owners)
    same_without_scrub = counting.summary(*owners) == summary
    summary.update(s.get("summary_extra") or {})
    summary["first"], summary["last"] = _utc(summary["first"]), _utc(summary["last"])
    for p in summary["programs"]:
        p["first"], p["last"] = _utc(p["first"]), _utc(p["last"])
    results = traffic.interpret(summary, s["platform"], s["attributed"], "capture.pcap")
    words = []
    for r in results:
        w = r.words("en")
        words.append({"id": r.id, "summary": w.summary, "advice": list(w.advice)})
    return {
        "kept": kept,
        "returned_without_scrub": sorted(returned_without_scrub),
        "same_summary_without_scrub": same_without_scrub,
        "summary": summary,
        "results": [r.to_dict(text=False) for r in results],
        "words_en": words,
    }


def as_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
