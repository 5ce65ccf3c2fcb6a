"""A small bar chart of mail connection attempts over time, drawn with QPainter."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget


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
        top = max(self.values) or 1
        width = (self.width() - 8) / max(len(self.values), 1)
        for i, v in enumerate(self.values):
            h = (self.height() - 12) * v / top
            painter.fillRect(
                QRectF(4 + i * width, self.height() - 6 - h, max(1.0, width - 1), h),
                QColor("#b42318") if v else QColor("#d0d7de"),
            )
        painter.setPen(Qt.GlobalColor.black)
        painter.drawText(8, 16, str(top))
