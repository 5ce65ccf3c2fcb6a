"""Received lines: each layout read field by field, exactly; the organisation of a host; which
addresses count as public; how a chain is walked.

Written after mutation testing (docs/mutation.md): most changes to checks/received.py went
unnoticed because the tests asked only for the verdict of whole messages. Writing these found
that a "from" inside a later comment ("by mx (Postfix, from userid 1000)", qmail's "invoked
from network") was read as the client's name."""

import pytest

from checks import received
from checks.received import Hop, org, parse_chain, parse_received, walk

LINES = {
    "postfix": "from mail-yw1-f170.example.com (mail-yw1-f170.example.com [209.85.128.170]) by mx.example.jp (Postfix) with ESMTPS id 4F1C21A00B for <taro@example.jp>; Sat, 21 Nov 2026 14:05:01 +0900 (JST)",
    "postfix submission": "from [192.168.10.23] (p1234-ipngn100.tokyo.ocn.ne.jp [203.0.113.45]) (Authenticated sender: taro@example.jp) by smtp.example.jp (Postfix) with ESMTPSA id 9A1B2C3D for <x@example.org>; Sat, 21 Nov 2026 05:04:59 +0000",
    "sendmail": "from desktop-7q2kj3m (softbank126000000001.bbtec.net [126.0.0.1]) by mail.example.net (8.15.2/8.15.2) with SMTP id 0ALF4x1b012345; Sat, 21 Nov 2026 14:04:58 +0900",
    "exim": "from [203.0.113.45] (helo=DESKTOP-7Q2KJ3M) by mx.example.org with esmtp (Exim 4.96) (envelope-from <a@b.c>) id 1tQ9a8-0001Xy-2Z for x@example.org; Sat, 21 Nov 2026 05:04:57 +0000",
    "qmail": "from p1234-ipngn100.tokyo.ocn.ne.jp (HELO DESKTOP) (taro@[203.0.113.45]) by smtp.example.ne.jp with SMTP; 21 Nov 2026 05:04:56 -0000",
    "qmail unknown rdns": "from unknown (HELO bot) (203.0.113.45) by mx.example.ne.jp with SMTP; 21 Nov 2026 05:04:55 -0000",
    "exchange ipv6": "from TYCP286MB1234.JPNP286.PROD.OUTLOOK.COM (2603:1096:400:1a5::7) by TYCP286MB5678.JPNP286.PROD.OUTLOOK.COM with HTTPS; Sat, 21 Nov 2026 05:04:54 +0000",
    "ipv4 mapped": "from client.example ([IPv6:::ffff:203.0.113.45]) by mx.example.org with ESMTP; Sat, 21 Nov 2026 05:04:53 +0000",
    "no zone": "from a.example ([198.51.100.7]) by b.example with SMTP; 21 Nov 2026 05:04:52",
    "bad date": "from a.example ([198.51.100.7]) by b.example with SMTP; yesterday",
    "no from": "by mx.example.jp (Postfix, from userid 1000) id 1234; Sat, 21 Nov 2026 05:04:51 +0000",
    "auth in comment": "from host.example (host.example [198.51.100.9]) (authenticated bits=0) by smtp.example.com (8.17/8.17) with ESMTP id abc; Sat, 21 Nov 2026 05:04:50 +0000",
    "auth as user": "from host.example ([198.51.100.9]) by smtp.example.com with ESMTP (auth as taro@example.com); Sat, 21 Nov 2026 05:04:49 +0000",
}


EXPECTED = {
    "postfix": (
        {
            "index": 3,
            "from": "mail-yw1-f170.example.com",
            "rdns": "mail-yw1-f170.example.com",
            "client_ip": "209.85.128.170",
            "by": "mx.example.jp",
            "with": "ESMTPS",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2026-11-21T05:05:01+00:00",
        },
        [],
    ),
    "postfix submission": (
        {
            "index": 3,
            "from": "[192.168.10.23]",
            "rdns": "p1234-ipngn100.tokyo.ocn.ne.jp",
            "client_ip": "203.0.113.45",
            "by": "smtp.example.jp",
            "with": "ESMTPSA",
            "authenticated": True,
            "auth_user": "taro@example.jp",
            "time_utc": "2026-11-21T05:04:59+00:00",
        },
        [],
    ),
    "sendmail": (
        {
            "index": 3,
            "from": "desktop-7q2kj3m",
            "rdns": "softbank126000000001.bbtec.net",
            "client_ip": "126.0.0.1",
            "by": "mail.example.net",
            "with": "SMTP",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2026-11-21T05:04:58+00:00",
        },
        [],
    ),
    "exim": (
        {
            "index": 3,
            "from": "DESKTOP-7Q2KJ3M",
            "rdns": None,
            "client_ip": "203.0.113.45",
            "by": "mx.example.org",
            "with": "esmtp",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2026-11-21T05:04:57+00:00",
        },
        [],
    ),
    "qmail": (
        {
            "index": 3,
            "from": "DESKTOP",
            "rdns": "p1234-ipngn100.tokyo.ocn.ne.jp",
            "client_ip": "203.0.113.45",
            "by": "smtp.example.ne.jp",
            "with": "SMTP",
            "authenticated": True,
            "auth_user": "taro",
            "time_utc": "2026-11-21T05:04:56+00:00",
        },
        ["time without zone, read as UTC"],
    ),
    "qmail unknown rdns": (
        {
            "index": 3,
            "from": "bot",
            "rdns": None,
            "client_ip": "203.0.113.45",
            "by": "mx.example.ne.jp",
            "with": "SMTP",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2026-11-21T05:04:55+00:00",
        },
        ["time without zone, read as UTC"],
    ),
    "exchange ipv6": (
        {
            "index": 3,
            "from": "TYCP286MB1234.JPNP286.PROD.OUTLOOK.COM",
            "rdns": "tycp286mb1234.jpnp286.prod.outlook.com",
            "client_ip": "2603:1096:400:1a5::7",
            "by": "tycp286mb5678.jpnp286.prod.outlook.com",
            "with": "HTTPS",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2026-11-21T05:04:54+00:00",
        },
        [],
    ),
    "ipv4 mapped": (
        {
            "index": 3,
            "from": "client.example",
            "rdns": None,
            "client_ip": "203.0.113.45",
            "by": "mx.example.org",
            "with": "ESMTP",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2026-11-21T05:04:53+00:00",
        },
        [],
    ),
    "no zone": (
        {
            "index": 3,
            "from": "a.example",
            "rdns": "a.example",
            "client_ip": "198.51.100.7",
            "by": "b.example",
            "with": "SMTP",
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2026-11-21T05:04:52+00:00",
        },
        ["time without zone, read as UTC"],
    ),
    "bad date": (
        {
            "index": 3,
            "from": "a.example",
            "rdns": "a.example",
            "client_ip": "198.51.100.7",
            "by": "b.example",
            "with": "SMTP",
            "authenticated": False,
            "auth_user": None,
            "time_utc": None,
        },
        ["unreadable time"],
    ),
    "no from": (
        {
            "index": 3,
            "from": None,
            "rdns": None,
            "client_ip": None,
            "by": "mx.example.jp",
            "with": None,
            "authenticated": False,
            "auth_user": None,
            "time_utc": "2026-11-21T05:04:51+00:00",
        },
        [],
    ),
    "auth in comment": (
        {
            "index": 3,
            "from": "host.example",
            "rdns": "host.example",
            "client_ip": "198.51.100.9",
            "by": "smtp.example.com",
            "with": "ESMTP",
            "authenticated": True,
            "auth_user": None,
            "time_utc": "2026-11-21T05:04:50+00:00",
        },
        [],
    ),
    "auth as user": (
        {
            "index": 3,
            "from": "host.example",
            "rdns": "host.example",
            "client_ip": "198.51.100.9",
            "by": "smtp.example.com",
            "with": "ESMTP",
            "authenticated": True,
            "auth_user": "taro@example.com",
            "time_utc": "2026-11-21T05:04:49+00:00",
        },
        [],
    ),
}


@pytest.mark.parametrize("name", list(LINES))
def test_received_line(name):
    hop = parse_received(LINES[name], 3)
    facts = hop.as_facts()
    assert facts.pop("raw") == " ".join(LINES[name].split())
    assert (facts, hop.warnings) == EXPECTED[name]


def test_qmail_invoked_from_network_names_no_client():
    hop = parse_received("(qmail 12345 invoked from network); 21 Nov 2026 05:04:56 -0000")
    assert (hop.from_helo, hop.client_ip, hop.by) == (None, None, None)


def test_the_chain_is_indexed_oldest_first():
    hops = parse_chain([LINES["postfix"], LINES["sendmail"]])
    assert [(h.index, h.by) for h in hops] == [(0, "mail.example.net"), (1, "mx.example.jp")]


@pytest.mark.parametrize("suffix", sorted(received._SECOND_LEVEL))
def test_organisation_under_every_second_level_suffix(suffix):
    assert org(f"mx1.mail.example.{suffix}") == f"example.{suffix}"
    assert org(suffix) == suffix  # too short to hold an organisation: left as it is


def test_organisation_of_ordinary_names():
    assert org("mx1.mail.example.com") == "example.com"
    assert org("EXAMPLE.COM.") == "example.com"
    assert org("localhost") is None  # a single label names no organisation
    assert org(None) is None and org("") is None
    assert org("203.0.113.45") is None  # an address is no organisation


@pytest.mark.parametrize(
    ("ip", "public"),
    [
        ("203.0.113.45", True),  # documentation ranges stand for real addresses in samples
        ("198.51.100.7", True),
        ("192.0.2.1", True),
        ("2001:db8::1", True),
        ("8.8.8.8", True),
        ("192.168.10.23", False),
        ("10.0.0.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("127.0.0.1", False),
        ("fe80::1", False),
        ("not an address", False),
        (None, False),
    ],
)
def test_public_addresses(ip, public):
    assert received.is_public(ip) is public


@pytest.mark.parametrize(
    ("rdns", "dynamic"),
    [
        ("p1234-ipngn100.tokyo.ocn.ne.jp", True),
        ("softbank126000000001.bbtec.net", True),
        ("203-0-113-45.example.net", True),
        ("cpe-1-2-3-4.example.com", True),
        ("mail-yw1-f170.example.com", False),
        ("mx.example.jp", False),
        (None, False),
    ],
)
def test_dynamic_names(rdns, dynamic):
    assert received.looks_dynamic(Hop(0, "", from_rdns=rdns)) is dynamic


def test_walk_from_the_newest_line():
    hops = parse_chain(
        [
            "from smtp.example.jp (smtp.example.jp [10.0.0.5]) by mx2.example.jp with ESMTP;"
            " Sat, 21 Nov 2026 05:05:03 +0000",
            LINES["sendmail"].replace("mail.example.net", "smtp.example.jp"),
            "from fake.example (fake.example [198.51.100.99]) by desktop-7q2kj3m with SMTP;"
            " Sat, 21 Nov 2026 05:04:40 +0000",
        ]
    )
    reading = walk(hops)
    assert reading.entry.client_ip == "126.0.0.1"
    assert [h.client_ip for h in reading.trusted] == ["10.0.0.5", "126.0.0.1"]
    assert [h.client_ip for h in reading.untrusted] == ["198.51.100.99"]
    assert reading.notes == [
        "1 older Received line(s) were written by the sending side and are not trusted"
    ]
    anchored = walk(hops, "198.51.100.99")
    assert anchored.entry.client_ip == "198.51.100.99" and anchored.untrusted == []
    missing = walk(hops, "192.0.2.200")
    assert missing.notes[0] == "the report's Source-IP 192.0.2.200 is in no Received line"
    assert walk([]).entry is None


def test_a_chain_of_internal_lines_has_no_entry():
    hops = parse_chain(
        [
            "from a.example.jp ([10.0.0.2]) by b.example.jp with SMTP; Sat, 21 Nov 2026 05:05:00 +0000"
        ]
    )
    reading = walk(hops)
    assert reading.entry is None
    assert reading.notes == ["no Received line shows a client outside the receiving side"]


def test_authentication_results():
    headers = [
        "mx.example.jp; spf=softfail smtp.mailfrom=example.com; dkim=none; dmarc=fail",
        "other.example; spf=pass",
    ]
    assert received.auth_results(headers) == {"spf": "softfail", "dkim": "none", "dmarc": "fail"}
    login = ["smtp.example.jp; auth=pass smtp.auth=taro@example.jp; spf=none"]
    assert received.auth_login(login) == ("smtp.example.jp", "taro@example.jp")
    assert received.auth_login(["mx.example.jp; spf=pass"]) is None


def test_keywords_in_any_case_and_semicolons_before_the_date():
    hop = parse_received(
        "FROM a.example (a.example [198.51.100.7]) BY b.example WITH ESMTPA (envelope-from"
        " <x;y@example.com>) ID 1; Sat, 21 Nov 2026 05:04:52 +0000"
    )
    assert (hop.from_helo, hop.from_rdns, hop.client_ip) == (
        "a.example",
        "a.example",
        "198.51.100.7",
    )
    assert (hop.by, hop.with_proto, hop.authenticated) == ("b.example", "ESMTPA", True)
    assert hop.time.isoformat() == "2026-11-21T05:04:52+00:00" and hop.warnings == []
    seen = parse_received(
        "from x (Y.EXAMPLE.COM [IPv6:2001:DB8::7]) by z.example; 1 Jan 2026 00:00:00 +0000"
    )
    assert (seen.from_rdns, seen.client_ip) == ("y.example.com", "2001:db8::7")


def test_a_line_without_a_date_and_a_naive_date():
    hop = parse_received("from a.example ([198.51.100.7]) by b.example with SMTP")
    assert hop.time is None and hop.warnings == []
    naive = parse_received("from a ([198.51.100.7]) by b; 21 Nov 2026 05:04:52")
    assert naive.time.tzinfo is not None and naive.time.utcoffset().total_seconds() == 0


def test_qmail_unknown_in_capitals_and_a_helo_in_brackets():
    hop = parse_received(
        "from Unknown (HELO x) (198.51.100.9) by mx.example.ne.jp with SMTP; 1 Jan 2026 00:00:00 +0000"
    )
    assert hop.from_rdns is None and hop.from_helo == "x"
    bracket = parse_received("from (mail.example.com) by mx.example.jp; 1 Jan 2026 00:00:00 +0000")
    assert bracket.from_helo == "mail.example.com"
    numeric = parse_received(
        "from 198.51.100.9 (HELO x) (198.51.100.9) by mx.example.ne.jp; 1 Jan 2026 00:00:00 +0000"
    )
    assert numeric.from_rdns is None and numeric.client_ip == "198.51.100.9"


def test_a_plain_smtp_line_is_not_authenticated():
    hop = parse_received("from a ([198.51.100.7]) by b with ESMTPS; 1 Jan 2026 00:00:00 +0000")
    assert hop.authenticated is False


def test_raw_lines_are_kept_to_1000_characters():
    hop = parse_received(
        "from a ([198.51.100.7]) by b (" + "x" * 2000 + "); 1 Jan 2026 00:00:00 +0000"
    )
    assert len(hop.as_facts()["raw"]) == 1000


def test_organisations_of_odd_names():
    assert org("[203.0.113.45]") is None
    assert org("example.co.jp") == "example.co.jp"
    assert org("mail.example.com.") == "example.com"
    assert org("a.b.example.com") == "example.com"
    assert org("x.co.jp") == "x.co.jp"
    assert received.looks_dynamic(Hop(0, "", from_rdns="")) is False


def test_walking_keeps_notes_and_slices_exact():
    hops = parse_chain(
        [
            "from relay.example.jp (relay.example.jp [10.0.0.5]) by mx.example.jp; 1 Jan 2026 00:00:03 +0000",
            "from a.example (a.example [198.51.100.7]) by relay.example.jp; 1 Jan 2026 00:00:02 +0000",
            "from b.example (b.example [198.51.100.8]) by a.example; 1 Jan 2026 00:00:01 +0000",
            "from c.example (c.example [198.51.100.9]) by b.example; 1 Jan 2026 00:00:00 +0000",
        ]
    )
    anchored = walk(hops, "198.51.100.8")
    assert anchored.notes == []
    assert [h.client_ip for h in anchored.trusted] == ["10.0.0.5", "198.51.100.7", "198.51.100.8"]
    assert [h.client_ip for h in anchored.untrusted] == ["198.51.100.9"]
    assert walk([]).notes == []


def test_the_oldest_public_line_of_one_organisation_is_the_entry():
    hops = parse_chain(
        [
            "from out.example.jp (out.example.jp [203.0.113.10]) by mx.example.jp; 1 Jan 2026 00:00:01 +0000",
        ]
    )
    reading = walk(hops)
    assert reading.entry is not None and reading.entry.client_ip == "203.0.113.10"
    inner = parse_chain(
        [
            "from out.example.jp (out.example.jp [203.0.113.10]) by mx.example.jp; 1 Jan 2026 00:00:02 +0000",
            "from pc.example.jp (pc.example.jp [192.168.1.2]) by out.example.jp; 1 Jan 2026 00:00:01 +0000",
        ]
    )
    assert walk(inner).entry is None  # the same organisation all the way down to a private address


def test_the_sending_providers_own_lines_are_followed():
    hops = parse_chain(
        [
            "from smtp.provider.example (smtp.provider.example [198.51.100.20]) by mx.example.jp;"
            " 1 Jan 2026 00:00:03 +0000",
            "from sub.provider.example (sub.provider.example [10.1.0.2]) by smtp.provider.example;"
            " 1 Jan 2026 00:00:02 +0000",
            "from pc (p1.dyn.example.net [203.0.113.45]) by sub.provider.example with ESMTPA;"
            " 1 Jan 2026 00:00:01 +0000",
            "from fake (fake [192.0.2.66]) by pc; 1 Jan 2026 00:00:00 +0000",
        ]
    )
    reading = walk(hops)
    chain = received.sender_chain(reading)
    assert [h.by for h in chain] == ["smtp.provider.example", "sub.provider.example"]
    assert chain[-1].client_ip == "203.0.113.45"
    assert received.sender_chain(walk([])) == []
    stranger = parse_chain(
        [
            "from smtp.provider.example (smtp.provider.example [198.51.100.20]) by mx.example.jp;"
            " 1 Jan 2026 00:00:01 +0000",
            "from x (x [198.51.100.30]) by smtp.other.example; 1 Jan 2026 00:00:00 +0000",
        ]
    )
    assert received.sender_chain(walk(stranger)) == []


def test_authentication_words_in_any_case():
    assert received.auth_results(["mx.example.jp; SPF=Pass"]) == {"spf": "pass"}
    assert received.auth_login(["  "]) is None
    login = received.auth_login(["Smtp.Example.JP 1; auth=pass smtp.auth=u; x=y; z=w"])
    assert login == ("smtp.example.jp", "u")


def test_an_authentication_results_header_naming_no_server_records_no_login():
    # "Authentication-Results: ; auth=pass smtp.auth=taro" crashed the notice reader: a login
    # no server vouches for is no login to believe, and the next header may still name one.
    assert received.auth_login(["; auth=pass smtp.auth=taro"]) is None
    assert received.auth_login(
        ["  ; auth=pass smtp.auth=taro", "mx.example; auth=pass smtp.auth=hanako"]
    ) == (
        "mx.example",
        "hanako",
    )
