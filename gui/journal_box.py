"""Step 4's "keep a record from now on": whether the journal runs, and a button that installs it
as a service (through the administrator prompt). The install is its own process, one object
for it (JournalInstall), as every external process in the window."""

from __future__ import annotations

from PySide6.QtCore import QObject, QProcess, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from app import elevation
from checks.i18n import _
from gui import workers


def install_command(action: str = "install") -> list[str]:
    """`journal install` (or uninstall), through the administrator prompt when needed."""
    return elevation.journal_argv(action)


class JournalInstall(QObject):
    """One run of `journal install`; ``done`` always fires, with the exit code and what it
    printed (the words that say how to run it by hand, where there is no service manager)."""

    done = Signal(int, str)

    def __init__(self, argv: list[str], parent=None):
        super().__init__(parent)
        self.argv = argv
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)
        self._fired = False

    def start(self) -> None:
        launcher = elevation.detached_launcher()
        if launcher is not None:
            # Windows and macOS: the administrator prompt starts it; its output is not ours.
            started = launcher(self.argv)
            self._fire(0 if started else 3, "")
            return
        self.process.start(self.argv[0], self.argv[1:])

    def _finished(self, code: int, _status) -> None:
        text = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        self._fire(code, text)

    def _error(self, _error) -> None:
        if self.process.state() == QProcess.ProcessState.NotRunning:
            self._fire(3, self.process.errorString())

    def _fire(self, code: int, text: str) -> None:
        if not self._fired:
            self._fired = True
            self.done.emit(code, text)


class JournalBox(QFrame):
    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window_ = window
        self.setObjectName("journalbox")
        self.setStyleSheet(
            "#journalbox { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.state = QLabel()
        self.state.setWordWrap(True)
        row = QHBoxLayout()
        self.button = QPushButton()
        row.addWidget(self.button)
        row.addStretch(1)
        for w in (self.title, self.text, self.state):
            layout.addWidget(w)
        layout.addLayout(row)
        self.button.clicked.connect(self.install)
        self.status: dict | None = None
        self.worker = None
        self.process: JournalInstall | None = None
        self.retranslate()
        QTimer.singleShot(0, self.refresh)

    def retranslate(self) -> None:
        self.title.setText(_("Keep a record from now on"))
        self.text.setText(
            _(
                "Clearline can keep a record of every connection this PC makes to a mail server,"
                " with the program that made it. If your provider writes again, the record shows"
                " what this PC did at that hour. It stays on this PC; nothing is sent anywhere."
            )
        )
        self.button.setText(_("Keep a record from now on"))
        self.button.setAccessibleName(_("Start keeping a record of mail connections"))
        self.show_status(self.status)

    def refresh(self) -> None:
        if self.worker is not None:
            return
        self.worker = workers.run_task(
            workers.journal_status, on_result=self.show_status, on_finished=self._refreshed
        )

    def _refreshed(self) -> None:
        self.worker = None

    def show_status(self, status: dict | None) -> None:
        self.status = status
        if status is None:
            text = _("No record is kept on this PC yet.")
        elif status.get("error"):
            text = _("The record cannot be read: {error}").format(error=status["error"])
        elif status.get("running"):
            how = (
                _("every connection attempt is seen")
                if status.get("mode") == "capture"
                else _("connections are looked at twice a second: very short ones can be missed")
            )
            text = _(
                "A record is being kept since {since} ({how}); {n} connections so far."
            ).format(since=status.get("since") or "?", how=how, n=status.get("events", 0))
        else:
            text = _("A record exists but is not being kept now: {why}").format(
                why=status.get("why_not") or "?"
            )
        self.state.setText(text)
        self.button.setVisible(not (status and status.get("running")))

    def install(self) -> None:
        if self.process is not None:
            return
        self.button.setEnabled(False)
        self.state.setText(_("Asking for the administrator password…"))
        self.process = JournalInstall(install_command(), self)
        self.process.done.connect(self._installed)
        self.process.start()

    def _installed(self, code: int, text: str) -> None:
        self.process = None
        self.button.setEnabled(True)
        if code == 1 and text.strip():
            # No service manager here (e.g. a container): the words say how to run it.
            QMessageBox.information(self, _("Keep a record from now on"), text.strip())
        elif code != 0:
            self.window_.statusBar().showMessage(
                _("The record could not be started: {error}").format(
                    error=(text.strip().splitlines() or [_("cancelled")])[-1]
                ),
                15000,
            )
        QTimer.singleShot(1500, self.refresh)
