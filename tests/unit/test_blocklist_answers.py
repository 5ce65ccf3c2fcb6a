"""NET-BLOCKLIST: each way a list can answer gives exactly one answer (status, reason, advice,
params, words), and the DNS questions are asked of a real DNS server (dnslib, on loopback).

Written after mutation testing (docs/mutation.md): the older tests covered interpretation only
through the integration tests, which mutation testing does not run."""

import pytest

from checks import blocklist
from checks.blocklist import ZoneAnswer
from checks.model import Status

IP = "203.0.113.45"


def answer(result):
    words = result.words("en")
    return (
        str(result.status),
        result.reason,
        result.advice_codes,
        result.params,
        words.summary,
        words.advice,
    )


SCENARIOS = {
    "not listed anywhere": lambda: [
        ZoneAnswer("zen.spamhaus.org", True, []),
        ZoneAnswer("bl.spamcop.net", True, []),
    ],
    "spamhaus XBL": lambda: [
        ZoneAnswer("zen.spamhaus.org", True, ["127.0.0.4", "127.0.0.11"]),
        ZoneAnswer("bl.spamcop.net", True, []),
    ],
    "spamhaus SBL and spamcop": lambda: [
        ZoneAnswer("zen.spamhaus.org", True, ["127.0.0.2"]),
        ZoneAnswer("bl.spamcop.net", True, ["127.0.0.2"]),
    ],
    "only PBL": lambda: [
        ZoneAnswer("zen.spamhaus.org", True, ["127.0.0.10"]),
        ZoneAnswer("bl.spamcop.net", True, []),
    ],
    "an unknown spamhaus code": lambda: [ZoneAnswer("zen.spamhaus.org", True, ["127.0.0.42"])],
    # Spamhaus AuthBL: bots that log in to mail servers with stolen SMTP credentials (issue 34).
    "spamhaus AuthBL": lambda: [
        ZoneAnswer("zen.spamhaus.org", True, ["127.0.0.20", "127.0.0.11"]),
        ZoneAnswer("bl.spamcop.net", True, []),
    ],
    "refused through a public resolver": lambda: [
        ZoneAnswer("zen.spamhaus.org", True, ["127.255.255.254"]),
        ZoneAnswer("bl.spamcop.net", True, []),
    ],
    "test entry failed": lambda: [ZoneAnswer("zen.spamhaus.org", False, [])],
    "list did not answer": lambda: [ZoneAnswer("bl.spamcop.net", False, [], "LifetimeTimeout")],
    "listed beats unknown": lambda: [
        ZoneAnswer("zen.spamhaus.org", False, [], "NoNameservers"),
        ZoneAnswer("bl.spamcop.net", True, ["127.0.0.2"]),
    ],
    "no lists": lambda: [],
}
EXPECTED = {
    "not listed anywhere": (
        "pass",
        "not_listed",
        (),
        {"ip": IP, "names": ["zen.spamhaus.org", "bl.spamcop.net"]},
        "Your address 203.0.113.45 is on none of the lists asked (zen.spamhaus.org, bl.spamcop.net).",
        (),
    ),
    "spamhaus XBL": (
        "fail",
        "listed_infected",
        ("clean_then_delist",),
        {"ip": IP, "names": ["zen.spamhaus.org (PBL/XBL)"]},
        "Your address 203.0.113.45 is listed as infected on zen.spamhaus.org (PBL/XBL): a device on"
        " your line has been seen sending spam or attacking.",
        ("Find and clean the sending device first; then request removal on the list's website.",),
    ),
    "spamhaus SBL and spamcop": (
        "fail",
        "listed",
        ("clean_then_delist",),
        {"ip": IP, "names": ["zen.spamhaus.org (SBL)", "bl.spamcop.net (listed)"]},
        "Your address 203.0.113.45 is listed on zen.spamhaus.org (SBL), bl.spamcop.net (listed).",
        ("Find and clean the sending device first; then request removal on the list's website.",),
    ),
    "only PBL": (
        "pass",
        "policy_only",
        (),
        {"ip": IP},
        "Your address 203.0.113.45 is only on Spamhaus PBL, a list of home-line addresses that"
        " should not send mail directly. That is normal for a home line, not an accusation.",
        (),
    ),
    "an unknown spamhaus code": (
        "fail",
        "listed",
        ("clean_then_delist",),
        {"ip": IP, "names": ["zen.spamhaus.org (listed)"]},
        "Your address 203.0.113.45 is listed on zen.spamhaus.org (listed).",
        ("Find and clean the sending device first; then request removal on the list's website.",),
    ),
    "spamhaus AuthBL": (
        "fail",
        "listed_authbl",
        ("change_mail_password",),
        {"ip": IP, "names": ["zen.spamhaus.org (AuthBL/PBL)"]},
        "Your address 203.0.113.45 is listed on zen.spamhaus.org (AuthBL/PBL): it was seen logging"
        " in to mail servers with a stolen mail password. That points to a stolen password rather"
        " than to a program sending spam.",
        (
            "Change your mail password from a clean device (a phone on mobile data), look at the"
            " account's recent logins and sent mail, and do not use that password anywhere else.",
        ),
    ),
    "refused through a public resolver": (
        "unknown",
        "not_asked",
        ("use_provider_dns",),
        {"ip": IP, "names": ["zen.spamhaus.org"]},
        "Some lists could not be asked (zen.spamhaus.org): the DNS server refused or did not"
        " answer them properly.",
        ("Blocklists refuse queries from public DNS servers: use your provider's DNS server.",),
    ),
    "test entry failed": (
        "unknown",
        "not_asked",
        ("use_provider_dns",),
        {"ip": IP, "names": ["zen.spamhaus.org"]},
        "Some lists could not be asked (zen.spamhaus.org): the DNS server refused or did not"
        " answer them properly.",
        ("Blocklists refuse queries from public DNS servers: use your provider's DNS server.",),
    ),
    "list did not answer": (
        "unknown",
        "not_asked",
        ("use_provider_dns",),
        {"ip": IP, "names": ["bl.spamcop.net"]},
        "Some lists could not be asked (bl.spamcop.net): the DNS server refused or did not"
        " answer them properly.",
        ("Blocklists refuse queries from public DNS servers: use your provider's DNS server.",),
    ),
    "listed beats unknown": (
        "fail",
        "listed",
        ("clean_then_delist",),
        {"ip": IP, "names": ["bl.spamcop.net (listed)"]},
        "Your address 203.0.113.45 is listed on bl.spamcop.net (listed).",
        ("Find and clean the sending device first; then request removal on the list's website.",),
    ),
    "no lists": ("unknown", "not_asked", (), {"ip": IP, "names": []}, None, ()),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_blocklist_answer(name):
    result = blocklist.interpret(IP, SCENARIOS[name]())
    status, reason, codes, params, summary, advice = EXPECTED[name]
    got = answer(result)
    assert got[:4] == (status, reason, codes, params)
    if summary is not None:
        assert got[4:] == (summary, advice)


def test_no_public_address():
    result = blocklist.interpret(None, [])
    assert (result.status, result.reason) == (Status.UNKNOWN, "no_public_ip")
    assert result.words("en").summary.startswith("This line's public address is not known")


def test_rows_record_each_list():
    result = blocklist.interpret(IP, SCENARIOS["spamhaus XBL"]() + SCENARIOS["test entry failed"]())
    assert result.facts["ip"] == IP
    assert result.facts["zones"] == [
        {
            "zone": "zen.spamhaus.org",
            "test_entry_ok": True,
            "answers": ["127.0.0.4", "127.0.0.11"],
            "error": None,
            "lists": ["PBL", "XBL"],
            "verdict": "listed",
        },
        {
            "zone": "bl.spamcop.net",
            "test_entry_ok": True,
            "answers": [],
            "error": None,
            "verdict": "not listed",
        },
        {
            "zone": "zen.spamhaus.org",
            "test_entry_ok": False,
            "answers": [],
            "error": None,
            "verdict": "unknown",
        },
    ]
    refused = blocklist.judge_zone(ZoneAnswer("zen.spamhaus.org", True, ["127.255.255.252"]))
    assert refused["verdict"] == "unknown" and refused["meaning"] == "the list refused the query"


def test_every_spamhaus_code():
    for code, (name, kind) in blocklist.SPAMHAUS.items():
        row = blocklist.judge_zone(ZoneAnswer("zen.spamhaus.org", True, [code]))
        assert row["lists"] == [name]
        assert row["verdict"] == ("policy" if kind == "policy" else "listed"), code
    assert blocklist.SPAMHAUS["127.0.0.4"] == ("XBL", "fail")
    assert blocklist.REFUSED == {"127.255.255.252", "127.255.255.254", "127.255.255.255"}
    assert (
        blocklist.judge_zone(ZoneAnswer("b.barracudacentral.org", True, ["127.0.0.10"]))["verdict"]
        == "listed"
    )  # only Spamhaus uses 127.0.0.10 for its policy list


def test_reverse_names_for_both_families():
    assert (
        blocklist.reverse_name("203.0.113.45", "zen.spamhaus.org")
        == "45.113.0.203.zen.spamhaus.org"
    )
    assert blocklist.reverse_name("2001:db8::1", "z.example") == (
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.z.example"
    )


def test_lists_come_from_the_environment_or_the_defaults(monkeypatch):
    monkeypatch.delenv("CLEARLINE_BLOCKLISTS", raising=False)
    assert blocklist.zones() == ("zen.spamhaus.org", "bl.spamcop.net")
    assert blocklist.TEST_ENTRY == "127.0.0.2"
    monkeypatch.setenv("CLEARLINE_BLOCKLISTS", " a.example , ,b.example")
    assert blocklist.zones() == ("a.example", "b.example")
    monkeypatch.setenv("CLEARLINE_BLOCKLISTS", " , ")
    assert blocklist.zones() == ("zen.spamhaus.org", "bl.spamcop.net")


@pytest.fixture
def blocklist_dns():
    """A real DNS server on loopback that plays four lists: one that lists the user as XBL, one
    that refuses every query (as Spamhaus does for public resolvers), one that fails, and one
    whose test entry is missing."""
    from dnslib import QTYPE, RCODE, RR, A
    from dnslib.server import BaseResolver, DNSServer

    class Lists(BaseResolver):
        def resolve(self, request, handler):
            reply = request.reply()
            name = str(request.q.qname).rstrip(".")
            if request.q.qtype != QTYPE.A:
                return reply
            if name.endswith("broken.example"):
                reply.header.rcode = RCODE.SERVFAIL
            elif name.endswith("refusing.example"):
                reply.add_answer(RR(name, QTYPE.A, rdata=A("127.255.255.254"), ttl=60))
            elif name.endswith("listing.example") and name.split(".")[0] in ("2", "45"):
                code = "127.0.0.2" if name.startswith("2.") else "127.0.0.4"
                reply.add_answer(RR(name, QTYPE.A, rdata=A(code), ttl=60))
            else:
                reply.header.rcode = RCODE.NXDOMAIN
            return reply

    server = DNSServer(Lists(), port=0, address="127.0.0.1")
    server.start_thread()
    yield f"127.0.0.1:{server.server.server_address[1]}"
    server.stop()


def test_asking_a_real_dns_server(blocklist_dns):
    zones = ("listing.example", "refusing.example", "broken.example", "empty.example")
    answers = blocklist.ask(IP, zones, blocklist_dns)
    assert [(a.zone, a.test_ok, a.answers) for a in answers] == [
        ("listing.example", True, ["127.0.0.4"]),
        ("refusing.example", False, []),
        ("broken.example", False, []),
        ("empty.example", False, []),
    ]
    assert answers[2].error == "NoNameservers" and answers[0].error is None
    assert answers[3].error is None  # no test entry: the list is not usable, not "clean"
    result = blocklist.interpret(IP, answers)
    assert (result.status, result.reason) == (Status.FAIL, "listed")
    only_unusable = blocklist.interpret(IP, answers[1:])
    assert only_unusable.reason == "not_asked"
    assert only_unusable.params["names"] == ["refusing.example", "broken.example", "empty.example"]


def test_resolver_settings():
    resolver = blocklist.make_resolver("127.0.0.1:5353")
    assert (resolver.nameservers, resolver.port) == (["127.0.0.1"], 5353)
    assert (resolver.lifetime, resolver.timeout) == (4.0, 2.0)
    plain = blocklist.make_resolver("192.0.2.53")
    assert plain.nameservers == ["192.0.2.53"] and plain.port == 53
    v6 = blocklist.make_resolver("2001:db8::53")
    assert v6.nameservers == ["2001:db8::53"]


def test_every_answer_keeps_the_rows_it_rests_on():
    """The bundle's evidence is the per-list rows: every verdict carries them under its own ID."""
    policy = [ZoneAnswer("zen.spamhaus.org", True, ["127.0.0.11"])]
    for answers in ([], policy):
        result = blocklist.interpret(IP, answers)
        assert result.id == "NET-BLOCKLIST"
        assert result.facts == {"ip": IP, "zones": [blocklist.judge_zone(a) for a in answers]}
