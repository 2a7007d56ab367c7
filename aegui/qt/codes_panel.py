"""Hidden units: every observation's activations as a heat map (observations × units), the units'
mean activation with the dormant ones marked, a unit's feature (its strongest movies in and out) and,
when the data has genres, how well each unit lines up with each genre.

Everything drawn comes from an :class:`Insight` (codes, mean activations, dormant units) and the latest
:class:`Snapshot` (weights); the numbers are computed in :mod:`aegui.core.features`.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSpinBox, QSplitter, QTextBrowser,
                               QVBoxLayout, QWidget)

from ..core import features as ft
from ..core.data.ratings import Ratings
from ..core.engine.snapshot import Insight, Snapshot
from ..core.scene import BOUNDED
from . import palette
from .heatmap import HeatMap
from .live_panel import EXPENSIVE_RATE, LivePanel
from .plot_export import ExportButton, export_view
from ..core.engine.protocol import State

#: activations whose range is known: the colour scale spans ``[−1, 1]`` (others: ``±max |h|`` of the insight)
#: movies listed in and out of a unit
TOP = 8
DORMANT_RULE = "mean |h| < ρ/10"
DORMANT_DETAIL = f"{DORMANT_RULE} (ρ the sparsity target): switched off (a dead ReLU, a unit stuck at 0)"
LINEARISED = ("a product of weight matrices: a linearisation that ignores the activations' slopes "
              "(h = f(W·h′ + b) read as h ≈ W·h′)")


class CodesPanel(LivePanel):
    """The activations heat map, unit strip, unit feature and genre alignment (see the module docstring).

    ``observationClicked(int)``: a row of the heat map was clicked (the observation's index)."""

    max_rate = EXPENSIVE_RATE

    observationClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layer_combo = QComboBox()
        self.layer_combo.setToolTip("Which hidden layer's activations to show (the bottleneck by default)")
        self.layer_combo.currentIndexChanged.connect(self._layer_changed)
        self.sort_combo = QComboBox()
        self.sort_combo.setToolTip("Order of the rows: as in the data, by one unit's activation (largest "
                                   "first) or by an attribute of the observations")
        self.sort_combo.currentIndexChanged.connect(self.draw)
        self.unit_spin = QSpinBox()
        self.unit_spin.setPrefix("unit ")
        self.unit_spin.setMinimum(1)
        self.unit_spin.setToolTip("The unit whose activation orders the rows")
        self.unit_spin.valueChanged.connect(self.draw)
        self.dormant_label = QLabel()
        self.dormant_label.setToolTip(f"Dormant units: {DORMANT_DETAIL}; they are marked ✕ above their columns")
        self.legend = palette.ColorLegend("activation h")
        self.legend.setToolTip("Colour of an activation: the diverging scale of the whole window")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setToolTip("Click a cell: select its observation (row) everywhere and show its unit's "
                                 "feature (column)")
        self.export_button = ExportButton(self.export, "hidden-units")
        tools = QHBoxLayout()   # two rows, so that the panel fits a narrow dock
        tools.setContentsMargins(4, 0, 4, 0)
        self.layer_label = QLabel("layer")
        for w in (self.layer_label, self.layer_combo, QLabel("rows by"), self.sort_combo, self.unit_spin):
            tools.addWidget(w)
        tools.addStretch(1)
        tools.addWidget(self.export_button)
        self.dormant_label.setWordWrap(True)
        status = QHBoxLayout()
        status.setContentsMargins(4, 0, 4, 0)
        status.addWidget(self.dormant_label, 1)
        status.addWidget(self.legend)

        self.strip = self.graphics.addPlot(row=0, col=0)
        self.strip.setMaximumHeight(90)
        self.strip.setMenuEnabled(False)
        self.strip.hideButtons()
        self.strip.setLabel("left", "mean h")
        self.strip.getAxis("left").enableAutoSIPrefix(False)   # activations read as they are, not ×0.001
        self.strip.setToolTip(f"Each unit's mean activation over all observations; ✕ dormant ({DORMANT_DETAIL})")
        self.mean_bars = pg.BarGraphItem(x=[], height=[], width=1.0, brush=palette.POSITIVE_HEX, pen=None)
        self.dormant_marks = pg.ScatterPlotItem(symbol="x", size=9, pen=pg.mkPen(palette.NEGATIVE_HEX, width=2),
                                                brush=palette.NEGATIVE_HEX)
        self.strip.addItem(self.mean_bars)
        self.strip.addItem(self.dormant_marks)
        self.heat = HeatMap(on_click=self._cell_clicked, on_hover=self._cell_hovered)
        self.heat.setLabel("bottom", "hidden unit")
        self.graphics.addItem(self.heat, row=1, col=0)
        self.alignment = HeatMap(on_click=lambda r, c: self._select_unit(c), on_hover=self._alignment_hovered)
        self.alignment.setLabel("bottom", "hidden unit")
        self.alignment.setToolTip("Pearson r between each unit's input weights and each genre's indicator "
                                  "(1 for the genre's inputs, else 0); click a column to select its unit")
        self.graphics.addItem(self.alignment, row=2, col=0)
        self.graphics.ci.layout.setRowStretchFactor(1, 4)
        self.graphics.ci.layout.setRowStretchFactor(2, 1)
        for plot in (self.strip, self.alignment):
            plot.setXLink(self.heat)
        self._set_axis_width(60)
        self.hover_label = QLabel(" ")
        self.hover_label.setToolTip("The cell under the mouse")
        self.feature = QTextBrowser()
        self.feature.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 24)
        self.feature.setToolTip("The selected unit's feature: the inputs that drive it most and the outputs "
                                "it drives most, by the weights (strongest |w| first)")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.graphics, 1)
        left_layout.addWidget(self.hover_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.feature)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(tools)
        layout.addLayout(status)
        layout.addWidget(splitter, 1)

        self._latest: Insight | None = None      # the last insight received
        self._insight: Insight | None = None     # the one drawn (they differ while the panel is hidden)
        self._snapshot: Snapshot | None = None
        self._names: tuple[str, ...] = ()
        self._feature_names: tuple[str, ...] = ()
        self._attributes: tuple[ft.Attribute, ...] = ()
        self._groups: np.ndarray | None = None
        self._group_names: tuple[str, ...] = ()
        self._item_based = False
        self._order = np.zeros(0, dtype=np.int64)
        self._selected: int | None = None
        self._unit: int | None = None
        self._alignment: ft.Alignment | None = None
        self._fill_sort_combo()
        self._clear()

    # ------------------------------------------------------------------ public API
    def set_data(self, ratings: Ratings, item_based: bool) -> None:
        """The data the network is trained on (user-major, as loaded) and its orientation: names,
        attributes and genres come from here. Clears the drawing until the next insight."""
        self._item_based = item_based
        self._names = ft.observation_names(ratings, item_based)
        self._feature_names = ft.feature_names(ratings, item_based)
        self._attributes = ft.observation_attributes(ratings, item_based)
        self._groups = ft.feature_groups(ratings, item_based)
        self._group_names = ft.group_names(ratings) if self._groups is not None else ()
        self._latest = self._insight = None
        self._selected, self._unit = None, None
        self._fill_sort_combo()
        self._clear()

    def show_insight(self, insight: Insight) -> None:
        """Draw the codes of ``insight`` (the heat map, the unit strip, the dormant marks); a hidden panel
        draws the latest when it is shown."""
        self._latest = insight
        if self.due():
            self.draw()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Take the weights of ``snapshot`` for the unit's feature and the genre alignment; redraws at most
        :attr:`max_rate` times a second while training runs (a hidden panel when it is shown)."""
        old = self._snapshot
        self._snapshot = snapshot
        if not self.due(snapshot.state == State.RUNNING):
            return
        if old is None or old.activations != snapshot.activations:
            self.draw()                        # the colour range follows the activation function
        else:
            self._draw_weights()

    def select_observation(self, observation: int) -> None:
        """Mark the row of ``observation`` (no mark when it is not among the insight's rows)."""
        self._selected = observation
        self._mark_selected()

    def export(self, path: str) -> None:
        """Save the heat maps as PNG or SVG (by the extension)."""
        export_view(self.graphics, path, "aegui hidden units")

    # ------------------------------------------------------------------ state
    @property
    def layer(self) -> int:
        """The hidden layer shown (index into ``Insight.codes``)."""
        return max(self.layer_combo.currentIndex(), 0)

    @property
    def row_order(self) -> np.ndarray:
        """``(n,)`` positions in ``insight.rows`` of the drawn rows, top first."""
        return self._order

    def _observation_name(self, observation: int) -> str:
        if 0 <= observation < len(self._names):
            return self._names[observation]
        return f"#{observation + 1}"

    def _feature_name(self, feature: int) -> str:
        names = self._feature_names or (self._snapshot.feature_labels if self._snapshot else ())
        return names[feature] if 0 <= feature < len(names) else f"input {feature + 1}"

    def _vmax(self, codes: np.ndarray) -> float:
        acts = self._snapshot.activations if self._snapshot is not None else ()
        if self.layer < len(acts) and acts[self.layer] in BOUNDED:
            return 1.0
        return float(np.abs(codes).max()) if codes.size else 1.0

    def _fill_sort_combo(self) -> None:
        current = self.sort_combo.currentText()
        self.sort_combo.blockSignals(True)
        self.sort_combo.clear()
        self.sort_combo.addItem("data order", "data")
        self.sort_combo.addItem("activation of unit", "unit")
        for k, attribute in enumerate(self._attributes):
            self.sort_combo.addItem(attribute.name, k)
        self.sort_combo.setCurrentIndex(max(self.sort_combo.findText(current), 0))
        self.sort_combo.blockSignals(False)

    def _sort(self, codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        key = self.sort_combo.currentData()
        self.unit_spin.setVisible(key == "unit")
        if key == "unit":
            return np.argsort(-codes[:, self.unit_spin.value() - 1], kind="stable")
        if isinstance(key, int) and key < len(self._attributes) and rows.max(initial=-1) < len(
                self._attributes[key].values):
            return np.argsort(self._attributes[key].values[rows], kind="stable")
        return np.arange(len(rows))

    # ------------------------------------------------------------------ drawing
    def _clear(self) -> None:
        self.heat.image.clear()
        self.alignment.image.clear()
        self.mean_bars.setOpts(x=[], height=[])
        self.dormant_marks.setData([], [])
        self.heat.mark_row(None)
        self.heat.mark_column(None)
        self.alignment.setVisible(False)
        self.dormant_label.setText("")
        self.feature.setHtml("<i>Train the network: its hidden units appear here.</i>")
        self._order = np.zeros(0, dtype=np.int64)

    def _layer_changed(self) -> None:
        self._unit = None
        self.draw()

    def draw(self) -> None:
        """The whole drawing from the latest insight and weights."""
        insight = self._insight = self._latest
        if insight is None:
            return
        n_layers = len(insight.codes)
        if self.layer_combo.count() != n_layers:
            self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            for k, codes in enumerate(insight.codes):
                self.layer_combo.addItem(f"hidden {k + 1} ({codes.shape[1]} units)")
            self.layer_combo.setCurrentIndex(insight.code_layer)
            self.layer_combo.blockSignals(False)
        self.layer_label.setVisible(n_layers > 1)
        self.layer_combo.setVisible(n_layers > 1)
        k = self.layer
        codes, rows = insight.codes[k], np.asarray(insight.rows)
        n_units = codes.shape[1]
        self.unit_spin.setMaximum(max(n_units, 1))
        self._order = self._sort(codes, rows)
        vmax = self._vmax(codes)
        self.heat.set_matrix(codes[self._order], vmax)
        self.legend.vmax = vmax
        self.legend.update()
        word = "movie" if self._item_based else "user"
        self.heat.setLabel("left", f"{word}s ({len(rows):,}{' sampled' if len(rows) < len(self._names) else ''})")
        mean, dormant = insight.mean_activation[k], np.asarray(insight.dormant[k], dtype=bool)
        self.mean_bars.setOpts(x=HeatMap.centre(0, np.arange(n_units))[0], height=mean, width=1.0)
        cols = np.flatnonzero(dormant)
        self.dormant_marks.setData(HeatMap.centre(0, cols)[0], np.zeros(len(cols)))
        self.dormant_label.setText(f"{len(cols)} of {n_units} dormant ✕ ({DORMANT_RULE})")
        if self._unit is not None and self._unit >= n_units:
            self._unit = None
        self.heat.mark_column(self._unit)
        self._mark_selected()
        self._draw_weights()

    def _set_axis_width(self, width: int) -> None:
        """The same left axis width on the three plots, so that their unit columns line up."""
        for plot in (self.strip, self.heat, self.alignment):
            plot.getAxis("left").setWidth(width)

    def _mark_selected(self) -> None:
        at = np.zeros(0, dtype=np.int64)
        if self._insight is not None and self._selected is not None:
            at = np.flatnonzero(np.asarray(self._insight.rows)[self._order] == self._selected)
        self.heat.mark_row(int(at[0]) if len(at) else None)

    def _weights(self):
        """The snapshot's weights when they fit the insight's layers (else ``None``)."""
        s, insight = self._snapshot, self._insight
        if s is None or insight is None or len(s.weights) != len(insight.codes) + 1:
            return None
        if s.weights[self.layer].shape[0] != insight.codes[self.layer].shape[1]:
            return None
        return s.weights

    def _draw_weights(self) -> None:
        """The genre alignment and the selected unit's feature (they need the weights)."""
        weights = self._weights()
        self._alignment = None
        if weights is not None and self._groups is not None and len(self._groups) == weights[0].shape[1]:
            self._alignment = ft.genre_alignment(ft.input_weights(weights, self.layer), self._groups,
                                                 len(self._group_names))
            self.alignment.set_matrix(self._alignment.r.T, 1.0)
            axis = self.alignment.getAxis("left")
            axis.setTicks([[(HeatMap.centre(g, 0)[1], name) for g, name in enumerate(self._group_names)]])
            self._set_axis_width(max(60, max(self.fontMetrics().horizontalAdvance(n) for n in self._group_names) + 14))
            self.alignment.mark_column(self._unit)
        self.alignment.setVisible(self._alignment is not None)
        self._show_feature(weights)

    def _show_feature(self, weights) -> None:
        if self._unit is None or weights is None:
            self.feature.setHtml("<i>Click a column of the heat map to see what its unit stands for.</i>"
                                 if weights is not None else "<i>Waiting for the weights…</i>")
            return
        k, j = self.layer, self._unit
        f = ft.unit_features(weights, k, j, TOP)
        insight = self._insight
        mean = float(insight.mean_activation[k][j])
        things = "users" if self._item_based else "movies"
        parts = [f"<b>hidden {k + 1}, unit {j + 1}</b> · mean activation {mean:.3g}"
                 + (" · <b>dormant</b>" if insight.dormant[k][j] else "")]
        if self._alignment is not None:
            g = int(self._alignment.best[j])
            if g >= 0:
                parts.append(f"best genre: <b>{html.escape(self._group_names[g])}</b> "
                             f"(r = {self._alignment.best_r[j]:+.2f})")
        for title, index, weight, linearised, product in (
                (f"In: the {things} whose ratings drive it", f.in_index, f.in_weight, f.in_linearised,
                 "W" + "·W".join(str(l) for l in range(k + 1, 0, -1))),
                (f"Out: the {things} it drives", f.out_index, f.out_weight, f.out_linearised,
                 "W" + "·W".join(str(l) for l in range(len(weights), k + 1, -1)))):
            vmax = float(np.abs(weight).max(initial=0.0))
            rows = "".join(
                f"<tr><td style='color:{palette.qcolor(w, vmax).name()}'>■</td><td align='right'>{w:+.3f}</td>"
                f"<td>{html.escape(self._feature_name(int(i)))}</td></tr>" for i, w in zip(index, weight))
            note = f"<br><i>{product}: {LINEARISED}</i>" if linearised else ""
            parts.append(f"<b>{title}</b> ({product}){note}<table cellspacing='2'>{rows}</table>")
        self.feature.setHtml("<br>".join(parts))

    # ------------------------------------------------------------------ mouse
    def _select_unit(self, unit: int) -> None:
        self._unit = unit
        self.heat.mark_column(unit)
        self.alignment.mark_column(unit)
        self._show_feature(self._weights())

    def _cell_clicked(self, row: int, col: int) -> None:
        observation = int(np.asarray(self._insight.rows)[self._order[row]])
        self._select_unit(col)
        self.select_observation(observation)
        self.observationClicked.emit(observation)

    def _cell_hovered(self, row: int, col: int) -> None:
        if row < 0 or self._insight is None:
            self.hover_label.setText(" ")
            return
        position = self._order[row]
        observation = int(np.asarray(self._insight.rows)[position])
        value = float(self._insight.codes[self.layer][position, col])
        self.hover_label.setText(f"{self._observation_name(observation)} · unit {col + 1}: h = {value:.4g}")

    def _alignment_hovered(self, row: int, col: int) -> None:
        if row < 0 or self._alignment is None:
            self.hover_label.setText(" ")
            return
        self.hover_label.setText(f"unit {col + 1} × {self._group_names[row]}: r = {self._alignment.r[col, row]:+.3f}")
