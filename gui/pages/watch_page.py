"""Step 3 — Watch the line: the capture runs as its own elevated process (QProcess) speaking
JSON lines; without administrator rights, the connection watch runs instead, and the page says
what that cannot see."""

from __future__ import annotations

import json
import os
import shutil
import sys

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
)

from checks.i18n import _
from gui import workers
from gui.chart import BarChart
from gui.pages.base import Page


def capture_command(seconds: int, case: str) -> list[str]:
    """The capture command line, elevated when needed (pkexec shows the administrator prompt)."""
    from checks import i18n
    from launch import self_argv

    # Started elevated: the packaged executable, or this Python with -E -s (nothing from the
    # user's environment runs as root) and UTF-8 mode (Japanese words through any code page).
    argv = self_argv(
        "capture",
        "--json",
        "--seconds",
        str(seconds),
        "--case",
        case,
        "--lang",
        i18n.get_language(),
    )
    if os.name == "posix" and os.geteuid() != 0 and shutil.which("pkexec"):
        from launch import frozen

        if frozen():
            # The installed executable itself: polkit's action for it (packaging/linux) names
            # Clearline in the prompt and allows nothing else. The language goes as --lang.
            return ["pkexec", *argv]
        env = [f"{k}={os.environ[k]}" for k in ("DISPLAY", "XAUTHORITY", "LANG") if k in os.environ]
        return ["pkexec", "env", *env, *argv]
    return argv


def needs_windows_elevation() -> bool:
    if sys.platform != "win32":
        return False
    from checks.context import is_admin

    return not is_admin()


def elevate_windows(argv: list[str]) -> bool:
    """Start argv through the Windows administrator prompt (UAC "runas"). Its output cannot be
    read from here, so the capture writes its JSON lines to a file the page follows."""
    import ctypes
    import subprocess

    result = ctypes.windll.shell32.ShellExecuteW(
        None, "runas", argv[0], subprocess.list2cmdline(argv[1:]), None, 0
    )
    return int(result) > 32


def elevate_macos(argv: list[str]):
    """Start argv through the macOS administrator prompt (osascript); like on Windows, the
    window follows the capture's events file."""
    import shlex
    import subprocess

    command = " ".join(shlex.quote(a) for a in argv).replace("\\", "\\\\").replace('"', '\\"')
    script = f'do shell script "{command}" with administrator privileges'
    try:
        # The prompt's own process: it exits non-zero when the user cancels, which the page
        # watches so that it never waits for a capture that will not start.
        return subprocess.Popen(["/usr/bin/osascript", "-e", script])
    except OSError:
        return False


def default_detached_launcher():
    if needs_windows_elevation():
        return elevate_windows
    if sys.platform == "darwin" and os.geteuid() != 0:
        return elevate_macos
    return None


class WatchPage(Page):
    def __init__(self, session, window, command=capture_command, detached_launcher=None):
        super().__init__(session, window)
        self.capture_results: list = []
        self.command = command
        # How to start a capture whose output cannot be read directly (Windows elevation); tests
        # pass a plain launcher to follow the same path.
        self.detached_launcher = detached_launcher or default_detached_launcher()
        self.intro = self.paragraph()
        row = QHBoxLayout()
        self.minutes_label = QLabel()
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 240)
        self.minutes.setValue(10)
        self.start_button = QPushButton()
        self.stop_button = QPushButton()
        self.stop_button.setEnabled(False)
        # Two rows: in a wide font (IPA Gothic under Wine, a large system font) one row of the
        # four made the page wider than the window.
        for w in (self.minutes_label, self.minutes):
            row.addWidget(w)
        row.addStretch(1)
        self.layout_.addLayout(row)
        buttons = QHBoxLayout()
        for w in (self.start_button, self.stop_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        self.layout_.addLayout(buttons)
        self.progress = QProgressBar()
        self.layout_.addWidget(self.progress)
        self.counters = QLabel()
        self.counters.setWordWrap(True)  # one long line in a wide font made the page scroll
        self.layout_.addWidget(self.counters)
        self.chart = BarChart()
        self.layout_.addWidget(self.chart)
        self.table = QTableWidget(0, 4)
        self.table.setMinimumHeight(140)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):  # as wide as their header in either language: never clipped
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.table.verticalHeader().setVisible(False)
        self.layout_.addWidget(self.table)
        self.outcome = self.paragraph()
        self.layout_.addStretch(1)
        self.process: QProcess | None = None
        self.tail_timer = None
        self.tail_offset = 0
        self.tail_done = False
        self.watch_worker = None
        self.buffer = b""
        self.last_syn = 0
        self.bars: list[int] = []
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("3. Watch the line"))
        self.intro.setText(
            _(
                "Programs that send spam do it in bursts. Watching the traffic for a while shows"
                " every mail connection and every mail-server lookup, and which program made it."
                " <b>Your computer will ask for the administrator password</b>: watching network"
                " traffic needs it. Nothing is sent anywhere; what is recorded stays in your case"
                " folder, without message contents or passwords."
            )
        )
        self.minutes_label.setText(_("How long to watch (minutes):"))
        self.minutes.setAccessibleName(_("How many minutes to watch"))
        self.start_button.setText(_("Start watching"))
        self.stop_button.setText(_("Stop (keeps what was seen)"))
        self.progress.setAccessibleName(_("Time watched"))
        self.table.setHorizontalHeaderLabels(
            [_("Program"), _("Connections"), _("Mail-server lookups"), _("Verdict")]
        )
        self.table.setAccessibleName(_("Programs seen"))
        self._show_counters({})
        if self.capture_results:
            self.show_outcome()

    def _show_counters(self, doc: dict) -> None:
        self.counters.setText(
            _(
                "Packets: {packets}   Mail connection attempts: {syn}   Mail-server lookups: {mx}"
            ).format(
                packets=doc.get("packets", 0),
                syn=doc.get("smtp_syn", 0),
                mx=doc.get("mx_queries", 0),
            )
        )

    def start(self) -> None:
        seconds = self.minutes.value() * 60
        self.progress.setRange(0, seconds)
        self.progress.setValue(0)
        self.bars, self.last_syn, self.buffer = [], 0, b""
        self.outcome.setText("")
        argv = self.command(seconds, str(self.session.case.path))
        if self.detached_launcher is not None:
            self._start_detached(argv, seconds)
            return
        self.stop_file = None
        if sys.platform == "win32":
            # terminate() cannot stop a console program on Windows: the stop file can.
            self.stop_file = self.session.case.path / "capture.stop"
            self.stop_file.unlink(missing_ok=True)
            argv = [*argv, "--stop-file", str(self.stop_file)]
        self.process = QProcess(self)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._process_error)
        self.process.start(argv[0], argv[1:])
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)

    def _start_detached(self, argv: list[str], seconds: int) -> None:
        case = self.session.case.path
        self.events_file, self.stop_file = case / "capture_events.jsonl", case / "capture.stop"
        self.events_file.write_text("", encoding="utf-8")
        self.stop_file.unlink(missing_ok=True)
        full = [*argv, "--events", str(self.events_file), "--stop-file", str(self.stop_file)]
        launched = self.detached_launcher(full)
        if not launched:
            self.fallback(_("the administrator password was not given"))
            return
        import time as _time

        # Liveness: the prompt's process (where the launcher gives one), a start within a
        # limit, and an event at least every few seconds once started.
        self.launcher_process = launched if hasattr(launched, "poll") else None
        self.started_seen, self.last_event = False, _time.monotonic()
        from PySide6.QtCore import QTimer

        self.tail_offset, self.tail_done = 0, False
        self.tail_timer = QTimer(self)
        self.tail_timer.timeout.connect(self._tail)
        self.tail_timer.start(300)
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)

    def _tail(self) -> None:
        """Follow the events file of a detached capture (a small read, on a timer)."""
        try:
            with open(self.events_file, "rb") as fp:
                fp.seek(self.tail_offset)
                chunk = fp.read()
        except OSError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.tail_offset += len(complete)
        import time as _time

        now = _time.monotonic()
        for line in complete.splitlines():
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            self.started_seen, self.last_event = True, now
            self.handle(doc)
            if doc.get("type") in ("summary", "error"):
                self.tail_done = True
        if not self.tail_done:
            reason = self._not_alive(now)
            if reason:
                self.tail_done = True
                self.tail_timer.stop()
                self.stop_button.setEnabled(False)
                self.fallback(reason)
                return
        if self.tail_done:
            self.tail_timer.stop()
            self.start_button.setEnabled(True)
            self.stop_button.setEnabled(False)

    START_LIMIT_S = 120.0  # time to type the administrator password
    SILENCE_LIMIT_S = 20.0  # the capture writes progress every second

    def _not_alive(self, now: float) -> str | None:
        process = getattr(self, "launcher_process", None)
        if not self.started_seen:
            if process is not None and process.poll() not in (None, 0):
                return _("the administrator password was not given")
            if now - self.last_event > self.START_LIMIT_S:
                return _("the capture did not start")
            return None
        if now - self.last_event > self.SILENCE_LIMIT_S:
            return _("the capture stopped answering")
        return None

    def stop(self) -> None:
        stop_file = getattr(self, "stop_file", None)
        if stop_file is not None and (
            (self.tail_timer is not None and self.tail_timer.isActive()) or sys.platform == "win32"
        ):
            stop_file.touch()  # the (elevated) capture sees it and finishes
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.terminate()  # SIGTERM: the capture keeps what it has and prints its summary
        if self.watch_worker is not None:
            self.watch_worker.cancel.set()

    def _read(self) -> None:
        self.buffer += bytes(self.process.readAllStandardOutput())
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            self.handle(doc)

    def handle(self, doc: dict) -> None:
        kind = doc.get("type")
        if kind == "progress":
            self.progress.setValue(int(doc.get("elapsed", 0)))
            self._show_counters(doc)
            syn = int(doc.get("smtp_syn", 0))
            self.bars.append(max(0, syn - self.last_syn))
            self.last_syn = syn
            self.chart.set_values(self.bars)
        elif kind == "summary":
            self.show_summary(doc)
        elif kind == "error":
            self.fallback(doc.get("reason", ""))

    def show_summary(self, doc: dict) -> None:
        from checks.model import Status
        from reports.console import status_label

        self.progress.setValue(self.progress.maximum())
        programs = doc.get("programs", [])
        self.table.setRowCount(len(programs))
        for i, p in enumerate(programs):
            owner = p.get("program") or {}
            name = (
                f"{owner.get('name')} (pid {owner.get('pid')})"
                if owner
                else _("ended before it could be identified")
            )
            verdict = p.get("verdict") or p.get("mx_verdict")
            label = status_label(Status(verdict)) if verdict else ""
            for j, value in enumerate(
                [name, str(p.get("flows", 0)), str(p.get("mx_queries", 0)), label]
            ):
                self.table.setItem(i, j, QTableWidgetItem(value))
        # The capture process saved its results to the case (--case); here they are only
        # worded, in the window's language, from the codes in its summary.
        from checks.model import Result

        self.capture_results = [
            Result.from_dict(r) for r in doc.get("results") or [] if isinstance(r, dict)
        ]
        self.session.result_arrived()
        self.show_outcome()

    def show_outcome(self) -> None:
        self.outcome.setText("<br>".join(_esc(r.summary) for r in self.capture_results))

    def _process_error(self, _error) -> None:
        self.fallback(self.process.errorString() if self.process else "")

    def _finished(self, code: int, _status) -> None:
        self._read()
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if code == 126 or code == 127:  # pkexec: not authorised / dismissed
            self.fallback(_("the administrator password was not given"))

    def fallback(self, reason: str) -> None:
        """No capture possible: watch this PC's own connections instead, and say what that
        cannot see."""
        if self.watch_worker is not None:
            return
        seconds = self.minutes.value() * 60
        self.outcome.setText(
            _(
                "The traffic could not be captured ({reason}). Clearline is watching this PC's own"
                " mail connections instead. This cannot see mail-server lookups, other devices on"
                " your line, or connections shorter than a few hundredths of a second."
            ).format(reason=_esc(reason))
        )
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.watch_worker = workers.Worker(
            workers.run_checks, ["SMTP-OUT"], False, float(seconds), str(self.session.case.path)
        )
        self.watch_worker.signals.progress.connect(self._watch_result)
        self.watch_worker.signals.finished.connect(self._watch_done)
        workers.start(self.watch_worker)

    def _watch_result(self, result) -> None:
        self.session.result_arrived()
        self.outcome.setText(self.outcome.text() + "<br><b>" + _esc(result.summary) + "</b>")

    def _watch_done(self) -> None:
        self.watch_worker = None
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
