"""Where the journal lives, and whether its recorder is running.

One journal per machine: the recorder runs as a system service, so its database is in the
machine's data directory — /var/lib/clearline on Linux (the FHS place for a service's state;
platformdirs' "site data" on Linux is /usr/local/share, which is not meant to be written),
platformdirs' site data directory on Windows (C:\\ProgramData\\Clearline) and macOS
(/Library/Application Support/Clearline). A recorder started by a user without administrator
rights keeps its own journal in that user's data directory; readers look at the machine's
first."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "journal.sqlite3"
PID_NAME = "journal.pid"


def system_dir() -> Path:
    override = os.environ.get("CLEARLINE_JOURNAL_DIR")
    if override:
        return Path(override)
    if sys.platform.startswith("linux"):
        return Path("/var/lib/clearline")
    from platformdirs import site_data_path

    return site_data_path("Clearline", appauthor=False)


def user_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("Clearline", appauthor=False)


def _admin() -> bool:
    if os.name == "nt":
        try:
            import ctypes

            return bool(ctypes.windll.shell32.IsUserAnAdmin())
        except (AttributeError, OSError):
            return False
    return os.geteuid() == 0


def db_for_writing(explicit: str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get("CLEARLINE_JOURNAL_DIR"):
        return system_dir() / DB_NAME
    return (system_dir() if _admin() else user_dir()) / DB_NAME


def db_for_reading(explicit: str | None = None) -> Path | None:
    """The journal to read: the one named, else the machine's, else this user's; None when
    there is none."""
    if explicit:
        return Path(explicit)
    # CLEARLINE_JOURNAL_DIR (tests, a support agent pointing at a copy) is the only place then.
    folders = (
        [system_dir()] if os.environ.get("CLEARLINE_JOURNAL_DIR") else [system_dir(), user_dir()]
    )
    for folder in folders:
        candidate = folder / DB_NAME
        if candidate.exists():
            return candidate
    return None


def pid_file(db: Path) -> Path:
    return db.with_name(PID_NAME)


def write_pid(db: Path, problem: str | None = None) -> None:
    """The pid file (with the recorder's current problem, if any), created fresh without
    following a link someone planted under its temporary name, then renamed into place."""
    import psutil

    me = psutil.Process()
    target = pid_file(db)
    temp = target.with_name(f".{target.name}.{os.getpid()}")
    doc = {"pid": me.pid, "create_time": me.create_time(), "db": str(db), "problem": problem}
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temp, flags, 0o644)
    with os.fdopen(fd, "w") as fp:
        fp.write(json.dumps(doc))
    os.replace(temp, target)


def clear_pid(db: Path) -> None:
    try:
        doc = json.loads(pid_file(db).read_text(encoding="utf-8"))
        if doc.get("pid") == os.getpid():
            pid_file(db).unlink()
    except (OSError, ValueError):
        pass


@dataclass(frozen=True)
class Running:
    running: bool
    pid: int | None = None
    why: str = ""
    problem: str | None = None  # what the running recorder cannot do (e.g. write: disk full)


def running(db: Path) -> Running:
    """Whether a recorder for ``db`` is alive: its pid file names a process that still exists
    with the same start time (a reused pid is not the recorder)."""
    import psutil

    from checks.safefile import open_regular

    try:
        # A FIFO or a device planted as the pid file is refused at once (a plain read would
        # wait on a FIFO for ever, in `journal status`, in `journal run` as root, in the window).
        with open_regular(pid_file(db)) as fp:
            doc = json.loads(fp.read(64 * 1024).decode("utf-8"))
        pid, created = int(doc["pid"]), float(doc["create_time"])
    except FileNotFoundError:
        return Running(False, why="no recorder has said it runs")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Running(False, why=f"the recorder's pid file cannot be read ({exc})")
    try:
        if abs(psutil.Process(pid).create_time() - created) < 0.01:
            return Running(True, pid, problem=doc.get("problem"))
    except psutil.Error:
        pass
    return Running(False, why=f"the recorder (pid {pid}) is no longer running")
