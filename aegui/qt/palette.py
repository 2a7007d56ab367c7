"""The one colour scale of aegui: diverging, colour-blind safe, shared by weights, activations and data.

Orange for negative, a near-neutral grey at 0, blue for positive (TensorFlow Playground's scale). A value
``v`` is drawn at ``t = clip(v / vmax, −1, 1)`` and its colour interpolated linearly in RGB between the three
stops. Views that colour many things at 30 fps quantise ``t`` to :data:`LEVELS` steps (:func:`levels`) and
look colours (or cached brushes) up in :func:`level_rgba`.

Two schemes of the same scale (:class:`Scheme`): :data:`STANDARD` for the desktop, :data:`HIGH_CONTRAST`
for a projector (presenter mode, on :func:`high_contrast_palette`'s black window). :func:`use` makes one
current; the functions below, the :class:`ColorLegend` and the network view (rebuilt on its next palette
change) follow it. Both stay apart under the three colour-vision deficiencies (tests/test_palette.py
simulates them).
"""

from __future__ import annotations

from dataclasses import dataclass

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



@dataclass(frozen=True)
class Scheme:
    """The scale's three stops and the glow's colour, as ``#rrggbb``."""

    name: str
    negative: str
    neutral: str
    positive: str
    glow: str

    @property
    def stops(self) -> tuple[str, str, str]:
        return self.negative, self.neutral, self.positive


STANDARD = Scheme("standard", NEGATIVE_HEX, NEUTRAL_HEX, POSITIVE_HEX, GLOW_HEX)
#: for a projector, on black: brighter ends, and a dark neutral so that weights near 0 recede into the
#: background as they do on the standard scale's white
HIGH_CONTRAST = Scheme("high contrast", "#ff9a1f", "#2e3033", "#3fa9ff", "#ffe400")


def _stops_of(scheme: Scheme) -> np.ndarray:
    return np.array([QColor(h).getRgb()[:3] for h in scheme.stops], dtype=np.float64)


_scheme = STANDARD
_STOPS = _stops_of(STANDARD)


def scheme() -> Scheme:
    """The current scheme."""
    return _scheme


def use(new: Scheme) -> Scheme:
    """Make ``new`` the current scheme; returns the one it replaces. Views that cache colours take it on
    their next palette change (set a palette after this)."""
    global _scheme, _STOPS
    old, _scheme, _STOPS = _scheme, new, _stops_of(new)
    return old


def high_contrast_palette() -> QPalette:
    """White text on black, a yellow selection and links in light blue: the window's palette in
    presenter mode (WCAG contrast ≥ 7 for every text on its background)."""
    pal = QPalette()
    black, white, grey, button = QColor("#000000"), QColor("#ffffff"), QColor("#c8c8c8"), QColor("#1a1a1a")
    R = QPalette.ColorRole
    roles = ((R.Window, black), (R.Base, black), (R.AlternateBase, button), (R.WindowText, white),
             (R.Text, white), (R.BrightText, white), (R.PlaceholderText, grey), (R.Button, button),
             (R.ButtonText, white), (R.Highlight, QColor(HIGH_CONTRAST.glow)), (R.HighlightedText, black),
             (R.Link, QColor("#8fd3ff")), (R.ToolTipBase, black), (R.ToolTipText, white), (R.Light, grey),
             (R.Midlight, QColor("#808080")), (R.Mid, QColor("#5a5a5a")), (R.Dark, QColor("#3a3a3a")),
             (R.Shadow, black))
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for role, color in roles:
            pal.setColor(group, role, color)
    for role, color in roles:  # disabled: the same, texts in grey
        disabled = grey if role in (R.WindowText, R.Text, R.ButtonText) else color
        pal.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return pal


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
        for stop, hex_ in zip((0.0, 0.5, 1.0), _scheme.stops):
            gradient.setColorAt(stop, QColor(hex_))
        p.fillRect(bar, gradient)
        ticks = ((bar.left(), f"−{self.vmax:g}"), (bar.center().x(), "0"), (bar.right(), f"+{self.vmax:g}"))
        for x, label in ticks:
            p.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 2))
            p.drawText(QRectF(x - 30, bar.bottom() + 2, 60, fm.height()), Qt.AlignmentFlag.AlignHCenter, label)
        p.end()
