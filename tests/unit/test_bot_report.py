"""A notice that reports a bot (botnet traffic, a C&C server, a named malware family), not spam:
the claim keeps the desk's own words and the family it names, and reply.json answers in kind,
as XARF's infrastructure/botnet with the desk's words as its compromise evidence (issue 33:
category/type as the desk's report had them). Warnings of a possible infection in a spam notice
are not a bot report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from app import flows
from cases.store import Case
from checks.notice import analyse
from reports import bundle, reply
from tests.cases import JST, TODAY
from tests.recorded import DATA

SCHEMAS = Path(reply.__file__).parent / "schemas"
BOT_JA = DATA / "notices/notice_bot_ja.txt"
MIRAI_EN = (
    "Dear customer,\n\nOur sinkhole observed your IP address 203.0.113.45 connecting to a Mirai"
    " botnet command and control server on 20 Nov 2026 05:05 UTC.\nTicket: SEC-77120\n"
)


def type_validator(name: str) -> Draft202012Validator:
    """XARF's own schema of one type, which refers to the core schema (both at 37820dace8ac)."""
    core = json.loads((SCHEMAS / "xarf-core.json").read_text(encoding="utf-8"))
    schema = json.loads((SCHEMAS / f"xarf-{name}.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(core["$id"], Resource.from_contents(core))
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


@pytest.mark.parametrize(
    ("text", "family", "said"),
    [
        # Quoted as written: full-width brackets and colon kept (not as normalised for reading).
        (BOT_JA.read_text(encoding="utf-8"), "Mirai", "回線（IPアドレス：203.0.113.45）から"),
        (MIRAI_EN, "Mirai", "command and control server"),
        # As the Cyber Clean Center's notices were written (ISPs sent them to infected users).
        (
            "お客様のパソコンがBOT感染している可能性があります。駆除ツールをご利用ください。",
            None,
            "BOT感染",
        ),
        (
            "Emotet感染端末からの通信を確認しました。ボットの駆除をお願いします。",
            "Emotet",
            "Emotet感染",
        ),
    ],
)
def test_a_bot_report_keeps_the_desks_words_and_the_family(text, family, said):
    claim = analyse(text.encode(), public_ip="203.0.113.45", local_zone=JST).claim
    bot = claim["bot_report"]
    assert bot["family"] == family
    assert said in bot["evidence"]


@pytest.mark.parametrize("name", ["notice_ja.txt", "direct_to_mx.eml", "arf_report.eml"])
def test_a_spam_notice_is_no_bot_report(name):
    """「ウイルス感染などにより…可能性」 in a spam notice is advice, not a report of a bot."""
    claim = analyse((DATA / "notices" / name).read_bytes(), local_zone=JST).claim
    assert "bot_report" not in claim


def test_a_family_named_as_a_warning_is_no_bot_report():
    text = (DATA / "notices/notice_ja.txt").read_text(encoding="utf-8")
    text = text.replace("ウイルス感染などにより", "Emotet などのウイルス感染により")
    assert "bot_report" not in analyse(text.encode(), local_zone=JST).claim


def _reply(tmp_path, raw: bytes) -> dict:
    case = Case(tmp_path / "case")
    flows.read_notice(case, raw, public_ip="203.0.113.45", zone=JST, power={"events": []})
    plan = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False)
    return json.loads(plan.files["reply.json"])


def test_the_reply_to_a_bot_report_is_an_xarf_botnet_answer(tmp_path):
    doc = _reply(tmp_path, BOT_JA.read_bytes())
    assert (doc["category"], doc["type"]) == ("infrastructure", "botnet")
    assert "C&Cサーバー" in doc["compromise_evidence"] and doc["malware_family"] == "mirai"
    assert "protocol" not in doc and "smtp_from" not in doc
    assert list(type_validator("infrastructure-botnet").iter_errors(doc)) == []
    from tests.unit.test_reply_json import errors

    assert errors(doc) == []  # the core schema and Clearline's extension
    import xarf

    parsed = xarf.parse(doc)
    assert parsed.errors == [], parsed.errors
    assert parsed.report.category == "infrastructure" and parsed.report.type == "botnet"


def test_the_reply_to_a_spam_notice_stays_messaging_spam_and_validates_as_such(tmp_path):
    doc = _reply(tmp_path, (DATA / "notices/notice_ja.txt").read_bytes())
    assert (doc["category"], doc["type"]) == ("messaging", "spam")
    assert list(type_validator("messaging-spam").iter_errors(doc)) == []
    # The type schemas bite: a botnet answer without the desk's evidence is refused.
    bot = {**doc, "category": "infrastructure", "type": "botnet"}
    assert list(type_validator("infrastructure-botnet").iter_errors(bot))


@pytest.mark.parametrize(
    ("lang", "said", "never"),
    [
        (
            "en",
            (
                "seen communicating with a botnet (Mirai)",
                "the address and port the device contacted",
            ),
            ("that spam was sent from my line", "full headers", "number of messages", "sends spam"),
        ),
        (
            "ja",
            (
                "ボットネット（Mirai）と通信しているとのご連絡",
                "機器が通信した先のアドレスとポート番号",
            ),
            (
                "迷惑メールが送信されているとのご連絡",
                "全ヘッダー",
                "送信された通数",
                "迷惑メール・",
            ),
        ),
    ],
)
def test_the_letter_answers_a_bot_report_as_one(tmp_path, lang, said, never):
    """Read as the desk would: a letter thanking it for a notice "that spam was sent" and asking
    for a sample's headers answers a report it never sent."""
    from datetime import datetime

    from reports.report import letter_text

    case = Case(tmp_path / "case")
    raw = BOT_JA.read_bytes()
    flows.read_notice(case, raw, public_ip="203.0.113.45", zone=JST, power={"events": []})
    text = letter_text(case, lang, JST, datetime(2026, 11, 23, tzinfo=JST))
    for words in said:
        assert words in text, (words, text)
    for words in never:
        assert words not in text, (words, text)


def test_notice_source_does_not_ask_a_bot_report_for_mail_headers():
    a = analyse(BOT_JA.read_bytes(), public_ip="203.0.113.45", local_zone=JST)
    assert (a.verdict, a.explanation_code, a.missing) == ("unknown", "bot_no_mail", ["source_port"])
    assert "headers of a sample" not in a.explanation
    from checks.notice import to_result

    assert to_result(a).advice_codes == ("ask_bot_connection",)
