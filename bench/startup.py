"""Time from process start to the window shown, against a minimal PySide6 window in the same
run (target: within 1.2x), and peak memory of each; when `make dist` has built it, the packaged
application too, against `python main.py` (target: within 1.3x). Offscreen, so it runs
anywhere.

    python bench/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.show()
QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app.exec()
"""


def once(argv: list[str], env: dict) -> tuple[float, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, env=env
    )
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.stdout.read()
    _pid, _status, usage = os.wait4(proc.pid, 0)
    if b"shown" not in line:
        raise RuntimeError(f"{argv} never showed its window")
    return elapsed, usage.ru_maxrss // 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=21)
    args = ap.parse_args()
    home = tempfile.mkdtemp()
    # As installed: an installed or packaged Clearline starts from bytecode, as PySide6 does
    # here. A machine with PYTHONDONTWRITEBYTECODE (this one) would otherwise compile every
    # module of ours from source on every start and time the compiler, not the start.
    import compileall

    for package in ("app", "cases", "checks", "cli", "gui", "journal", "reports"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    compileall.compile_file(str(ROOT / "main.py"), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = dict(
        env,
        QT_QPA_PLATFORM="offscreen",
        CLEARLINE_EXIT_WHEN_SHOWN="1",
        HOME=home,
        XDG_CONFIG_HOME=home,
        XDG_DATA_HOME=home,
    )
    runs = {
        "minimal PySide6 window": [sys.executable, "-c", MINIMAL],
        "Clearline (python main.py)": [sys.executable, "main.py"],
    }
    packaged = ROOT / "dist/Clearline/Clearline"
    if packaged.exists():
        runs["Clearline (packaged)"] = [str(packaged)]
    samples: dict[str, list] = {name: [] for name in runs}
    for _ in range(args.repeat):  # interleaved, so a noisy moment hits both alike
        for name, argv in runs.items():
            samples[name].append(once(argv, env))
    figures = {
        name: (statistics.median(s[0] for s in got), max(s[1] for s in got))
        for name, got in samples.items()
    }
    base = figures["minimal PySide6 window"][0]
    print(f"time to window shown (median of {args.repeat}), peak memory:")
    for name, (t, mem) in figures.items():
        print(f"  {name:28} {t:6.3f} s  {t / base:4.2f}x   {mem:4d} MB")
    if "Clearline (packaged)" in figures:
        ratio = figures["Clearline (packaged)"][0] / figures["Clearline (python main.py)"][0]
        print(f"  packaged / python main.py: {ratio:.2f}x (target: within 1.3x)")
    modules = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, main; import gui.app;"
            "print(sorted(m for m in ('scapy','jinja2') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    print(f"  heavy modules loaded before the window: {modules}")


if __name__ == "__main__":
    main()
