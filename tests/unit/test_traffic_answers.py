"""What the capture analyser keeps of every packet and concludes, for each structure in
tests/traffic_golden.py (the kept bytes are what reaches the evidence)."""

import pytest

from tests.traffic_golden import GOLDEN, SCENARIOS, as_text, record


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_kept_bytes_summary_and_verdicts_are_what_was_read_and_checked(name):
    expected = (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
    assert as_text(record(name)) == expected, (
        "capture record changed: if deliberate, run tools/regen_golden.py and read the diff"
    )


def test_no_secret_of_any_scenario_is_kept():
    """Bodies, AUTH lines, what follows STARTTLS, padding and fragments never reach the file,
    and local parts of addresses are masked."""
    secrets = [
        "secret body",
        "private words",
        "more body",
        "dGFyby55YW1hZGFAaXNwLmV4YW1wbGUuanA=",  # the user name, base64
        "aHVudGVyMg==",  # the password, base64
        "hidden@",
        "inside tls",
        "taro.yamada@",
        "yuki@",
        "HELO padding",
        "not a header",
        "icmp-echo",
        "https",
        "0123456789",
    ]
    for name in SCENARIOS:
        kept = " ".join(k["payload"] for k in record(name)["kept"] if isinstance(k, dict))
        for secret in secrets:
            assert secret not in kept, (name, secret)


def _bot_summary():
    return record("bot_direct")["summary"]


def test_a_summary_saved_before_answered_servers_were_counted_still_reads():
    """Cases written by the first round hold no "direct_answered": whether any server answered
    decides between "connected" and "tried", as it did then."""
    from checks.traffic import interpret

    summary = _bot_summary()
    for p in summary["programs"]:
        del p["direct_answered"]
    smtp = interpret(summary, "windows", True, "c.pcap")[0]
    assert (smtp.reason, smtp.params["n"]) == ("direct", 3)
    for p in summary["programs"]:
        p["sessions"], p["messages_accepted"] = 0, 0
    smtp = interpret(summary, "windows", True, "c.pcap")[0]
    assert (smtp.reason, smtp.params["n"]) == ("direct_unanswered", 3)
    for p in summary["programs"]:
        p["messages_accepted"] = 1  # a message accepted is an answer, sessions or not
    assert interpret(summary, "windows", True, "c.pcap")[0].reason == "direct"


def test_lookups_are_counted_by_domain_when_known_else_by_query():
    from checks.traffic import interpret

    summary = _bot_summary()
    assert interpret(summary, "windows", True, "c.pcap")[1].params["n"] == 2
    for p in summary["programs"]:
        p["mx_domains"] = None  # an older summary: only the number of lookups
        p["mx_queries"] = 5
    assert interpret(summary, "windows", True, "c.pcap")[1].params["n"] == 5


def test_connections_not_followed_are_never_a_pass():
    from checks.traffic import interpret

    summary = record("auth_login_587")["summary"]  # a known mail client only: a pass
    assert interpret(summary, "windows", True, "c.pcap")[0].status == "pass"
    summary["flows_not_tracked"] = 3
    smtp = interpret(summary, "windows", True, "c.pcap")[0]
    assert smtp.status == "unknown"
    assert "3 more connections to mail servers could not be followed" in smtp.words("en").summary
