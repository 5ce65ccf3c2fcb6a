"""Host hygiene on Windows, from recordings of the one-PowerShell report."""

import json
from datetime import UTC, date, datetime

import pytest

from checks import antivirus, clock, firewall, support, updates
from checks.model import Status
from tests.recorded import DATA

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def rec(name):
    return json.loads((DATA / f"windows/host/{name}.json").read_text(encoding="utf-8"))


def test_defender_only_and_up_to_date():
    r = antivirus.interpret_windows(rec("win11_defender_up_to_date"))
    assert r.status == Status.PASS
    assert r.facts["products"][0]["engine"] == "on" and r.facts["products"][0]["microsoft"]
    assert r.facts["full_scan_age_days"] is None  # 4294967295 means "never"


def test_third_party_av_with_defender_passive_passes():
    r = antivirus.interpret_windows(rec("win11_third_party_defender_passive"))
    assert r.status == Status.PASS
    assert "ESET Security" in r.summary


def test_expired_av_fails_with_renew_advice():
    r = antivirus.interpret_windows(rec("win10_av_expired"))
    assert r.status == Status.FAIL
    assert "Norton 360" in r.summary and "expired" in r.summary
    assert any("Renew Norton 360" in a for a in r.advice)


def test_no_av_at_all_fails():
    r = antivirus.interpret_windows(rec("win10_no_av"))
    assert r.status == Status.FAIL
    assert r.summary == "No antivirus is switched on."


def test_server_without_security_center_uses_defender():
    r = antivirus.interpret_windows(rec("server2022"))
    assert r.status == Status.PASS
    assert r.facts["security_center"] is False


@pytest.mark.parametrize(
    ("state", "engine", "signatures", "microsoft"),
    [
        (266240, "on", "up_to_date", False),
        (397568, "on", "up_to_date", True),
        (397584, "on", "out_of_date", True),
        (393472, "off", "up_to_date", True),
        (274432, "expired", "up_to_date", False),
        (270336, "snoozed", "up_to_date", False),
    ],
)
def test_product_state_decoding(state, engine, signatures, microsoft):
    d = antivirus.decode_product_state(state)
    assert (d["engine"], d["signatures"], d["microsoft"]) == (engine, signatures, microsoft)


def test_update_service_disabled_warns_with_how_to_reenable():
    r = updates.interpret_windows(rec("win11_update_service_disabled"), NOW)
    assert r.status == Status.WARN
    assert "disabled" in r.summary
    assert "services.msc" in r.advice[0]


def test_windows10_pending_security_updates_with_kb_numbers():
    r = updates.interpret_windows(rec("win10_22h2_no_esu"), NOW)
    assert r.status == Status.WARN
    assert (r.facts["pending"], r.facts["security"]) == (2, 1)
    assert r.facts["kb"] == ["KB5071546", "KB890830"]  # one-item arrays arrive unwrapped


def test_windows11_up_to_date_passes_with_last_install_date():
    r = updates.interpret_windows(rec("win11_up_to_date"), NOW)
    assert r.status == Status.PASS
    assert r.facts["last_successful_install"] == "2026-11-20T06:02:11+00:00"


def test_windows10_without_esu_fails_today():
    r = support.interpret_windows(rec("win10_22h2_no_esu"), TODAY)
    assert r.status == Status.FAIL
    assert "2025-10-14" in r.summary
    assert "Extended Security Updates" in r.advice[0]


def test_windows10_with_esu_warns_until_2027():
    data = rec("win10_22h2_no_esu")
    data["esu"] = {
        "name": "Windows(R), Client-ESU-Year1 add-on for Windows 10",
        "license_status": 1,
    }
    r = support.interpret_windows(data, TODAY)
    assert r.status == Status.WARN
    assert "2027-10-12" in r.summary
    assert support.interpret_windows(data, date(2027, 10, 13)).status == Status.FAIL


def test_windows11_25h2_supported_and_24h2_home_not():
    assert support.interpret_windows(rec("win11_up_to_date"), TODAY).status == Status.PASS
    data = rec("win11_up_to_date")
    data["os"].update(build=26100, display_version="24H2")
    assert support.interpret_windows(data, TODAY).status == Status.FAIL
    data["os"]["edition_id"] = "Enterprise"
    assert support.interpret_windows(data, TODAY).status == Status.PASS


def test_windows7_fails_and_server_is_unknown():
    data = rec("win11_up_to_date")
    data["os"].update(
        caption="Microsoft Windows 7 Professional", build=7601, edition_id="Professional"
    )
    assert support.interpret_windows(data, TODAY).status == Status.FAIL
    assert support.interpret_windows(rec("server2022"), TODAY).status == Status.UNKNOWN


def test_firewall_profiles():
    assert firewall.interpret_windows(rec("win11_up_to_date")).status == Status.PASS
    data = rec("win11_up_to_date")
    data["firewall"][2]["enabled"] = "False"
    r = firewall.interpret_windows(data)
    assert r.status == Status.FAIL and "Public" in r.summary
    data["firewall"][2]["enabled"] = "True"
    data["firewall"][1]["enabled"] = "False"
    assert firewall.interpret_windows(data).status == Status.WARN


def test_clock():
    assert clock.interpret_windows(rec("win11_up_to_date"), NOW).status == Status.PASS
    data = rec("win11_up_to_date")
    data["time"]["service_status"] = "Stopped"
    assert clock.interpret_windows(data, NOW).status == Status.WARN
    data = rec("win11_up_to_date")
    data["time"]["last_sync_event"] = None
    assert clock.interpret_windows(data, NOW).status == Status.UNKNOWN


@pytest.mark.parametrize("problem", ["missing", "timeout", "denied", "unreadable"])
def test_powershell_failures_are_unknown_with_reason(problem):
    facts = {"problem": problem, "detail": "x"}
    for result in (
        updates.interpret_windows(facts, NOW),
        support.interpret_windows(facts, TODAY),
        antivirus.interpret_windows(facts),
        firewall.interpret_windows(facts),
        clock.interpret_windows(facts, NOW),
    ):
        assert result.status == Status.UNKNOWN, result


def test_report_parser_tolerates_bom_and_banner():
    from checks.probes.windows import parse_report

    text = "\ufeffWARNING: something\r\n" + json.dumps(rec("win11_up_to_date"))
    assert parse_report(text)["os"]["build"] == 26200
    with pytest.raises(ValueError):
        parse_report("Access is denied.")
