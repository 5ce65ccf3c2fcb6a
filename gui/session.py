"""The state of one incident in the window: the case folder and what it holds. Every change is
written to the case at once (atomically), so a crash or a closed window loses nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

from cases.store import Case, default_root

if TYPE_CHECKING:
    from checks.model import Result

NOTICE_TEXT = "notice_input.txt"


class Session(QObject):
    results_changed = Signal()
    notice_changed = Signal()
    details_changed = Signal()

    def __init__(self, case: Case, settings: QSettings | None = None):
        super().__init__()
        self.case = case
        self.settings = settings
        self.network = False
        self.public_ip = ""
        if settings is not None:
            settings.setValue("case", str(case.path))

    @classmethod
    def restore_or_create(cls, settings: QSettings, root: Path | None = None) -> Session:
        last = settings.value("case", "", type=str)
        if last and Path(last).is_dir():
            return cls(Case(last), settings)
        root = root or default_root()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return cls(Case(root / f"case-{stamp}"), settings)

    # results ---------------------------------------------------------------------------------
    def results(self) -> list[Result]:
        return self.case.results()

    def add_result(self, result: Result, saved: bool = False) -> None:
        """A new result; ``saved``: a worker already wrote it to the case."""
        if not saved:
            self.case.add_results([result])
        self.results_changed.emit()

    # notice ----------------------------------------------------------------------------------
    def notice_text(self) -> str:
        path = self.case.path / NOTICE_TEXT
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def save_notice_text(self, text: str) -> None:
        from cases.store import atomic_write_bytes

        atomic_write_bytes(self.case.path / NOTICE_TEXT, text.encode("utf-8"))

    def set_notice(self, document: dict, result: Result) -> None:
        self.case.write_json("notice.json", document)
        self.case.add_results([result])
        self.notice_changed.emit()

    # details ---------------------------------------------------------------------------------
    def set_detail(self, key: str, value: str) -> None:
        self.case.set_details(**{key: value})
        self.details_changed.emit()
