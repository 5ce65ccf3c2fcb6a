"""AV-STATUS: is there antivirus, is it on, are its signatures fresh (and, when asked, a scan)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from checks.context import CheckContext
from checks.i18n import N_, _, ngettext
from checks.model import CheckSpec, Result, Status, current_platform, worst
from checks.updates import as_list

TITLE = N_("Antivirus")
SIGNATURE_MAX_DAYS = 7
NEVER = 4294967295  # Defender's "scan age" when a scan never ran


def _result(status, summary, advice=(), **facts) -> Result:
    return Result("AV-STATUS", status, _(TITLE), summary, tuple(advice), facts)


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


def interpret_windows(facts: dict[str, Any]) -> Result:
    if facts.get("problem"):
        return _result(
            Status.UNKNOWN, _("We could not ask Windows about antivirus."), windows=facts
        )
    errors = facts.get("errors") or {}
    products = []
    for p in as_list(facts.get("antivirus_products")):
        decoded = decode_product_state(int(p.get("product_state") or 0))
        products.append({"name": p.get("name"), "exe": p.get("exe"), **decoded})
    defender = facts.get("defender") or {}
    security_center = "antivirus_products" not in errors
    findings: list[tuple[Status, str]] = []
    advice: list[str] = []
    active = [p for p in products if p["engine"] == "on"]
    third_party = [p for p in active if not p["microsoft"]]
    defender_active = bool(defender.get("AntivirusEnabled")) and defender.get("AMRunningMode") in (
        "Normal",
        "",
        None,
    )
    if security_center and not active and not defender_active:
        expired = [p for p in products if p["engine"] == "expired"]
        if expired:
            findings.append(
                (
                    Status.FAIL,
                    _("{name} has expired and no longer protects this PC.").format(
                        name=expired[0]["name"]
                    ),
                )
            )
            advice.append(
                _(
                    "Renew {name}, or uninstall it so that Microsoft Defender switches itself back on."
                ).format(name=expired[0]["name"])
            )
        else:
            findings.append((Status.FAIL, _("No antivirus is switched on.")))
            advice.append(
                _(
                    "Open Windows Security > Virus & threat protection and switch real-time protection on."
                )
            )
    for p in products:
        if p["engine"] == "snoozed":
            findings.append((Status.WARN, _("{name} is paused.").format(name=p["name"])))
        if p["engine"] == "on" and p["signatures"] == "out_of_date":
            findings.append(
                (Status.WARN, _("{name} has out-of-date virus definitions.").format(name=p["name"]))
            )
            advice.append(_("Update the virus definitions of {name}.").format(name=p["name"]))
    if defender_active and not third_party:
        if defender.get("RealTimeProtectionEnabled") is False:
            findings.append((Status.FAIL, _("Microsoft Defender's real-time protection is off.")))
            advice.append(
                _(
                    "Open Windows Security > Virus & threat protection > Manage settings and switch real-time protection on."
                )
            )
        age = defender.get("AntivirusSignatureAge")
        if defender.get("DefenderSignaturesOutOfDate") or (
            isinstance(age, int) and age > SIGNATURE_MAX_DAYS
        ):
            findings.append(
                (
                    Status.WARN,
                    _("Microsoft Defender's virus definitions are {days} days old.").format(
                        days=age
                    ),
                )
            )
            advice.append(
                _(
                    "Open Windows Security > Virus & threat protection > Protection updates > Check for updates."
                )
            )
    if not security_center and not defender:
        return _result(
            Status.UNKNOWN,
            _(
                "We could not find out which antivirus this PC uses (Security Center is not available)."
            ),
            errors=errors,
        )
    scan = facts.get("scan")
    if scan:
        threats = as_list(scan.get("threats"))
        if threats:
            findings.append(
                (
                    Status.FAIL,
                    ngettext(
                        "The quick scan found {n} threat.",
                        "The quick scan found {n} threats.",
                        len(threats),
                    ).format(n=len(threats)),
                )
            )
            advice.insert(0, _("Let Windows Security remove what it found, then run a full scan."))
    quick = defender.get("QuickScanAge")
    if (quick is None or quick == NEVER or (isinstance(quick, int) and quick > 14)) and not scan:
        advice.append(
            _(
                "Run a scan now: Windows Security > Virus & threat protection > Quick scan (or audit --scan)."
            )
        )
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
        status = worst([s for s, _t in findings])
        top = next(t for s, t in findings if s == status)
        return _result(status, top, advice, **out)
    names = [p["name"] for p in active] or ["Microsoft Defender"]
    return _result(
        Status.PASS,
        _("{names} is on and its virus definitions are up to date.").format(names=", ".join(names)),
        advice,
        **out,
    )


_CLAM_VERSION = re.compile(r"ClamAV ([\d.]+)(?:/(\d+)/(.+))?")


def interpret_linux(facts: dict[str, Any]) -> Result:
    scanners = facts.get("scanners") or {}
    now = datetime.fromtimestamp(facts["now"], UTC)
    if not scanners:
        return _result(
            Status.WARN,
            _("No antivirus scanner is installed on this system."),
            [
                _(
                    "Install ClamAV and scan your home folder: sudo apt install clamav, then clamscan -r -i ~"
                )
            ],
            scanners={},
        )
    out: dict[str, Any] = {"scanners": sorted(scanners), "daemons": facts.get("daemons", [])}
    clam = scanners.get("clamav")
    if not clam:
        names = ", ".join(sorted(scanners))
        return _result(
            Status.PASS,
            _("An antivirus scanner is installed ({names}).").format(names=names),
            **out,
        )
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
    status, summary = Status.PASS, ""
    if db_date is None:
        status = Status.WARN
        summary = _("ClamAV is installed but has no virus definitions.")
        advice.append(_("Download the definitions: sudo freshclam"))
    else:
        age = (now - db_date).days
        out["signature_age_days"] = age
        if age > SIGNATURE_MAX_DAYS:
            status = Status.WARN
            summary = _("ClamAV's virus definitions are {days} days old.").format(days=age)
            advice.append(
                _(
                    "Update the definitions: sudo freshclam (and keep the freshclam service running)."
                )
            )
        else:
            summary = _(
                "ClamAV is installed and its virus definitions are from {date}; it scans only when asked."
            ).format(date=db_date.date().isoformat())
    scan = facts.get("scan")
    if scan:
        found = [ln for ln in (scan.get("stdout") or "").splitlines() if ln.endswith(" FOUND")]
        out["scan"] = {
            "targets": scan.get("targets"),
            "found": found,
            "exit_code": scan.get("returncode"),
        }
        if found:
            return _result(
                Status.FAIL,
                ngettext(
                    "The scan found {n} infected file.",
                    "The scan found {n} infected files.",
                    len(found),
                ).format(n=len(found)),
                [
                    _(
                        "Delete or quarantine the files listed, then change your passwords from a clean device."
                    )
                ],
                **out,
            )
        if scan.get("problem") is None and scan.get("returncode") == 0:
            summary += " " + _("A scan of {targets} found nothing.").format(
                targets=", ".join(scan.get("targets") or [])
            )
    elif status == Status.PASS:
        advice.append(_("Scan now: clamscan -r -i ~ /tmp (or audit --scan)."))
    return _result(status, summary, advice, **out)


def interpret_macos(facts: dict[str, Any]) -> Result:
    if not facts.get("path"):
        return _result(
            Status.UNKNOWN, _("We could not find XProtect, macOS's built-in malware protection.")
        )
    modified = datetime.fromtimestamp(facts["modified"], UTC)
    age = (datetime.fromtimestamp(facts["now"], UTC) - modified).days
    out = {
        "xprotect_version": facts.get("version"),
        "updated": modified.isoformat(),
        "age_days": age,
    }
    if age > 60:
        return _result(
            Status.WARN,
            _(
                "XProtect, macOS's built-in malware protection, was last updated {days} days ago."
            ).format(days=age),
            [
                _(
                    'Turn on "Install Security Responses and system files" in System Settings > General > Software Update > Automatic Updates.'
                )
            ],
            **out,
        )
    return _result(
        Status.PASS,
        _(
            "XProtect, macOS's built-in malware protection, is version {version}, updated on {date}."
        ).format(version=facts.get("version"), date=modified.date().isoformat()),
        **out,
    )


def run(ctx: CheckContext) -> Result:
    platform = current_platform()
    if platform == "windows":
        from checks.probes import windows

        return interpret_windows(windows.facts(ctx))
    if platform == "macos":
        from checks.probes import macos

        return interpret_macos(macos.xprotect_facts())
    from checks.probes import linux

    return interpret_linux(linux.antivirus_facts(ctx))


SPECS = (CheckSpec("AV-STATUS", TITLE, run, timeout=150.0, uses_scan=True),)
