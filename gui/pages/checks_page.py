"""Step 2 — Check this PC: every check starts at once in the background; each appears as a card
as soon as it finishes."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

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
        # What is still running, so a bar that stands still says why.
        self.still = QLabel()
        self.still.setWordWrap(True)
        self.still.setStyleSheet("color: #57606a;")
        self.layout_.addWidget(self.still)
        self.pending: list[str] = []
        self.cards_box = QWidget()
        self.cards = QVBoxLayout(self.cards_box)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.cards_box)
        self.layout_.addStretch(1)
        self.worker = None
        self.has_results = False
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.retranslate()
        # Saved results are read on a worker just after the window appears: the case and the
        # check modules load then, never on the GUI thread.
        QTimer.singleShot(0, self.read_saved)

    def read_saved(self) -> None:
        self.reader = workers.run_task(
            workers.saved_results, str(self.session.case_path), on_result=self._saved_read
        )

    def _saved_read(self, results) -> None:
        if self.worker is None:  # a check started meanwhile shows its own results
            self.show_results(results)

    def retranslate(self) -> None:
        self.heading.setText(_("2. Check this PC"))
        self.intro.setText(
            _(
                "Clearline looks at which programs talk to mail servers, whether a mail server or proxy"
                " is open here, and at updates, antivirus, firewall and the clock. It takes a few"
                " seconds; nothing is changed on your PC."
            )
        )
        self.start_button.setText(_("Re-check") if self.has_results else _("Check this PC"))
        self.start_button.setAccessibleName(_("Start the checks"))
        self.cancel_button.setText(_("Stop"))
        self.show_pending()
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
        self.pending = [s.id for s in specs]
        self.show_pending()
        self.progress.setVisible(True)
        self.progress.setRange(0, len(specs))
        self.progress.setValue(0)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.worker = workers.run_task(
            self._run,
            [s.id for s in specs],
            self.session.network,
            0.0,
            str(self.session.case_path),
            self.session.public_ip or None,
            on_progress=self.add_result,
            on_error=self._error,
            on_finished=self._finished,
        )

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel.set()

    def add_result(self, result) -> None:
        self.session.result_arrived()
        if result.id == "NET-NAT":  # the notice may have been read again with it
            self.window_.reread_notice()
        self.add_card(result)
        if result.id in self.pending:
            self.pending.remove(result.id)
        self.show_pending()
        self.progress.setValue(self.progress.value() + 1)

    def add_card(self, result) -> None:
        """Cards stand in the catalog's order (mail first, the clock last), whatever order the
        checks finish in: a card never jumps once it is shown."""
        rank = _catalog_rank()
        key = rank.get(result.id, len(rank))
        # One card per check: a result that arrives while saved results are being shown
        # replaces its card rather than adding a second one.
        for i in range(self.cards.count()):
            card = self.cards.itemAt(i).widget()
            if isinstance(card, ResultCard) and card.result.id == result.id:
                self.cards.takeAt(i)
                card.hide()
                card.setParent(None)
                card.deleteLater()
                break
        at = self.cards.count()
        for i in range(self.cards.count()):
            card = self.cards.itemAt(i).widget()
            if isinstance(card, ResultCard) and rank.get(card.result.id, len(rank)) > key:
                at = i
                break
        self.cards.insertWidget(at, ResultCard(result))

    def show_pending(self) -> None:
        if not self.pending or self.worker is None:
            self.still.setText("")
            self.still.setVisible(False)
            return
        from checks import wording

        names = [_(wording.title_msgid(i) or i) for i in self.pending]
        shown = ", ".join(names[:3]) + ("…" if len(names) > 3 else "")
        self.still.setText(_("Still checking: {checks}").format(checks=shown))
        self.still.setVisible(True)

    def _error(self, text: str) -> None:
        self.window_.statusBar().showMessage(
            _("The checks stopped with an error: {error}").format(error=text.splitlines()[0])
        )

    def _finished(self) -> None:
        self.worker = None
        self.has_results = True
        self.pending = []
        self.show_pending()
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
        self.progress.setVisible(self.worker is not None)
        for r in results:
            if not r.id.startswith(("NOTICE-", "TRAFFIC-")):
                self.add_card(r)
        if self.cards.count() and self.worker is None:
            self.has_results = True
            self.start_button.setText(_("Re-check"))


def _catalog_rank() -> dict[str, int]:
    from checks import registry

    return {spec.id: i for i, spec in enumerate(registry.ALL)}
