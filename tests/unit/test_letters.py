"""The letters: golden texts for each case kind in both languages, and what they must say."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import UndefinedError

from checks import i18n
from reports import letter_plan, viewmodel
from reports.report import letter_html, letter_text, report_html
from reports.templating import render_paragraphs
from tests.cases import JST, TODAY, build
from tests.recorded import DATA

ROOT = Path(__file__).resolve().parents[2]

KINDS = ("clean", "infected", "forged", "account", "suspicious", "ongoing", "nofacts")


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases")
    return {kind: build(kind, folder) for kind in KINDS}


@pytest.mark.parametrize("lang", i18n.CODES)
@pytest.mark.parametrize("kind", KINDS)
def test_golden(cases, kind, lang):
    expected = (DATA / f"golden/letter.{kind}.{lang}.txt").read_text(encoding="utf-8")
    assert letter_text(cases[kind], lang, JST, TODAY) == expected, (
        "letter changed: if deliberate, run tools/regen_golden.py and read the diff"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_japanese_letter_says_what_an_abuse_desk_needs(cases, kind):
    text = letter_text(cases[kind], "ja", JST, TODAY)
    assert "御中" in text or "ご担当者様" in text
    assert "個人で契約しております" in text  # an individual subscriber
    assert "意図して送信したことは一切ございません" in text  # nothing knowingly sent in bulk
    assert re.search("利用停止は(ご猶予|見合わせ)", text)  # please do not suspend
    assert "ご契約者番号：EX-0012345" in text and "090-1234-5678" in text  # how to reach me
    assert "何卒よろしくお願い申し上げます。" in text
    # Polite forms throughout, no plain-form sentence endings, no template debris.
    for sentence in re.split(r"(?<=。)", text):
        sentence = sentence.strip()
        while re.search(r"（[^（）]*）", sentence):  # drop (nested) parentheticals
            sentence = re.sub(r"（[^（）]*）", "", sentence)
        if sentence.endswith("。") and not sentence.startswith(("・", "（")):
            assert re.search(
                r"(ます|ません|ました|ございます|ございません|でした|ください|幸いです|おります|です|でしょうか)[）」]?。$",
                sentence,
            ), sentence
    for debris in ("None", "{{", "}}", "[]", "undefined"):
        assert debris not in text


def test_kind_specific_paragraphs(cases):
    clean = letter_text(cases["clean"], "ja", JST, TODAY)
    assert (
        "受付番号：ABUSE-2026-112034" in clean
        and "2026年11月20日 14時05分～14時30分（日本時間）頃" in clean
    )
    assert "電源が入っていなかった" in clean and "13時50分11秒～15時10分02秒" in clean
    infected = letter_text(cases["infected"], "ja", JST, TODAY)
    assert "svchost.exe" in infected and "【実施した対策】" in infected and "対策後" in infected
    forged = letter_text(cases["forged"], "en", JST, TODAY)
    assert (
        "45.95.147.213" in forged and "dmarc=fail" in forged and "not sent from my line" in forged
    )
    account = letter_text(cases["account"], "en", JST, TODAY)
    assert "taro.yamada@isp.example.jp" in account and "check its logs for my account" in account
    assert "21 November 2026" in account  # the date the password was changed


@pytest.mark.parametrize(
    ("lang", "owned"), [("en", "your submission server"), ("ja", "貴社の送信")]
)
def test_the_account_letter_names_the_server_without_saying_whose_it_is(cases, lang, owned):
    # The headers name the server the login reached, not who runs it: a stolen Gmail or
    # company password logs in elsewhere, and "your server" would send the desk to its own
    # logs for nothing.
    account = letter_text(cases["account"], lang, JST, TODAY)
    assert "smtp.isp.example.jp" in account and owned not in account


@pytest.mark.parametrize("lang", i18n.CODES)
def test_a_missing_detail_is_left_out_never_a_blank_to_fill(tmp_path, lang):
    """The letter is sent as it is: a detail the user did not give is written around, never
    left as "[your name]" (issue 32); the window and `letter` still say what is missing."""
    from cases.store import Case

    case = Case(tmp_path / "empty")
    text = letter_text(case, lang, JST, TODAY)
    assert not re.search(r"\[[^\]]+\]|［[^］]+］", text), text
    assert "None" not in text and "  " not in text.replace("　", "")
    assert "name" in viewmodel.build(case, lang, JST, TODAY).missing_details


def test_strict_undefined_makes_a_missing_field_an_error():
    for code in i18n.CODES:
        with pytest.raises(UndefinedError):
            render_paragraphs(f"letter.{code}.txt.j2", code, ["opening"], lang=code)


@pytest.mark.parametrize("lang", i18n.CODES)
def test_each_language_words_every_paragraph_and_nothing_else(lang):
    # A language's paragraph file is its macros p_<code>: one for each code letter_plan can
    # choose, so a new language (or a new paragraph) cannot leave one out unnoticed.
    template = (ROOT / f"reports/templates/letter.{lang}.txt.j2").read_text(encoding="utf-8")
    macros = re.findall(r"{% macro p_(\w+)\(\) %}", template)
    assert sorted(macros) == sorted(letter_plan.CODES)


MODEL_FLAGS = st.fixed_dictionaries(
    {
        "claim": st.booleans(),
        "checked_span": st.booleans(),
        "clock_synchronised": st.booleans(),
        "clock_known": st.booleans(),
        "verdict": st.sampled_from(["direct", "forged", "account", "unknown", ""]),
        "code": st.sampled_from(
            ["direct_report", "maybe_this_line", "line_in_sender_part", "shared_address", "x"]
        ),
        "conflict": st.booleans(),
        "auth_results": st.booleans(),
        "password_changed": st.booleans(),
        "sighting": st.sampled_from([None, "line", "identified", "unidentified"]),
        "status": st.sampled_from(["fail", "warn"]),
        "more": st.integers(0, 2),
        "scope": st.sampled_from([None, "snapshot", "line", "pc"]),
        "kind": st.sampled_from(["clean", "infected", "forged", "account", "suspicious"]),
        "journal": st.sampled_from([None, "damaged", "part", "events", "quiet"]),
        "head": st.booleans(),
        "partial": st.booleans(),
        "flags": st.lists(st.booleans(), min_size=8, max_size=8),
        "bot": st.booleans(),
    }
)


@given(MODEL_FLAGS)
def test_any_letter_opens_closes_and_holds_only_known_paragraphs_once(f):
    sighting = None
    if f["sighting"]:
        sighting = {
            "where": "line" if f["sighting"] == "line" else "pc",
            "identified": f["sighting"] == "identified",
            "status": f["status"],
        }
    journal = None
    if f["journal"]:
        journal = {
            "damaged": f["journal"] == "damaged",
            "complete": f["journal"] in ("events", "quiet"),
            "events": [1] if f["journal"] == "events" else [],
            "head": "h" if f["head"] else "",
            "partial": f["partial"],
        }
    scope = None
    if f["scope"]:
        scope = {"source": "snapshot" if f["scope"] == "snapshot" else "watch", "where": f["scope"]}
    b = f["flags"]
    model = SimpleNamespace(
        claim={"any": f["claim"]},
        bot={"evidence": "e", "family": None} if f["bot"] else {},
        checked_span="x" if f["checked_span"] else "",
        clock_synchronised=f["clock_synchronised"],
        clock_known=f["clock_known"],
        notice={
            "verdict": f["verdict"],
            "code": f["code"],
            "conflict": f["conflict"],
            "auth_results": "fail" if f["auth_results"] else "",
            "password_changed": "d" if f["password_changed"] else "",
        },
        sighting=sighting,
        more_sightings=f["more"],
        scope=scope,
        kind=f["kind"],
        journal=journal,
        uptime_off=["x"] if b[0] else [],
        cgnat=b[1],
        nothing_found=b[2],
        other_devices_checked=b[3],
        remediation=[{"code": "scan"}] if b[4] else [],
        removed=b[5],
        ongoing=b[6],
        removal_recorded=b[7],
        requests=["source_ip"] if b[0] else [],
    )
    codes = letter_plan.paragraphs(model)
    assert set(codes) <= set(letter_plan.CODES)
    assert codes[0] == "opening" and codes[-1] == "signature"
    assert [c for c in codes if c.startswith("close_")] == [codes[-2]]
    # Only the blank line may repeat; a sighting and the notice's own reading never both
    # speak of a forged sender.
    assert len([c for c in codes if c != "blank"]) == len(set(codes) - {"blank"})
    assert not ({"forged"} <= set(codes) and sighting)
    assert not {"claim", "claim_bot"} <= set(codes)  # one statement of what was reported


def test_html_is_escaped(cases, tmp_path):
    from cases.store import Case
    from checks.model import Result, Status

    case = Case(tmp_path / "evil")
    case.set_details(name="<b>Taro</b>")
    case.add_results(
        [
            Result(
                "SMTP-OUT",
                Status.FAIL,
                "direct",
                {"programs": [{"reason": "direct", "name": "<script>alert(1)</script>"}]},
            )
        ]
    )
    html = report_html(case, "en", JST, TODAY)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    letter = letter_html(case, "en", JST, TODAY)
    assert "<b>Taro</b>" not in letter and "&lt;b&gt;Taro&lt;/b&gt;" in letter


def test_report_has_every_check_chart_and_scope(cases):
    html = report_html(cases["infected"], "ja", JST, TODAY)
    for check in (
        "SMTP-OUT",
        "SMTP-LISTEN",
        "PROXY-OPEN",
        "OS-UPDATES",
        "AV-STATUS",
        "FW-STATUS",
        "CLOCK-SYNC",
    ):
        assert check in html
    assert 'class="bar"' in html  # the connections-over-time chart has bars
    assert "対策後、30 分間" in html  # the check after the fixes
    assert "svchost.exe" in html


def test_the_letter_restates_the_notice_and_asks_only_for_what_is_missing(cases):
    clean = letter_text(cases["clean"], "ja", JST, TODAY)
    assert (
        "ご指摘の内容：2026年11月20日 14時05分～14時30分（日本時間）頃（時間帯のご記載がないため、"
        "日本時間として扱っております）、IPアドレス 203.0.113.45"
        "（送信元ポート 51234）から外部メールサーバーの25番ポートへ約1,200通" in clean
    )
    requests = clean.split("【お願い】")[1]
    assert "送信された通数" not in requests and "送信元の IP アドレス" not in requests
    assert "送信元のポート番号" not in requests
    assert "秒単位まで" in requests  # the notice gave the times only roughly (頃)
    suspicious = letter_text(cases["suspicious"], "ja", JST, TODAY)
    assert "受付番号：ABU-2026-1120-0042" in suspicious  # from the subject line
    assert "約3,700通" in suspicious and "送信された通数" not in suspicious
    ongoing = letter_text(cases["ongoing"], "ja", JST, TODAY)
    assert "受付番号：NET-77-31905" in ongoing and "約1,850通" in ongoing
    assert "駆除と対策後の確認は済んで" not in ongoing and "対策を進めて" in ongoing


def test_the_provider_is_taken_from_the_notice_when_not_given(tmp_path):
    case = build("suspicious", tmp_path)
    case.set_details(provider="")
    assert letter_text(case, "ja", JST, TODAY).startswith("株式会社サンプルネット")


def test_an_english_letter_from_a_japanese_notice_quotes_every_japanese_word(cases):
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff00-\uffef]")
    for kind in KINDS:
        text = letter_text(cases[kind], "en", JST, TODAY)
        outside = re.sub(r"“[^”]*”", "", text)
        # The subscriber's own name is written as it is, never as a quotation.
        assert "“山田 太郎”" not in text and "I am 山田 太郎," in text
        outside = outside.replace("山田 太郎", "")
        # The deciding header is quoted as the provider's own words, indented.
        outside = "\n".join(ln for ln in outside.splitlines() if not ln.startswith("    "))
        assert not japanese.findall(outside), (kind, japanese.findall(outside)[:10])


def test_the_letter_names_its_attachments_and_how_to_check_them(cases):
    text = letter_text(cases["infected"], "en", JST, TODAY)
    assert "report.pdf" in text and "SHA256SUMS" in text and "sha256sum -c" in text


def test_the_letter_lists_every_suspect_and_rules_out_only_what_the_reported_times_show(cases):
    """Issue 34: the letter speaks for what was examined and says plainly what was not."""
    for kind in KINDS:
        text = letter_text(cases[kind], "en", JST, TODAY)
        section = text.split("Possible causes, and what I could and could not examine\n", 1)[1]
        section = section.split("\n\n", 1)[0]
        assert len(section.splitlines()) == 5, (kind, section)
        ruled_out_pc = "- This PC: ruled out." in section
        assert ruled_out_pc == (kind == "clean"), (kind, section)  # off at the reported times
        if "Another device at home" in section and "not known yet" in section:
            assert "This tool cannot examine them" in section
        ja = letter_text(cases[kind], "ja", JST, TODAY)
        assert "【考えられる原因と、確認できたこと・できなかったこと】" in ja


def test_what_is_not_filled_in_is_named_in_the_users_language(tmp_path):
    """Not the fields' keys: 「未記入の項目: name, contract_id」 (issue 32)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    case = tmp_path / "c"
    run = [sys.executable, str(root / "main.py")]
    subprocess.run([*run, "details", "--case", str(case), "--provider", "ISP"], check=True)
    done = subprocess.run(
        [*run, "letter", "--case", str(case), "--lang", "ja"],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert "お名前" in done.stderr and "contract_id" not in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("changed", "said"),
    [(True, "I have changed the mail password"), (False, "I am changing the mail password")],
)
def test_a_recorded_password_change_is_said_as_done(changed, said):
    # The letter listed the change under "What I have done" and then "I am changing" it.
    from cases import suspects as S
    from reports import suspect_words

    ranked = S.rank(S.Facts(notice_verdict="account", notice_login_seen=True))
    token = i18n.use_language("en")
    try:
        account = next(x for x in suspect_words.lines(ranked, changed) if x.who == S.ACCOUNT)
    finally:
        i18n.reset_language(token)
    assert account.letter_next.startswith(said)
