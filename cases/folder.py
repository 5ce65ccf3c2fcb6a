"""A case folder reached by descriptor: opened once, then every file through it.

The case lives in the user's home, where malware running as the user can swap a file for a
link or a FIFO, or the folder itself for a link, between two calls. So the folder is opened
once with O_DIRECTORY|O_NOFOLLOW and every name is resolved relative to that descriptor: new
files are created O_CREAT|O_EXCL|O_NOFOLLOW, files are read O_NOFOLLOW|O_NONBLOCK and refused
unless regular, renames and unlinks name the folder by descriptor, and the folder's mode is set
with fchmod. Run as root, a folder (or its parent) that another user can write is refused
outright: root does not write where someone else could have planted something.

Where the system cannot name files by descriptor (Windows), the same calls work by path; there
a file being read cannot be replaced, so renames are tried again for a moment.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

BY_DESCRIPTOR = os.open in os.supports_dir_fd and os.name == "posix"
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
BINARY = getattr(os, "O_BINARY", 0)
REPLACE_TRIES = 100  # Windows: a reader holding the file open blocks its replacement


class UnsafeFolder(OSError):
    """A folder root must not write into, or a name that is no regular file."""


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _is_link_or_junction(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    reparse = getattr(st, "st_file_attributes", 0) & getattr(
        stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400
    )
    return stat.S_ISLNK(st.st_mode) or bool(reparse) or not stat.S_ISDIR(st.st_mode)


class Folder:
    def __init__(self, path: str | os.PathLike[str], create: bool = True):
        self.path = Path(path)
        self.fd: int | None = None
        if create:
            self._make()
        if BY_DESCRIPTOR:
            try:
                self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW | CLOEXEC)
            except FileNotFoundError:
                self.fd = None  # a case not made yet (reading only): nothing in it
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafeFolder(
                        errno.ELOOP, f"{self.path} is a link or not a folder; not followed"
                    ) from None
                raise
            if self.fd is not None and _is_root():
                self._refuse_foreign()
        elif _is_link_or_junction(self.path):
            # Windows: no descriptor to hold, but a folder swapped for a link or a junction
            # (what an elevated capture would otherwise follow) is refused the same way.
            raise UnsafeFolder(errno.ELOOP, f"{self.path} is a link or not a folder; not followed")

    def _make(self) -> None:
        if self.path.is_symlink() or (not BY_DESCRIPTOR and _is_link_or_junction(self.path)):
            raise UnsafeFolder(errno.ELOOP, f"{self.path} is a link; not followed")
        created = not self.path.exists()
        if created:
            # As root, not even an empty folder where the user chose: the nearest folder that
            # exists must be root's alone (through a planted link, mkdir would make root's
            # folder in the link's target).
            self._refuse_foreign_parent()
        self.path.mkdir(parents=True, exist_ok=True)
        if created and BY_DESCRIPTOR:
            fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW | CLOEXEC)
            try:
                os.fchmod(fd, 0o700)
            finally:
                os.close(fd)
        elif created:
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o700)

    def _refuse_foreign_parent(self) -> None:
        from checks import safefile

        parent = self.path.absolute().parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        try:
            safefile.refuse_unless_root_only(parent)
        except safefile.NotRootOnly as exc:
            raise UnsafeFolder(errno.EPERM, exc.strerror) from None

    def _refuse_foreign(self) -> None:
        """Root writes only into folders root alone can change, under folders only root can
        change (otherwise the folder itself could be swapped by its owner)."""
        from checks import safefile

        assert self.fd is not None
        try:
            safefile.refuse_unless_root_only(self.path)
            if safefile.others_can_change(os.fstat(self.fd)):
                raise safefile.NotRootOnly(errno.EPERM, "changed under us")
        except safefile.NotRootOnly:
            os.close(self.fd)
            self.fd = None
            raise UnsafeFolder(
                errno.EPERM,
                f"{self.path} belongs to (or can be changed by) another user: run this as that"
                " user, not as root",
            ) from None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    # --- names --------------------------------------------------------------------------------
    def _open(self, name: str, flags: int, mode: int = 0o600) -> int:
        if BY_DESCRIPTOR:
            if self.fd is None:
                raise FileNotFoundError(errno.ENOENT, f"no case at {self.path}", name)
            return os.open(name, flags | NOFOLLOW | CLOEXEC, mode, dir_fd=self.fd)
        return os.open(self.path / name, flags | BINARY, mode)

    def _stat(self, name: str) -> os.stat_result | None:
        try:
            if BY_DESCRIPTOR:
                if self.fd is None:
                    return None
                return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
            return os.lstat(self.path / name)
        except FileNotFoundError:
            return None

    def kind(self, name: str) -> str | None:
        """None (absent), "file", "link", "folder" or "other" (a FIFO, a device, a socket)."""
        st = self._stat(name)
        if st is None:
            return None
        if stat.S_ISREG(st.st_mode):
            return "file"
        if stat.S_ISLNK(st.st_mode):
            return "link"
        if stat.S_ISDIR(st.st_mode):
            return "folder"
        return "other"

    def signature(self, name: str) -> tuple | None:
        """What changes whenever the file is replaced or written (a new file gets a new inode
        from the rename that puts it in place); None when there is none."""
        st = self._stat(name)
        if st is None:
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def exists(self, name: str) -> bool:
        return self._stat(name) is not None

    def read(self, name: str, limit: int = 256 * 1024 * 1024) -> bytes | None:
        """The file's bytes; None when there is none; UnsafeFolder when the name is a link, a
        folder, a FIFO or a device (refused before a byte is read: nothing blocks)."""
        try:
            fd = self._open(name, os.O_RDONLY | NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.EMLINK):
                raise UnsafeFolder(exc.errno, f"{name} is a link or a folder, not a file") from None
            raise
        with os.fdopen(fd, "rb") as fp:
            st = os.fstat(fp.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise UnsafeFolder(errno.EINVAL, f"{name} is not a regular file")
            if st.st_size > limit:
                raise UnsafeFolder(errno.EFBIG, f"{name} is larger than {limit} bytes")
            from checks.safefile import read_at_most

            return read_at_most(fp, limit + 1)

    def names(self) -> list[str]:
        if BY_DESCRIPTOR:
            return [] if self.fd is None else os.listdir(self.fd)
        return os.listdir(self.path) if self.path.is_dir() else []

    # --- writing ------------------------------------------------------------------------------
    def stage(self, name: str, data: bytes) -> str:
        """``data`` in a fresh hidden file beside ``name`` (mode 0600), fsynced."""
        for attempt in range(100):
            tmp = f".{name}.{os.getpid()}.{time.monotonic_ns() % 10**9}.{attempt}.partial"
            try:
                fd = self._open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            try:
                with os.fdopen(fd, "wb") as fp:
                    fp.write(data)
                    fp.flush()
                    os.fsync(fp.fileno())
            except BaseException:
                self.unlink(tmp)
                raise
            return tmp
        raise OSError(errno.EEXIST, f"cannot make a temporary file for {name}")

    def replace(self, source: str, target: str) -> None:
        for attempt in range(REPLACE_TRIES):
            try:
                if BY_DESCRIPTOR:
                    os.replace(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd)
                else:
                    os.replace(self.path / source, self.path / target)
                return
            except PermissionError:
                if os.name != "nt" or attempt == REPLACE_TRIES - 1:
                    raise
                time.sleep(0.02)  # a reader has it open; it closes in a moment

    def link(self, source: str, target: str) -> None:
        if BY_DESCRIPTOR:
            os.link(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd, follow_symlinks=False)
        else:
            os.link(self.path / source, self.path / target)

    def unlink(self, name: str) -> None:
        for attempt in range(REPLACE_TRIES):
            try:
                with contextlib.suppress(FileNotFoundError):
                    if BY_DESCRIPTOR:
                        if self.fd is not None:
                            os.unlink(name, dir_fd=self.fd)
                    else:
                        os.unlink(self.path / name)
                return
            except PermissionError:
                # Windows: a reader (a worker rendering the letter) has it open without
                # FILE_SHARE_DELETE; it closes in a moment. Seen under Wine: a reverted
                # letter's edit stayed on disk.
                if os.name != "nt" or attempt == REPLACE_TRIES - 1:
                    raise
                time.sleep(0.02)

    def fsync(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self.fd)

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float) -> Iterator[None]:
        """An exclusive lock across processes, on a file of the folder opened by descriptor."""
        if not BY_DESCRIPTOR:
            from filelock import FileLock, Timeout

            lock = FileLock(str(self.path / name), timeout=timeout)
            try:
                lock.acquire()
            except Timeout:
                raise TimeoutError(f"{self.path} is busy") from None
            try:
                yield
            finally:
                lock.release()
            return
        import fcntl

        fd = self._open(name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TimeoutError(f"{self.path} is busy") from None
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)
