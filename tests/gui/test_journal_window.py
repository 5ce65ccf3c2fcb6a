"""The journal in the window: step 4 offers it and shows whether it runs; an alert the recorder
writes is told in the window at once."""

import os
import sys
from pathlib import Path

import pytest

from journal import paths
from journal.store import ALERT, HEARTBEAT, START, Journal

pytestmark = pytest.mark.gui


def test_step_4_offers_the_journal_when_there_is_none(make_window, qtbot):
    w = make_window()
    fix = w.pages[3]
    w.go(4)
    qtbot.waitUntil(lambda: fix.journal.state.text() == "No record is kept on this PC yet.")
    assert fix.journal.button.isVisible()
    assert fix.journal.button.text() == "Keep a record from now on"


def test_step_4_shows_a_running_journal(make_window, qtbot, no_journal_of_this_machine):
    db = no_journal_of_this_machine / paths.DB_NAME
    j = Journal(db)
    j.append(START, {"mode": "capture"})
    j.close()
    paths.write_pid(db)  # this test process stands in for the recorder
    try:
        w = make_window()
        fix = w.pages[3]
        w.go(4)
        qtbot.waitUntil(lambda: "A record is being kept since" in fix.journal.state.text())
        assert "every connection attempt is seen" in fix.journal.state.text()
        assert not fix.journal.button.isVisible()
        w.set_language("ja")
        qtbot.waitUntil(lambda: "から記録しています" in fix.journal.state.text())
        w.set_language("en")
    finally:
        paths.clear_pid(db)


def test_where_there_is_no_service_manager_the_window_says_how_to_run_it(
    make_window, qtbot, monkeypatch, tmp_path
):
    """The install is a real process: here a stand-in that prints what `journal install`
    prints in a container and exits 1."""
    from PySide6.QtWidgets import QMessageBox

    script = tmp_path / "install.py"
    script.write_text(
        "print('This system has no service manager Clearline knows.')\nraise SystemExit(1)\n"
    )
    monkeypatch.setattr("gui.journal_box.install_command", lambda: [sys.executable, str(script)])
    monkeypatch.setattr("app.elevation.detached_launcher", lambda: None)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    w = make_window()
    fix = w.pages[3]
    w.go(4)
    fix.journal.button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "no service manager" in shown[0]
    assert fix.journal.button.isEnabled()


def test_the_real_install_command_asks_for_rights_only_when_needed():
    from gui.journal_box import install_command

    argv = install_command()
    assert argv[-4:-2] == ["journal", "install"] and "-E" in argv
    if os.name == "posix" and os.geteuid() != 0:
        assert argv[0] == "pkexec"
    else:
        assert argv[0] == sys.executable
    assert Path(argv[argv.index("journal") - 1]).name == "main.py"


def test_an_alert_from_the_recorder_is_told_in_the_window(
    make_window, qtbot, no_journal_of_this_machine
):
    db = no_journal_of_this_machine / paths.DB_NAME
    j = Journal(db)
    run = j.append(START, {"mode": "capture"})
    j.close()
    w = make_window()
    assert len(w.pages) == 5  # steps 2-5 built: the alert watch starts with them
    qtbot.waitUntil(lambda: w._alert_seq is not None, timeout=5000)
    assert w.statusBar().currentMessage() == ""  # what was there before is not news
    j = Journal(db)
    j.append(HEARTBEAT, {"mode": "capture"}, run=run.seq)
    j.append(
        ALERT,
        {"event": {"remote": "198.51.100.7", "rport": 25, "program": {"name": "svchost"}}},
        run=run.seq,
    )
    j.close()
    w.check_alerts()
    qtbot.waitUntil(lambda: "svchost" in w.statusBar().currentMessage(), timeout=5000)
    assert "198.51.100.7" in w.statusBar().currentMessage()


@pytest.mark.skipif(
    os.name != "posix", reason="polkit and pkexec are Linux's; Windows asks through UAC"
)
def test_the_administrator_prompts_name_exactly_the_commands_the_window_runs(monkeypatch):
    """Each polkit action names the installed executable and its first argument; what the
    packaged window runs through pkexec is exactly one of them, and the door lets it through."""
    import xml.etree.ElementTree as ET

    import launch
    from app import elevation, elevation_door
    from gui.journal_box import install_command

    root = ET.parse(Path(__file__).resolve().parents[2] / "packaging/linux/org.clearline.policy.in")
    actions = {}
    for action in root.iter("action"):
        notes = {a.get("key"): a.text for a in action.iter("annotate")}
        assert notes["org.freedesktop.policykit.exec.path"] == "@PREFIX@/Clearline"
        actions[notes["org.freedesktop.policykit.exec.argv1"]] = action.get("id")
    assert actions == {"capture": "org.clearline.capture", "journal": "org.clearline.journal"}
    monkeypatch.setattr(launch, "frozen", lambda: True)
    monkeypatch.setattr(launch.sys, "executable", "/opt/Clearline/Clearline")
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    monkeypatch.setattr(elevation.shutil, "which", lambda name: f"/usr/bin/{name}")
    from cli import commands

    monkeypatch.setattr(elevation_door, "elevated_for_a_user", lambda: True)
    for argv in (
        elevation.capture_argv(60, "/home/u/case"),
        install_command("install"),
        install_command("uninstall"),
    ):
        assert argv[:2] == ["pkexec", "/opt/Clearline/Clearline"], argv
        assert argv[2] in actions, argv
        args = commands.build_parser().parse_args(argv[2:])
        assert elevation_door.refusal(args) is None, argv
