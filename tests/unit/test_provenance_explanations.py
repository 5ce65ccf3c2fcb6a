"""checks/provenance.py, the rows of its decision table that test_provenance_answers.py does not
reach, with the whole Decision compared: verdict, code, the deciding hop and address (the
explanation's words are built from them: "the message entered the receiving side from
{server}", "logging in ... from {ip}"), what would settle an `unknown`, and how the chain was
read (`chain`, which the report shows and which carries the Authentication-Results login).

Written after mutation testing (docs/mutation.md): most survivors were in the hop and address
of `unknown` answers (a hidden origin, a private report source, an address near the line, the
line only in the sender's part) and in the chain facts, which no test compared. Each scenario
is built inside its test (mutmut credits a function only to the tests that call it while they
run)."""

from __future__ import annotations

from typing import Any

from checks import line_identity as L
from checks.provenance import Decision, decide
from checks.received import parse_chain

D = "Fri, 20 Nov 2026 05:05:33 +0000"
LINE = ["203.0.113.45"]
SHARED_LINE = ["203.0.113.45", "100.64.1.1"]  # its router's WAN address is carrier-grade NAT
MX = (
    "from out.sender.example (out.sender.example [198.51.100.20]) by mx1.recipient.example"
    f" (Postfix) with ESMTPS id 1; {D}"
)
HOME = (
    "from WIN-7Q (p4099-ipngn1201tokyo.ocn.ne.jp [198.51.100.99]) by mx1.recipient.example"
    f" (Postfix) with SMTP id 2; {D}"
)
# The line's address in a line the sender's side wrote, which no believed line hands over to
# (its "by" is none of the entry's names).
LINE_IN_SENDER_PART = f"from WIN-7Q ([203.0.113.45]) by pc.other.example with SMTP id 3; {D}"
AR_LOGIN = ("mx1.recipient.example", "taro@example.jp")
ONE_LINE_UNTRUSTED = [
    "1 older Received line(s) were written by the sending side and are not trusted"
]
NOT_IN_CHAIN = "the report's source address is in no Received line: the report decides"


def answer(d: Decision) -> dict[str, Any]:
    """Everything the Decision says, with the hop by its index (and the login it records)."""
    return {
        "verdict": d.verdict,
        "code": d.code,
        "hop": d.hop.index if d.hop else None,
        "auth_user": d.hop.auth_user if d.hop else None,
        "ip": d.ip,
        "missing": d.missing,
        "chain": d.chain,
    }


def chain(entry: int | None, trusted: list[int], untrusted: list[int], **more: Any):
    followed = more.pop("followed", [])
    notes = more.pop("notes", [])
    return {
        "entry_index": entry,
        "trusted": trusted,
        "untrusted": untrusted,
        "followed": followed,
        "notes": notes,
        **more,
    }


# --- the line in the mail ------------------------------------------------------------------------


def test_a_login_recorded_for_the_lines_own_server_names_the_server_in_the_chain():
    # A static line running its own mail server, and the recipient's server recording a login:
    # the report says which Authentication-Results server the login was believed from.
    static = (
        "from mail.taro.example (mail.taro.example [203.0.113.45]) by mx1.recipient.example"
        f" (Postfix) with ESMTP id 12; {D}"
    )
    d = decide(parse_chain([static]), L.build(LINE), {}, None, AR_LOGIN)
    assert answer(d) == {
        "verdict": "account",
        "code": "account_from_line",
        "hop": 0,
        "auth_user": "taro@example.jp",
        "ip": "203.0.113.45",
        "missing": [],
        "chain": chain(0, [0], [], login_from_authentication_results="mx1.recipient.example"),
    }


def test_a_shared_line_only_in_the_senders_part_asks_for_the_source_port():
    # Shared (CGNAT): even its own address does not show it was this connection.
    d = decide(parse_chain([MX, LINE_IN_SENDER_PART]), L.build(SHARED_LINE), {})
    assert answer(d) == {
        "verdict": "unknown",
        "code": "shared_address",
        "hop": 0,
        "auth_user": None,
        "ip": "203.0.113.45",
        "missing": ["source_port"],
        "chain": chain(1, [1], [0], notes=ONE_LINE_UNTRUSTED),
    }


def test_a_shared_line_named_only_by_the_report_asks_for_the_source_port():
    d = decide(parse_chain([MX]), L.build(SHARED_LINE), {}, "203.0.113.45")
    assert answer(d) == {
        "verdict": "unknown",
        "code": "shared_address",
        "hop": None,
        "auth_user": None,
        "ip": "203.0.113.45",
        "missing": ["source_port"],
        "chain": chain(
            None,
            [],
            [0],
            notes=["the report's Source-IP 203.0.113.45 is in no Received line", NOT_IN_CHAIN],
        ),
    }


def test_the_line_below_a_believed_login_is_that_accounts_mail():
    # The sender's server recorded a login from 192.0.2.8; what the logged-in client wrote
    # about itself below (the line's address) can be invented.
    headers = [
        MX,
        f"from pc ([192.0.2.8]) by out.sender.example with ESMTPA id 16; {D}",
        f"from WIN-7Q ([203.0.113.45]) by pc with SMTP id 17; {D}",
    ]
    d = decide(parse_chain(headers), L.build(LINE), {})
    assert answer(d) == {
        "verdict": "account",
        "code": "account",
        "hop": 1,
        "auth_user": None,
        "ip": "192.0.2.8",
        "missing": [],
        "chain": chain(
            2,
            [2],
            [0],
            followed=[1],
            notes=["2 older Received line(s) were written by the sending side and are not trusted"],
        ),
    }


def test_the_line_only_in_the_senders_part_asks_for_the_providers_logs():
    d = decide(parse_chain([MX, LINE_IN_SENDER_PART]), L.build(LINE), {})
    assert answer(d) == {
        "verdict": "unknown",
        "code": "line_in_sender_part",
        "hop": 0,
        "auth_user": None,
        "ip": "203.0.113.45",
        "missing": ["logs_for_line"],
        "chain": chain(1, [1], [0], notes=ONE_LINE_UNTRUSTED),
    }


def test_the_line_in_x_originating_ip_is_mentioned_not_absent():
    # A webmail service writes the browser's address there: no all-clear.
    headers = [("X-Originating-IP", "[203.0.113.45]")]
    d = decide(parse_chain([MX]), L.build(LINE), {}, headers=headers)
    assert answer(d) == {
        "verdict": "unknown",
        "code": "line_mentioned",
        "hop": None,
        "auth_user": None,
        "ip": "203.0.113.45",
        "missing": ["logs_for_line"],
        "chain": chain(0, [0], []),
    }


# --- the line absent -----------------------------------------------------------------------------


def test_a_home_line_is_forged_unless_the_caller_says_the_providers_notice_quoted_it():
    # notice_attributes is off unless given: only the line provider's own notice says this
    # contract sent the mail.
    d = decide(parse_chain([HOME]), L.build(LINE), {})
    assert answer(d) == {
        "verdict": "forged",
        "code": "forged_home_line",
        "hop": 0,
        "auth_user": None,
        "ip": "198.51.100.99",
        "missing": [],
        "chain": chain(0, [0], []),
    }


def test_a_static_server_quoted_by_the_providers_notice_is_still_forged():
    # The provider's word reopens only a home line (its address may have been this line's);
    # a server of another network with no trace of the line stays an all-clear.
    d = decide(parse_chain([MX]), L.build(LINE), {}, notice_attributes=True)
    assert answer(d) == {
        "verdict": "forged",
        "code": "forged",
        "hop": 0,
        "auth_user": None,
        "ip": "198.51.100.20",
        "missing": [],
        "chain": chain(0, [0], []),
    }


def test_a_webmail_login_names_the_browsers_address_not_the_servers_own():
    # Logins nearest the internet first: the webmail's hand-over to its SMTP server over the
    # loopback is a login too, but 127.0.0.1 says nothing of who logged in.
    headers = [
        "from smtp.webmail.example (smtp.webmail.example [198.51.100.30]) by mx1.recipient.example"
        f" (Postfix) with ESMTPS id 1; {D}",
        "from localhost (localhost [127.0.0.1]) by smtp.webmail.example (Postfix) with ESMTPSA"
        f" id 2; {D}",
        f"from [192.0.2.77] by webmail.webmail.example with HTTP; {D}",
    ]
    d = decide(parse_chain(headers), L.build(LINE), {})
    assert answer(d) == {
        "verdict": "account",
        "code": "account",
        "hop": 0,
        "auth_user": None,
        "ip": "192.0.2.77",
        "missing": [],
        "chain": chain(
            2,
            [2],
            [],
            followed=[1, 0],
            notes=["2 older Received line(s) were written by the sending side and are not trusted"],
        ),
    }


def test_a_login_header_in_a_report_that_names_another_source_is_not_believed():
    # The report's source is in no Received line: the attached chain is not vouched for, so
    # neither is the Authentication-Results login in it; the report decides.
    d = decide(parse_chain([MX]), L.build(LINE), {}, "192.0.2.9", AR_LOGIN)
    assert answer(d) == {
        "verdict": "unknown",
        "code": "report_names_other",
        "hop": None,
        "auth_user": None,
        "ip": "192.0.2.9",
        "missing": ["line_address"],
        "chain": chain(
            None,
            [],
            [0],
            notes=["the report's Source-IP 192.0.2.9 is in no Received line", NOT_IN_CHAIN],
        ),
    }


def test_a_login_recorded_by_the_sending_server_named_by_its_greeting_is_believed():
    # No reverse name: the server the mail came from is known by its HELO, and a login it
    # recorded is the account's (the header names the account, not where the login came from).
    entry = (
        "from out.sender.example (unknown [198.51.100.20]) by mx1.recipient.example (Postfix)"
        f" with ESMTPS id 1; {D}"
    )
    d = decide(parse_chain([entry]), L.build(LINE), {}, None, ("out.sender.example", "taro"))
    assert answer(d) == {
        "verdict": "account",
        "code": "account",
        "hop": 0,
        "auth_user": "taro",
        "ip": None,
        "missing": [],
        "chain": chain(0, [0], [], login_from_authentication_results="out.sender.example"),
    }


def test_the_origin_is_the_lowest_public_client_the_chain_vouches_for():
    # The ISP's relay handed over what 192.0.2.77 sent it without a login: that is where the
    # mail came from, not the relay.
    headers = [
        "from relay.isp.example (relay.isp.example [198.51.100.5]) by mx1.recipient.example"
        f" (Postfix) with ESMTP id 4; {D}",
        f"from WIN-7Q ([192.0.2.77]) by relay.isp.example (Postfix) with ESMTP id 5; {D}",
    ]
    d = decide(parse_chain(headers), L.build(LINE), {})
    assert answer(d) == {
        "verdict": "forged",
        "code": "forged",
        "hop": 0,
        "auth_user": None,
        "ip": "192.0.2.77",
        "missing": [],
        "chain": chain(1, [1], [], followed=[0], notes=ONE_LINE_UNTRUSTED),
    }


HIDDEN_ENTRY = f"from mail.sender.example by mx1.recipient.example (Postfix) with ESMTP id 1; {D}"


def test_a_server_that_hides_the_senders_address_is_named_when_the_line_is_not_known():
    # The words name the server ("entered the receiving side from mail.sender.example"): the
    # hop is the answer, there is no address.
    d = decide(parse_chain([HIDDEN_ENTRY]), L.build([]), {})
    assert answer(d) == {
        "verdict": "unknown",
        "code": "hidden_origin",
        "hop": 0,
        "auth_user": None,
        "ip": None,
        "missing": ["hidden_origin"],
        "chain": chain(0, [0], []),
    }


def test_a_server_that_hides_the_senders_address_is_named_when_the_line_is_known():
    d = decide(parse_chain([HIDDEN_ENTRY]), L.build(LINE), {})
    assert answer(d) == {
        "verdict": "unknown",
        "code": "hidden_origin",
        "hop": 0,
        "auth_user": None,
        "ip": None,
        "missing": ["hidden_origin"],
        "chain": chain(0, [0], []),
    }


def test_a_report_whose_source_is_a_private_address_has_no_internet_origin():
    # The report anchors the chain at a line whose client is 10.0.0.5: nothing shows where
    # the mail entered the internet.
    private = f"from pc (unknown [10.0.0.5]) by mx1.recipient.example (Postfix) with SMTP id 8; {D}"
    d = decide(parse_chain([private]), L.build(LINE), {}, "10.0.0.5")
    assert answer(d) == {
        "verdict": "unknown",
        "code": "no_internet_address",
        "hop": 0,
        "auth_user": None,
        "ip": "10.0.0.5",
        "missing": ["public_origin"],
        "chain": chain(0, [0], []),
    }


def test_a_report_source_in_the_lines_block_may_be_this_line():
    # 203.0.7.9 is in the line's provider's /16: this line's address at another time, perhaps.
    d = decide(parse_chain([MX]), L.build(LINE), {}, "203.0.7.9")
    assert answer(d) == {
        "verdict": "unknown",
        "code": "maybe_this_line",
        "hop": None,
        "auth_user": None,
        "ip": "203.0.7.9",
        "missing": ["line_address"],
        "chain": chain(
            None,
            [],
            [0],
            notes=["the report's Source-IP 203.0.7.9 is in no Received line", NOT_IN_CHAIN],
        ),
    }


def test_an_address_in_the_lines_block_in_the_senders_part_is_the_deciding_one():
    # The near address, not the entry's, is what the provider is asked about.
    near = f"from x (x.example [203.0.7.9]) by pc.other.example with SMTP id 9; {D}"
    d = decide(parse_chain([MX, near]), L.build(LINE), {})
    assert answer(d) == {
        "verdict": "unknown",
        "code": "maybe_this_line",
        "hop": 0,
        "auth_user": None,
        "ip": "203.0.7.9",
        "missing": ["line_address"],
        "chain": chain(1, [1], [0], notes=ONE_LINE_UNTRUSTED),
    }


def test_a_login_whose_line_shows_no_client_names_no_address_for_it():
    # Found by writing these answers: the login line of a webmail ("from webmail (unknown)")
    # shows where the login came from nowhere; the answer named the sending server's own
    # address (the hop that handed the mail over) as where the login came from.
    headers = [
        "from smtp.sender.example (smtp.sender.example [198.51.100.30]) by mx1.recipient.example"
        f" (Postfix) with ESMTPS id 1; {D}",
        f"from webmail (unknown) by smtp.sender.example (Postfix) with ESMTPSA id 2; {D}",
    ]
    d = decide(parse_chain(headers), L.build(LINE), {})
    assert (d.verdict, d.code, d.ip) == ("account", "account", None)
