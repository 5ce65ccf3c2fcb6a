"""Screenshots of every step in both languages, from a real window on a virtual screen.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshots.py [OUT_DIR]

The window shows a demo case: the Japanese notice of tests/data, checks with a bot found, a
replayed capture, remediation ticks and filled-in details. Writes step<N>-<lang>.png."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(out: Path) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from checks import i18n

    app = QApplication.instance() or QApplication(sys.argv)
    from gui.main_window import MainWindow
    from gui.session import Session
    from tests.cases import build

    tmp = Path(tempfile.mkdtemp(prefix="clearline-shots-"))
    # The same recorded case every time (a Windows PC with a bot): pictures do not depend on
    # the machine that takes them.
    case = build("infected", tmp)
    case.mark_done("scan", "2026-11-21")
    case.set_details(reference="ABUSE-2026-112034")
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    session = Session(case, settings)
    session.save_notice_text(
        (ROOT / "tests/data/notices/notice_ja.txt").read_text(encoding="utf-8")
    )
    session.writer.flush()
    window = MainWindow(session)
    window.resize(1366, 768)
    window.show()
    written = []
    replay = [
        json.loads(line)
        for line in (ROOT / "tests/data/linux/capture_replay.jsonl").read_text().splitlines()
    ]

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    for lang in i18n.CODES:
        i18n.set_default_language(lang)
        window.language.blockSignals(True)
        window.language.setCurrentIndex(i18n.CODES.index(lang))
        window.language.blockSignals(False)
        window.retranslate()
        window.pages[0].text.setPlainText(session.notice_text())
        window.pages[0].analyse()
        settle(1.5)
        window.pages[1].show_results(session.results())
        from app import flows

        for doc in replay:
            if doc.get("type") == "summary":  # as `capture --case` does: saved once, then shown
                doc = {**doc, "results": [r.to_dict() for r in flows.finish_capture(case, doc)]}
            window.pages[2].replay(doc)
        for step in range(1, 6):
            window.go(step)
            settle(2.5 if step == 5 else 0.5)
            path = out / f"step{step}-{lang}.png"
            window.grab().save(str(path))
            written.append(path)
    window.close()
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs/screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for p in main(target):
        print(p)
