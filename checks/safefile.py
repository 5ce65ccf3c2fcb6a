"""Open files that someone else (a user, or malware running as one) may have put there.

A FIFO or a device where a file is expected would block a reader forever or feed it without
end; a link may point somewhere the caller never meant. ``open_regular`` opens without blocking,
refuses anything but a regular file before reading a byte, and (``follow=False``) refuses a
link as the last component. Code that runs as root opens through here.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO


class NotARegularFile(OSError):
    """The path names a FIFO, a device, a folder or (not followed) a link."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a link"
    return "not a regular file"


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
            raise NotARegularFile(errno.ELOOP, "it is a link, which is not followed") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(errno.EINVAL, f"it is {_kind(st.st_mode)}, not a file")
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
        return fp.read(limit + 1)
