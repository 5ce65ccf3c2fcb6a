"""A result as a card: status colour and a word-and-symbol label (colour is never the only
signal), title, one-sentence summary, what to do, and the facts behind it on request."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QToolButton, QVBoxLayout

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
    def __init__(self, result: Result, title: str, parent=None):
        super().__init__(parent)
        self.result = result
        fg, bg, symbol = COLOURS[result.status]
        self.setObjectName("card")
        self.setStyleSheet(
            f"#card {{ background: {bg}; border: 1px solid #d0d7de; border-left: 6px solid {fg};"
            " border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        self.head = QLabel(
            f"<span style='color:{fg}; font-weight:600'>{symbol} {status_label(result.status)}</span>"
            f"&nbsp;&nbsp;<b>{_escape(title)}</b>"
        )
        self.head.setTextFormat(Qt.TextFormat.RichText)
        self.summary = QLabel(result.summary)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.head)
        layout.addWidget(self.summary)
        if result.advice:
            steps = "".join(f"<li>{_escape(a)}</li>" for a in result.advice)
            what = _escape(_("What to do"))
            self.advice = QLabel(f"<b>{what}</b><ol style='margin:0'>{steps}</ol>")
            self.advice.setWordWrap(True)
            self.advice.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(self.advice)
        self.toggle = QToolButton()
        self.toggle.setText(_("Show details"))
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName(_("Show the facts behind this result"))
        self.facts = QPlainTextEdit(json.dumps(result.facts, ensure_ascii=False, indent=2))
        self.facts.setReadOnly(True)
        self.facts.setVisible(False)
        self.facts.setMaximumHeight(220)
        self.toggle.toggled.connect(self.facts.setVisible)
        layout.addWidget(self.toggle, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.facts)
        self.setAccessibleName(f"{result.id}: {status_label(result.status)}. {result.summary}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
