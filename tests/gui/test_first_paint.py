"""What the window loads before it is shown (bench/startup.py times that against a bare PySide6
window): not the heavy modules, and not what only the case's contents need, which are read on a
worker after the first paint."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.gui

# scapy and jinja2: heavy. The rest: the case store and what reading a case takes (json, the
# Result model, dataclasses), and platformdirs (only a new case needs it).
NOT_BEFORE_THE_WINDOW = (
    "scapy",
    "jinja2",
    "cases.store",
    "checks.model",
    "dataclasses",
    "json",
    "platformdirs",
)
SPY = f"""
import builtins, sys
real = builtins.print
def spy(*args, **kwargs):
    if args == ("shown",):
        names = {NOT_BEFORE_THE_WINDOW!r}
        real("LOADED", sorted(n for n in sys.modules if n in names or n.split(".")[0] in names))
    real(*args, **kwargs)
builtins.print = spy
import main
main.main([])
"""


def test_a_restored_case_opens_its_window_without_the_case_store_or_heavy_modules(tmp_path):
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        CLEARLINE_EXIT_WHEN_SHOWN="1",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path),
    )
    run = dict(capture_output=True, encoding="utf-8", cwd=ROOT, env=env, timeout=120)
    first = subprocess.run([sys.executable, "main.py"], **run)  # makes the case
    assert "shown" in first.stdout, first.stderr[-2000:]
    again = subprocess.run([sys.executable, "-c", SPY], **run)
    assert "LOADED []" in again.stdout, (again.stdout, again.stderr[-2000:])
