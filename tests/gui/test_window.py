import pytest

pytest.importorskip(
    "PySide6.QtWidgets", reason="Qt runtime libraries are missing (see tools/system-deps.sh)"
)


def test_window_opens_titled_clearline(qtbot):
    from gui.app import build_window

    window = build_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Clearline"
