"""Clearline: `python main.py` opens the window; `python main.py COMMAND` runs headless.

The commands are in cli/commands.py. This file stays small: Python compiles the script it is
started with from source on every start (with the commands in it, ~5 ms before the window),
while the modules it imports load from their bytecode.

Only the standard library is imported at module level: the window must open before anything
heavy (scapy, templates, PDF) is loaded, and `--help` must be instant.
"""

from __future__ import annotations

import os
import sys


def open_window() -> int:
    from gui.app import run

    return run()


def _maybe_elevated_for_a_user() -> bool:
    """Cheap first look: the window is not for rights given through the administrator prompt
    (app.elevation_door decides; on Windows only an elevated process needs its look)."""
    if sys.platform == "win32":
        from app import elevation_door

        return elevation_door.elevated_for_a_user()
    return bool(os.environ.get("PKEXEC_UID") or os.environ.get("SUDO_UID"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from checks.visible import terminal_streams

    terminal_streams()
    if not argv and not _maybe_elevated_for_a_user():
        # The double-click path: straight to the window, without the commands or their parser.
        from checks import i18n

        i18n.set_default_language(i18n.detect_language())
        return open_window()
    from cli import commands

    return commands.main(argv, open_window)


if __name__ == "__main__":
    sys.exit(main())
