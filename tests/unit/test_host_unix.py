"""Host hygiene on Linux and macOS, from recorded command output."""

from datetime import UTC, date, datetime

from checks import antivirus, clock, firewall, support, updates
from checks.model import Status
from tests.recorded import DATA, cmd

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC).timestamp()


def apt_facts(text, age_days=0.5, auto=None):
    config = None if auto is None else f'APT::Periodic::Unattended-Upgrade "{int(auto)}";\n'
    return {
        "manager": "apt",
        "simulate": cmd(text, argv=["apt-get", "-s", "upgrade"]),
        "stamps": {"update_success_stamp": None, "lists_newest": NOW - age_days * 86400},
        "apt_config": config,
        "unattended_upgrades_installed": bool(auto),
        "now": NOW,
    }


def test_debian_security_updates_counted_like_apt():
    text = (DATA / "linux/apt-get-s-upgrade_debian12.txt").read_text(encoding="utf-8")
    r = updates.interpret_apt(apt_facts(text, auto=False))
    # What `apt-get -s upgrade` shows by hand: 133 "Inst" lines, 81 from a -security archive.
    assert r.facts["pending"] == 133 == r.facts["apt_summary_upgraded"]
    assert r.facts["security"] == 81
    assert r.status == Status.WARN
    assert r.summary == "133 updates are waiting to be installed, 81 of them security fixes."
    assert any("unattended-upgrades" in a for a in r.advice)


def test_debian_up_to_date_but_stale_list_is_not_a_pass():
    empty = (
        "Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
    )
    assert updates.interpret_apt(apt_facts(empty, age_days=1, auto=True)).status == Status.PASS
    stale = updates.interpret_apt(apt_facts(empty, age_days=40, auto=True))
    assert stale.status == Status.WARN and "40 days" in stale.summary


def test_apt_failures_are_unknown():
    for sim in (
        cmd(problem="missing"),
        cmd(problem="timeout"),
        cmd(returncode=100, stderr="E: Could not open lock file"),
    ):
        facts = apt_facts("")
        facts["simulate"] = sim
        assert updates.interpret_apt(facts).status == Status.UNKNOWN


def test_fedora_exit_100_means_security_updates():
    text = (DATA / "linux/dnf_check_upgrade_security_fedora42.txt").read_text(encoding="utf-8")
    facts = {
        "manager": "dnf",
        "security": cmd(text, 100),
        "all": cmd(text, 100),
        "automatic_timers": {"dnf-automatic.timer": "disabled"},
        "cache_newest": NOW,
        "now": NOW,
    }
    r = updates.interpret_dnf(facts)
    assert r.status == Status.WARN and r.facts["security"] == 3
    facts["security"] = cmd("", 0)
    assert updates.interpret_dnf(facts).status == Status.PASS
    facts["security"] = cmd("", 1, stderr="Error: Cache-only enabled but no cache for 'fedora'")
    assert updates.interpret_dnf(facts).status == Status.UNKNOWN


def test_no_package_manager_is_unknown():
    r = updates.interpret_no_manager(
        {"manager": None, "os_release": {"PRETTY_NAME": "Alpine Linux v3.20"}}
    )
    assert r.status == Status.UNKNOWN and "Alpine" in r.summary


def test_macos_softwareupdate_with_and_without_updates():
    listing = (DATA / "macos/softwareupdate_updates.txt").read_text(encoding="utf-8")
    r = updates.interpret_macos(
        {
            "softwareupdate": cmd(listing),
            "last_successful_date": None,
            "scanned_now": True,
            "now": NOW,
        }
    )
    assert r.status == Status.WARN and r.facts["recommended"] == 2 and r.facts["restart_required"]
    none = {
        "softwareupdate": cmd(
            (DATA / "macos/softwareupdate_none.stdout").read_text(encoding="utf-8"),
            stderr=(DATA / "macos/softwareupdate_none.stderr").read_text(encoding="utf-8"),
        ),
        "last_successful_date": "2026-11-21 08:12:44 +0000",
        "scanned_now": False,
        "now": NOW,
    }
    assert updates.interpret_macos(none).status == Status.PASS
    none["last_successful_date"] = "2026-09-01 08:12:44 +0000"
    assert updates.interpret_macos(none).status == Status.WARN


def test_os_support_linux_and_macos():
    deb12 = support.interpret_linux(
        {"ID": "debian", "VERSION_ID": "12", "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)"}, TODAY
    )
    assert deb12.status == Status.WARN and "LTS" in deb12.summary
    deb11 = support.interpret_linux({"ID": "debian", "VERSION_ID": "11"}, TODAY)
    assert deb11.status == Status.FAIL
    assert (
        support.interpret_linux({"ID": "ubuntu", "VERSION_ID": "24.04"}, TODAY).status
        == Status.PASS
    )
    assert support.interpret_linux({"ID": "arch"}, TODAY).status == Status.UNKNOWN
    assert support.interpret_linux({}, TODAY).status == Status.UNKNOWN
    mac15 = support.interpret_macos(
        cmd((DATA / "macos/sw_vers_15.txt").read_text(encoding="utf-8")), TODAY
    )
    assert mac15.status == Status.PASS
    mac13 = support.interpret_macos(
        cmd((DATA / "macos/sw_vers_13.txt").read_text(encoding="utf-8")), TODAY
    )
    assert mac13.status == Status.FAIL


def test_linux_antivirus():
    assert antivirus.interpret_linux({"now": NOW, "scanners": {}}).status == Status.WARN
    fresh = {
        "now": NOW,
        "scanners": {
            "clamav": {
                "version": cmd("ClamAV 1.0.9/27828/Sat Nov 21 09:27:35 2026\n"),
                "databases": {},
            }
        },
        "daemons": ["freshclam"],
    }
    r = antivirus.interpret_linux(fresh)
    assert r.status == Status.PASS and r.facts["signatures_date"].startswith("2026-11-21")
    old = {
        "now": NOW,
        "scanners": {
            "clamav": {
                "version": cmd("ClamAV 1.0.9/27000/Mon Sep  1 09:27:35 2026\n"),
                "databases": {},
            }
        },
    }
    assert antivirus.interpret_linux(old).status == Status.WARN
    infected = dict(
        fresh,
        scan={
            "targets": ["/home/u"],
            "stdout": "/home/u/.cache/x/svchost: Unix.Trojan.Mirai-1234 FOUND\n",
            "returncode": 1,
            "problem": None,
        },
    )
    r = antivirus.interpret_linux(infected)
    assert r.status == Status.FAIL and "svchost" in r.facts["scan"]["found"][0]


def test_macos_xprotect():
    r = antivirus.interpret_macos(
        {"path": "/Library/x", "version": "5324", "modified": NOW - 3 * 86400, "now": NOW}
    )
    assert r.status == Status.PASS and "5324" in r.summary
    assert (
        antivirus.interpret_macos(
            {"path": "/x", "version": "1", "modified": NOW - 90 * 86400, "now": NOW}
        ).status
        == Status.WARN
    )


def test_linux_firewall():
    none = {"tools": {"ufw": None, "firewall-cmd": None, "nft": None, "iptables": None}}
    assert firewall.interpret_linux(none).status == Status.WARN
    ufw = {
        "tools": {"ufw": "/usr/sbin/ufw"},
        "ufw": cmd((DATA / "linux/ufw_status_active.txt").read_text(encoding="utf-8")),
    }
    assert firewall.interpret_linux(ufw).status == Status.PASS
    denied = {
        "tools": {"ufw": "/usr/sbin/ufw"},
        "ufw": cmd("", 1, stderr="ERROR: You need to be root to run this script"),
    }
    assert firewall.interpret_linux(denied).status == Status.UNKNOWN
    accept_all = {
        "tools": {"nft": "/usr/sbin/nft"},
        "nft": cmd((DATA / "linux/nft_ruleset_debian_default.txt").read_text(encoding="utf-8")),
    }
    assert firewall.interpret_linux(accept_all).status == Status.WARN
    dropping = {
        "tools": {"iptables": "/usr/sbin/iptables"},
        "iptables": cmd("-P INPUT DROP\n-A INPUT -i lo -j ACCEPT\n"),
    }
    assert firewall.interpret_linux(dropping).status == Status.PASS


def test_macos_firewall():
    on = {
        "global": cmd("Firewall is enabled. (State = 1)\n"),
        "stealth": cmd("Firewall stealth mode is on\n"),
    }
    off = {"global": cmd("Firewall is disabled. (State = 0)\n"), "stealth": cmd("")}
    assert firewall.interpret_macos(on).status == Status.PASS
    assert firewall.interpret_macos(off).status == Status.WARN
    assert (
        firewall.interpret_macos({"global": cmd(problem="missing"), "stealth": cmd()}).status
        == Status.UNKNOWN
    )


def test_linux_clock():
    synced = {"timedatectl": cmd("NTPSynchronized=yes\nNTP=yes\nTimezone=Asia/Tokyo\n")}
    assert clock.interpret_linux(synced).status == Status.PASS
    unsynced = {"timedatectl": cmd("NTPSynchronized=no\nNTP=no\nTimezone=UTC\n")}
    assert clock.interpret_linux(unsynced).status == Status.WARN
    chrony = {
        "timedatectl": cmd("", 1, stderr="System has not been booted with systemd"),
        "chronyc": cmd((DATA / "linux/chronyc_tracking.txt").read_text(encoding="utf-8")),
    }
    assert clock.interpret_linux(chrony).status == Status.PASS
    no_systemd = {
        "pid1": "process_api",
        "timedatectl": cmd(
            "",
            1,
            stderr="System has not been booted with systemd as init system (PID 1). Can't operate.",
        ),
    }
    r = clock.interpret_linux(no_systemd)
    assert r.status == Status.UNKNOWN and "process_api" in r.summary
    assert clock.interpret_linux({"pid1": "init"}).status == Status.UNKNOWN


def test_macos_clock():
    assert clock.interpret_macos({"systemsetup": cmd("Network Time: On\n")}).status == Status.PASS
    assert clock.interpret_macos({"systemsetup": cmd("Network Time: Off\n")}).status == Status.WARN
    needs = {"systemsetup": cmd("You need administrator access to run this tool... exiting!\n")}
    assert clock.interpret_macos(needs).status == Status.UNKNOWN


def test_macos_the_next_major_version_is_not_a_missing_update():
    """Real listing (see the .source files): macOS 27 is offered "Recommended: YES" to a Mac
    on 26.7. An upgrade the user may choose is not a missing fix for the installed version."""

    def facts(name):
        return {
            "softwareupdate": cmd((DATA / f"macos/updates/{name}.txt").read_text(encoding="utf-8")),
            "last_successful_date": None,
            "scanned_now": True,
            "installed_version": "26.7",
            "now": NOW,
        }

    only_major = updates.interpret_macos(facts("softwareupdate_major_only"))
    assert only_major.status == Status.PASS
    assert [u["version"] for u in only_major.facts["major_upgrades"]] == ["27"]
    both = updates.interpret_macos(facts("softwareupdate_major_and_minor"))
    assert both.status == Status.WARN and both.facts["recommended"] == 1
    unknown_version = facts("softwareupdate_major_only")
    unknown_version["installed_version"] = None  # cannot tell: the upgrade counts, never a pass
    assert updates.interpret_macos(unknown_version).status == Status.WARN
