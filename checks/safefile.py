"""Open files that someone else (a user, or malware running as one) may have put there.

A FIFO or a device where a file is expected would block a reader forever or feed it without
end; a link may point somewhere the caller never meant. ``open_regular`` opens without blocking,
refuses anything but a regular file before reading a byte, and (``follow=False``) refuses a
link as the last component. Code that runs as root opens through here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from typing import BinaryIO

from checks.i18n import _


class NotARegularFile(OSError):
    """The path names a FIFO, a device, a folder or (not followed) a link."""


def _kind(mode: int) -> str:
    """What a path that is no regular file is, in the user's language."""
    if stat.S_ISFIFO(mode):
        return _("a FIFO (named pipe)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISLNK(mode):
        return _("a link")
    return _("something other than a regular file")


def open_regular(
    path: str | os.PathLike, follow: bool = True, dir_fd: int | None = None
) -> BinaryIO:
    """``path`` opened for reading in binary, or NotARegularFile (an OSError) at once."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, dir_fd=dir_fd) if dir_fd is not None else os.open(path, flags)
    except OSError:
        if not follow and os.path.islink(os.fspath(path)) and dir_fd is None:
            raise NotARegularFile(errno.ELOOP, _("it is a link, which is not followed")) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(
                errno.EINVAL, _("it is {kind}, not a file").format(kind=_kind(st.st_mode))
            )
        if hasattr(os, "O_NONBLOCK"):
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike, limit: int, follow: bool = True) -> bytes:
    """At most ``limit`` + 1 bytes of a regular file (the caller sees that it was longer)."""
    with open_regular(path, follow) as fp:
        return read_at_most(fp, limit + 1)


def read_at_most(fp: BinaryIO, size: int, chunk: int = 1024 * 1024) -> bytes:
    """Up to ``size`` bytes, read as they come: ``fp.read(size)`` would first allocate all of
    ``size`` (on Windows, memory committed and zeroed for every small file)."""
    parts = []
    left = size
    while left > 0:
        block = fp.read(min(chunk, left))
        if not block:
            break
        parts.append(block)
        left -= len(block)
    return b"".join(parts)


class NotRootOnly(OSError):
    """Root was to write in a folder another user can change."""


def others_can_change(st: os.stat_result, sticky_ok: bool = False) -> bool:
    if sticky_ok and st.st_mode & stat.S_ISVTX:
        return st.st_uid != 0  # a sticky folder: others add names, but cannot swap root's
    if st.st_uid != 0 or st.st_mode & stat.S_IWOTH:
        return True
    return bool(st.st_mode & stat.S_IWGRP and st.st_gid != 0)


def refuse_unless_root_only(folder: str | os.PathLike) -> None:
    """As root: NotRootOnly unless ``folder`` can be changed by root alone, and so can every
    folder above it (a sticky one like /tmp is fine above, not as the folder itself: another
    user could plant the names root is about to create, such as a database's -wal file, as
    links). A link on the way must be root's, and where it leads is checked the same way.
    Elsewhere, and for anyone but root, nothing to check."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    path = os.path.abspath(os.fspath(folder))
    _chain(path, path)
    real = os.path.realpath(path)
    if real != path:
        _chain(real, path)


def _chain(path: str, named: str) -> None:
    here = path
    sticky_ok = False
    while True:
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            st = None  # made later by root itself (mkdir), under a folder checked next
        if st is not None:
            if stat.S_ISLNK(st.st_mode) and st.st_uid != 0:
                raise NotRootOnly(
                    errno.EPERM,
                    _("{path} goes through a link another user made ({link})").format(
                        path=named, link=here
                    ),
                )
            if not stat.S_ISLNK(st.st_mode) and others_can_change(st, sticky_ok):
                raise NotRootOnly(
                    errno.EPERM,
                    _(
                        "{path} can be changed by a user other than root ({folder}); root does"
                        " not write there"
                    ).format(path=named, folder=here),
                )
        parent = os.path.dirname(here)
        if parent == here:
            return
        # A sticky folder above is fine only over a name that exists (root's, checked): over a
        # name root is yet to make, another user could make it first.
        here, sticky_ok = parent, st is not None


def write_new(path: str | os.PathLike, data: bytes) -> None:
    """``data`` into ``path`` the way root may write where a user could have planted something:
    a fresh private file (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) beside it, fsynced, then renamed over
    it (a rename replaces a planted link, never its target). Anything at ``path`` that is not a
    regular file (a FIFO, a device, a folder, a link) is refused before a byte is written."""
    path = os.fspath(path)
    # As root (a support shell): never into a folder a user could change, nor through a link a
    # user planted on the way (root's file would land where the user chose).
    refuse_unless_root_only(os.path.dirname(os.path.abspath(path)))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise NotARegularFile(
            errno.EEXIST,
            _("{path} is {kind}; not replaced").format(path=path, kind=_kind(st.st_mode)),
        )
    folder, name = os.path.split(path)
    partial = os.path.join(folder, f".{name}.{os.getpid()}.partial")
    fd = os.open(
        partial,
        os.O_WRONLY
        | os.O_CREAT
        | os.O_EXCL
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_BINARY", 0),
        0o600,
    )
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise
