"""Describe a process for the evidence: who it is, where its program lives, who started it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psutil


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    # create_time (epoch seconds) identifies the process together with its pid: a pid reused
    # after a process ends gets a different create_time, so it is never blamed for the old one.
    create_time: float | None
    name: str
    exe: str | None = None
    exe_exists: bool | None = None  # False: the program's file was deleted after it started
    cmdline: tuple[str, ...] = ()
    user: str | None = None
    parents: tuple[tuple[int, str], ...] = ()  # (pid, name), nearest first
    denied: tuple[str, ...] = field(default=())  # fields we were not allowed to read
    # Is the program what its path says? False: it runs in other namespaces than ours, or its
    # file is not the one at that path here (a binary bind-mounted over /usr/sbin/exim4 in a
    # namespace of its own); None: could not be told (not Linux, not allowed, gone).
    exe_verified: bool | None = None

    @property
    def identity(self) -> tuple[int, float | None]:
        return (self.pid, self.create_time)

    @property
    def started(self) -> str | None:
        if self.create_time is None:
            return None
        return datetime.fromtimestamp(self.create_time, UTC).astimezone().isoformat()


def _exe_exists(proc: psutil.Process, exe: str | None) -> bool | None:
    if not exe:
        return None
    if os.name == "posix":
        # /proc/PID/exe reads "... (deleted)" when the file is gone; psutil strips that suffix.
        try:
            link = os.readlink(f"/proc/{proc.pid}/exe")
            if link.endswith(" (deleted)"):
                return False
        except OSError:
            pass
    return os.path.exists(exe)


def exe_verified(pid: int, exe: str | None) -> bool | None:
    """Whether the program file a process runs is the file at its path as this process sees
    it, seen from the same mount and user namespaces (Linux; None elsewhere or when unreadable).
    A user without root can run any binary under any path in namespaces of its own: the path
    alone names nothing."""
    if not exe or not os.path.isdir("/proc/self/ns"):
        return None
    # The machine's own view is init's: the journal's service runs in a private mount namespace
    # of its own (ProtectSystem, PrivateTmp), where every process would look foreign. Root reads
    # init's namespaces and sees paths through its root; anyone else compares with its own.
    host = "/proc/1" if os.access("/proc/1/root", os.R_OK | os.X_OK) else "/proc/self"
    try:
        for ns in ("mnt", "user"):
            if os.stat(f"/proc/{pid}/ns/{ns}").st_ino != os.stat(f"{host}/ns/{ns}").st_ino:
                return False
        running = os.stat(f"/proc/{pid}/exe")
        here = os.stat(f"{host}/root{exe}" if host == "/proc/1" else exe)
    except FileNotFoundError:
        return False if os.path.exists(f"/proc/{pid}") else None
    except OSError:
        return None
    return (running.st_dev, running.st_ino) == (here.st_dev, here.st_ino)


def describe(pid: int) -> ProcessInfo | None:
    """Everything we may read about ``pid``; None when the process no longer exists."""
    try:
        proc = psutil.Process(pid)
        create_time = proc.create_time()
        name = proc.name()
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        return ProcessInfo(pid=pid, create_time=None, name="?", denied=("name",))
    denied: list[str] = []

    def attempt(label, fn, default=None):
        try:
            return fn()
        except psutil.AccessDenied:
            denied.append(label)
        except (psutil.NoSuchProcess, psutil.ZombieProcess, OSError):
            pass
        return default

    exe = attempt("exe", proc.exe) or None
    cmdline = tuple(attempt("cmdline", proc.cmdline, []) or ())
    user = attempt("user", proc.username)
    parents: list[tuple[int, str]] = []
    for parent in attempt("parents", proc.parents, []) or []:
        try:
            parents.append((parent.pid, parent.name()))
        except (psutil.Error, OSError):
            parents.append((parent.pid, "?"))
    # Check the identity again: if the pid was reused while we read, the facts are not its.
    try:
        if psutil.Process(pid).create_time() != create_time:
            return None
    except psutil.Error:
        pass
    return ProcessInfo(
        pid=pid,
        create_time=create_time,
        name=name,
        exe=exe,
        exe_exists=_exe_exists(proc, exe),
        cmdline=cmdline,
        user=user,
        parents=tuple(parents),
        denied=tuple(denied),
        exe_verified=exe_verified(pid, exe),
    )
