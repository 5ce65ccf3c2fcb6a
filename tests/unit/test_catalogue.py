"""The catalogue is the one list of checks, made of what each check module declares: every other
list is read from it, and it agrees with what the modules declare (their SPECS and phrasebooks)
and with the README's table. A module dropped into checks/ is a new check, with no list edited."""

import importlib
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import checks
from cases import assessment
from checks import catalogue, registry, wording
from checks.model import Status
from reports import guidance, viewmodel

ROOT = Path(__file__).resolve().parents[2]
IDS = [e.id for e in catalogue.CATALOGUE]


def test_each_id_once_and_each_letter_place_once():
    assert len(IDS) == len(set(IDS))
    places = [e.letter for e in catalogue.CATALOGUE if e.letter is not None]
    assert len(places) == len(set(places))


def test_no_check_module_is_left_out_of_the_catalogue():
    # No count to pin: whatever any module of checks/ declares (a check it runs, a title it
    # words) must declare its entry in ENTRIES, so a forgotten entry fails here.
    for path in sorted((ROOT / "checks").glob("*.py")):
        importlib.import_module(f"checks.{path.stem}")
    declared = set(wording._BOOKS)
    for path in sorted((ROOT / "checks").glob("*.py")):
        declared |= {
            s.id for s in getattr(importlib.import_module(f"checks.{path.stem}"), "SPECS", ())
        }
    assert declared - set(IDS) == set()


@pytest.mark.parametrize("entry", catalogue.CATALOGUE, ids=IDS)
def test_each_check_is_worded_by_its_module(entry):
    module = importlib.import_module(entry.module)
    book = wording.book_for(entry.id)
    assert book is not None and entry.id in book.titles
    assert wording.MODULES[entry.id] == module.__name__
    if entry.source == catalogue.AUDIT:
        assert entry.id in {s.id for s in module.SPECS}


def test_the_audit_runs_exactly_the_audit_checks_in_catalogue_order():
    assert [s.id for s in registry.ALL] == list(catalogue.ids(source=catalogue.AUDIT))


def test_the_lists_elsewhere_are_the_catalogues():
    # Read from the catalogue, in its order; the checks each list is known to hold today are
    # named so that a wrong role in the catalogue shows (a new check adds to them, not here).
    assert assessment.MAIL_EVIDENCE == catalogue.ids(role=catalogue.MAIL)
    assert {"SMTP-OUT", "SMTP-LISTEN", "PROXY-OPEN", "TRAFFIC-SMTP", "TRAFFIC-MX"} <= set(
        assessment.MAIL_EVIDENCE
    )
    assert guidance.HOST_CHECKS == catalogue.ids(role=catalogue.DEFENCE)
    assert {"FW-STATUS", "AV-STATUS", "OS-UPDATES", "NET-GATEWAY", "PROXYWARE"} <= set(
        guidance.HOST_CHECKS
    )
    assert not set(assessment.MAIL_EVIDENCE) & set(guidance.HOST_CHECKS)
    assert viewmodel.LETTER_CHECKS == catalogue.letter_checks()
    # The letter's order of findings: what was sent first, then what could send, then context.
    assert viewmodel.LETTER_CHECKS[:6] == (
        "SMTP-OUT",
        "TRAFFIC-SMTP",
        "TRAFFIC-MX",
        "SMTP-LISTEN",
        "PROXY-OPEN",
        "AV-STATUS",
    )


@pytest.mark.parametrize(
    ("check_id", "status", "reason", "infected"),
    [
        ("SMTP-OUT", Status.FAIL, "direct", True),
        ("SMTP-OUT", Status.WARN, "unknown_program", False),
        ("TRAFFIC-SMTP", Status.FAIL, "direct", True),
        ("PROXY-OPEN", Status.FAIL, "open", True),
        # A scanner that found malware is an infection; a missing or expired one is a
        # warning to fix (the window showed removal steps for it before).
        ("AV-STATUS", Status.FAIL, "scan_found", True),
        ("AV-STATUS", Status.FAIL, "quick_scan_threats", True),
        ("AV-STATUS", Status.FAIL, "none_on", False),
        ("AV-STATUS", Status.FAIL, "expired", False),
        ("FW-STATUS", Status.FAIL, "off", False),
        ("NO-SUCH-CHECK", Status.FAIL, "x", False),
    ],
)
def test_which_answers_mean_an_infection(check_id, status, reason, infected):
    assert catalogue.shows_infection(check_id, status, reason) is infected


def test_the_readme_describes_only_real_checks_and_points_to_the_full_list():
    # The full list is the program's own (`audit --list`, read from the catalogue), so a new
    # check needs no README edit to be listed; a README row must never name a check that is
    # gone or misspelt.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Checks", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([A-Z][A-Z0-9-]+) \|", section, flags=re.MULTILINE)
    rows = [r for r in rows if r != "ID"]  # the header
    assert len(rows) >= 15 and set(rows) <= set(IDS), set(rows) - set(IDS)
    assert "audit --list" in section


NEW_CHECK = """
    from checks import catalogue, wording
    from checks.i18n import N_
    from checks.model import CheckSpec, Result, Status

    TITLE = N_("Names the hosts file redirects")
    wording.register(wording.Phrasebook({"HOSTS-TEST": TITLE}, {"clean": TITLE}, {}))


    def run(ctx):
        return Result("HOSTS-TEST", Status.PASS, "clean")


    ENTRIES = (
        catalogue.Entry(
            "HOSTS-TEST", __name__, catalogue.AUDIT, catalogue.DEFENCE, fix="scan", order=142
        ),
    )
    SPECS = (CheckSpec("HOSTS-TEST", TITLE, run),)
"""


@pytest.fixture
def a_module_dropped_into_checks(tmp_path, monkeypatch):
    (tmp_path / "hosts_test.py").write_text(textwrap.dedent(NEW_CHECK), encoding="utf-8")
    monkeypatch.setattr(checks, "__path__", [*checks.__path__, str(tmp_path)])
    monkeypatch.setattr(catalogue, "_found", None)
    monkeypatch.setattr(registry, "_all", None)
    yield
    sys.modules.pop("checks.hosts_test", None)
    wording._BOOKS.pop("HOSTS-TEST", None)


def test_a_module_dropped_into_checks_is_a_check_everywhere(a_module_dropped_into_checks):
    audit = [s.id for s in registry.ALL]
    # Run by the audit in its declared place (between NET-DNS, 140, and NET-BLOCKLIST, 150),
    # worded, listed among the warnings to fix and opened in step 4 at its place.
    assert audit.index("NET-DNS") < audit.index("HOSTS-TEST") < audit.index("NET-BLOCKLIST")
    assert wording.title_msgid("HOSTS-TEST") == "Names the hosts file redirects"
    assert "HOSTS-TEST" in catalogue.ids(role=catalogue.DEFENCE)
    assert catalogue.fix_place("HOSTS-TEST") == "scan"


@pytest.mark.parametrize(
    ("found", "says"),
    [
        ([], "no check declares an entry"),
        (
            [
                catalogue.Entry("A", "checks.a", catalogue.AUDIT, catalogue.CONTEXT, order=10),
                catalogue.Entry("A", "checks.b", catalogue.AUDIT, catalogue.CONTEXT, order=20),
            ],
            "A and A share one ID: A",
        ),
        (
            [
                catalogue.Entry("A", "checks.a", catalogue.AUDIT, catalogue.CONTEXT, order=10),
                catalogue.Entry("B", "checks.b", catalogue.AUDIT, catalogue.CONTEXT, order=10),
            ],
            "A and B share one order: 10",
        ),
    ],
)
def test_two_modules_claiming_one_place_stop_the_program(found, says):
    # A check silently shadowing another would never run, or never be worded.
    with pytest.raises(RuntimeError, match=says):
        catalogue._validated(found)


def test_the_catalogue_is_found_in_its_declared_order_and_imports_no_check_until_asked():
    assert [e.order for e in catalogue.entries()] == sorted(e.order for e in catalogue.entries())
    code = (
        "import sys; from checks import catalogue, wording, registry; "
        "print(any(m in sys.modules for m in ('checks.smtp', 'checks.traffic')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "False"
