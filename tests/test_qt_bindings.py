"""The Qt binding itself must not corrupt Python's reference counts in the calls the views make at
every frame (PySide6 6.12.0 decremented None's count in QPainter.setPen/setFont, and the window aborted
with "deallocating None" after a few minutes of training)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen


def test_painter_calls_keep_none_alive(qapp):
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    calls = {
        "setPen(QColor)": lambda: painter.setPen(QColor(1, 2, 3)),
        "setPen(QPen)": lambda: painter.setPen(QPen(QColor(1, 2, 3))),
        "setFont": lambda: painter.setFont(QFont()),
        "setBrush": lambda: painter.setBrush(QColor(4, 5, 6)),
        "drawText": lambda: painter.drawText(QRectF(0, 0, 30, 10), Qt.AlignmentFlag.AlignLeft, "a"),
        "drawLine": lambda: painter.drawLine(QPointF(0, 0), QPointF(5, 5)),
        "resetTransform": painter.resetTransform,
    }
    try:
        for name, call in calls.items():
            before = sys.getrefcount(None)
            for _ in range(500):
                call()
            assert sys.getrefcount(None) >= before - 5, f"QPainter.{name} leaks a reference to None"
    finally:
        painter.end()
