"""The letter never carries a placeholder for what the notice may not give: a sentence is
written without the reference rather than with "[notice reference]" (issue 32)."""

import pytest

from reports.report import letter_text
from tests.cases import JST, TODAY, build

KINDS = ["clean", "infected", "forged", "account", "suspicious", "ongoing", "nofacts"]


@pytest.mark.parametrize("kind", KINDS)
def test_no_reference_no_placeholder_and_a_given_one_is_named(tmp_path, kind):
    case = build(kind, tmp_path)
    for lang in ("en", "ja"):
        text = letter_text(case, lang, JST, TODAY)
        assert "[notice reference]" not in text and "［受付番号］" not in text
    case.set_details(reference="AB-77")
    assert "(reference AB-77)" in letter_text(case, "en", JST, TODAY)
    assert "（受付番号：AB-77）" in letter_text(case, "ja", JST, TODAY)


def _with_scan(tmp_path, *av):
    from checks.model import Result, Status

    case = build("nofacts", tmp_path)
    case.add_results([Result("AV-STATUS", Status(s), reason, params) for s, reason, params in av])
    case.mark_done("scan", "2026-11-21")
    return case


def test_a_ticked_scan_never_contradicts_the_findings(tmp_path):
    """Issue 32: 'I ran a full scan' stood beside 'no antivirus is installed', naming no
    scanner and no result. The letter names the scanner the checks saw and the scan's result,
    or says it cannot name one."""
    none = _with_scan(tmp_path / "a", ("fail", "none_on", {}))
    en, ja = letter_text(none, "en", JST, TODAY), letter_text(none, "ja", JST, TODAY)
    assert "ran a full antivirus scan" not in en and "cannot say which program" in en
    assert "完全スキャン" not in ja and "使用したソフトは確認できておりません" in ja
    named = _with_scan(
        tmp_path / "b",
        ("pass", "windows_on", {"names": ["ESET Security"]}),
        ("pass", "scan_clean", {"targets": "C:\\"}),
    )
    en, ja = letter_text(named, "en", JST, TODAY), letter_text(named, "ja", JST, TODAY)
    assert "ran a full antivirus scan with ESET Security; it found nothing." in en
    assert "ESET Security で完全スキャンを行いました（検出なし）。" in ja


@pytest.mark.parametrize("kind", KINDS)
def test_the_support_summary_speaks_words_not_codes(tmp_path, kind):
    """Issue 32: 「実施した対策：scan」 and 「（fail）」 in the Japanese summary."""
    import re

    from reports import summary

    case = build(kind, tmp_path)
    text = "\n".join(summary.lines(case, "ja", JST)[1:])  # the first line names the case folder
    for code in ("scan", "removal", "password", "disconnect", "direct", "forged", "fail", "pass"):
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", text), (code, text)
    # Nothing given is said in words, not as a bare "-" (「決め手のアドレス -」, 「受付番号 -」).
    for lang in ("ja", "en"):
        said = "\n".join(summary.lines(case, lang, JST)[1:])
        assert not re.search(r"(?:^|[\s（(])-(?:[\s）);.]|$)", said, re.M), said


def test_the_support_summary_calls_one_look_one_look_not_a_watch(tmp_path):
    """Issue 32: "clean watch" was said of a one-instant snapshot of the connection table."""
    from cases.store import Case
    from checks.probes.mail_connections import WatchFacts
    from checks.smtp import interpret_outbound
    from reports import summary
    from tests.cases import T0, _stamp, clean_watch

    case = Case(tmp_path / "snap")
    snapshot = interpret_outbound(WatchFacts("windows", T0, T0, 1, [], True, None, True))
    case.add_results([_stamp(snapshot, T0)])
    for lang, words, never in (
        ("en", "one look", "clean watch"),
        ("ja", "一度", "見守り"),
    ):
        text = "\n".join(summary.lines(case, lang, JST))
        assert words in text and never not in text, text
    case.add_results([clean_watch(T0, minutes=10)])
    assert "clean watch" in "\n".join(summary.lines(case, "en", JST))


@pytest.mark.parametrize(
    ("text", "name", "contract"),
    [
        (
            "山田 太郎 様\n\nご契約者番号：EX-0012345\n迷惑メールが送信されました。",
            "山田 太郎",
            "EX-0012345",
        ),
        (
            "Dear Taro Yamada,\n\nCustomer ID: AB-77\nSpam was sent from your line.",
            "Taro Yamada",
            "AB-77",
        ),
        (
            "お客様各位\n\n送信元IPアドレス：203.0.113.45 から迷惑メールが送信されました。",
            None,
            None,
        ),
        ("Dear Customer,\n\nSpam was sent from your line 203.0.113.45.", None, None),
    ],
)
def test_the_letter_takes_whom_the_notice_is_written_to(tmp_path, text, name, contract):
    """Step 5 and the letter asked again for the name and contract the notice gave (issue 32);
    a greeting to nobody in particular is no name."""
    from app import flows
    from cases.store import Case

    case = Case(tmp_path / "case")
    flows.read_notice(case, text.encode(), public_ip="203.0.113.45", zone=JST, power={"events": []})
    claim = case.notice()["claim"]
    assert (claim.get("addressee"), claim.get("contract_id")) == (name, contract)
    letter = letter_text(case, "en", JST, TODAY)
    if name:
        assert f"I am {name}, an individual subscriber" in letter
        assert f"contract ID {contract}" in letter or f"contract ID “{contract}”" in letter


def test_a_spam_samples_greeting_is_not_the_subscribers_name(tmp_path):
    from app import flows
    from cases.store import Case

    sample = (
        b"Received: from pc.example ([203.0.113.45]) by mx.example with ESMTP; "
        b"Fri, 20 Nov 2026 05:05:00 +0000\r\nFrom: x@y.example\r\nTo: victim@z.example\r\n"
        b"Subject: offer\r\nDate: Fri, 20 Nov 2026 05:05:00 +0000\r\n\r\nDear Hanako Sato,\r\n\r\nbuy\r\n"
    )
    case = Case(tmp_path / "case")
    flows.read_notice(case, sample, public_ip="203.0.113.45", zone=JST, power={"events": []})
    assert "addressee" not in case.notice()["claim"]
