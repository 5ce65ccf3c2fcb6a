"""PROXYWARE: programs that sell this line as a "residential proxy" — other people's traffic,
spam among it, leaves through your connection with your address on it.

Recognised only by names their makers or a lab published, each rule citing its source:
- the Bright Data SDK, which apps embed (BrightSDK/documentation @13acb83d, the vendor's own
  integration guides: net_updater32/64.exe, the luminati_net_updater_<app> service,
  %PROGRAMDATA%\\BrightData; on macOS net_updater and brdsdk.framework);
- Hola VPN and Hola Browser, which carry it (Cisco Talos "Living Off the Tunnel" profiles,
  Cisco-Talos/talos-thr-lotvpn-research @041dfe5b, vpns/hola-vpn.yml and hola-browser.yml, MIT);
- EarnApp on Linux (Bright Data's installer, earnapp/install.sh 1.340.81: /usr/bin/earnapp,
  /etc/earnapp, the earnapp services).
No maintained public list of such programs exists (docs/ARCHITECTURE.md); every other
"bandwidth sharing" app is NOT recognised, and the result says so rather than "none found".
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks import catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_
from checks.model import CheckSpec, Result, Status

TITLE = N_("Programs that sell this line's connection (proxyware)")
BRIGHT_DATA, HOLA, EARNAPP = "Bright Data SDK", "Hola VPN", "EarnApp"
# Process names (lower case), by product.
PROCESSES = {
    "net_updater32.exe": BRIGHT_DATA,
    "net_updater64.exe": BRIGHT_DATA,
    "net_updater": BRIGHT_DATA,
    "hola.exe": HOLA,
    "hola_svc.exe": HOLA,
    "hola-browser.exe": HOLA,
    "hola_cr.exe": HOLA,
    "holavpn2e": HOLA,
    "earnapp": EARNAPP,
}
# Windows service names (lower case): exact, or by prefix.
SERVICES = {"hola_svc": HOLA, "hola_split_tunnel": HOLA}
SERVICE_PREFIXES = {"luminati_net_updater_": BRIGHT_DATA}
# Places they install to, with environment variables expanded on the machine.
PATHS = (
    (r"%PROGRAMDATA%\BrightData", BRIGHT_DATA),
    (r"%LOCALAPPDATA%\BrightData", BRIGHT_DATA),
    (r"%PROGRAMFILES%\Hola", HOLA),
    ("/Applications/HolaVPN2E.app", HOLA),
    ("/usr/bin/earnapp", EARNAPP),
    ("/etc/earnapp", EARNAPP),
)
KNOWN = (BRIGHT_DATA, HOLA, EARNAPP)

SUMMARIES = {
    "found": N_(
        "{names} is on this PC: it lets strangers send their traffic, spam included, through"
        " your line."
    ),
    "none_known": N_(
        "None of the proxy programs we know by name ({known}) is on this PC. Other"
        " \u201cshare your internet\u201d apps are not recognised by this check."
    ),
}
ADVICE = {
    "uninstall": N_(
        "Uninstall it (Settings > Apps), and any app you installed with it or that pays you for"
        " sharing your internet; then watch the line again."
    ),
}


def _prepare(params: dict[str, Any]) -> dict[str, Any]:
    params.setdefault("known", ", ".join(KNOWN))
    return params


wording.register(wording.Phrasebook({"PROXYWARE": TITLE}, SUMMARIES, ADVICE, _prepare))


@dataclass
class Seen:
    processes: list[tuple[str, str]] = field(default_factory=list)  # (name, exe)
    services: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # the PATHS entries that exist


def interpret(seen: Seen) -> Result:
    found: dict[str, list[str]] = {}
    for name, exe in seen.processes:
        product = PROCESSES.get(name.lower())
        if product:
            found.setdefault(product, []).append(f"process {name}" + (f" ({exe})" if exe else ""))
    for service in seen.services:
        low = service.lower()
        product = SERVICES.get(low) or next(
            (p for prefix, p in SERVICE_PREFIXES.items() if low.startswith(prefix)), None
        )
        if product:
            found.setdefault(product, []).append(f"service {service}")
    for path in seen.paths:
        product = next((p for template, p in PATHS if template == path), None)
        if product:
            found.setdefault(product, []).append(f"folder {path}")
    facts = {"found": found, "recognised": list(KNOWN)}
    if found:
        names = ", ".join(found)
        return Result("PROXYWARE", Status.FAIL, "found", {"names": names}, ("uninstall",), facts)
    return Result("PROXYWARE", Status.PASS, "none_known", {"known": ", ".join(KNOWN)}, (), facts)


def gather() -> Seen:
    import psutil

    seen = Seen()
    try:
        processes = list(psutil.process_iter())
    except (psutil.Error, OSError):
        processes = []
    for p in processes:
        # Each question may fail on its own (a process gone, denied, or Windows' own refusal).
        try:
            name = (p.name() or "").strip()
        except (psutil.Error, OSError):
            continue
        if name.lower() in PROCESSES:
            try:
                exe = p.exe() or ""
            except (psutil.Error, OSError):
                exe = ""
            seen.processes.append((name, exe))
    if sys.platform == "win32":
        try:
            for service in psutil.win_service_iter():  # type: ignore[attr-defined]
                seen.services.append(service.name())
        except (OSError, AttributeError):
            pass
    for template, _product in PATHS:
        if template.startswith("%") and sys.platform != "win32":
            continue
        if template.startswith("/") and sys.platform == "win32":
            continue
        expanded = os.path.expandvars(template)
        if "%" not in expanded and Path(expanded).exists():
            seen.paths.append(template)
    return seen


def run(ctx: CheckContext) -> Result:
    return interpret(gather())


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "PROXYWARE",
        __name__,
        catalogue.AUDIT,
        catalogue.DEFENCE,
        letter=10,
        fix="scan",
        infection=catalogue.ANY_FAIL,
        order=40,
    ),
)

SPECS = (CheckSpec("PROXYWARE", TITLE, run, timeout=30.0),)
