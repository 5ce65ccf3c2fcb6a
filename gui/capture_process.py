"""The capture as one object (after qutebrowser's GUIProcess): it starts `capture` elevated,
follows what it says (its JSON lines on stdout, or the events file of a capture started through
the system's prompt), stops it, watches that it is alive, and always ends with one outcome.

The capture process writes its results into the case itself (--case); the window only shows
what it says."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from app import elevation
from checks.i18n import _


@dataclass(frozen=True)
class CaptureOutcome:
    """How a capture ended: its summary (the last document it wrote), or why there is none."""

    summary: dict[str, Any] | None = None
    reason: str = ""  # set when there is no summary: refused, dismissed, crashed, silent

    @property
    def ok(self) -> bool:
        return self.summary is not None


class CaptureProcess(QObject):
    """One capture at a time. ``progress`` carries each progress document; ``finished`` fires
    exactly once per ``start`` with a CaptureOutcome."""

    progress = Signal(dict)
    finished = Signal(object)

    START_LIMIT_S = 120.0  # time to type the administrator password
    SILENCE_LIMIT_S = 20.0  # the capture writes progress every second
    TAIL_MS = 300

    def __init__(
        self,
        parent: QObject | None = None,
        command: Callable[[int, str], list[str]] = elevation.capture_argv,
        launcher: Callable | None = None,
    ) -> None:
        super().__init__(parent)
        self.command = command
        # How to start a capture whose output cannot be read (the system's prompt); tests pass
        # a plain launcher to follow the same path.
        self.launcher = launcher
        self.process: QProcess | None = None
        self.stop_file: Path | None = None
        self.events_file: Path | None = None
        self.tail_timer: QTimer | None = None
        self._reset()

    def _reset(self) -> None:
        self.buffer = b""
        self.summary: dict[str, Any] | None = None
        self.reason = ""
        self.tail_offset = 0
        self.started_seen, self.last_event = False, time.monotonic()
        self.prompt_process = None
        self._ended = False

    def running(self) -> bool:
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            return True
        return self.tail_timer is not None and self.tail_timer.isActive()

    def start(self, seconds: int, case: Path) -> None:
        self._reset()
        argv = self.command(seconds, str(case))
        if self.launcher is not None:
            self._start_detached(argv, case)
            return
        self.stop_file = None
        if sys.platform == "win32":
            # terminate() cannot stop a console program on Windows: the stop file can.
            self.stop_file = case / "capture.stop"
            self.stop_file.unlink(missing_ok=True)
            argv = [*argv, "--stop-file", str(self.stop_file)]
        self.process = QProcess(self)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._process_finished)
        self.process.errorOccurred.connect(self._process_error)
        self.process.start(argv[0], argv[1:])

    def stop(self) -> None:
        """Ask the capture to finish; it keeps what it saw and writes its summary."""
        if self.stop_file is not None and (
            (self.tail_timer is not None and self.tail_timer.isActive()) or sys.platform == "win32"
        ):
            self.stop_file.touch()  # the (elevated) capture sees it and finishes
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.terminate()  # SIGTERM: the capture keeps what it has

    # --- what the capture says ---------------------------------------------------------------
    def _handle(self, doc: dict) -> None:
        kind = doc.get("type")
        if kind == "progress":
            self.progress.emit(doc)
        elif kind == "summary":
            self.summary = doc
        elif kind == "error":
            self.reason = str(doc.get("reason", "")) or _("the capture could not start")

    def _lines(self, data: bytes) -> None:
        for line in data.splitlines():
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            if isinstance(doc, dict):
                self.started_seen, self.last_event = True, time.monotonic()
                self._handle(doc)

    def _end(self, reason: str = "") -> None:
        if self._ended:
            return
        self._ended = True
        if self.tail_timer is not None:
            self.tail_timer.stop()
        if self.summary is not None:
            self.finished.emit(CaptureOutcome(self.summary))
        else:
            self.finished.emit(CaptureOutcome(None, self.reason or reason))

    # --- a capture whose output we read (pkexec, or already root) -----------------------------
    def _read(self) -> None:
        if self.process is None:
            return
        self.buffer += bytes(self.process.readAllStandardOutput().data())
        complete, _sep, self.buffer = self.buffer.rpartition(b"\n")
        self._lines(complete)

    def _process_error(self, _error) -> None:
        if self.process is not None and self.process.state() == QProcess.ProcessState.NotRunning:
            self._end(self.process.errorString())

    def _process_finished(self, code: int, _status) -> None:
        self._read()
        self._lines(self.buffer)
        self.buffer = b""
        if code in (126, 127):  # pkexec: not authorised, or the prompt dismissed
            self._end(_("the administrator password was not given"))
        else:
            self._end(_("the capture ended without a result (exit code {code})").format(code=code))

    # --- a capture started through the system's prompt: its events file -----------------------
    def _start_detached(self, argv: list[str], case: Path) -> None:
        self.events_file, self.stop_file = case / "capture_events.jsonl", case / "capture.stop"
        self.events_file.write_text("", encoding="utf-8")
        self.stop_file.unlink(missing_ok=True)
        full = [*argv, "--events", str(self.events_file), "--stop-file", str(self.stop_file)]
        launched = self.launcher(full) if self.launcher else False
        if not launched:
            self._end(_("the administrator password was not given"))
            return
        # Liveness: the prompt's process (where the launcher gives one), a start within a
        # limit, and an event at least every few seconds once started.
        self.prompt_process = launched if hasattr(launched, "poll") else None
        self.tail_timer = QTimer(self)
        self.tail_timer.timeout.connect(self._tail)
        self.tail_timer.start(self.TAIL_MS)

    def _tail(self) -> None:
        """Follow the events file (a small read, on a timer)."""
        try:
            with open(self.events_file, "rb") as fp:  # type: ignore[arg-type]
                fp.seek(self.tail_offset)
                chunk = fp.read()
        except OSError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.tail_offset += len(complete)
        self._lines(complete)
        if self.summary is not None or self.reason:
            self._end()
            return
        reason = self._not_alive(time.monotonic())
        if reason:
            self._end(reason)

    def _not_alive(self, now: float) -> str | None:
        if not self.started_seen:
            if self.prompt_process is not None and self.prompt_process.poll() not in (None, 0):
                return _("the administrator password was not given")
            if now - self.last_event > self.START_LIMIT_S:
                return _("the capture did not start")
            return None
        if now - self.last_event > self.SILENCE_LIMIT_S:
            return _("the capture stopped answering")
        return None
