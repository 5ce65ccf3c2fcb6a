"""`make mutation` carries kills over between runs and nothing else (tools/mutation.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tool(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("mutation_tool", ROOT / "tools/mutation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "WORK", tmp_path / "work")
    # The committed tree stands in as one file: what matters is what the copy keeps.
    monkeypatch.setattr(
        module, "copy_tree", lambda target: (target / "checks.py").write_text("# HEAD\n")
    )
    monkeypatch.delenv("MUTATION_FRESH", raising=False)
    return module


def _meta(verdicts: dict) -> str:
    return json.dumps(
        {
            "exit_code_by_key": verdicts,
            "hash_by_function_name": {"f": "abc"},
            "type_check_error_by_key": {},
            "durations_by_key": {},
            "estimated_durations_by_key": {},
        }
    )


def _last_run(tool) -> Path:
    work = tool.WORK / "checks_notice.py"
    (work / "mutants/checks").mkdir(parents=True)
    (work / "mutants/checks/notice.py.meta").write_text(
        _meta({"m_1": 1, "m_2": 0, "m_3": 36, "m_4": 33, "m_5": 3, "m_6": None})
    )
    (work / "mutants/checks/notice.py").write_text("# an old mutated copy\n")
    (work / "mutants/mutmut-stats.json").write_text("{}")
    (work / "mutants/tests").mkdir()
    (work / "mutants/tests/test_gone.py").write_text("# deleted since\n")
    (work / "stale.py").write_text("# not in HEAD any more\n")
    return work


def test_a_second_run_keeps_only_the_kills(tool):
    work = _last_run(tool)

    again, kept = tool.prepare_work("checks/notice.py")

    assert again == work and kept == 2
    verdicts = json.loads((work / "mutants/checks/notice.py.meta").read_text(encoding="utf-8"))
    # Survived (0), time-out (36) and "no tests" (33) are tried again: a newer test may kill them.
    assert verdicts["exit_code_by_key"] == {
        "m_1": 1,
        "m_2": None,
        "m_3": None,
        "m_4": None,
        "m_5": 3,
        "m_6": None,
    }
    assert verdicts["hash_by_function_name"] == {"f": "abc"}
    # mutmut rebuilds the mutated files and its test map; the tree is HEAD's, nothing older.
    left = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    assert left == ["checks.py", "mutants/checks/notice.py.meta"]


def test_a_meta_file_cut_off_mid_write_loses_its_verdicts(tool):
    work = _last_run(tool)
    (work / "mutants/checks/notice.py.meta").write_text('{"exit_code_by_key": {"m_1": 1')

    _, kept = tool.prepare_work("checks/notice.py")

    assert kept == 0
    assert not (work / "mutants/checks/notice.py.meta").exists()


def test_mutation_fresh_starts_from_nothing(tool, monkeypatch):
    work = _last_run(tool)
    monkeypatch.setenv("MUTATION_FRESH", "1")

    _, kept = tool.prepare_work("checks/notice.py")

    assert kept == 0
    assert [p.name for p in work.iterdir()] == ["checks.py"]


def test_the_first_run_has_nothing_to_keep(tool):
    work, kept = tool.prepare_work("checks/traffic.py")

    assert kept == 0
    assert [p.name for p in work.iterdir()] == ["checks.py"]


def test_a_row_says_how_many_kills_were_carried_over(tool):
    stats = {"killed": 9, "survived": 1, "total": 10, "finished": True, "seconds": 5}
    stats |= {"share": 60, "tests": 2, "kept": 7}

    line = tool.row("checks/notice.py", stats, "2026-11-23")

    assert line == (
        "| checks/notice.py | 90% | 9 | 1 | 0 | 10 | yes |"
        " 2026-11-23, 5 of 60 s, 2 test files, 7 kills kept from the last run |"
    )
    assert tool.previous_rows(line)["checks/notice.py"] == line
    partial = tool.row("checks/notice.py", {**stats, "finished": False, "kept": 0}, "2026-11-23")
    assert "| 90% of 10 (partial) |" in partial and "kept" not in partial
