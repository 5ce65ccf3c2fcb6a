"""A result as a card: status colour and a word-and-symbol label (colour is never the only
signal), title, one-sentence summary, what to do, and the facts behind it on request."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
)

from checks.i18n import _
from checks.model import Result, Status
from reports.console import status_label

COLOURS = {
    Status.PASS: ("#1e7b34", "#e9f5ec", "✔"),
    Status.WARN: ("#9a6700", "#fff6db", "!"),
    Status.FAIL: ("#b42318", "#fdecea", "✖"),
    Status.UNKNOWN: ("#57606a", "#f3f4f6", "?"),
    Status.SKIPPED: ("#57606a", "#f3f4f6", "–"),
    Status.ERROR: ("#57606a", "#f3f4f6", "E"),
}


class ResultCard(QFrame):
    """A result as a card. Its words are made from the result's codes each time the card is
    worded, so switching language re-words it without running anything."""

    def __init__(self, result: Result, parent=None):
        super().__init__(parent)
        self.result = result
        fg, bg, _symbol = COLOURS[result.status]
        self.setObjectName("card")
        self.setStyleSheet(
            f"#card {{ background: {bg}; border: 1px solid #d0d7de; border-left: 6px solid {fg};"
            " border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        self.head = QLabel()
        self.head.setTextFormat(Qt.TextFormat.RichText)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.head)
        layout.addWidget(self.summary)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.advice)
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        # The facts as a two-column table for a support agent (filled when first opened).
        self.facts = QTableWidget(0, 2)
        self.facts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.facts.verticalHeader().setVisible(False)
        self.facts.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.facts.horizontalHeader().setStretchLastSection(True)
        self.facts.setVisible(False)
        self.facts.setMaximumHeight(220)
        self.toggle.toggled.connect(self._show_facts)
        self.toggle.setVisible(bool(result.facts))
        layout.addWidget(self.toggle, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.facts)
        self.reword()

    def _show_facts(self, on: bool) -> None:
        if on and self.facts.rowCount() == 0:
            from reports.facts_table import rows

            table = rows(self.result.facts, yes=_("yes"), no=_("no"))
            self.facts.setRowCount(len(table))
            for i, (name, value) in enumerate(table):
                self.facts.setItem(i, 0, QTableWidgetItem(name))
                self.facts.setItem(i, 1, QTableWidgetItem(value))
        self.facts.setVisible(on)

    def reword(self) -> None:
        result = self.result
        fg, _bg, symbol = COLOURS[result.status]
        words = result.words()
        self.head.setText(
            f"<span style='color:{fg}; font-weight:600'>{symbol} {status_label(result.status)}</span>"
            f"&nbsp;&nbsp;<b>{_escape(words.title)}</b>"
        )
        self.summary.setText(words.summary)
        if words.advice:
            steps = "".join(f"<li>{_escape(a)}</li>" for a in words.advice)
            what = _escape(_("What to do"))
            self.advice.setText(f"<b>{what}</b><ol style='margin:0'>{steps}</ol>")
        self.advice.setVisible(bool(words.advice))
        self.toggle.setText(_("Technical details (for support staff)"))
        self.facts.setHorizontalHeaderLabels([_("Name (as support sees it)"), _("Value")])
        self.toggle.setAccessibleName(_("Show the facts behind this result"))
        self.setAccessibleName(f"{result.id}: {status_label(result.status)}. {words.summary}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
