"""Step 3 — Watch the line: the capture runs as its own elevated process (gui/capture_process.py)
and this page shows what it says; without administrator rights, the connection watch runs
instead, and the page says what that cannot see."""

from __future__ import annotations

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

from app import elevation
from checks.i18n import _
from gui import workers
from gui.capture_process import CaptureOutcome, CaptureProcess
from gui.chart import BarChart
from gui.pages.base import Page


class WatchPage(Page):
    def __init__(
        self, session, window, command=elevation.capture_argv, detached_launcher=None
    ) -> None:
        super().__init__(session, window)
        self.capture_results: list = []
        self.capture = CaptureProcess(
            self, command, detached_launcher or elevation.detached_launcher()
        )
        self.capture.progress.connect(self._progress)
        self.capture.finished.connect(self._capture_finished)
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
        self.watch_worker = None
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

    @property
    def detached_launcher(self):
        return self.capture.launcher

    @detached_launcher.setter
    def detached_launcher(self, launcher) -> None:
        self.capture.launcher = launcher

    def start(self) -> None:
        seconds = self.minutes.value() * 60
        self.progress.setRange(0, seconds)
        self.progress.setValue(0)
        self.bars, self.last_syn = [], 0
        self.outcome.setText("")
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.capture.start(seconds, self.session.case_path)

    def stop(self) -> None:
        self.capture.stop()
        if self.watch_worker is not None:
            self.watch_worker.cancel.set()

    def _progress(self, doc: dict) -> None:
        self.progress.setValue(int(doc.get("elapsed", 0)))
        self._show_counters(doc)
        syn = int(doc.get("smtp_syn", 0))
        self.bars.append(max(0, syn - self.last_syn))
        self.last_syn = syn
        self.chart.set_values(self.bars)

    def replay(self, doc: dict) -> None:
        """Show one document of a capture as if it had just said it (the screenshots)."""
        if doc.get("type") == "progress":
            self._progress(doc)
        elif doc.get("type") == "summary":
            self._capture_finished(CaptureOutcome(doc))

    def _capture_finished(self, outcome: CaptureOutcome) -> None:
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if outcome.summary is not None:
            self.show_summary(outcome.summary)
        else:
            self.fallback(outcome.reason)

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
        self.watch_worker = workers.run_task(
            workers.run_checks,
            ["SMTP-OUT"],
            False,
            float(seconds),
            str(self.session.case_path),
            on_progress=self._watch_result,
            on_finished=self._watch_done,
        )

    def _watch_result(self, result) -> None:
        self.session.result_arrived()
        self.outcome.setText(self.outcome.text() + "<br><b>" + _esc(result.summary) + "</b>")

    def _watch_done(self) -> None:
        self.watch_worker = None
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
