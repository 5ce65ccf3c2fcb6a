"""The properties that would have caught a false all-clear in the notice reader, over generated
Received chains in the forms real servers write (Postfix, Exim, Sendmail, qmail, Exchange,
Japanese providers' "with ESMTP AUTH"):

- put the line's address (any of them, or another address of its IPv6 /64) as the client of
  any hop, or as the report's source, and the verdict is never `forged`;
- write it anywhere else in a hop or a header, and it is never `forged` either;
- with the line known and absent from every hop, no login anywhere, it is never `direct` or
  `account`;
- `forged` only ever comes with the line known, not shared (CGNAT), and absent.
"""

from __future__ import annotations

import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks import line_identity
from checks.provenance import ACCOUNT, DIRECT, FORGED, decide
from checks.received import parse_chain
from tests.budget import examples

LINE_V4 = "203.0.113.45"
LINE_V6 = "2001:db8:4a:1200:8d3c:2f1:99a0:1"
SAME_64 = "2001:db8:4a:1200::bad:cafe"

# Addresses of other networks: never in the line's /16 (IPv4) or /32 (IPv6).
others_v4 = st.builds(
    lambda a, b, c: f"198.51.{a}.{b}" if c else f"192.0.2.{b}",
    st.integers(0, 255),
    st.integers(1, 254),
    st.booleans(),
)
others_v6 = st.builds(
    lambda a, b: f"2001:db9:{a:x}::{b:x}", st.integers(1, 0xFFFF), st.integers(1, 0xFFFF)
)
private = st.sampled_from(["10.0.0.5", "192.168.1.20", "172.16.3.4", "127.0.0.1", "fd00::5"])
client = st.one_of(others_v4, others_v6, private)
names = st.sampled_from(
    [
        "mx1.recipient.example",
        "relay.list.example.org",
        "smtp.provider.example.ne.jp",
        "out.forwarder.example",
        "mail.example.co.jp",
        "p1234-ipngn100.tokyo.ocn.ne.jp",
        "localhost",
        "WIN-7Q2KJ3M",
        "unknown",
    ]
)
protocols = st.sampled_from(
    ["ESMTP", "SMTP", "ESMTPS", "LMTP", "ESMTPSA", "esmtpsa", "ESMTPA", "UTF8SMTPSA", "ESMTP AUTH"]
)
DATE = "Fri, 20 Nov 2026 05:05:33 +0000"


def _fmt(ip: str) -> str:
    return f"IPv6:{ip}" if ":" in ip else ip


@st.composite
def received_line(draw, ip: str, by: str) -> str:
    """One Received line with ``ip`` as its client, in one of the layouts servers write."""
    helo, rdns, proto = draw(names), draw(names), draw(protocols)
    layout = draw(st.integers(0, 6))
    bracket = _fmt(ip)
    if layout == 0:  # Postfix
        return f"from {helo} ({rdns} [{bracket}]) by {by} (Postfix) with {proto} id 4R; {DATE}"
    if layout == 1:  # Postfix, no reverse name
        return f"from {helo} (unknown [{bracket}]) by {by} with {proto} id 7; {DATE}"
    if layout == 2:  # Exim
        return (
            f"from [{ip}] (helo={helo}) by {by} with {proto.lower()} (Exim 4.96)"
            f" (envelope-from <x@example.jp>) id 1q; {DATE}"
        )
    if layout == 3:  # Sendmail
        return f"from {helo} ({rdns} [{bracket}]) by {by} (8.17.1/8.17.1) with {proto} id 3; {DATE}"
    if layout == 4:  # qmail
        return f"from {rdns} (HELO {helo}) ({ip}) by {by} with {proto}; {DATE}"
    if layout == 5:  # Exchange
        return (
            f"from {helo} ({ip}) by {by} (2603:1096:400:1a5::8) with Microsoft SMTP Server"
            f" (version=TLS1_2) id 15.20.1; {DATE}"
        )
    return f"from {helo} ([{bracket}]) by {by} with {proto}; {DATE}"


@st.composite
def chain(draw, line_at: int | None = None, line_ip: str = LINE_V4) -> tuple[list[str], int]:
    """Received headers newest first: the recipient's own relays, then 1–5 more. With
    ``line_at``, the hop at that position (counted from the oldest, modulo the length) has the
    line's address as its client."""
    size = draw(st.integers(1, 6))
    hops = []
    by = "mx1.recipient.example"
    for _i in range(size):
        ip = draw(client)
        hops.append((ip, by))
        by = draw(names) if draw(st.booleans()) else by
    at = None
    if line_at is not None:
        at = line_at % size
        oldest_first = list(reversed(hops))
        oldest_first[at] = (line_ip, oldest_first[at][1])
        hops = list(reversed(oldest_first))
    lines = [draw(received_line(ip, by)) for ip, by in hops]
    top = [f"from localhost (localhost [127.0.0.1]) by mx1.recipient.example with LMTP; {DATE}"]
    return top + lines if draw(st.booleans()) else lines, at


lines_of = st.lists(st.sampled_from([LINE_V4, LINE_V6]), min_size=1, max_size=2, unique=True)
results = st.sampled_from(
    [{}, {"spf": "fail"}, {"spf": "softfail", "dmarc": "fail"}, {"spf": "pass"}, {"dmarc": "none"}]
)
logins = st.one_of(st.none(), st.just(("mx1.recipient.example", "taro@example.jp")))

SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(st.data(), lines_of, results, logins, st.integers(0, 20))
def test_the_line_as_the_client_of_any_hop_is_never_forged(data, given_ips, res, login, where):
    line_ip = data.draw(
        st.sampled_from([*given_ips, SAME_64] if LINE_V6 in given_ips else given_ips)
    )
    headers, _at = data.draw(chain(line_at=where, line_ip=line_ip))
    hops = parse_chain(headers)
    assert any(h.client_ip == line_ip for h in hops), headers  # the parser sees the client
    line = line_identity.build(given_ips)
    verdict = decide(hops, line, res, None, login).verdict
    assert verdict != FORGED, (headers, line_ip)


@SETTINGS
@given(st.data(), results, st.sampled_from([LINE_V4, LINE_V6]))
def test_the_line_as_the_reports_source_is_never_forged(data, res, line_ip):
    headers, _at = data.draw(chain())
    line = line_identity.build([LINE_V4, LINE_V6])
    assert decide(parse_chain(headers), line, res, line_ip).verdict != FORGED


@SETTINGS
@given(st.data(), results, st.sampled_from(["helo", "comment", "header"]))
def test_the_line_written_anywhere_else_is_never_forged(data, res, where):
    headers, _at = data.draw(chain())
    extra: list[tuple[str, str]] = []
    if where == "helo":
        headers[-1] = headers[-1].replace("from ", f"from [{LINE_V4}] (", 1).replace(" (", ") (", 1)
    elif where == "comment":
        headers[0] = headers[0].replace(" by ", f" (originally {LINE_V4}) by ", 1)
    else:
        extra = [("X-Originating-IP", f"[{LINE_V4}]")]
    line = line_identity.build(LINE_V4)
    assert decide(parse_chain(headers), line, res, None, None, frozenset(), extra).verdict != FORGED


def _no_login(headers: list[str]) -> bool:
    hops = parse_chain(headers)
    return not any(h.authenticated for h in hops)


@SETTINGS
@given(st.data(), lines_of, results)
def test_without_the_line_and_without_a_login_it_is_never_direct_or_account(data, given_ips, res):
    headers, _at = data.draw(chain())
    if not _no_login(headers):
        return
    line = line_identity.build(given_ips)
    assert decide(parse_chain(headers), line, res).verdict not in (DIRECT, ACCOUNT)


@SETTINGS
@given(
    st.data(),
    st.lists(st.sampled_from([LINE_V4, LINE_V6, "100.64.7.9", "nonsense"]), max_size=3),
    results,
    logins,
)
def test_forged_only_with_the_line_known_unshared_and_absent(data, given_ips, res, login):
    headers, _at = data.draw(chain())
    line = line_identity.build(given_ips)
    d = decide(parse_chain(headers), line, res, None, login)
    if d.verdict != FORGED:
        return
    assert line.known and not line.cgnat
    for hop in parse_chain(headers):
        assert line.match(hop.client_ip)[0] == line_identity.OTHER
    version = ipaddress.ip_address(d.ip).version
    assert version in line.families()


@SETTINGS
@given(st.data(), lines_of, results)
def test_a_home_line_the_providers_notice_attributes_to_this_contract_is_never_forged(
    data, given_ips, res
):
    """The provider's own notice says the mail came from this contract and quotes it: when it
    came from a home line (dynamic pools span many blocks), that may be this line's address at
    the time, whatever block it is in. Only the provider can say; never an all-clear."""
    headers, _at = data.draw(chain())
    home = f"from WIN-7Q2KJ3M (p4099-ipngn1201tokyo.ocn.ne.jp [198.51.100.99]) by mx.isp.example with SMTP; {DATE}"
    headers = [*headers, home]
    line = line_identity.build(given_ips)
    hops = parse_chain(headers)
    sample_only = decide(hops, line, res)
    attributed = decide(hops, line, res, notice_attributes=True)
    assert attributed.verdict != FORGED, headers
    if sample_only.verdict != FORGED:
        assert attributed.verdict == sample_only.verdict
