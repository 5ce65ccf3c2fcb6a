"""Draw Clearline's icon (a blue shield with a white envelope and a check mark) with Qt:
packaging/clearline.png, 256 px. Run once; the PNG is committed.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icon.py"""

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

app = QGuiApplication([])
size = 256
image = QImage(size, size, QImage.Format.Format_ARGB32)
image.fill(Qt.GlobalColor.transparent)
p = QPainter(image)
p.setRenderHint(QPainter.RenderHint.Antialiasing)
shield = QPainterPath()
shield.moveTo(128, 12)
shield.cubicTo(170, 36, 205, 40, 232, 40)
shield.cubicTo(232, 150, 200, 210, 128, 246)
shield.cubicTo(56, 210, 24, 150, 24, 40)
shield.cubicTo(51, 40, 86, 36, 128, 12)
p.fillPath(shield, QColor("#0969da"))
p.setPen(
    QPen(
        QColor("white"),
        10,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
)
p.drawRect(70, 80, 116, 80)
p.drawPolyline([QPointF(70, 80), QPointF(128, 126), QPointF(186, 80)])
p.setPen(
    QPen(
        QColor("#2da44e"),
        16,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
)
p.drawPolyline([QPointF(104, 186), QPointF(124, 206), QPointF(166, 164)])
p.end()
out = Path(__file__).with_name("clearline.png")
image.save(str(out))
print(out)
