"""OS-UPDATES: pending updates and when updates last succeeded."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from checks.context import CheckContext
from checks.i18n import N_, _, ngettext
from checks.model import CheckSpec, Result, Status, current_platform

TITLE = N_("Operating system updates")
STALE_LIST_DAYS = 7
STALE_INSTALL_DAYS = 45
SECURITY_CATEGORY = "0fa1201d-4330-4fa8-8ae9-b877473b6441"  # Windows Update "Security Updates"
CRITICAL_CATEGORY = "e6cf1350-c01b-414d-a61f-263d14d133b4"


def _result(status, summary, advice=(), **facts) -> Result:
    return Result("OS-UPDATES", status, _(TITLE), summary, tuple(advice), facts)


def _could_not(reason: str, **facts) -> Result:
    return _result(
        Status.UNKNOWN,
        _("We could not find out which updates are waiting: {reason}.").format(reason=reason),
        **facts,
    )


def problem_text(problem: str | None, detail: str = "") -> str:
    return {
        "missing": _("the tool needed for this is not installed"),
        "denied": _("access was denied"),
        "timeout": _("the tool did not answer in time"),
    }.get(problem or "", detail or _("the tool failed"))


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
        return _could_not(problem_text(sim["problem"], sim["stderr"].strip()[-200:]), apt=sim)
    parsed = parse_apt_simulation(sim["stdout"])
    if parsed["summary_upgraded"] is None:
        # Without apt's own summary line we cannot claim anything, least of all "up to date".
        reason = (
            _("apt printed output that is not valid text")
            if sim.get("undecodable")
            else _("apt printed an answer we do not understand")
        )
        return _could_not(reason, apt=sim)
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
        advice.append(
            _(
                "Install the updates now: open a terminal and run: sudo apt update && sudo apt upgrade"
            )
        )
    if age is None or age > STALE_LIST_DAYS:
        advice.append(_("Refresh the package list (sudo apt update) so that new fixes are found."))
    if auto is False:
        advice.append(
            _(
                "Turn on automatic security updates: sudo apt install unattended-upgrades, then"
                " sudo dpkg-reconfigure -plow unattended-upgrades"
            )
        )
    if security:
        status = Status.WARN
        summary = ngettext(
            "{n} update is waiting to be installed, {s} of them security fixes.",
            "{n} updates are waiting to be installed, {s} of them security fixes.",
            len(packages),
        ).format(n=len(packages), s=len(security))
    elif age is None or age > STALE_LIST_DAYS:
        status = Status.WARN
        summary = _(
            "No security update is waiting, but the list of available updates was last refreshed"
            " {days} days ago, so newer fixes may be missing."
        ).format(days=int(age) if age is not None else "?")
    elif packages:
        status = Status.PASS
        summary = ngettext(
            "No security update is waiting; {n} other update is available.",
            "No security update is waiting; {n} other updates are available.",
            len(packages),
        ).format(n=len(packages))
    else:
        status = Status.PASS
        summary = _("This system is up to date.")
    return _result(status, summary, advice, **out_facts)


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
        return _could_not(problem_text(sec["problem"], sec["stderr"].strip()[-200:]), dnf=sec)
    security = parse_dnf_list(sec["stdout"]) if sec["returncode"] == 100 else []
    everything = parse_dnf_list(allup["stdout"]) if allup["returncode"] == 100 else []
    auto = any(v == "enabled" for v in facts.get("automatic_timers", {}).values())
    age = _days(facts["now"], facts.get("cache_newest"))
    advice = []
    if security:
        advice.append(
            _("Install the updates now: open a terminal and run: sudo dnf upgrade --security")
        )
    if not auto:
        advice.append(
            _("Turn on automatic updates: sudo dnf install dnf-automatic, then enable its timer.")
        )
    if security:
        status = Status.WARN
        summary = ngettext(
            "{n} security update is waiting to be installed.",
            "{n} security updates are waiting to be installed.",
            len(security),
        ).format(n=len(security))
    elif age is not None and age > STALE_LIST_DAYS:
        status = Status.WARN
        summary = _(
            "No security update is waiting, but the list of available updates was last refreshed"
            " {days} days ago, so newer fixes may be missing."
        ).format(days=int(age))
        advice.append(_("Refresh the list of updates: sudo dnf check-update"))
    else:
        status = Status.PASS
        summary = _("No security update is waiting.")
    return _result(
        status,
        summary,
        advice,
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
        return _could_not(problem_text(facts["problem"], facts.get("detail", "")), windows=facts)
    errors = facts.get("errors") or {}
    services = {s["name"].lower(): s for s in as_list(facts.get("update_services"))}
    wu = services.get("wuauserv")
    disabled = bool(wu and wu.get("start_type") == "Disabled")
    pending = as_list(facts.get("pending_updates"))
    history = as_list(facts.get("update_history"))
    installs = [
        parse_iso(h.get("date"))
        for h in history
        if h.get("operation") == 1 and h.get("result") in (2, 3)
    ]
    last_ok = max((d for d in installs if d), default=None)
    security = [
        u
        for u in pending
        if SECURITY_CATEGORY in as_list(u.get("categories"))
        or CRITICAL_CATEGORY in as_list(u.get("categories"))
        or u.get("severity")
    ]
    days_since = (now - last_ok).days if last_ok else None
    out_facts = {
        "pending": len(pending),
        "security": len(security),
        "titles": [u.get("title") for u in pending],
        "kb": sorted({f"KB{k}" for u in pending for k in as_list(u.get("kb"))}),
        "last_successful_install": last_ok.isoformat() if last_ok else None,
        "update_service": wu,
        "source": "Windows Update's last scan (offline search)",
        "errors": errors,
    }
    advice = []
    if disabled:
        advice.append(
            _(
                "The Windows Update service is disabled. Re-enable it: press Windows+R, type"
                ' services.msc, open "Windows Update", set Startup type to Manual, click Start.'
            )
        )
    if security or pending:
        advice.append(
            _("Open Settings > Windows Update, install everything offered and restart the PC.")
        )
    if "pending_updates" in errors and not disabled:
        return _could_not(
            _("Windows Update could not be asked ({error})").format(
                error=errors["pending_updates"]
            ),
            advice=advice,
            **out_facts,
        )
    if disabled:
        status = Status.WARN
        summary = _("The Windows Update service is disabled, so this PC gets no security fixes.")
    elif security:
        status = Status.WARN
        summary = ngettext(
            "{n} update is waiting to be installed, {s} of them security fixes.",
            "{n} updates are waiting to be installed, {s} of them security fixes.",
            len(pending),
        ).format(n=len(pending), s=len(security))
    elif days_since is None or days_since > STALE_INSTALL_DAYS:
        status = Status.WARN
        summary = (
            _("No update has been installed successfully for {days} days.").format(days=days_since)
            if days_since is not None
            else _("We found no record of a successful update installation.")
        )
        advice.append(_('Open Settings > Windows Update and click "Check for updates".'))
    else:
        status = Status.PASS
        summary = _("No update is waiting; the last update was installed on {date}.").format(
            date=last_ok.date().isoformat()
        )
    return _result(status, summary, advice, **out_facts)


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


def interpret_macos(facts: dict[str, Any]) -> Result:
    su = facts["softwareupdate"]
    if su["problem"]:
        return _could_not(problem_text(su["problem"], su["detail"]), softwareupdate=su)
    text = su["stdout"] + "\n" + su["stderr"]
    items = parse_softwareupdate(text)
    nothing = "No new software available" in text
    if not items and not nothing:
        return _could_not(
            _("softwareupdate gave an answer we do not understand"), softwareupdate=su
        )
    recommended = [i for i in items if i["recommended"]]
    advice = []
    if items:
        advice.append(
            _("Open System Settings > General > Software Update and install what is offered.")
        )
    out_facts = {
        "updates": items,
        "recommended": len(recommended),
        "restart_required": any(i["restart"] for i in items),
        "last_successful_check": facts.get("last_successful_date"),
        "scanned_now": facts.get("scanned_now"),
    }
    if recommended:
        return _result(
            Status.WARN,
            ngettext(
                "{n} recommended update is waiting to be installed.",
                "{n} recommended updates are waiting to be installed.",
                len(recommended),
            ).format(n=len(recommended)),
            advice,
            **out_facts,
        )
    if not facts.get("scanned_now"):
        checked = parse_iso(
            (facts.get("last_successful_date") or "").replace(" +0000", "+00:00").replace(" ", "T")
        )
        if (
            checked is None
            or (datetime.fromtimestamp(facts["now"], UTC) - checked).days > STALE_LIST_DAYS
        ):
            return _result(
                Status.WARN,
                _("No update is listed, but this Mac has not checked for updates recently."),
                [_("Open System Settings > General > Software Update to check now.")],
                **out_facts,
            )
    return _result(Status.PASS, _("This Mac is up to date."), advice, **out_facts)


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
    name = (facts.get("os_release") or {}).get("PRETTY_NAME") or _("this system")
    return _result(
        Status.UNKNOWN,
        _(
            "We could not check for updates: {name} has no package manager we know (apt or dnf)."
        ).format(name=name),
        [_("Check for updates with your system's own update tool.")],
        manager=None,
    )


SPECS = (CheckSpec("OS-UPDATES", TITLE, run, timeout=180.0),)
