"""packaging/runpath.py: which library search paths could make the installed app load a
library from outside its own folder (issue 29). The ELF reading itself is tested on the real
build in tests/integration/test_packaged_app.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))

import runpath

APP = Path("/opt/Clearline")
LIB = APP / "_internal/PySide6/Qt/lib/libQt6Core.so.6"


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("$ORIGIN", False),
        ("${ORIGIN}", False),
        ("$ORIGIN/../..", False),  # /opt/Clearline/_internal/PySide6: still inside
        ("$ORIGIN/../../../..", False),  # /opt/Clearline itself
        ("$ORIGIN/../../../../..", True),  # /opt
        ("$ORIGIN/../../../../../root/.pyenv/lib", True),
        ("$ORIGIN:/root/.pyenv/versions/3.11.7/lib", True),
        ("$ORIGINX", True),  # no substitution: a folder relative to the current one
        ("lib", True),
        ("", False),
    ],
)
def test_a_search_path_may_not_leave_the_application(text, out):
    assert runpath.outside(text, LIB, APP) is out


def test_without_the_library_only_origin_itself_is_judged():
    assert runpath.outside("$ORIGIN/../lib") is False
    assert runpath.outside("/usr/lib") is True
