"""AV-STATUS: each situation gives exactly one answer (status, reason, advice, params, words).

Written after mutation testing (docs/mutation.md) showed more than half of the changes to
checks/antivirus.py went unnoticed. Scenarios are built inside the tests (mutmut credits a
function only to the tests that call it). Writing them found: "run a Windows Security quick
scan" advised when another antivirus is in charge; a paused antivirus told to "switch real-time
protection on" in Windows Security; "definitions are 1 days old" when Defender itself said they
were out of date; a failed ClamAV scan not mentioned."""

import json
from datetime import UTC, datetime

import pytest

from checks import antivirus
from checks.model import Status
from tests.recorded import DATA, cmd

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC).timestamp()


def rec(name, **changes):
    data = json.loads((DATA / f"windows/host/{name}.json").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "defender_changes":
            data["defender"].update(value)
        else:
            data[key] = value
    return data


def clam(version="ClamAV 1.0.9/27828/Sat Nov 21 09:27:35 2026\n", databases=None, scan=None):
    facts = {
        "now": NOW,
        "scanners": {"clamav": {"version": cmd(version), "databases": databases or {}}},
        "daemons": ["clamav-freshclam"],
    }
    if scan is not None:
        facts["scan"] = scan
    return facts


DEFENDER_ONLY = [{"name": "Windows Defender", "product_state": 397568, "exe": "windowsdefender://"}]
WINDOWS = {
    "defender on": lambda: rec("win11_defender_up_to_date"),
    "third party on, defender disabled": lambda: rec("win11_third_party_defender_disabled"),
    "third party expired": lambda: rec("win10_av_expired"),
    "nothing on": lambda: rec("win10_no_av"),
    "server without security center": lambda: rec("server2022"),
    "defender real-time off": lambda: rec(
        "win11_defender_up_to_date", defender_changes={"RealTimeProtectionEnabled": False}
    ),
    "defender definitions 8 days old": lambda: rec(
        "win11_defender_up_to_date", defender_changes={"AntivirusSignatureAge": 8}
    ),
    "defender definitions 7 days old": lambda: rec(
        "win11_defender_up_to_date", defender_changes={"AntivirusSignatureAge": 7}
    ),
    "defender says out of date": lambda: rec(
        "win11_defender_up_to_date", defender_changes={"DefenderSignaturesOutOfDate": True}
    ),
    "third party paused": lambda: rec(
        "win11_defender_up_to_date",
        antivirus_products=[{"name": "ESET Security", "product_state": 270336, "exe": "x"}],
        defender_changes={"AntivirusEnabled": False, "AMRunningMode": "Not running"},
    ),
    "third party definitions old": lambda: rec(
        "win11_defender_up_to_date",
        antivirus_products=[{"name": "ESET Security", "product_state": 266256, "exe": "x"}],
        defender_changes={"AntivirusEnabled": False, "AMRunningMode": "Not running"},
    ),
    "never scanned": lambda: rec(
        "win11_defender_up_to_date", defender_changes={"QuickScanAge": 4294967295}
    ),
    "scanned 15 days ago": lambda: rec(
        "win11_defender_up_to_date", defender_changes={"QuickScanAge": 15}
    ),
    "scanned 14 days ago": lambda: rec(
        "win11_defender_up_to_date", defender_changes={"QuickScanAge": 14}
    ),
    "scan found threats": lambda: rec(
        "win11_defender_up_to_date",
        scan={"threats": [{"name": "Trojan:Win32/Emotet"}, {"name": "Backdoor:Win32/Bladabindi"}]},
    ),
    "scan clean": lambda: rec("win11_defender_up_to_date", scan={"threats": []}),
    "powershell failed": lambda: {"problem": "timeout", "detail": "no answer in 150 s"},
}
LINUX = {
    "no scanner": lambda: {"now": NOW, "scanners": {}},
    "another scanner": lambda: {"now": NOW, "scanners": {"sophos": {}}, "daemons": []},
    "clamav fresh": lambda: clam(),
    "clamav 8 days old": lambda: clam("ClamAV 1.0.9/27820/Sat Nov 14 09:27:35 2026\n"),
    "clamav without definitions": lambda: clam("ClamAV 1.0.9\n"),
    "clamav dated by its files": lambda: clam("ClamAV 1.0.9\n", {"daily.cvd": NOW - 86400}),
    "clamav scan clean": lambda: clam(
        scan=cmd("----------- SCAN SUMMARY -----------\n") | {"targets": ["/home/taro", "/tmp"]}
    ),
    "clamav scan found": lambda: clam(
        scan=cmd("/tmp/x.exe: Win.Trojan.Agent-1 FOUND\n/tmp/y: Eicar-Signature FOUND\n", 1)
        | {"targets": ["/tmp"]}
    ),
    "clamav scan failed": lambda: clam(scan=cmd("", 2, "timeout") | {"targets": ["/tmp"]}),
}
MACOS = {
    "xprotect recent": lambda: {
        "path": "/Library/Apple/System/Library/CoreServices/XProtect.bundle",
        "version": "5323",
        "modified": NOW - 10 * 86400,
        "now": NOW,
    },
    "xprotect 61 days": lambda: {
        "path": "/x",
        "version": "5200",
        "modified": NOW - 61 * 86400,
        "now": NOW,
    },
    "xprotect 60 days": lambda: {
        "path": "/x",
        "version": "5200",
        "modified": NOW - 60 * 86400,
        "now": NOW,
    },
    "xprotect missing": lambda: {"path": None, "now": NOW},
}


EXPECTED = {
    ("WINDOWS", "defender on"): (
        "pass",
        "windows_on",
        (),
        {"names": ["Windows Defender"]},
        "Windows Defender is on and its virus definitions are up to date.",
        (),
    ),
    ("WINDOWS", "third party on, defender disabled"): (
        "pass",
        "windows_on",
        (),
        {"names": ["ESET Security"]},
        "ESET Security is on and its virus definitions are up to date.",
        (),
    ),
    ("WINDOWS", "third party expired"): (
        "fail",
        "expired",
        ("renew",),
        {"name": "Norton 360", "advice_params": {"renew": {"name": "Norton 360"}}},
        "Norton 360 has expired and no longer protects this PC.",
        ("Renew Norton 360, or uninstall it so that Microsoft Defender switches itself back on.",),
    ),
    ("WINDOWS", "nothing on"): (
        "fail",
        "none_on",
        ("switch_on",),
        {"advice_params": {}},
        "No antivirus is switched on.",
        ("Open Windows Security > Virus & threat protection and switch real-time protection on.",),
    ),
    ("WINDOWS", "server without security center"): (
        "pass",
        "windows_on",
        (),
        {"names": ["Microsoft Defender"]},
        "Microsoft Defender is on and its virus definitions are up to date.",
        (),
    ),
    ("WINDOWS", "defender real-time off"): (
        "fail",
        "defender_realtime_off",
        ("defender_realtime_on",),
        {"advice_params": {}},
        "Microsoft Defender's real-time protection is off.",
        (
            "Open Windows Security > Virus & threat protection > Manage settings and switch real-time protection on.",
        ),
    ),
    ("WINDOWS", "defender definitions 8 days old"): (
        "warn",
        "defender_definitions_old",
        ("defender_update",),
        {"days": 8, "advice_params": {}},
        "Microsoft Defender's virus definitions are 8 days old.",
        (
            "Open Windows Security > Virus & threat protection > Protection updates > Check for updates.",
        ),
    ),
    ("WINDOWS", "defender definitions 7 days old"): (
        "pass",
        "windows_on",
        (),
        {"names": ["Windows Defender"]},
        "Windows Defender is on and its virus definitions are up to date.",
        (),
    ),
    ("WINDOWS", "defender says out of date"): (
        "warn",
        "definitions_outdated",
        ("defender_update",),
        {"name": "Microsoft Defender", "advice_params": {}},
        "Microsoft Defender has out-of-date virus definitions.",
        (
            "Open Windows Security > Virus & threat protection > Protection updates > Check for updates.",
        ),
    ),
    ("WINDOWS", "third party paused"): (
        "fail",
        "none_on",
        ("resume",),
        {"advice_params": {"resume": {"name": "ESET Security"}}},
        "No antivirus is switched on.",
        ("ESET Security is paused: open it and turn its protection back on.",),
    ),
    ("WINDOWS", "third party definitions old"): (
        "warn",
        "definitions_outdated",
        ("update_definitions",),
        {
            "name": "ESET Security",
            "advice_params": {"update_definitions": {"name": "ESET Security"}},
        },
        "ESET Security has out-of-date virus definitions.",
        ("Update the virus definitions of ESET Security.",),
    ),
    ("WINDOWS", "never scanned"): (
        "pass",
        "windows_on",
        ("windows_scan",),
        {"names": ["Windows Defender"]},
        "Windows Defender is on and its virus definitions are up to date.",
        (
            "Run a scan now: Windows Security > Virus & threat protection > Quick scan (or audit --scan).",
        ),
    ),
    ("WINDOWS", "scanned 15 days ago"): (
        "pass",
        "windows_on",
        ("windows_scan",),
        {"names": ["Windows Defender"]},
        "Windows Defender is on and its virus definitions are up to date.",
        (
            "Run a scan now: Windows Security > Virus & threat protection > Quick scan (or audit --scan).",
        ),
    ),
    ("WINDOWS", "scanned 14 days ago"): (
        "pass",
        "windows_on",
        (),
        {"names": ["Windows Defender"]},
        "Windows Defender is on and its virus definitions are up to date.",
        (),
    ),
    ("WINDOWS", "scan found threats"): (
        "fail",
        "quick_scan_threats",
        ("remove_found",),
        {"n": 2, "advice_params": {}},
        "The quick scan found 2 threats.",
        ("Let Windows Security remove what it found, then run a full scan.",),
    ),
    ("WINDOWS", "scan clean"): (
        "pass",
        "windows_on",
        (),
        {"names": ["Windows Defender"]},
        "Windows Defender is on and its virus definitions are up to date.",
        (),
    ),
    ("WINDOWS", "powershell failed"): (
        "unknown",
        "windows_unreadable",
        (),
        {},
        "We could not ask Windows about antivirus.",
        (),
    ),
    ("LINUX", "no scanner"): (
        "warn",
        "linux_none",
        ("install_clamav",),
        {},
        "No antivirus scanner is installed on this system.",
        (
            "Install ClamAV and scan your home folder: sudo apt install clamav, then clamscan -r -i ~",
        ),
    ),
    ("LINUX", "another scanner"): (
        "pass",
        "linux_scanner",
        (),
        {"names": ["sophos"]},
        "An antivirus scanner is installed (sophos).",
        (),
    ),
    ("LINUX", "clamav fresh"): (
        "pass",
        "clamav_ok",
        ("clamscan",),
        {"date": "2026-11-21"},
        "ClamAV is installed and its virus definitions are from 2026-11-21; it scans only when asked.",
        ("Scan now: clamscan -r -i ~ /tmp (or audit --scan).",),
    ),
    ("LINUX", "clamav 8 days old"): (
        "warn",
        "clamav_definitions_old",
        ("freshclam_service",),
        {"days": 8},
        "ClamAV's virus definitions are 8 days old.",
        ("Update the definitions: sudo freshclam (and keep the freshclam service running).",),
    ),
    ("LINUX", "clamav without definitions"): (
        "warn",
        "clamav_no_definitions",
        ("freshclam",),
        {},
        "ClamAV is installed but has no virus definitions.",
        ("Download the definitions: sudo freshclam",),
    ),
    ("LINUX", "clamav dated by its files"): (
        "pass",
        "clamav_ok",
        ("clamscan",),
        {"date": "2026-11-21"},
        "ClamAV is installed and its virus definitions are from 2026-11-21; it scans only when asked.",
        ("Scan now: clamscan -r -i ~ /tmp (or audit --scan).",),
    ),
    ("LINUX", "clamav scan clean"): (
        "pass",
        "clamav_ok",
        (),
        {"date": "2026-11-21", "targets": ["/home/taro", "/tmp"], "also": ["scan_clean"]},
        "ClamAV is installed and its virus definitions are from 2026-11-21; it scans only when asked. A scan of /home/taro, /tmp found nothing.",
        (),
    ),
    ("LINUX", "clamav scan found"): (
        "fail",
        "scan_found",
        ("quarantine",),
        {"n": 2},
        "The scan found 2 infected files.",
        ("Delete or quarantine the files listed, then change your passwords from a clean device.",),
    ),
    ("LINUX", "clamav scan failed"): (
        "pass",
        "clamav_ok",
        ("clamscan",),
        {"date": "2026-11-21", "also": ["scan_unfinished"]},
        "ClamAV is installed and its virus definitions are from 2026-11-21; it scans only when asked. The scan did not finish, so it shows nothing either way.",
        ("Scan now: clamscan -r -i ~ /tmp (or audit --scan).",),
    ),
    ("MACOS", "xprotect recent"): (
        "pass",
        "xprotect_ok",
        (),
        {"version": "5323", "date": "2026-11-12"},
        "XProtect, macOS's built-in malware protection, is version 5323, updated on 2026-11-12.",
        (),
    ),
    ("MACOS", "xprotect 61 days"): (
        "warn",
        "xprotect_old",
        ("xprotect_updates",),
        {"days": 61},
        "XProtect, macOS's built-in malware protection, was last updated 61 days ago.",
        (
            'Turn on "Install Security Responses and system files" in System Settings > General > Software Update > Automatic Updates.',
        ),
    ),
    ("MACOS", "xprotect 60 days"): (
        "pass",
        "xprotect_ok",
        (),
        {"version": "5200", "date": "2026-09-23"},
        "XProtect, macOS's built-in malware protection, is version 5200, updated on 2026-09-23.",
        (),
    ),
    ("MACOS", "xprotect missing"): (
        "unknown",
        "xprotect_missing",
        (),
        {},
        "We could not find XProtect, macOS's built-in malware protection.",
        (),
    ),
}

INTERPRET = {
    "WINDOWS": antivirus.interpret_windows,
    "LINUX": antivirus.interpret_linux,
    "MACOS": antivirus.interpret_macos,
}


@pytest.mark.parametrize(("group", "name"), list(EXPECTED), ids=[f"{g}: {n}" for g, n in EXPECTED])
def test_antivirus_answer(group, name):
    result = INTERPRET[group](globals()[group][name]())
    words = result.words("en")
    status, reason, codes, params, summary, advice = EXPECTED[(group, name)]
    assert (str(result.status), result.reason, result.advice_codes) == (status, reason, codes)
    assert result.params == params
    assert (words.summary, words.advice) == (summary, advice)


def test_windows_facts_keep_the_products_and_scan_ages():
    result = antivirus.interpret_windows(WINDOWS["third party expired"]())
    assert [
        (p["name"], p["engine"], p["microsoft"], p["hex"]) for p in result.facts["products"]
    ] == [
        ("Windows Defender", "off", True, "0x060100"),
        ("Norton 360", "expired", False, "0x043000"),
    ]
    assert result.facts["security_center"] is True
    assert (result.facts["quick_scan_age_days"], result.facts["full_scan_age_days"]) == (2, None)
    never = antivirus.interpret_windows(WINDOWS["never scanned"]()).facts
    assert never["quick_scan_age_days"] is None
    server = antivirus.interpret_windows(WINDOWS["server without security center"]()).facts
    assert server["security_center"] is False
    scanned = antivirus.interpret_windows(WINDOWS["scan found threats"]()).facts
    assert len(scanned["scan"]["threats"]) == 2


def test_no_security_center_and_no_defender_is_could_not_tell():
    facts = {"errors": {"antivirus_products": "Invalid namespace"}, "defender": {}}
    result = antivirus.interpret_windows(facts)
    assert (result.status, result.reason) == (Status.UNKNOWN, "no_security_center")
    assert result.facts["errors"] == facts["errors"]


def test_linux_facts_keep_version_dates_and_scan():
    fresh = antivirus.interpret_linux(LINUX["clamav fresh"]()).facts
    assert fresh["clamav_version"] == "1.0.9"
    assert fresh["signatures_date"] == "2026-11-21T09:27:35+00:00"
    assert fresh["signature_age_days"] == 1
    assert fresh["scanners"] == ["clamav"] and fresh["daemons"] == ["clamav-freshclam"]
    found = antivirus.interpret_linux(LINUX["clamav scan found"]()).facts["scan"]
    assert found == {
        "targets": ["/tmp"],
        "found": ["/tmp/x.exe: Win.Trojan.Agent-1 FOUND", "/tmp/y: Eicar-Signature FOUND"],
        "exit_code": 1,
    }
    bad_date = antivirus.interpret_linux(clam("ClamAV 1.0.9/27828/not a date\n")).facts
    assert bad_date["signatures_date"] is None


def test_macos_facts():
    facts = antivirus.interpret_macos(MACOS["xprotect recent"]()).facts
    assert facts == {
        "xprotect_version": "5323",
        "updated": "2026-11-12T10:00:00+00:00",
        "age_days": 10,
    }


def test_product_state_decoding_of_unknown_bits():
    assert antivirus.decode_product_state(0x04F0F0) == {
        "engine": "unknown",
        "signatures": "unknown",
        "microsoft": False,
        "hex": "0x04F0F0",
    }


MORE_WINDOWS = {
    "defender enabled but passive, nothing else": (
        lambda: rec(
            "win11_defender_up_to_date",
            defender_changes={"AMRunningMode": "Passive Mode"},
            antivirus_products=[{"name": "Windows Defender", "product_state": 393472}],
        ),
        ("fail", "none_on", ("switch_on",), "No antivirus is switched on."),
    ),
    "defender in normal mode but switched off": (
        lambda: rec(
            "win11_defender_up_to_date",
            defender_changes={"AntivirusEnabled": False},
            antivirus_products=[{"name": "Windows Defender", "product_state": 393472}],
        ),
        ("fail", "none_on", ("switch_on",), "No antivirus is switched on."),
    ),
    "scan age unknown": (
        lambda: rec("win11_defender_up_to_date", defender_changes={"QuickScanAge": None}),
        (
            "pass",
            "windows_on",
            ("windows_scan",),
            "Windows Defender is on and its virus definitions are up to date.",
        ),
    ),
    "threats and real-time off": (
        lambda: rec(
            "win11_defender_up_to_date",
            defender_changes={"RealTimeProtectionEnabled": False},
            scan={"threats": [{"name": "Trojan:Win32/Emotet"}]},
        ),
        (
            "fail",
            "quick_scan_threats",
            ("remove_found", "defender_realtime_on"),
            "The quick scan found 1 threat.",
        ),
    ),
    "a paused antivirus beside defender": (
        lambda: rec(
            "win11_defender_up_to_date",
            antivirus_products=[
                {"name": "Windows Defender", "product_state": 397568},
                {"name": "Avast", "product_state": 270336},
            ],
        ),
        ("warn", "paused", ("resume",), "Avast is paused."),
    ),
}


@pytest.mark.parametrize("name", list(MORE_WINDOWS))
def test_more_windows_answers(name):
    build, expected = MORE_WINDOWS[name]
    result = antivirus.interpret_windows(build())
    assert (
        str(result.status),
        result.reason,
        result.advice_codes,
        result.words("en").summary,
    ) == expected


def test_the_scan_comes_first_and_a_paused_product_is_named():
    threats = antivirus.interpret_windows(MORE_WINDOWS["threats and real-time off"][0]())
    assert threats.words("en").advice[0] == (
        "Let Windows Security remove what it found, then run a full scan."
    )
    paused = antivirus.interpret_windows(MORE_WINDOWS["a paused antivirus beside defender"][0]())
    assert paused.params == {"name": "Avast", "advice_params": {"resume": {"name": "Avast"}}}
    assert paused.facts["defender"]["AMRunningMode"] == "Normal"
    assert [p["exe"] for p in paused.facts["products"]] == [None, None]


def test_clamav_edges():
    seven = antivirus.interpret_linux(clam("ClamAV 1.0.9/27820/Sun Nov 15 09:27:35 2026\n"))
    assert (seven.reason, seven.params) == ("clamav_ok", {"date": "2026-11-15"})
    unfinished = antivirus.interpret_linux(clam(scan=cmd("", 0, "timeout") | {"targets": ["/tmp"]}))
    assert unfinished.params == {"date": "2026-11-21", "also": ["scan_unfinished"]}
    assert unfinished.advice_codes == ("clamscan",)
    failed = antivirus.interpret_linux(clam(scan=cmd("", 2) | {"targets": ["/tmp"]}))
    assert failed.params["also"] == ["scan_unfinished"]
    assert antivirus.interpret_linux({"now": NOW, "scanners": {}}).facts == {"scanners": {}}
    other = antivirus.interpret_linux({"now": NOW, "scanners": {"sophos": {}}})
    assert other.facts == {"scanners": ["sophos"], "daemons": []}
    old_mac = antivirus.interpret_macos(MACOS["xprotect 61 days"]())
    assert old_mac.facts["age_days"] == 61 and old_mac.facts["xprotect_version"] == "5200"
