"""Structures met in real feedback-loop reports and saved messages (see README.md), each
rebuilt as a small fixture in tests/realworld/data and read as an abuse analyst reads it."""

import subprocess
import sys
from pathlib import Path

import pytest

from checks.notice import ACCOUNT, DIRECT, UNKNOWN, analyse
from tests.cases import JST

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]
USER_IP = "203.0.113.45"


def read(name: str, public_ip: str | None = USER_IP):
    return analyse((DATA / name).read_bytes(), public_ip=public_ip, local_zone=JST)


def test_an_mbox_from_line_does_not_hide_the_report():
    """Saved messages and some providers' reports (and the original they attach) begin with an
    mbox "From sender date" line."""
    a = read("mbox_from_report.eml")
    assert a.kind == "arf" and len(a.hops) == 2
    assert a.verdict == DIRECT and a.deciding_ip == USER_IP
    assert a.sample["subject"] == "Your account is suspended"  # the attached original was read


def test_a_forged_lower_login_is_not_believed():
    """A bot sending straight to the recipient's server adds a fake older line with a login."""
    a = read("forged_lower_esmtpa.eml")
    assert a.verdict == DIRECT and a.deciding_ip == USER_IP
    assert a.chain["untrusted"] == [0]  # the fake line, written by the sender
    assert "not trusted" in " ".join(a.chain["notes"])


def test_of_two_logins_the_internet_facing_one_decides():
    a = read("two_logins.eml", public_ip=None)
    assert a.verdict == ACCOUNT and a.deciding_ip == "185.220.101.47"
    assert "?" not in a.explanation


def test_a_hidden_entry_is_unknown_not_forged():
    """A forwarder that records no address: the receiver's own relays are never taken for the
    entry, and a missing address is not read as 'someone else'."""
    a = read("hidden_entry_forwarder.eml")
    assert a.verdict == UNKNOWN and "hidden_origin" in a.missing
    assert a.deciding.from_helo == "out3.forwarder.example"


def test_qmail_login_notation_and_layout():
    a = read("qmail_login.eml")
    assert a.verdict == ACCOUNT and a.deciding.auth_user == "taro"
    assert a.deciding_ip == "185.220.101.47" and a.deciding.from_helo == "pc"


def test_authentication_results_auth_pass_is_a_login():
    a = read("ar_auth_login.eml", public_ip=None)
    assert a.verdict == ACCOUNT and a.deciding.auth_user == "taro.yamada@isp.example.jp"
    assert a.deciding_ip is None  # the header names the account, not where the login came from


def test_a_date_without_zone_is_read_like_the_notice_text():
    a = read("date_without_zone.eml")
    date = next(t for t in a.claim["times"] if t.get("source"))
    assert date["utc"] == "2026-11-20T05:32:00+00:00" and date["zone_assumed"]
    text = analyse("日時：2026年11月20日 14時32分".encode(), local_zone=JST)
    assert text.claim["times"][0]["utc"] == date["utc"]


def test_a_japanese_notice_without_facts_is_unknown_not_unusable():
    a = read("notice_without_facts_ja.txt")
    assert a.readable and a.verdict == UNKNOWN
    assert {"times_exact", "source_ip", "sample_headers"} <= set(a.ask_provider)
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "notice",
            str(DATA / "notice_without_facts_ja.txt"),
        ],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir() if p.is_file()))
def test_no_question_marks_reach_the_user(name):
    from checks.notice import to_result

    a = read(name)
    words = to_result(a).words("en")
    assert "?" not in a.explanation and "?" not in words.summary
