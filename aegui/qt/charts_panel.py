"""Charts panel: reconstruction error per epoch (train, validation, test RMSE in stars) and per update,
live, from the snapshots' :class:`History`; log scale, zoom, the current epoch marked."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from .palette import NEGATIVE_HEX, POSITIVE_HEX

#: chart redraws per second while training (axes are expensive to repaint; the curves stay live enough)
MAX_RATE = 4


class ChartsPanel(QWidget):
    """Two linked plots; ``show_history`` updates existing curves (never recreates them)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.epoch_plot = pg.PlotWidget()
        self.epoch_plot.setLabel("left", "RMSE (stars)")
        self.epoch_plot.setLabel("bottom", "epoch")
        self.epoch_plot.addLegend(offset=(-10, 10))
        self.train_curve = self.epoch_plot.plot(name="train", pen=pg.mkPen(POSITIVE_HEX, width=2))
        self.val_curve = self.epoch_plot.plot(name="validation", pen=pg.mkPen("#7f7f7f", width=2, style=Qt.PenStyle.DashLine))
        self.test_curve = self.epoch_plot.plot(name="test", pen=pg.mkPen(NEGATIVE_HEX, width=2))
        self.epoch_marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#999999", width=1, style=Qt.PenStyle.DotLine))
        self.epoch_plot.addItem(self.epoch_marker)
        self.epoch_plot.setToolTip("Root mean squared error over rated cells, in stars, after each epoch")

        self.step_plot = pg.PlotWidget()
        self.step_plot.setLabel("left", "loss L")
        self.step_plot.setLabel("bottom", "update")
        self.step_curve = self.step_plot.plot(pen=pg.mkPen(POSITIVE_HEX, width=1))
        self.step_curve.setDownsampling(auto=True, method="mean")
        self.step_curve.setClipToView(True)
        for plot in (self.epoch_plot, self.step_plot):
            for side in ("left", "bottom"):  # numbers read as they are, not ×0.001
                plot.getAxis(side).enableAutoSIPrefix(False)
        self.step_plot.setToolTip("L = 1/n Σ (x_i − y_i)² over the rated inputs of each update (+ penalty)")

        self.log_box = QCheckBox("log scale")
        self.log_box.setToolTip("Show the error axes on a logarithmic scale")
        self.log_box.toggled.connect(self._set_log)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.log_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addWidget(self.epoch_plot, 3)
        layout.addWidget(self.step_plot, 2)
        self._shown = (-1, -1)
        self._drawn_at = 0.0

    def _set_log(self, on: bool) -> None:
        self.epoch_plot.setLogMode(y=on)
        self.step_plot.setLogMode(y=on)

    def show_history(self, history, force: bool = False) -> None:
        """Draw the curves of one :class:`History` when it changed, at most :data:`MAX_RATE` times a
        second unless ``force`` (a pause or the end always draws the final state)."""
        key = (len(history.epoch_train_rmse), len(history.step_loss))
        now = time.monotonic()
        if key == self._shown or (not force and now - self._drawn_at < 1 / MAX_RATE):
            return
        self._shown, self._drawn_at = key, now
        epochs = np.arange(1, len(history.epoch_train_rmse) + 1)
        for curve, values in ((self.train_curve, history.epoch_train_rmse), (self.val_curve, history.epoch_val_rmse),
                              (self.test_curve, history.epoch_test_rmse)):
            values = np.asarray(values, dtype=float)
            ok = np.isfinite(values)
            curve.setData(epochs[ok], values[ok])
        self.epoch_marker.setValue(len(epochs))
        loss = np.asarray(history.step_loss, dtype=float)
        ok = np.isfinite(loss)
        self.step_curve.setData(np.asarray(history.step_index)[ok], loss[ok])

    def clear(self) -> None:
        for curve in (self.train_curve, self.val_curve, self.test_curve, self.step_curve):
            curve.setData([], [])
        self._shown = (-1, -1)
