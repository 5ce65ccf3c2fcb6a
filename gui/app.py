"""Start the window: Qt first and the window on screen, then everything else lazily (the checks
run in workers; scapy is never imported in this process; templates load on step 5)."""

from __future__ import annotations

import os
import sys


def run() -> int:
    import gc

    # This process collects garbage on its GUI thread only (gui/gc_guard.py, installed with the
    # window): automatic collection is off from here on, not only once the window is being
    # made, so that importing Qt does not set off collections on the way (~2.5 ms).
    gc.disable()
    if sys.platform.startswith("linux"):
        import locale

        if locale.nl_langinfo(locale.CODESET) != "UTF-8":
            # Qt wants a UTF-8 locale and complains on stderr without one (a bare environment,
            # a service): give it one before it starts.
            os.environ["LC_CTYPE"] = "C.UTF-8"
    give_qt_a_home(os.environ)
    from PySide6.QtWidgets import QApplication

    from checks import i18n

    app = QApplication.instance() or QApplication(sys.argv)
    _japanese_font_if_missing()
    app.setApplicationName("Clearline")
    app.setOrganizationName("Clearline")
    from gui.main_window import MainWindow, make_settings
    from gui.session import Session

    settings = make_settings()
    saved = settings.value("language", "", type=str)
    if saved:
        i18n.set_default_language(saved)
    window = MainWindow(Session.restore_or_create(settings))
    from gui.error_boundary import install_error_boundary

    install_error_boundary(window)
    window.show()
    if os.environ.get("CLEARLINE_EXIT_WHEN_SHOWN"):  # bench/startup.py: time to a shown window
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
    shot = os.environ.get("CLEARLINE_SCREENSHOT")
    if shot:  # tests of the packaged app: a picture of the window as it opened, then exit
        from PySide6.QtCore import QTimer

        QTimer.singleShot(2500, lambda: (window.grab().save(shot), app.quit()))
    return app.exec()


def give_qt_a_home(environ) -> None:
    """Qt takes the home folder from HOME alone and, without it, writes its settings to
    /.config (a service, `env -i`, some remote shells). Python's own answer (the password
    database) is the right one: give it to Qt before Qt starts."""
    if os.name != "posix" or environ.get("HOME"):
        return
    try:
        import pwd

        home = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError):
        return
    if home and os.path.isdir(home):
        environ["HOME"] = home


def _japanese_font_if_missing() -> None:
    """A PC with no font that writes Japanese (a stripped-down system, Wine) would show every
    word as boxes: the packaged app's own IPA Gothic is then added and used. Windows, macOS and
    a desktop Linux have one, and nothing is loaded there."""
    from PySide6.QtGui import QFontDatabase

    if QFontDatabase.families(QFontDatabase.WritingSystem.Japanese):
        return
    from reports.pdf import japanese_font_file

    font_file = japanese_font_file()
    if font_file is None:
        return
    font_id = QFontDatabase.addApplicationFont(font_file)
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        from PySide6.QtGui import QFont
        from PySide6.QtWidgets import QApplication

        QApplication.setFont(QFont(families[0]))
