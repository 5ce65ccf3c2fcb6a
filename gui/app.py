"""Start the window: Qt first and the window on screen, then everything else lazily (the checks
run in workers; scapy is never imported in this process; templates load on step 5)."""

from __future__ import annotations

import os
import sys


def run() -> int:
    from PySide6.QtWidgets import QApplication

    from checks import i18n

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Clearline")
    app.setOrganizationName("Clearline")
    from gui.main_window import MainWindow, make_settings
    from gui.session import Session

    settings = make_settings()
    saved = settings.value("language", "", type=str)
    if saved:
        i18n.set_default_language(saved)
    window = MainWindow(Session.restore_or_create(settings))
    window.show()
    if os.environ.get("CLEARLINE_EXIT_WHEN_SHOWN"):  # bench/startup.py: time to a shown window
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
    return app.exec()
