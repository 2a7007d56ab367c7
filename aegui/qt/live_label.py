"""A label for text that changes at every frame while training.

A :class:`QLabel` asks its layout for room again at each new text (``updateGeometry``): the request
climbs every enclosing layout up to the main window, which lays out all its docks again (measured at
30 frames a second: a tenth of the window's time, and a repaint of most of it). A :class:`LiveLabel`
keeps the room it was given, ``lines`` lines high and as wide as the layout makes it, and a new text
repaints only the label (it is opaque: the widgets behind it are not repainted either).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QSizePolicy, QWidget

#: a text width no line reaches (QStaticText wraps rich text at about 130 pixels when given none)
_ONE_LINE = 1e5


class LiveLabel(QWidget):
    """``setText``/``text`` as a :class:`QLabel`'s; ``rich``: a subset of HTML (as :class:`QStaticText`
    draws it), else plain text where ``\\n`` breaks lines. ``wrap`` breaks long lines at the width; what
    does not fit in ``lines`` lines is cut off."""

    def __init__(self, text: str = "", lines: int = 1, rich: bool = False, wrap: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._lines = lines
        self._rich = rich
        self._wrap = wrap
        self._static = QStaticText()
        self._static.setTextFormat(Qt.TextFormat.RichText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # it paints its own background: a new text repaints the label alone, not the dock behind it
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setText(text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name
        if text == self._text:
            return
        self._text = text
        if self._rich:
            self._static.setText(text)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        fm = self.fontMetrics()
        return QSize(fm.averageCharWidth() * 40, self._lines * fm.lineSpacing() + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, self.sizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Window))
        p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        rect = self.contentsRect()
        if self._rich:
            width = float(rect.width()) if self._wrap else _ONE_LINE
            if self._static.textWidth() != width:
                self._static.setTextWidth(width)
            lines_used = self._static.size().height()
            top = rect.top() + max(0.0, (rect.height() - lines_used) / 2) if self._lines == 1 else rect.top()
            p.drawStaticText(QPointF(rect.left(), top), self._static)
        else:
            flags = Qt.AlignmentFlag.AlignLeft | (Qt.AlignmentFlag.AlignVCenter if self._lines == 1
                                                  else Qt.AlignmentFlag.AlignTop)
            if self._wrap:
                flags |= Qt.TextFlag.TextWordWrap
            p.drawText(rect, flags, self._text)
