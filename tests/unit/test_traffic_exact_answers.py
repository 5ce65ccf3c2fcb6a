"""Exact answers of checks/traffic.py for captures a home line produces: the reason, every
parameter the words and the advice are made from, the words themselves, and the evidence the
assessment reads (sightings and observations). Packets are built byte by byte with
tests/traffic_golden.py's helpers and read by the real analyser."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

import pytest

from checks import evidence, traffic
from checks.analyzer import Analyzer
from checks.model import Result, Status
from tests.traffic_golden import (
    MX,
    MX2,
    PC,
    SUBMIT,
    T0,
    A,
    R,
    S,
    addr,
    conversation,
    ip4,
    owner,
    record,
    tcp,
)

LAPTOP, NEIGHBOUR, OUTSIDE, PROXY = "192.168.1.40", "192.168.1.41", "203.0.113.77", "203.0.113.9"
# A PC's own addresses in a live capture: Wi-Fi, wired, a VPN, a container bridge.
PC_WIRED, VPN, DOCKER = "192.168.1.24", "10.8.0.2", "172.17.0.1"
THIS_PC = {addr(a) for a in (PC, PC_WIRED, VPN, DOCKER)}
START, END = "2026-11-20T05:05:00+00:00", "2026-11-20T05:06:00+00:00"


def _utc(value):
    return datetime.fromisoformat(value).astimezone(UTC).isoformat() if value else value


def capture(packets, *, here=None, attributed=False, owners=None, mx_owners=None):
    """The summary of ``packets`` as a live capture on this PC (``attributed``: programs looked
    up, ``here`` its addresses) or as a file from elsewhere (hosts, not programs); times in UTC
    so that the words read the same on any machine."""
    a = Analyzer(here)
    for i, packet in enumerate(packets):
        a.feed(T0 + i, packet)

    def keyed(mapping, size):
        return {
            tuple(addr(v) if isinstance(v, str) else v for v in k[:size]): o
            for k, o in mapping.items()
        }

    summary = a.summary(keyed(owners or {}, 4), keyed(mx_owners or {}, 2), by_host=not attributed)
    summary["first"], summary["last"] = _utc(summary["first"]), _utc(summary["last"])
    return summary


def verdicts(packets, *, platform="linux", where="c.pcap", where_kind="file", **how):
    summary = capture(packets, **how)
    attributed = how.get("attributed", False)
    return summary, traffic.interpret(summary, platform, attributed, where, where_kind)


def finding(params: dict) -> dict:
    """The params without the capture's window and scope, which every result shares."""
    shared = ("where", "where_kind", "first", "last", "started", "ended")
    return {k: v for k, v in params.items() if k not in shared}


def answered(client, cport, server, sport):
    return conversation(client, cport, server, sport, [("s", b"220 mx ESMTP\r\n")])


def refused(client, cport, server):
    return [
        ip4(client, server, 6, tcp(cport, 25, S)),
        ip4(server, client, 6, tcp(25, cport, R | A)),
    ]


def unanswered(client, cport, server):
    return [ip4(client, server, 6, tcp(cport, 25, S))]


SOCKS5_TO_MX_25 = b"\x05\x01\x00\x01" + addr(MX) + struct.pack("!H", 25)
DISCONNECT = ["disconnect", "scan_and_password"]


# --- mail through a proxy, and SMTP spoken on a port that is no mail port ----------------------


@pytest.mark.parametrize(
    ("client", "port", "first_line", "attributed", "reason", "expected", "words", "advice"),
    [
        # A router's capture: the sender is a device on the line, to be found and unplugged.
        (
            LAPTOP,
            1080,
            SOCKS5_TO_MX_25,
            False,
            "via_proxy",
            {"proxy": PROXY, "proxy_port": 1080, "target": MX, "port": 25},
            f"A device on your line ({LAPTOP}) asked the proxy {PROXY} (port 1080) to connect to"
            f" port 25 of {MX}: mail sent through a proxy, where the mail ports do not show it.",
            ["find_device"],
        ),
        # A live capture: the client is this PC, so the advice is to disconnect and scan it,
        # not to go and find a device by its address.
        (
            PC,
            1080,
            SOCKS5_TO_MX_25,
            True,
            "via_proxy",
            {"proxy": PROXY, "proxy_port": 1080, "target": MX, "port": 25},
            f"A program on this PC ({PC}) asked the proxy {PROXY} (port 1080) to connect to"
            f" port 25 of {MX}: mail sent through a proxy, where the mail ports do not show it.",
            DISCONNECT,
        ),
        (
            LAPTOP,
            8025,
            b"EHLO bot\r\n",
            False,
            "smtp_other_port",
            {"server": PROXY, "port": 8025},
            f"A device on your line ({LAPTOP}) spoke to {PROXY} on port 8025 as a mail client"
            " does (EHLO/HELO), although that is not a mail port.",
            ["find_device"],
        ),
        (
            PC,
            8025,
            b"EHLO bot\r\n",
            True,
            "smtp_other_port",
            {"server": PROXY, "port": 8025},
            f"A program on this PC ({PC}) spoke to {PROXY} on port 8025 as a mail client"
            " does (EHLO/HELO), although that is not a mail port.",
            DISCONNECT,
        ),
    ],
    ids=["proxy-router-capture", "proxy-live", "other-port-router-capture", "other-port-live"],
)
def test_mail_hidden_from_the_mail_ports_names_its_client_and_where_it_went(
    client, port, first_line, attributed, reason, expected, words, advice
):
    packets = conversation(client, 40000, PROXY, port, [("c", first_line)])
    summary, (smtp, mx) = verdicts(
        packets, here=THIS_PC if attributed else None, attributed=attributed
    )
    assert (smtp.status, smtp.reason) == (Status.FAIL, reason)
    assert finding(smtp.params) == {
        "attributed": attributed,
        "host": client,
        "this_pc": attributed,
        **expected,
    }
    assert smtp.words("en").summary == words
    assert list(smtp.advice_codes) == advice
    # What was seen is kept as evidence for the report, in both results.
    for result in (smtp, mx):
        assert result.facts.get("tunnels") == (summary["tunnels"] or None)
        assert result.facts.get("smtp_elsewhere") == (summary["smtp_elsewhere"] or None)


def test_a_proxy_asked_for_a_port_that_is_not_a_mail_port_is_not_mail():
    # Port 0 cannot be a mail port, however a proxy request names it.
    request = b"\x05\x01\x00\x01" + addr(MX) + struct.pack("!H", 0)
    summary, (smtp, _mx) = verdicts(conversation(LAPTOP, 40000, PROXY, 1080, [("c", request)]))
    assert [t["port"] for t in summary["tunnels"]] == [0]
    assert (smtp.status, smtp.reason) == (Status.PASS, "no_mail")


# --- direct delivery on port 25: who answered, who refused, who never answered ------------------


@pytest.mark.parametrize(
    ("packets", "reason", "expected", "words"),
    [
        # Every server refused: nobody took the mail, but the attempt is the finding.
        (
            refused(LAPTOP, 40000, MX) + refused(LAPTOP, 40001, MX2),
            "direct_refused",
            {"n": 2},
            "tried to connect directly to 2 mail servers on port 25; they refused the connection.",
        ),
        (
            refused(LAPTOP, 40000, MX),
            "direct_refused",
            {"n": 1},
            "tried to connect directly to 1 mail server on port 25; it refused the connection.",
        ),
        # Some refused, the rest never answered: both counts, of all the servers tried.
        (
            refused(LAPTOP, 40000, MX) + unanswered(LAPTOP, 40001, MX2),
            "direct_refused_and_silent",
            {"n": 2, "refused": 1, "silent": 1},
            "tried to connect directly to 2 mail servers on port 25: 1 refused and 1 did not"
            " answer.",
        ),
        (
            unanswered(LAPTOP, 40000, MX) + unanswered(LAPTOP, 40001, MX2),
            "direct_unanswered",
            {"n": 2},
            "tried to connect directly to 2 mail servers on port 25; none answered.",
        ),
    ],
    ids=["all-refused", "one-refused", "refused-and-silent", "none-answered"],
)
def test_direct_delivery_counts_the_servers_that_refused_or_never_answered(
    packets, reason, expected, words
):
    _summary, (smtp, _mx) = verdicts(packets)
    assert (smtp.status, smtp.reason) == (Status.FAIL, reason)
    assert finding(smtp.params) == {"attributed": False, "host": LAPTOP, **expected}
    assert smtp.words("en").summary == f"A device on your line ({LAPTOP}) {words}"


def test_a_server_that_refused_then_answered_a_retry_is_not_counted_twice():
    # It was counted answered and refused: "1 more refused the connection and -1 did not answer".
    packets = refused(LAPTOP, 40000, MX) + answered(LAPTOP, 40001, MX, 25)
    _summary, (smtp, _mx) = verdicts(packets)
    assert (smtp.reason, finding(smtp.params).get("n")) == ("direct", 1)
    assert "refused" not in smtp.words("en").summary and "-1" not in smtp.words("en").summary


@pytest.mark.parametrize(
    ("drop_counts", "attempts", "words"),
    [
        # Two connections to the submission server: two attempts, not one per port.
        (False, 2, "also tried mail port 587 (2 attempts)."),
        # A summary saved before attempts were counted per port: each port at least once.
        (True, 1, "also tried mail port 587 (1 attempt)."),
    ],
    ids=["counted", "saved-before-counts"],
)
def test_other_mail_ports_beside_port_25_are_counted_by_attempt(drop_counts, attempts, words):
    packets = (
        answered(LAPTOP, 40000, MX, 25)
        + answered(LAPTOP, 40001, SUBMIT, 587)
        + answered(LAPTOP, 40002, SUBMIT, 587)
    )
    summary = capture(packets)
    if drop_counts:
        for p in summary["programs"]:
            del p["attempts_by_port"]
    smtp = traffic.interpret(summary, "linux", False, "c.pcap")[0]
    assert finding(smtp.params) == {
        "attributed": False,
        "host": LAPTOP,
        "n": 1,
        "other_ports": [587],
        "attempts": attempts,
        "also": ["other_ports"],
    }
    assert smtp.words("en").summary.endswith(f"A device on your line ({LAPTOP}) {words}")


def test_more_senders_are_counted_and_the_first_five_named():
    """Seven devices each delivering on port 25: the first is the finding, the six others are
    counted, and five are named (a letter cannot list a botnet)."""
    packets = []
    for i in range(7):
        packets += answered(f"192.168.1.{40 + i}", 40000 + i, MX, 25)
    _summary, (smtp, _mx) = verdicts(packets)
    named = [f"192.168.1.{41 + i}" for i in range(5)]
    assert finding(smtp.params) == {
        "attributed": False,
        "host": LAPTOP,
        "n": 1,
        "more": 6,
        "others": [{"host": h, "n": 1} for h in named],
        "also": ["more_senders"],
    }
    assert smtp.words("en").summary == (
        f"A device on your line ({LAPTOP}) connected directly to 1 mail server on port 25."
        " 6 more sent or tried to send mail: "
        + "; ".join(f"A device on your line ({h})" for h in named)
        + "."
    )


def test_every_note_of_a_finding_is_kept_other_ports_more_senders_and_unread_packets():
    packets = (
        answered(LAPTOP, 40000, MX, 25)
        + answered(LAPTOP, 40001, SUBMIT, 587)
        + answered(NEIGHBOUR, 40002, MX2, 25)
        + [ip4(PC, MX, 6, bytes(16), frag=0x2000 | 1)]  # a later fragment: unread
    )
    _summary, (smtp, _mx) = verdicts(packets)
    assert (smtp.status, smtp.reason) == (Status.FAIL, "direct")
    assert finding(smtp.params) == {
        "attributed": False,
        "host": LAPTOP,
        "n": 1,
        "other_ports": [587],
        "attempts": 1,
        "more": 1,
        "others": [{"host": NEIGHBOUR, "n": 1}],
        "unread": 1,
        "kinds": ["fragment"],
        "also": ["other_ports", "more_senders", "some_unread"],
    }
    assert smtp.words("en").summary == (
        f"A device on your line ({LAPTOP}) connected directly to 1 mail server on port 25."
        f" A device on your line ({LAPTOP}) also tried mail port 587 (1 attempt)."
        f" 1 more sent or tried to send mail: A device on your line ({NEIGHBOUR})."
        " Besides, 1 packet could not be read (IP fragments)."
    )


# --- mail received at home, and mail that stayed on this PC ------------------------------------


def test_a_mail_server_here_receiving_from_outside_is_named_with_three_of_its_addresses():
    packets = (
        answered(OUTSIDE, 40000, PC, 25)
        + answered(OUTSIDE, 40001, PC_WIRED, 25)
        + answered(OUTSIDE, 40002, VPN, 25)
        + answered(OUTSIDE, 40003, DOCKER, 587)
    )
    _summary, (smtp, _mx) = verdicts(packets, here=THIS_PC, attributed=True)
    assert (smtp.status, smtp.reason) == (Status.WARN, "inbound")
    assert finding(smtp.params) == {
        "attributed": True,
        "server": f"{VPN}, {DOCKER}, {PC}",
        "n": 4,
        "ports": [25, 587],
    }
    assert smtp.words("en").summary == (
        f"A mail server on your line ({VPN}, {DOCKER}, {PC}) received 4 connections from outside"
        " (mail ports 25, 587); it accepts mail from the internet."
    )
    # Not sending: the advice is about the server, and it is given although this is a warning.
    assert smtp.advice_codes == ("check_mail_server",)


def test_a_mail_server_here_receiving_from_outside_and_from_this_pc_is_still_inbound():
    """One server (its program not found) took a connection from the internet and one from a
    program on this PC over the loopback: a server accepting mail, not a sender."""
    packets = answered(OUTSIDE, 40000, PC, 25) + answered("127.0.0.1", 40001, "127.0.0.1", 25)
    summary, (smtp, _mx) = verdicts(packets, here=THIS_PC, attributed=True)
    assert summary["programs"][0]["directions"] == ["inbound", "local"]
    assert (smtp.status, smtp.reason) == (Status.WARN, "inbound")
    assert smtp.params["ports"] == [25]
    assert smtp.advice_codes == ("check_mail_server",)
    # One from outside: the loopback one was counted too ("received 2 connections from outside").
    assert smtp.params["n"] == 1


THUNDERBIRD_LINUX = owner(3100, "thunderbird", "/usr/lib/thunderbird/thunderbird")


@pytest.mark.parametrize(
    ("keys", "server", "ports", "ports_words"),
    [
        # Loopback and the PC's own addresses: only three are named.
        (
            [
                ("127.0.0.1", 40000, "127.0.0.1", 25),
                ("127.0.1.1", 40001, "127.0.1.1", 25),
                (PC, 40002, PC, 587),
                (VPN, 40003, VPN, 587),
            ],
            f"{VPN}, 127.0.0.1, 127.0.1.1",
            [25, 587],
            "mail ports 25, 587",
        ),
        # One port: "mail port", not "mail ports".
        ([("127.0.0.1", 40000, "127.0.0.1", 25)], "127.0.0.1", [25], "mail port 25"),
    ],
    ids=["four-addresses", "one-port"],
)
def test_mail_to_a_server_on_this_pc_did_not_leave_the_line(keys, server, ports, ports_words):
    packets = [p for k in keys for p in answered(*k)]
    _summary, (smtp, _mx) = verdicts(
        packets, here=THIS_PC, attributed=True, owners={k: THUNDERBIRD_LINUX for k in keys}
    )
    assert (smtp.status, smtp.reason) == (Status.PASS, "local_only")
    assert finding(smtp.params) == {
        "attributed": True,
        "name": "thunderbird",
        "pid": 3100,
        "server": server,
        "ports": ports,
    }
    assert smtp.words("en").summary == (
        "The program thunderbird (pid 3100) connected only to a mail server inside your own"
        f" network or on this PC ({server}, {ports_words}): that traffic did not leave the line."
    )
    assert smtp.advice_codes == ()


# --- which program: its name, whether its file still exists, whether it is that file -------------


SUBMISSION = (PC, 41000, SUBMIT, 587)


@pytest.mark.parametrize(
    ("who", "status", "reason"),
    [
        # The file's path could not be read: a name alone is no proof of a mail program (a
        # program running elevated could call itself thunderbird).
        (owner(3100, "thunderbird", None), Status.WARN, "connected"),
        # An unknown program on the submission port: a question.
        (owner(900, "helper", "/opt/helper/helper"), Status.WARN, "connected"),
        # Its file deleted since it started: what malware does to hide.
        (owner(900, "helper", "/opt/helper/helper", exe_exists=False), Status.FAIL, "connected"),
        # Not the file at its path (another file, seen from a sandbox of its own): disguised.
        (owner(900, "helper", "/opt/helper/helper", exe_verified=False), Status.FAIL, "connected"),
        # A mail program disguised is no mail program.
        (THUNDERBIRD_LINUX | {"exe_verified": False}, Status.FAIL, "connected"),
    ],
    ids=["name-only", "unknown", "deleted", "disguised", "disguised-mail-client"],
)
def test_a_program_on_the_submission_port_is_judged_by_its_name_file_and_identity(
    who, status, reason
):
    packets = answered(*SUBMISSION)
    _summary, (smtp, _mx) = verdicts(packets, attributed=True, owners={SUBMISSION: who})
    assert (smtp.status, smtp.reason) == (status, reason)
    if reason == "connected":
        assert finding(smtp.params) == {
            "attributed": True,
            "name": who["name"],
            "pid": who["pid"],
            "n": 1,
            "ports": [587],
        }
        assert smtp.words("en").summary == (
            f"The program {who['name']} (pid {who['pid']}) connected to 1 mail server"
            " (mail port 587)."
        )


def test_results_for_judges_programs_on_the_platform_it_runs_on(monkeypatch):
    """Postfix in /usr/lib is a mail server on Linux: its lookups of mail servers are its job.
    results_for is the live and imported captures' entry: it names no platform itself."""
    import checks.model

    monkeypatch.setattr(checks.model, "current_platform", lambda: "linux")
    summary = record("mail_server_and_a_bot")["summary"]
    smtp, mx = traffic.results_for(summary, True, "capture.pcap")
    assert (mx.status, mx.reason, mx.params["n"]) == (Status.PASS, "mx_by_mail_server", 2)
    assert smtp.params["where_kind"] == "file"
    assert mx.params["where_kind"] == "file"


# --- what could not be read ---------------------------------------------------------------------


def _arp_pcap(frames: int) -> bytes:
    arp = bytes(12) + b"\x08\x06" + bytes(28)
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for i in range(frames):
        out += struct.pack("<IIII", 1763600000 + i, 0, len(arp), len(arp)) + arp
    return out


@pytest.mark.parametrize("frames", [1, 2], ids=["one-frame", "two-frames"])
def test_a_file_without_a_readable_ip_packet_says_so_and_nothing_else(tmp_path, frames):
    """Even a single frame: it could have been the mail."""
    from app import flows

    path = tmp_path / "c.pcap"
    path.write_bytes(_arp_pcap(frames))
    summary, (smtp, mx) = flows.analyze_capture(None, path)
    assert (summary["frames"], summary["ip_packets"]) == (frames, 0)
    for result in (smtp, mx):
        assert (result.status, result.reason) == (Status.UNKNOWN, "nothing_readable")
        assert result.params == {
            "where": "c.pcap",
            "where_kind": "file",
            "first": None,
            "last": None,
            "started": None,
            "ended": None,
            "attributed": False,
            "frames": frames,
            "also": [],
        }
        assert result.words("en").summary == (
            f"None of the {frames} frames in c.pcap held an IP packet that could be read, so"
            " nothing can be said about mail."
        )


def test_a_file_read_in_part_keeps_its_finding_and_says_the_rest_was_not_read():
    """Reading stopped at a limit: a finding in the part read stays (it was replaced by "only part
    was read", a lower severity), with the unread rest said after it; where nothing was found,
    the unread rest is the whole answer."""
    summary = capture(answered(PC, 41000, SUBMIT, 587)[1:])  # its SYN is not in the file
    summary.update(frames=100, read_limit="the first 100 packets")
    assert summary["flows_without_handshake"] == 1
    smtp, mx = traffic.interpret(summary, "linux", False, "c.pcap")
    assert (smtp.status, smtp.reason) == (Status.WARN, "connected")
    assert finding(smtp.params) == {
        "attributed": False,
        "mid": 1,
        "host": "192.168.1.23",
        "n": 1,
        "ports": [587],
        "read_limit": "the first 100 packets",
        "also": ["mid_session", "read_part_also"],
    }
    assert smtp.words("en").summary == (
        "A device on your line (192.168.1.23) connected to 1 mail server (mail port 587). 1"
        " connection was already open when the capture started: its start was not captured."
        " Only part of c.pcap was read (the first 100 packets); the rest could hold more."
    )
    assert (mx.status, mx.reason) == (Status.UNKNOWN, "read_part")
    assert finding(mx.params) == {
        "attributed": False,
        "mid": 1,  # kept as a count, not said: the unread rest is the whole answer
        "read_limit": "the first 100 packets",
        "also": [],
    }
    assert mx.words("en").summary == (
        "Only part of c.pcap was read (the first 100 packets); the rest could hold mail, so"
        " we cannot say that none was sent."
    )
    assert smtp.facts["read_limit"] == mx.facts["read_limit"] == "the first 100 packets"


def test_lookups_by_a_bot_keep_the_note_on_undecoded_frames_but_not_the_connection_notes():
    """The lookups fail whatever was not decoded; the note on it stays, while notes about
    connections (already open, not followed) belong to the mail connections' result."""
    summary = record("bot_direct")["summary"]
    summary.update(
        frames=40,
        frames_undecoded=5,
        undecoded_link_types=[147],
        flows_without_handshake=1,
        flows_not_tracked=2,
    )
    _smtp, mx = traffic.interpret(summary, "windows", True, "c.pcap")
    assert (mx.status, mx.reason) == (Status.FAIL, "mx_lookups")
    assert mx.params["also"] == ["some_undecoded"]
    assert mx.words("en").summary == (
        "The program svcupd.exe (pid 4242) looked up the mail servers of 2 domains, which only"
        " mail servers need to do. 5 of 40 frames could not be decoded and were not read."
    )


def test_a_live_capture_that_saw_no_packet_is_a_quiet_window_not_an_unreadable_file():
    """A live capture's filter passes only mail, lookups and what could hide them: nothing
    seen is nothing sent (it has no frames that could not be read)."""
    summary = capture([], attributed=True)
    summary.update(started=START, ended=END)
    smtp, mx = traffic.results_for(summary, True, "eth0", "iface")
    assert [(r.status, r.reason) for r in (smtp, mx)] == [
        (Status.PASS, "no_mail"),
        (Status.PASS, "no_mx"),
    ]
    assert mx.words("en").summary == (
        "No program looked up mail servers (MX) during 20 November 2026, 05:05:00–05:06:00"
        " (UTC+00:00) (interface eth0)."
    )


# --- words of results stored by other versions -------------------------------------------------


@pytest.mark.parametrize(
    ("params", "words"),
    [
        # A live capture whose interface was not recorded: every interface was watched.
        (
            {"where": "", "where_kind": "iface"},
            "No mail connections were seen in every network connection of this PC.",
        ),
        (
            {"where_kind": "iface"},
            "No mail connections were seen in every network connection of this PC.",
        ),
        # Half a window is no window: the scope is where, not a span ending in nothing.
        ({"where": "c.pcap", "first": START}, "No mail connections were seen in c.pcap."),
        (
            {"where": "eth0", "where_kind": "iface", "started": START},
            "No mail connections were seen in interface eth0.",
        ),
        ({"where": "c.pcap", "last": END}, "No mail connections were seen in c.pcap."),
    ],
    ids=["iface-empty", "iface-missing", "first-only", "started-only", "last-only"],
)
def test_the_scope_of_a_stored_result_reads(params, words):
    assert Result("TRAFFIC-SMTP", "pass", "no_mail", params).words("en").summary == words


def test_a_kind_of_unread_packet_this_version_does_not_know_is_shown_by_its_code():
    stored = {"where": "c.pcap", "unread": 3, "kinds": ["fragment", "wifi_encrypted"]}
    words = Result("TRAFFIC-SMTP", "unknown", "not_all_read", stored).words("en").summary
    assert words == (
        "3 packets could not be read (IP fragments, wifi_encrypted); mail could be among them,"
        " so we cannot say that none was sent."
    )


# --- evidence for the assessment ---------------------------------------------------------------


def test_a_sender_is_counted_by_the_servers_it_reached_on_port_25():
    """Two servers on port 25 and a submission server: two servers delivered to directly, three
    destinations in all."""
    keys = [(PC, 42000, MX, 25), (PC, 42001, MX2, 25), (PC, 42002, SUBMIT, 587)]
    bot = owner(4242, "svcupd.exe", "C:/Users/taro/AppData/Roaming/svcupd/svcupd.exe")
    packets = [p for k in keys for p in answered(*k)]
    _summary, (smtp, _mx) = verdicts(
        packets, platform="windows", attributed=True, owners={k: bot for k in keys}
    )
    (seen,) = traffic.sightings(smtp)
    assert (seen.reason, seen.kind, seen.where) == ("direct", evidence.SENDING, evidence.THIS_PC)
    assert (seen.servers, seen.destinations) == (2, 3)
    assert (seen.program, seen.pid) == ("svcupd.exe", 4242)


@pytest.mark.parametrize(
    ("check_id", "reason", "kind"),
    [
        # A stored lookup result whose programs were not kept: still a lookup.
        ("TRAFFIC-MX", "mx_lookups", evidence.LOOKUP),
        ("TRAFFIC-SMTP", "via_proxy", evidence.SENDING),
    ],
    ids=["lookup", "sending"],
)
def test_a_bad_result_naming_no_program_is_one_sighting_of_its_kind(check_id, reason, kind):
    stored = Result(check_id, "warn", reason, {"attributed": False}, facts={"last": END})
    (seen,) = traffic.sightings(stored)
    assert (seen.check_id, seen.status, seen.reason) == (check_id, Status.WARN, reason)
    assert (seen.kind, seen.where, seen.program) == (kind, evidence.LINE, None)
    assert seen.seen_at == datetime(2026, 11, 20, 5, 6, tzinfo=UTC)


def _window(where, first, last, attributed, status="pass"):
    params = {"where": where, "first": first, "last": last, "attributed": attributed}
    return [Result(i, status, "", params) for i in ("TRAFFIC-SMTP", "TRAFFIC-MX")]


LATER = "2026-11-20T05:05:30+00:00"


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        # The PC's live capture and the router's file of the same minutes: two watches, one on
        # this PC and one on the line, although their first and last packets are the same.
        (
            _window("all", START, END, True) + _window("router.pcap", START, END, False),
            [("capture", evidence.THIS_PC, START), ("imported", evidence.LINE, START)],
        ),
        # Two files of the same name ending at the same packet, one cut shorter: two windows.
        (
            _window("c.pcap", START, END, False) + _window("c.pcap", LATER, END, False),
            [("imported", evidence.LINE, START), ("imported", evidence.LINE, LATER)],
        ),
        # A file with no packet read has no window; the captures after it still count.
        (
            _window("arp.pcap", None, None, False, "unknown")
            + _window("c.pcap", START, END, False),
            [("imported", evidence.LINE, START)],
        ),
        # Half a window (an older result) is no window.
        (_window("c.pcap", START, None, False) + _window("d.pcap", None, END, False), []),
    ],
    ids=["same-minutes-two-places", "same-end-two-starts", "undated-first", "half-windows"],
)
def test_each_capture_is_one_watch_of_its_own_window(results, expected):
    watches = traffic.observations(results)
    assert [(o.source, o.where, o.start.isoformat()) for o in watches] == expected
    assert all(o.clean and o.end.isoformat() == END for o in watches)


# --- answers the code gives that look wrong (kept out of the tables above) ---------------------


def test_a_warning_is_not_lowered_to_unknown_by_one_unread_packet():
    # It became "unknown", a lower severity: the finding and its advice vanished.
    packets = [*answered(OUTSIDE, 40000, LAPTOP, 25), ip4(PC, "203.0.113.1", 50, bytes(40))]
    _summary, (smtp, _mx) = verdicts(packets)
    assert (smtp.status, smtp.reason) == (Status.WARN, "inbound")
    assert smtp.advice_codes == ("check_mail_server",)
    assert "some_unread" in smtp.params["also"]


def test_smtp_to_a_server_on_this_pc_on_another_port_stays_on_the_line():
    # A test mail server (localhost:1025) was a fail with "disconnect this PC", while the same
    # on port 25 passes as local_only.
    packets = conversation(
        "127.0.0.1", 40000, "127.0.0.1", 1025, [("s", b"220 mailpit\r\n"), ("c", b"EHLO me\r\n")]
    )
    _summary, (smtp, _mx) = verdicts(packets, here=THIS_PC, attributed=True)
    assert smtp.status != Status.FAIL
