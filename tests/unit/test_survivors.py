"""Each bug that survived the planted-bug run (issue 20), as the user-facing property it
protects: a test that fails when that judgement is wrong."""

from datetime import UTC, datetime, timedelta

from checks import blocklist
from checks.blocklist import ZoneAnswer
from checks.model import Status
from checks.probes.listeners import Listener, ListenerFacts
from checks.probes.mail_connections import Observation, WatchFacts
from checks.probes.processes import ProcessInfo
from checks.proxy import interpret as interpret_proxy
from checks.redact import redact_cmdline
from checks.smtp import interpret_outbound

T0 = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)


def proc(name, exe, pid=4242):
    return ProcessInfo(pid=pid, create_time=1763600000.0, name=name, exe=exe, exe_exists=True)


def watch(owner, port, platform="windows"):
    obs = Observation("192.168.1.5", 50000, "198.51.100.10", port, T0, T0, ["ESTABLISHED"], owner)
    return WatchFacts(platform, T0, T0 + timedelta(minutes=5), 3000, [obs], True, None, True)


def test_a_known_mail_client_in_an_unusual_folder_warns_even_on_587():
    usual = proc("thunderbird.exe", "C:/Program Files/Mozilla Thunderbird/thunderbird.exe")
    assert interpret_outbound(watch(usual, 587)).status == Status.PASS
    odd = proc("thunderbird.exe", "D:/Tools/tb/thunderbird.exe")  # not Downloads, not hidden
    r = interpret_outbound(watch(odd, 587))
    assert r.status == Status.WARN and "unusual folder" in r.summary


def test_proxy_open_speaks_about_the_worst_finding():
    facts = ListenerFacts(
        platform="linux",
        observed_at=T0,
        listeners=[
            Listener("0.0.0.0", 3128, proc("squid", "/usr/sbin/squid", 10)),
            Listener("0.0.0.0", 1080, proc("kworkerd", "/tmp/.x/kworkerd", 11)),
        ],
        complete=True,
        incomplete_reason=None,
        admin=True,
    )
    r = interpret_proxy(facts)
    assert r.status == Status.FAIL
    assert "kworkerd" in r.summary and "squid" not in r.summary
    assert r.advice[0].startswith("Disconnect this PC")


def test_forged_is_refused_when_the_senders_domain_authorises_the_server():
    from checks import line_identity
    from checks.provenance import FORGED, decide
    from checks.received import parse_chain

    hops = parse_chain(
        [
            "from mail.elsewhere.example (mail.elsewhere.example [198.51.100.77]) by"
            " mx.recipient.example with ESMTP; Fri, 20 Nov 2026 05:00:00 +0000"
        ]
    )
    line = line_identity.build("203.0.113.45")
    for results in ({"spf": "softfail", "dmarc": "none"}, {}, {"spf": "fail", "dmarc": "fail"}):
        assert decide(hops, line, results).verdict == FORGED, results
    for results in ({"spf": "pass"}, {"dmarc": "pass"}, {"spf": "fail", "dmarc": "pass"}):
        assert decide(hops, line, results).code == "authorised_server", results


def test_a_multi_packet_auth_login_never_reaches_the_pcap():
    """AUTH LOGIN: 334 prompts, then the base64 user and password, each in its own packet."""
    import base64

    import pytest

    pytest.importorskip("scapy.all")
    from scapy.layers.inet import IP, TCP

    from checks.analyzer import Analyzer

    c, s = ("192.168.1.5", "198.51.100.10")
    password = base64.b64encode(b"hunter2-secret")
    user = base64.b64encode(b"taro@example.jp")

    seqs = {c: 100, s: 900}

    def seg(src, dst, sp, dp, flags, data=b""):
        pkt = IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=flags, seq=seqs[src]) / data
        seqs[src] += len(data) + ("S" in flags)
        return bytes(pkt)

    packets = [
        seg(c, s, 40000, 587, "S"),
        seg(s, c, 587, 40000, "SA"),
        seg(s, c, 587, 40000, "PA", b"220 mx\r\n"),
        seg(c, s, 40000, 587, "PA", b"EHLO pc\r\n"),
        seg(s, c, 587, 40000, "PA", b"250 AUTH LOGIN\r\n"),
        seg(c, s, 40000, 587, "PA", b"AUTH LOGIN\r\n"),
        seg(s, c, 587, 40000, "PA", b"334 VXNlcm5hbWU6\r\n"),
        seg(c, s, 40000, 587, "PA", user + b"\r\n"),
        seg(s, c, 587, 40000, "PA", b"334 UGFzc3dvcmQ6\r\n"),
        seg(c, s, 40000, 587, "PA", password + b"\r\n"),
        seg(s, c, 587, 40000, "PA", b"235 ok\r\n"),
        seg(c, s, 40000, 587, "PA", b"MAIL FROM:<taro@example.jp>\r\n"),
    ]
    a = Analyzer()
    kept = b"".join(a.feed(1763600000 + i, p, scrub=True) or p for i, p in enumerate(packets))
    assert password not in kept and user not in kept and b"hunter2" not in kept
    assert b"MAIL FROM:<****@example.jp>" in kept  # after the exchange, commands are kept


def test_colon_forms_of_secret_options_are_masked():
    assert redact_cmdline(["app", "password:hunter2"]) == ["app", "password:***"]
    assert redact_cmdline(["app", "--auth-token:abc"]) == ["app", "--auth-token:***"]
    assert redact_cmdline(["app", "--user", "taro"]) == ["app", "--user", "taro"]


def test_a_check_that_answers_after_its_timeout_is_not_delivered_again():
    import time

    from checks.model import CheckSpec, Result
    from checks.runner import run_checks

    def slow(ctx):
        time.sleep(1.0)  # answers after its 0.3 s limit, while the other check still runs
        return Result("T-LATE", Status.PASS, "fine")

    def other(ctx):
        time.sleep(1.6)
        return Result("T-OTHER", Status.PASS, "fine")

    delivered = []
    results = run_checks(
        [CheckSpec("T-LATE", "late", slow, timeout=0.3), CheckSpec("T-OTHER", "other", other)],
        on_result=delivered.append,
        platform="linux",
        admin=False,
    )
    late = [r for r in delivered if r.id == "T-LATE"]
    assert len(late) == 1 and late[0].status == Status.UNKNOWN and late[0].reason == "timed_out"
    assert {r.id: r.status for r in results}["T-LATE"] == Status.UNKNOWN


def test_blocklist_return_codes_each_mean_what_spamhaus_says():
    def one(answers, zone="zen.spamhaus.org", test_ok=True, error=None):
        return blocklist.interpret("203.0.113.45", [ZoneAnswer(zone, test_ok, answers, error)])

    assert one(["127.0.0.4"]).status == Status.FAIL and "infected" in one(["127.0.0.4"]).summary
    assert one(["127.0.0.2"]).status == Status.FAIL  # SBL
    assert one(["127.0.0.3"]).status == Status.FAIL  # CSS
    assert one(["127.0.0.9"]).status == Status.FAIL  # DROP
    assert one(["127.0.0.10"]).status == Status.PASS  # PBL only: normal for a home line
    assert one(["127.0.0.11"]).reason == "policy_only"
    for refused in ("127.255.255.252", "127.255.255.254", "127.255.255.255"):
        assert one([refused]).status == Status.UNKNOWN  # never "listed"
    assert one([], test_ok=False).status == Status.UNKNOWN  # the test entry failed
    assert one([], error="Timeout").status == Status.UNKNOWN  # refused / no answer
    assert one([]).status == Status.PASS and one([]).reason == "not_listed"
    spamcop = one(["127.0.0.2"], zone="bl.spamcop.net")
    assert spamcop.status == Status.FAIL and spamcop.reason == "listed"
    assert blocklist.interpret(None, []).status == Status.UNKNOWN
