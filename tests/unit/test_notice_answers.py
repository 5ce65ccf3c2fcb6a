"""The whole of what `notice` records for each input we hold (notice.json is evidence an abuse
desk reads), and the exact answers of the small readers it is built from."""

import email
import email.message
import email.policy
from datetime import UTC

import pytest

from checks import line_identity, notice, notice_claim, notice_input, provenance
from tests.notice_golden import ALL, GOLDEN, as_text, golden_name, record


@pytest.mark.parametrize(("path", "public_ip"), ALL, ids=lambda v: str(v))
def test_the_recorded_analysis_is_what_was_read_and_checked(path, public_ip):
    expected = (GOLDEN / golden_name(path, public_ip)).read_text(encoding="utf-8")
    assert as_text(record(path, public_ip)) == expected, (
        "notice.json changed: if deliberate, run tools/regen_golden.py and read the diff"
    )


def claim(text: str) -> dict:
    return notice_claim.extract_claim(text, UTC)


@pytest.mark.parametrize(
    ("text", "destinations"),
    [
        ("See http://tools.ietf.org/html/rfc5965.", []),  # "to" inside a word is not "to"
        ("Spam was sent to mx.recipient.example from your line.", ["mx.recipient.example"]),
        ("宛先：mx.recipient.example", ["mx.recipient.example"]),
        ("Destination: 198.51.100.7", ["198.51.100.7"]),
        ("recipient server mx1.example.net", ["mx1.example.net"]),
        ("送信元：203.0.113.45 宛先：203.0.113.45", []),  # the source is not a destination
    ],
)
def test_destinations_are_read_only_after_a_destination_word(text, destinations):
    assert claim(text)["destinations"] == destinations


# --- decoding: what the bytes really were, and a warning only when the label was wrong ----------


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        (b"hello", None, ("hello", None)),
        (b"hello", "us-ascii", ("hello", None)),
        ("日本語".encode(), "UTF-8", ("日本語", None)),  # labels are case-insensitive
        ("日本語".encode("cp932"), "utf-8", ("日本語", "text labelled utf-8 was really cp932")),
        ("日本語".encode("cp932"), None, ("日本語", None)),
        ("日本語".encode("euc-jp"), None, ("日本語", None)),
        # ASCII is valid ISO-2022-JP: the label was right.
        (b"plain words", "ISO-2022-JP", ("plain words", None)),
        (
            "日本語".encode("iso-2022-jp"),
            "us-ascii",
            ("日本語", "text labelled us-ascii was really iso-2022-jp"),
        ),
        (b"abc", "x-no-such-charset", ("abc", "text labelled x-no-such-charset was really utf-8")),
        (
            b"\x80\x81\xfd",
            None,
            ("\ufffd\ufffd\ufffd", "text is in no known encoding; unreadable parts replaced"),
        ),
    ],
)
def test_decode_bytes_reads_what_the_bytes_are(data, declared, expected):
    assert notice_input.decode_bytes(data, declared) == expected


def test_header_text_decodes_encoded_words_and_drops_control_characters():
    assert notice_input.header_text("=?UTF-8?B?44GT44KT44Gr44Gh44Gv?=") == "こんにちは"
    assert notice_input.header_text("a\r\n\tb\x00c\x7fd") == "a  \tb c d"
    assert notice_input.header_text("=?x-bogus?Q?abc?=") == "=?x-bogus?Q?abc?="  # kept, not dropped
    assert len(notice_input.header_text("x" * 20_000)) == notice_input.MAX_HEADER_VALUE


def part(text: str) -> email.message.Message:
    return email.message_from_string(text, policy=email.policy.compat32)


def test_a_part_is_read_in_its_charset_and_html_loses_its_tags():
    html = email.message_from_bytes(
        "Content-Type: text/html; charset=shift_jis\nContent-Transfer-Encoding: 8bit\n\n"
        "<p>送信元<b>IP</b></p>".encode("cp932"),
        policy=email.policy.compat32,
    )
    assert notice_input._part_text(html) == (" 送信元 IP  ", None)
    wrong = email.message.Message()
    wrong["Content-Type"] = "text/plain; charset=utf-8"
    wrong.set_payload("送信元".encode("cp932"))
    assert notice_input._part_text(wrong) == ("送信元", "text labelled utf-8 was really cp932")
    container = part('Content-Type: multipart/mixed; boundary="b"\n\n--b\n\nx\n--b--\n')
    assert notice_input._part_text(container) == ("", None)


def test_an_attached_original_behind_an_mbox_from_line_gets_its_headers_back():
    inner = email.message.Message()
    inner.set_payload("From bot@example Fri Nov 20 14:05:30 2026\nSubject: hi\n\nbody\n")
    unwrapped = notice_input._unwrap_from_line(inner)
    assert unwrapped["Subject"] == "hi" and unwrapped.get_payload() == "body\n"
    has_headers = part("Subject: kept\n\nbody")
    assert notice_input._unwrap_from_line(has_headers) is has_headers


def test_feedback_fields_from_a_parsed_report_and_from_plain_text():
    report = part(
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\n\n'
        "--b\nContent-Type: message/feedback-report\n\n"
        "Feedback-Type: abuse\nSource-IP: 203.0.113.45\nSource-IP: 192.0.2.1\n--b--\n"
    )
    fields = notice_input._feedback_fields(
        next(p for p in report.walk() if p.get_content_type() == "message/feedback-report")
    )
    assert fields == {"feedback-type": "abuse", "source-ip": "203.0.113.45"}
    text = email.message.Message()
    text.set_payload("Feedback-Type: abuse\nnot a field\nIncidents:  37 \nIncidents: 2\n")
    assert notice_input._feedback_fields(text) == {"feedback-type": "abuse", "incidents": "37"}


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("迷惑メール送信に関するお知らせ", "送信元 203.0.113.45 から", True),
        ("Spam complaint", "Reference: ABC-123 about your line", True),
        ("【重要】お知らせ（ABU-2026-1120-0042）", "迷惑メールが送信されています", False),
        ("【重要】迷惑メールのお知らせ（ABU-2026-1120-0042）", "スパムが送信されています", True),
        ("Spam SPAM spam", "203.0.113.45", False),  # one word, however often
        ("Spam complaint", "no address, no reference", False),
        ("Invoice", "Please pay 203.0.113.45", False),
    ],
)
def test_a_notice_mail_speaks_of_spam_and_gives_a_fact(subject, body, expected):
    assert notice_input.is_notice_mail(subject, [body]) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is a notice about spam sent from a line.", True),
        ("お客様の回線から迷惑メールが送信されていることを確認いたしました。", True),
        ("abc def", False),  # too few letters
        ("a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6" * 2, True),
        ("a1!2@3#4$5%6^7&8*9(0)" * 5, False),  # letters under 40%
    ],
)
def test_prose_is_readable_words(text, expected):
    assert notice_input.is_prose(text) is expected


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2026-11-20T05:05:33+00:00", True),
        ("2026-11-20T05:05:00+00:00", False),
        (None, False),
        ("", False),
        ("not a time", False),
    ],
)
def test_has_seconds(iso, expected):
    assert notice._has_seconds(iso) is expected


def test_an_english_notice_is_read_field_by_field():
    c = claim(
        "Example Networks Inc. abuse desk (abuse@example.net, info@example.net)\n"
        "Ticket No. 12345-A: about 1,200 messages were sent from your line.\n"
        "Source IP: 203.0.113.45 port 51234, destination port 587; also seen 198.51.100.9:2525.\n"
        "Port 99999 is not a port."
    )
    assert c == {
        "times": [],
        "ips": ["203.0.113.45", "198.51.100.9"],
        "source_ips": ["203.0.113.45"],
        "named_sources": ["203.0.113.45"],
        "source_ports": [51234],
        "destination_ports": [587, 2525],
        "destinations": [],
        "message_counts": [1200],
        "count_approximate": True,
        "reference": "12345-A",
        "provider": "Example Networks Inc.",
        "reply_to": "abuse@example.net",
    }


def test_without_a_source_word_the_first_address_is_the_source():
    c = claim("203.0.113.45 and 198.51.100.9 sent 12 mails")
    assert c["source_ips"] == ["203.0.113.45"] and c["message_counts"] == [12]
    assert c["count_approximate"] is False


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("受付番号：ABUSE-2026-112034", "ABUSE-2026-112034"),
        ("Ticket No. 12345-A", "12345-A"),
        ("Case ID: 778899", "778899"),
        ("Ref#A1B2C3", "A1B2C3"),
        ("Please quote our reference in your reply.", None),  # a word, not a number
        ("Please reference this message", None),
        ("Our showcase 2026 offer", None),  # "Case" inside a word
        ("【重要】迷惑メール送信に関するお知らせ（ABU-2026-1120-0042）", "ABU-2026-1120-0042"),
    ],
)
def test_a_reference_is_a_labelled_number(text, reference):
    assert claim(text)["reference"] == reference


def test_a_home_line_failing_spf_is_not_someone_else_without_the_lines_address():
    """SPF fails for every home line, the user's own too: without the user's address, a bot on
    a home line is 'sent directly from a home line', never the all-clear 'forged'."""
    data = (GOLDEN.parents[2] / "data/notices/direct_to_mx.eml").read_bytes()
    data = data.replace(b"Authentication-Results:", b"Received-SPF: softfail (x)\nX-Old-AR:", 1)
    assert notice.analyse(data, public_ip=None).verdict == notice.DIRECT
    assert notice.analyse(data, public_ip="192.0.2.200").verdict == notice.FORGED


def test_a_report_whose_headers_show_this_line_is_never_an_all_clear():
    from tests.notice_golden import ARF_ZONELESS, USER_IP

    a = notice.analyse(ARF_ZONELESS.encode(), public_ip=USER_IP)
    assert (a.verdict, a.explanation_code) == (notice.UNKNOWN, "source_conflict")
    assert notice.to_result(a).status != "pass"


# --- decide: every way the chain, the report and the user's address can meet ----------------------

LOCAL_ONLY = [
    "from localhost (localhost [127.0.0.1]) by mx.recipient.example with ESMTP;"
    " Fri, 20 Nov 2026 05:05:34 +0000"
]
SERVER_ENTRY = [
    "from mail.elsewhere.example (mail.elsewhere.example [198.51.100.77]) by"
    " mx.recipient.example with ESMTP; Fri, 20 Nov 2026 05:00:00 +0000"
]
HELO_ONLY_ENTRY = [
    "from relay.provider.example ([198.51.100.78]) by mx.recipient.example with ESMTP;"
    " Fri, 20 Nov 2026 05:00:00 +0000"
]


def decided(lines, public_ip=None, results=None, arf=None, login=None):
    from checks.received import parse_chain

    d = provenance.decide(
        parse_chain(lines), line_identity.build(public_ip), results or {}, arf, login
    )
    return d.verdict, d.ip, d.missing


@pytest.mark.parametrize(
    ("lines", "public_ip", "results", "arf", "expected"),
    [
        # No entry from outside: the report's Source-IP alone.
        (LOCAL_ONLY, "192.0.2.9", None, "192.0.2.9", ("direct", "192.0.2.9", [])),
        (LOCAL_ONLY, None, None, "192.0.2.9", ("unknown", "192.0.2.9", ["public_ip"])),
        ([], None, None, "192.0.2.9", ("unknown", "192.0.2.9", ["public_ip"])),
        # Another address than the line's now: which one the line had then, only the provider
        # knows (a report's source is what the provider traced to this contract).
        ([], "203.0.113.45", None, "192.0.2.9", ("unknown", "192.0.2.9", ["line_address"])),
        # No report, no entry.
        ([], None, None, None, ("unknown", None, ["full_headers"])),
        (LOCAL_ONLY, None, None, None, ("unknown", None, ["public_origin"])),
        # A mail server as the entry.
        # A failed SPF says another server than the domain's sent it, not that the line did not:
        # without the line's address, no all-clear.
        (SERVER_ENTRY, None, {"spf": "fail"}, None, ("unknown", "198.51.100.77", ["public_ip"])),
        (SERVER_ENTRY, None, {"spf": "pass"}, None, ("unknown", "198.51.100.77", ["public_ip"])),
        (SERVER_ENTRY, "198.51.100.77", {"spf": "fail"}, None, ("direct", "198.51.100.77", [])),
        (SERVER_ENTRY, "203.0.113.45", {}, None, ("forged", "198.51.100.77", [])),
        # The report and its headers disagree, and neither is the user's line.
        (SERVER_ENTRY, None, None, "192.0.2.9", ("unknown", "192.0.2.9", ["public_ip"])),
    ],
)
def test_decide(lines, public_ip, results, arf, expected):
    assert decided(lines, public_ip, results, arf) == expected


def test_a_login_recorded_by_the_server_named_only_by_its_helo_is_believed():
    verdict, ip, _missing = decided(
        HELO_ONLY_ENTRY, login=("relay.provider.example", "taro@provider.example")
    )
    assert (verdict, ip) == ("account", None)
    assert decided(HELO_ONLY_ENTRY, login=("other.example", "taro"))[0] != "account"


# --- what to ask, and the explanation's words ---------------------------------------------------

EXACT = {"utc": "2026-11-20T05:05:33+00:00", "text": "2026-11-20 14:05:33 JST"}
FULL_CLAIM = {
    "source_ips": ["203.0.113.45"],
    "source_ports": [51234],
    "destinations": ["mx.recipient.example"],
    "message_counts": [12],
}


def asks(times, hops=("a hop",), **claim):
    a = notice.Analysis("text", True, {**FULL_CLAIM, "times": times, **claim}, hops=list(hops))
    return notice.what_to_ask(a)


@pytest.mark.parametrize(
    ("times", "rough"),
    [
        ([EXACT], False),
        ([{**EXACT, "approximate": True}], True),
        ([{**EXACT, "zone_assumed": True}], True),
        ([{"utc": "2026-11-20T05:05:00+00:00", "text": "14:05"}], True),  # to the minute only
        ([{"utc": "2026-11-20T05:05:00+00:00", "text": "14:05:00"}], False),  # :00 written out
        ([{"utc": "2026-11-20T05:05:00+00:00", "text": "14時05分00秒"}], False),
        (
            [{"utc": "2026-11-20T05:05:00+00:00", "end_utc": "2026-11-20T05:30:07+00:00"}],
            False,
        ),
        ([{**EXACT, "source": "Date header of the sample"}], True),  # not the provider's time
        ([], True),
        ([EXACT, {"utc": "2026-11-20T06:00:00+00:00", "text": "15:00"}], True),
    ],
)
def test_exact_times_are_asked_for_unless_every_time_is_exact(times, rough):
    assert ("times_exact" in asks(times)) is rough


def test_what_to_ask_names_each_missing_fact_once():
    assert asks([EXACT]) == ["trigger"]
    assert asks(
        [EXACT], hops=(), source_ips=[], source_ports=[], destinations=[], message_counts=[]
    ) == [
        "source_ip",
        "source_port",
        "destination",
        "count",
        "sample_headers",
        "trigger",
    ]


def test_what_the_notice_already_gives_is_not_asked_for():
    """Issue 32: the letter asked for the receiving server and 'which report triggered the
    notice' while the ARF report it answered names both."""
    assert "destination" not in asks([EXACT], destinations=[])  # the sample's headers name it
    arf = {"Feedback-Type": "abuse", "Source-IP": "203.0.113.45"}
    asked = asks([EXACT], hops=(), destinations=[], feedback_report=arf)
    assert "trigger" not in asked and "destination" not in asked
    assert "sample_headers" in asked  # what the ARF report did not carry is still asked for


def words(code, deciding_ip=None, **hop):
    return notice.explanation_words(code, deciding_ip, hop or None)


def test_explanation_words_fill_in_what_the_hop_holds():
    assert words("hidden_origin", rdns="fwd.example", **{"from": "helo.example"}).startswith(
        "The message entered the receiving side from fwd.example,"
    )
    assert "from helo.example," in words("hidden_origin", **{"from": "helo.example"})
    assert "from …," in words("hidden_origin")
    account = words("account", by="smtp.isp.example", auth_user="taro", client_ip="192.0.2.5")
    assert account.startswith(
        "The message was sent through the mail server smtp.isp.example after logging in with a"
        " mail account (taro) from 192.0.2.5."
    )
    assert "a mail account from 192.0.2.9." in words("account", "192.0.2.9", by="s.example")
    # A login line that shows no address: said so, never "from …" (a worried reader asks "who?").
    assert "a mail account; the headers do not show from which address." in words(
        "account", by="s.example"
    )
    assert words("direct_this_line", raw="from x by y").endswith("header is: “from x by y”")
    for code in ("direct_report", "need_public_ip", "source_conflict"):
        assert "192.0.2.9" in words(code, "192.0.2.9", client_ip="198.51.100.1"), code
        assert "198.51.100.1" not in words(code, "192.0.2.9", client_ip="198.51.100.1"), code
    assert "198.51.100.1" in words("forged", "192.0.2.9", client_ip="198.51.100.1")
    assert words("no_such_code", "192.0.2.9") == ""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_letter_asks_which_source_is_right_when_report_and_headers_disagree(tmp_path, lang):
    from app import flows
    from cases.store import Case
    from reports.report import letter_text
    from tests.cases import JST, TODAY
    from tests.notice_golden import ARF_ZONELESS, USER_IP

    case = Case(tmp_path / "case")
    flows.read_notice(case, ARF_ZONELESS.encode(), public_ip=USER_IP, zone=JST, power={})
    result = next(r for r in case.results() if r.id == "NOTICE-SOURCE")
    assert result.advice_codes == ("ask_which_source",)
    text = letter_text(case, lang, JST, TODAY)
    expected = {
        "ja": "報告では送信元が 192.0.2.77 とされておりますが、報告に添付されていたメールのヘッダーには当回線",
        "en": "Your report names 192.0.2.77 as the source, but the message headers attached to it",
    }[lang]
    assert expected in text
