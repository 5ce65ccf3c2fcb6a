"""Evidence holds no secret: over generated SMTP sessions, with every way a client's bytes can
be cut into segments (one byte each, as a terminal types), reordered, retransmitted after the
server's reply, on any client port (53 included), with AUTH in any case and after spaces, no
byte of the password, the AUTH exchange or the message body reaches what the capture keeps or
the summary it writes."""

from __future__ import annotations

import base64
import json
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.analyzer import Analyzer
from tests.budget import examples
from tests.traffic_golden import A, P, S, addr, ip4

CLIENT, SERVER = "192.168.1.23", "198.51.100.7"
WINDOW = 8  # a secret is found when any 8 bytes of it are kept

token = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    min_size=16,
    max_size=24,
)


def tcp(sport: int, dport: int, flags: int, seq: int, payload: bytes = b"") -> bytes:
    return (
        struct.pack("!HHIIBBHHH", sport, dport, seq % (1 << 32), 0, 5 << 4, flags, 65535, 0, 0)
        + payload
    )


@st.composite
def auth_exchange(
    draw, user: bytes, password: bytes
) -> tuple[list[tuple[str, bytes]], list[bytes]]:
    """The AUTH turns (who, bytes) and the secrets they carry."""
    verb = draw(st.sampled_from([b"AUTH", b"auth", b"Auth", b" AUTH", b"\tAUTH", b"  auth"]))
    kind = draw(st.sampled_from(["plain", "plain_later", "login", "login_initial", "cram"]))
    end = draw(st.sampled_from([b"235 2.7.0 ok\r\n", b"535 5.7.8 no\r\n", b"454 4.7.0 later\r\n"]))
    u64, p64 = base64.b64encode(user), base64.b64encode(password)
    plain = base64.b64encode(b"\0" + user + b"\0" + password)
    if kind == "plain":
        return [("c", verb + b" PLAIN " + plain + b"\r\n"), ("s", end)], [plain, password]
    if kind == "plain_later":
        return [
            ("c", verb + b" PLAIN\r\n"),
            ("s", b"334 \r\n"),
            ("c", plain + b"\r\n"),
            ("s", end),
        ], [plain, password]
    if kind == "login":
        return [
            ("c", verb + b" LOGIN\r\n"),
            ("s", b"334 VXNlcm5hbWU6\r\n"),
            ("c", u64 + b"\r\n"),
            ("s", b"334 UGFzc3dvcmQ6\r\n"),
            ("c", p64 + b"\r\n"),
            ("s", end),
        ], [u64, p64, password]
    if kind == "login_initial":
        return [
            ("c", verb + b" LOGIN " + u64 + b"\r\n"),
            ("s", b"334 UGFzc3dvcmQ6\r\n"),
            ("c", p64 + b"\r\n"),
            ("s", end),
        ], [u64, p64, password]
    response = base64.b64encode(user + b" " + password)
    return [
        ("c", verb + b" CRAM-MD5\r\n"),
        ("s", b"334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=\r\n"),
        ("c", response + b"\r\n"),
        ("s", end),
    ], [response, password]


@st.composite
def session(draw):
    user = draw(token).encode()
    password = draw(token).encode()
    body = b"BODY-" + draw(token).encode()
    turns: list[tuple[str, bytes]] = [
        ("s", b"220 mx.recipient.example ESMTP\r\n"),
        ("c", draw(st.sampled_from([b"EHLO pc\r\n", b"ehlo WIN-7Q2KJ3M\r\n", b"HELO x\r\n"]))),
        ("s", b"250-mx.recipient.example\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n"),
    ]
    auth, secrets = draw(auth_exchange(user, password))
    turns += auth
    # The sender's and the recipient's local parts are personal data: kept masked, whatever
    # form the address takes (a source route, a quoted local part holding '@', a bare address,
    # and parameters whose values repeat them: AUTH=, ORCPT=).
    sender, recipient = draw(token).encode(), draw(token).encode()
    mail = draw(
        st.sampled_from(
            [
                b"MAIL FROM:<%s@example.jp>",
                b"MAIL FROM:<%s@example.jp> AUTH=%s+40example.jp SIZE=100",
                b"MAIL FROM:%s@example.jp",
                b"MAIL FROM:<@relay.example:%s@example.jp> BODY=8BITMIME",
            ]
        )
    )
    rcpt = draw(
        st.sampled_from(
            [
                b"RCPT TO:<%s@example.org>",
                b"RCPT TO:<@relay.example,@b.example:%s@example.org>",
                b'RCPT TO:<"%s.x@y"@example.org>',
                b"RCPT TO:<a@example.org> NOTIFY=NEVER ORCPT=rfc822;%s+40example.org",
                b"RCPT TO:%s@example.org",
            ]
        )
    )
    turns += [
        ("c", mail.replace(b"%s", sender) + b"\r\n"),
        ("s", b"250 ok\r\n"),
        ("c", rcpt.replace(b"%s", recipient) + b"\r\n"),
        ("s", b"250 2.1.5 <" + recipient + b"@example.org> ok\r\n"),
        ("c", b"DATA\r\n"),
        ("s", b"354 go ahead\r\n"),
        ("c", b"Subject: hi\r\n\r\n" + body + b"\r\nAUTH PLAIN " + body + b"\r\n.\r\n"),
        ("s", b"250 2.0.0 queued\r\n"),
        ("c", b"QUIT\r\n"),
    ]
    return turns, [*secrets, body, sender, recipient]


@st.composite
def segmented(draw, turns):
    """Client turns cut into segments anywhere; some reordered within a turn, some sent again
    later (after the server's next reply)."""
    out: list[tuple[str, int, bytes]] = []  # (who, stream offset, bytes)
    offsets = {"c": 0, "s": 0}
    late: list[tuple[str, int, bytes]] = []
    for who, data in turns:
        if who == "s":
            out.append(("s", offsets["s"], data))
            offsets["s"] += len(data)
            out += late
            late = []
            continue
        cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(data) - 1)), max_size=6))))
        if draw(st.integers(0, 9)) == 0:
            cuts = list(range(1, len(data)))  # one byte per segment: a terminal
        pieces, start = [], 0
        for cut in [*cuts, len(data)]:
            if cut > start:
                pieces.append(("c", offsets["c"] + start, data[start:cut]))
                start = cut
        if len(pieces) > 1 and draw(st.booleans()):
            i = draw(st.integers(0, len(pieces) - 2))
            pieces[i], pieces[i + 1] = pieces[i + 1], pieces[i]  # out of order
        if pieces and draw(st.booleans()):
            late.append(draw(st.sampled_from(pieces)))  # retransmitted after the reply
        out += pieces
        offsets["c"] += len(data)
    return out + late


def packets(segments, cport: int, sport: int, handshake: bool) -> list[bytes]:
    cisn, sisn = 1_000_000, 4_294_967_000  # the server's numbers wrap around
    out = []
    if handshake:
        out += [
            ip4(CLIENT, SERVER, 6, tcp(cport, sport, S, cisn)),
            ip4(SERVER, CLIENT, 6, tcp(sport, cport, S | A, sisn)),
        ]
    for who, offset, data in segments:
        if who == "c":
            out.append(ip4(CLIENT, SERVER, 6, tcp(cport, sport, P | A, cisn + 1 + offset, data)))
        else:
            out.append(ip4(SERVER, CLIENT, 6, tcp(sport, cport, P | A, sisn + 1 + offset, data)))
    return out


def leaked(kept: bytes, secrets: list[bytes]) -> bytes | None:
    for secret in secrets:
        for i in range(len(secret) - WINDOW + 1):
            if secret[i : i + WINDOW] in kept:
                return secret
    return None


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.data(),
    session(),
    st.sampled_from([40000, 53, 80, 25, 1024, 65535]),
    st.sampled_from([25, 587, 2525]),
    st.booleans(),
)
def test_no_byte_of_a_secret_is_ever_kept(data, sess, cport, sport, handshake):
    turns, secrets = sess
    segs = data.draw(segmented(turns))
    analyzer = Analyzer()
    kept = b""
    for i, pkt in enumerate(packets(segs, cport, sport, handshake)):
        out = analyzer.feed(1763600000.0 + i, pkt, scrub=True)
        kept += (pkt if out is None else out)[40:]  # what a reader of the pcap could recover
    found = leaked(kept, secrets)
    assert found is None, (found, segs)
    summary = json.dumps(analyzer.summary(), default=str).encode()
    assert leaked(summary, secrets) is None


def test_a_whole_session_in_order_still_keeps_its_harmless_commands():
    """The property above would pass by keeping nothing: the commands are evidence."""
    turns = [
        ("s", b"220 mx ESMTP\r\n"),
        ("c", b"EHLO pc\r\n"),
        ("s", b"250 ok\r\n"),
        ("c", b"MAIL FROM:<taro@example.jp>\r\n"),
        ("s", b"250 ok\r\n"),
    ]
    offsets, segs = {"c": 0, "s": 0}, []
    for who, data in turns:
        segs.append((who, offsets[who], data))
        offsets[who] += len(data)
    analyzer = Analyzer()
    kept = b"".join(
        (analyzer.feed(float(i), p, scrub=True) or p)[40:]
        for i, p in enumerate(packets(segs, 40000, 25, True))
    )
    assert b"EHLO pc\r\n" in kept and b"MAIL FROM:<****@example.jp>" in kept
    assert b"220 mx ESMTP" in kept
    assert analyzer.summary()["ehlo_names"] == ["pc"]


def test_the_stream_addresses_are_real():
    assert len(addr(CLIENT)) == 4
