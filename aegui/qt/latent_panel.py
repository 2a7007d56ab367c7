"""Latent space: every observation's bottleneck code as a point (the two units themselves when the
bottleneck has two, else the codes' first two principal components), coloured by an attribute.

One ``ScatterPlotItem`` holds all the points, its brushes taken from a few cached ones, so 6,040 users
draw in a few tens of milliseconds; the projection is computed in :func:`aegui.core.features.pca_2d`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core import features as ft
from ..core.data.ratings import Ratings
from ..core.engine.snapshot import Insight
from . import palette
from .heatmap import highlight_pen
from .live_panel import LivePanel
from .plot_export import ExportButton, export_view

#: categories: Okabe & Ito's colour-blind-safe colours (without black, lost on dark themes), then Paul
#: Tol's "muted" ones; past these the symbols change too (:data:`SYMBOLS`)
CATEGORY_HEX = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
                "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255", "#aa4499")
SYMBOLS = ("o", "s", "t", "d")
#: numbers: viridis (perceptually even, colour-blind safe) in this many steps, from the 1st to the 99th percentile
RAMP = pg.colormap.get("viridis")
RAMP_STEPS = 64
POINT_PX = 6


class LatentPanel(LivePanel):
    """The scatter of the codes; ``observationClicked(int)`` when a point is clicked (its observation)."""

    observationClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.colour_combo = QComboBox()
        self.colour_combo.setToolTip("What the colour of a point says about its observation")
        self.colour_combo.currentIndexChanged.connect(self._recolour)
        self.caption = QLabel()
        self.caption.setToolTip("How the codes are laid out in two dimensions")
        self.caption.setWordWrap(True)
        self.export_button = ExportButton(self.export, "latent-space")
        tools = QHBoxLayout()
        tools.setContentsMargins(4, 0, 4, 0)
        tools.addWidget(QLabel("colour by"))
        tools.addWidget(self.colour_combo)
        tools.addWidget(self.caption, 1)
        tools.addWidget(self.export_button)

        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = self.graphics.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.graphics.setToolTip("Each point is one observation's code; hover for its name, click to select "
                                 "it everywhere")
        self.legend = self.plot.addLegend(offset=(-10, 10), colCount=2)
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=RAMP, interactive=False, width=14)
        self.graphics.addItem(self.colour_bar, row=0, col=1)
        self.points = pg.ScatterPlotItem(pxMode=True, size=POINT_PX, pen=None, hoverable=True, tip=self._tip)
        self.points.sigClicked.connect(self._clicked)
        self.ring = pg.ScatterPlotItem(pxMode=True, size=16, symbol="o", pen=highlight_pen(2.5), brush=None)
        self.extra = pg.ScatterPlotItem(pxMode=True, size=20, symbol="star")
        self.extra_label = pg.TextItem(anchor=(0, 1))
        for z, item in enumerate((self.points, self.ring, self.extra, self.extra_label)):
            item.setZValue(z)
            self.plot.addItem(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(tools)
        layout.addWidget(self.graphics, 1)

        pal = self.palette()
        self._category_brushes = [QBrush(QColor(h)) for h in CATEGORY_HEX]
        ramp = RAMP.getLookupTable(nPts=RAMP_STEPS, alpha=False).tolist()
        self._ramp_brushes = [QBrush(QColor(*rgb)) for rgb in ramp]
        self._unknown_brush = QBrush(pal.color(QPalette.ColorRole.PlaceholderText))
        self._plain_brush = QBrush(QColor(palette.POSITIVE_HEX))
        self.extra.setPen(pg.mkPen(pal.color(QPalette.ColorRole.Text), width=1.5))
        self.extra.setBrush(pal.color(QPalette.ColorRole.Highlight))
        self.extra_label.setColor(pal.color(QPalette.ColorRole.Text))

        self._names: tuple[str, ...] = ()
        self._attributes: tuple[ft.Attribute, ...] = ()
        self._latest: Insight | None = None      # the last insight received
        self._insight: Insight | None = None     # the one drawn (they differ while the panel is hidden)
        self._basis: ft.Projection | None = None
        self._xy = np.zeros((0, 2))
        self._selected: int | None = None
        self._extra: tuple[np.ndarray, str] | None = None
        self._legend: tuple = ()
        self._fill_combo()
        self._clear()

    # ------------------------------------------------------------------ public API
    def set_data(self, ratings: Ratings, item_based: bool) -> None:
        """The data the network is trained on (user-major, as loaded) and its orientation: names and
        attributes come from here. Clears the scatter until the next insight."""
        self._names = ft.observation_names(ratings, item_based)
        self._attributes = ft.observation_attributes(ratings, item_based)
        self._latest = self._insight = self._basis = self._selected = None
        self._fill_combo()
        self._clear()

    def show_insight(self, insight: Insight) -> None:
        """Project the bottleneck codes of ``insight`` and draw them; a hidden panel draws the latest
        when it is shown."""
        self._latest = insight
        if self.due():
            self.draw()

    def select_observation(self, observation: int) -> None:
        """Ring the point of ``observation`` (none when it is not among the insight's rows)."""
        self._selected = observation
        self._draw_ring()

    def show_extra_point(self, code: np.ndarray | None, label: str = "") -> None:
        """Mark one more code (``(n_k,)``, e.g. a new user's), projected like the others; ``None`` removes it."""
        self._extra = None if code is None else (np.asarray(code, dtype=np.float64), label)
        self._draw_extra()

    def export(self, path: str) -> None:
        """Save the scatter as PNG or SVG (by the extension)."""
        export_view(self.graphics, path, "aegui latent space")

    # ------------------------------------------------------------------ drawing
    def draw(self) -> None:
        """Project and draw the latest insight."""
        insight = self._insight = self._latest
        codes = insight.codes[insight.code_layer]
        self._basis = ft.pca_2d(codes)
        self._xy = self._basis.project(codes)
        share = self._basis.explained * 100
        if self._basis.identity:
            names = [f"unit {k + 1}" if k < codes.shape[1] else "—" for k in range(2)]
            self.caption.setText(f"the {codes.shape[1]} bottleneck unit{'s' * (codes.shape[1] > 1)} as axes")
        else:
            names = [f"PC{k + 1}" for k in range(2)]
            self.caption.setText(f"principal components of the {codes.shape[1]} bottleneck units "
                                 f"({share.sum():.0f} % of their variance)")
        self.plot.setLabel("bottom", f"{names[0]} ({share[0]:.0f} %)")
        self.plot.setLabel("left", f"{names[1]} ({share[1]:.0f} %)")
        self._draw_points()
        self._draw_ring()
        self._draw_extra()

    # ------------------------------------------------------------------ colours
    @property
    def attribute(self) -> ft.Attribute | None:
        """The attribute the points are coloured by (``None``: one colour)."""
        k = self.colour_combo.currentData()
        return self._attributes[k] if isinstance(k, int) and k < len(self._attributes) else None

    def _fill_combo(self) -> None:
        current = self.colour_combo.currentText()
        self.colour_combo.blockSignals(True)
        self.colour_combo.clear()
        self.colour_combo.addItem("one colour", None)
        for k, attribute in enumerate(self._attributes):
            self.colour_combo.addItem(attribute.name, k)
        at = self.colour_combo.findText(current)
        self.colour_combo.setCurrentIndex(at if at > 0 else min(1, self.colour_combo.count() - 1))
        self.colour_combo.blockSignals(False)

    def _draw_points(self) -> None:
        """All the points, with the brushes (and, past :data:`CATEGORY_HEX`, symbols) of the attribute."""
        rows = np.asarray(self._insight.rows)
        attribute = self.attribute
        brushes, symbols, legend, ramp = self._plain_brush, "o", (), False
        if attribute is not None and rows.max(initial=-1) < len(attribute.values):
            values = attribute.values[rows]
            ramp = not attribute.categorical
            brushes, symbols, legend = (self._ramp if ramp else self._categories)(attribute, values)
        self.colour_bar.setVisible(ramp)
        if legend != self._legend:
            self._legend = legend
            self.legend.clear()
            for symbol, brush, name in legend:
                self.legend.addItem(pg.ScatterPlotItem(symbol=symbol, brush=brush, pen=None, size=9), name)
        self.points.setData(x=self._xy[:, 0], y=self._xy[:, 1], data=rows, brush=brushes, symbol=symbols)

    def _categories(self, attribute: ft.Attribute, values: np.ndarray):
        """Brush and symbol per point by category (grey for unknown) and the legend's entries."""
        n_colours = len(self._category_brushes)
        brushes = np.array(self._category_brushes + [self._unknown_brush], dtype=object)
        n = len(attribute.categories)
        code = np.where((values >= 0) & (values < n), values, -1)
        symbol_of = np.array([SYMBOLS[(k // n_colours) % len(SYMBOLS)] for k in range(n)] + ["o"], dtype=object)
        legend = tuple((symbol_of[k], brushes[k % n_colours], attribute.categories[k])
                       for k in np.unique(code[code >= 0]).tolist())
        symbols = list(symbol_of[code]) if n > n_colours else "o"
        return list(brushes[np.where(code >= 0, code % n_colours, n_colours)]), symbols, legend

    def _ramp(self, attribute: ft.Attribute, values: np.ndarray):
        """Brush per point on the ramp from the 1st to the 99th percentile (grey for unknown); sets the bar."""
        finite = np.isfinite(values)
        lo, hi = np.percentile(values[finite], [1, 99]) if finite.any() else (0.0, 1.0)
        hi = hi if hi > lo else lo + 1.0
        self.colour_bar.setLevels((lo, hi))
        n = len(self._ramp_brushes)
        step = np.clip(np.rint((np.nan_to_num(values, nan=lo) - lo) / (hi - lo) * (n - 1)), 0, n - 1).astype(np.intp)
        brushes = np.array(self._ramp_brushes + [self._unknown_brush], dtype=object)
        return list(brushes[np.where(finite, step, n)]), "o", ()

    def _recolour(self) -> None:
        if self._insight is not None:
            self._draw_points()

    # ------------------------------------------------------------------ marks
    def _clear(self) -> None:
        self.points.setData([], [])
        self.legend.clear()
        self._legend = ()
        self.colour_bar.hide()
        self.ring.setData([], [])
        self.extra.setData([], [])
        self.extra_label.setText("")
        self.caption.setText("Train the network: its codes appear here.")

    def _draw_ring(self) -> None:
        at = np.zeros(0, dtype=np.int64)
        if self._insight is not None and self._selected is not None:
            at = np.flatnonzero(np.asarray(self._insight.rows) == self._selected)
        self.ring.setData(self._xy[at[:1], 0], self._xy[at[:1], 1])

    def _draw_extra(self) -> None:
        if self._extra is None or self._basis is None or len(self._extra[0]) != len(self._basis.mean):
            self.extra.setData([], [])
            self.extra_label.setText("")
            return
        x, y = self._basis.project(self._extra[0])
        self.extra.setData([x], [y])
        self.extra_label.setText(self._extra[1])
        self.extra_label.setPos(x, y)

    # ------------------------------------------------------------------ mouse
    def _name(self, observation: int) -> str:
        return self._names[observation] if 0 <= observation < len(self._names) else f"#{observation + 1}"

    def _tip(self, x: float, y: float, data) -> str:
        return self._name(int(data))

    def _clicked(self, item, points, ev) -> None:
        """The observation of the clicked point nearest the mouse (points can overlap)."""
        at = ev.scenePos()
        nearest = min(points, key=lambda p: _distance(item.mapToScene(p.pos()), at))
        observation = int(nearest.data())
        self.select_observation(observation)
        self.observationClicked.emit(observation)


def _distance(a: QPointF, b: QPointF) -> float:
    return (a.x() - b.x()) ** 2 + (a.y() - b.y()) ** 2
