"""OS-SUPPORT: does this operating system version still receive security fixes?"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from checks import catalogue, lifecycle, wording
from checks.context import CheckContext
from checks.i18n import N_
from checks.model import CheckSpec, Result, Status, current_platform
from checks.updates import as_list

TITLE = N_("Security support for this system")
SOON_DAYS = 90


SUMMARIES = {
    "ends_soon": N_("{name} gets security fixes only until {date}."),
    "supported": N_("{name} still receives security fixes (until {date})."),
    "esu_enrolled": N_(
        "Regular support for {name} ended on {ended}; this PC is enrolled in Extended"
        " Security Updates, which run until {until}."
    ),
    "extended_support": N_(
        "Regular security support for {name} ended on {ended}; fixes continue for fewer"
        " packages through {extended} until {until}."
    ),
    "ended": N_("{name} no longer receives security fixes (support ended on {ended})."),
    "ended_by": N_(
        "{name} no longer receives security fixes (support ended on {ended} at the latest)."
    ),
    "esu_not_found": N_(
        "Regular support for {name} ended on {ended}. We found no Extended Security Updates"
        " licence on this PC, but enrolment through a Microsoft account may not show where we"
        " look, so we cannot tell whether it still gets fixes."
    ),
    "esu_unreadable": N_(
        "Regular support for {name} ended on {ended}. We could not read this PC's Extended"
        " Security Updates licences, so we cannot tell whether it still gets fixes."
    ),
    "windows_unreadable": N_("We could not read which Windows version this is."),
    "windows_server": N_("{caption} is a server edition; its support dates are not in our table."),
    "windows_build_newer": N_("Windows build {build} is newer than our support table ({as_of})."),
    "macos_unreadable": N_("We could not read which macOS version this is."),
    "macos_newer": N_("macOS {version} is newer than our table: it is current."),
    "macos_supported": N_(
        "{name} still receives security fixes (Apple supports the three newest versions)."
    ),
    "macos_ended": N_(
        "{name} no longer receives all security fixes: Apple supports only the three newest versions."
    ),
    "linux_unreadable": N_(
        "We could not read which Linux distribution this is (no /etc/os-release)."
    ),
    "linux_not_in_table": N_(
        "{name} is not in our support table ({as_of}); check its end-of-life date with the distribution."
    ),
}
ADVICE = {
    "upgrade": N_(
        "Upgrade to a supported version, or replace the system if it cannot be upgraded."
    ),
    "check_esu": N_(
        'Open Settings > Update & Security > Windows Update: if it says "Your PC is enrolled to'
        ' get Extended Security Updates", it still gets fixes; if not, enrol there.'
    ),
    "linux_upgrade": N_(
        "Upgrade to a supported release with the system's own upgrade (Ubuntu: sudo do-release-upgrade; Debian: the upgrading chapter of the new release's notes). It runs on the same computer."
    ),
    "macos_upgrade": N_(
        "Upgrade macOS in System Settings > General > Software Update, or replace the Mac if it cannot be upgraded."
    ),
}
wording.register(wording.Phrasebook({"OS-SUPPORT": TITLE}, SUMMARIES, ADVICE))


def _result(status, reason, advice=(), params=None, **facts) -> Result:
    return Result("OS-SUPPORT", status, reason, params or {}, tuple(advice), facts)


def _judge(
    support: lifecycle.Support,
    today: date,
    extended_active: bool | None,
    approximate: bool = False,
    **facts,
) -> Result:
    """``approximate``: the end date is the latest it can be (a release missing from the table,
    older than one that is in it), so the words say "at the latest"."""
    facts.update(
        name=support.name,
        support_ends=support.ends.isoformat() if support.ends else None,
        extended_until=support.extended_until.isoformat() if support.extended_until else None,
        extended_name=support.extended_name,
        table_as_of=lifecycle.TABLE_AS_OF.isoformat(),
    )
    params = {
        "name": support.name,
        "date": support.ends.isoformat() if support.ends else None,
        "ended": support.ends.isoformat() if support.ends else None,
        "extended": support.extended_name,
        "until": support.extended_until.isoformat() if support.extended_until else None,
    }
    if support.ends is None or today <= support.ends:
        if support.ends and (support.ends - today).days <= SOON_DAYS:
            return _result(Status.WARN, "ends_soon", ["upgrade"], params, **facts)
        return _result(Status.PASS, "supported", (), params, **facts)
    in_extended = support.extended_until is not None and today <= support.extended_until
    esu = support.extended_name == "Extended Security Updates"
    # Windows ESU must be bought or enrolled: only a licence seen says "enrolled". Distribution
    # LTS/ESM phases (extended_active None) reach every machine of that release.
    if in_extended and (extended_active is True or (extended_active is None and not esu)):
        reason = (
            "esu_enrolled"
            if support.extended_name == "Extended Security Updates"
            else "extended_support"
        )
        return _result(Status.WARN, reason, ["upgrade"], params, **facts)
    if in_extended and esu:
        # No ESU licence was found, and consumer ESU enrolled through a Microsoft account may
        # leave none where we look; or the licences could not be read: say we cannot tell (and
        # which of the two), and how to check.
        reason = "esu_unreadable" if extended_active is None else "esu_not_found"
        return _result(Status.UNKNOWN, reason, ["check_esu", "upgrade"], params, **facts)
    reason = "ended_by" if approximate else "ended"
    return _result(Status.FAIL, reason, ["upgrade"], params, **facts)


def interpret_windows(facts: dict[str, Any], today: date) -> Result:
    os_info = facts.get("os") if not facts.get("problem") else None
    if not os_info:
        return _result(
            Status.UNKNOWN,
            "windows_unreadable",
            windows_error=(facts.get("errors") or {}).get("os") or facts.get("detail"),
        )
    build = int(os_info.get("build") or 0)
    family = lifecycle.windows_family(os_info.get("edition_id"))
    base = {
        "caption": os_info.get("caption"),
        "build": build,
        "display_version": os_info.get("display_version"),
        "edition": os_info.get("edition_id"),
    }
    if int(os_info.get("product_type") or 1) != 1:
        return _result(
            Status.UNKNOWN, "windows_server", (), {"caption": os_info.get("caption")}, **base
        )
    support = lifecycle.WINDOWS.get((build, family))
    if support is None and family not in ("ltsc", "iot_ltsc"):
        support = lifecycle.WINDOWS.get((build, "home"))
    if support is None and family in ("ltsc", "iot_ltsc"):
        return _result(
            Status.UNKNOWN,
            "windows_build_newer",
            (),
            {"build": build, "as_of": lifecycle.TABLE_AS_OF.isoformat()},
            **base,
        )
    approximate = support is None and build < 19045
    if support is None and 10240 <= build < 19045:
        # Every Windows 10 release before 22H2 was out of support by 2023-06-13 (21H2's end).
        support = lifecycle.Support(
            f"Windows 10 ({os_info.get('display_version') or build})", date(2023, 6, 13)
        )
    if support is None and build < 10240:
        # Every Windows before 10 was out of support by 2023-01-10 (Windows 8.1's end).
        support = lifecycle.Support(os_info.get("caption") or "Windows", date(2023, 1, 10))
    if support is None:
        return _result(
            Status.UNKNOWN,
            "windows_build_newer",
            (),
            {"build": build, "as_of": lifecycle.TABLE_AS_OF.isoformat()},
            **base,
        )
    esu = [e for e in as_list(facts.get("esu")) if e.get("license_status") == 1]
    esu_known = "esu" not in (facts.get("errors") or {})
    base["esu_licences"] = esu
    return _judge(support, today, bool(esu) if esu_known else None, approximate, **base)


def _macos_major(sw_vers_out: str) -> tuple[int | None, str | None]:
    m = re.search(r"ProductVersion:\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?", sw_vers_out)
    if not m:
        return None, None
    major = int(m.group(1))
    if major == 10 and m.group(2):  # 10.15 Catalina and older
        major = 10
    return major, m.group(0).split(":", 1)[1].strip()


def interpret_macos(sw_vers: dict[str, Any], today: date) -> Result:
    major, version = _macos_major(sw_vers.get("stdout") or "")
    if major is None:
        return _result(Status.UNKNOWN, "macos_unreadable", sw_vers=sw_vers)
    supported = lifecycle.macos_supported_majors(today)
    name = lifecycle.MACOS_MAJORS.get(major, (f"macOS {version}", None))[0]
    facts = {
        "version": version,
        "supported_majors": supported,
        "table_as_of": lifecycle.TABLE_AS_OF.isoformat(),
    }
    if major > max(lifecycle.MACOS_MAJORS):
        return _result(Status.PASS, "macos_newer", (), {"version": version}, **facts)
    if major in supported:
        return _result(Status.PASS, "macos_supported", (), {"name": name}, **facts)
    return _result(Status.FAIL, "macos_ended", ["macos_upgrade"], {"name": name}, **facts)


def interpret_linux(os_release: dict[str, str], today: date) -> Result:
    if not os_release:
        return _result(Status.UNKNOWN, "linux_unreadable")
    key = (os_release.get("ID", "").lower(), os_release.get("VERSION_ID", ""))
    name = os_release.get("PRETTY_NAME") or " ".join(key)
    support = lifecycle.LINUX.get(key)
    facts = {
        "os_release": {
            k: os_release.get(k)
            for k in ("ID", "ID_LIKE", "VERSION_ID", "PRETTY_NAME", "VERSION_CODENAME")
        }
    }
    if support is None:
        return _result(
            Status.UNKNOWN,
            "linux_not_in_table",
            (),
            {"name": name, "as_of": lifecycle.TABLE_AS_OF.isoformat()},
            **facts,
        )
    result = _judge(support, today, None, **facts)
    # A Linux release is upgraded in place, on the same computer: never "replace the system".
    codes = tuple("linux_upgrade" if c == "upgrade" else c for c in result.advice_codes)
    return replace(result, advice_codes=codes)


def run(ctx: CheckContext) -> Result:
    today = datetime.now(UTC).date()
    platform = current_platform()
    if platform == "windows":
        from checks.probes import windows

        return interpret_windows(windows.facts(ctx), today)
    if platform == "macos":
        from checks.probes import macos

        return interpret_macos(macos.sw_vers(ctx), today)
    from checks.probes import linux

    return interpret_linux(linux.os_release(), today)


# Its entries in the catalogue (checks/catalogue.py): what part each plays, and where.
ENTRIES = (
    catalogue.Entry(
        "OS-SUPPORT", __name__, catalogue.AUDIT, catalogue.DEFENCE, fix="updates", order=60
    ),
)

SPECS = (CheckSpec("OS-SUPPORT", TITLE, run, timeout=150.0),)
