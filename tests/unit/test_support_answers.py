"""OS-SUPPORT: each system and version gives exactly one answer (status, reason, advice,
params, words).

Written after mutation testing (docs/mutation.md). Scenarios are built inside the tests (mutmut
credits a function only to the tests that call it). Writing them found that a Windows 10 whose
ESU licences could not be read was said to be "enrolled in Extended Security Updates"; it is
now "could not tell" with how to check, like a PC where no licence was found."""

import json
from datetime import date

import pytest

from checks import support
from tests.recorded import DATA

TODAY = date(2026, 11, 22)


def win(name="win11_up_to_date", os_changes=None, **changes):
    data = json.loads((DATA / f"windows/host/{name}.json").read_text(encoding="utf-8"))
    data["os"].update(os_changes or {})
    data.update(changes)
    return data


def sw(version):
    return {
        "stdout": f"ProductName:\t\tmacOS\nProductVersion:\t\t{version}\nBuildVersion:\t\t24G84\n",
        "returncode": 0,
        "problem": None,
    }


LICENCE = [{"name": "Windows(R), Client-ESU-Year1 add-on for Professional", "license_status": 1}]
WINDOWS = {
    "windows 11 25H2": lambda: (win(), TODAY),
    "windows 10 22H2, no ESU licence seen": lambda: (win("win10_22h2_no_esu"), TODAY),
    "windows 10 22H2, ESU licence": lambda: (win("win10_22h2_no_esu", esu=LICENCE), TODAY),
    "windows 10 22H2, licences unreadable": lambda: (
        win("win10_22h2_no_esu", errors={"esu": "access denied"}),
        TODAY,
    ),
    "windows 10 22H2 after ESU": lambda: (
        win("win10_22h2_no_esu", esu=LICENCE),
        date(2027, 10, 14),
    ),
    "windows 10 21H2 home": lambda: (
        win("win10_no_av", os_changes={"build": 19044, "display_version": "21H2"}),
        TODAY,
    ),
    "windows 10 1909": lambda: (
        win("win10_no_av", os_changes={"build": 18363, "display_version": "1909"}),
        TODAY,
    ),
    "windows 7": lambda: (
        win(
            "win10_no_av", os_changes={"build": 7600, "caption": "Microsoft Windows 7 Home Premium"}
        ),
        TODAY,
    ),
    "LTSC 2021": lambda: (
        win("win10_no_av", os_changes={"build": 19044, "edition_id": "EnterpriseS"}),
        TODAY,
    ),
    "LTSC of an unknown build": lambda: (
        win("win10_no_av", os_changes={"build": 27000, "edition_id": "EnterpriseS"}),
        TODAY,
    ),
    "a build newer than the table": lambda: (win(os_changes={"build": 28000}), TODAY),
    "server": lambda: (win("server2022"), TODAY),
    "unreadable": lambda: ({"problem": "timeout", "detail": "no answer"}, TODAY),
}
MACOS = {
    "macOS 15": lambda: (sw("15.6"), TODAY),
    "macOS 12": lambda: (sw("12.7.6"), TODAY),
    "macOS 10.15": lambda: (sw("10.15.7"), TODAY),
    "macOS newer than the table": lambda: (sw("99.0"), TODAY),
    "unreadable": lambda: ({"stdout": "", "problem": "missing"}, TODAY),
}
LINUX = {
    "debian 12": lambda: (
        {"ID": "debian", "VERSION_ID": "12", "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)"},
        TODAY,
    ),
    "ubuntu 20.04": lambda: (
        {"ID": "ubuntu", "VERSION_ID": "20.04", "PRETTY_NAME": "Ubuntu 20.04.6 LTS"},
        TODAY,
    ),
    "debian 10": lambda: (
        {"ID": "debian", "VERSION_ID": "10", "PRETTY_NAME": "Debian GNU/Linux 10 (buster)"},
        TODAY,
    ),
    "unknown distribution": lambda: ({"ID": "gentoo", "VERSION_ID": "2.17"}, TODAY),
    "no os-release": lambda: ({}, TODAY),
}


# A Linux release is upgraded in place: never "replace the system" (issue 32).
LINUX_UPGRADE = (
    "Upgrade to a supported release with the system's own upgrade (Ubuntu: sudo"
    " do-release-upgrade; Debian: the upgrading chapter of the new release's notes). It runs on"
    " the same computer."
)
EXPECTED = {
    ("WINDOWS", "windows 11 25H2"): (
        "pass",
        "supported",
        (),
        {
            "name": "Windows 11 25H2",
            "date": "2027-10-12",
            "ended": "2027-10-12",
            "extended": None,
            "until": None,
        },
        "Windows 11 25H2 still receives security fixes (until 2027-10-12).",
        (),
    ),
    ("WINDOWS", "windows 10 22H2, no ESU licence seen"): (
        "unknown",
        "esu_not_found",
        ("check_esu", "upgrade"),
        {
            "name": "Windows 10 22H2",
            "date": "2025-10-14",
            "ended": "2025-10-14",
            "extended": "Extended Security Updates",
            "until": "2027-10-12",
        },
        "Regular support for Windows 10 22H2 ended on 2025-10-14. We found no Extended Security Updates licence on this PC, but enrolment through a Microsoft account may not show where we look, so we cannot tell whether it still gets fixes.",
        (
            'Open Settings > Update & Security > Windows Update: if it says "Your PC is enrolled to get Extended Security Updates", it still gets fixes; if not, enrol there.',
            "Upgrade to a supported version, or replace the system if it cannot be upgraded.",
        ),
    ),
    ("WINDOWS", "windows 10 22H2, ESU licence"): (
        "warn",
        "esu_enrolled",
        ("upgrade",),
        {
            "name": "Windows 10 22H2",
            "date": "2025-10-14",
            "ended": "2025-10-14",
            "extended": "Extended Security Updates",
            "until": "2027-10-12",
        },
        "Regular support for Windows 10 22H2 ended on 2025-10-14; this PC is enrolled in Extended Security Updates, which run until 2027-10-12.",
        ("Upgrade to a supported version, or replace the system if it cannot be upgraded.",),
    ),
    ("WINDOWS", "windows 10 22H2, licences unreadable"): (
        "unknown",
        "esu_unreadable",
        ("check_esu", "upgrade"),
        {
            "name": "Windows 10 22H2",
            "date": "2025-10-14",
            "ended": "2025-10-14",
            "extended": "Extended Security Updates",
            "until": "2027-10-12",
        },
        "Regular support for Windows 10 22H2 ended on 2025-10-14. We could not read this PC's Extended Security Updates licences, so we cannot tell whether it still gets fixes.",
        (
            'Open Settings > Update & Security > Windows Update: if it says "Your PC is enrolled to get Extended Security Updates", it still gets fixes; if not, enrol there.',
            "Upgrade to a supported version, or replace the system if it cannot be upgraded.",
        ),
    ),
    ("WINDOWS", "windows 10 22H2 after ESU"): (
        "fail",
        "ended",
        ("upgrade",),
        {
            "name": "Windows 10 22H2",
            "date": "2025-10-14",
            "ended": "2025-10-14",
            "extended": "Extended Security Updates",
            "until": "2027-10-12",
        },
        "Windows 10 22H2 no longer receives security fixes (support ended on 2025-10-14).",
        ("Upgrade to a supported version, or replace the system if it cannot be upgraded.",),
    ),
    ("WINDOWS", "windows 10 21H2 home"): (
        "fail",
        "ended_by",
        ("upgrade",),
        {
            "name": "Windows 10 (21H2)",
            "date": "2023-06-13",
            "ended": "2023-06-13",
            "extended": None,
            "until": None,
        },
        "Windows 10 (21H2) no longer receives security fixes (support ended on 2023-06-13 at the latest).",
        ("Upgrade to a supported version, or replace the system if it cannot be upgraded.",),
    ),
    ("WINDOWS", "windows 10 1909"): (
        "fail",
        "ended_by",
        ("upgrade",),
        {
            "name": "Windows 10 (1909)",
            "date": "2023-06-13",
            "ended": "2023-06-13",
            "extended": None,
            "until": None,
        },
        "Windows 10 (1909) no longer receives security fixes (support ended on 2023-06-13 at the latest).",
        ("Upgrade to a supported version, or replace the system if it cannot be upgraded.",),
    ),
    ("WINDOWS", "windows 7"): (
        "fail",
        "ended_by",
        ("upgrade",),
        {
            "name": "Microsoft Windows 7 Home Premium",
            "date": "2023-01-10",
            "ended": "2023-01-10",
            "extended": None,
            "until": None,
        },
        "Microsoft Windows 7 Home Premium no longer receives security fixes (support ended on 2023-01-10 at the latest).",
        ("Upgrade to a supported version, or replace the system if it cannot be upgraded.",),
    ),
    ("WINDOWS", "LTSC 2021"): (
        "warn",
        "ends_soon",
        ("upgrade",),
        {
            "name": "Windows 10 Enterprise LTSC 2021",
            "date": "2027-01-12",
            "ended": "2027-01-12",
            "extended": None,
            "until": None,
        },
        "Windows 10 Enterprise LTSC 2021 gets security fixes only until 2027-01-12.",
        ("Upgrade to a supported version, or replace the system if it cannot be upgraded.",),
    ),
    ("WINDOWS", "LTSC of an unknown build"): (
        "unknown",
        "windows_build_newer",
        (),
        {"build": 27000, "as_of": "2026-11-22"},
        "Windows build 27000 is newer than our support table (2026-11-22).",
        (),
    ),
    ("WINDOWS", "a build newer than the table"): (
        "unknown",
        "windows_build_newer",
        (),
        {"build": 28000, "as_of": "2026-11-22"},
        "Windows build 28000 is newer than our support table (2026-11-22).",
        (),
    ),
    ("WINDOWS", "server"): (
        "unknown",
        "windows_server",
        (),
        {"caption": "Microsoft Windows Server 2022 Standard"},
        "Microsoft Windows Server 2022 Standard is a server edition; its support dates are not in our table.",
        (),
    ),
    ("WINDOWS", "unreadable"): (
        "unknown",
        "windows_unreadable",
        (),
        {},
        "We could not read which Windows version this is.",
        (),
    ),
    ("MACOS", "macOS 15"): (
        "pass",
        "macos_supported",
        (),
        {"name": "macOS Sequoia 15"},
        "macOS Sequoia 15 still receives security fixes (Apple supports the three newest versions).",
        (),
    ),
    ("MACOS", "macOS 12"): (
        "fail",
        "macos_ended",
        ("macos_upgrade",),
        {"name": "macOS Monterey 12"},
        "macOS Monterey 12 no longer receives all security fixes: Apple supports only the three newest versions.",
        (
            "Upgrade macOS in System Settings > General > Software Update, or replace the Mac if it cannot be upgraded.",
        ),
    ),
    ("MACOS", "macOS 10.15"): (
        "fail",
        "macos_ended",
        ("macos_upgrade",),
        {"name": "macOS 10.15.7"},
        "macOS 10.15.7 no longer receives all security fixes: Apple supports only the three newest versions.",
        (
            "Upgrade macOS in System Settings > General > Software Update, or replace the Mac if it cannot be upgraded.",
        ),
    ),
    ("MACOS", "macOS newer than the table"): (
        "pass",
        "macos_newer",
        (),
        {"version": "99.0"},
        "macOS 99.0 is newer than our table: it is current.",
        (),
    ),
    ("MACOS", "unreadable"): (
        "unknown",
        "macos_unreadable",
        (),
        {},
        "We could not read which macOS version this is.",
        (),
    ),
    ("LINUX", "debian 12"): (
        "warn",
        "extended_support",
        ("linux_upgrade",),
        {
            "name": "Debian 12",
            "date": "2026-06-10",
            "ended": "2026-06-10",
            "extended": "LTS",
            "until": "2028-06-30",
        },
        "Regular security support for Debian 12 ended on 2026-06-10; fixes continue for fewer packages through LTS until 2028-06-30.",
        (LINUX_UPGRADE,),
    ),
    ("LINUX", "ubuntu 20.04"): (
        "warn",
        "extended_support",
        ("linux_upgrade",),
        {
            "name": "Ubuntu 20.04 LTS",
            "date": "2025-05-31",
            "ended": "2025-05-31",
            "extended": "ESM",
            "until": "2030-04-30",
        },
        "Regular security support for Ubuntu 20.04 LTS ended on 2025-05-31; fixes continue for fewer packages through ESM until 2030-04-30.",
        (LINUX_UPGRADE,),
    ),
    ("LINUX", "debian 10"): (
        "fail",
        "ended",
        ("linux_upgrade",),
        {
            "name": "Debian 10",
            "date": "2022-09-10",
            "ended": "2022-09-10",
            "extended": "LTS",
            "until": "2024-06-30",
        },
        "Debian 10 no longer receives security fixes (support ended on 2022-09-10).",
        (LINUX_UPGRADE,),
    ),
    ("LINUX", "unknown distribution"): (
        "unknown",
        "linux_not_in_table",
        (),
        {"name": "gentoo 2.17", "as_of": "2026-11-22"},
        "gentoo 2.17 is not in our support table (2026-11-22); check its end-of-life date with the distribution.",
        (),
    ),
    ("LINUX", "no os-release"): (
        "unknown",
        "linux_unreadable",
        (),
        {},
        "We could not read which Linux distribution this is (no /etc/os-release).",
        (),
    ),
}

INTERPRET = {
    "WINDOWS": support.interpret_windows,
    "MACOS": support.interpret_macos,
    "LINUX": support.interpret_linux,
}


@pytest.mark.parametrize(("group", "name"), list(EXPECTED), ids=[f"{g}: {n}" for g, n in EXPECTED])
def test_support_answer(group, name):
    result = INTERPRET[group](*globals()[group][name]())
    words = result.words("en")
    status, reason, codes, params, summary, advice = EXPECTED[(group, name)]
    assert (str(result.status), result.reason, result.advice_codes) == (status, reason, codes)
    assert result.params == params
    assert (words.summary, words.advice) == (summary, advice)


def test_windows_facts():
    facts = support.interpret_windows(*WINDOWS["windows 10 22H2, ESU licence"]()).facts
    assert (facts["caption"], facts["build"], facts["display_version"]) == (
        "Microsoft Windows 10 Pro",
        19045,
        "22H2",
    )
    assert facts["edition"] == "Professional" and facts["esu_licences"] == LICENCE
    assert (facts["support_ends"], facts["extended_until"]) == ("2025-10-14", "2027-10-12")
    assert facts["extended_name"] == "Extended Security Updates"
    assert facts["table_as_of"] == "2026-11-22"
    unreadable = support.interpret_windows({"errors": {"os": "CimException"}}, TODAY).facts
    assert unreadable == {"windows_error": "CimException"}


def test_support_ending_within_90_days_warns_and_on_its_last_day_still_supported():
    from checks import lifecycle

    ends = lifecycle.WINDOWS[(26200, "home")].ends
    for days_before, reason in ((91, "supported"), (90, "ends_soon"), (0, "ends_soon")):
        today = date.fromordinal(ends.toordinal() - days_before)
        assert support.interpret_windows(win(), today).reason == reason, days_before
    after = date.fromordinal(ends.toordinal() + 1)
    assert support.interpret_windows(win(), after).reason == "ended"


def test_macos_facts():
    facts = support.interpret_macos(*MACOS["macOS 15"]()).facts
    assert facts["version"] == "15.6" and facts["table_as_of"] == "2026-11-22"
    assert 15 in facts["supported_majors"] and 12 not in facts["supported_majors"]


def test_linux_facts_keep_only_the_release_fields():
    release = {
        "ID": "debian",
        "VERSION_ID": "12",
        "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)",
        "HOME_URL": "https://www.debian.org/",
        "VERSION_CODENAME": "bookworm",
    }
    facts = support.interpret_linux(release, TODAY).facts
    assert facts["os_release"] == {
        "ID": "debian",
        "ID_LIKE": None,
        "VERSION_ID": "12",
        "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)",
        "VERSION_CODENAME": "bookworm",
    }


@pytest.mark.parametrize(
    ("build", "edition", "reason", "name"),
    [
        (9200, "Core", "ended_by", "Microsoft Windows 8"),  # older than 10, missing from the table
        (7601, "Core", "ended", "Windows 7 SP1"),
        (9600, "Core", "ended", "Windows 8.1"),
        (10240, "Core", "ended_by", "Windows 10 (1507)"),
        (19044, "Professional", "ended_by", "Windows 10 (21H2)"),
        (19045, "Professional", "esu_not_found", "Windows 10 22H2"),
        (19045, "Enterprise", "esu_not_found", "Windows 10 22H2"),
        (19044, "EnterpriseS", "ends_soon", "Windows 10 Enterprise LTSC 2021"),
        (19044, "IoTEnterpriseS", "supported", "Windows 10 IoT Enterprise LTSC 2021"),
        (26100, "EnterpriseS", "supported", "Windows 11 Enterprise LTSC 2024"),
        (26200, "Enterprise", "supported", "Windows 11 25H2"),
        (22631, "Professional", "ended", "Windows 11 23H2"),
        (22631, "Enterprise", "ended", "Windows 11 23H2"),  # 2026-11-10
    ],
)
def test_windows_builds_and_editions(build, edition, reason, name):
    caption = "Microsoft Windows 8" if build == 9200 else "Microsoft Windows"
    os_changes = {"build": build, "edition_id": edition, "caption": caption}
    if build == 10240:
        os_changes["display_version"] = "1507"
    elif build == 19044:
        os_changes["display_version"] = "21H2"
    result = support.interpret_windows(win("win10_no_av", os_changes=os_changes), TODAY)
    assert (result.reason, result.params["name"]) == (reason, name)
    assert result.facts["name"] == name and result.facts["build"] == build
    assert result.facts["table_as_of"] == "2026-11-22"


def test_builds_the_table_does_not_know():
    ltsc = support.interpret_windows(
        win("win10_no_av", os_changes={"build": 17134, "edition_id": "EnterpriseS"}), TODAY
    )
    assert ltsc.reason == "windows_build_newer"  # never judged by the Home/Pro dates
    assert ltsc.facts["edition"] == "EnterpriseS" and ltsc.facts["build"] == 17134
    newer = support.interpret_windows(win(os_changes={"build": 28000}), TODAY)
    assert newer.facts["caption"] == "Microsoft Windows 11 Pro"
    server = support.interpret_windows(win("server2022"), TODAY)
    assert server.facts["display_version"] == "21H2" and server.facts["build"] == 20348
    no_type = win(os_changes={"product_type": None})
    assert support.interpret_windows(no_type, TODAY).reason == "supported"
    detail = support.interpret_windows({"problem": "timeout", "detail": "no answer"}, TODAY)
    assert detail.facts == {"windows_error": "no answer"}


def test_every_answer_keeps_the_dates_it_rests_on():
    for build_scenario in ("windows 11 25H2", "windows 10 22H2, ESU licence", "windows 7"):
        facts = support.interpret_windows(*WINDOWS[build_scenario]()).facts
        assert (facts["support_ends"] == facts["name"] and False) or facts["support_ends"]
        assert {"extended_until", "extended_name", "table_as_of"} <= set(facts)
    ended = support.interpret_windows(*WINDOWS["windows 10 22H2 after ESU"]())
    assert ended.facts["extended_until"] == "2027-10-12"
    last_day = support.interpret_windows(win("win10_22h2_no_esu", esu=LICENCE), date(2027, 10, 12))
    assert last_day.reason == "esu_enrolled"  # the last day of ESU still counts
    mac = support.interpret_macos(*MACOS["macOS 12"]())
    assert mac.facts["version"] == "12.7.6" and 12 not in mac.facts["supported_majors"]
    newest = max(support.lifecycle.MACOS_MAJORS)
    assert support.interpret_macos(sw(f"{newest}.0"), TODAY).reason in (
        "macos_supported",
        "macos_ended",
    )
    assert support.interpret_macos(sw(f"{newest + 1}.0"), TODAY).reason == "macos_newer"
    assert support.interpret_macos(sw("10.15.7"), TODAY).params == {"name": "macOS 10.15.7"}
    old = support.interpret_macos(sw("10.14"), TODAY)
    assert (old.reason, old.facts["version"]) == ("macos_ended", "10.14")
    unread = support.interpret_macos({"stdout": "", "problem": "missing"}, TODAY)
    assert unread.facts["sw_vers"]["problem"] == "missing"


def test_linux_names_and_keys():
    known = support.interpret_linux({"ID": "Debian", "VERSION_ID": "12"}, TODAY)
    assert known.params["name"] == "Debian 12" and known.reason == "extended_support"
    named = support.interpret_linux({"ID": "Gentoo", "VERSION_ID": "2.17"}, TODAY)
    assert named.params["name"] == "gentoo 2.17"
    assert support.interpret_linux({"VERSION_ID": "12"}, TODAY).params["name"] == " 12"
    assert support.interpret_linux({"ID": "debian"}, TODAY).params["name"] == "debian "
    ended = support.interpret_linux(*LINUX["debian 10"]())
    assert ended.facts["support_ends"] == "2022-09-10" and ended.facts["name"] == "Debian 10"


def test_an_enterprise_windows_7_or_8_1_is_read_from_the_home_table():
    r = support.interpret_windows(
        win("win10_no_av", os_changes={"build": 7601, "edition_id": "Enterprise"}), TODAY
    )
    assert (r.status, r.reason, r.params["name"], r.params["date"]) == (
        "fail",
        "ended",
        "Windows 7 SP1",
        "2020-01-14",
    )


def test_an_old_windows_without_a_caption_is_still_named():
    r = support.interpret_windows(
        win("win10_no_av", os_changes={"build": 7600, "caption": None}), TODAY
    )
    assert (r.status, r.reason, r.params["name"]) == ("fail", "ended_by", "Windows")


def test_a_reported_problem_wins_over_half_read_facts():
    r = support.interpret_windows({**win(), "problem": "timeout", "detail": "no answer"}, TODAY)
    assert (r.status, r.reason) == ("unknown", "windows_unreadable")
