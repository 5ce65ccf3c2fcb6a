"""checks/provenance.py, one exact answer per row of its decision table (docs/ARCHITECTURE.md,
"Where the mail came from"): the verdict, the explanation's code, the deciding address and hop,
and what would settle an `unknown`, for chains in the form real servers write them.

Written after mutation testing (docs/mutation.md): the properties (the line in any hop is never
`forged`, ...) and the notice goldens left a third of the mutants alive, a wrong code or a
missing question among them. Scenarios are built inside the tests (mutmut credits a function
only to the tests that call it while they run)."""

from __future__ import annotations

import pytest

from checks import line_identity as L
from checks.provenance import decide
from checks.received import parse_chain

D = "Fri, 20 Nov 2026 05:05:33 +0000"
MX = f"from out.sender.example (out.sender.example [198.51.100.20]) by mx1.recipient.example (Postfix) with ESMTPS id 1; {D}"
HOME = f"from WIN-7Q (p4099-ipngn1201tokyo.ocn.ne.jp [198.51.100.99]) by mx1.recipient.example (Postfix) with SMTP id 2; {D}"
LINE_DIRECT = f"from WIN-7Q (p1-home.example.ne.jp [203.0.113.45]) by mx1.recipient.example (Postfix) with SMTP id 3; {D}"
RELAY_FROM_LINE = [
    f"from relay.isp.example (relay.isp.example [198.51.100.5]) by mx1.recipient.example (Postfix) with ESMTP id 4; {D}",
    f"from WIN-7Q ([203.0.113.45]) by relay.isp.example (Postfix) with ESMTP id 5; {D}",
]
LOGIN_FROM_LINE = [
    f"from smtp.isp.example (smtp.isp.example [198.51.100.6]) by mx1.recipient.example (Postfix) with ESMTPS id 6; {D}",
    f"from WIN-7Q ([203.0.113.45]) by smtp.isp.example (Postfix) with ESMTPSA id 7; {D}",
]
LOGIN_ELSEWHERE = [
    f"from smtp.isp.example (smtp.isp.example [198.51.100.6]) by mx1.recipient.example (Postfix) with ESMTPS id 6; {D}",
    f"from WIN-7Q ([192.0.2.77]) by smtp.isp.example (Postfix) with ESMTPSA id 7; {D}",
]
PRIVATE = f"from lan (unknown [10.0.0.5]) by mx1.recipient.example (Postfix) with SMTP id 8; {D}"
NEAR = f"from x (x.example [203.0.7.9]) by mx1.recipient.example (Postfix) with SMTP id 9; {D}"
HELO_LINE = f"from [203.0.113.45] (out.sender.example [198.51.100.20]) by mx1.recipient.example (Postfix) with ESMTP id 10; {D}"
V6 = f"from x (x.example [IPv6:2001:db9::1]) by mx1.recipient.example (Postfix) with ESMTP id 11; {D}"

CASES = {
    "forged, server": ([MX], ["203.0.113.45"], {}, None, None, frozenset(), False),
    "forged, home line": ([HOME], ["203.0.113.45"], {}, None, None, frozenset(), False),
    "home line, provider's notice": ([HOME], ["203.0.113.45"], {}, None, None, frozenset(), True),
    "home line of the notice's provider": (
        [HOME],
        ["203.0.113.45"],
        {},
        None,
        None,
        frozenset({"ocn.ne.jp"}),
        False,
    ),
    "spf pass server": ([MX], ["203.0.113.45"], {"spf": "pass"}, None, None, frozenset(), False),
    "dmarc pass server": (
        [MX],
        ["203.0.113.45"],
        {"dmarc": "pass"},
        None,
        None,
        frozenset(),
        False,
    ),
    "near": ([NEAR], ["203.0.113.45"], {}, None, None, frozenset(), False),
    "private origin": ([PRIVATE], ["203.0.113.45"], {}, None, None, frozenset(), False),
    "other family": ([V6], ["203.0.113.45"], {}, None, None, frozenset(), False),
    "line direct": ([LINE_DIRECT], ["203.0.113.45"], {}, None, None, frozenset(), False),
    "relayed from line": (RELAY_FROM_LINE, ["203.0.113.45"], {}, None, None, frozenset(), False),
    "login from line": (LOGIN_FROM_LINE, ["203.0.113.45"], {}, None, None, frozenset(), False),
    "login elsewhere": (LOGIN_ELSEWHERE, ["203.0.113.45"], {}, None, None, frozenset(), False),
    "line direct, cgnat": (
        [LINE_DIRECT],
        ["203.0.113.45", "100.64.1.1"],
        {},
        None,
        None,
        frozenset(),
        False,
    ),
    "server, cgnat": ([MX], ["100.64.1.1"], {}, None, None, frozenset(), False),
    "line unknown, home": ([HOME], [], {}, None, None, frozenset(), False),
    "line unknown, server": ([MX], [], {}, None, None, frozenset(), False),
    "helo line": ([HELO_LINE], ["203.0.113.45"], {}, None, None, frozenset(), False),
    "report source is line": ([MX], ["203.0.113.45"], {}, "203.0.113.45", None, frozenset(), False),
    "report source other": ([MX], ["203.0.113.45"], {}, "198.51.100.20", None, frozenset(), False),
    "report source not in chain, line in chain": (
        [LINE_DIRECT],
        ["203.0.113.45"],
        {},
        "192.0.2.9",
        None,
        frozenset(),
        False,
    ),
    "no hops": ([], ["203.0.113.45"], {}, None, None, frozenset(), False),
    "A-R login": (
        [MX],
        ["203.0.113.45"],
        {},
        None,
        ("mx1.recipient.example", "taro@example.jp"),
        frozenset(),
        False,
    ),
    "A-R login line entry": (
        [LINE_DIRECT],
        ["203.0.113.45"],
        {},
        None,
        ("mx1.recipient.example", "taro@example.jp"),
        frozenset(),
        False,
    ),
}
EXPECTED = {
    "forged, server": ("forged", "forged", "198.51.100.20", 0, []),
    "forged, home line": ("forged", "forged_home_line", "198.51.100.99", 0, []),
    "home line, provider's notice": (
        "unknown",
        "notice_home_line",
        "198.51.100.99",
        0,
        ["line_address"],
    ),
    "home line of the notice's provider": (
        "unknown",
        "maybe_this_line",
        "198.51.100.99",
        0,
        ["line_address"],
    ),
    "spf pass server": ("unknown", "authorised_server", "198.51.100.20", 0, ["account_logs"]),
    "dmarc pass server": ("unknown", "authorised_server", "198.51.100.20", 0, ["account_logs"]),
    "near": ("unknown", "maybe_this_line", "203.0.7.9", 0, ["line_address"]),
    "private origin": ("unknown", "no_internet_address", None, None, ["public_origin"]),
    "other family": ("unknown", "other_family", "2001:db9::1", 0, ["line_ipv6"]),
    "line direct": ("direct", "direct_this_line", "203.0.113.45", 0, []),
    "relayed from line": ("direct", "relayed_from_this_line", "203.0.113.45", 0, []),
    "login from line": ("account", "account_from_line", "203.0.113.45", 0, []),
    "login elsewhere": ("account", "account", "192.0.2.77", 0, []),
    "line direct, cgnat": ("unknown", "shared_address", "203.0.113.45", 0, ["source_port"]),
    "server, cgnat": (
        "unknown",
        "cgnat_unknowable",
        "198.51.100.20",
        0,
        ["line_address", "source_port"],
    ),
    "line unknown, home": ("direct", "direct_home_line", "198.51.100.99", 0, []),
    "line unknown, server": ("unknown", "need_public_ip", "198.51.100.20", 0, ["public_ip"]),
    "helo line": ("unknown", "line_mentioned", "203.0.113.45", 0, ["logs_for_line"]),
    "report source is line": ("direct", "direct_report", "203.0.113.45", None, []),
    "report source other": ("unknown", "report_names_other", "198.51.100.20", 0, ["line_address"]),
    "report source not in chain, line in chain": (
        "unknown",
        "source_conflict",
        "192.0.2.9",
        None,
        ["source_conflict"],
    ),
    "no hops": ("unknown", "need_full_headers", None, None, ["full_headers"]),
    "A-R login": ("account", "account", None, 0, []),
    "A-R login line entry": ("direct", "direct_this_line", "203.0.113.45", 0, []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_row_of_the_decision_table(name):
    headers, given, results, source, login, orgs, attributed = CASES[name]
    d = decide(
        parse_chain(headers),
        L.build(given),
        results,
        source,
        login,
        orgs,
        notice_attributes=attributed,
    )
    assert (d.verdict, d.code, d.ip, d.hop.index if d.hop else None, d.missing) == EXPECTED[name]


STATIC_LINE = (
    "from mail.taro.example (mail.taro.example [203.0.113.45]) by mx1.recipient.example"
    f" (Postfix) with ESMTP id 12; {D}"
)
SENDER_PART = [MX, f"from WIN-7Q ([203.0.113.45]) by out.sender.example with SMTP id 13; {D}"]
SENDER_LOGIN = [MX, f"from WIN-7Q ([203.0.113.45]) by out.sender.example with ESMTPSA id 14; {D}"]
HIDDEN = f"from x (unknown) by mx1.recipient.example (Postfix) with SMTP id 15; {D}"
LOGIN_BELOW = f"from pc ([192.0.2.8]) by out.sender.example with ESMTPA id 16; {D}"
AR = ("mx1.recipient.example", "taro@example.jp")
LINE = ["203.0.113.45"]
MORE = {
    "A-R login, the line's own static server": (
        [STATIC_LINE], LINE, AR,
        ("account", "account_from_line", "203.0.113.45", 0, []), "taro@example.jp",
    ),
    "the line handed down by the sender's server": (
        SENDER_PART, LINE, None,
        ("direct", "relayed_from_this_line", "203.0.113.45", 0, []), None,
    ),
    "the line handed down, shared": (
        SENDER_PART, [*LINE, "100.64.1.1"], None,
        ("unknown", "shared_address", "203.0.113.45", 0, ["source_port"]), None,
    ),
    "a login from the line, handed down": (
        SENDER_LOGIN, LINE, None,
        ("account", "account_from_line", "203.0.113.45", 0, []), None,
    ),
    "line unknown, hidden origin": (
        [HIDDEN], [], None, ("unknown", "no_internet_address", None, None, ["public_origin"]), None,
    ),
    "line known, hidden origin": (
        [HIDDEN], LINE, None, ("unknown", "no_internet_address", None, None, ["public_origin"]), None,
    ),
    "line unknown, private": (
        [PRIVATE], [], None, ("unknown", "no_internet_address", None, None, ["public_origin"]), None,
    ),
    "the line in a greeting, a login below": (
        [HELO_LINE, LOGIN_BELOW], LINE, None, ("account", "account", "192.0.2.8", 0, []), None,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(MORE))
def test_more_rows(name):
    headers, given, login, expected, auth_user = MORE[name]
    d = decide(parse_chain(headers), L.build(given), {}, None, login)
    assert (d.verdict, d.code, d.ip, d.hop.index if d.hop else None, d.missing) == expected
    assert (d.hop.auth_user if d.hop else None) == auth_user
