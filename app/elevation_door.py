"""The elevated entry point is a narrow door.

When Clearline runs with administrator rights because pkexec or sudo started it for a user
(PKEXEC_UID or SUDO_UID set, effective user root), or on Windows because the UAC prompt did
(an elevated process whose parent is not an elevated process older than it: Clearline's own
window, or anything else running as the user, asked for the prompt), it runs only what those
rights are for:
``capture`` (which gives root up as soon as its packet socket is open, and writes only as that
user, into a folder that user owns) and ``journal run``/``install``/``uninstall`` (whose
database must be the machine's, in the root-owned journal folder). Everything else is refused
with a clear message: the administrator prompt named one purpose, and must not be reusable to
write a root-owned file anywhere (``diagnose --out``, ``bundle --force``) or to read another
user's files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ALLOWED_JOURNAL = ("run", "install", "uninstall")


def elevated_for_a_user() -> bool:
    if sys.platform == "win32":
        from checks.probes import token

        me = token.elevated()
        if not me:
            return False  # the usual case, and cheap: no look at the parent
        ancestor = token.parent()
        if ancestor is None and token.under_wine():
            return False  # started from Unix under Wine: no prompt gave these rights
        return prompted(
            me,
            token.elevated(ancestor[0]) if ancestor else None,
            ancestor[1] if ancestor else None,
        )
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    return bool(os.environ.get("PKEXEC_UID") or os.environ.get("SUDO_UID"))


def prompted(me: bool | None, parent: bool | None, parent_older: bool | None) -> bool:
    """Windows: whether an elevated process got its rights from the UAC prompt. An
    administrator's elevated shell (an elevated parent, older than this process) may run any
    command; a process elevated from a parent that is not (the window, a script, malware running
    as the user) only the door's. Whatever is not known counts as the prompt: fail closed."""
    if not me:
        return False
    return not (parent is True and parent_older is True)


def refusal(args) -> str | None:
    """Why ``args`` may not run with rights given for another purpose; None when it may."""
    if not elevated_for_a_user():
        return None
    command = getattr(args, "command", None)
    if command == "capture":
        return _capture_user(getattr(args, "user", None))
    if command == "journal" and getattr(args, "journal_command", None) in ALLOWED_JOURNAL:
        db = getattr(args, "db", None)
        if db is None:
            return None
        from journal import paths

        folder = paths.system_dir().resolve()
        try:
            inside = Path(db).resolve(strict=False).parent == folder
        except OSError:
            inside = False
        if inside:
            return None
        return (
            f"with administrator rights the journal is written only in {folder}; {db} is not there"
        )
    what = command or "the window"
    if command == "journal":
        what = f"journal {getattr(args, 'journal_command', '')}".strip()
    return (
        f"'{what}' does not run with administrator rights given through the administrator prompt"
        " (pkexec, sudo or UAC): those rights are for the capture and the journal only. Run it"
        " as yourself, without them."
    )


def _capture_user(user: str | None) -> str | None:
    """The capture becomes the user who asked for it; not someone else of their choosing."""
    if not user:
        return None
    if sys.platform == "win32":
        return "--user is for Linux: on Windows the capture runs as the user the prompt elevated"
    import pwd

    asked = os.environ.get("PKEXEC_UID") or os.environ.get("SUDO_UID") or ""
    try:
        entry = pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
    except (KeyError, ValueError):
        return f"no such user: {user}"
    if str(entry.pw_uid) == asked:
        return None
    return (
        f"with administrator rights given through pkexec or sudo the capture runs as the user who"
        f" asked for it, not as {user}"
    )
