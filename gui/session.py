"""The state of one incident in the window: the case folder and what it holds.

Every change goes to the case through one background writer (a single worker thread, so writes
keep their order), never on the GUI thread; the case store makes each one atomic and safe
against the CLI writing at the same time. ``saved`` fires on the GUI thread when a write is on
disk, so a crash or a closed window loses nothing that was reported saved."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QSettings, Signal

if TYPE_CHECKING:
    from cases.store import Case
    from checks.model import Result


class CaseWriter(QObject):
    """One thread that performs case writes in the order they were asked for."""

    done = Signal(str)  # what was written
    failed = Signal(str, str)  # what, why

    def __init__(self):
        super().__init__()
        self._executor: ThreadPoolExecutor | None = None

    @property
    def _pool(self) -> ThreadPoolExecutor:
        """Made at the first write, not before the first paint."""
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="case-writer")
        return self._executor

    def submit(self, what: str, fn: Callable[[], object]) -> Future:
        def run():
            try:
                fn()
            except Exception as exc:  # reported, never lost silently
                from checks import errors

                self.failed.emit(what, errors.describe_unexpected(exc))
                raise
            self.done.emit(what)

        return self._pool.submit(run)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait for the writes asked for so far (closing the window, tests)."""
        self._pool.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)


class Session(QObject):
    results_changed = Signal()
    notice_changed = Signal()
    details_changed = Signal()
    saved = Signal(str)
    save_failed = Signal(str, str)

    def __init__(self, case: Case | str | Path, settings: QSettings | None = None):
        """``case``: a Case, or the path of one to open at its first use."""
        super().__init__()
        if isinstance(case, (str, Path)):
            self.case_path, self._case = Path(case), None
        else:
            self.case_path, self._case = case.path, case
        self._opening = threading.Lock()
        self.settings = settings
        self.network = False
        self.public_ip = ""
        # Boot and shutdown records for NOTICE-UPTIME; None: read this machine's own.
        self.power_events: dict | None = None
        self.writer = CaseWriter()
        self.writer.done.connect(self.saved)
        self.writer.failed.connect(self.save_failed)
        # Written only when it changes: any write makes QSettings save its file, on the GUI
        # thread at the next turn of the event loop (~3 ms, before the window's first paint).
        if settings is not None and settings.value("case", "", type=str) != str(self.case_path):
            settings.setValue("case", str(self.case_path))

    @property
    def case(self) -> Case:
        """The case, opened at its first use: a restored one after the window's first paint
        (the store is not even imported before it), from whichever thread asks first."""
        with self._opening:
            if self._case is None:
                from cases.store import Case

                self._case = Case(self.case_path)
            return self._case

    @classmethod
    def restore_or_create(cls, settings: QSettings, root: Path | None = None) -> Session:
        last = settings.value("case", "", type=str)
        if last and Path(last).is_dir():
            return cls(last, settings)
        return cls(new_case(root), settings)

    # results ---------------------------------------------------------------------------------
    def results(self) -> list[Result]:
        return self.case.results()

    def result_arrived(self) -> None:
        """A worker saved a result: tell the pages."""
        self.results_changed.emit()

    # notice ----------------------------------------------------------------------------------
    def notice_text(self) -> str:
        return self.case.notice_text()

    def save_notice_text(self, text: str) -> None:
        def write():
            with self.case.update() as u:
                u.set_notice_text(text)

        self.writer.submit("notice text", write)

    def notice_read(self) -> None:
        """The notice flow saved its analysis and results (on its worker)."""
        self.notice_changed.emit()
        self.results_changed.emit()

    # details and fixes -------------------------------------------------------------------------
    def set_details(self, values: dict[str, str]) -> None:
        from app import flows

        self.writer.submit("details", lambda: flows.record_details(self.case, values))
        self.details_changed.emit()

    def mark_done(self, step: str, when: str | None = None) -> None:
        from datetime import datetime

        from app import flows

        when = when or datetime.now().astimezone().isoformat(timespec="seconds")
        self.writer.submit(
            f"step {step}", lambda: flows.record_details(self.case, {}, done=[f"{step}={when}"])
        )
        self.details_changed.emit()

    def undo_step(self, step: str) -> None:
        from app import flows

        self.writer.submit(f"step {step}", lambda: flows.record_details(self.case, {}, undo=[step]))
        self.details_changed.emit()

    def save_edited_letter(self, lang: str, text: str | None, base: str | None = None) -> None:
        from app import flows

        self.writer.submit(
            f"letter {lang}", lambda: flows.save_edited_letter(self.case, lang, text, base)
        )


def new_case(root: Path | None = None) -> Case:
    from datetime import datetime

    from cases.store import Case, default_root

    root = root or default_root()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = root / f"case-{stamp}", 1
    while path.exists():  # two cases in one second stay two cases
        n += 1
        path = root / f"case-{stamp}-{n}"
    return Case(path)
