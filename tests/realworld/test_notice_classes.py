"""Each class of real mail that made the notice reader tell a line that did send the mail
"nothing on your side sent it" (issue 26), rebuilt as a small fixture from the structure met in
real material (see README.md: sisimai/set-of-emails, apache/spamassassin, rf-peixoto/
phishing_pot, AbuseIO/AbuseIO, gitpan/Mail-Abuse, the linux-mediatek list archive). Addresses
are documentation ranges; the structure (which line, which words, which order) is the real one.
"""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest

from checks import notice
from checks.notice import ACCOUNT, DIRECT, FORGED, UNKNOWN

DATA = Path(__file__).parent / "data" / "classes"
JST = timezone(timedelta(hours=9))


def read(name: str, public_ip=None, zone=UTC, nat=None) -> notice.Analysis:
    return notice.analyse(
        (DATA / name).read_bytes(), public_ip=public_ip, local_zone=zone, nat_facts=nat
    )


# --- 1: through another organisation, the line lower in a consistent chain -------------------


@pytest.mark.parametrize(
    ("name", "line", "verdict", "code"),
    [
        # A bounce that quotes the original in its words: the original's path decides.
        ("bounce_inline_original.eml", "203.0.113.25", ACCOUNT, "account_from_line"),
        # A mailing list (loopback re-injection, a from-less line) above a Postfix submission
        # whose TLS comment holds "with cipher" before "with ESMTPSA".
        ("list_relay_esmtpsa.eml", "203.0.113.45", ACCOUNT, "account_from_line"),
        # Old dial-up spam through an open relay, a from-less line of the recipient between.
        ("open_relay_dialup.eml", "4.48.136.190", DIRECT, "relayed_from_this_line"),
        # A bounce whose original carries a version number "7.0.5.33.0" in its comments.
        ("version_string_hop.eml", "203.0.113.240", ACCOUNT, "account_from_line"),
    ],
)
def test_the_line_below_another_organisation_is_found(name, line, verdict, code):
    a = read(name, line)
    assert (a.verdict, a.explanation_code, a.deciding_ip) == (verdict, code, line)


def test_a_version_number_is_no_client_address():
    a = read("version_string_hop.eml")
    assert "7.0.5.33" not in {h.client_ip for h in a.hops}


# --- 2: the line is a set of addresses --------------------------------------------------------


def test_another_address_of_the_lines_ipv6_64_is_this_line():
    a = read("ipv6_same_64.eml", "203.0.113.45, 2001:db8:4a:1200::1")
    assert (a.verdict, a.explanation_code) == (DIRECT, "direct_this_line")


def test_the_lines_ipv6_address_from_the_checks_of_this_pc_counts_too():
    nat = {"addresses": [{"interface": "eth0", "address": "2001:db8:4a:1200:8d3c::1"}]}
    a = read("ipv6_same_64.eml", "203.0.113.45", nat=nat)
    assert a.verdict == DIRECT


def test_an_ipv6_sender_with_only_the_lines_ipv4_known_is_unknown_not_forged():
    a = read("ipv6_same_64.eml", "203.0.113.45")
    assert (a.verdict, a.explanation_code, a.missing) == (UNKNOWN, "other_family", ["line_ipv6"])


def test_the_address_the_notice_names_is_the_lines_at_that_time():
    """Yesterday's dynamic address: the user gives today's, the provider's notice names the
    one the line had then, and its quoted headers show it."""
    a = read("notice_names_yesterdays_address.txt", "203.0.113.45", zone=JST)
    assert a.kind == "report"
    assert (a.verdict, a.deciding_ip) == (DIRECT, "203.0.113.99")
    sources = {x.ip: x.source for x in a.line.addresses}
    assert sources == {"203.0.113.45": "given", "203.0.113.99": "notice"}


def test_a_dynamic_address_of_the_same_provider_is_unknown_without_the_notices_word():
    text = (DATA / "notice_names_yesterdays_address.txt").read_text(encoding="utf-8")
    text = text.replace("送信元IPアドレス：203.0.113.99\n", "")
    a = notice.analyse(text.encode(), public_ip="203.0.113.45", local_zone=JST)
    assert (a.verdict, a.explanation_code, a.missing) == (
        UNKNOWN,
        "maybe_this_line",
        ["line_address"],
    )
    assert "line_address" in a.ask_provider


def test_carrier_grade_nat_makes_not_my_line_unknowable():
    a = read("exchange_online_direct.eml", "100.71.2.3")
    assert (a.verdict, a.explanation_code) == (UNKNOWN, "cgnat_unknowable")
    assert set(a.missing) == {"line_address", "source_port"}
    shared = read("exchange_online_direct.eml", "100.71.2.3, 198.51.100.115")
    assert (shared.verdict, shared.explanation_code, shared.missing) == (
        UNKNOWN,
        "shared_address",
        ["source_port"],
    )
    assert "source_port" in shared.ask_provider


# --- 3: login words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("qmail_with_plain_bounce.eml", "203.0.113.199"),  # "(user@ip with plain)"
        ("webmail_via_http_bounce.eml", "203.0.113.67"),  # "via HTTP" below an operator's relays
    ],
)
def test_japanese_providers_login_words_decide_account(name, line):
    a = read(name, line)
    assert (a.verdict, a.explanation_code, a.deciding_ip) == (ACCOUNT, "account_from_line", line)


@pytest.mark.parametrize(
    "words",
    [
        b"with ESMTP AUTH",  # as a Japanese provider's server writes a login (issue 26, class 3)
        b"with SMTP-AUTH",
        b"with ESMTP (AUTH: LOGIN taro)",
    ],
)
def test_login_words_the_reader_once_read_as_plain_esmtp_decide_account(words):
    """The same submission written with each server's own login words: `account` (the mail
    password), never `direct` (a bot on this PC), which plain "with ESMTP" gives."""
    raw = (DATA / "list_relay_esmtpsa.eml").read_bytes()
    plain = notice.analyse(raw.replace(b"with ESMTPSA", b"with ESMTP"), public_ip="203.0.113.45")
    assert plain.verdict == DIRECT  # the control: without a login word, straight from the line
    a = notice.analyse(raw.replace(b"with ESMTPSA", words), public_ip="203.0.113.45")
    assert (a.verdict, a.explanation_code) == (ACCOUNT, "account_from_line")


# --- 4: an ARF report's Source-IP and the login in its own headers -------------------------------


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("arf_ecelerity_helo.eml", "203.0.113.172"),  # "([ip:port] helo=name)" above ESMTPA
        ("arf_mboxrd_from.eml", "203.0.113.226"),  # the attached original starts ">From "
    ],
)
def test_a_login_below_the_reports_source_ip_decides(name, line):
    a = read(name, line)
    assert a.kind == "arf"
    assert (a.verdict, a.deciding_ip) == (ACCOUNT, line)
    assert read(name).verdict == ACCOUNT  # a login from somewhere, line or not


# --- 5: a SpamCop report ------------------------------------------------------------------------


def test_a_spamcop_report_reads_its_quoted_headers_and_its_source():
    a = read("spamcop_report.eml", "198.51.100.77")
    assert a.kind == "report"
    assert (a.verdict, a.deciding_ip) == (DIRECT, "198.51.100.77")
    assert a.claim["reference"] == "z1234567890zabcdef0123456789z"
    assert "2003-06-19T21:34:13+00:00" in {t["utc"] for t in a.claim["times"]}
    other = read("spamcop_report.eml", "203.0.113.45")
    assert other.verdict != FORGED  # the report's source traced to this contract: ask
    assert "198.51.100.77" not in {x.ip for x in other.line.addresses}


# --- 6: a spam that imitates a notice ----------------------------------------------------------


def test_a_spam_that_imitates_a_notice_is_read_as_a_sample():
    a = read("notice_lookalike_phish.eml", "198.51.100.88")
    assert a.kind == "eml"  # not "text": its Received lines are read
    assert (a.verdict, a.deciding_ip) == (DIRECT, "198.51.100.88")
    assert a.claim["reference"] is None and a.claim["source_ips"] == []
    assert "203.0.113.250" not in {x.ip for x in a.line.addresses}  # a link is no claim


# --- 7: times in the notice's own zone ---------------------------------------------------------


def test_a_japanese_range_is_read_in_japan_time_on_a_pc_in_another_zone():
    a = read("notice_names_yesterdays_address.txt", "203.0.113.45", zone=UTC)
    (t,) = [t for t in a.claim["times"] if not t.get("source")]
    assert (t["utc"], t["end_utc"]) == ("2026-11-18T12:12:00+00:00", "2026-11-18T12:40:00+00:00")
    assert (t["zone"], t["zone_assumed"], t["approximate"]) == ("日本時間", False, True)
    assert t["notice_local"] == "2026-11-18T21:12:00+09:00"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "ja",
            "2026年11月18日 21時12分～21時40分（日本時間）頃（この PC の時間帯では"
            " 2026年11月18日 12時12分～12時40分（UTC+00:00））",
        ),
        (
            "en",
            "18 November 2026, 21:12–21:40 (JST, UTC+09:00) (approximately)"
            " (18 November 2026, 12:12–12:40 (UTC+00:00) here)",
        ),
    ],
)
def test_the_letter_restates_the_whole_range_in_the_notices_zone_and_the_pcs(tmp_path, lang, said):
    """On a PC in UTC: the notice's own hours in its own zone (Japan), the whole range, and
    the same hours on this PC's clock beside them, since the two differ (issue 26, class 7)."""
    from datetime import datetime

    from app import flows
    from cases.store import Case
    from reports.report import letter_text

    case = Case(tmp_path / "case")
    raw = (DATA / "notice_names_yesterdays_address.txt").read_bytes()
    flows.read_notice(case, raw, public_ip="203.0.113.45", zone=UTC, power={"events": []})
    assert said in letter_text(case, lang, UTC, datetime(2026, 11, 23, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        (
            "2026年11月18日 23時50分頃～0時10分頃",
            "2026-11-18T14:50:00+00:00",
            "2026-11-18T15:10:00+00:00",
        ),
        ("2026年11月18日 24時30分", "2026-11-18T15:30:00+00:00", None),
        (
            "2026年11月18日 22時半から翌朝7時まで",
            "2026-11-18T13:30:00+00:00",
            "2026-11-18T22:00:00+00:00",
        ),
        (
            "Nov 18, 2026 9:12 PM (PDT) to 9:40 PM (PDT)",
            "2026-11-19T04:12:00+00:00",
            "2026-11-19T04:40:00+00:00",
        ),
        ("2026-11-18 21:12 +0900", "2026-11-18T12:12:00+00:00", None),
    ],
)
def test_time_ranges_and_zones(text, start, end):
    (t,) = notice.analyse(text.encode(), local_zone=UTC).claim["times"]
    assert (t["utc"], t.get("end_utc")) == (start, end)


def test_the_journal_and_uptime_look_at_the_notices_window_not_the_pcs_clock(tmp_path):
    """Read on a PC in UTC, a Japan-time notice still points the journal and NOTICE-UPTIME at
    12:12–12:40 UTC (21:12–21:40 JST), never nine hours off."""
    from app import flows

    data = (DATA / "notice_names_yesterdays_address.txt").read_bytes()
    # The PC was shut down at 12:00 UTC and started again at 13:00 UTC: off throughout the
    # reported window only when that window is read in Japan's zone.
    power = {
        "events": [
            {"time": "2026-11-18T08:00:00+00:00", "kind": "boot"},
            {"time": "2026-11-18T12:00:00+00:00", "kind": "shutdown"},
            {"time": "2026-11-18T13:00:00+00:00", "kind": "boot"},
        ]
    }
    outcome = flows.read_notice(None, data, "203.0.113.45", zone=UTC, power=power)
    window = flows.notice_window(outcome.analysis.claim["times"])
    assert [w.isoformat() for w in window] == [
        "2026-11-18T12:12:00+00:00",
        "2026-11-18T12:40:00+00:00",
    ]
    uptime = outcome.results[1]
    assert (uptime.id, uptime.status.value) == ("NOTICE-UPTIME", "pass")


def test_a_home_line_in_another_block_quoted_by_the_providers_notice_is_not_forged():
    """Dynamic pools span many blocks: yesterday's address may be in another /16 than today's.
    With no label on it, the notice's own words still say this contract sent the mail."""
    text = (DATA / "notice_names_yesterdays_address.txt").read_text(encoding="utf-8")
    text = text.replace("送信元IPアドレス：203.0.113.99\n", "").replace(
        "203.0.113.99", "198.51.100.99"
    )
    a = notice.analyse(text.encode(), public_ip="203.0.113.45", local_zone=JST)
    assert (a.verdict, a.explanation_code, a.deciding_ip, a.missing) == (
        UNKNOWN,
        "notice_home_line",
        "198.51.100.99",
        ["line_address"],
    )
    assert "line_address" in a.ask_provider


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "only you can tell whether 198.51.100.99 was assigned to my line at that time"),
        ("ja", "当時当回線に割り当てられていたアドレスかどうかは、貴社でのみご確認いただけます"),
    ],
)
def test_the_letter_asks_which_address_the_line_had_rather_than_denying(tmp_path, lang, said):
    from datetime import datetime

    from app import flows
    from cases.store import Case
    from reports.report import letter_text

    text = (DATA / "notice_names_yesterdays_address.txt").read_text(encoding="utf-8")
    text = text.replace("送信元IPアドレス：203.0.113.99\n", "").replace(
        "203.0.113.99", "198.51.100.99"
    )
    case = Case(tmp_path / "case")
    flows.read_notice(case, text.encode(), public_ip="203.0.113.45", zone=UTC, power={"events": []})
    letter = letter_text(case, lang, UTC, datetime(2026, 11, 23, tzinfo=UTC))
    assert said in letter
    assert "198.51.100.99" in letter
    assert "appears nowhere in them" not in letter and "どこにも記録されて" not in letter


def test_a_shadowserver_botnet_drone_report_is_a_bot_report_with_its_family():
    """The structure of AbuseHub's forwarded Shadowserver "Botnet Drone" reports (AbuseIO's
    notifier samples): a sentence naming the drone feed, the family only in the CSV's
    "infection" column."""
    a = read("shadowserver_drone_csv.eml", "203.0.113.45")
    bot = a.claim["bot_report"]
    assert bot["family"] == "ZeroAccess"
    assert "Shadowserver Botnet Drone" in bot["evidence"]


@pytest.mark.skipif(
    not hasattr(__import__("time"), "tzset"),
    reason="Windows cannot change a running process's time zone (no time.tzset)",
)
def test_the_terminal_restates_the_notices_hours_in_its_zone_and_the_pcs():
    """`notice` on a PC in UTC (support staff abroad) printed the claimed time in UTC only,
    nine hours from the notice's own words; it says both, as the letter does."""
    from checks import i18n
    from reports import console

    a = read("notice_names_yesterdays_address.txt", "203.0.113.45", zone=UTC)
    token = i18n.use_language("ja")
    try:
        import os
        import time

        old = os.environ.get("TZ")
        os.environ["TZ"] = "UTC"
        time.tzset()
        text = console.format_notice(a.to_dict())
    finally:
        i18n.reset_language(token)
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert "21時12分～21時40分（日本時間）頃" in text
    assert "この PC の時間帯では 2026年11月18日 12時12分～12時40分（UTC+00:00）" in text
