"""Opening a bundle from the window: what is wrong with it is listed, in the user's language
(the box listed only changed, missing and extra files; a symbolic link or a name that unpacks
as another file went unsaid)."""


def test_a_hostile_bundle_opened_in_japanese_lists_its_problems_in_japanese(
    make_window, qtbot, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    from tests.unit.test_zip_readers import HOSTILE

    path = tmp_path / "hostile.zip"
    path.write_bytes(HOSTILE["local header names another file"]())
    w = make_window()
    w.set_language("ja")
    shown = []
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getOpenFileName", lambda *a, **k: (str(path), "")
    )
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    w.open_bundle()
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "証拠一式が変更または破損しています。" in shown[0], shown[0]
    assert "ローカルヘッダーに別のファイル名があります" in shown[0], shown[0]
    assert "its local header" not in shown[0]
