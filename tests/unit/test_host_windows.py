"""Host hygiene on Windows, from recordings of the one-PowerShell report."""

import json
from datetime import UTC, date, datetime, timedelta

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


def test_third_party_av_with_defender_disabled_passes():
    r = antivirus.interpret_windows(rec("win11_third_party_defender_disabled"))
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
    # The cumulative update, not the Defender definitions (KB2267602) installed later.
    assert r.facts["last_successful_install"] == "2026-11-12T03:14:07+00:00"


def test_windows10_without_an_esu_licence_found_is_could_not_tell():
    """Consumer ESU enrolled through a Microsoft account may leave no licence where we look:
    "could not tell" with how to check, never a false fail."""
    r = support.interpret_windows(rec("win10_22h2_no_esu"), TODAY)
    assert r.status == Status.UNKNOWN and r.reason == "esu_not_found"
    assert "2025-10-14" in r.summary
    assert "Extended Security Updates" in r.advice[0]
    # After the ESU years, no enrolment helps: it fails.
    assert support.interpret_windows(rec("win10_22h2_no_esu"), date(2027, 10, 13)).status == (
        Status.FAIL
    )


@pytest.mark.parametrize(
    ("edition", "build", "status", "name"),
    [
        ("EnterpriseS", 17763, Status.PASS, "LTSC 2019"),
        ("IoTEnterpriseS", 19044, Status.PASS, "IoT Enterprise LTSC 2021"),
        ("EnterpriseS", 19044, Status.WARN, "Enterprise LTSC 2021"),  # ends 2027-01-12
        ("EnterpriseS", 14393, Status.FAIL, "LTSB 2016"),
    ],
)
def test_ltsc_editions_have_their_own_dates(edition, build, status, name):
    data = rec("win10_22h2_no_esu")
    data["os"].update(edition_id=edition, build=build)
    r = support.interpret_windows(data, TODAY)
    assert r.status == status and name in r.summary


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
    # W32Time is "Manual (trigger start)" and stopped between syncs on a home PC: not a warning.
    data = rec("win11_up_to_date")
    data["time"]["service_status"] = "Stopped"
    data["time"]["start_type"] = "Manual"
    assert clock.interpret_windows(data, NOW).status == Status.PASS
    data = rec("win11_up_to_date")
    data["time"]["last_sync_event"] = None
    assert clock.interpret_windows(data, NOW).status == Status.UNKNOWN
    # The SynchronizeTime task's successful run counts as a sync; a failed run does not.
    data["time"]["sync_task_last_run"] = (
        data["time"].get("last_sync_event") or (NOW - timedelta(days=2)).isoformat()
    )
    data["time"]["sync_task_result"] = 0
    assert clock.interpret_windows(data, NOW).status == Status.PASS
    data["time"]["sync_task_result"] = 2147943645  # 0x800705DD: the task failed
    assert clock.interpret_windows(data, NOW).status == Status.UNKNOWN
    data["time"]["type"] = "NoSync"
    assert clock.interpret_windows(data, NOW).status == Status.WARN


def test_powershell_is_started_without_encoded_commands_or_bypass():
    from checks.probes import windows

    exe = windows.powershell(system_root="C:\\Windows")
    assert exe == "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
    argv = windows.powershell_command(exe)
    joined = " ".join(argv).lower()
    assert "-encodedcommand" not in joined and "bypass" not in joined and "-ec " not in joined
    assert argv[-2:] == ["-Command", "-"]
    script = windows.script_input(windows.SCRIPT.read_text(encoding="utf-8")).decode()
    assert script.startswith("& {") and script.endswith("}\n\n")  # one statement, then a blank
    assert "w32tm" not in script.lower()  # no tool started by bare name inside the script


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


def test_defender_definition_updates_do_not_count_as_system_updates():
    data = rec("win11_up_to_date")
    data["pending_updates"] = []
    data["update_history"] = [
        {
            "date": (NOW - timedelta(hours=3)).isoformat(),
            "operation": 1,
            "result": 2,
            "title": "Security Intelligence Update for Microsoft Defender Antivirus"
            " - KB2267602 (Version 1.421.1234.0) - Current Channel (Broad)",
        },
        {
            "date": (NOW - timedelta(days=70)).isoformat(),
            "operation": 1,
            "result": 2,
            "title": "2026-09 Cumulative Update for Windows 11 Version 24H2 for x64-based"
            " Systems (KB5065426)",
        },
        {  # a recent cumulative update that failed (result 4) is not an installation
            "date": (NOW - timedelta(days=5)).isoformat(),
            "operation": 1,
            "result": 4,
            "title": "2026-11 Cumulative Update for Windows 11 (KB5070001)",
        },
    ]
    r = updates.interpret_windows(data, NOW)
    assert r.status == Status.WARN and r.reason == "no_install_for_days"
    assert r.params["days"] == 70


def test_a_stale_update_search_is_not_up_to_date():
    data = rec("win11_up_to_date")
    data["pending_updates"] = []
    data["update_results"] = {"last_search_success": (NOW - timedelta(days=30)).isoformat()}
    r = updates.interpret_windows(data, NOW)
    assert r.status == Status.WARN and r.reason == "search_stale" and r.params["days"] == 30


def test_a_registered_third_party_firewall_replaces_windows_firewall():
    data = rec("win11_up_to_date")
    for profile in data["firewall"]:
        profile["enabled"] = "False"
    assert firewall.interpret_windows(data).status == Status.FAIL
    data["firewall_products"] = [{"name": "ESET Security", "product_state": 266256}]  # 0x041010
    r = firewall.interpret_windows(data)
    assert r.status == Status.PASS and "ESET Security" in r.summary
    data["firewall_products"] = [{"name": "ESET Security", "product_state": 262144}]  # off
    assert firewall.interpret_windows(data).status == Status.FAIL


def test_the_defender_scan_is_its_own_step(monkeypatch):
    """A quick scan can take longer than the shared PowerShell run may: it runs apart, with its
    own time limit, and a failed scan leaves the other host facts intact."""
    from checks.context import CheckContext, Options
    from checks.probes import windows

    assert "Start-MpScan" not in windows.SCRIPT.read_text(encoding="utf-8")
    assert "Start-MpScan" in windows.SCAN_SCRIPT.read_text(encoding="utf-8")
    monkeypatch.setattr(antivirus, "current_platform", lambda: "windows")
    monkeypatch.setattr(windows, "facts", lambda ctx: rec("win11_defender_up_to_date"))
    calls = []

    def scan(ctx):
        calls.append(ctx)
        return {"problem": "timeout", "detail": "no answer in 3600 s"}

    monkeypatch.setattr(windows, "defender_scan", scan)
    quiet = antivirus.run(CheckContext(options=Options()))
    assert not calls and quiet.status == Status.PASS
    scanned = antivirus.run(CheckContext(options=Options(scan=True)))
    assert len(calls) == 1 and scanned.status == Status.PASS  # the rest still judged
    assert scanned.facts["scan"] is None  # the failed scan is not taken for a clean one


def test_script_on_standard_input_is_plain_ascii():
    """Windows PowerShell 5.1 reads "-Command -" in the console's code page (cp932 on a Japanese
    Windows): a script with any other character would arrive changed. Both scripts are ASCII."""
    from checks.probes import windows

    for script in (windows.SCRIPT, windows.SCAN_SCRIPT):
        assert windows.script_input(script.read_text(encoding="utf-8")).isascii(), script.name
