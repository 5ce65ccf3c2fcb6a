"""Hold root only for what needs it, the way tcpdump -Z does.

The capture is started as root (through the administrator prompt) because opening a packet
socket needs it. Everything after that — reading packets, writing the pcap, the events file and
the case — runs as the user who asked for it. Attribution keeps reading other users' /proc
entries (which program owns a connection), so two capabilities are kept and nothing else:
CAP_SYS_PTRACE (/proc/PID/fd and /exe of other users' processes) and CAP_DAC_READ_SEARCH.

Files are opened so that a symlink planted by malware running as the user can never make the
capture write somewhere else: a fresh file is created with O_EXCL in a folder the user owns and
renamed into place (a rename replaces a link, never its target).
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from checks.i18n import _

CAP_DAC_READ_SEARCH = 2
CAP_SYS_PTRACE = 19
KEPT = (CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE)
PR_SET_KEEPCAPS = 8
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


class PrivilegeError(RuntimeError):
    pass


@dataclass(frozen=True)
class Target:
    uid: int
    gid: int
    name: str


def target_user(explicit: str | None = None, environ: dict | None = None) -> Target | None:
    """Whom to become: --user, else the user pkexec or sudo started us for; None when we are not
    root or nobody asked (root running the capture for itself)."""
    environ = os.environ if environ is None else environ
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd  # POSIX only: Windows never gets here (no geteuid)

    entry = None
    try:
        if explicit:
            entry = pwd.getpwuid(int(explicit)) if explicit.isdigit() else pwd.getpwnam(explicit)
        elif environ.get("PKEXEC_UID"):
            entry = pwd.getpwuid(int(environ["PKEXEC_UID"]))
        elif environ.get("SUDO_UID"):
            entry = pwd.getpwuid(int(environ["SUDO_UID"]))
    except (KeyError, ValueError) as exc:
        raise PrivilegeError(_("no such user: {name}").format(name=explicit)) from exc
    if entry is None or entry.pw_uid == 0:
        return None
    gid = int(environ["SUDO_GID"]) if environ.get("SUDO_GID") and not explicit else entry.pw_gid
    return Target(entry.pw_uid, gid, entry.pw_name)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _set_capabilities(keep: tuple[int, ...]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    for cap in keep:
        data[cap // 32].effective |= 1 << (cap % 32)
        data[cap // 32].permitted |= 1 << (cap % 32)
    if libc.capset(ctypes.byref(header), data) != 0:
        raise PrivilegeError(_("capset failed: {why}").format(why=os.strerror(ctypes.get_errno())))


def drop(target: Target, keep: tuple[int, ...] = KEPT) -> None:
    """Become ``target`` for good (real, effective and saved ids), keeping only ``keep``."""
    if not sys.platform.startswith("linux"):
        raise PrivilegeError(_("dropping privileges is implemented for Linux only"))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0:
        raise PrivilegeError(_("prctl(PR_SET_KEEPCAPS) failed"))
    os.setgroups(os.getgrouplist(target.name, target.gid))
    os.setresgid(target.gid, target.gid, target.gid)
    os.setresuid(target.uid, target.uid, target.uid)
    libc.prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0)
    _set_capabilities(keep)
    if os.geteuid() == 0 or os.getuid() == 0:
        raise PrivilegeError(_("still root after dropping privileges"))
    import pwd

    os.environ["HOME"] = pwd.getpwuid(target.uid).pw_dir
    os.environ["USER"] = os.environ["LOGNAME"] = target.name


def check_folder(folder: Path, own: bool = False) -> None:
    """A folder the capture may write in: owned by the user we are now (or root, unless
    ``own``: a case folder must be the user's own), and not writable by anyone else unless
    sticky like /tmp."""
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise PrivilegeError(_("{path} is not a folder").format(path=folder))
    if not hasattr(os, "geteuid"):
        return  # Windows: folder ownership is not a uid
    if info.st_uid not in ((os.geteuid(),) if own else (os.geteuid(), 0)):
        raise PrivilegeError(_("{path} belongs to another user").format(path=folder))
    if info.st_mode & 0o002 and not info.st_mode & stat.S_ISVTX:
        raise PrivilegeError(_("{path} is writable by everyone").format(path=folder))
    if own:
        check_case_place(folder)


def check_case_place(folder: Path) -> None:
    """Still root (nobody to become): a case folder only where root alone can change it and
    every folder above it; a user could otherwise swap it for a link mid-capture. (Single files
    elsewhere are safe: create_fresh renames over whatever was planted.)"""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    from checks import safefile

    try:
        safefile.refuse_unless_root_only(folder)
    except safefile.NotRootOnly as exc:
        raise PrivilegeError(
            _(
                "{path} can be changed by another user; run the capture for that user"
                " (--user NAME) or choose a folder of root's"
            ).format(path=folder)
        ) from exc


def create_fresh(path: Path, mode: int = 0o600) -> int:
    """A new, empty file at ``path`` that is surely ours: made with O_EXCL under a random name in
    the same (checked) folder, then renamed over whatever was at ``path`` — a planted symlink
    is replaced, its target never touched. Returns an open, writable descriptor."""
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    check_folder(folder)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        os.replace(tmp, path)
    except BaseException:
        os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return fd


def open_append(path: Path) -> int:
    """Append to ``path`` if it is our own regular file (never through a link); else a fresh
    one."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return create_fresh(path)
    except OSError:  # ELOOP: a symlink
        return create_fresh(path)
    info = os.fstat(fd)
    owner_ok = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
    if not stat.S_ISREG(info.st_mode) or not owner_ok:
        os.close(fd)
        return create_fresh(path)
    check_folder(path.parent)
    return fd
