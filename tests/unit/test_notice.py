"""Reading the provider's claim: samples with known verdicts, a Japanese notice, ARF, garbage."""

import json
import subprocess
import sys
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.model import Status
from checks.notice import analyse, to_result
from checks.notice_time import find_times
from tests.budget import examples
from tests.recorded import DATA

ROOT = Path(__file__).resolve().parents[2]
NOTICES = DATA / "notices"
JST = timezone(timedelta(hours=9))
USER_IP = "203.0.113.45"


def load(name, public_ip=USER_IP):
    return analyse((NOTICES / name).read_bytes(), public_ip=public_ip, local_zone=JST)


@pytest.mark.parametrize(
    ("name", "public_ip", "verdict", "ip", "hop", "entry_utc"),
    [
        ("direct_to_mx.eml", USER_IP, "direct", USER_IP, 0, "2026-11-20T05:05:33+00:00"),
        (
            "direct_to_mx.eml",
            None,
            "direct",
            USER_IP,
            0,
            "2026-11-20T05:05:33+00:00",
        ),  # dynamic pool name
        (
            "account_misuse.eml",
            USER_IP,
            "account",
            "185.220.101.47",
            0,
            "2026-11-20T06:12:07+00:00",
        ),
        ("forged_sender.eml", USER_IP, "forged", "45.95.147.213", 0, "2026-11-19T22:41:18+00:00"),
        (
            "forged_sender.eml",
            None,
            "unknown",
            "45.95.147.213",
            0,
            "2026-11-19T22:41:18+00:00",
        ),  # SPF/DMARC fail, but without the line's address no all-clear
        ("arf_report.eml", USER_IP, "direct", USER_IP, 0, "2026-11-20T05:05:33+00:00"),
    ],
)
def test_verdicts(name, public_ip, verdict, ip, hop, entry_utc):
    a = load(name, public_ip)
    assert a.verdict == verdict
    assert a.deciding_ip == ip
    assert a.deciding.index == hop
    assert a.claim["entry_time_utc"] == entry_utc
    if verdict != "unknown":
        assert a.deciding.raw[:40] in a.explanation  # the explanation quotes the deciding hop


def test_account_misuse_names_the_login_and_server():
    a = load("account_misuse.eml")
    assert a.deciding.auth_user == "taro.yamada@isp.example.jp"
    assert a.deciding.by == "smtp.isp.example.jp"
    assert to_result(a).status == Status.FAIL
    assert "password" in to_result(a).advice[0]


def test_forged_is_good_news_for_the_user():
    a = load("forged_sender.eml")
    assert a.sample["authentication_results"]["dmarc"] == "fail"
    assert to_result(a).status == Status.PASS


def test_arf_fields_feed_the_claim():
    a = load("arf_report.eml")
    fb = a.claim["feedback_report"]
    assert (fb["Feedback-Type"], fb["Source-IP"], fb["Incidents"]) == ("abuse", USER_IP, "37")
    assert fb["Original-Mail-From"] == "<taro.yamada@example.jp>"
    assert fb["Reported-Domain"] == "example.jp"
    assert 37 in a.claim["message_counts"]
    assert "2026-11-20T05:05:33+00:00" in {t["utc"] for t in a.claim["times"]}
    assert a.kind == "arf"


def test_an_arf_report_is_answered_to_the_abuse_desk_it_was_addressed_to():
    """The report went to the line provider's abuse desk (its To); that desk forwarded it to
    the subscriber, and the reply goes back there (issue 32: the mail button had no recipient).
    The reporter's own feedback address is not the desk."""
    assert load("arf_report.eml").claim["reply_to"] == "abuse@isp.example.jp"
    raw = (NOTICES / "arf_report.eml").read_bytes()
    own = raw.replace(b"To: <abuse@isp.example.jp>", b"To: <taro.yamada@example.jp>")
    assert analyse(own, public_ip=USER_IP).claim.get("reply_to") is None


def test_japanese_notice_claim():
    a = load("notice_ja.txt")
    c = a.claim
    assert c["reference"] == "ABUSE-2026-112034"
    assert c["source_ips"] == [USER_IP]
    assert c["source_ports"] == [51234]
    assert c["destination_ports"] == [25]
    assert c["message_counts"] == [1200]
    (t,) = c["times"]
    assert t["utc"] == "2026-11-20T05:05:00+00:00"  # 14:05 JST: no zone in a Japanese notice
    assert t["end_utc"] == "2026-11-20T05:30:00+00:00"
    assert t["zone_assumed"] and t["approximate"]
    assert a.verdict == "unknown" and a.missing == ["full_headers"]
    assert "times_exact" in a.ask_provider and "sample_headers" in a.ask_provider


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026年11月20日 14時05分頃", "2026-11-20T05:05:00+00:00"),
        ("2026/11/20（金）14:05:33 JST", "2026-11-20T05:05:33+00:00"),
        ("２０２６年１１月２０日　１４：０５：３３", "2026-11-20T05:05:33+00:00"),
        ("令和8年11月20日 午後2時5分", "2026-11-20T05:05:00+00:00"),
        ("Fri, 20 Nov 2026 14:05:33 +0900", "2026-11-20T05:05:33+00:00"),
        ("2026-11-20T05:05:33Z", "2026-11-20T05:05:33+00:00"),
        ("2026-11-20 14:05:33 (日本時間)", "2026-11-20T05:05:33+00:00"),
    ],
)
def test_time_forms(text, utc):
    (t,) = find_times(text)
    assert t.when.astimezone(UTC).isoformat() == utc


def test_impossible_dates_are_skipped_not_guessed():
    assert find_times("2026年13月40日 25時61分") == []
    assert find_times("2026年2月30日 10時00分") == []


def test_mislabelled_iso2022jp_body_is_read():
    body = "送信元IPアドレス：203.0.113.45 受付番号：AB-12345".encode("iso-2022-jp")
    msg = (
        b"From: abuse@isp.example\r\nSubject: x\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\n"
        + body
    )
    a = analyse(msg, local_zone=JST)
    assert a.claim["reference"] == "AB-12345"
    assert a.claim["source_ips"] == [USER_IP]


def test_shift_jis_plain_text_notice():
    a = analyse(
        "発生日時：2026年11月20日 14時05分 送信元：203.0.113.45".encode("cp932"), local_zone=JST
    )
    assert a.claim["source_ips"] == [USER_IP]
    assert a.claim["times"][0]["utc"] == "2026-11-20T05:05:00+00:00"


def test_broken_mime_missing_boundary_still_reads_headers():
    msg = (
        (NOTICES / "arf_report.eml")
        .read_bytes()
        .replace(b'boundary="part1_13d.2e68ed54_boundary"', b"")
    )
    a = analyse(msg, public_ip=USER_IP, local_zone=JST)
    assert a.readable
    assert any("malformed" in w for w in a.warnings) or a.hops or a.claim["ips"]


def test_header_injection_does_not_leak_control_characters():
    msg = (
        b"Received: from evil (x [203.0.113.9]) by mx.example with ESMTP; Fri, 20 Nov 2026 05:05:33 +0000\r\n"
        b"Subject: =?UTF-8?B?"
        + __import__("base64").b64encode(b"a\r\nBcc: victim@example\x07")
        + b"?=\r\n\r\nbody"
    )
    a = analyse(msg, public_ip="203.0.113.9", local_zone=JST)
    assert "\r" not in a.sample["subject"] and "\x07" not in a.sample["subject"]
    assert a.verdict == "direct"


def test_ten_megabytes_of_headers():
    line = b"X-Junk: " + b"A" * 990 + b"\r\n"
    msg = (
        line * 11000
        + b"Received: from x (y [203.0.113.45]) by mx with SMTP; Fri, 20 Nov 2026 05:05:33 +0000\r\n\r\n"
    )
    a = analyse(msg, public_ip=USER_IP, local_zone=JST)
    assert a.verdict == "direct" and a.deciding_ip == USER_IP
    huge = analyse(line * 21000, local_zone=JST)
    assert any("only the first" in w for w in huge.warnings)


def test_garbage_is_unreadable_with_a_warning():
    a = analyse((NOTICES / "garbage.bin").read_bytes(), local_zone=JST)
    assert not a.readable and a.warnings


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_fuzz_bytes_never_crash(data):
    a = analyse(data, local_zone=JST)
    json.dumps(a.to_dict(), ensure_ascii=False)


HEADER_NAMES = st.sampled_from(
    ["Received", "From", "Date", "Content-Type", "Authentication-Results", "Subject", "X-Y"]
)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(HEADER_NAMES, st.text(max_size=120)), max_size=12), st.text(max_size=300))
def test_fuzz_header_shaped_input_never_crashes(headers, body):
    raw = "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n" + body
    a = analyse(
        raw.encode("utf-8", "surrogatepass") if False else raw.encode("utf-8", "replace"),
        public_ip=USER_IP,
        local_zone=JST,
    )
    assert a.verdict in ("direct", "account", "forged", "unknown")


def cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "notice", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        cwd=ROOT,
    )


def test_cli_json_for_each_kind():
    out = cli(str(NOTICES / "account_misuse.eml"), "--json", "--public-ip", USER_IP)
    doc = json.loads(out.stdout)
    assert doc["verdict"] == "account" and doc["deciding_ip"] == "185.220.101.47"
    assert doc["deciding_hop"]["by"] == "smtp.isp.example.jp"
    assert {r["id"] for r in doc["results"]} == {"NOTICE-SOURCE", "NOTICE-UPTIME"}
    assert out.returncode == 2


def test_cli_reads_pasted_text_from_stdin_and_rejects_garbage():
    out = cli("-", "--json", stdin=(NOTICES / "notice_ja.txt").read_bytes())
    assert json.loads(out.stdout)["claim"]["reference"] == "ABUSE-2026-112034"
    bad = cli(str(NOTICES / "garbage.bin"))
    assert bad.returncode == 3 and b"Traceback" not in bad.stderr
    missing = cli("/nonexistent/notice.eml")
    assert missing.returncode == 3 and b"Traceback" not in missing.stderr
