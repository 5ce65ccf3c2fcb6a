"""What the capture analyser keeps of every packet and concludes, for each structure in
tests/traffic_golden.py (the kept bytes are what reaches the evidence)."""

import struct

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
        "first body",
        "second body",
        "bare line ends",
        "dGFyby55YW1hZGFAaXNwLmV4YW1wbGUuanA=",  # the user name, base64
        "aHVudGVyMg==",  # the password, base64
        "dGFybwB0YXJv",  # AUTH PLAIN, refused or not
        "hidden@",
        "inside tls",
        "taro.yamada@",
        "yuki@",
        "HELO padding",
        "not a header",
        "icmp-echo",
        "https",
        "0123456789",
        "m" * 100,  # a local part longer than any real one is masked all the same
        "bot@",
        "victim@",
        "one\r\n",
        "four\r\n",
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
        del p["direct_answered"], p["direct_refused"]
    smtp = interpret(summary, "windows", True, "c.pcap")[0]
    assert (smtp.reason, smtp.params["n"]) == ("direct", 3)
    for p in summary["programs"]:
        p["sessions"], p["messages_accepted"] = 0, 0
    smtp = interpret(summary, "windows", True, "c.pcap")[0]
    assert (smtp.reason, smtp.params["n"]) == ("direct_unanswered", 3)
    for p in summary["programs"]:
        p["messages_accepted"] = 1  # a message accepted is an answer, sessions or not
    assert interpret(summary, "windows", True, "c.pcap")[0].reason == "direct"
    for p in summary["programs"]:
        del p["messages_accepted"]
    assert interpret(summary, "windows", True, "c.pcap")[0].reason == "direct_unanswered"
    for p in summary["programs"]:
        del p["sessions"]  # older still: nothing says whether it answered, as then: "connected"
    assert interpret(summary, "windows", True, "c.pcap")[0].reason == "direct"


def test_any_undecoded_frame_makes_a_clean_capture_unknown_and_most_says_so():
    from checks.traffic import interpret

    summary = record("auth_login_587")["summary"]  # a pass when every frame is read
    for frames, undecoded, reason in (
        (10, 0, "known_clients_only"),
        (10, 1, "some_undecoded_unknown"),
        (10, 5, "some_undecoded_unknown"),
        (10, 6, "mostly_undecoded"),
    ):
        summary.update(frames=frames, frames_undecoded=undecoded)
        smtp = interpret(summary, "windows", True, "c.pcap")[0]
        assert smtp.reason == reason, (frames, undecoded)
        assert (smtp.status == "pass") is (undecoded == 0), (frames, undecoded)
    summary.update(frames=1, frames_undecoded=1)
    assert interpret(summary, "windows", True, "c.pcap")[0].reason == "mostly_undecoded"


def test_both_notes_are_kept_when_a_capture_began_mid_session_and_lost_flows():
    from checks.traffic import interpret

    summary = record("auth_login_587")["summary"]
    summary.update(flows_without_handshake=2, flows_not_tracked=3)
    smtp, mx = interpret(summary, "windows", True, "c.pcap")
    assert smtp.params["also"] == ["mid_session", "not_all_followed"]
    assert mx.params["also"] == []


def test_a_summary_without_owners_names_no_program_and_no_host():
    from checks.analyzer import Analyzer

    a = Analyzer()
    for i, packet in enumerate(_syn_and_reply()):
        a.feed(float(i), packet)
    (program,) = a.summary()["programs"]
    assert (program["program"], program["host"]) == (None, None)
    (by_host,) = a.summary(by_host=True)["programs"]
    assert by_host["host"] == "192.168.1.23"


def _syn_and_reply():
    return [
        ip4("192.168.1.23", "198.51.100.7", 6, tcp(40000, 25, S)),
        ip4("198.51.100.8", "192.168.1.23", 6, tcp(25, 40001, P | A, b"250 ok\r\n")),
    ]


def test_a_live_capture_hands_every_new_connection_to_attribution_once():
    from checks.analyzer import Analyzer

    live, offline = Analyzer(track_new_flows=True), Analyzer()
    assert live.new_flows == [] and offline.new_flows == []
    for i, packet in enumerate(_syn_and_reply() * 2):
        live.feed(float(i), packet)
        offline.feed(float(i), packet)
    pc, mx, mx2 = addr("192.168.1.23"), addr("198.51.100.7"), addr("198.51.100.8")
    assert live.new_flows == [(pc, 40000, mx, 25), (pc, 40001, mx2, 25)]
    assert offline.new_flows == []


def test_the_words_of_a_finding_stored_without_its_program_or_scope():
    """Results stored by older versions lack some parameters: the words still read."""
    from checks.model import Result

    bare = Result("TRAFFIC-SMTP", "fail", "direct", {"n": 2, "where": "c.pcap"})
    assert bare.words("en").summary.startswith("A program that ended before it could be identified")
    line = Result("TRAFFIC-SMTP", "fail", "direct", {"n": 2, "attributed": False})
    assert line.words("en").summary.startswith("A device on your line connected")
    pid_only = Result("TRAFFIC-SMTP", "fail", "direct", {"n": 2, "pid": 0})
    assert "(pid 0)" in pid_only.words("en").summary


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


# --- the packet readers at their edges ------------------------------------------------------------

from tests.traffic_golden import A, P, S, addr, dns, ip4, ip6, tcp, udp  # noqa: E402


def test_parse_ip_at_its_edges():
    from checks.packet import parse_ip

    pc, mx = addr("192.168.1.23"), addr("198.51.100.7")
    assert parse_ip(bytes(19)) is None
    bare = ip4("192.168.1.23", "198.51.100.7", 6, b"")
    assert parse_ip(bare) is None and parse_ip(bare + bytes(7)) is None  # no room for ports
    assert parse_ip(ip4("192.168.1.23", "198.51.100.7", 17, udp(5000, 53, b""))) == (
        4,
        pc,
        mx,
        17,
        5000,
        53,
        0,
        28,
        0,
        0,
    )
    syn = tcp(40000, 25, S)
    assert parse_ip(ip4("192.168.1.23", "198.51.100.7", 6, syn)) == (
        4,
        pc,
        mx,
        6,
        40000,
        25,
        S,
        40,
        1000,
        0,
    )
    # Don't-fragment and the first fragment (more fragments, offset 0) are read; later ones not.
    assert parse_ip(ip4("192.168.1.23", "198.51.100.7", 6, syn, frag=0x4000)) is not None
    assert parse_ip(ip4("192.168.1.23", "198.51.100.7", 6, syn, frag=0x2000)) is not None
    assert parse_ip(ip4("192.168.1.23", "198.51.100.7", 6, syn, frag=1)) is None
    options = struct.pack("!HHIIBBHHH", 40000, 25, 1, 0, 6 << 4, P | A, 1, 0, 0) + bytes(4)
    assert parse_ip(ip4("192.168.1.23", "198.51.100.7", 6, options + b"EHLO"))[7] == 44
    v6, mx6 = "2001:db8::23", "2001:db8::7"
    assert parse_ip(ip6(v6, mx6, 17, udp(5000, 53, b""))[:47]) is None
    assert parse_ip(ip6(v6, mx6, 17, udp(5000, 53, b"")))[7] == 48
    long_hop = bytes([60, 1]) + bytes(14)  # 16 bytes, then destination options, then TCP
    dest_opts = bytes([6, 0]) + bytes(6)
    assert parse_ip(ip6(v6, mx6, 0, long_hop + dest_opts + syn))[3:8] == (6, 40000, 25, S, 84)
    assert parse_ip(ip6(v6, mx6, 0, long_hop)) is None  # the chain runs off the packet
    first = bytes([6, 0]) + struct.pack("!HI", 1, 9)
    assert parse_ip(ip6(v6, mx6, 44, first + syn))[3:5] == (6, 40000)
    assert parse_ip(ip6(v6, mx6, 44, first[:7])) is None
    # ICMPv6 is read (no ports, no mail); a later fragment or a cut-off packet is not.
    assert parse_ip(ip6(v6, mx6, 58, bytes(8)))[3:6] == (58, 0, 0)


def test_dns_question_at_its_edges():
    from checks.packet import dns_question

    root = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\0" + struct.pack("!HH", 15, 1)
    assert len(root) == 17 and dns_question(root) == (False, "", 15)
    assert dns_question(root[:16]) is None
    assert dns_question(dns("Mail.Example", 15)) == (False, "mail.example", 15)
    assert dns_question(dns("mail.example", 1, response=True)) == (True, "mail.example", 1)
    odd_flags = bytearray(dns("x.example", 15))
    odd_flags[2:4] = b"\x00\x01"
    assert dns_question(bytes(odd_flags))[0] is False  # only the top bit says "response"
    no_question = bytearray(dns("x.example", 15))
    no_question[4:6] = b"\x00\x00"
    assert dns_question(bytes(no_question)) is None
    assert dns_question(dns("x.example", 15)[:-3]) is None  # type cut off
    pointer = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + bytes(4)
    assert dns_question(pointer) is None
    too_long = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\x05ab" + bytes(4)
    assert dns_question(too_long) is None
    assert dns_question(dns(".".join(["a"] * 65), 15))[1] == ".".join(["a"] * 65)
    assert dns_question(dns(".".join(["a"] * 66), 15)) is None
    latin = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\x01\xe9\x01x\0" + bytes(4)
    assert dns_question(latin) == (False, "\ufffd.x", 0)  # not ASCII: replaced, still read


def test_the_scope_names_an_interface_or_a_file_and_says_when():
    from checks.traffic import results_for

    summary = record("dns_client_lookups")["summary"]
    smtp = results_for(summary, True, "eth0", "iface")[0]
    assert smtp.params["where_kind"] == "iface" and smtp.params["attributed"] is True
    assert "(interface eth0)" in smtp.words("en").summary
    undated = {**summary, "first": None, "last": None}
    assert smtp.words("en").summary.startswith("No mail connections were seen during ")
    assert results_for(undated, False, "x.pcap")[0].words("en").summary == (
        "No mail connections were seen in x.pcap."
    )


def test_a_capture_of_every_interface_is_not_called_interface_all():
    """A live capture of every interface (the default) was worded "(interface all)" in the
    results and the letter (issue 32)."""
    from checks import i18n
    from checks.traffic import interpret

    summary = record("auth_login_587")["summary"]
    smtp = interpret(summary, "windows", True, "all", "iface")[0]
    for lang in i18n.CODES:
        words = smtp.words(lang).summary
        assert "all)" not in words and "interface all" not in words, words
    assert "every network connection of this PC" in smtp.words("en").summary
