"""checks/line_identity.py, one exact answer per situation: how an address relates to the line
(the same address, the same IPv6 /64, the same provider's block, elsewhere), what the line is
built from (the user's words, the notice, this PC, the router, what the internet sees) and when
it is shared (carrier-grade NAT), and where its address is written in a text.

Written after mutation testing (docs/mutation.md): the notice reader's properties kept the
verdicts right even when these answers were wrong (a /64 neighbour then read as "mentioned"),
so each answer is pinned here. Scenarios are built inside the tests (mutmut credits a function
only to the tests that call it while they run)."""

from __future__ import annotations

import pytest

from checks import line_identity as L

V4 = "203.0.113.45"
V6 = "2001:db8:4a:1200:8d3c:2f1:99a0:1"


def line(*given: str) -> L.LineIdentity:
    return L.build(list(given))


@pytest.mark.parametrize(
    ("given", "ip", "relation", "to"),
    [
        ((V4,), V4, L.EXACT, V4),
        ((V4,), "203.0.7.9", L.NEAR, V4),  # the same IPv4 /16
        ((V4,), "203.1.113.45", L.OTHER, None),
        ((V6,), V6, L.EXACT, V6),
        ((V6,), "2001:db8:4a:1200::bad:cafe", L.PREFIX, V6),  # the same /64: the same line
        ((V6,), "2001:db8:ffff::1", L.NEAR, V6),  # the same /32: the provider's block
        ((V6,), "2001:db9::1", L.OTHER, None),
        ((V4,), "2001:db8:4a:1200::1", L.OTHER, None),  # no IPv6 of the line known
        ((V6,), V4, L.OTHER, None),
        ((V4, V6), "2001:db8:4a:1200::7", L.PREFIX, V6),
        ((V4, V6), "203.0.200.1", L.NEAR, V4),
        ((V4,), "not an address", L.OTHER, None),
        ((V4,), None, L.OTHER, None),
        ((V4,), "::ffff:203.0.113.45", L.EXACT, V4),  # IPv4-mapped, as some servers write it
    ],
)
def test_how_an_address_relates_to_the_line(given, ip, relation, to):
    found, address = line(*given).match(ip)
    assert found == relation
    assert (address.ip if address else None) == to
    assert line(*given).is_line(ip) is (relation in (L.EXACT, L.PREFIX))


def test_a_prefix_match_wins_over_a_near_one_whatever_the_order():
    near_first = L.build(["2001:db8:ffff::1", V6])
    assert near_first.match("2001:db8:4a:1200::9") == (L.PREFIX, near_first.public[1])
    v6_twice = L.build(["2001:db8:4a:1200::1", "2001:db8:ffff::1"])
    assert v6_twice.match("2001:db8:ffff::2")[0] == L.PREFIX  # its own /64 before the /32


def test_the_line_from_every_source_each_once():
    nat = {
        "addresses": [
            {"address": "2001:db8:4a:1200::10"},  # a global address on this PC
            {"address": "192.168.1.20"},  # private: not the line's
            {"address": "fe80::1"},
            "junk",
        ],
        "public_ip": "198.51.100.7",
        "public_ip_source": "upnp",
    }
    built = L.build([V4, "nonsense", V4], ["203.0.113.99"], nat)
    assert [(a.ip, a.source) for a in built.addresses] == [
        (V4, L.GIVEN),
        ("203.0.113.99", L.NOTICE),
        ("2001:db8:4a:1200::10", L.THIS_PC),
        ("198.51.100.7", L.ROUTER),
    ]
    assert built.ignored == ("nonsense",)
    assert not built.cgnat and built.cgnat_reason is None
    assert built.known and built.families() == {4, 6}
    assert L.build(None, None, {"public_ip": "198.51.100.7"}).addresses[0].source == L.OBSERVED


@pytest.mark.parametrize(
    ("given", "nat", "reason", "sources"),
    [
        (["100.64.7.9"], None, "given_cgnat", [("100.64.7.9", L.GIVEN)]),
        (
            [],
            {"public_ip": "100.70.1.2", "public_ip_source": "upnp"},
            "router_wan_cgnat",
            [("100.70.1.2", L.ROUTER)],
        ),
        (
            [],
            {"router_wan_ip": "198.51.100.1", "observed_public_ip": "198.51.100.2"},
            "wan_differs",
            [("198.51.100.1", L.ROUTER), ("198.51.100.2", L.OBSERVED)],
        ),
        ([], {"router_wan_ip": "198.51.100.1", "observed_public_ip": "198.51.100.1"}, None, []),
        ([], {"cgnat": True}, "router_wan_cgnat", []),
        (["100.64.7.9"], {"cgnat": True}, "given_cgnat", [("100.64.7.9", L.GIVEN)]),
    ],
)
def test_when_the_line_shares_its_address(given, nat, reason, sources):
    built = L.build(given, None, nat)
    assert (built.cgnat, built.cgnat_reason) == (reason is not None, reason)
    assert [(a.ip, a.source) for a in built.addresses] == sources
    assert not any(a.kind == "cgnat" for a in built.public)  # never what the internet sees


def test_the_line_as_the_words_show_it():
    assert L.build([V4, V6, "2001:db8:4a:1200::2"]).shown() == (
        "203.0.113.45, 2001:db8:4a:1200::/64"
    )
    assert L.build(["100.64.7.9"]).shown() == ""
    facts = L.build([V4, "x"], None, {"cgnat": True}).as_facts()
    assert facts == {
        "addresses": [{"ip": V4, "source": "given", "kind": facts["addresses"][0]["kind"]}],
        "cgnat": True,
        "cgnat_reason": "router_wan_cgnat",
        "ignored": ["x"],
    }


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Received: from x ([203.0.113.45])", V4),
        ("originally 203.0.113.45:5293057", V4),  # a port after it
        ("203.0.113.450 is another", None),
        ("1203.0.113.45 is another", None),
        ("203.0.113.4 is another", None),
        ("via [IPv6:2001:db8:4a:1200::bad]", "2001:db8:4a:1200::bad"),  # its /64
        ("via 2001:db8:ffff::1", None),  # only the provider's block
        ("nothing here", None),
    ],
)
def test_where_the_lines_address_is_written(text, found):
    assert L.build([V4, V6]).mentioned_in(text) == found


def test_an_ipv4_only_line_is_not_looked_for_in_ipv6_text():
    assert L.build([V4]).mentioned_in("via 2001:db8:4a:1200::bad") is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("from a ([203.0.113.45]) by b (2001:db8::1)", [V4, "2001:db8::1"]),
        ("[IPv6:2001:db8::5] and ipv6:2001:db8::6", ["2001:db8::5", "2001:db8::6"]),
        ("::ffff:203.0.113.45 twice 203.0.113.45", [V4]),
        ("version 1.2.3 and 10.0.0.256", []),
    ],
)
def test_every_address_in_a_text(text, found):
    assert L.addresses_in(text) == found


@pytest.mark.parametrize(
    ("values", "tokens"),
    [
        (None, []),
        ("", []),
        ("203.0.113.45", ["203.0.113.45"]),
        ("203.0.113.45, 2001:db8::1", ["203.0.113.45", "2001:db8::1"]),
        (
            "203.0.113.45、198.51.100.7;192.0.2.1 203.0.113.45",
            ["203.0.113.45", "198.51.100.7", "192.0.2.1"],
        ),
        (["a,b", "b c"], ["a", "b", "c"]),
    ],
)
def test_what_the_user_typed_is_split_into_addresses(values, tokens):
    assert L.split_given(values) == tokens


def test_an_address_the_notice_names_is_the_lines_only_when_a_line_can_have_it():
    # Found by sweeping 5,760 real mails: a bounce's words name "127.0.0.1" beside "from", an
    # Exchange report 10.1.1.33. A line's address is on the internet (or the provider's
    # shared space): made the line's, an internal hop of the sender's own network with that
    # address would read as "your line sent it".
    named = ["127.0.0.1", "0.0.0.0", "10.1.1.33", "192.168.1.20", "fd00::1", "fe80::1", "ff02::1"]
    assert L.build(None, named, None).addresses == ()
    kept = L.build(None, [*named, "203.0.113.99", "100.64.1.1", "2001:db8::25"], None)
    assert [(a.ip, a.source) for a in kept.addresses] == [
        ("203.0.113.99", L.NOTICE),
        ("100.64.1.1", L.NOTICE),
        ("2001:db8::25", L.NOTICE),
    ]
