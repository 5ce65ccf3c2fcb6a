"""Qt's own words (file dialogs, standard buttons, context menus) in the window's language: the
translations that ship with Qt, swapped on every language switch."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from checks import i18n

_installed: list[QTranslator] = []


def apply(lang: str) -> bool:
    """Install Qt's translation for ``lang`` (none for English); True when one was loaded."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if lang == i18n.SOURCE:
        return False
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(QLocale(lang), "qtbase", "_", folder):
        return False  # Qt built without its translations: its dialogs stay in English
    app.installTranslator(translator)
    _installed.append(translator)
    return True
