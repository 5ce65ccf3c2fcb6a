"""AV-STATUS: is there antivirus, is it on, are its signatures fresh (and, when asked, a scan)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from checks import catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_, Np_
from checks.model import CheckSpec, Result, Status, current_platform, worst
from checks.updates import as_list

TITLE = N_("Antivirus")
SIGNATURE_MAX_DAYS = 7
NEVER = 4294967295  # Defender's "scan age" when a scan never ran


SUMMARIES = {
    "windows_unreadable": N_("We could not ask Windows about antivirus."),
    "expired": N_("{name} has expired and no longer protects this PC."),
    "none_on": N_("No antivirus is switched on."),
    "paused": N_("{name} is paused."),
    "definitions_outdated": N_("{name} has out-of-date virus definitions."),
    "defender_realtime_off": N_("Microsoft Defender's real-time protection is off."),
    "defender_definitions_old": N_("Microsoft Defender's virus definitions are {days} days old."),
    "no_security_center": N_(
        "We could not find out which antivirus this PC uses (Security Center is not available)."
    ),
    "quick_scan_threats": Np_(
        "The quick scan found {n} threat.", "The quick scan found {n} threats."
    ),
    "windows_on": N_("{names} is on and its virus definitions are up to date."),
    "linux_none": N_("No antivirus scanner is installed on this system."),
    "linux_scanner": N_("An antivirus scanner is installed ({names})."),
    "clamav_no_definitions": N_("ClamAV is installed but has no virus definitions."),
    "clamav_definitions_old": N_("ClamAV's virus definitions are {days} days old."),
    "clamav_ok": N_(
        "ClamAV is installed and its virus definitions are from {date}; it scans only when asked."
    ),
    "scan_found": Np_("The scan found {n} infected file.", "The scan found {n} infected files."),
    "scan_clean": N_("A scan of {targets} found nothing."),
    "scan_unfinished": N_("The scan did not finish, so it shows nothing either way."),
    "xprotect_missing": N_("We could not find XProtect, macOS's built-in malware protection."),
    "xprotect_old": N_(
        "XProtect, macOS's built-in malware protection, was last updated {days} days ago."
    ),
    "xprotect_ok": N_(
        "XProtect, macOS's built-in malware protection, is version {version}, updated on {date}."
    ),
}
ADVICE = {
    "renew": N_(
        "Renew {name}, or uninstall it so that Microsoft Defender switches itself back on."
    ),
    "switch_on": N_(
        "Open Windows Security > Virus & threat protection and switch real-time protection on."
    ),
    "update_definitions": N_("Update the virus definitions of {name}."),
    "resume": N_("{name} is paused: open it and turn its protection back on."),
    "defender_realtime_on": N_(
        "Open Windows Security > Virus & threat protection > Manage settings and switch real-time protection on."
    ),
    "defender_update": N_(
        "Open Windows Security > Virus & threat protection > Protection updates > Check for updates."
    ),
    "remove_found": N_("Let Windows Security remove what it found, then run a full scan."),
    "windows_scan": N_(
        "Run a scan now: Windows Security > Virus & threat protection > Quick scan (or audit --scan)."
    ),
    "install_clamav": N_(
        "Install ClamAV and scan your home folder: sudo apt install clamav, then clamscan -r -i ~"
    ),
    "freshclam": N_("Download the definitions: sudo freshclam"),
    "freshclam_service": N_(
        "Update the definitions: sudo freshclam (and keep the freshclam service running)."
    ),
    "quarantine": N_(
        "Delete or quarantine the files listed, then change your passwords from a clean device."
    ),
    "clamscan": N_("Scan now: clamscan -r -i ~ /tmp (or audit --scan)."),
    "xprotect_updates": N_(
        'Turn on "Install Security Responses and system files" in System Settings > General > Software Update > Automatic Updates.'
    ),
}


wording.register(wording.Phrasebook({"AV-STATUS": TITLE}, SUMMARIES, ADVICE))


def _result(status, reason, advice=(), params=None, **facts) -> Result:
    return Result("AV-STATUS", status, reason, params or {}, tuple(advice), facts)


def decode_product_state(state: int) -> dict[str, Any]:
    """Security Center's productState (undocumented, stable): 0xF000 engine state, 0x00F0
    signatures, 0x0F00 owner. E.g. 266240 = 0x041000: on, up to date."""
    engine = {0x0000: "off", 0x1000: "on", 0x2000: "snoozed", 0x3000: "expired"}.get(
        state & 0xF000, "unknown"
    )
    signatures = {0x00: "up_to_date", 0x10: "out_of_date"}.get(state & 0x00F0, "unknown")
    return {
        "engine": engine,
        "signatures": signatures,
        "microsoft": (state & 0x0F00) == 0x0100,
        "hex": f"0x{state:06X}",
    }


def _windows_findings(
    products: list[dict[str, Any]],
    defender: dict[str, Any],
    security_center: bool,
    any_active: bool,
    defender_active: bool,
    third_party: bool,
) -> tuple[list[tuple[Status, str, dict[str, Any]]], list[str], dict[str, dict[str, Any]]]:
    """What is wrong with Windows' antivirus: none on or expired, a product paused or behind,
    Defender (when it is the one in charge) with real-time protection off or old definitions."""
    findings: list[tuple[Status, str, dict[str, Any]]] = []
    advice: list[str] = []
    advice_params: dict[str, dict[str, Any]] = {}
    if security_center and not any_active and not defender_active:
        expired = [p for p in products if p["engine"] == "expired"]
        if expired:
            findings.append((Status.FAIL, "expired", {"name": expired[0]["name"]}))
            advice.append("renew")
            advice_params["renew"] = {"name": expired[0]["name"]}
        else:
            findings.append((Status.FAIL, "none_on", {}))
            if not any(p["engine"] == "snoozed" for p in products):
                advice.append("switch_on")  # a paused product gets "turn it back on" instead
    for p in products:
        if p["engine"] == "snoozed":
            findings.append((Status.WARN, "paused", {"name": p["name"]}))
            advice.append("resume")
            advice_params.setdefault("resume", {"name": p["name"]})
        if p["engine"] == "on" and p["signatures"] == "out_of_date":
            findings.append((Status.WARN, "definitions_outdated", {"name": p["name"]}))
            advice.append("update_definitions")
            advice_params.setdefault("update_definitions", {"name": p["name"]})
    if defender_active and not third_party:
        if defender.get("RealTimeProtectionEnabled") is False:
            findings.append((Status.FAIL, "defender_realtime_off", {}))
            advice.append("defender_realtime_on")
        age = defender.get("AntivirusSignatureAge")
        if isinstance(age, int) and age > SIGNATURE_MAX_DAYS:
            findings.append((Status.WARN, "defender_definitions_old", {"days": age}))
            advice.append("defender_update")
        elif defender.get("DefenderSignaturesOutOfDate"):
            # Defender's own verdict, with definitions younger than our limit: say it as it is.
            findings.append((Status.WARN, "definitions_outdated", {"name": "Microsoft Defender"}))
            advice.append("defender_update")
    return findings, advice, advice_params


def interpret_windows(facts: dict[str, Any]) -> Result:
    if facts.get("problem"):
        return _result(Status.UNKNOWN, "windows_unreadable", windows=facts)
    errors = facts.get("errors") or {}
    products = []
    for p in as_list(facts.get("antivirus_products")):
        decoded = decode_product_state(int(p.get("product_state") or 0))
        products.append({"name": p.get("name"), "exe": p.get("exe"), **decoded})
    defender = facts.get("defender") or {}
    security_center = "antivirus_products" not in errors
    active = [p for p in products if p["engine"] == "on"]
    third_party = [p for p in active if not p["microsoft"]]
    defender_active = bool(defender.get("AntivirusEnabled")) and defender.get("AMRunningMode") in (
        "Normal",
        "",
        None,
    )
    findings, advice, advice_params = _windows_findings(
        products, defender, security_center, bool(active), defender_active, bool(third_party)
    )
    if not security_center and not defender:
        return _result(Status.UNKNOWN, "no_security_center", errors=errors)
    scan = facts.get("scan")
    if scan:
        threats = as_list(scan.get("threats"))
        if threats:
            # What the scan found comes before every other finding: it is the one to act on.
            findings.insert(0, (Status.FAIL, "quick_scan_threats", {"n": len(threats)}))
            advice.insert(0, "remove_found")
    quick = defender.get("QuickScanAge")
    stale = quick is None or quick == NEVER or (isinstance(quick, int) and quick > 14)
    # Windows Security scans with Defender only: with another antivirus in charge, its own
    # scan is the one to run, and Defender's scan age says nothing about it.
    if stale and not scan and defender_active and not third_party:
        advice.append("windows_scan")
    out = {
        "products": products,
        "defender": defender,
        "security_center": security_center,
        "quick_scan_age_days": None if quick in (None, NEVER) else quick,
        "full_scan_age_days": None
        if defender.get("FullScanAge") in (None, NEVER)
        else defender.get("FullScanAge"),
        "scan": scan,
    }
    if findings:
        status = worst([s for s, _r, _p in findings])
        reason, params = next((r, p) for s, r, p in findings if s == status)
        return _result(status, reason, advice, {**params, "advice_params": advice_params}, **out)
    names = [p["name"] for p in active] or ["Microsoft Defender"]
    return _result(Status.PASS, "windows_on", advice, {"names": names}, **out)


_CLAM_VERSION = re.compile(r"ClamAV ([\d.]+)(?:/(\d+)/(.+))?")


def interpret_linux(facts: dict[str, Any]) -> Result:
    scanners = facts.get("scanners") or {}
    now = datetime.fromtimestamp(facts["now"], UTC)
    if not scanners:
        return _result(Status.WARN, "linux_none", ["install_clamav"], scanners={})
    out: dict[str, Any] = {"scanners": sorted(scanners), "daemons": facts.get("daemons", [])}
    clam = scanners.get("clamav")
    if not clam:
        return _result(Status.PASS, "linux_scanner", (), {"names": sorted(scanners)}, **out)
    version = clam["version"]
    m = _CLAM_VERSION.search(version.get("stdout") or "")
    db_date = None
    if m and m.group(3):
        try:
            db_date = datetime.strptime(m.group(3).strip(), "%a %b %d %H:%M:%S %Y").replace(
                tzinfo=UTC
            )
        except ValueError:
            db_date = None
    if db_date is None and clam.get("databases"):
        db_date = datetime.fromtimestamp(max(clam["databases"].values()), UTC)
    out.update(
        clamav_version=m.group(1) if m else None,
        signatures_date=db_date.isoformat() if db_date else None,
    )
    advice = []
    status, reason = Status.PASS, ""
    params: dict[str, Any] = {}
    if db_date is None:
        status, reason = Status.WARN, "clamav_no_definitions"
        advice.append("freshclam")
    else:
        age = (now - db_date).days
        out["signature_age_days"] = age
        if age > SIGNATURE_MAX_DAYS:
            status, reason = Status.WARN, "clamav_definitions_old"
            params["days"] = age
            advice.append("freshclam_service")
        else:
            reason = "clamav_ok"
            params["date"] = db_date.date().isoformat()
    scan = facts.get("scan")
    if scan:
        found = [ln for ln in (scan.get("stdout") or "").splitlines() if ln.endswith(" FOUND")]
        out["scan"] = {
            "targets": scan.get("targets"),
            "found": found,
            "exit_code": scan.get("returncode"),
        }
        if found:
            return _result(Status.FAIL, "scan_found", ["quarantine"], {"n": len(found)}, **out)
        if scan.get("problem") is None and scan.get("returncode") == 0:
            params["targets"] = list(scan.get("targets") or [])
            params["also"] = ["scan_clean"]
        else:
            params["also"] = ["scan_unfinished"]
            advice.append("clamscan")
    elif status == Status.PASS:
        advice.append("clamscan")
    return _result(status, reason, advice, params, **out)


def interpret_macos(facts: dict[str, Any]) -> Result:
    if not facts.get("path"):
        return _result(Status.UNKNOWN, "xprotect_missing")
    modified = datetime.fromtimestamp(facts["modified"], UTC)
    age = (datetime.fromtimestamp(facts["now"], UTC) - modified).days
    out = {
        "xprotect_version": facts.get("version"),
        "updated": modified.isoformat(),
        "age_days": age,
    }
    if age > 60:
        return _result(Status.WARN, "xprotect_old", ["xprotect_updates"], {"days": age}, **out)
    return _result(
        Status.PASS,
        "xprotect_ok",
        (),
        {"version": facts.get("version"), "date": modified.date().isoformat()},
        **out,
    )


def run(ctx: CheckContext) -> Result:
    platform = current_platform()
    if platform == "windows":
        from checks.probes import windows

        facts = dict(windows.facts(ctx))
        if ctx.options.scan and not facts.get("problem"):
            # Its own step with its own time limit: a long scan never costs the other checks.
            scan = windows.defender_scan(ctx)
            if scan.get("problem"):
                facts.setdefault("errors", {})["scan"] = scan.get("detail") or scan["problem"]
            else:
                facts["scan"] = scan
        return interpret_windows(facts)
    if platform == "macos":
        from checks.probes import macos

        return interpret_macos(macos.xprotect_facts())
    from checks.probes import linux

    return interpret_linux(linux.antivirus_facts(ctx))


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "AV-STATUS",
        __name__,
        catalogue.AUDIT,
        catalogue.DEFENCE,
        letter=6,
        fix="scan",
        infection=frozenset({"quick_scan_threats", "scan_found"}),
        order=70,
    ),
)

SPECS = (CheckSpec("AV-STATUS", TITLE, run, timeout=150.0, uses_scan=True),)
