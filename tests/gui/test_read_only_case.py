"""A case on read-only media (a write-protected stick, a read-only mount) opens in the window
and every step shows it: reading takes no lock and writes nothing (issue 30). As root here, a
tmpfs remounted read-only; elsewhere skipped with the reason."""

from __future__ import annotations

import os
import subprocess

import pytest

from checks.model import Result, Status
from tests.gui.test_steps import injected_run


@pytest.fixture
def read_only_case(tmp_path):
    from cases.store import Case

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to mount a read-only file system")
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode:
        pytest.skip("cannot mount a tmpfs here")
    case = Case(mount / "case")
    case.set_details(name="Taro Yamada", provider="Example ISP")
    case.add_results([Result("FW-STATUS", Status.WARN, "linux_no_filter")])
    case.mark_done("updates", "2026-11-20T10:00:00+09:00")
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    yield case.path
    subprocess.run(["umount", "--lazy", str(mount)], capture_output=True)


def test_every_step_shows_a_read_only_case(make_window, qtbot, monkeypatch, read_only_case):
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    for kind in ("warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, **k: shown.append(str(a[2:3])))
    make_window.settings.setValue("case", str(read_only_case))
    w = make_window(run_checks=injected_run)
    assert w.session.case_path == read_only_case
    for step in range(1, 6):
        w.go(step)
        qtbot.wait(30)
    reply = w.pages[4]
    qtbot.waitUntil(lambda: "Taro Yamada" in reply.letter.toPlainText(), timeout=10_000)
    qtbot.waitUntil(lambda: reply.fields["name"].text() == "Taro Yamada", timeout=5000)
    qtbot.waitUntil(lambda: not w.pages[3].reading, timeout=5000)
    assert w.pages[3].state[0].keys() == {"updates"}
    assert shown == []
