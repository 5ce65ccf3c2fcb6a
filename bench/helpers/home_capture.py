"""A synthetic capture of a home line with a bot on it, for `analyze` benchmarks.

Ethernet, as tcpdump on the router's LAN side writes it: a PC whose bot sends mail straight to
port 25 (full sessions, silent servers, refusals) and looks up MX records, a phone submitting on
587 with STARTTLS, every device's DNS, and the rest of a household's traffic (HTTPS, QUIC, plain
HTTP, IPv6, NTP, mDNS, SSDP, ARP, ICMP). Flows are interleaved, as on a real line. Deterministic
for a given seed; about 40% of the packets are mail or DNS.

    python bench/helpers/home_capture.py OUT.pcap [--packets 1000000]
"""

from __future__ import annotations

import argparse
import random
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

MAC_ROUTER = bytes.fromhex("02000000aa01")
MACS = [bytes.fromhex(f"0200000001{i:02x}") for i in range(8)]
PC, PHONE, TV, LAPTOP, ROUTER = (
    "192.168.1.23",
    "192.168.1.40",
    "192.168.1.50",
    "192.168.1.61",
    "192.168.1.1",
)
DEVICES = [PC, PHONE, TV, LAPTOP]
V6_DEVICES = ["2001:db8:1::23", "2001:db8:1::40", "2001:db8:1::61"]
S, A, P, F, R = 0x02, 0x10, 0x08, 0x01, 0x04
_TCP = struct.Struct("!HHIIBBHHH")
_IP4 = struct.Struct("!BBHHHBBH4s4s")
_IP6 = struct.Struct("!IHBB16s16s")
_UDP = struct.Struct("!HHHH")


def _addr(text: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)


_ADDRS: dict[str, bytes] = {}


def addr(text: str) -> bytes:
    raw = _ADDRS.get(text)
    if raw is None:
        raw = _ADDRS[text] = _addr(text)
    return raw


def eth(src_host: str, ip: bytes, v6: bool = False) -> bytes:
    mac = MACS[sum(src_host.encode()) % len(MACS)]
    kind = b"\x86\xdd" if v6 else b"\x08\x00"
    return MAC_ROUTER + mac + kind + ip


def tcp(src, dst, sport, dport, flags, seq=0, ack=0, payload=b"") -> bytes:
    seg = _TCP.pack(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 64240, 0, 0)
    if ":" in src:
        ip = _IP6.pack(6 << 28, 20 + len(payload), 6, 64, addr(src), addr(dst))
        return eth(src, ip + seg + payload, v6=True)
    ip = _IP4.pack(0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0, addr(src), addr(dst))
    return eth(src, ip + seg + payload)


def udp(src, dst, sport, dport, payload) -> bytes:
    seg = _UDP.pack(sport, dport, 8 + len(payload), 0) + payload
    if ":" in src:
        ip = _IP6.pack(6 << 28, len(seg), 17, 64, addr(src), addr(dst))
        return eth(src, ip + seg, v6=True)
    ip = _IP4.pack(0x45, 0, 20 + len(seg), 0, 0x4000, 64, 17, 0, addr(src), addr(dst))
    return eth(src, ip + seg)


def dns_message(name: str, qtype: int, ident: int, answers: int = 0) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    flags = 0x8180 if answers else 0x0100
    msg = (
        struct.pack("!HHHHHH", ident, flags, 1, answers, 0, 0)
        + labels
        + struct.pack("!HH", qtype, 1)
    )
    for i in range(answers):
        msg += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, 4) + bytes([203, 0, 113, i + 1])
    return msg


class Conversation:
    """One TCP connection's packets, each side's sequence numbers counting its bytes."""

    def __init__(self, client, cport, server, sport, rng):
        self.c, self.cp, self.s, self.sp = client, cport, server, sport
        self.cseq, self.sseq = rng.randrange(1 << 32), rng.randrange(1 << 32)

    def syn(self) -> bytes:
        return tcp(self.c, self.s, self.cp, self.sp, S, self.cseq)

    def syn_ack(self) -> bytes:
        return tcp(self.s, self.c, self.sp, self.cp, S | A, self.sseq, self.cseq + 1)

    def handshake(self) -> list[bytes]:
        out = [self.syn(), self.syn_ack()]
        self.cseq, self.sseq = self.cseq + 1, self.sseq + 1
        out.append(tcp(self.c, self.s, self.cp, self.sp, A, self.cseq, self.sseq))
        return out

    def client(self, data: bytes, flags=P | A) -> bytes:
        pkt = tcp(self.c, self.s, self.cp, self.sp, flags, self.cseq, self.sseq, data)
        self.cseq += len(data)
        return pkt

    def server(self, data: bytes, flags=P | A) -> bytes:
        pkt = tcp(self.s, self.c, self.sp, self.cp, flags, self.sseq, self.cseq, data)
        self.sseq += len(data)
        return pkt

    def ack_from_client(self) -> bytes:
        return tcp(self.c, self.s, self.cp, self.sp, A, self.cseq, self.sseq)

    def ack_from_server(self) -> bytes:
        return tcp(self.s, self.c, self.sp, self.cp, A, self.sseq, self.cseq)

    def close(self) -> list[bytes]:
        out = [tcp(self.c, self.s, self.cp, self.sp, F | A, self.cseq, self.sseq)]
        out.append(tcp(self.s, self.c, self.sp, self.cp, F | A, self.sseq, self.cseq + 1))
        out.append(tcp(self.c, self.s, self.cp, self.sp, A, self.cseq + 1, self.sseq + 1))
        return out


class Line:
    """The household: each method yields one exchange's frames."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.port = 40000
        self.ident = 0

    def cport(self) -> int:
        self.port = 32768 + (self.port - 32768 + 1) % 28000
        return self.port

    def mx(self) -> str:
        r = self.rng
        return f"{r.choice((198, 203))}.{51 if r.random() < 0.5 else 0}.{r.randrange(1, 255)}.{r.randrange(1, 255)}"

    def bot_session(self) -> Iterator[bytes]:
        r = self.rng
        c = Conversation(PC, self.cport(), self.mx(), 25, r)
        yield from c.handshake()
        yield c.server(b"220 mx%d.recipient.example ESMTP ready\r\n" % r.randrange(100))
        yield c.ack_from_client()
        yield c.client(b"EHLO WIN-%d\r\n" % r.randrange(10**6))
        yield c.server(
            b"250-mx.recipient.example\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250 8BITMIME\r\n"
        )
        for _ in range(r.randrange(1, 3)):
            yield c.client(
                b"MAIL FROM:<sales%d@shop%d.example>\r\n" % (r.randrange(999), r.randrange(99))
            )
            yield c.server(b"250 2.1.0 ok\r\n")
            for _ in range(r.randrange(1, 4)):
                yield c.client(
                    b"RCPT TO:<user%d@victim%d.example>\r\n" % (r.randrange(9999), r.randrange(999))
                )
                yield c.server(
                    b"250 2.1.5 ok\r\n" if r.random() < 0.8 else b"550 5.1.1 no such user\r\n"
                )
            yield c.client(b"DATA\r\n")
            yield c.server(b"354 end with <CRLF>.<CRLF>\r\n")
            yield c.client(
                b"Subject: your parcel\r\nFrom: shop\r\n\r\n"
                + b"cheap pills " * r.randrange(5, 40)
                + b"\r\n"
            )
            yield c.ack_from_server()
            yield c.client(b".\r\n")
            yield c.server(b"250 2.0.0 queued as %X\r\n" % r.randrange(1 << 32))
        yield c.client(b"QUIT\r\n")
        yield c.server(b"221 2.0.0 bye\r\n")
        yield from c.close()

    def bot_silent(self) -> Iterator[bytes]:
        c = Conversation(PC, self.cport(), self.mx(), 25, self.rng)
        for _ in range(3):
            yield c.syn()

    def bot_refused(self) -> Iterator[bytes]:
        c = Conversation(PC, self.cport(), self.mx(), 25, self.rng)
        yield c.syn()
        yield tcp(c.s, c.c, 25, c.cp, R | A, 0, c.cseq + 1)

    def dns(self, qtype: int | None = None, who: str | None = None) -> Iterator[bytes]:
        r = self.rng
        who = who or r.choice(DEVICES)
        qtype = qtype or r.choice((1, 1, 1, 28, 65))
        self.ident = (self.ident + 1) & 0xFFFF
        name = (
            r.choice(("www", "cdn", "api", "img", "time", "push"))
            + f"{r.randrange(300)}.example.com"
        )
        port = self.cport()
        yield udp(who, ROUTER, port, 53, dns_message(name, qtype, self.ident))
        yield udp(
            ROUTER, who, 53, port, dns_message(name, qtype, self.ident, answers=r.randrange(1, 4))
        )

    def bot_mx_lookup(self) -> Iterator[bytes]:
        r = self.rng
        self.ident = (self.ident + 1) & 0xFFFF
        name = f"victim{r.randrange(999)}.example"
        port = self.cport()
        yield udp(PC, ROUTER, port, 53, dns_message(name, 15, self.ident))
        yield udp(ROUTER, PC, 53, port, dns_message(name, 15, self.ident, answers=1))

    def submission(self) -> Iterator[bytes]:
        r = self.rng
        c = Conversation(PHONE, self.cport(), "203.0.113.80", 587, r)
        yield from c.handshake()
        yield c.server(b"220 smtp.isp.example.jp ESMTP\r\n")
        yield c.client(b"EHLO [192.168.1.40]\r\n")
        yield c.server(b"250-smtp.isp.example.jp\r\n250 STARTTLS\r\n")
        yield c.client(b"STARTTLS\r\n")
        yield c.server(b"220 2.0.0 ready\r\n")
        for _ in range(r.randrange(4, 12)):
            yield c.client(b"\x17\x03\x03" + bytes(r.randrange(40, 600)))
            yield c.server(b"\x17\x03\x03" + bytes(r.randrange(30, 90)))
        yield from c.close()

    def https(self) -> Iterator[bytes]:
        """A web fetch: mostly ACKs and small records, some full-size segments."""
        r = self.rng
        who = r.choice(DEVICES + V6_DEVICES)
        server = (
            f"2001:db8:{r.randrange(1, 9)}::{r.randrange(1, 999)}"
            if ":" in who
            else f"203.0.113.{r.randrange(1, 255)}"
        )
        c = Conversation(who, self.cport(), server, 443, r)
        yield from c.handshake()
        yield c.client(b"\x16\x03\x01" + bytes(r.randrange(200, 500)))
        yield c.server(b"\x16\x03\x03" + bytes(r.randrange(100, 1200)))
        for _ in range(r.randrange(5, 40)):
            if r.random() < 0.015:
                yield c.server(b"\x17\x03\x03" + bytes(1400), flags=A)
            else:
                yield c.server(b"\x17\x03\x03" + bytes(r.randrange(20, 80)))
            yield c.ack_from_client()
        yield from c.close()

    def quic(self) -> Iterator[bytes]:
        r = self.rng
        who = r.choice(DEVICES)
        server, port = f"203.0.113.{r.randrange(1, 255)}", self.cport()
        for _ in range(r.randrange(4, 30)):
            if r.random() < 0.03:
                yield udp(server, who, 443, port, b"\x40" + bytes(1250))
            else:
                yield udp(who, server, port, 443, b"\x40" + bytes(r.randrange(25, 60)))

    def http(self) -> Iterator[bytes]:
        """Plain HTTP (an old TV app): a reply starts with 'H', as an SMTP greeting might."""
        r = self.rng
        c = Conversation(TV, self.cport(), f"198.51.100.{r.randrange(1, 255)}", 80, r)
        yield from c.handshake()
        yield c.client(b"GET /status HTTP/1.1\r\nHost: tv.example\r\n\r\n")
        yield c.server(b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n" + b"x" * 20)
        yield c.ack_from_client()
        yield from c.close()

    def background(self) -> Iterator[bytes]:
        r = self.rng
        kind = r.randrange(5)
        if kind == 0:  # ARP
            yield (
                MAC_ROUTER
                + MACS[0]
                + b"\x08\x06"
                + bytes.fromhex("0001080006040001")
                + bytes(20)
                + bytes(18)
            )
        elif kind == 1:  # NTP
            yield udp(r.choice(DEVICES), "198.51.100.123", 123, 123, b"\x23" + bytes(47))
        elif kind == 2:  # mDNS
            yield udp(
                r.choice(DEVICES),
                "224.0.0.251",
                5353,
                5353,
                dns_message("_airplay._tcp.local", 12, 0),
            )
        elif kind == 3:  # SSDP
            yield udp(
                TV,
                "239.255.255.250",
                1900,
                1900,
                b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n",
            )
        else:  # ICMP echo and reply
            ip = _IP4.pack(0x45, 0, 36, 0, 0, 64, 1, 0, addr(LAPTOP), addr(ROUTER))
            yield eth(LAPTOP, ip + b"\x08\x00\x00\x00\x00\x01\x00\x01" + bytes(8))

    def exchanges(self):
        """(weight, exchange) of the household's mix."""
        return [
            (20, self.bot_session),
            (18, self.bot_silent),
            (8, self.bot_refused),
            (120, self.dns),
            (18, self.bot_mx_lookup),
            (2, self.submission),
            (22, self.https),
            (14, self.quic),
            (3, self.http),
            (40, self.background),
        ]


def frames(packets: int, seed: int = 36) -> Iterator[bytes]:
    """``packets`` frames of interleaved exchanges."""
    line = Line(seed)
    rng = line.rng
    weights, makers = zip(*line.exchanges(), strict=True)
    active: list[Iterator[bytes]] = []
    made = 0
    while made < packets:
        while len(active) < 24:
            active.append(rng.choices(makers, weights)[0]())
        i = rng.randrange(len(active))
        frame = next(active[i], None)
        if frame is None:
            active[i] = active[-1]
            active.pop()
            continue
        made += 1
        yield frame


def write(path: Path, packets: int = 1_000_000, seed: int = 36) -> None:
    """A pcap (microseconds, Ethernet, snaplen 262144) of ``packets`` frames over about an hour."""
    rec = struct.Struct("<IIII")
    t = 1796601600_000000  # 2026-12-07 00:00 UTC, in microseconds
    rng = random.Random(seed + 1)
    with path.open("wb") as fp:
        fp.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        out = []
        for frame in frames(packets, seed):
            t += int(rng.expovariate(1 / 3600))
            out.append(rec.pack(t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
            out.append(frame)
            if len(out) >= 8192:
                fp.write(b"".join(out))
                out.clear()
        fp.write(b"".join(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=36)
    args = ap.parse_args()
    write(args.out, args.packets, args.seed)


if __name__ == "__main__":
    main()
