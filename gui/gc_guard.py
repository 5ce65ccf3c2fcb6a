"""Python's cyclic garbage collector runs on whichever thread happens to allocate; when that is a
worker and the garbage holds Qt objects (a closed window's widgets in a cycle with a lambda),
Qt destroys widgets off the GUI thread and the process crashes. As qutebrowser does: automatic
collection off, and a timer on the GUI thread collects instead, generation by generation, when
the allocation counts pass the usual thresholds."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
_guard: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self):
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.thresholds = gc.get_threshold()

    def check(self) -> None:
        # Cheap when nothing is due: only the counters are read.
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                break


def install() -> GuiThreadCollector:
    """Once per process, on the GUI thread (idempotent)."""
    global _guard
    if _guard is None:
        gc.disable()
        _guard = GuiThreadCollector()
        _guard.timer.start()
    return _guard
