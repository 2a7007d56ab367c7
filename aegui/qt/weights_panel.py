"""Weights: one matrix ``W_l`` as a heat map on the window's diverging scale (levels ``±max |W_l|``) and
histograms of its weights and biases, live while training."""

from __future__ import annotations


import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.engine.snapshot import Snapshot
from ..core.features import symmetric_histogram
from . import palette
from .heatmap import HeatMap
from .live_panel import EXPENSIVE_RATE, LivePanel
from .plot_export import ExportButton, export_view
from ..core.engine.protocol import State

WEIGHT_BINS = 60
BIAS_BINS = 30


def _histogram_plot(layout: pg.GraphicsLayoutWidget, col: int, what: str, tip: str):
    plot = layout.addPlot(row=1, col=col)
    plot.setLabel("bottom", what)
    plot.setLabel("left", "count")
    plot.setMenuEnabled(False)
    plot.setToolTip(tip)
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    curve = pg.PlotCurveItem(np.zeros(1), np.zeros(0), stepMode="center", fillLevel=0,
                             pen=pg.mkPen(palette.POSITIVE_HEX, width=1.5), brush=pg.mkBrush(palette.POSITIVE_HEX + "80"))
    plot.addItem(curve)
    return plot, curve


class WeightsPanel(LivePanel):
    """``show_snapshot`` draws the chosen layer's ``W_l`` and the histograms, updating the same items."""

    max_rate = EXPENSIVE_RATE

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layer_combo = QComboBox()
        self.layer_combo.setToolTip("Which weight matrix W_l (from layer l−1 to layer l) to show")
        self.layer_combo.currentIndexChanged.connect(self.draw)
        self.legend = palette.ColorLegend("weight")
        self.legend.setToolTip("Colour of a weight: the diverging scale of the window, from −max|W_l| to +max|W_l|")
        self.export_button = ExportButton(self.export, "weights")
        self.graphics = pg.GraphicsLayoutWidget()
        self.heat = HeatMap(on_hover=self._hovered)
        self.heat.setToolTip("W_l[j, i]: the weight from unit i of the layer below (columns) to unit j (rows)")
        self.graphics.addItem(self.heat, row=0, col=0, colspan=2)
        self.weight_plot, self.weight_curve = _histogram_plot(
            self.graphics, 0, "weight w", f"How many weights of W_l fall in each of {WEIGHT_BINS} bins")
        self.bias_plot, self.bias_curve = _histogram_plot(
            self.graphics, 1, "bias b", f"How many biases of b_l fall in each of {BIAS_BINS} bins")
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.hover_label = QLabel(" ")
        self.hover_label.setToolTip("The weight under the mouse")
        tools = QHBoxLayout()
        tools.setContentsMargins(4, 0, 4, 0)
        tools.addWidget(QLabel("matrix"))
        tools.addWidget(self.layer_combo)
        tools.addStretch(1)
        tools.addWidget(self.legend)
        tools.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(tools)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.hover_label)
        self._snapshot: Snapshot | None = None
        self._sizes: tuple[int, ...] = ()

    # ------------------------------------------------------------------ public API
    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Draw ``snapshot``'s weights: at most :attr:`max_rate` times a second while training runs,
        always when it is paused, finished or stopped; a hidden panel draws the latest when it is shown."""
        self._snapshot = snapshot
        if self.due(snapshot.state == State.RUNNING):
            self.draw()

    def export(self, path: str) -> None:
        """Save the heat map and histograms as PNG or SVG (by the extension)."""
        export_view(self.graphics, path, "aegui weights")

    @property
    def layer(self) -> int:
        """The matrix shown: ``W_{layer + 1}`` (index into ``Snapshot.weights``)."""
        return max(self.layer_combo.currentIndex(), 0)

    # ------------------------------------------------------------------ drawing
    def _layer_name(self, l: int) -> str:
        if 0 < l < len(self._sizes) - 1:
            return f"hidden {l}"
        things = "users" if self._snapshot is not None and self._snapshot.item_based else "movies"
        return f"{things} (input)" if l == 0 else f"{things} (output)"

    def draw(self) -> None:
        """The chosen matrix of the latest snapshot, its histograms and the matrix chooser."""
        snapshot = self._snapshot
        if snapshot is None or not snapshot.weights:
            return
        if snapshot.sizes != self._sizes:
            self._sizes = snapshot.sizes
            self.layer_combo.blockSignals(True)
            current = self.layer_combo.currentIndex()
            self.layer_combo.clear()
            for l in range(1, len(snapshot.sizes)):
                self.layer_combo.addItem(f"W{l}: {self._layer_name(l - 1)} → {self._layer_name(l)} "
                                         f"({snapshot.sizes[l]} × {snapshot.sizes[l - 1]})")
            self.layer_combo.setCurrentIndex(min(max(current, 0), self.layer_combo.count() - 1))
            self.layer_combo.blockSignals(False)
        l = self.layer
        w, b = snapshot.weights[l], snapshot.biases[l]
        vmax = float(np.abs(w).max()) if w.size else 0.0
        self.heat.set_matrix(w, vmax)
        self.heat.setLabel("left", f"to: {self._layer_name(l + 1)}")
        self.heat.setLabel("bottom", f"from: {self._layer_name(l)}")
        self.legend.vmax = float(f"{vmax:.2g}")
        self.legend.update()
        for curve, values, bins in ((self.weight_curve, w, WEIGHT_BINS), (self.bias_curve, b, BIAS_BINS)):
            edges, counts = symmetric_histogram(values, bins)
            curve.setData(edges, counts)

    def _unit_name(self, layer: int, unit: int) -> str:
        labels = self._snapshot.feature_labels if self._snapshot is not None else ()
        if layer in (0, len(self._sizes) - 1) and unit < len(labels):
            return labels[unit]
        return f"{self._layer_name(layer)} unit {unit + 1}"

    def _hovered(self, row: int, col: int) -> None:
        if row < 0 or self._snapshot is None:
            self.hover_label.setText(" ")
            return
        l = self.layer
        value = float(self._snapshot.weights[l][row, col])
        self.hover_label.setText(f"w from {self._unit_name(l, col)} to {self._unit_name(l + 1, row)}: {value:+.4g}")
