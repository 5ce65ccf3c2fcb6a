"""How Clearline starts itself again (the elevated capture, the journal install and service):
the packaged executable with a subcommand, or, from a source checkout, this Python running
main.py. Never `python main.py` in the packaged app: there is no main.py to run there."""

from __future__ import annotations

import sys
from pathlib import Path

MAIN = Path(__file__).resolve().with_name("main.py")


def frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def self_argv(*args: str) -> list[str]:
    """argv that runs ``clearline ARGS``. From source: -E -s (no PYTHON* variables, no user
    site-packages: an elevated process reads nothing from the user's environment) and UTF-8
    mode (JSON lines with Japanese words through any console code page). The packaged app is
    built with the same settings (packaging/clearline.spec)."""
    if frozen():
        return [sys.executable, *args]
    return [sys.executable, "-E", "-s", "-X", "utf8", str(MAIN), *args]


def program_folder() -> Path:
    """What elevation runs: the packaged app's folder, or the source checkout."""
    return Path(sys.executable).resolve().parent if frozen() else MAIN.parent
