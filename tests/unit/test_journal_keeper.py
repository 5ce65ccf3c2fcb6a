"""A journal a user's program could have written is never cited (issue 28): its records may
chain perfectly, because whoever wrote them also wrote the chain. Malware runs as the user, so
only a journal that only the system can write speaks against it."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from cases import assessment as A
from journal import export, keeper, paths
from tests.unit.test_journal_letter import JST, REPORTED, letter, make_journal, read_notice

posix = pytest.mark.skipif(os.name != "posix", reason="mode bits and owners are POSIX's")


def journal_in(folder: Path) -> Path:
    make_journal(folder, REPORTED[0] - timedelta(hours=1), REPORTED[1] + timedelta(hours=1))
    return folder / paths.DB_NAME


def trusted(db: Path) -> dict:
    doc = export.window_doc(db, REPORTED[0], REPORTED[1], JST)
    return doc["verification"]


def test_the_systems_own_journal_is_trusted(no_journal_of_this_machine):
    checked = trusted(journal_in(no_journal_of_this_machine))
    assert checked["trusted"] and checked["keeper"] == {"ok": True, "problem": ""}


@posix
@pytest.mark.parametrize("what", ["db", "folder"])
def test_a_journal_others_may_write_is_not_trusted(no_journal_of_this_machine, what):
    db = journal_in(no_journal_of_this_machine)
    target = db if what == "db" else db.parent
    os.chmod(target, os.stat(target).st_mode | 0o022)
    checked = trusted(db)
    assert not checked["trusted"] and checked["keeper"]["problem"] == keeper.USER_WRITABLE


@posix
@pytest.mark.skipif(os.name == "posix" and os.geteuid() != 0, reason="chown needs root")
def test_a_journal_planted_in_a_users_folder_never_clears_this_pc(
    tmp_path, no_journal_of_this_machine
):
    """The case of the issue: no system journal (the default), and a program running as the
    user writes a complete, well-chained journal where the user's own one would be."""
    db = journal_in(no_journal_of_this_machine)
    nobody = 65534
    for path in (db.parent, *db.parent.iterdir()):
        os.chown(path, nobody, nobody)
    case = read_notice(tmp_path)
    a = A.assess(case, JST)
    assert a.journal is not None and not a.journal.intact
    en, ja = letter(case, "en"), letter(case, "ja")
    assert "running throughout" not in en and "did not verify" in en
    assert "programs running as a user can write it" in en
    assert "ユーザーの権限で動くプログラム" in ja
    from cases import suspects as S

    pc = next(s for s in S.rank(S.facts_of(a)) if s.who == S.THIS_PC)
    assert pc.standing != S.RULED_OUT


@pytest.mark.skipif(os.name == "posix", reason="Windows: the journal's place decides (ACLs)")
def test_on_windows_a_journal_outside_the_system_folder_is_not_trusted(
    tmp_path, no_journal_of_this_machine
):
    db = journal_in(no_journal_of_this_machine)
    elsewhere = tmp_path / "user-data"
    shutil.copytree(db.parent, elsewhere)
    assert keeper.problem(elsewhere / paths.DB_NAME) == keeper.USER_WRITABLE
    assert keeper.problem(db) is None


@pytest.mark.parametrize("edit", ["events", "coverage", "records"])
def test_a_journal_json_changed_in_the_case_is_not_cited(
    tmp_path, no_journal_of_this_machine, edit
):
    """The case folder is the user's: a program there rewrites journal.json after the export
    (its bot's port-25 record gone from the words, a gap covered over, a record dropped). The
    letter checks what it cites as it cites it."""
    from datetime import timedelta as td

    from tests.unit.test_journal_letter import BOT

    make_journal(
        no_journal_of_this_machine,
        REPORTED[0] - td(hours=1),
        REPORTED[1] + td(hours=1),
        events=[
            (REPORTED[0] + td(minutes=3), {"rport": 25, "remote": "198.51.100.9", "program": BOT})
        ],
        gap=(REPORTED[0] + td(minutes=10), REPORTED[0] + td(minutes=20)),
    )
    case = read_notice(tmp_path)
    doc = case.journal()
    assert doc["verification"]["trusted"] and A.assess(case, JST).journal.intact
    if edit == "events":
        doc["events"] = []
    elif edit == "coverage":
        doc["coverage"]["complete"], doc["coverage"]["gaps"] = True, []
    else:
        doc["proof"]["records"].pop(len(doc["proof"]["records"]) // 2)
    case.write_json("journal.json", doc)
    a = A.assess(case, JST)
    assert a.journal is not None and not a.journal.intact and a.journal.problem
    en = letter(case, "en")
    assert "did not verify" in en and "running throughout" not in en
