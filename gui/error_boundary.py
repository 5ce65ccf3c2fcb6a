"""The window's one error boundary: an unexpected exception in a slot is logged (app.crashlog)
and shown in the status bar, and the window stays usable."""

from __future__ import annotations

import sys


def install_error_boundary(window) -> None:
    """The window's one error boundary: an exception in a slot is written to a log file and
    shown as a message; the window stays usable and what was saved stays saved."""

    def hook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        from app.crashlog import write_crash_log
        from checks.i18n import _

        log = write_crash_log(value.with_traceback(tb))
        try:
            window.statusBar().showMessage(
                _(
                    "Clearline stopped because of an internal error ({error}). What was saved"
                    " before it is kept. Details: {log}"
                ).format(error=kind.__name__, log=log),
                0,
            )
        except RuntimeError:  # the window is already gone
            pass

    sys.excepthook = hook
