"""The notice reader at its limits and on the inputs that are read in more than one way: each
test states what the user or the abuse desk would see if it went wrong."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from checks import line_identity, notice, notice_input, provenance
from checks.received import parse_chain
from tests.platform import no_tzset

JST = timezone(timedelta(hours=9))
CET = timezone(timedelta(hours=1))
NOTICE = "送信元IPアドレス：203.0.113.45\n日時：2026年11月20日 14時05分33秒\n".encode()


def sample(*headers: str, body: str = "spam body\n") -> bytes:
    return ("\n".join(headers) + "\n\n" + body).encode()


RECEIVED = (
    "Received: from mail.elsewhere.example (mail.elsewhere.example [198.51.100.77]) by"
    " mx.recipient.example with ESMTP; Fri, 20 Nov 2026 05:00:00 +0000"
)


# --- limits: the input is read up to them, and a warning says so only past them ---------------


def test_an_input_of_exactly_the_limit_is_read_whole(monkeypatch):
    monkeypatch.setattr(notice, "MAX_BYTES", len(NOTICE))
    assert notice.analyse(NOTICE, local_zone=JST).warnings == []
    monkeypatch.setattr(notice, "MAX_BYTES", len(NOTICE) - 1)
    assert notice.analyse(NOTICE, local_zone=JST).warnings == [
        f"input is {len(NOTICE)} bytes; only the first {len(NOTICE) - 1} were read"
    ]


def test_a_nul_byte_past_the_first_4_kib_does_not_make_a_notice_binary():
    late = b"a" * 4096 + b"\x00" + NOTICE
    early = b"a" * 4095 + b"\x00" + NOTICE
    binary = "the input looks like a binary file, not a message or a notice"
    assert binary not in notice.analyse(late, local_zone=JST).warnings
    assert binary in notice.analyse(early, local_zone=JST).warnings


def test_received_lines_are_read_up_to_the_limit(monkeypatch):
    monkeypatch.setattr(notice, "MAX_RECEIVED", 2)
    two = notice.analyse(sample(RECEIVED, RECEIVED, "Subject: x"), local_zone=JST)
    assert two.warnings == [] and len(two.hops) == 2
    three = notice.analyse(sample(RECEIVED, RECEIVED, RECEIVED, "Subject: x"), local_zone=JST)
    assert three.warnings == ["only the first 2 Received headers were read"]
    assert len(three.hops) == 2 and three.sample["received_count"] == 3


def test_parts_are_read_up_to_the_limit(monkeypatch):
    boundary = "b"
    parts = "".join(
        f"--{boundary}\nContent-Type: text/plain\n\n{text}\n"
        for text in ("送信元IPアドレス：203.0.113.45", "送信元IPアドレス：198.51.100.9")
    )
    mail = (
        f"From: abuse@provider.example\nSubject: 迷惑メール送信のお知らせ\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n{parts}--{boundary}--\n'
    ).encode()
    monkeypatch.setattr(notice_input, "MAX_PARTS", 3)  # the message, and its two parts
    assert notice.analyse(mail, local_zone=JST).claim["ips"] == ["203.0.113.45", "198.51.100.9"]
    monkeypatch.setattr(notice_input, "MAX_PARTS", 2)
    assert notice.analyse(mail, local_zone=JST).claim["ips"] == ["203.0.113.45"]


def test_a_message_the_parser_cannot_read_is_said_and_nothing_is_made_up(monkeypatch):
    def fails(_data):
        raise ValueError("broken")

    monkeypatch.setattr(notice_input.email, "message_from_bytes", fails)
    a = notice.analyse(sample(RECEIVED, "Subject: x"), local_zone=JST)
    assert a.warnings == ["the message could not be parsed (ValueError)"]
    assert (a.kind, a.hops, a.claim["ips"]) == ("text", [], [])


def test_a_malformed_message_is_named_by_its_defects():
    a = notice.analyse(b"From: a@b.example\nSubject: x\nthis line is no header\n\nbody\n")
    assert "the message is malformed: MissingHeaderBodySeparatorDefect" in a.warnings


# --- what is read from a sample's headers --------------------------------------------------------


def test_received_spf_reads_as_spf_and_an_empty_one_says_nothing():
    passed = notice.analyse(sample(RECEIVED, "Received-SPF: Pass (sender ok)", "Subject: x"))
    assert passed.sample["authentication_results"] == {"spf": "pass"}
    empty = notice.analyse(sample(RECEIVED, "Received-SPF:", "Subject: x"))
    assert empty.sample["authentication_results"] == {}


def test_a_samples_date_without_a_zone_is_read_in_the_notices_zone():
    a = notice.analyse(
        sample(RECEIVED, "Date: Fri, 20 Nov 2026 14:05:33", "Subject: x"), local_zone=CET
    )
    (t,) = [t for t in a.claim["times"] if t.get("source")]
    assert t["utc"] == "2026-11-20T13:05:33+00:00" and t["zone_assumed"] is True


def _arf(arrival: str, body: str) -> bytes:
    return (
        "From: fbl@provider.example\nSubject: FW: report\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="r"\n\n'
        f"--r\nContent-Type: text/plain\n\n{body}\n"
        "--r\nContent-Type: message/feedback-report\n\n"
        f"Feedback-Type: abuse\nVersion: 1\nSource-IP: 203.0.113.45\nArrival-Date: {arrival}\n"
        f"--r\nContent-Type: text/rfc822-headers\n\n{RECEIVED}\nSubject: x\n--r--\n"
    ).encode()


def test_a_reports_arrival_date_is_added_to_the_times_of_its_text_and_read_as_utc():
    a = notice.analyse(_arf("2026-11-20 05:05:33", "Seen at 2026-11-20 14:00 JST."))
    assert sorted(t["utc"] for t in a.claim["times"]) == [
        "2026-11-20T05:00:00+00:00",  # the text's time
        "2026-11-20T05:05:33+00:00",  # Arrival-Date without a zone: UTC, as RFC 5965 writes it
    ]


def test_a_range_and_a_moment_that_start_together_are_both_kept():
    text = "日時：2026-11-20 14:00～14:30\n日時：2026-11-20 14:00\n".encode()
    times = notice.analyse(text, local_zone=JST).claim["times"]
    assert [(t["utc"], t.get("end_utc")) for t in times] == [
        ("2026-11-20T05:00:00+00:00", "2026-11-20T05:30:00+00:00"),
        ("2026-11-20T05:00:00+00:00", None),
    ]


@no_tzset
def test_without_a_zone_given_the_machines_zone_is_used_and_utc_stays_utc(tokyo_machine):
    a = notice.analyse(NOTICE)  # no zone given: the machine's (Japan)
    assert a.claim["times"][0]["utc"] == "2026-11-20T05:05:33+00:00"
    entry = notice.analyse(sample(RECEIVED, "Subject: x"))
    assert entry.claim["entry_time_utc"] == "2026-11-20T05:00:00+00:00"


def test_a_spam_forwarded_as_an_attachment_is_read_from_the_attachment():
    """What a user does most often: forward the spam "as attachment" (no feedback report)."""
    mail = (
        "From: taro@example.jp\nSubject: Fwd: spam\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="f"\n\n'
        "--f\nContent-Type: text/plain\n\nこのメールが届きました。\n"
        f"--f\nContent-Type: message/rfc822\n\n{RECEIVED}\nSubject: your parcel\n\nspam\n"
        "--f--\n"
    ).encode()
    a = notice.analyse(mail, local_zone=JST)
    assert a.kind == "eml"
    assert [h.client_ip for h in a.hops] == ["198.51.100.77"]
    assert a.sample["subject"] == "your parcel"
    # The headers are here: what is missing is this line's address, not "a sample with headers".
    assert a.missing == ["public_ip"]
    assert notice.to_result(a).advice_codes == ("give_public_ip",)
    blank = notice.to_result(notice.analyse(b"", local_zone=JST))
    assert blank.advice_codes == ("ask_sample",)


def test_a_notice_in_words_alone_is_readable_and_asks_for_the_headers():
    a = notice.analyse(
        "お客様の回線から迷惑メールが送信されている可能性があります。ご確認ください。".encode(),
        local_zone=JST,
    )
    assert a.readable is True and a.missing == ["full_headers"]


def test_a_reference_alone_makes_a_notice_readable():
    a = notice.analyse("管理番号：ABC-12345\n".encode(), local_zone=JST)
    assert a.readable is True and a.claim["reference"] == "ABC-12345"


# --- the claim's words ---------------------------------------------------------------------


def test_a_time_without_a_zone_is_read_in_the_zone_given():
    assert notice.extract_claim("2026-11-20 14:05", JST)["times"][0]["utc"] == (
        "2026-11-20T05:05:00+00:00"
    )
    # Not Japan's zone by default: a user abroad, or a notice in English.
    assert notice.extract_claim("2026-11-20 14:05", CET)["times"][0]["utc"] == (
        "2026-11-20T13:05:00+00:00"
    )


def test_a_source_word_counts_within_40_characters_of_the_address():
    near = "198.51.100.1 was the relay; source" + " " * 34 + "203.0.113.45"
    far = "198.51.100.1 was the relay; source" + " " * 35 + "203.0.113.45"
    assert notice.extract_claim(near, JST)["source_ips"][0] == "203.0.113.45"
    assert notice.extract_claim(far, JST)["source_ips"][0] == "198.51.100.1"


@pytest.mark.parametrize(
    ("text", "ports"),
    [
        ("destination port 0 and destination port 25", [25]),
        ("destination port 65536, destination port 587", [587]),
        ("destination port 1", [1]),
        ("destination port 65535", [65535]),
        ("source port 51234, destination port 25", [25]),
    ],
)
def test_destination_ports_are_real_ports_named_as_destinations(text, ports):
    assert notice.extract_claim(text, JST)["destination_ports"] == ports


# --- decide: logins ------------------------------------------------------------------------


def _decided(lines, login):
    d = provenance.decide(parse_chain(lines), line_identity.build(None), {}, None, login)
    return d.verdict, d.ip


NAMED = [
    "from helo.sender.example (rdns.sender.example [198.51.100.77]) by mx.recipient.example"
    " with ESMTP; Fri, 20 Nov 2026 05:00:00 +0000"
]
HELO_ONLY = [
    "from helo.sender.example ([198.51.100.77]) by mx.recipient.example with ESMTP;"
    " Fri, 20 Nov 2026 05:00:00 +0000"
]


def test_a_login_is_believed_from_the_server_the_message_came_from_by_its_reverse_name():
    assert _decided(NAMED, ("rdns.sender.example", "taro")) == ("account", None)
    # Its greeting name is its own claim when the reverse name says otherwise.
    assert _decided(NAMED, ("helo.sender.example", "taro"))[0] != "account"
    assert _decided(HELO_ONLY, ("helo.sender.example", "taro")) == ("account", None)
    assert _decided(HELO_ONLY, ("", "taro"))[0] != "account"
