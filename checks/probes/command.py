"""Run an external command for a probe: never raises for the usual failures, always says why."""

from __future__ import annotations

import functools
import subprocess
import sys
from dataclasses import dataclass

from checks.context import CheckContext, kill_tree


@dataclass(frozen=True)
class CommandOutput:
    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    # None when the command ran; otherwise "missing", "denied", "timeout" or "failed".
    problem: str | None = None
    detail: str = ""
    undecodable: bool = False  # output was not valid UTF-8 (replaced characters)

    @property
    def ok(self) -> bool:
        return self.problem is None


# Where each system tool lives. Windows searches the program's folder and the current folder
# before PATH, so a tool started by bare name can be hijacked by a file of that name: every
# Windows tool is started by its full path. macOS tools are named in full too.
_MACOS_TOOLS = {
    "sw_vers": "/usr/bin/sw_vers",
    "softwareupdate": "/usr/sbin/softwareupdate",
    "systemsetup": "/usr/sbin/systemsetup",
    "pmset": "/usr/bin/pmset",
    "netstat": "/usr/sbin/netstat",
    "arp": "/usr/sbin/arp",
    "route": "/sbin/route",
    "lsof": "/usr/sbin/lsof",
}


def windows_tool(name: str, system_root: str | None = None) -> str:
    """C:\\Windows\\System32\\<name>.exe, from %SystemRoot% (never a bare name)."""
    import os

    root = system_root or os.environ.get("SystemRoot") or os.environ.get("windir") or r"C:\Windows"
    exe = name if name.lower().endswith(".exe") else f"{name}.exe"
    return root.rstrip("\\/") + "\\System32\\" + exe


def macos_tool(name: str) -> str:
    return _MACOS_TOOLS.get(name, name)


@functools.cache
def console_encoding() -> str | None:
    """The code page Windows console tools write in when their output is a pipe: the OEM code
    page (cp932 on Japanese Windows, cp437 on US English). None elsewhere: macOS and Linux
    tools write UTF-8 under Clearline's own locale."""
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        return f"cp{ctypes.windll.kernel32.GetOEMCP()}"  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None


def decode_output(data: bytes, fallback: str | None = None) -> tuple[str, bool]:
    """UTF-8 first (PowerShell is told to write it); else the console's code page, so that
    `route print` on a Japanese Windows reads as Japanese instead of replacement characters.
    The flag says some bytes could not be read in either."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    if fallback:
        try:
            return data.decode(fallback), False
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("utf-8", errors="replace"), True


def _decode(data: bytes) -> tuple[str, bool]:
    return decode_output(data, console_encoding())


def run(
    argv: list[str],
    ctx: CheckContext | None = None,
    timeout: float = 20.0,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
) -> CommandOutput:
    """Run argv and collect its output. With a context, the child is registered so the runner
    can kill it (and its process group) when the check times out."""
    args = tuple(argv)
    try:
        kwargs = dict(
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            env=env,
        )
        if ctx is not None:
            proc = ctx.popen(list(argv), **kwargs)
        else:
            proc = subprocess.Popen(list(argv), start_new_session=True, **kwargs)
    except FileNotFoundError as exc:
        return CommandOutput(args, None, "", "", "missing", str(exc))
    except PermissionError as exc:
        return CommandOutput(args, None, "", "", "denied", str(exc))
    except (OSError, TimeoutError) as exc:
        return CommandOutput(args, None, "", "", "failed", str(exc))
    try:
        out, err = proc.communicate(input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc)
        out, err = proc.communicate()
        text, bad = _decode(out or b"")
        return CommandOutput(
            args, None, text, _decode(err or b"")[0], "timeout", f"no answer in {timeout:g} s", bad
        )
    stdout, bad_out = _decode(out)
    stderr, bad_err = _decode(err)
    return CommandOutput(args, proc.returncode, stdout, stderr, None, "", bad_out or bad_err)
