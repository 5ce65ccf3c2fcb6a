"""OS-UPDATES: each situation on each system gives exactly one answer (status, reason, advice,
params, words).

Written after mutation testing (docs/mutation.md). Scenarios are built inside the tests (mutmut
credits a function only to the tests that call it). Writing them found: "No update is waiting"
on a Windows PC with an optional update waiting; "last refreshed … days ago" for an apt list
never refreshed; a failed apt or dnf run that hid the tool's own error."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from checks import updates
from tests.recorded import DATA, cmd

NOW_DT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NOW = NOW_DT.timestamp()
APT_TEXT = (DATA / "linux/apt-get-s-upgrade_debian12.txt").read_text(encoding="utf-8")
APT_EMPTY = (
    "Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
)
APT_OTHER = (
    "Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])\n"
    "Conf tzdata (2025b-0+deb12u1 Debian:12.11/stable [all])\n"
    "1 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
)
DNF_TEXT = (DATA / "linux/dnf_check_upgrade_security_fedora42.txt").read_text(encoding="utf-8")


def apt(text, age_days=0.5, auto=None, **sim):
    config = None if auto is None else f'APT::Periodic::Unattended-Upgrade "{int(auto)}";\n'
    simulate = cmd(text, argv=["apt-get", "-s", "upgrade"])
    simulate.update(sim)
    return {
        "manager": "apt",
        "simulate": simulate,
        "stamps": {
            "update_success_stamp": None,
            "lists_newest": None if age_days is None else NOW - age_days * 86400,
        },
        "apt_config": config,
        "unattended_upgrades_installed": bool(auto),
        "now": NOW,
    }


def dnf(security, everything, timers=None, cache_age=0.5):
    return {
        "manager": "dnf",
        "security": security,
        "all": everything,
        "automatic_timers": timers if timers is not None else {"dnf-automatic.timer": "enabled"},
        "cache_newest": None if cache_age is None else NOW - cache_age * 86400,
        "now": NOW,
    }


def win(name="win11_up_to_date", **changes):
    data = json.loads((DATA / f"windows/host/{name}.json").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def installed(days_ago, title="2026-11 累積更新プログラム (KB5068861)", result=2, operation=1):
    return {
        "date": (NOW_DT - timedelta(days=days_ago)).isoformat(),
        "operation": operation,
        "result": result,
        "title": title,
    }


SECURITY_UPDATE = {
    "title": "2026-11 累積更新プログラム (KB5070001)",
    "kb": "5070001",
    "severity": "",
    "categories": ["0fa1201d-4330-4fa8-8ae9-b877473b6441"],
}
OTHER_UPDATE = {
    "title": "Feature pack (KB5070002)",
    "kb": ["5070002"],
    "severity": "",
    "categories": [],
}
MAC_UPDATES = (DATA / "macos/softwareupdate_updates.txt").read_text(encoding="utf-8")
MAC_NONE = (DATA / "macos/softwareupdate_none.stdout").read_text(encoding="utf-8")
MAC_NONE_ERR = (DATA / "macos/softwareupdate_none.stderr").read_text(encoding="utf-8")
MAC_MAJOR = (DATA / "macos/updates/softwareupdate_major_only.txt").read_text(encoding="utf-8")


def mac(stdout, stderr="", scanned=True, last=None, version="15.6", problem=None):
    su = cmd(stdout, stderr=stderr, problem=problem)
    return {
        "softwareupdate": su,
        "last_successful_date": last,
        "scanned_now": scanned,
        "installed_version": version,
        "now": NOW,
    }


APT = {
    "security pending, no automatic updates": lambda: apt(APT_TEXT, auto=False),
    "up to date": lambda: apt(APT_EMPTY, age_days=1, auto=True),
    "only other updates": lambda: apt(APT_OTHER, age_days=1, auto=True),
    "list 8 days old": lambda: apt(APT_EMPTY, age_days=8, auto=True),
    "list 7 days old": lambda: apt(APT_EMPTY, age_days=7, auto=True),
    "list never refreshed": lambda: apt(APT_EMPTY, age_days=None, auto=None),
    "apt missing": lambda: apt("", problem="missing"),
    "apt failed": lambda: apt(
        "", returncode=100, stderr="E: Could not open lock file /var/lib/dpkg/lock-frontend\n"
    ),
    "apt without a summary": lambda: apt("Reading package lists...\n"),
    "apt undecodable": lambda: apt("Reading \ufffd\n", undecodable=True),
}
DNF = {
    "security pending": lambda: dnf(
        cmd(DNF_TEXT, 100), cmd(DNF_TEXT, 100), {"dnf-automatic.timer": "disabled"}
    ),
    "nothing pending": lambda: dnf(cmd("", 0), cmd("", 0)),
    "cache 8 days old": lambda: dnf(cmd("", 0), cmd("", 0), cache_age=8),
    "dnf failed": lambda: dnf(
        cmd("", 1, stderr="Error: Cache-only enabled but no cache for 'fedora'\n"), cmd("", 1)
    ),
}
WINDOWS = {
    "up to date": lambda: win(),
    "service disabled": lambda: win("win11_update_service_disabled"),
    "security pending": lambda: win("win10_22h2_no_esu", update_history=[installed(3)]),
    "other update pending": lambda: win(pending_updates=[OTHER_UPDATE]),
    "search 15 days old": lambda: win(
        update_results={"last_search_success": (NOW_DT - timedelta(days=15)).isoformat()}
    ),
    "search 14 days old": lambda: win(
        update_results={"last_search_success": (NOW_DT - timedelta(days=14)).isoformat()}
    ),
    "last install 46 days ago": lambda: win(update_history=[installed(46)]),
    "last install 45 days ago": lambda: win(update_history=[installed(45)]),
    "only defender definitions installed": lambda: win(
        update_history=[
            installed(1, "Microsoft Defender Antivirus - KB2267602 (Version 1.441.212.0)"),
            installed(60),
        ]
    ),
    "failed install only": lambda: win(update_history=[installed(2, result=4)]),
    "uninstall is not an install": lambda: win(update_history=[installed(2, operation=2)]),
    "no history": lambda: win(update_history=None),
    "search error": lambda: win(errors={"pending_updates": "COMException: 0x80072EE2"}),
    "powershell failed": lambda: {"problem": "timeout", "detail": "no answer in 180 s"},
}
MACOS = {
    "recommended pending": lambda: mac(MAC_UPDATES),
    "nothing, checked now": lambda: mac(MAC_NONE, MAC_NONE_ERR),
    "nothing, checked yesterday": lambda: mac(
        MAC_NONE, MAC_NONE_ERR, scanned=False, last="2026-11-21 08:12:44 +0000"
    ),
    "nothing, checked 60 days ago": lambda: mac(
        MAC_NONE, MAC_NONE_ERR, scanned=False, last="2026-09-23 08:12:44 +0000"
    ),
    "nothing, never checked": lambda: mac(MAC_NONE, MAC_NONE_ERR, scanned=False),
    "only the next major macOS": lambda: mac(MAC_MAJOR),
    "not understood": lambda: mac("Software Update Tool\n"),
    "softwareupdate missing": lambda: mac("", problem="missing"),
}
OTHER = {
    "no package manager": lambda: {"os_release": {"PRETTY_NAME": "Alpine Linux v3.20"}},
    "no package manager, no name": lambda: {},
}


EXPECTED = {
    ("APT", "security pending, no automatic updates"): (
        "warn",
        "security_pending",
        ("apt_upgrade", "apt_automatic"),
        {"n": 133, "s": 81},
        "133 updates are waiting to be installed, 81 of them security fixes.",
        (
            "Install the updates now: open a terminal and run: sudo apt update && sudo apt upgrade",
            "Turn on automatic security updates: sudo apt install unattended-upgrades, then sudo dpkg-reconfigure -plow unattended-upgrades",
        ),
    ),
    ("APT", "up to date"): (
        "pass",
        "up_to_date",
        (),
        {"n": 0, "s": 0},
        "This system is up to date.",
        (),
    ),
    ("APT", "only other updates"): (
        "pass",
        "only_other_updates",
        (),
        {"n": 1, "s": 0},
        "No security update is waiting; 1 other update is available.",
        (),
    ),
    ("APT", "list 8 days old"): (
        "warn",
        "list_stale",
        ("apt_refresh",),
        {"n": 0, "s": 0, "days": 8},
        "No security update is waiting, but the list of available updates was last refreshed 8 days ago, so newer fixes may be missing.",
        ("Refresh the package list (sudo apt update) so that new fixes are found.",),
    ),
    ("APT", "list 7 days old"): (
        "pass",
        "up_to_date",
        (),
        {"n": 0, "s": 0},
        "This system is up to date.",
        (),
    ),
    ("APT", "list never refreshed"): (
        "warn",
        "list_never_refreshed",
        ("apt_refresh",),
        {"n": 0, "s": 0},
        "No security update is waiting, but the list of available updates has never been refreshed, so fixes may be missing.",
        ("Refresh the package list (sudo apt update) so that new fixes are found.",),
    ),
    ("APT", "apt missing"): (
        "unknown",
        "could_not",
        (),
        {"problem": "missing", "detail": "", "error": None},
        "We could not find out which updates are waiting: the tool needed for this is not installed.",
        (),
    ),
    ("APT", "apt failed"): (
        "unknown",
        "could_not",
        (),
        {
            "problem": "failed",
            "detail": "E: Could not open lock file /var/lib/dpkg/lock-frontend",
            "error": None,
        },
        "We could not find out which updates are waiting: the tool failed (E: Could not open lock file /var/lib/dpkg/lock-frontend).",
        (),
    ),
    ("APT", "apt without a summary"): (
        "unknown",
        "could_not",
        (),
        {"problem": "apt_not_understood", "detail": "", "error": None},
        "We could not find out which updates are waiting: apt printed an answer we do not understand.",
        (),
    ),
    ("APT", "apt undecodable"): (
        "unknown",
        "could_not",
        (),
        {"problem": "apt_undecodable", "detail": "", "error": None},
        "We could not find out which updates are waiting: apt printed output that is not valid text.",
        (),
    ),
    ("DNF", "security pending"): (
        "warn",
        "dnf_security_pending",
        ("dnf_upgrade", "dnf_automatic"),
        {"n": 3},
        "3 security updates are waiting to be installed.",
        (
            "Install the updates now: open a terminal and run: sudo dnf upgrade --security",
            "Turn on automatic updates: sudo dnf install dnf-automatic, then enable its timer.",
        ),
    ),
    ("DNF", "nothing pending"): (
        "pass",
        "no_security_pending",
        (),
        {"n": 0},
        "No security update is waiting.",
        (),
    ),
    ("DNF", "cache 8 days old"): (
        "warn",
        "list_stale",
        ("dnf_refresh",),
        {"n": 0, "days": 8},
        "No security update is waiting, but the list of available updates was last refreshed 8 days ago, so newer fixes may be missing.",
        ("Refresh the list of updates: sudo dnf check-update",),
    ),
    ("DNF", "dnf failed"): (
        "unknown",
        "could_not",
        (),
        {
            "problem": "failed",
            "detail": "Error: Cache-only enabled but no cache for 'fedora'",
            "error": None,
        },
        "We could not find out which updates are waiting: the tool failed (Error: Cache-only enabled but no cache for 'fedora').",
        (),
    ),
    ("WINDOWS", "up to date"): (
        "pass",
        "windows_up_to_date",
        (),
        {"n": 0, "s": 0, "days": 10, "date": "2026-11-12"},
        "No update is waiting; the last update was installed on 2026-11-12.",
        (),
    ),
    ("WINDOWS", "service disabled"): (
        "warn",
        "windows_service_disabled",
        ("windows_enable_service",),
        {"n": 0, "s": 0, "days": 100},
        "The Windows Update service is disabled, so this PC gets no security fixes.",
        (
            'The Windows Update service is disabled. Re-enable it: press Windows+R, type services.msc, open "Windows Update", set Startup type to Manual, click Start.',
        ),
    ),
    ("WINDOWS", "security pending"): (
        "warn",
        "security_pending",
        ("windows_install",),
        {"n": 2, "s": 1, "days": 3},
        "2 updates are waiting to be installed, 1 of them security fixes.",
        ("Open Settings > Windows Update, install everything offered and restart the PC.",),
    ),
    ("WINDOWS", "other update pending"): (
        "pass",
        "only_other_updates",
        ("windows_install",),
        {"n": 1, "s": 0, "days": 10},
        "No security update is waiting; 1 other update is available.",
        ("Open Settings > Windows Update, install everything offered and restart the PC.",),
    ),
    ("WINDOWS", "search 15 days old"): (
        "warn",
        "search_stale",
        ("windows_check_now",),
        {"n": 0, "s": 0, "days": 15},
        "Windows Update last looked for updates 15 days ago, so newer fixes may be missing.",
        ('Open Settings > Windows Update and click "Check for updates".',),
    ),
    ("WINDOWS", "search 14 days old"): (
        "pass",
        "windows_up_to_date",
        (),
        {"n": 0, "s": 0, "days": 10, "date": "2026-11-12"},
        "No update is waiting; the last update was installed on 2026-11-12.",
        (),
    ),
    ("WINDOWS", "last install 46 days ago"): (
        "warn",
        "no_install_for_days",
        ("windows_check_now",),
        {"n": 0, "s": 0, "days": 46},
        "No update has been installed successfully for 46 days.",
        ('Open Settings > Windows Update and click "Check for updates".',),
    ),
    ("WINDOWS", "last install 45 days ago"): (
        "pass",
        "windows_up_to_date",
        (),
        {"n": 0, "s": 0, "days": 45, "date": "2026-10-08"},
        "No update is waiting; the last update was installed on 2026-10-08.",
        (),
    ),
    ("WINDOWS", "only defender definitions installed"): (
        "warn",
        "no_install_for_days",
        ("windows_check_now",),
        {"n": 0, "s": 0, "days": 60},
        "No update has been installed successfully for 60 days.",
        ('Open Settings > Windows Update and click "Check for updates".',),
    ),
    ("WINDOWS", "failed install only"): (
        "warn",
        "no_install_record",
        ("windows_check_now",),
        {"n": 0, "s": 0, "days": None},
        "We found no record of a successful update installation.",
        ('Open Settings > Windows Update and click "Check for updates".',),
    ),
    ("WINDOWS", "uninstall is not an install"): (
        "warn",
        "no_install_record",
        ("windows_check_now",),
        {"n": 0, "s": 0, "days": None},
        "We found no record of a successful update installation.",
        ('Open Settings > Windows Update and click "Check for updates".',),
    ),
    ("WINDOWS", "no history"): (
        "warn",
        "no_install_record",
        ("windows_check_now",),
        {"n": 0, "s": 0, "days": None},
        "We found no record of a successful update installation.",
        ('Open Settings > Windows Update and click "Check for updates".',),
    ),
    ("WINDOWS", "search error"): (
        "unknown",
        "could_not",
        (),
        {"problem": "windows_update_error", "detail": "", "error": "COMException: 0x80072EE2"},
        "We could not find out which updates are waiting: Windows Update could not be asked (COMException: 0x80072EE2).",
        (),
    ),
    ("WINDOWS", "powershell failed"): (
        "unknown",
        "could_not",
        (),
        {"problem": "timeout", "detail": "no answer in 180 s", "error": None},
        "We could not find out which updates are waiting: the tool did not answer in time.",
        (),
    ),
    ("MACOS", "recommended pending"): (
        "warn",
        "macos_recommended_pending",
        ("macos_install",),
        {"n": 2},
        "2 recommended updates are waiting to be installed.",
        ("Open System Settings > General > Software Update and install what is offered.",),
    ),
    ("MACOS", "nothing, checked now"): (
        "pass",
        "macos_up_to_date",
        (),
        {},
        "This Mac is up to date.",
        (),
    ),
    ("MACOS", "nothing, checked yesterday"): (
        "pass",
        "macos_up_to_date",
        (),
        {},
        "This Mac is up to date.",
        (),
    ),
    ("MACOS", "nothing, checked 60 days ago"): (
        "warn",
        "macos_not_checked_recently",
        ("macos_check_now",),
        {},
        "No update is listed, but this Mac has not checked for updates recently.",
        ("Open System Settings > General > Software Update to check now.",),
    ),
    ("MACOS", "nothing, never checked"): (
        "warn",
        "macos_not_checked_recently",
        ("macos_check_now",),
        {},
        "No update is listed, but this Mac has not checked for updates recently.",
        ("Open System Settings > General > Software Update to check now.",),
    ),
    ("MACOS", "only the next major macOS"): (
        "pass",
        "macos_up_to_date",
        (),
        {},
        "This Mac is up to date.",
        (),
    ),
    ("MACOS", "not understood"): (
        "unknown",
        "could_not",
        (),
        {"problem": "softwareupdate_not_understood", "detail": "", "error": None},
        "We could not find out which updates are waiting: softwareupdate gave an answer we do not understand.",
        (),
    ),
    ("MACOS", "softwareupdate missing"): (
        "unknown",
        "could_not",
        (),
        {"problem": "missing", "detail": "", "error": None},
        "We could not find out which updates are waiting: the tool needed for this is not installed.",
        (),
    ),
    ("OTHER", "no package manager"): (
        "unknown",
        "no_manager",
        ("other_tool",),
        {"name": "Alpine Linux v3.20"},
        "We could not check for updates: Alpine Linux v3.20 has no package manager we know (apt or dnf).",
        ("Check for updates with your system's own update tool.",),
    ),
    ("OTHER", "no package manager, no name"): (
        "unknown",
        "no_manager",
        ("other_tool",),
        {"name": None},
        "We could not check for updates: this system has no package manager we know (apt or dnf).",
        ("Check for updates with your system's own update tool.",),
    ),
}

INTERPRET = {
    "APT": updates.interpret_apt,
    "DNF": updates.interpret_dnf,
    "WINDOWS": lambda facts: updates.interpret_windows(facts, NOW_DT),
    "MACOS": updates.interpret_macos,
    "OTHER": updates.interpret_no_manager,
}


@pytest.mark.parametrize(("group", "name"), list(EXPECTED), ids=[f"{g}: {n}" for g, n in EXPECTED])
def test_updates_answer(group, name):
    result = INTERPRET[group](globals()[group][name]())
    words = result.words("en")
    status, reason, codes, params, summary, advice = EXPECTED[(group, name)]
    assert (str(result.status), result.reason, result.advice_codes) == (status, reason, codes)
    assert result.params == params
    assert (words.summary, words.advice) == (summary, advice)


def test_apt_facts_name_the_packages():
    facts = updates.interpret_apt(APT["security pending, no automatic updates"]()).facts
    assert (facts["manager"], facts["pending"], facts["security"]) == ("apt", 133, 81)
    assert len(facts["security_packages"]) == 81 and len(facts["other_packages"]) == 52
    assert facts["apt_summary_upgraded"] == 133
    assert facts["package_list_age_days"] == 0.5
    assert facts["automatic_updates"] is False
    assert facts["command"] == "apt-get -s upgrade"
    assert updates.interpret_apt(APT["list never refreshed"]()).facts["automatic_updates"] is None


def test_apt_simulation_parsing():
    parsed = updates.parse_apt_simulation(
        "The following packages have been kept back:\n  linux-image-amd64 firmware-misc\n"
        "Inst libssl3 [3.0.15-1~deb12u1] (3.0.16-1~deb12u1 Debian-Security:12/stable-security,"
        " Debian:12.11/stable [amd64])\n"
        "Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])\n"
        "2 upgraded, 0 newly installed, 0 to remove and 2 not upgraded.\n"
    )
    assert parsed == {
        "packages": [
            {
                "name": "libssl3",
                "from": "3.0.15-1~deb12u1",
                "to": "3.0.16-1~deb12u1",
                "security": True,
            },
            {
                "name": "tzdata",
                "from": "2024a-0+deb12u1",
                "to": "2025b-0+deb12u1",
                "security": False,
            },
        ],
        "kept_back": ["linux-image-amd64", "firmware-misc"],
        "summary_upgraded": 2,
        "summary_not_upgraded": 2,
    }


def test_dnf_facts():
    facts = updates.interpret_dnf(DNF["security pending"]()).facts
    assert (facts["manager"], facts["security"], facts["dnf_exit_code"]) == ("dnf", 3, 100)
    assert facts["automatic_updates"] is False and facts["cache_age_days"] == 0.5
    assert facts["pending"] == len(facts["security_packages"]) == 3


def test_windows_facts():
    facts = updates.interpret_windows(WINDOWS["security pending"](), NOW_DT).facts
    assert (facts["pending"], facts["security"]) == (2, 1)
    assert facts["kb"] == ["KB5071546", "KB890830"]
    assert facts["last_successful_install"] == (NOW_DT - timedelta(days=3)).isoformat()
    assert facts["update_service"]["name"] == "wuauserv"
    stale = updates.interpret_windows(WINDOWS["search 15 days old"](), NOW_DT).facts
    assert stale["last_search_success"] == (NOW_DT - timedelta(days=15)).isoformat()


def test_macos_facts_set_major_upgrades_apart():
    facts = updates.interpret_macos(MACOS["only the next major macOS"]()).facts
    assert facts["updates"] == [] and len(facts["major_upgrades"]) == 1
    assert facts["recommended"] == 0 and facts["restart_required"] is False
    pending = updates.interpret_macos(MACOS["recommended pending"]()).facts
    assert pending["recommended"] == 2 and pending["restart_required"] is True


def test_iso_dates_without_a_zone_are_utc():
    assert updates.parse_iso("2026-11-12T03:14:07") == datetime(2026, 11, 12, 3, 14, 7, tzinfo=UTC)
    assert updates.parse_iso("2026-11-12T03:14:07Z") == datetime(2026, 11, 12, 3, 14, 7, tzinfo=UTC)
    assert updates.parse_iso("yesterday") is None and updates.parse_iso(None) is None
    assert updates.as_list(None) == [] and updates.as_list({"a": 1}) == [{"a": 1}]


CRITICAL = "e6cf1350-c01b-414d-a61f-263d14d133b4"


@pytest.mark.parametrize(
    ("update", "security"),
    [
        (
            {"title": "A (KB1)", "kb": "1", "categories": ["0fa1201d-4330-4fa8-8ae9-b877473b6441"]},
            1,
        ),
        ({"title": "B (KB2)", "kb": "2", "categories": CRITICAL}, 1),  # one category, unwrapped
        ({"title": "C (KB3)", "kb": "3", "severity": "Important", "categories": []}, 1),
        ({"title": "D (KB4)", "kb": "4", "severity": "", "categories": ["28bc880e"]}, 0),
        ({"title": "E (KB5)", "kb": "5"}, 0),
    ],
)
def test_which_windows_updates_are_security_fixes(update, security):
    result = updates.interpret_windows(win(pending_updates=[update]), NOW_DT)
    assert result.facts["security"] == security
    assert result.reason == ("security_pending" if security else "only_other_updates")
    assert result.facts["titles"] == [update["title"]]


def test_windows_facts_say_where_they_come_from():
    facts = updates.interpret_windows(win(), NOW_DT).facts
    assert facts["source"] == "Windows Update's last scan (offline search)"
    assert facts["errors"] == {} and facts["titles"] == []
    failed = updates.interpret_windows(WINDOWS["search error"](), NOW_DT)
    assert failed.facts["errors"] == {"pending_updates": "COMException: 0x80072EE2"}
    assert failed.facts["source"] == "Windows Update's last scan (offline search)"
    down = updates.interpret_windows(WINDOWS["powershell failed"](), NOW_DT)
    assert down.facts["windows"] == {"problem": "timeout", "detail": "no answer in 180 s"}
    assert down.params["detail"] == "no answer in 180 s"
    bare = updates.interpret_windows({"problem": "missing"}, NOW_DT)
    assert bare.params["detail"] == ""


def test_failed_tools_keep_their_run_in_the_facts():
    apt_failed = updates.interpret_apt(APT["apt failed"]())
    assert apt_failed.facts["apt"]["returncode"] == 100
    long_error = apt("", returncode=100, stderr="E: " + "x" * 300)
    assert len(updates.interpret_apt(long_error).params["detail"]) == 200
    unread = updates.interpret_apt(APT["apt without a summary"]())
    assert unread.facts["apt"]["stdout"] == "Reading package lists...\n"
    dnf_failed = updates.interpret_dnf(DNF["dnf failed"]())
    assert dnf_failed.facts["dnf"]["returncode"] == 1
    assert (
        len(updates.interpret_dnf(dnf(cmd("", 1, stderr="E" * 300), cmd("", 1))).params["detail"])
        == 200
    )
    mac_missing = updates.interpret_macos(MACOS["softwareupdate missing"]())
    assert mac_missing.facts["softwareupdate"]["problem"] == "missing"


def test_apt_reads_the_update_stamp_first_and_automatic_updates_need_the_package():
    facts = apt(APT_EMPTY, age_days=30, auto=True)
    facts["stamps"]["update_success_stamp"] = NOW - 86400  # apt update ran yesterday
    result = updates.interpret_apt(facts)
    assert result.reason == "up_to_date" and result.facts["package_list_age_days"] == 1.0
    facts = apt(APT_EMPTY, age_days=1 / 3, auto=None)
    facts["apt_config"] = 'APT::Periodic::Unattended-Upgrade "1";\n'
    del facts["unattended_upgrades_installed"]
    result = updates.interpret_apt(facts)
    assert (
        result.facts["automatic_updates"] is False and result.facts["package_list_age_days"] == 0.3
    )
    assert result.facts["kept_back"] == []


def test_dnf_counts_only_when_dnf_says_updates_exist():
    listing = cmd(DNF_TEXT, 0)  # exit 0: "no updates", whatever was printed
    result = updates.interpret_dnf(dnf(listing, listing))
    assert result.reason == "no_security_pending" and result.facts["pending"] == 0
    seven = updates.interpret_dnf(dnf(cmd("", 0), cmd("", 0), cache_age=7))
    assert seven.reason == "no_security_pending" and seven.facts["cache_age_days"] == 7.0
    none = dnf(cmd("", 0), cmd("", 0), cache_age=None)
    del none["automatic_timers"]
    result = updates.interpret_dnf(none)
    assert result.facts["cache_age_days"] is None and result.facts["automatic_updates"] is False


def test_problem_words_for_codes_from_elsewhere():
    from checks.model import Result, Status

    odd = Result("OS-UPDATES", Status.UNKNOWN, "could_not", {"problem": "weird", "detail": "E: x"})
    assert odd.words("en").summary == "We could not find out which updates are waiting: E: x."
    bare = Result("OS-UPDATES", Status.UNKNOWN, "could_not", {"problem": "weird", "detail": ""})
    assert bare.words("en").summary == (
        "We could not find out which updates are waiting: the tool failed."
    )
    no_error = Result(
        "OS-UPDATES", Status.UNKNOWN, "could_not", {"problem": "windows_update_error"}
    )
    assert no_error.words("en").summary.endswith("Windows Update could not be asked ().")


def test_softwareupdate_listing_fields():
    items = updates.parse_softwareupdate(MAC_UPDATES)
    assert items and all(
        set(i) == {"label", "title", "version", "recommended", "restart"} for i in items
    )
    assert any(i["restart"] for i in items) and any(not i["restart"] for i in items)
    assert items[0]["label"] == items[0]["label"].strip() and items[0]["label"]
    facts = updates.interpret_macos(MACOS["nothing, checked yesterday"]()).facts
    assert facts["last_successful_check"] == "2026-11-21 08:12:44 +0000"
    assert facts["scanned_now"] is False


def test_dnf_list_stops_at_obsoleting_and_names_packages():
    text = (
        "kernel.x86_64   6.12.5-200.fc42   updates\n"
        "openssl-libs.x86_64   1:3.2.4-1.fc42   updates\n"
        "Obsoleting Packages\n"
        "grub2-tools.x86_64   1:2.12-10.fc42   updates\n"
    )
    assert updates.parse_dnf_list(text) == ["kernel", "openssl-libs"]


def test_apt_origins_and_automatic_updates():
    parsed = updates.parse_apt_simulation(
        "Inst a [1] (2 Debian-Security:12/stable-security [amd64])\n"
        "Inst b [1] (2 local-security [amd64])\n"
        "2 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
    )
    assert [p["security"] for p in parsed["packages"]] == [True, True]
    parsed = updates.parse_apt_simulation(
        "Inst c [1] (2 Debian:12.11/stable-security-not [amd64])\n"
        "1 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
    )
    assert parsed["packages"][0]["security"] is False
    config = 'APT::Periodic::Unattended-Upgrade "1";\n'
    assert updates._auto_updates_on(config, True) is True
    assert updates._auto_updates_on(config, False) is False
    assert updates._auto_updates_on('APT::Periodic::Unattended-Upgrade "0";\n', True) is False
    assert updates._auto_updates_on("// nothing\n", True) is False
    assert updates._auto_updates_on(None, True) is None
