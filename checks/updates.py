"""OS-UPDATES: pending updates and when updates last succeeded."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from checks import catalogue, wording
from checks.context import CheckContext
from checks.i18n import N_, Np_, _
from checks.model import CheckSpec, Result, Status, current_platform

TITLE = N_("Operating system updates")
STALE_LIST_DAYS = 7
STALE_INSTALL_DAYS = 45
SECURITY_CATEGORY = "0fa1201d-4330-4fa8-8ae9-b877473b6441"  # Windows Update "Security Updates"
CRITICAL_CATEGORY = "e6cf1350-c01b-414d-a61f-263d14d133b4"
# KB numbers of updates that are not the system's own fixes: Defender security intelligence
# (KB2267602), Defender platform (KB4052623), Malicious Software Removal Tool (KB890830).
NOT_SYSTEM_UPDATES = {"KB2267602", "KB4052623", "KB890830"}
STALE_SEARCH_DAYS = 14


SUMMARIES = {
    "could_not": N_("We could not find out which updates are waiting: {reason}."),
    "security_pending": Np_(
        "{n} update is waiting to be installed, {s} of them security fixes.",
        "{n} updates are waiting to be installed, {s} of them security fixes.",
    ),
    "list_stale": N_(
        "No security update is waiting, but the list of available updates was last refreshed"
        " {days} days ago, so newer fixes may be missing."
    ),
    "list_never_refreshed": N_(
        "No security update is waiting, but the list of available updates has never been"
        " refreshed, so fixes may be missing."
    ),
    "only_other_updates": Np_(
        "No security update is waiting; {n} other update is available.",
        "No security update is waiting; {n} other updates are available.",
    ),
    "up_to_date": N_("This system is up to date."),
    "dnf_security_pending": Np_(
        "{n} security update is waiting to be installed.",
        "{n} security updates are waiting to be installed.",
    ),
    "no_security_pending": N_("No security update is waiting."),
    "windows_service_disabled": N_(
        "The Windows Update service is disabled, so this PC gets no security fixes."
    ),
    "no_install_for_days": N_("No update has been installed successfully for {days} days."),
    "search_stale": N_(
        "Windows Update last looked for updates {days} days ago, so newer fixes may be missing."
    ),
    "no_install_record": N_("We found no record of a successful update installation."),
    "windows_up_to_date": N_("No update is waiting; the last update was installed on {date}."),
    "macos_recommended_pending": Np_(
        "{n} recommended update is waiting to be installed.",
        "{n} recommended updates are waiting to be installed.",
    ),
    "macos_not_checked_recently": N_(
        "No update is listed, but this Mac has not checked for updates recently."
    ),
    "macos_up_to_date": N_("This Mac is up to date."),
    "no_manager": N_(
        "We could not check for updates: {name} has no package manager we know (apt or dnf)."
    ),
}
ADVICE = {
    "apt_upgrade": N_(
        "Install the updates now: open a terminal and run: sudo apt update && sudo apt upgrade"
    ),
    "apt_refresh": N_("Refresh the package list (sudo apt update) so that new fixes are found."),
    "apt_automatic": N_(
        "Turn on automatic security updates: sudo apt install unattended-upgrades, then"
        " sudo dpkg-reconfigure -plow unattended-upgrades"
    ),
    "dnf_upgrade": N_(
        "Install the updates now: open a terminal and run: sudo dnf upgrade --security"
    ),
    "dnf_automatic": N_(
        "Turn on automatic updates: sudo dnf install dnf-automatic, then enable its timer."
    ),
    "dnf_refresh": N_("Refresh the list of updates: sudo dnf check-update"),
    "windows_enable_service": N_(
        "The Windows Update service is disabled. Re-enable it: press Windows+R, type"
        ' services.msc, open "Windows Update", set Startup type to Manual, click Start.'
    ),
    "windows_install": N_(
        "Open Settings > Windows Update, install everything offered and restart the PC."
    ),
    "windows_check_now": N_('Open Settings > Windows Update and click "Check for updates".'),
    "macos_install": N_(
        "Open System Settings > General > Software Update and install what is offered."
    ),
    "macos_check_now": N_("Open System Settings > General > Software Update to check now."),
    "other_tool": N_("Check for updates with your system's own update tool."),
}

# Why the updates could not be read: a code, worded at the edge.
PROBLEMS = {
    "missing": N_("the tool needed for this is not installed"),
    "denied": N_("access was denied"),
    "timeout": N_("the tool did not answer in time"),
    "failed": N_("the tool failed"),
    "apt_undecodable": N_("apt printed output that is not valid text"),
    "apt_not_understood": N_("apt printed an answer we do not understand"),
    "softwareupdate_not_understood": N_("softwareupdate gave an answer we do not understand"),
    "windows_update_error": N_("Windows Update could not be asked ({error})"),
}


def _prepare(params: dict[str, Any]) -> dict[str, Any]:
    problem = params.get("problem")
    if problem is not None:
        if problem == "failed" and params.get("detail"):
            # The tool's own last words say more than "it failed".
            params["reason"] = wording.render(PROBLEMS["failed"], {}) + f" ({params['detail']})"
        elif problem in PROBLEMS:
            params["reason"] = _(PROBLEMS[problem]).format(error=params.get("error") or "")
        else:
            params["reason"] = params.get("detail") or wording.render(PROBLEMS["failed"], {})
    if params.get("name") is None and "name" in params:
        params["name"] = _("this system")
    return params


wording.register(wording.Phrasebook({"OS-UPDATES": TITLE}, SUMMARIES, ADVICE, _prepare))


def _result(status, reason, advice=(), params=None, **facts) -> Result:
    return Result("OS-UPDATES", status, reason, params or {}, tuple(advice), facts)


def _could_not(problem: str | None, detail: str = "", advice=(), **facts) -> Result:
    """``problem``: a code from PROBLEMS (or the probe's own), ``detail``: the tool's words."""
    return _result(
        Status.UNKNOWN,
        "could_not",
        advice,
        {"problem": problem or "failed", "detail": detail, "error": facts.pop("error", None)},
        **facts,
    )


# --- Debian / Ubuntu ------------------------------------------------------------------------

_INST = re.compile(r"^Inst (\S+) (?:\[([^\]]*)\] )?\((\S+) (.*?) \[[^\]]*\]\)", re.M)


def parse_apt_simulation(text: str) -> dict[str, Any]:
    """Packages `apt-get -s upgrade` would install, each marked security when one of its
    origins is a -security archive (e.g. "Debian-Security:12/oldstable-security")."""
    packages = []
    for m in _INST.finditer(text):
        name, old, new, origins = m.groups()
        suites = [o.split("/", 1)[1] if "/" in o else o for o in origins.split(", ")]
        packages.append(
            {
                "name": name,
                "from": old,
                "to": new,
                "security": any(s.endswith("-security") for s in suites),
            }
        )
    kept = re.search(r"The following packages have been kept back:\n((?:  .*\n)+)", text)
    summary = re.search(
        r"^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded",
        text,
        re.M,
    )
    return {
        "packages": packages,
        "kept_back": kept.group(1).split() if kept else [],
        "summary_upgraded": int(summary.group(1)) if summary else None,
        "summary_not_upgraded": int(summary.group(4)) if summary else None,
    }


def _auto_updates_on(apt_config: str | None, installed: bool) -> bool | None:
    if apt_config is None:
        return None
    m = re.search(r'^APT::Periodic::Unattended-Upgrade "(\d+)";', apt_config, re.M)
    return bool(installed and m and m.group(1) != "0")


def _days(now: float, then: float | None) -> float | None:
    return None if then is None else max(0.0, (now - then) / 86400)


def interpret_apt(facts: dict[str, Any]) -> Result:
    sim = facts["simulate"]
    if sim["problem"] or sim["returncode"] not in (0,):
        return _could_not(sim["problem"], sim["stderr"].strip()[-200:], apt=sim)
    parsed = parse_apt_simulation(sim["stdout"])
    if parsed["summary_upgraded"] is None:
        # Without apt's own summary line we cannot claim anything, least of all "up to date".
        problem = "apt_undecodable" if sim.get("undecodable") else "apt_not_understood"
        return _could_not(problem, apt=sim)
    packages = parsed["packages"]
    security = [p for p in packages if p["security"]]
    stamps = facts["stamps"]
    refreshed = stamps.get("update_success_stamp") or stamps.get("lists_newest")
    age = _days(facts["now"], refreshed)
    auto = _auto_updates_on(
        facts.get("apt_config"), facts.get("unattended_upgrades_installed", False)
    )
    out_facts = {
        "manager": "apt",
        "pending": len(packages),
        "security": len(security),
        "security_packages": [p["name"] for p in security],
        "other_packages": [p["name"] for p in packages if not p["security"]],
        "kept_back": parsed["kept_back"],
        "apt_summary_upgraded": parsed["summary_upgraded"],
        "package_list_age_days": round(age, 1) if age is not None else None,
        "automatic_updates": auto,
        "command": " ".join(sim["argv"]),
    }
    advice = []
    if security:
        advice.append("apt_upgrade")
    if age is None or age > STALE_LIST_DAYS:
        advice.append("apt_refresh")
    if auto is False:
        advice.append("apt_automatic")
    params: dict[str, Any] = {"n": len(packages), "s": len(security)}
    if security:
        status, reason = Status.WARN, "security_pending"
    elif age is None:
        status, reason = Status.WARN, "list_never_refreshed"
    elif age > STALE_LIST_DAYS:
        status, reason = Status.WARN, "list_stale"
        params["days"] = int(age)
    elif packages:
        status, reason = Status.PASS, "only_other_updates"
    else:
        status, reason = Status.PASS, "up_to_date"
    return _result(status, reason, advice, params, **out_facts)


# --- Fedora / RHEL --------------------------------------------------------------------------

_DNF_LINE = re.compile(r"^(\S+)\.(\S+)\s+(\S+)\s+(\S+)\s*$")


def parse_dnf_list(text: str) -> list[str]:
    names = []
    for line in text.splitlines():
        if line.startswith("Obsoleting"):
            break  # what follows lists packages being replaced, already counted above
        m = _DNF_LINE.match(line.strip())
        if m:
            names.append(m.group(1))
    return names


def interpret_dnf(facts: dict[str, Any]) -> Result:
    sec, allup = facts["security"], facts["all"]
    if sec["problem"] or sec["returncode"] not in (0, 100):
        return _could_not(sec["problem"], sec["stderr"].strip()[-200:], dnf=sec)
    security = parse_dnf_list(sec["stdout"]) if sec["returncode"] == 100 else []
    everything = parse_dnf_list(allup["stdout"]) if allup["returncode"] == 100 else []
    auto = any(v == "enabled" for v in facts.get("automatic_timers", {}).values())
    age = _days(facts["now"], facts.get("cache_newest"))
    advice = []
    if security:
        advice.append("dnf_upgrade")
    if not auto:
        advice.append("dnf_automatic")
    params: dict[str, Any] = {"n": len(security)}
    if security:
        status, reason = Status.WARN, "dnf_security_pending"
    elif age is not None and age > STALE_LIST_DAYS:
        status, reason = Status.WARN, "list_stale"
        params["days"] = int(age)
        advice.append("dnf_refresh")
    else:
        status, reason = Status.PASS, "no_security_pending"
    return _result(
        status,
        reason,
        advice,
        params,
        manager="dnf",
        security=len(security),
        security_packages=security,
        pending=len(everything),
        automatic_updates=auto,
        cache_age_days=round(age, 1) if age is not None else None,
        dnf_exit_code=sec["returncode"],
    )


# --- Windows --------------------------------------------------------------------------------


def as_list(value: Any) -> list:
    """PowerShell's ConvertTo-Json turns a one-item array into the item and an empty one into
    null; undo that."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def interpret_windows(facts: dict[str, Any], now: datetime) -> Result:
    if facts.get("problem"):
        return _could_not(facts["problem"], facts.get("detail", ""), windows=facts)
    errors = facts.get("errors") or {}
    services = {s["name"].lower(): s for s in as_list(facts.get("update_services"))}
    wu = services.get("wuauserv")
    disabled = bool(wu and wu.get("start_type") == "Disabled")
    pending = as_list(facts.get("pending_updates"))
    last_ok = _last_system_install(as_list(facts.get("update_history")))
    security = [
        u
        for u in pending
        if SECURITY_CATEGORY in as_list(u.get("categories"))
        or CRITICAL_CATEGORY in as_list(u.get("categories"))
        or u.get("severity")
    ]
    days_since = (now - last_ok).days if last_ok else None
    results = facts.get("update_results") if isinstance(facts.get("update_results"), dict) else {}
    searched = parse_iso(results.get("last_search_success"))
    search_age = (now - searched).days if searched else None
    out_facts = {
        "pending": len(pending),
        "security": len(security),
        "titles": [u.get("title") for u in pending],
        "kb": sorted({f"KB{k}" for u in pending for k in as_list(u.get("kb"))}),
        "last_successful_install": last_ok.isoformat() if last_ok else None,
        "last_search_success": searched.isoformat() if searched else None,
        "update_service": wu,
        "source": "Windows Update's last scan (offline search)",
        "errors": errors,
    }
    advice = []
    if disabled:
        advice.append("windows_enable_service")
    if security or pending:
        advice.append("windows_install")
    if "pending_updates" in errors and not disabled:
        return _could_not(
            "windows_update_error", advice=advice, error=errors["pending_updates"], **out_facts
        )
    params: dict[str, Any] = {"n": len(pending), "s": len(security), "days": days_since}
    status, reason = _windows_answer(
        disabled, bool(security), bool(pending), search_age, days_since, params, advice
    )
    if reason == "windows_up_to_date":
        params["date"] = last_ok.date().isoformat()
    return _result(status, reason, advice, params, **out_facts)


def _last_system_install(history: list[dict]) -> datetime | None:
    """The last successful install of a system update. Defender's definition and platform
    updates install several times a day: they say nothing about the system's own fixes."""
    installs = [
        parse_iso(h.get("date"))
        for h in history
        if h.get("operation") == 1
        and h.get("result") in (2, 3)
        and not NOT_SYSTEM_UPDATES.intersection(re.findall(r"KB\d+", str(h.get("title") or "")))
    ]
    return max((d for d in installs if d), default=None)


def _windows_answer(
    disabled: bool,
    security: bool,
    pending: bool,
    search_age: int | None,
    days_since: int | None,
    params: dict[str, Any],
    advice: list[str],
) -> tuple[Status, str]:
    if disabled:
        return Status.WARN, "windows_service_disabled"
    if security:
        return Status.WARN, "security_pending"
    if search_age is not None and search_age > STALE_SEARCH_DAYS:
        params["days"] = search_age
        advice.append("windows_check_now")
        return Status.WARN, "search_stale"
    if days_since is None or days_since > STALE_INSTALL_DAYS:
        advice.append("windows_check_now")
        return Status.WARN, (
            "no_install_for_days" if days_since is not None else "no_install_record"
        )
    if pending:
        return Status.PASS, "only_other_updates"  # optional ones: nothing to fix
    return Status.PASS, "windows_up_to_date"


# --- macOS ----------------------------------------------------------------------------------

_SU_ITEM = re.compile(
    r"^\* Label: (.+)\n\s+Title: (.+?), Version: (.+?),.*?(?:Recommended: (YES|NO))?.*?(?:Action: (\w+))?,?\s*$",
    re.M,
)


def parse_softwareupdate(text: str) -> list[dict[str, Any]]:
    items = []
    for m in _SU_ITEM.finditer(text):
        label, title, version, _recommended, _action = m.groups()
        line = m.group(0)
        items.append(
            {
                "label": label.strip(),
                "title": title.strip(),
                "version": version.strip(),
                "recommended": "Recommended: YES" in line,
                "restart": "Action: restart" in line or "[restart]" in line,
            }
        )
    return items


def _major(version: str | None) -> int | None:
    m = re.match(r"\s*(\d+)", version or "")
    return int(m.group(1)) if m else None


def _is_macos(item: dict[str, Any]) -> bool:
    return str(item.get("title") or "").lower().startswith("macos")


def interpret_macos(facts: dict[str, Any]) -> Result:
    su = facts["softwareupdate"]
    if su["problem"]:
        return _could_not(su["problem"], su["detail"], softwareupdate=su)
    text = su["stdout"] + "\n" + su["stderr"]
    items = parse_softwareupdate(text)
    nothing = "No new software available" in text
    if not items and not nothing:
        return _could_not("softwareupdate_not_understood", softwareupdate=su)
    # The next major macOS is offered "Recommended: YES" too: it is an upgrade the user may
    # choose, not a missing fix for the installed version.
    installed = _major(facts.get("installed_version"))
    upgrades = [
        i for i in items if _is_macos(i) and installed and (_major(i["version"]) or 0) > installed
    ]
    items = [i for i in items if i not in upgrades]
    recommended = [i for i in items if i["recommended"]]
    advice = []
    if items:
        advice.append("macos_install")
    out_facts = {
        "updates": items,
        "major_upgrades": upgrades,
        "recommended": len(recommended),
        "restart_required": any(i["restart"] for i in items),
        "last_successful_check": facts.get("last_successful_date"),
        "scanned_now": facts.get("scanned_now"),
    }
    if recommended:
        return _result(
            Status.WARN, "macos_recommended_pending", advice, {"n": len(recommended)}, **out_facts
        )
    if not facts.get("scanned_now"):
        # softwareupdate's "2026-11-21 08:12:44 +0000": Python 3.11's ISO reader takes it as is.
        checked = parse_iso(facts.get("last_successful_date"))
        if (
            checked is None
            or (datetime.fromtimestamp(facts["now"], UTC) - checked).days > STALE_LIST_DAYS
        ):
            return _result(
                Status.WARN, "macos_not_checked_recently", ["macos_check_now"], **out_facts
            )
    return _result(Status.PASS, "macos_up_to_date", advice, **out_facts)


# --- the check ------------------------------------------------------------------------------


def run(ctx: CheckContext) -> Result:
    platform = current_platform()
    if platform == "windows":
        from checks.probes import windows

        return interpret_windows(windows.facts(ctx), datetime.now(UTC))
    if platform == "macos":
        from checks.probes import macos

        return interpret_macos(macos.update_facts(ctx))
    from checks.probes import linux

    facts = linux.update_facts(ctx)
    if facts["manager"] == "apt":
        return interpret_apt(facts)
    if facts["manager"] == "dnf":
        return interpret_dnf(facts)
    return interpret_no_manager(facts)


def interpret_no_manager(facts: dict[str, Any]) -> Result:
    name = (facts.get("os_release") or {}).get("PRETTY_NAME")
    return _result(Status.UNKNOWN, "no_manager", ["other_tool"], {"name": name}, manager=None)


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "OS-UPDATES", __name__, catalogue.AUDIT, catalogue.DEFENCE, fix="updates", order=50
    ),
)

SPECS = (CheckSpec("OS-UPDATES", TITLE, run, timeout=180.0),)
