"""What a running check may use: its options, a cancel flag, and a way to start commands that
the runner can kill if the check outlives its timeout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Options:
    """User choices that change what checks do (CLI flags / GUI switches)."""

    watch: float = 0.0
    network: bool = False
    public_ip: str | None = None
    dns_server: str | None = None
    scan: bool = False


def is_admin() -> bool:
    if sys.platform == "win32":
        try:
            import ctypes

            return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            return False
    return os.geteuid() == 0


class RunShared:
    """Facts several checks of one run need (e.g. Windows' single PowerShell report): computed
    once, by whichever check asks first, while the others wait for it. One per run, never global."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, object] = {}
        self._ready: dict[str, threading.Event] = {}

    def once(self, key: str, compute):
        with self._lock:
            event = self._ready.get(key)
            owner = event is None
            if owner:
                event = self._ready[key] = threading.Event()
        if owner:
            try:
                value = compute()
            except BaseException as exc:  # handed to every waiter, raised in each
                value = exc
            self._values[key] = value
            event.set()
        else:
            event.wait()
        value = self._values[key]
        if isinstance(value, BaseException):
            raise value
        return value


@dataclass
class CheckContext:
    options: Options = field(default_factory=Options)
    admin: bool = field(default_factory=is_admin)
    cancelled: threading.Event = field(default_factory=threading.Event)
    shared: RunShared = field(default_factory=RunShared)
    _children: list[subprocess.Popen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        """Start a child in its own process group so that it and its own children can be
        killed together when the check times out."""
        if self.cancelled.is_set():
            raise TimeoutError("check was cancelled")
        if sys.platform == "win32":
            kwargs.setdefault("creationflags", subprocess.CREATE_NEW_PROCESS_GROUP)
        else:
            kwargs.setdefault("start_new_session", True)
        proc = subprocess.Popen(argv, **kwargs)
        with self._lock:
            self._children.append(proc)
        return proc

    def sleep(self, seconds: float) -> bool:
        """Sleep unless cancelled; returns False when cancelled."""
        return not self.cancelled.wait(seconds)

    def cancel(self) -> None:
        """Stop the check: set the flag and kill every child it started (and their groups)."""
        self.cancelled.set()
        with self._lock:
            children = list(self._children)
        for proc in children:
            kill_tree(proc)


def kill_tree(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        if sys.platform == "win32":
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                capture_output=True,
                timeout=10,
                check=False,
            )
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError, subprocess.SubprocessError):
        pass
    try:
        proc.kill()
    except OSError:
        pass
