"""Every step in both languages, as a real window on a virtual screen (Xvfb), with the Japanese
font installed: the pictures must show text, not boxes or a blank window."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checks import i18n

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.gui


@pytest.mark.skipif(
    not shutil.which("xvfb-run"), reason="xvfb-run is missing (Debian package xvfb)"
)
def test_screenshots_of_every_step_in_both_languages(tmp_path):
    from PySide6.QtGui import QImage

    env = dict(os.environ, QT_QPA_PLATFORM="xcb", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    out = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1366x768x24",
            sys.executable,
            str(ROOT / "tools/screenshots.py"),
            str(tmp_path),
        ],
        capture_output=True,
        encoding="utf-8",
        timeout=300,
        env=env,
        cwd=ROOT,
    )
    if "could not connect to display" in out.stderr or ("xcb" in out.stderr and out.returncode):
        pytest.skip(f"no X11 platform for Qt here: {out.stderr.strip().splitlines()[-1]}")
    assert out.returncode == 0, out.stderr[-2000:]
    shots = sorted(tmp_path.glob("step*-*.png"))
    assert [p.name for p in shots] == sorted(
        f"step{n}-{lang}.png" for n in range(1, 6) for lang in i18n.CODES
    )
    for shot in shots:
        image = QImage(str(shot))
        assert (image.width(), image.height()) == (1366, 768), shot.name
        colours = {image.pixel(x, y) for x in range(0, 1366, 7) for y in range(0, 768, 7)}
        assert len(colours) > 20, f"{shot.name} looks blank"
