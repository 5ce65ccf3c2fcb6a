"""A small bar chart of mail connection attempts over time, drawn with QPainter."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from checks.i18n import _, ngettext


class BarChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.values: list[int] = []
        self.setMinimumHeight(90)
        self.setAccessibleName("chart")

    def set_values(self, values: list[int]) -> None:
        self.values = list(values)[-120:]
        self.setAccessibleDescription(", ".join(map(str, self.values[-10:])))
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QColor("#d0d7de"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if not self.values:
            return
        painter.setPen(QColor("#57606a"))
        if not max(self.values):
            # A bare "1" over an empty chart read as "one connection": say what the flat line means.
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.label())
            return
        top = max(self.values)
        caption = self.fontMetrics().height() + 6  # the label has a strip of its own, above
        width = (self.width() - 8) / max(len(self.values), 1)
        for i, v in enumerate(self.values):
            h = (self.height() - caption - 6) * v / top
            painter.fillRect(
                QRectF(4 + i * width, self.height() - 6 - h, max(1.0, width - 1), h),
                QColor("#b42318") if v else QColor("#d0d7de"),
            )
        painter.setPen(Qt.GlobalColor.black)
        painter.drawText(8, 3 + self.fontMetrics().ascent(), self.label())

    def label(self) -> str:
        """The words on the chart: the height of its tallest bar, or why it has no bars."""
        top = max(self.values, default=0)
        if not top:
            return _("No attempt to reach a mail server so far")
        return ngettext(
            "Highest bar: {n} attempt to reach a mail server",
            "Highest bar: {n} attempts to reach a mail server",
            top,
        ).format(n=top)
