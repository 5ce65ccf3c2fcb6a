"""Mutation testing of the modules that decide what the user is told (`make mutation`).

Each module gets its own mutmut session in a copy of the committed tree (so a run never
touches the working tree), kept in build/mutation/work so that kills carry over (prepare_work),
against the unit and real-world tests only, within a time budget
shared by all modules (default 20 minutes: MUTATION_MINUTES). Scores are written to
docs/mutation.md: killed / (killed + survived); mutants in code no unit test reaches ("no
tests": probes doing I/O) are counted apart, not as kills.

    .venv/bin/python tools/mutation.py [MODULE ...]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")

# The decision modules (issue 20): interpreters, notice and chain reading, capture analysis and
# scrubbing, redaction, the runner, the assessment and letter choice, bundle verification.
MODULES = [
    "checks/blocklist.py",
    "checks/redact.py",
    "checks/received.py",
    "checks/notice.py",
    "checks/smtp.py",
    "checks/proxy.py",
    "checks/traffic.py",
    "checks/firewall.py",
    "checks/updates.py",
    "checks/antivirus.py",
    "checks/clock.py",
    "checks/support.py",
    "checks/uptime.py",
    "checks/runner.py",
    "checks/evidence.py",
    "checks/provenance.py",
    "checks/line_identity.py",
    "checks/notice_claim.py",
    "cases/assessment.py",
    "cases/suspects.py",
    "reports/bundle.py",
    "reports/bundle_check.py",
    "reports/zipcheck.py",  # what "intact" rests on: the zip read as every unzip tool reads it
]
TESTS = ["tests/unit", "tests/realworld"]
# Modules whose answers are pinned through the module in front of them: the notice reader's
# exact answers and goldens (checks/notice.py's tests) are what judge where a mail came from,
# the line's identity and the claim. Their tests join the module's own.
FRONTS = {
    "checks/provenance.py": ("checks/notice.py",),
    "checks/line_identity.py": ("checks/notice.py",),
    "checks/notice_claim.py": ("checks/notice.py",),
    # verify's answers are pinned through reports.bundle.verify (and the desk's entry point):
    # the hostile zips and the answer tables import those, not the readers behind them.
    "reports/bundle_check.py": ("reports/bundle.py",),
    "reports/zipcheck.py": ("reports/bundle.py", "reports/bundle_check.py"),
}
# The catalog test reads the module's source for msgids: a mutated copy holds every mutant's
# strings, so it would fail on all of them and kill nothing real.
PYTEST_ARGS = [
    "--deselect",
    "tests/unit/test_i18n.py::test_every_message_is_translated_to_japanese",
    # It reads README.md, which mutmut's copy of the tree does not hold: it would fail the
    # clean run and the module would measure nothing.
    "--deselect",
    "tests/unit/test_catalogue.py::test_the_readme_describes_only_real_checks_and_points_to_the_full_list",
    # It runs the desk's checker with no site-packages (python -S): a mutated copy imports
    # mutmut's trampoline, so the clean run failed and bundle_check.py was never measured.
    "--deselect",
    "tests/unit/test_desk_verify.py::test_the_desks_entry_point_needs_nothing_but_the_standard_library",
    "--deselect",
    "tests/unit/test_desk_verify.py::test_the_desks_entry_point_writes_any_name_through_any_code_page",
]


def copy_tree(target: Path) -> None:
    """The committed tree (HEAD), not the working tree: a score belongs to a commit, and a file
    half-edited while a long run goes on must not make every module's clean run fail."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    mo = ROOT / "locale/ja/LC_MESSAGES/clearline.mo"
    if mo.exists():
        (target / "locale/ja/LC_MESSAGES/clearline.mo").write_bytes(mo.read_bytes())


def tests_by_module(modules: list[str]) -> dict[str, list[str]]:
    """Which test files run each module's code, from one run of the suite under coverage with
    the test function as context. mutmut collects its own map of functions to tests, but it
    does so by running every selected test file, once per module session, and then runs them
    all again as a clean run: with the whole suite that was about two minutes per module
    before the first mutant, most of a run's time. A file that never reaches a module cannot
    kill its mutants, so leaving it out changes no score."""
    with tempfile.TemporaryDirectory(prefix="clearline-coverage-") as tmp:
        work = Path(tmp)
        copy_tree(work)
        (work / ".coveragerc-mutation").write_text(
            "[run]\nsource = checks, cases, reports\n", encoding="utf-8"
        )
        # Each test's node id as the coverage context (what pytest-cov does), so a test run
        # through hypothesis is named after the test, not hypothesis's inner function.
        (work / "_mutation_context.py").write_text(
            "import coverage\n\n\n"
            "def pytest_runtest_setup(item):\n"
            "    cov = coverage.Coverage.current()\n"
            "    if cov is not None:\n"
            "        cov.switch_context(item.nodeid)\n",
            encoding="utf-8",
        )
        env = dict(
            os.environ, QT_QPA_PLATFORM="offscreen", CLEARLINE_MUTATION="1", PYTHONPATH=str(work)
        )
        subprocess.run(
            [
                *(sys.executable, "-m", "coverage", "run", "--rcfile=.coveragerc-mutation"),
                *("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "_mutation_context"),
                *TESTS,
                *PYTEST_ARGS,
            ],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from coverage import CoverageData

        data = CoverageData(basename=str(work / ".coverage"))
        data.read()
        found: dict[str, set[str]] = {m: set() for m in modules}
        for measured in data.measured_files():
            module = Path(measured).relative_to(work).as_posix()
            if module not in found:
                continue
            for contexts in data.contexts_by_lineno(measured).values():
                for context in contexts:
                    test_file = _test_file(work, context)
                    if test_file:
                        found[module].add(test_file)
        # The tests written for a module are those that import it (or a tests/ helper that
        # does, such as tests/notice_golden.py): when there are any, they are the selection.
        # Tests that reach it only through the letter or the bundle re-run the whole letter
        # for every mutant, at a few mutants a second, and kill little the module's own tests
        # do not. Coverage (which names a hypothesis test after hypothesis's inner function,
        # so misses those) is the fallback.
        return {
            m: sorted(
                (
                    _importers(work, m)
                    | {f for front in FRONTS.get(m, ()) for f in _importers(work, front)}
                )
                or files
            )
            for m, files in found.items()
        }


def _importers(work: Path, module: str) -> set[str]:
    package, name = module.removesuffix(".py").split("/", 1)
    pattern = re.compile(rf"\b{package}\.{name}\b|^from {package} import [^\n]*\b{name}\b", re.M)
    helpers = sorted(
        path.stem
        for path in (work / "tests").glob("*.py")
        if path.stem != "cases" and pattern.search(path.read_text(encoding="utf-8"))
    )
    names = "|".join(helpers)
    uses_helper = (
        re.compile(rf"^from tests(?:\.({names})\b| import [^\n]*\b({names})\b)", re.M)
        if helpers
        else None
    )
    found = set()
    for folder in TESTS:
        for path in (work / folder).glob("test_*.py"):
            text = path.read_text(encoding="utf-8")
            if pattern.search(text) or (uses_helper and uses_helper.search(text)):
                found.add(path.relative_to(work).as_posix())
    return found


def _test_file(work: Path, context: str) -> str | None:
    """'tests/unit/test_notice.py::test_x[param]' -> 'tests/unit/test_notice.py'."""
    name = context.split("::", 1)[0]
    return name if name.startswith("tests/") and (work / name).is_file() else None


WORK = ROOT / "build/mutation/work"
# mutmut's exit codes that mean a test failed on the mutant (mutmut/stats.py).
KILLED = {1, 3}


def prepare_work(module: str) -> tuple[Path, int]:
    """The module's working copy and how many verdicts it carries over from the last run.

    The copy lives in build/mutation/work/<module> so that a run can start where the last one
    stopped. mutmut keeps a verdict while the mutated function's source is unchanged; of those,
    only kills are kept here: a surviving mutant, a time-out or a mutant no test reached is
    tried again, because a test written since may kill it (mutmut itself would keep the
    survivor). Everything else is rebuilt from HEAD: the tree, the mutated files and mutmut's
    map of tests to functions (a changed test may reach other functions). MUTATION_FRESH=1
    starts from nothing."""
    work = WORK / module.replace("/", "_")
    mutants = work / "mutants"
    if os.environ.get("MUTATION_FRESH") or not mutants.is_dir():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        copy_tree(work)
        return work, 0
    for entry in work.iterdir():
        if entry.name != "mutants":
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    kept = 0
    for path in sorted(mutants.rglob("*"), reverse=True):
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.suffix != ".meta":
            path.unlink()
        else:
            kept += _keep_kills(path)
    copy_tree(work)
    return work, kept


def _keep_kills(meta: Path) -> int:
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        verdicts = data["exit_code_by_key"]
    except (ValueError, KeyError, TypeError):
        # Cut off mid-write by the time limit: its verdicts are lost, not guessed.
        meta.unlink()
        return 0
    data["exit_code_by_key"] = {k: v if v in KILLED else None for k, v in verdicts.items()}
    meta.write_text(json.dumps(data, indent=4), encoding="utf-8")
    return sum(v in KILLED for v in verdicts.values())


def run_module(module: str, seconds: float, tests: list[str] | None = None) -> dict:
    started = time.monotonic()
    work, kept = prepare_work(module)
    with (work / "pyproject.toml").open("a", encoding="utf-8") as fp:
        fp.write(
            "\n[tool.mutmut]\n"
            f"paths_to_mutate = [{module!r}]\n"
            f"pytest_add_cli_args_test_selection = {(tests or TESTS)!r}\n"
            f"pytest_add_cli_args = {PYTEST_ARGS!r}\n"
            'also_copy = ["checks", "journal", "cases", "reports", "app", "cli", "gui", "tests",'
            ' "locale", "main.py"]\n'
        )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CLEARLINE_MUTATION="1")
    log = ROOT / "build/mutation" / (module.replace("/", "_") + ".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        # A session of its own, so that the time limit stops mutmut's workers too, not only
        # mutmut (orphaned workers would go on writing verdicts into the working copy).
        process = subprocess.Popen(
            [str(MUTMUT), "run"],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout=max(1.0, seconds - (time.monotonic() - started)))
            finished = True
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            finished = False
    subprocess.run([str(MUTMUT), "export-cicd-stats"], cwd=work, env=env, capture_output=True)
    save_survivors(module, work, env)
    stats_file = work / "mutants/mutmut-cicd-stats.json"
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    stats["finished"] = finished
    stats["kept"] = kept
    stats["seconds"] = round(time.monotonic() - started)
    return stats


def save_survivors(module: str, work: Path, env: dict) -> None:
    """Each surviving mutant's diff, in build/mutation/<module>.txt: what a new test must kill,
    or what docs/mutation.md must explain as equivalent."""
    listed = subprocess.run(
        [str(MUTMUT), "results"], cwd=work, env=env, capture_output=True, text=True
    ).stdout
    names = [
        ln.split(":")[0].strip() for ln in listed.splitlines() if ln.rstrip().endswith("survived")
    ]
    out = ROOT / "build/mutation" / (module.replace("/", "_") + ".txt")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fp:
        for name in names:
            shown = subprocess.run(
                [str(MUTMUT), "show", name], cwd=work, env=env, capture_output=True, text=True
            ).stdout
            fp.write(f"## {name}\n{shown}\n")


def score(stats: dict) -> str:
    judged = stats.get("killed", 0) + stats.get("survived", 0)
    if not judged:
        # Nothing judged: mutmut stopped before the first mutant (its clean run of the tests
        # failed, or stats could not be collected): see build/mutation/<module>.log.
        return "error (see log)" if stats.get("total") else "–"
    text = f"{100 * stats.get('killed', 0) / judged:.0f}%"
    return text if stats.get("finished") else f"{text} of {judged} (partial)"


def row(module: str, s: dict, today: str) -> str:
    kept = f", {s['kept']} kills kept from the last run" if s.get("kept") else ""
    return (
        f"| {module} | {score(s)} | {s.get('killed', 0)} | {s.get('survived', 0)} |"
        f" {s.get('no_tests', 0)} | {s.get('total', 0)} | {'yes' if s['finished'] else 'no'} |"
        f" {today}, {s['seconds']} of {s['share']} s, {s['tests']} test files{kept} |"
    )


def previous_rows(text: str) -> dict[str, str]:
    """The table rows of the last docs/mutation.md, by module (older rows get no date)."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0].endswith(".py"):
            if len(cells) == 7:
                cells.append("2026-11-23 (first run)")
            rows[cells[0]] = "| " + " | ".join(cells) + " |"
    return rows


def order(module: str) -> int:
    return MODULES.index(module) if module in MODULES else len(MODULES)


def main(argv: list[str]) -> int:
    modules = argv or MODULES
    budget = float(os.environ.get("MUTATION_MINUTES", "20")) * 60
    deadline = time.monotonic() + budget
    selection = tests_by_module(modules)
    rows = []
    # Smallest first: what the small modules leave of their share goes to the large ones.
    modules = sorted(modules, key=lambda m: (ROOT / m).stat().st_size)
    for i, module in enumerate(modules):
        # What is left of the budget, shared by the modules still to run: a module that
        # finishes early leaves its time to the next.
        share = max(60.0, (deadline - time.monotonic()) / (len(modules) - i))
        stats = run_module(module, share, selection.get(module) or None)
        stats["tests"] = len(selection.get(module) or [])
        stats["share"] = round(share)
        rows.append((module, stats))
        print(f"{module:28} {score(stats):>5}  {stats}", flush=True)
    out = ROOT / "docs/mutation.md"
    existing = out.read_text(encoding="utf-8") if out.exists() else ""
    today = date.today().isoformat()
    table = {m: row for m, row in previous_rows(existing).items() if m not in dict(rows)}
    for module, s in rows:
        table[module] = row(module, s, today)
    lines = [
        "# Mutation testing",
        "",
        "`make mutation` (mutmut, unit and real-world tests only, each module within its share of"
        ' the time budget). Score = killed / (killed + survived); "no tests" are mutants in'
        " code no unit test reaches (probes doing I/O). A run of some modules keeps the other"
        " modules' last rows.",
        "",
        "| module | score | killed | survived | no tests | total | finished | measured |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *(table[m] for m in sorted(table, key=order)),
    ]
    notes = existing.split("\n## Notes", 1)[1] if "\n## Notes" in existing else ""
    out.write_text("\n".join(lines) + "\n" + ("\n## Notes" + notes if notes else ""), "utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
