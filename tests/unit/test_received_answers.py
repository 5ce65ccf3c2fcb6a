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
            "from": "[203.0.113.45]",
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
