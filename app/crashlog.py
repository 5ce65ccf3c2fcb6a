"""An unexpected error's traceback, written to a log file the user can send to support: the
window and the command line both name the file instead of showing a Python traceback."""

from __future__ import annotations

import os


def write_crash_log(exc: BaseException) -> str:
    """The log's path, or a note that none could be written (a full disk must not turn one
    error into two)."""
    import traceback
    from datetime import datetime

    text = "".join(traceback.format_exception(exc))
    try:
        from platformdirs import user_log_path

        folder = user_log_path("Clearline", appauthor=False)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
        path.write_text(text, encoding="utf-8")
        return str(path)
    except OSError:
        return "(no log could be written)"
