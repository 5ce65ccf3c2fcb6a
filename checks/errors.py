"""An error from outside (the OS, a file system) in the user's words.

The C library's own text ("[Errno 13] Permission denied") is English whatever the user's
language, and it landed inside Japanese sentences. An OSError is worded by its kind (the errno,
which Python derives from the Windows error too) with the file it names; anything else keeps its
own text (``describe_unexpected`` adds its type, so that support can tell what it was)."""

from __future__ import annotations

import errno
import os

from checks.i18n import N_, _

WORDS = {
    errno.EACCES: N_("access was denied"),
    errno.EPERM: N_("the operation is not permitted"),
    errno.ENOENT: N_("it does not exist"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.ENOTDIR: N_("part of the path is not a folder"),
    errno.EEXIST: N_("it already exists"),
    errno.ENOTEMPTY: N_("the folder is not empty"),
    errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("the disk is read-only"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.ELOOP: N_("it is a link, which Clearline does not follow here"),
    errno.EBUSY: N_("it is in use"),
    errno.EIO: N_("the disk could not be read or written (input/output error)"),
    errno.EMFILE: N_("too many files are open"),
    errno.ENODEV: N_("the device does not exist"),
    errno.ENXIO: N_("the device does not exist"),
}


def what_of(exc: OSError) -> str:
    """The kind of an OSError in the current language, without its file (for a sentence that
    names the file already); its own text when it is of no known kind."""
    if exc.errno in WORDS and not _own_words(exc):
        return _(WORDS[exc.errno])
    return exc.strerror or str(exc)


def _own_words(exc: OSError) -> bool:
    """Clearline's own refusals (safefile) carry words already in the user's language."""
    from checks.safefile import NotARegularFile, NotRootOnly

    return isinstance(exc, (NotARegularFile, NotRootOnly))


def _says_more(exc: OSError) -> bool:
    return (
        exc.filename is None
        and bool(exc.strerror)
        and exc.errno is not None
        and exc.strerror != os.strerror(exc.errno)
        and not _own_words(exc)
    )


def describe(exc: BaseException) -> str:
    """One line for ``exc`` in the current language."""
    if isinstance(exc, OSError) and _says_more(exc):
        # Our own text naming what it refused (a case folder that is a link): the generic words
        # of its kind would drop the path.
        return exc.strerror
    if isinstance(exc, OSError) and (exc.errno in WORDS or _own_words(exc)):
        what = what_of(exc)
        if exc.filename:
            return _("{path}: {what}").format(path=exc.filename, what=what)
        return what
    if isinstance(exc, OSError) and exc.strerror:
        # A kind with no words of ours: the system's own, without Python's "[Errno N]".
        if exc.filename:
            return _("{path}: {what}").format(path=exc.filename, what=exc.strerror)
        return exc.strerror
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def describe_unexpected(exc: BaseException) -> str:
    """For an error nobody planned for: its type too, so that support can tell what it was."""
    if isinstance(exc, OSError) and exc.errno in WORDS:
        return describe(exc)
    return f"{type(exc).__name__}: {describe(exc)}"
