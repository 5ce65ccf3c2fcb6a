"""The elevated door (issue 29) on every platform: what counts as rights given through the
administrator prompt, and what those rights may run. The Linux door is tested as root with a
throwaway user in tests/integration/test_elevation.py; here the Windows rule (an elevated
process whose parent is not an older elevated one) and, under Wine, the token probe it rests
on. Wine runs every process as an administrator, so a live non-elevated parent cannot be made
there: the probe is checked to see the truth Wine gives (this process and its parent elevated,
the parent older), and the door's answer for a prompted process is checked through its rule."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from app import elevation_door
from app.elevation_door import prompted


@pytest.mark.parametrize(
    ("me", "parent", "older", "door"),
    [
        (False, None, None, False),  # not elevated: nothing to guard
        (None, True, True, False),  # not known to be elevated: no rights to misuse
        (True, True, True, False),  # an administrator's elevated shell
        (True, False, True, True),  # the window (or anything as the user) asked for the prompt
        (True, True, False, True),  # the parent's number was reused by a younger process
        (True, None, True, True),  # the parent cannot be looked at: fail closed
        (True, True, None, True),
        (True, None, None, True),
    ],
)
def test_the_windows_rule(me, parent, older, door):
    assert prompted(me, parent, older) is door


def _args(**kw) -> argparse.Namespace:
    return argparse.Namespace(**kw)


def test_through_the_door_only_the_capture_and_the_journal_run(monkeypatch):
    monkeypatch.setattr(elevation_door, "elevated_for_a_user", lambda: True)
    refused = elevation_door.refusal(_args(command="diagnose"))
    assert refused and "administrator prompt" in refused and "diagnose" in refused
    assert elevation_door.refusal(_args(command="bundle")) is not None
    assert elevation_door.refusal(None) is not None  # the window
    assert elevation_door.refusal(_args(command="capture", user=None)) is None
    assert (
        elevation_door.refusal(_args(command="journal", journal_command="install", db=None)) is None
    )
    assert elevation_door.refusal(_args(command="journal", journal_command="show", db=None))


@pytest.mark.skipif(sys.platform != "win32", reason="the token probe reads Windows tokens")
def test_the_token_probe_reads_what_windows_says():
    from checks.probes import token

    assert token.elevated() is True  # Wine: every process is an administrator's
    assert token.elevated(4_000_000_000) is None  # no such process: not known, not a guess
    assert token.under_wine() is True
    assert token.parent() is None  # started from the Unix side: no Windows parent
    # A child's parent (this test's process: under Wine the test itself has no Windows parent).
    code = (
        "from checks.probes import token; p = token.parent();"
        " print(p[1] if p else None, token.elevated(p[0]) if p else None)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True", "True"], out.stderr


@pytest.mark.skipif(sys.platform != "win32", reason="the Windows door")
def test_an_elevated_shells_child_is_not_behind_the_door():
    """A process started by an elevated process (an administrator's shell; under Wine, any)
    runs every command: the door is for rights the prompt gave."""
    code = "from app import elevation_door; print(elevation_door.elevated_for_a_user())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
