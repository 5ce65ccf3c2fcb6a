"""How the window asks for administrator rights, without Qt, for the capture (step 3) and the
journal's install alike.

Linux: the command line goes through pkexec, which shows the prompt and whose output the window
reads. Windows (UAC "runas") and macOS (osascript): a launcher goes through the system's own
prompt; the window cannot read what the elevated process prints, so that process writes its
JSON lines to an events file the window follows. The elevated side is a narrow door
(``app/elevation_door.py``)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable


def through_prompt(argv: list[str]) -> list[str]:
    """``argv`` as pkexec runs it when this user is not root (Linux with polkit); as it is
    otherwise. The installed executable goes straight to pkexec: its polkit actions
    (packaging/linux) name Clearline in the prompt and allow nothing else. From source, the
    display and language go along through env (pkexec clears the environment)."""
    if os.name != "posix" or os.geteuid() == 0 or not shutil.which("pkexec"):
        return argv
    from launch import frozen

    if frozen():
        return ["pkexec", *argv]
    env = [f"{k}={os.environ[k]}" for k in ("DISPLAY", "XAUTHORITY", "LANG") if k in os.environ]
    return ["pkexec", "env", *env, *argv]


def capture_argv(seconds: int, case: str) -> list[str]:
    """The capture's command line in the window's language, elevated when needed. Started
    elevated: the packaged executable, or this Python with -E -s (nothing from the user's
    environment runs as root) and UTF-8 mode (Japanese words through any code page)."""
    from checks import i18n
    from launch import self_argv

    argv = self_argv(
        "capture",
        "--json",
        "--seconds",
        str(seconds),
        "--case",
        case,
        "--lang",
        i18n.get_language(),
    )
    return through_prompt(argv)


def journal_argv(action: str = "install") -> list[str]:
    """`journal install` (or uninstall) in the window's language, elevated when needed."""
    from checks import i18n
    from launch import self_argv

    return through_prompt(self_argv("journal", action, "--lang", i18n.get_language()))


def needs_windows_elevation() -> bool:
    if sys.platform != "win32":
        return False
    from checks.context import is_admin

    return not is_admin()


def elevate_windows(argv: list[str]) -> bool:
    """Start argv through the Windows administrator prompt (UAC "runas"); True when it started."""
    import ctypes
    import subprocess

    result = ctypes.windll.shell32.ShellExecuteW(  # type: ignore[attr-defined]
        None, "runas", argv[0], subprocess.list2cmdline(argv[1:]), None, 0
    )
    return int(result) > 32


def elevate_macos(argv: list[str]):
    """Start argv through the macOS administrator prompt (osascript). Returns the prompt's own
    process, which exits non-zero when the user cancels (so that nobody waits for a start that
    will not come), or False when it could not be started."""
    import shlex
    import subprocess

    command = " ".join(shlex.quote(a) for a in argv).replace("\\", "\\\\").replace('"', '\\"')
    script = f'do shell script "{command}" with administrator privileges'
    try:
        return subprocess.Popen(["/usr/bin/osascript", "-e", script])
    except OSError:
        return False


def detached_launcher() -> Callable | None:
    """The launcher for a process whose output the window cannot read (the system's prompt),
    or None where pkexec (or being root already) lets the window run it directly."""
    if needs_windows_elevation():
        return elevate_windows
    if sys.platform == "darwin" and os.geteuid() != 0:
        return elevate_macos
    return None
