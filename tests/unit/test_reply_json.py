"""reply.json: every bundle carries it, it validates against the pinned XARF v4 core schema
(reports/schemas/xarf-core.json, xarf/xarf-spec at 37820dace8ac) and Clearline's extension
schema, its evidence hashes are the bundle's files, and it names what the letter names."""

import hashlib
import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from app import flows
from cases import assessment as A
from checks import i18n
from reports import bundle, reply
from tests.cases import JST, TODAY, build
from tests.unit.test_journal_letter import BOT, REPORTED, letter, make_journal, read_notice

SCHEMAS = Path(reply.__file__).parent / "schemas"
KINDS = ["clean", "infected", "forged", "account", "suspicious", "ongoing", "nofacts"]


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


XARF = validator("xarf-core.json")
EXTENSION = validator("clearline-reply.json")


def errors(doc: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for v in (XARF, EXTENSION)
        for e in v.iter_errors(doc)
    ]


def test_the_vendored_schema_is_xarf_v4_core_at_the_pinned_commit():
    schema = json.loads((SCHEMAS / "xarf-core.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "https://xarf.org/schemas/v4/xarf-core.json"
    digest = hashlib.sha256((SCHEMAS / "xarf-core.json").read_bytes()).hexdigest()
    # xarf/xarf-spec at 37820dace8ac, schemas/v4/xarf-core.json, byte for byte.
    assert digest == "510601620f01d59e49feb0850b0e56fbfdc7a58b5ace6990644f4d98ad098453"
    assert "MIT License" in (SCHEMAS / "xarf-LICENSE.txt").read_text(encoding="utf-8")


def test_the_validators_refuse_what_breaks_the_schemas():
    """The schemas bite: a test that cannot fail is a defect."""
    good = {
        "xarf_version": "4.0.0",
        "report_id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-11-20T05:05:33+00:00",
        "reporter": {"org": "x", "contact": "a@b.example", "domain": "b.example"},
        "sender": {"org": "x", "contact": "a@b.example", "domain": "b.example"},
        "source_identifier": "203.0.113.45",
        "category": "messaging",
        "type": "spam",
    }
    assert not list(XARF.iter_errors(good))
    for broken in (
        {**good, "xarf_version": "3.0"},
        {**good, "report_id": "not-a-uuid"},
        {**good, "category": "mail"},
        {**good, "reporter": {"org": "x"}},
        {**good, "evidence": [{"content_type": "text/plain", "payload": "", "hash": "md5"}]},
    ):
        assert list(XARF.iter_errors(broken)), broken
    assert list(EXTENSION.iter_errors(good))  # no x_clearline, no evidence


@pytest.mark.parametrize("kind", KINDS)
def test_every_bundle_carries_a_reply_that_validates_and_hashes_its_files(kind, tmp_path):
    case = build(kind, tmp_path)
    plan = bundle.plan(case, "en", JST, today=TODAY, with_pdf=False)
    doc = json.loads(plan.files["reply.json"])
    assert errors(doc) == []
    out = bundle.write(plan, tmp_path / "b.zip")
    with zipfile.ZipFile(out) as zf:
        inside = {n: zf.read(n) for n in zf.namelist()}
    covered = {n: d for n, d in inside.items() if n not in ("reply.json", "SHA256SUMS")}
    listed = {item["description"].split(":")[0]: item["hash"] for item in doc["evidence"]}
    assert listed == {n: "sha256:" + hashlib.sha256(d).hexdigest() for n, d in covered.items()}
    files = doc["x_clearline"]["files"]
    assert {n: (f["sha256"], f["size"]) for n, f in files.items()} == {
        n: (hashlib.sha256(d).hexdigest(), len(d)) for n, d in covered.items()
    }
    a = json.loads(inside["assessment.json"])
    assert doc["x_clearline"]["verdict"]["kind"] == a["kind"]
    assert doc["x_clearline"]["verdict"]["origin"] == a["origin"]
    for code in ("ja", "en"):
        answers = doc["x_clearline"]["self_help"][code]
        assert answers["what_was_done"] and answers["what_prevents_recurrence"]


def test_the_reply_answers_to_the_desks_report(tmp_path):
    case = build("infected", tmp_path)
    doc = json.loads(bundle.plan(case, "ja", JST, today=TODAY, with_pdf=False).files["reply.json"])
    notice = case.notice()
    claim = notice["claim"]
    # The desk named no address; the sample's headers did (the notice reader's deciding hop).
    assert claim["source_ips"] == [] and doc["source_identifier"] == notice["deciding_ip"]
    first = min(t["utc"] for t in claim["times"])
    assert doc["timestamp"] == first and doc["x_clearline"]["timestamp_from"] == "notice"
    assert (doc["category"], doc["type"]) == ("messaging", "spam")
    assert doc["reporter"]["org"] == case.details()["name"]
    assert doc["x_clearline"]["in_reply_to"]["reference"] == case.details()["reference"]
    rests_on = {r["finding"] for r in doc["x_clearline"]["verdict"]["rests_on"]}
    assert "SMTP-OUT" in rests_on


def test_a_step_is_said_done_only_when_the_case_records_it(tmp_path):
    case = build("nofacts", tmp_path)
    before = json.loads(
        bundle.plan(case, "en", JST, today=TODAY, with_pdf=False).files["reply.json"]
    )
    assert before["x_clearline"]["actions_taken"] == []
    assert before["x_clearline"]["self_help"]["en"]["what_was_done"] == (
        "No step has been recorded yet."
    )
    case.mark_done("password", "2026-11-21")
    after = json.loads(
        bundle.plan(case, "en", JST, today=TODAY, with_pdf=False).files["reply.json"]
    )
    assert [a["code"] for a in after["x_clearline"]["actions_taken"]] == ["password"]
    assert "password" in {p["code"] for p in after["x_clearline"]["recurrence_prevention"]}
    assert "メールのパスワード" in after["x_clearline"]["self_help"]["ja"]["what_was_done"]


@pytest.mark.parametrize("gap", [False, True], ids=["throughout", "with_a_gap"])
def test_the_letter_and_the_reply_name_the_same_journal_head(
    tmp_path, no_journal_of_this_machine, gap
):
    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - timedelta(hours=1),
        REPORTED[1] + timedelta(hours=1),
        events=[(REPORTED[0] + timedelta(minutes=3), {"rport": 25, "program": BOT})],
        gap=(REPORTED[0] + timedelta(minutes=10), REPORTED[0] + timedelta(minutes=20))
        if gap
        else None,
    )
    case = read_notice(tmp_path)
    a = A.assess(case, JST)
    assert a.journal is not None and a.journal.intact and a.journal.head
    doc = json.loads(
        bundle.plan(
            case, "en", JST, today=datetime(2026, 11, 23, tzinfo=JST), with_pdf=False
        ).files["reply.json"]
    )
    assert errors(doc) == []
    journal = doc["x_clearline"]["journal"]
    assert journal["chain_head"] == a.journal.head
    assert a.journal.head in letter(case, "en") and a.journal.head in letter(case, "ja")
    assert journal["port25_connections"] == 1
    # The same window and coverage, in the letter's words and in the reply's fields.
    from checks import dates

    start = datetime.fromisoformat(journal["window"]["from"]).astimezone(JST)
    end = datetime.fromisoformat(journal["window"]["to"]).astimezone(JST)
    for lang in ("en", "ja"):
        assert dates.span(start, end, lang, seconds=False) in letter(case, lang)
    assert journal["verified"]
    if gap:  # a gap: the letter says which part ran, and still prints the head it cites
        assert not journal["complete"] and len(journal["gaps"]) == 1
        assert "was running only during part of" in letter(case, "en")
    else:
        assert journal["complete"] and journal["gaps"] == []
        assert "running throughout" in letter(case, "en")
    assert doc["x_clearline"]["verdict"]["kind"] == a.kind


def intelmq_style(report: dict) -> dict:
    """What a desk's ingest does with any XARF v4 report, knowing nothing of Clearline: the
    fields an IntelMQ event needs (names from IntelMQ's harmonization)."""
    return {
        "raw.report_id": report["report_id"],
        "source.ip": report["source_identifier"],
        "source.port": report.get("source_port"),
        "time.source": report["timestamp"],
        "classification.taxonomy": report["category"],
        "classification.type": report["type"],
    }


def test_a_consumer_that_knows_only_xarf_reads_what_it_needs(tmp_path):
    case = build("forged", tmp_path)
    doc = json.loads(bundle.plan(case, "en", JST, today=TODAY, with_pdf=False).files["reply.json"])
    event = intelmq_style(doc)
    assert event["source.ip"] == case.notice()["deciding_ip"]  # what the headers show
    assert event["classification.taxonomy"] == "messaging"
    assert datetime.fromisoformat(event["time.source"]).tzinfo is not None


@pytest.mark.parametrize("kind", KINDS)
def test_the_xarf_projects_own_reader_parses_the_reply_as_a_spam_report(kind, tmp_path):
    """xarf (the XARF project's Python library) reads reply.json as a SpamReport, with one
    warning: the extension it does not know."""
    import xarf

    case = build(kind, tmp_path)
    doc = json.loads(bundle.plan(case, "en", JST, today=TODAY, with_pdf=False).files["reply.json"])
    parsed = xarf.parse(doc)
    assert parsed.errors == []
    assert type(parsed.report).__name__ == "SpamReport"
    assert parsed.report.source_identifier == doc["source_identifier"]
    assert parsed.report.report_id == doc["report_id"]
    assert [w.field for w in parsed.warnings] == ["x_clearline"]


def test_protocol_smtp_only_with_the_desks_own_sender_and_port(tmp_path):
    """messaging/spam with protocol smtp requires the spam's envelope sender and source port:
    repeated when the desk's report gave them, never invented."""
    case = build("forged", tmp_path)
    doc = json.loads(bundle.plan(case, "en", JST, today=TODAY, with_pdf=False).files["reply.json"])
    assert doc["protocol"] == "other" and "smtp_from" not in doc and "source_port" not in doc
    notice = case.notice()
    notice["claim"]["feedback_report"] = {
        "Original-Mail-From": "<bounce@spam.example>",
        "Source-Port": "51234",
    }
    with case.update() as u:
        u.set_notice(notice)
    doc = json.loads(bundle.plan(case, "en", JST, today=TODAY, with_pdf=False).files["reply.json"])
    assert (doc["protocol"], doc["smtp_from"], doc["source_port"]) == (
        "smtp",
        "bounce@spam.example",
        51234,
    )
    assert errors(doc) == []


XARF_ARGS = ("--format", "xarf", "--lang", "ja")


def test_letter_format_xarf_prints_the_reply_headless(tmp_path):
    import subprocess
    import sys

    case = build("account", tmp_path)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "main.py"), "letter", "--case", str(case.path), *XARF_ARGS],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert errors(doc) == []
    assert doc["x_clearline"]["language"] == "ja"
    assert doc["x_clearline"]["verdict"]["kind"] == "account"


@pytest.mark.parametrize("lang", i18n.CODES)
def test_the_two_self_help_answers_are_ready_to_paste(tmp_path, lang):
    """What a provider's web form asks (issue 33, item 2): the same two answers reply.json
    carries, printed on their own, in the language asked for."""
    import subprocess
    import sys

    case = build("infected", tmp_path)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            *(sys.executable, str(root / "main.py"), "letter", "--case", str(case.path)),
            *("--format", "self-help", "--lang", lang),
        ],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    reply = flows.reply_document(case, lang)["x_clearline"]["self_help"][lang]
    assert reply["what_was_done"] in done.stdout
    assert reply["what_prevents_recurrence"] in done.stdout


def test_an_assumed_zone_and_a_shared_address_are_said_to_the_desks_tools(tmp_path):
    """A time the desk gave without a zone is no exact instant, and behind carrier-grade NAT the
    address alone does not name this line: reply.json says both, as the letter does."""
    from cases.store import Case
    from checks.model import Result, Status

    case = Case(tmp_path / "case")
    text = b"Spam was sent from your line 100.71.2.3 on 2026-11-20 14:05 to 14:30. Ref #AB-1"
    flows.read_notice(case, text, public_ip="100.71.2.3", zone=JST, power={"events": []})
    case.add_results(
        [Result("NET-NAT", Status.PASS, "cgnat", {"ip": "100.71.2.3"}, facts={"cgnat": True})]
    )
    doc = flows.reply_document(case, "en")
    assert errors(doc) == []
    asked = doc["x_clearline"]["in_reply_to"]
    assert asked["times_zone_assumed"] is True and asked["shared_address"] is True
