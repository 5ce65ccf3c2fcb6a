"""The window. A placeholder until the window issue replaces it: it shows the product name so a
double-click does something sensible."""

from __future__ import annotations

import sys


def build_window():
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QMainWindow

    from checks.i18n import _

    window = QMainWindow()
    window.setWindowTitle("Clearline")
    label = QLabel(
        _("Clearline is being built. For now, use the command line: python main.py --help")
    )
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    window.setCentralWidget(label)
    window.resize(640, 360)
    return window


def run() -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Clearline")
    window = build_window()
    window.show()
    return app.exec()
