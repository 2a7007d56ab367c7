"""Charts panel: reconstruction error per epoch (train, validation, test RMSE in stars) and per update,
live, from the snapshots' :class:`History`; log scale, zoom, the current epoch marked (or the past point
shown from the timeline), the curves of abandoned branches dashed, and the bias-only baseline's test RMSE
(validation when there is no test set) as a labelled horizontal line: under it, the network has learned
more than "everyone's average taste"."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .live_panel import EXPENSIVE_RATE
from .palette import NEGATIVE_HEX, POSITIVE_HEX
from .plot_export import ExportButton, export_view
from ..core.engine.protocol import State

#: chart redraws per second while training (axes are expensive to repaint; the curves stay live enough)
MAX_RATE = EXPENSIVE_RATE


class ChartsPanel(QWidget):
    """Two linked plots; ``show_snapshot`` updates existing curves (never recreates them)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.epoch_plot = pg.PlotWidget()
        self.epoch_plot.setLabel("left", "RMSE (stars)")
        self.epoch_plot.setLabel("bottom", "epoch")
        self.epoch_plot.addLegend(offset=(-10, 10))
        self.train_curve = self.epoch_plot.plot(name="train", pen=pg.mkPen(POSITIVE_HEX, width=2))
        self.val_curve = self.epoch_plot.plot(name="validation", pen=pg.mkPen("#7f7f7f", width=2, style=Qt.PenStyle.DashLine))
        self.test_curve = self.epoch_plot.plot(name="test", pen=pg.mkPen(NEGATIVE_HEX, width=2))
        self.epoch_marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#999999", width=1, style=Qt.PenStyle.DotLine),
                                            label="", labelOpts={"position": 0.95, "color": "#999999"})
        self.epoch_plot.addItem(self.epoch_marker)
        self.baseline_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(NEGATIVE_HEX, width=1, style=Qt.PenStyle.DashDotLine),
                                             label="", labelOpts={"position": 0.12, "color": NEGATIVE_HEX,
                                                                  "anchors": [(0, 1), (0, 1)]})
        self.baseline_line.setVisible(False)
        self.epoch_plot.addItem(self.baseline_line)
        #: abandoned branches (train and test curve each), dashed and faint, newest last
        self.branch_curves: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
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
        self.export_button = ExportButton(lambda path: export_view(self.epoch_plot, path, "aegui error"), "error")
        self.export_button.setToolTip("Save the RMSE chart as a PNG image or an SVG drawing")
        #: what the preset shows (File ▸ Demos), above the curves
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.caption, 1)
        row.addWidget(self.log_box)
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addWidget(self.epoch_plot, 3)
        layout.addWidget(self.step_plot, 2)
        self._shown_epochs: tuple = ()   # what each plot shows (None: nothing yet)
        self._shown_steps: int | None = None
        self._epochs_at = self._steps_at = 0.0

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)
        self.caption.setVisible(bool(text))

    def _set_log(self, on: bool) -> None:
        self.epoch_plot.setLogMode(y=on)
        self.step_plot.setLogMode(y=on)

    def show_snapshot(self, snapshot) -> None:
        """Draw a snapshot's history when it changed: while it trains each plot at most :data:`MAX_RATE`
        times a second and never both in one frame (each repaint of a plot's axes and curves takes a
        few milliseconds of the window's frame); a pause or the end draws the final state at once."""
        history = snapshot.history
        epochs_key = (len(history.epoch_train_rmse), snapshot.viewing, len(snapshot.branches))
        steps_key = len(history.step_loss)
        if snapshot.state != State.RUNNING:
            self._draw_epochs(snapshot, epochs_key)
            self._draw_steps(history, steps_key)
            return
        now = time.monotonic()
        epochs_due = epochs_key != self._shown_epochs and now - self._epochs_at >= 1 / MAX_RATE
        steps_due = steps_key != self._shown_steps and now - self._steps_at >= 1 / MAX_RATE
        if epochs_due and (not steps_due or self._epochs_at <= self._steps_at):
            self._draw_epochs(snapshot, epochs_key)
            self._epochs_at = now
        elif steps_due:
            self._draw_steps(history, steps_key)
            self._steps_at = now

    def _draw_epochs(self, snapshot, key) -> None:
        if key == self._shown_epochs:
            return
        self._shown_epochs = key
        history = snapshot.history
        for curve, values in ((self.train_curve, history.epoch_train_rmse), (self.val_curve, history.epoch_val_rmse),
                              (self.test_curve, history.epoch_test_rmse)):
            _set_epochs(curve, values)
        self._draw_baseline(history)
        self._draw_branches(snapshot.branches)
        if snapshot.viewing is None:
            self.epoch_marker.setValue(len(history.epoch_train_rmse))
            self.epoch_marker.label.setFormat("")
        else:
            point = snapshot.timeline[snapshot.viewing]
            self.epoch_marker.setValue(point.serial)
            self.epoch_marker.label.setFormat(f"shown: {point.label}")

    def _draw_baseline(self, history) -> None:
        """The bias-only baseline's RMSE on the test ratings (else the validation ones), if any."""
        for value, on in ((history.baseline_test_rmse, "test"), (history.baseline_val_rmse, "validation")):
            if np.isfinite(value):
                self.baseline_line.setValue(value)
                self.baseline_line.label.setFormat(f"baseline (user + movie means) on {on}: {value:.3f}")
                self.baseline_line.setToolTip(
                    f"Bias-only baseline, RMSE {value:.4f} on the {on} ratings: global mean + damped user and "
                    "movie biases, fitted on the training ratings. A curve under this line beats it.")
                self.baseline_line.setVisible(True)
                return
        self.baseline_line.setVisible(False)

    def _draw_steps(self, history, key) -> None:
        if key == self._shown_steps:
            return
        self._shown_steps = key
        loss = np.asarray(history.step_loss, dtype=float)
        ok = np.isfinite(loss)
        self.step_curve.setData(np.asarray(history.step_index)[ok], loss[ok])

    def _draw_branches(self, branches) -> None:
        while len(self.branch_curves) < len(branches):
            pens = [pg.mkPen(hex_, width=1, style=Qt.PenStyle.DashLine) for hex_ in (POSITIVE_HEX, NEGATIVE_HEX)]
            pair = tuple(self.epoch_plot.plot(pen=pen) for pen in pens)
            for curve in pair:
                curve.setOpacity(0.45)
                curve.setToolTip("an abandoned branch: training went back to an earlier point from here")
            self.branch_curves.append(pair)
        for k, (train, test) in enumerate(self.branch_curves):
            if k < len(branches):
                # an abandoned future starts where it left the present curve
                start = branches[k].at_epoch
                _set_epochs(train, branches[k].history.epoch_train_rmse, start)
                _set_epochs(test, branches[k].history.epoch_test_rmse, start)
            else:
                train.setData([], [])
                test.setData([], [])

    def clear(self) -> None:
        for curve in (self.train_curve, self.val_curve, self.test_curve, self.step_curve,
                      *(c for pair in self.branch_curves for c in pair)):
            curve.setData([], [])
        self.baseline_line.setVisible(False)
        self._shown_epochs, self._shown_steps = (), None


def _set_epochs(curve, values, start: int = 0) -> None:
    """Plot per-epoch values at epochs 1, 2, …, skipping the first ``start`` ones and missing values."""
    values = np.asarray(values, dtype=float)
    epochs = np.arange(1, len(values) + 1)
    ok = np.isfinite(values) & (epochs >= start)
    curve.setData(epochs[ok], values[ok])
