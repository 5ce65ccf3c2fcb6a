"""The notice read before the line was checked (the window's order: the notice at step 1, the
checks at step 2; the README's order of commands too): when NET-NAT then finds carrier-grade
NAT or this PC's own addresses, NOTICE-SOURCE is read again with them, never left `forged`
beside a CGNAT paragraph (issue 26)."""

from datetime import timedelta, timezone
from pathlib import Path

import pytest

from app import flows
from cases.store import Case
from checks import runner
from checks.context import Options
from checks.model import Result, Status

JST = timezone(timedelta(hours=9))
CLASSES = Path(__file__).resolve().parents[1] / "realworld" / "data" / "classes"


def nat_result(facts: dict) -> Result:
    return Result("NET-NAT", Status.PASS, "cgnat", {"ip": "100.71.2.3"}, facts=facts)


@pytest.fixture
def checks_that_find(monkeypatch):
    """The audit's runner, answering NET-NAT with the facts given (no probe of this machine)."""

    def use(facts):
        def run(specs, options, on_result=None, cancel=None):
            result = nat_result(facts)
            on_result(result)
            return [result]

        monkeypatch.setattr(runner, "run_checks", run)

    return use


def read_first(tmp_path, name, line):
    case = Case(tmp_path / "case")
    data = (CLASSES / name).read_bytes()
    flows.read_notice(case, data, public_ip=line, zone=JST, power={"events": []})
    return case


def source_of(case):
    return {r.id: r for r in case.results()}["NOTICE-SOURCE"]


def test_carrier_grade_nat_found_after_the_notice_unsettles_forged(tmp_path, checks_that_find):
    case = read_first(tmp_path, "exchange_online_direct.eml", "192.0.2.7")
    assert case.notice()["verdict"] == "forged"
    checks_that_find({"router_wan_ip": "100.71.2.3", "cgnat": True})
    flows.audit(case, ["NET-NAT"], Options())
    assert case.notice()["verdict"] == "unknown"
    assert case.notice()["explanation_code"] == "cgnat_unknowable"
    assert source_of(case).status != Status.PASS
    # The same addresses the user gave are still the line's.
    given = [a["ip"] for a in case.notice()["line"]["addresses"] if a["source"] == "given"]
    assert given == ["192.0.2.7"]


def test_this_pcs_own_address_found_after_the_notice_counts(tmp_path, checks_that_find):
    case = read_first(tmp_path, "ipv6_same_64.eml", "203.0.113.45")
    assert case.notice()["verdict"] == "unknown"  # other_family: only the IPv4 was given
    checks_that_find({"addresses": [{"interface": "eth0", "address": "2001:db8:4a:1200:8d3c::1"}]})
    flows.audit(case, ["NET-NAT"], Options())
    assert case.notice()["verdict"] == "direct"


def test_the_times_read_without_a_zone_stay_as_read(tmp_path, checks_that_find):
    case = Case(tmp_path / "case")
    text = b"Spam was sent from your line 203.0.113.45 on 2026-11-20 14:05 to 14:30."
    flows.read_notice(case, text, public_ip="203.0.113.45", zone=JST, power={"events": []})
    before = case.notice()["claim"]["times"]
    checks_that_find({"cgnat": True})
    flows.audit(case, ["NET-NAT"], Options())
    assert case.notice()["claim"]["times"] == before


def test_nothing_new_about_the_line_leaves_the_first_reading(tmp_path, checks_that_find):
    case = read_first(tmp_path, "exchange_online_direct.eml", "192.0.2.7")
    before = case.history()
    checks_that_find({"addresses": [{"interface": "eth0", "address": "192.168.1.20"}]})
    flows.audit(case, ["NET-NAT"], Options())
    assert [r.id for r in case.history()] == [r.id for r in before] + ["NET-NAT"]
