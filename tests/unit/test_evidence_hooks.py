"""Mail evidence comes from each mail check's own module, found through the catalogue: the
assessment lists no check IDs, so a new mail check is its module alone."""

import importlib
import sys
import types
from datetime import UTC, datetime, timedelta

import pytest

from cases import assessment as A
from checks import catalogue, evidence
from checks.model import Result, Status

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MAIL = [e for e in catalogue.CATALOGUE if e.role == catalogue.MAIL]


@pytest.mark.parametrize("entry", MAIL, ids=[e.id for e in MAIL])
def test_every_mail_check_turns_its_own_results_into_sightings(entry):
    module = importlib.import_module(entry.module)
    assert callable(module.sightings)
    failing = Result(entry.id, Status.FAIL, "direct", started_at=T0)
    seen = evidence.sightings_of(failing)
    # A fail with no details is still a sighting of that check, never dropped.
    assert seen and all(s.check_id == entry.id and s.status == Status.FAIL for s in seen)
    assert evidence.sightings_of(Result(entry.id, Status.PASS, "none", started_at=T0)) == []


@pytest.mark.parametrize(
    "entry", [e for e in catalogue.CATALOGUE if e.role != catalogue.MAIL], ids=lambda e: e.id
)
def test_a_failing_check_that_is_not_mail_evidence_is_no_sighting(entry):
    assert evidence.sightings_of(Result(entry.id, Status.FAIL, "x", started_at=T0)) == []


def test_what_each_sighting_saw_a_program_do():
    def kind(check_id):
        return evidence.sightings_of(Result(check_id, Status.FAIL, "x", started_at=T0))[0].kind

    assert kind("SMTP-OUT") == kind("TRAFFIC-SMTP") == evidence.SENDING
    assert kind("TRAFFIC-MX") == evidence.LOOKUP
    assert kind("SMTP-LISTEN") == kind("PROXY-OPEN") == evidence.LISTENING


def test_sending_is_named_before_listening_and_a_journal_record_is_sending():
    listening = evidence.Sighting(
        "PROXY-OPEN", Status.FAIL, "open", A.THIS_PC, program="p", kind=evidence.LISTENING
    )
    journal = evidence.Sighting(
        "JOURNAL", Status.FAIL, "journal_port25", A.THIS_PC, program="p", port=25
    )
    assert sorted([listening, journal], key=A._rank, reverse=True)[0] is journal


@pytest.fixture
def a_new_mail_check(monkeypatch):
    """A check that exists only as its module (and so its entry in the catalogue)."""
    module = types.ModuleType("checks.router_relay")

    def sightings(result):
        if result.status != Status.FAIL:
            return []
        host = result.params.get("router")
        return [evidence.Sighting(result.id, result.status, result.reason, A.LINE, host=host)]

    def observations(results):
        return [
            evidence.Observation(
                "router_log", A.LINE, r.started_at, r.started_at + timedelta(minutes=30), True
            )
            for r in results
            if r.status == Status.PASS
        ]

    module.sightings, module.observations = sightings, observations
    monkeypatch.setitem(sys.modules, module.__name__, module)
    entry = catalogue.Entry(
        "ROUTER-RELAY", module.__name__, catalogue.AUDIT, catalogue.MAIL, order=10_000
    )
    monkeypatch.setattr(catalogue, "_found", (*catalogue.entries(), entry))
    return entry


def test_a_new_mail_check_is_heard_by_the_assessment_without_naming_it_there(a_new_mail_check):
    relayed = Result(
        a_new_mail_check.id, Status.FAIL, "relay", {"router": "192.168.1.1"}, started_at=T0
    )
    quiet = Result(a_new_mail_check.id, Status.PASS, "quiet", started_at=T0 + timedelta(hours=1))
    a = A.build(
        latest={relayed.id: relayed},
        history=[relayed, quiet],
        remediation={},
        notice=None,
        details={},
        zone=UTC,
    )
    assert a.primary is not None and a.primary.host == "192.168.1.1"
    assert a.primary.check_id == "ROUTER-RELAY" and not a.nothing_found
    assert [o.source for o in a.observations] == ["router_log"]
