"""A matrix drawn as one image on the shared diverging colour scale, with the cell under the mouse.

Cell ``(r, c)`` (0-based) is centred on ``(x, y) = (c + 1, r + 1)``, rows counted from the top, so that
the axes' ticks read as 1-based unit and row numbers, as everywhere in the window. The image is one
``ImageItem`` (row-major, levels fixed by the caller, never auto-levelled), so a 6,040 × 500 matrix draws
in a few tens of milliseconds.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from . import palette

#: the lookup table of every heat map: the palette's scale from −vmax (index 0) to +vmax (index 255)
LUT = palette.rgba(np.linspace(-1.0, 1.0, 256))

Cell = Callable[[int, int], None]


class _CellImage(pg.ImageItem):
    """The image, reporting left clicks and hovering as ``(row, column)`` (``(−1, −1)`` on leaving)."""

    def __init__(self, on_click: Cell, on_hover: Cell):
        super().__init__(axisOrder="row-major")
        self._on_click, self._on_hover = on_click, on_hover

    def _cell(self, pos) -> tuple[int, int]:
        rows, cols = self.image.shape[:2]
        r, c = int(np.floor(pos.y())), int(np.floor(pos.x()))
        return (r, c) if 0 <= r < rows and 0 <= c < cols else (-1, -1)

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or self.image is None:
            return
        r, c = self._cell(ev.pos())
        if r >= 0:
            ev.accept()
            self._on_click(r, c)

    def hoverEvent(self, ev) -> None:
        if self.image is None:
            return
        self._on_hover(*((-1, -1) if ev.isExit() else self._cell(ev.pos())))


def highlight_pen(width: float = 2.0):
    """A pen in the window's highlight colour (selections on plots)."""
    return pg.mkPen(QApplication.palette().color(QPalette.ColorRole.Highlight), width=width)


class HeatMap(pg.PlotItem):
    """A plot holding one matrix image (y grows downwards) and the marks of a selected row and column.

    ``on_click(row, col)`` and ``on_hover(row, col)`` receive the cell under the mouse."""

    def __init__(self, on_click: Cell = lambda r, c: None, on_hover: Cell = lambda r, c: None, **kwargs):
        super().__init__(**kwargs)
        self.image = _CellImage(on_click, on_hover)
        self.image.setLookupTable(LUT)
        self.image.setPos(0.5, 0.5)
        self.addItem(self.image)
        self.invertY(True)
        self.setMenuEnabled(False)
        self.hideButtons()
        for side in ("left", "bottom"):
            self.getAxis(side).enableAutoSIPrefix(False)
        self.row_mark = pg.InfiniteLine(angle=0, movable=False, pen=highlight_pen())
        self.column_mark = pg.InfiniteLine(angle=90, movable=False, pen=highlight_pen())
        for mark in (self.row_mark, self.column_mark):
            mark.setZValue(10)
            mark.hide()
            self.addItem(mark, ignoreBounds=True)
        self._shape: tuple[int, ...] = ()

    def set_matrix(self, values: np.ndarray, vmax: float) -> None:
        """Draw ``values`` ``(rows, cols)`` with colours on ``[−vmax, vmax]``; the view fits the matrix
        when its shape changes."""
        vmax = float(vmax) if vmax > 0 else 1.0
        self.image.setImage(values, autoLevels=False, levels=(-vmax, vmax))
        if values.shape != self._shape:
            self._shape = values.shape
            rows, cols = max(values.shape[0], 1), max(values.shape[1], 1)
            self.vb.setLimits(xMin=0.5, xMax=cols + 0.5, yMin=0.5, yMax=rows + 0.5)
            self.vb.setRange(xRange=(0.5, cols + 0.5), yRange=(0.5, rows + 0.5), padding=0)

    @staticmethod
    def centre(row: float, col: float) -> tuple[float, float]:
        """View coordinates ``(x, y)`` of the centre of cell ``(row, col)``."""
        return col + 1.0, row + 1.0

    def mark_row(self, row: int | None) -> None:
        """Mark row ``row`` (``None``: no mark)."""
        self.row_mark.setVisible(row is not None)
        if row is not None:
            self.row_mark.setValue(self.centre(row, 0)[1])

    def mark_column(self, col: int | None) -> None:
        self.column_mark.setVisible(col is not None)
        if col is not None:
            self.column_mark.setValue(self.centre(0, col)[0])
