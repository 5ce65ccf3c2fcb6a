"""What differs between the systems the tests run on, in one place, each with its reason."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

WINDOWS = sys.platform == "win32"

posix_only = pytest.mark.skipif(
    WINDOWS, reason="POSIX behaviour by design (Windows has its own path, tested beside)"
)
no_tzset = pytest.mark.skipif(
    not hasattr(__import__("time"), "tzset"),
    reason="Windows cannot change a running process's time zone (no time.tzset); the zone is"
    " passed explicitly in the other tests",
)


def assert_private(path: Path) -> None:
    """Only its owner can read it. POSIX: no group or other bits. Windows has no mode bits
    (os.stat reports 0o666): a file is private when it lies in the user's profile folder,
    whose ACL admits only the user, SYSTEM and the administrators."""
    if WINDOWS:
        profile = Path(os.environ["USERPROFILE"]).resolve()
        resolved = Path(path).resolve()
        assert profile == resolved or profile in resolved.parents, (resolved, profile)
    else:
        assert Path(path).stat().st_mode & 0o077 == 0, oct(Path(path).stat().st_mode)


needs_fifo = pytest.mark.skipif(
    not hasattr(os, "mkfifo"),
    reason="no FIFOs on Windows: its named pipes live in \\\\.\\pipe\\, never at a file's path,"
    " so a file name cannot be one",
)


def _under_wine() -> bool:
    if not WINDOWS:
        return False
    import ctypes

    try:
        return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")
    except OSError:
        return False


UNDER_WINE = _under_wine()
no_wine_links = pytest.mark.skipif(
    UNDER_WINE,
    reason="under Wine a link made by os.symlink is a Linux symlink to a Windows path: it"
    " resolves to nothing and shows no reparse point, so Windows link handling cannot be"
    " seen here (a real Windows reports the link)",
)
