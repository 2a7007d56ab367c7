"""The one colour scale of aegui: diverging, colour-blind safe, shared by weights, activations and data.

Orange for negative, a near-neutral grey at 0, blue for positive (TensorFlow Playground's scale). A value
``v`` is drawn at ``t = clip(v / vmax, −1, 1)`` and its colour interpolated linearly in RGB between the three
stops. Views that colour many things at 30 fps quantise ``t`` to :data:`LEVELS` steps (:func:`levels`) and
look colours (or cached brushes) up in :func:`level_rgba`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

NEGATIVE_HEX = "#f59322"
NEUTRAL_HEX = "#e8eaeb"
POSITIVE_HEX = "#0877bd"
#: the halo of the weights that changed most: off the scale, bright on dark and light backgrounds
GLOW_HEX = "#ffd21f"
#: quantisation steps of the scale (odd, so that 0 is a step of its own)
LEVELS = 65

_STOPS = np.array([QColor(h).getRgb()[:3] for h in (NEGATIVE_HEX, NEUTRAL_HEX, POSITIVE_HEX)], dtype=np.float64)


def unit(values, vmax: float = 1.0) -> np.ndarray:
    """``t = clip(values / vmax, −1, 1)`` as float64 (``vmax ≤ 0`` maps everything to 0)."""
    v = np.asarray(values, dtype=np.float64)
    if not vmax > 0:
        return np.zeros(v.shape)
    return np.clip(np.nan_to_num(v / vmax), -1.0, 1.0)


def rgba(values, vmax: float = 1.0, alpha: int = 255) -> np.ndarray:
    """``(…, 4) uint8`` colours of ``values`` on the symmetric range ``[−vmax, vmax]``."""
    t = unit(values, vmax)
    lo = _STOPS[1] + (_STOPS[1] - _STOPS[0]) * np.minimum(t, 0.0)[..., None]
    rgb = lo + (_STOPS[2] - _STOPS[1]) * np.maximum(t, 0.0)[..., None]
    out = np.empty(t.shape + (4,), dtype=np.uint8)
    out[..., :3] = np.rint(rgb)
    out[..., 3] = alpha
    return out


def levels(values, vmax: float = 1.0) -> np.ndarray:
    """``int`` step index in ``[0, LEVELS)`` of each value; step ``LEVELS // 2`` is 0."""
    return np.rint((unit(values, vmax) + 1.0) * ((LEVELS - 1) / 2)).astype(np.intp)


def level_rgba(alpha: int = 255) -> np.ndarray:
    """``(LEVELS, 4) uint8``: the colour of each step of :func:`levels`."""
    return rgba(np.linspace(-1.0, 1.0, LEVELS), 1.0, alpha)


def qcolor(value: float, vmax: float = 1.0, alpha: int = 255) -> QColor:
    """One colour of the scale as a ``QColor``."""
    return QColor(*(int(c) for c in rgba(value, vmax, alpha)))


class ColorLegend(QWidget):
    """A gradient bar with ``−max``, ``0`` and ``+max`` under it and an optional caption beside it; text in
    the widget palette's colours, so it reads on light and dark themes."""

    def __init__(self, caption: str = "", vmax: float = 1.0, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption, self.vmax = caption, vmax
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def _caption_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(self.caption) + 8 if self.caption else 0

    def sizeHint(self) -> QSize:
        return QSize(self._caption_width() + 150, max(30, 2 * self.fontMetrics().height() + 4))

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        fm = self.fontMetrics()
        left = self._caption_width()
        bar = QRectF(left + 10, 3, self.width() - left - 20, max(6, self.height() - fm.height() - 7))
        p.setPen(text)
        if self.caption:
            p.drawText(QRectF(0, 0, left, self.height()), Qt.AlignmentFlag.AlignVCenter, self.caption)
        gradient = QLinearGradient(QPointF(bar.left(), 0), QPointF(bar.right(), 0))
        for stop, hex_ in ((0.0, NEGATIVE_HEX), (0.5, NEUTRAL_HEX), (1.0, POSITIVE_HEX)):
            gradient.setColorAt(stop, QColor(hex_))
        p.fillRect(bar, gradient)
        ticks = ((bar.left(), f"−{self.vmax:g}"), (bar.center().x(), "0"), (bar.right(), f"+{self.vmax:g}"))
        for x, label in ticks:
            p.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 2))
            p.drawText(QRectF(x - 30, bar.bottom() + 2, 60, fm.height()), Qt.AlignmentFlag.AlignHCenter, label)
        p.end()
