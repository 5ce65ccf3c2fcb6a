import pytest

pytest.importorskip(
    "PySide6.QtWidgets",
    reason="the Qt runtime libraries are missing (tools/system-deps.sh installs them)",
)


@pytest.fixture
def make_window(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from cases.store import Case
    from gui.main_window import MainWindow
    from gui.session import Session

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)

    def make(**kwargs):
        session = Session.restore_or_create(settings, root=tmp_path / "cases")
        window = MainWindow(session, **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    make.settings = settings
    make.Case = Case
    return make
