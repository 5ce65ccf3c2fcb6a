"""Step 2 — Check this PC: every check starts at once in the background; each appears as a card
as soon as it finishes."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from checks.i18n import _
from gui import workers
from gui.cards import ResultCard
from gui.pages.base import Page


class ChecksPage(Page):
    def __init__(self, session, window, run_checks=workers.run_checks):
        super().__init__(session, window)
        self._run = run_checks
        self.intro = self.paragraph()
        row = QHBoxLayout()
        self.start_button = QPushButton()
        self.cancel_button = QPushButton()
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        self.layout_.addLayout(row)
        self.cards_box = QWidget()
        self.cards = QVBoxLayout(self.cards_box)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.cards_box)
        self.layout_.addStretch(1)
        self.worker = None
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.retranslate()
        # Saved results are shown just after the window appears: the check modules load then,
        # not before the first paint.
        QTimer.singleShot(0, lambda: self.show_results(self.session.results()))

    def retranslate(self) -> None:
        self.heading.setText(_("2. Check this PC"))
        self.intro.setText(
            _(
                "Clearline looks at which programs talk to mail servers, whether a mail server or proxy"
                " is open here, and at updates, antivirus, firewall and the clock. It takes a few"
                " seconds; nothing is changed on your PC."
            )
        )
        self.start_button.setText(_("Re-check") if self.session.results() else _("Check this PC"))
        self.start_button.setAccessibleName(_("Start the checks"))
        self.cancel_button.setText(_("Stop"))
        self.progress.setAccessibleName(_("Progress of the checks"))
        # Results carry codes, not words: word the cards anew in the new language; nothing runs.
        for i in range(self.cards.count()):
            card = self.cards.itemAt(i).widget()
            if isinstance(card, ResultCard):
                card.reword()

    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self) -> None:
        from checks import registry

        if self.worker is not None:
            return
        specs = [s for s in registry.ALL if not s.needs_network or self.session.network]
        self.clear_cards()
        self.progress.setRange(0, len(specs))
        self.progress.setValue(0)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.worker = workers.Worker(
            self._run,
            [s.id for s in specs],
            self.session.network,
            0.0,
            str(self.session.case.path),
            self.session.public_ip or None,
        )
        self.worker.signals.progress.connect(self.add_result)
        self.worker.signals.error.connect(self._error)
        self.worker.signals.finished.connect(self._finished)
        workers.start(self.worker)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel.set()

    def add_result(self, result) -> None:
        self.session.result_arrived()
        self.cards.addWidget(ResultCard(result))
        self.progress.setValue(self.progress.value() + 1)

    def _error(self, text: str) -> None:
        self.window_.statusBar().showMessage(
            _("The checks stopped with an error: {error}").format(error=text.splitlines()[0])
        )

    def _finished(self) -> None:
        self.worker = None
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.start_button.setText(_("Re-check"))
        self.progress.setValue(self.progress.maximum())

    def clear_cards(self) -> None:
        while self.cards.count():
            item = self.cards.takeAt(0)
            widget = item.widget()
            if widget is not None:
                # Hidden and detached now, deleted later: no ghost card behind the new ones.
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()

    def show_results(self, results) -> None:
        self.clear_cards()
        for r in results:
            if not r.id.startswith(("NOTICE-", "TRAFFIC-")):
                self.cards.addWidget(ResultCard(r))
