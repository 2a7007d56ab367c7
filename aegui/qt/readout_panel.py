"""Readout panel: the output ``y`` of the observation shown, read as a choice — ``softmax(y/T)`` with a
temperature control, and its limit the arg-max — plus stepping through observations and, for the seed's
example, a toggle that adds output biases to show how a bias moves the reconstruction.

The numbers come from the snapshot's trace; softmax and arg-max from :mod:`aegui.core.engine.readout`.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QSlider, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.engine.readout import EXAMPLE_BIAS, argmax_onehot, softmax
from .live_panel import LivePanel

#: slider positions map to temperatures 10^(pos/20): 0.01 … 100
_T_RANGE = (-40, 40)
#: rows shown at most (the largest softmax values first)
MAX_ROWS = 12


class ReadoutPanel(LivePanel):
    observationChosen = Signal(int)
    biasEditRequested = Signal(int, str, int, int, float)  # layer, "bias", row, 0, value

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.observation = QSpinBox()
        self.observation.setRange(1, 1)
        self.observation.setToolTip("The observation (user) whose pass is shown; step through them")
        self.observation.valueChanged.connect(lambda v: self.observationChosen.emit(v - 1))
        self.temperature = QSlider(Qt.Orientation.Horizontal)
        self.temperature.setRange(*_T_RANGE)
        self.temperature.setValue(0)
        self.temperature.setToolTip("Temperature T: small T turns softmax into the arg-max, large T makes it uniform")
        self.temperature.valueChanged.connect(lambda _: self._redraw())
        self.t_label = QLabel()
        self.bias = QCheckBox(f"add output biases b = {list(EXAMPLE_BIAS)}")
        self.bias.setToolTip("Set the last layer's biases to this vector (undoable) and see the reconstruction move")
        self.bias.toggled.connect(self._toggle_bias)
        self.formula = QLabel()
        self.formula.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["output", "y", "softmax(y/T)", "arg-max"])
        self.table.verticalHeader().setVisible(False)
        self.table.setToolTip("Each output's value y, its softmax probability at temperature T, and the arg-max")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        row = QHBoxLayout()
        row.addWidget(QLabel("observation"))
        row.addWidget(self.observation)
        row.addStretch(1)
        t_row = QHBoxLayout()
        t_row.addWidget(QLabel("T"))
        t_row.addWidget(self.temperature, 1)
        t_row.addWidget(self.t_label)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(t_row)
        layout.addWidget(self.formula)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.bias)
        self._snapshot = None
        self._old_bias: np.ndarray | None = None
        self.bias.setEnabled(False)
        self._redraw()

    @property
    def t(self) -> float:
        return 10 ** (self.temperature.value() / 20)

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        if self.due():  # a hidden tab is drawn when it is shown
            self.draw()

    def _show_controls(self) -> None:
        """The observation box and the bias toggle in step with the snapshot (set only when changed: a
        spin box's new range asks the layouts up to the main window for room again)."""
        s = self._snapshot
        if s is None:
            return
        self.observation.blockSignals(True)
        if self.observation.maximum() != max(1, s.n_observations):
            self.observation.setRange(1, max(1, s.n_observations))
        if s.trace is not None and self.observation.value() != s.trace.observation + 1:
            self.observation.setValue(s.trace.observation + 1)
        self.observation.blockSignals(False)
        self.bias.setEnabled(s.sizes[-1] == len(EXAMPLE_BIAS))

    def draw(self) -> None:
        """The controls and the readout of the latest snapshot."""
        self._show_controls()
        self._redraw()

    def _toggle_bias(self, on: bool) -> None:
        s = self._snapshot
        if s is None:  # (the toggle is enabled only by a snapshot with four outputs)
            return
        if on:
            self._old_bias = np.array(s.biases[-1], dtype=np.float64)
            values = EXAMPLE_BIAS
        else:
            values = tuple(self._old_bias) if self._old_bias is not None else (0.0,) * len(EXAMPLE_BIAS)
        for row, value in enumerate(values):
            self.biasEditRequested.emit(len(s.biases) - 1, "bias", row, 0, float(value))

    def _redraw(self) -> None:
        t = self.t
        self.t_label.setText(f"{t:.3g}")
        self.formula.setText(f"softmax(y/T)ᵢ = e^(yᵢ/T) / Σⱼ e^(yⱼ/T), T = {t:.3g}; as T → 0 it becomes the "
                             "arg-max (1 for the largest output, 0 elsewhere)")
        tr = self._snapshot.trace if self._snapshot is not None else None
        if tr is None:
            self.table.setRowCount(0)
            return
        y, labels = np.asarray(tr.post[-1], dtype=np.float64), self._snapshot.feature_labels
        p = softmax(y, t)
        hard = argmax_onehot(y)
        order = np.argsort(-p, kind="stable")[:MAX_ROWS] if len(p) > MAX_ROWS else np.arange(len(p))
        self.table.setRowCount(len(order))
        for r, i in enumerate(order.tolist()):
            label = labels[i] if i < len(labels) else f"output {i + 1}"
            cells = (label, f"{y[i]:.4g}", f"{p[i]:.4f}", f"{hard[i]:.0f}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def softmax_shown(self) -> np.ndarray:
        """The softmax column as shown (tests read it back)."""
        return np.array([float(self.table.item(r, 2).text()) for r in range(self.table.rowCount())])


def temperature_position(t: float) -> int:
    """The slider position of temperature ``t``."""
    return int(round(20 * math.log10(t)))
