from __future__ import annotations

from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget


class Page(QWidget):
    """A step: its widgets are made once; ``retranslate`` sets every text in the current
    language (called at start and on every language switch)."""

    def __init__(self, session, window):
        super().__init__()
        self.session = session
        self.window_ = window
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # Not a stop on the Tab path. Set as a property (0 is Qt::NoFocus): the first use of a
        # Qt.* enum makes PySide build the whole Qt namespace (~12 ms before the first paint).
        scroll.setProperty("focusPolicy", 0)
        inner = QWidget()
        self.layout_ = QVBoxLayout(inner)
        self.layout_.setContentsMargins(24, 16, 24, 16)
        self.layout_.setSpacing(10)
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        self.scroll = scroll
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        self.layout_.addWidget(self.heading)

    def ensure_visible(self, widget: QWidget) -> None:
        """Scroll the page so that ``widget`` is in view (what the page just pointed to)."""
        self.scroll.ensureWidgetVisible(widget)

    def paragraph(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)  # rich text is detected by QLabel itself
        self.layout_.addWidget(label)
        return label

    def retranslate(self) -> None:  # pragma: no cover - every page overrides it
        raise NotImplementedError
