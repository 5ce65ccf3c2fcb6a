"""Exact answers of the notice reader (checks/notice.py) for what a real notice carries: an ARF
report's Source-Port, a SpamCop report's own time and reference, the provider's own mail servers,
a header that hides the line's address in an encoded word; and the words, the requests and the
line as they are built from a stored notice.json."""

from __future__ import annotations

import base64
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from checks import notice
from checks.notice import Analysis, explanation_words, line_shown, what_to_ask
from tests.platform import no_tzset

JST = timezone(timedelta(hours=9))
LINE = "203.0.113.45"
NOTICES = Path(__file__).resolve().parents[1] / "data" / "notices"
ARF = (NOTICES / "arf_report.eml").read_text(encoding="utf-8")


def received(host: str, ip: str) -> str:
    return (
        f"Received: from {host} ({host} [{ip}]) by mx.recipient.example with ESMTP;"
        " Fri, 20 Nov 2026 05:05:33 +0000"
    )


# --- an ARF report's fields ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "source_ports"),
    [
        ("50123", [50123]),
        ("1", [1]),  # the lowest real port
        ("65535", [65535]),  # the highest real port
        (" 443 ", [443]),  # a field's spaces are no part of its value
        ("0", []),  # no connection has port 0
        ("65536", []),  # past the last port: a typo, not a port to look up
        ("unknown", []),
    ],
)
def test_an_arf_reports_source_port_is_the_port_to_look_up(port, source_ports):
    data = ARF.replace("Incidents: 37\n", f"Incidents: 37\nSource-Port: {port}\n").encode()
    a = notice.analyse(data, public_ip=LINE, local_zone=JST)
    assert a.claim["source_ports"] == source_ports
    # The port is what the provider is asked for when the report lacks one.
    assert ("source_port" in a.ask_provider) is (not source_ports)


# --- a SpamCop-style report: the reporter's source, time and reference -----------------------


def spamcop(email_from: str, words: str = "") -> bytes:
    return (
        "[ SpamCop V5.4.0 ]\n"
        "This message is brief for your comfort.\n"
        f"{words}"
        "http://www.spamcop.net/w3m?i=z6789012345z0123456789abcdefz\n\n"
        f"Email from 198.51.100.77 / {email_from}\n\n"
        "[ Offending message ]\n"
        f"{received('mail.elsewhere.example', '198.51.100.77')}\n"
        "From: sale@shop.example\nSubject: cheap\n\nbuy now\n"
    ).encode()


REPORT_TIME = {
    "text": "Fri, 20 Nov 2026 05:05:33 +0000",
    "utc": "2026-11-20T05:05:33+00:00",
    "local": "2026-11-20T14:05:33+09:00",
    "notice_local": "2026-11-20T05:05:33+00:00",
    "zone": "+0000",
    "zone_assumed": False,
    "approximate": False,
}
ZONELESS_REPORT_TIME = {
    "text": "Fri, 20 Nov 2026 05:05:33",
    "utc": "2026-11-20T05:05:33+00:00",
    "local": "2026-11-20T14:05:33+09:00",
    "notice_local": "2026-11-20T05:05:33+00:00",
    "zone": "UTC",
    "zone_assumed": True,
    "approximate": False,
}
NOTICE_TIME = {
    "text": "2026年11月20日 14時00分00秒",
    "utc": "2026-11-20T05:00:00+00:00",
    "local": "2026-11-20T14:00:00+09:00",
    "notice_local": "2026-11-20T14:00:00+09:00",
    "zone": "JST",
    "zone_assumed": True,
    "approximate": False,
}


@pytest.mark.parametrize(
    ("email_from", "words", "source_ips", "reference", "times"),
    [
        # The reporter's time is shown in the user's zone.
        (
            "Fri, 20 Nov 2026 05:05:33 +0000",
            "",
            ["198.51.100.77"],
            "z6789012345z0123456789abcdefz",
            [REPORT_TIME],
        ),
        # SpamCop writes its time in UTC: without a zone it is read so (marked assumed), not
        # nine hours off in Japan's zone.
        (
            "Fri, 20 Nov 2026 05:05:33",
            "",
            ["198.51.100.77"],
            "z6789012345z0123456789abcdefz",
            [ZONELESS_REPORT_TIME],
        ),
        # The desk's own words keep their source (after the reporter's), their reference (the
        # one to quote back to the desk) and their time (beside the reporter's).
        (
            "Fri, 20 Nov 2026 05:05:33",
            "Source IP: 203.0.113.9\nReference: ABC-12345\n日時：2026年11月20日 14時00分00秒\n",
            ["198.51.100.77", "203.0.113.9"],
            "ABC-12345",
            [NOTICE_TIME, ZONELESS_REPORT_TIME],
        ),
    ],
)
def test_a_spamcop_reports_source_time_and_reference_join_the_claim(
    email_from, words, source_ips, reference, times
):
    a = notice.analyse(spamcop(email_from, words), public_ip=LINE, local_zone=JST)
    assert a.kind == "report"
    assert a.claim["source_ips"] == source_ips
    assert a.claim["reference"] == reference
    assert a.claim["times"] == times


# --- the provider's own mail servers ----------------------------------------------------------


def notice_mail(sender: str) -> bytes:
    return (
        f"From: Abuse Desk <{sender}>\nTo: taro@example.jp\n"
        "Subject: 迷惑メール送信のお知らせ\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="n"\n\n'
        "--n\nContent-Type: text/plain; charset=utf-8\n\n"
        "お客様の回線から迷惑メールが送信されていることを確認しました。\n"
        "受付番号：SPM-2026-0042\n"
        "--n\nContent-Type: message/rfc822\n\n"
        f"{received('smtp.isp.example.jp', '198.51.100.20')}\n"
        "From: x@example.jp\nSubject: hi\n\nspam\n--n--\n"
    ).encode()


def arf_to(desk: str) -> bytes:
    return (
        f"From: <fbl@feedback.example>\nTo: <{desk}>\nSubject: FW: Abuse report\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="r"\n\n'
        "--r\nContent-Type: text/plain\n\nThis is an abuse report.\n"
        "--r\nContent-Type: message/feedback-report\n\n"
        "Feedback-Type: abuse\nVersion: 1\nSource-IP: 198.51.100.20\n"
        "Arrival-Date: Fri, 20 Nov 2026 05:05:33 +0000\n"
        "--r\nContent-Type: text/rfc822-headers\n\n"
        f"{received('smtp.isp.example.jp', '198.51.100.20')}\nSubject: x\n--r--\n"
    ).encode()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        # The mail left through the notifying provider's own server: one of its customers, maybe
        # this line at that time, never an all-clear.
        (notice_mail("abuse@isp.example.jp"), "maybe_this_line"),
        # A domain is read whatever its case.
        (notice_mail("abuse@ISP.example.jp"), "maybe_this_line"),
        # A server of another provider than the notifying one: it did not come from this line.
        (notice_mail("abuse@other.example"), "forged"),
        # An ARF report's provider is the desk it was sent to.
        (arf_to("abuse@ISP.example.jp"), "maybe_this_line"),
        (arf_to("abuse@other.example"), "report_names_other"),
    ],
)
def test_a_mail_from_the_notifying_providers_own_server_may_be_this_line(data, code):
    a = notice.analyse(data, public_ip=LINE, local_zone=JST)
    assert (a.explanation_code, a.deciding_ip) == (code, "198.51.100.20")


# --- the sample's other headers ----------------------------------------------------------------


def test_the_lines_address_in_an_encoded_header_forbids_an_all_clear():
    encoded = base64.b64encode(f"ご確認ください [{LINE}]".encode()).decode()
    sample = (
        f"{received('mail.elsewhere.example', '198.51.100.77')}\n"
        f"From: x@shop.example\nSubject: =?UTF-8?B?{encoded}?=\n\nbuy\n"
    )
    a = notice.analyse(sample.encode(), public_ip=LINE, local_zone=JST)
    assert (a.verdict, a.explanation_code, a.deciding_ip) == ("unknown", "line_mentioned", LINE)
    # Without it the same mail came from elsewhere.
    plain = sample.replace(f"=?UTF-8?B?{encoded}?=", "cheap")
    b = notice.analyse(plain.encode(), public_ip=LINE, local_zone=JST)
    assert (b.verdict, b.explanation_code) == ("forged", "forged")


def test_the_lines_address_encoded_after_hundreds_of_headers_forbids_an_all_clear():
    # Only the first 500 other headers were searched once decoded: one more hid it.
    encoded = base64.b64encode(f"ご確認ください [{LINE}]".encode()).decode()
    padding = "".join(f"X-Pad-{i}: {i}\n" for i in range(600))
    sample = (
        f"{received('mail.elsewhere.example', '198.51.100.77')}\n"
        f"From: x@shop.example\n{padding}Subject: =?UTF-8?B?{encoded}?=\n\nbuy\n"
    )
    a = notice.analyse(sample.encode(), public_ip=LINE, local_zone=JST)
    assert (a.verdict, a.explanation_code, a.deciding_ip) == ("unknown", "line_mentioned", LINE)


# --- what the input adds to the provider's words -----------------------------------------------


def test_the_reports_own_reply_address_is_kept_before_the_desk_it_was_sent_to():
    data = arf_to("abuse@ISP.example.jp").replace(
        b"This is an abuse report.", b"This is an abuse report. Replies: security@isp.example.jp"
    )
    assert notice.analyse(data, local_zone=JST).claim["reply_to"] == "security@isp.example.jp"
    assert notice.analyse(arf_to("abuse@ISP.example.jp"), local_zone=JST).claim["reply_to"] == (
        "abuse@ISP.example.jp"
    )


def test_the_report_senders_own_address_does_not_take_the_providers_desk():
    # The words of a feedback report are its sender's: "Questions: postmaster@feedback.example"
    # took the reply away from the provider's desk that forwarded it, and with it the
    # provider's domain (its own server then read as another line's: report_names_other).
    data = arf_to("abuse@ISP.example.jp").replace(
        b"This is an abuse report.",
        b"This is an abuse report. Questions: postmaster@feedback.example",
    )
    a = notice.analyse(data, public_ip=LINE, local_zone=JST)
    assert a.claim["reply_to"] == "abuse@ISP.example.jp"
    assert a.explanation_code == "maybe_this_line"


BOT_NOTICE = (
    "山田 太郎 様\n\n"
    "参考：https://security.example.jp/emotet/\n\n"
    f"当社の観測により、お客様のご契約回線（IPアドレス：{LINE}）から、ボットネットの\n"
    "指令サーバー（C&Cサーバー）への通信を確認いたしました。回線に接続された機器が、\n"
    "マルウェア「Mirai」に感染している可能性がございます。\n\n"
    "　受付番号：SEC-2026-112077\n"
)


def test_the_family_a_bot_notice_names_is_not_replaced_by_one_in_a_link():
    a = notice.analyse(BOT_NOTICE.encode(), public_ip=LINE, local_zone=JST)
    assert a.claim["bot_report"]["family"] == "Mirai"
    assert a.claim["addressee"] == "山田 太郎"  # the provider's words greet the subscriber


def test_whom_a_forwarded_spam_greets_is_not_the_subscriber():
    mail = (
        "From: taro@example.jp\nSubject: Fwd: spam\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="f"\n\n'
        "--f\nContent-Type: text/plain; charset=utf-8\n\n"
        "山田 太郎 様\n\nお客様番号：AB-20391\nアカウントを確認してください。\n"
        "--f\nContent-Type: message/rfc822\n\n"
        f"{received('mail.elsewhere.example', '198.51.100.77')}\nSubject: your parcel\n\nspam\n"
        "--f--\n"
    )
    claim = notice.analyse(mail.encode(), public_ip=LINE, local_zone=JST).claim
    assert "addressee" not in claim and "contract_id" not in claim


# --- the machine's zone and an empty input ---------------------------------------------------


@no_tzset
def test_without_a_zone_given_times_are_shown_in_the_machines_zone(tokyo_machine):
    (arrival, _date) = notice.analyse(ARF.encode(), public_ip=LINE).claim["times"]
    assert arrival["local"] == "2026-11-20T14:05:33+09:00"


def test_an_empty_input_still_records_the_line_net_nat_saw():
    nat = {"public_ip": LINE, "public_ip_source": "upnp"}
    a = notice.analyse(b"  \n", nat_facts=nat, local_zone=JST)
    assert a.explanation_code == "nothing_to_read"
    assert a.line.as_facts()["addresses"] == [
        {"ip": LINE, "source": "router_wan", "kind": "documentation"}
    ]


# --- the words of a verdict --------------------------------------------------------------------

FORGED_HOP = {
    "client_ip": "198.51.100.77",
    "rdns": "mail.elsewhere.example",
    "by": "mx.recipient.example",
    "raw": "from mail.elsewhere.example ([198.51.100.77]) by mx.recipient.example",
}
LONG_RAW = "from x " + "y" * 400


@pytest.mark.parametrize(
    ("args", "words"),
    [
        # A line not known (an old notice.json) is shown as "…", never as an empty "()".
        (
            ("forged", "198.51.100.77", FORGED_HOP),
            "The message came from 198.51.100.77 (mail.elsewhere.example), a server in another"
            " network: it is not an address of this line (…), and no address of this line"
            " appears anywhere in its headers. Nothing on your side sent it; your address was"
            " only used as the sender. The deciding header is: “from mail.elsewhere.example"
            " ([198.51.100.77]) by mx.recipient.example”",
        ),
        (
            ("forged", "198.51.100.77", FORGED_HOP, ""),
            "The message came from 198.51.100.77 (mail.elsewhere.example), a server in another"
            " network: it is not an address of this line (…), and no address of this line"
            " appears anywhere in its headers. Nothing on your side sent it; your address was"
            " only used as the sender. The deciding header is: “from mail.elsewhere.example"
            " ([198.51.100.77]) by mx.recipient.example”",
        ),
        # A hop whose receiving server is not named.
        (
            ("relayed_from_this_line", LINE, {"client_ip": LINE, "raw": "from pc"}, LINE),
            "The message was sent from this line's address 203.0.113.45 to the mail server …"
            " without logging in, and passed on from there to the recipient. A device on this"
            " line sent it. The deciding header is: “from pc”",
        ),
        # A quoted header is cut at 300 characters.
        (
            ("direct_this_line", LINE, {"client_ip": LINE, "raw": LONG_RAW}, LINE),
            "The message went straight from this line's address 203.0.113.45 to the recipient's"
            " mail server, without logging in, as a spam bot does. The deciding header is:"
            f" “{LONG_RAW[:300]}”",
        ),
        # A code named by its deciding address takes the hop's when none is given.
        (
            ("report_names_other", None, {"client_ip": "198.51.100.20"}, LINE),
            "The report names 198.51.100.20 as the source. That is not this line's address now"
            " (203.0.113.45), but a home line's address changes: only your provider can tell"
            " which address your line had at the reported time.",
        ),
    ],
)
def test_explanation_words(args, words):
    assert explanation_words(*args) == words


# --- the line as a stored notice.json shows it ---------------------------------------------------

GIVEN = {"ip": LINE, "source": "given", "kind": "public"}
PC_V6 = {"ip": "2001:db8:1:2::5", "source": "this_pc", "kind": "documentation"}


@pytest.mark.parametrize(
    ("doc", "shown"),
    [
        ({"line": {"addresses": [GIVEN, PC_V6]}}, "203.0.113.45, 2001:db8:1:2::/64"),
        # A private address is no address the internet saw: not shown.
        (
            {"line": {"addresses": [{"ip": "192.168.1.5", "source": "given", "kind": "private"}]}},
            "",
        ),
        # What is not an address entry is passed over, the rest still shown.
        ({"line": {"addresses": [LINE, {"source": "given", "kind": "public"}, GIVEN]}}, LINE),
        # A notice.json without a line, or not one at all: nothing, and no crash.
        ({"line": {"addresses": None}}, ""),
        ({"line": {}}, ""),
        ({"line": LINE}, ""),
        ({"line": None}, ""),
        ({}, ""),
        ([], ""),
        (None, ""),
    ],
)
def test_line_shown(doc, shown):
    assert line_shown(doc) == shown


# --- what the provider is asked for --------------------------------------------------------------

# Known to the second from its UTC value alone (a stored time without its text).
TO_THE_SECOND = {"utc": "2026-11-20T05:05:33+00:00", "zone_assumed": False, "approximate": False}
FULL = {"source_ips": [LINE], "source_ports": [50123], "message_counts": [3]}


@pytest.mark.parametrize(
    ("claim", "missing", "ask"),
    [
        # A claim that holds nothing (not even its times) asks for everything.
        (
            {},
            [],
            [
                "times_exact",
                "source_ip",
                "source_port",
                "destination",
                "count",
                "sample_headers",
                "trigger",
            ],
        ),
        ({"times": [TO_THE_SECOND], **FULL}, [], ["destination", "sample_headers", "trigger"]),
        # A year assumed is not an exact time.
        (
            {"times": [{**TO_THE_SECOND, "year_assumed": True}], **FULL},
            [],
            ["times_exact", "destination", "sample_headers", "trigger"],
        ),
        # The destination the notice names is not asked for again.
        (
            {"times": [TO_THE_SECOND], "destinations": ["mx.recipient.example"], **FULL},
            [],
            ["sample_headers", "trigger"],
        ),
        # What the verdict lacks is asked for, even when the notice gave a port.
        (
            {"times": [TO_THE_SECOND], **FULL},
            ["logs_for_line"],
            ["destination", "sample_headers", "logs_for_line", "trigger"],
        ),
        (
            {"times": [TO_THE_SECOND], **FULL},
            ["line_address", "source_port"],
            ["destination", "sample_headers", "line_address", "source_port", "trigger"],
        ),
    ],
)
def test_what_to_ask(claim, missing, ask):
    assert what_to_ask(Analysis("text", True, claim, missing=missing)) == ask
