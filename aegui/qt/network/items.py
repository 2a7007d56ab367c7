"""The network view's graphics items, each drawing arrays: texts (:class:`Labels`), line segments
batched by pen (:class:`Segments`) and the edges in sixteen pens (:class:`EdgeLayer`).

Like pyqtgraph's ``GraphItem``, an item takes numpy arrays and draws all of them in one ``paint``: the
segments of one pen are one ``arrayToQPath(..., connect="pairs")`` path. The items cover the visible
view and paint in device pixels, so their sizes stay fixed whatever the zoom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QStaticText, QTransform
from PySide6.QtWidgets import QGraphicsItem

from ...core.layout import Edges
from .. import palette

#: |w| / max |W_l| bin edges, and each bin's pen width (px) and opacity
_MAG_EDGES = np.array([0.3, 0.55, 0.8])
_WIDTHS = (0.6, 1.1, 1.9, 3.0)
_ALPHAS = (60, 110, 170, 235)
#: edges per layer drawn at full strength and width; denser layers fade (down to 65 %) and thin
_CLEAR_EDGES = 150
#: edges antialiased at most (smoothing 2,000 wide lines costs ~25 ms a repaint; a crowd of lines hides it)
_SMOOTH_EDGES = 1_000
#: width (px) of the box a text is aligned in, and how far left of its anchor the box starts
_TEXT_BOX = 600.0
_BOX_SHIFT = {Qt.AlignmentFlag.AlignRight: 1.0, Qt.AlignmentFlag.AlignHCenter: 0.5}
#: one-line texts kept laid out at most (the cache starts again when full)
_STATIC_TEXTS = 4096


@dataclass
class Run:
    """Texts anchored at ``(x, y[k])`` and drawn ``dx``/``dy`` pixels away, left-, right- or centre-aligned
    there; ``spacing`` (data units between neighbours) lets overlapping rows be thinned; ``wrap`` breaks a
    text into the width of one column gap (one data unit) instead of letting it run over its neighbours."""

    x: float
    y: np.ndarray
    texts: list[str]
    dx: float
    align: Qt.AlignmentFlag
    color: QColor | list[QColor]
    spacing: float = 0.0
    dy: float = 0.0
    font: QFont | None = None
    wrap: bool = False


class ViewSized(pg.GraphicsObject):
    """An item that covers the visible view and paints in device pixels (``p.resetTransform()`` after
    mapping its anchors with the painter's transform), so sizes stay fixed whatever the zoom."""

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        vb = self.getViewBox()
        return QRectF(vb.viewRect()) if vb is not None else QRectF()


class Labels(ViewSized):
    """All the view's text in one item: fixed pixel size whatever the zoom; rows that would overlap are
    thinned to every k-th; rows outside the visible range are skipped."""

    def __init__(self, font: QFont, cached: bool = False):
        """``cached``: texts that rarely change (titles, captions) are rendered once into a pixmap that
        Qt reuses until they or the view's zoom change; the per-frame values are not cached."""
        super().__init__()
        self.font = font
        self.runs: list[Run] = []
        self._key = None
        self._static: dict[tuple[str, str], QStaticText] = {}  # one-line texts laid out once
        if cached:
            self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_font(self, font: QFont) -> None:
        """The font of runs without one; every text is drawn again (colours or fonts changed)."""
        self.font = QFont(font)
        self._key = None

    def set_runs(self, runs: list[Run]) -> None:
        key = [(r.x, r.dx, r.dy, r.spacing, r.wrap, r.align, id(r.font), r.y.tobytes(), tuple(r.texts),
                tuple(c.rgba() for c in r.color) if isinstance(r.color, list) else r.color.rgba()) for r in runs]
        if key == self._key:
            return
        self._key = key
        self.runs = runs
        self.update()

    def paint(self, p, *args) -> None:
        view = self.boundingRect()
        tr = p.transform()
        p.resetTransform()
        for run in self.runs:
            font = run.font or self.font
            p.setFont(font)
            line = QFontMetricsF(font).height()
            spacing_px = abs(tr.m22()) * run.spacing
            step = max(1, math.ceil(0.95 * line / spacing_px)) if spacing_px > 0 else 1
            margin = 3 * max(run.spacing, 1.0)
            ks = np.arange(0, len(run.y), step)
            ks = ks[(run.y[ks] >= view.top() - margin) & (run.y[ks] <= view.bottom() + margin)]
            single = isinstance(run.color, QColor)
            if single:
                p.setPen(run.color)
            box = min(_TEXT_BOX, max(abs(tr.m11()) - 6, 40.0)) if run.wrap else _TEXT_BOX
            left = run.dx - box * _BOX_SHIFT.get(run.align, 0.0)
            flags = run.align | (Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap if run.wrap
                                 else Qt.AlignmentFlag.AlignVCenter)
            shift = _BOX_SHIFT.get(run.align, 0.0)
            font_key = font.key()
            ys = run.y[ks]  # the anchors in device pixels (the view only scales and translates)
            xs_px = (tr.m11() * run.x + tr.m21() * ys + tr.m31()).tolist()
            ys_px = (tr.m12() * run.x + tr.m22() * ys + tr.m32()).tolist()
            for k, x, y in zip(ks.tolist(), xs_px, ys_px):
                text = run.texts[k]
                if not text:
                    continue
                if not single:
                    p.setPen(run.color[k])
                if run.wrap:  # the text's bottom sits dy below the anchor
                    p.drawText(QRectF(x + left, y + run.dy - 8 * line, box, 8 * line), flags, text)
                elif "\n" in text:
                    h = line * (text.count("\n") + 1)
                    p.drawText(QRectF(x + left, y + run.dy - h / 2, box, h), flags, text)
                else:  # the same place as drawText(rect, flags, text) would give, without shaping it again
                    static = self._laid_out(text, font, font_key)
                    size = static.size()
                    p.drawStaticText(QPointF(x + run.dx - shift * size.width(), y + run.dy - size.height() / 2), static)

    def _laid_out(self, text: str, font: QFont, font_key: str) -> QStaticText:
        """``text`` as a :class:`QStaticText` in ``font``, kept for the next frames (values repeat: most
        inputs and many outputs keep their text from frame to frame)."""
        static = self._static.get((text, font_key))
        if static is None:
            if len(self._static) >= _STATIC_TEXTS:
                self._static.clear()
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
            self._static[text, font_key] = static
        return static


class Segments(ViewSized):
    """Straight lines batched by pen: ``groups`` of ``(pen, x, y)`` where points ``2k`` and ``2k + 1`` are
    one segment's ends; each group is one ``arrayToQPath(..., connect="pairs")`` drawn in device pixels
    (a wide cosmetic pen under the view's scaling makes Qt stroke the whole path as one outline, a
    hundred times slower)."""

    def __init__(self):
        super().__init__()
        self.groups: list[tuple[QPen, np.ndarray, np.ndarray]] = []
        self.antialias = True

    def set_groups(self, groups: list[tuple[QPen, np.ndarray, np.ndarray]]) -> None:
        self.groups = groups
        self.update()

    def paint(self, p, *args) -> None:
        tr = p.transform()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, self.antialias)
        for pen, x, y in self.groups:
            if len(x):
                p.setPen(pen)
                p.drawPath(pg.arrayToQPath(tr.m11() * x + tr.m21() * y + tr.m31(),
                                           tr.m12() * x + tr.m22() * y + tr.m32(), connect="pairs",
                                           finiteCheck=False))


class EdgeLayer(Segments):
    """The edges in sixteen groups, (frozen?, sign, |w| bin), weak bins under strong ones: width and
    strength by bin, frozen layers grey and faint. Pens are opaque, pre-blended with the background
    (translucent wide lines are as slow as the scaled ones); dense layers and a selection elsewhere
    fade them further."""

    KEYS = [(fz, pos, b) for fz in (True, False) for b in range(len(_WIDTHS)) for pos in (False, True)]

    def __init__(self):
        super().__init__()
        self.background, self.grey = QColor("white"), QColor("#9a9a9a")
        self.density, self.dimmed, self.scale = 1.0, False, 1.0
        self.pens: dict[tuple[bool, bool, int], QPen] = {}
        self._pens_for: tuple | None = None
        self._edges, self._frozen = Edges.empty(), np.zeros(0, dtype=bool)

    def set_colors(self, background: QColor, grey: QColor) -> None:
        self.background, self.grey = QColor(background), QColor(grey)
        self._regroup()

    def set_scale(self, scale: float) -> None:
        """Edges ``scale`` × as wide (presenter mode's zoom)."""
        if scale != self.scale:
            self.scale = scale
            self._regroup()

    def set_dimmed(self, dimmed: bool) -> None:
        if dimmed != self.dimmed:
            self.dimmed = dimmed
            self._regroup()

    def set_edges(self, edges: Edges, frozen_layers: np.ndarray) -> None:
        self.antialias = len(edges.w) <= _SMOOTH_EDGES
        per_layer = len(edges.w) / max(len(frozen_layers), 1)
        self.density = round(float(np.clip(math.sqrt(_CLEAR_EDGES / max(per_layer, 1.0)), 0.3, 1.0)), 1)
        self._edges, self._frozen = edges, frozen_layers
        self._regroup()

    def _update_pens(self) -> None:
        fade = (0.5 + 0.5 * self.density) * (0.3 if self.dimmed else 1.0)
        key = (self.background.rgba(), self.grey.rgba(), fade, self.scale, palette.scheme())
        if key == self._pens_for:
            return
        self._pens_for = key
        for frozen, positive, b in self.KEYS:
            color = self.grey if frozen else palette.qcolor(1.0 if positive else -1.0)
            strength = _ALPHAS[b] / 255 * fade / (3 if frozen else 1)
            self.pens[frozen, positive, b] = QPen(blend(color, self.background, strength),
                                                  _WIDTHS[b] * (0.6 + 0.4 * self.density) * self.scale)

    @property
    def edges(self) -> Edges:
        """The edges last set."""
        return self._edges

    def groups_of(self, k: np.ndarray) -> list[tuple[QPen, np.ndarray, np.ndarray]]:
        """Edges ``k`` (indices into those set) in this layer's groups and pens."""
        e = self._edges
        frozen = self._frozen[e.layer[k]]
        bins = np.searchsorted(_MAG_EDGES, e.mag[k], side="right")
        positive = e.w[k] >= 0
        return [(self.pens[fz, pos, b], *e.segments(k[(frozen == fz) & (positive == pos) & (bins == b)]))
                for fz, pos, b in self.KEYS]

    def _regroup(self) -> None:
        self._update_pens()
        self.set_groups(self.groups_of(np.arange(len(self._edges.w))))


def same_points(item: pg.ScatterPlotItem, x, y, size) -> bool:
    """Whether ``item`` already has exactly these points (positions and sizes): then only their
    brushes and pens need setting, not the whole ``setData``."""
    d = item.data
    return (len(d) == len(x) and np.array_equal(d["x"], x) and np.array_equal(d["y"], y)
            and np.array_equal(d["size"], size))


def blend(color: QColor, background: QColor, t: float) -> QColor:
    """``t · color + (1 − t) · background``, opaque."""
    return QColor.fromRgbF(*(t * a + (1 - t) * b for a, b in zip(color.getRgbF()[:3], background.getRgbF()[:3])))
