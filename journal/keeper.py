"""Who could have written the journal: the one question its hash chain cannot answer.

The chain and the heads show that records were not changed after they were written, but not by
whom they were written. Malware runs as the user: a journal in a file or folder the user can
write (the user's own data folder, where a recorder without administrator rights keeps one) can
be written whole by such a program, chain and heads included, and so cannot speak against it.
Only a journal that only the system can write is cited as evidence.

POSIX: the database, its heads file and their folder must be owned by root and not writable by
group or others. Windows: mode bits say nothing there (ACLs decide), so the journal must be in
the system's journal folder, whose ACL is the administrators' (ProgramData); a journal in the
user's folder is refused. What only a real Windows can show (the ACL itself) is not read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from checks.i18n import N_

# The owners whose files only the system can write (a test running as a normal user stands in
# for root by adding its own uid: tests/conftest.py).
SYSTEM_UIDS: frozenset[int] = frozenset({0})

USER_WRITABLE = N_(
    "it is kept where programs running as a user can write it, so it cannot speak against such"
    " a program"
)


def problem(db: Path) -> str | None:
    """Why the journal at ``db`` cannot be cited (USER_WRITABLE), or None when only the system
    can write it."""
    from journal import heads, paths

    if os.name != "posix":
        try:
            inside = db.resolve().is_relative_to(paths.system_dir().resolve())
        except OSError:
            inside = False
        return None if inside else USER_WRITABLE
    for path in (db, heads.heads_path(db), db.parent):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue  # no heads file yet: the chain alone speaks
        except OSError:
            return USER_WRITABLE
        if st.st_uid not in SYSTEM_UIDS or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return USER_WRITABLE
        if stat.S_ISLNK(st.st_mode):
            return USER_WRITABLE
    return None
