"""The journal in the case and the letter: reading a notice looks its time up in the journal;
the letter says what the journal recorded only for the time it provably ran, and the bundle
carries the records with a chain anyone can check."""

import json
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from app import flows
from cases import assessment as A
from cases.store import Case
from journal.store import CONNECT, HEARTBEAT, START, STOP, Journal
from reports import bundle, report
from tests.recorded import DATA

JST = timezone(timedelta(hours=9))
# The sample notice reports 2026-11-20 14:05–14:30 JST.
REPORTED = (datetime(2026, 11, 20, 14, 5, tzinfo=JST), datetime(2026, 11, 20, 14, 30, tzinfo=JST))
BOT = {
    "pid": 4242,
    "name": "svchost",
    "exe": "/tmp/.cache-x/svchost",
    "user": "taro",
    "kind": "other",
    "program": "svchost",
    "location": ["temp", "hidden"],
    "started": "2026-11-20T13:00:00+09:00",
    "parents": [{"pid": 1, "name": "systemd"}],
}
CLIENT = {**BOT, "pid": 77, "name": "thunderbird", "exe": "/usr/lib/thunderbird/thunderbird"}
CLIENT.update(kind="mail_client", program="Thunderbird", location=[])


def us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def make_journal(folder, start, end, *, mode="capture", events=(), gap=None):
    """Heartbeats every minute from start to end (silent during ``gap``), plus events."""
    j = Journal(folder / "journal.sqlite3")
    run = j.append(START, {"mode": mode, "heartbeat_s": 60, "interval_s": 0.5}, ts_us=us(start))
    items = []
    t = start + timedelta(minutes=1)
    while t < end:
        if not (gap and gap[0] <= t < gap[1]):
            items.append((us(t), HEARTBEAT, {"mode": mode, "heartbeat_s": 60}))
        t += timedelta(minutes=1)
    for when, data in events:
        items.append((us(when), CONNECT, data))
    for ts, kind, data in sorted(items, key=lambda x: x[0]):
        j.append(kind, data, run=run.seq, ts_us=ts)
    j.append(STOP, {}, run=run.seq, ts_us=us(end))
    j.close()


def read_notice(tmp_path):
    case = Case(tmp_path / "case")
    text = (DATA / "notices/notice_ja.txt").read_bytes()
    flows.read_notice(case, text, zone=JST, power={"events": []})
    return case


def letter(case, lang):
    return report.letter_text(case, lang, JST, datetime(2026, 11, 23, tzinfo=JST))


def test_a_journal_running_throughout_with_nothing_on_port_25_is_said_so(
    tmp_path, no_journal_of_this_machine
):
    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - timedelta(hours=1),
        REPORTED[1] + timedelta(hours=1),
        events=[(REPORTED[0] + timedelta(minutes=3), {"rport": 587, "program": CLIENT})],
    )
    case = read_notice(tmp_path)
    doc = case.journal()
    assert doc and doc["coverage"]["complete"] and doc["proof"]["segment_intact"]
    a = A.assess(case, JST)
    assert a.journal.complete and a.journal.full_capture and not a.sightings
    ja, en = letter(case, "ja"), letter(case, "en")
    assert "25番ポートへの接続は一件も記録されておりません" in ja
    assert "13時55分～14時40分" in ja  # the reported window with its margin, as read
    assert "recorded no connection to any mail server's port 25 between" in en
    assert "journal.json" in ja and "journal.json" in en
    assert "秒ごとに" not in ja  # every attempt was seen: no polling caveat


def test_a_mail_program_seen_at_the_reported_time_keeps_this_pc_a_suspect(
    tmp_path, no_journal_of_this_machine
):
    """Nothing on port 25, but a program sent through a submission port at the reported time:
    that is how a bot with the stolen password sends from a home line (port 25 is blocked).
    The letter's port-25 sentence stays true; this PC is not ruled out (issue 34)."""
    from cases import suspects as S

    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - timedelta(hours=1),
        REPORTED[1] + timedelta(hours=1),
        events=[(REPORTED[0] + timedelta(minutes=3), {"rport": 587, "program": CLIENT})],
    )
    case = read_notice(tmp_path)
    f = S.facts_of(A.assess(case, JST))
    assert f.journal_mail_at_claim == 1 and not f.journal_clean_at_claim
    pc = next(s for s in S.rank(f) if s.who == S.THIS_PC)
    assert pc.standing != S.RULED_OUT
    assert "journal_saw_mail_submission" in [c.code for c in pc.clues_for]
    assert "submission port (587 or 465)" in letter(case, "en")


def test_a_program_the_journal_saw_on_port_25_is_named(tmp_path, no_journal_of_this_machine):
    sends = [
        (
            REPORTED[0] + timedelta(minutes=m),
            {"rport": 25, "remote": f"198.51.100.{m}", "program": BOT},
        )
        for m in (1, 2, 3)
    ]
    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - timedelta(hours=1),
        REPORTED[1] + timedelta(hours=1),
        events=sends,
    )
    case = read_notice(tmp_path)
    a = A.assess(case, JST)
    assert a.kind == A.INFECTED and a.primary.check_id == "JOURNAL"
    assert a.primary.program == "svchost" and a.primary.servers == 3
    ja, en = letter(case, "ja"), letter(case, "en")
    assert (
        "「svchost」（/tmp/.cache-x/svchost）がメールサーバー3か所の25番ポートへ接続した記録" in ja
    )
    assert 'the program "svchost"' in en and "port 25 of 3 mail server(s)" in en
    assert "形跡は見つかっておりません" not in ja


def test_a_journal_with_a_gap_speaks_only_for_the_time_it_ran(tmp_path, no_journal_of_this_machine):
    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - timedelta(hours=1),
        REPORTED[1] + timedelta(hours=1),
        gap=(REPORTED[0] + timedelta(minutes=5), REPORTED[0] + timedelta(minutes=15)),
    )
    case = read_notice(tmp_path)
    a = A.assess(case, JST)
    assert not a.journal.complete and a.journal.gaps
    ja, en = letter(case, "ja"), letter(case, "en")
    assert "の間のみ動作しておりました" in ja and "それ以外の時間については記録がございません" in ja
    assert "一件も記録されておりません" not in ja
    assert "running only during part of" in en and "running throughout" not in en


def test_polling_coverage_carries_its_caveat(tmp_path, no_journal_of_this_machine):
    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - timedelta(hours=1),
        REPORTED[1] + timedelta(hours=1),
        mode="poll",
    )
    case = read_notice(tmp_path)
    ja, en = letter(case, "ja"), letter(case, "en")
    assert "0.5秒ごとに接続の状況を確認する方式" in ja
    assert "every 0.5 seconds" in en


def test_a_journal_that_did_not_run_then_says_nothing(tmp_path, no_journal_of_this_machine):
    make_journal(
        no_journal_of_this_machine,
        REPORTED[1] + timedelta(days=1),
        REPORTED[1] + timedelta(days=1, hours=1),
    )
    case = read_notice(tmp_path)
    assert A.assess(case, JST).journal is None or not A.assess(case, JST).journal.running
    ja, en = letter(case, "ja"), letter(case, "en")
    assert "ジャーナル" not in ja and "journal" not in en.lower()


def test_no_journal_on_the_machine_changes_nothing(tmp_path):
    case = read_notice(tmp_path)
    assert case.journal() is None
    assert "ジャーナル" not in letter(case, "ja")


def test_the_bundle_carries_the_records_and_a_forged_record_is_caught(
    tmp_path, no_journal_of_this_machine
):
    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - timedelta(hours=1),
        REPORTED[1] + timedelta(hours=1),
    )
    case = read_notice(tmp_path)
    out = tmp_path / "b.zip"
    bundle.write(bundle.plan(case, "ja", JST, with_pdf=False), out)
    assert bundle.verify(out).ok
    # Someone edits a record in journal.json and remakes the checksums: the chain shows it.
    with zipfile.ZipFile(out) as zf:
        files = {n: zf.read(n) for n in zf.namelist() if n != bundle.SUMS}
    doc = json.loads(files["journal.json"])
    doc["proof"]["records"][3]["data"]["mode"] = "edited"
    files["journal.json"] = json.dumps(doc).encode()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(bundle.SUMS, bundle.sums_text(files))
    result = bundle.verify(forged)
    assert not result.ok
    assert any("journal.json" in p for p in result.problems)


@pytest.mark.parametrize("damage", ["{", '{"window": 3}', '{"window": {"from": "x"}}', "[]"])
def test_a_damaged_journal_file_in_a_case_is_no_journal(tmp_path, damage):
    case = Case(tmp_path / "case")
    (case.path / "journal.json").write_text(damage)
    a = A.assess(case, JST)
    assert a.journal is None
    letter(case, "ja")  # still written
