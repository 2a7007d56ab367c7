"""The timeline: a slider over the recorded points of training (the start and the ends of epochs, thinned
to a bounded number, see :mod:`aegui.core.engine.timeline`) with the present at its right end.

Moving the slider back shows the model as it was at that point in every view; "Train from here" goes
back to that point for good and trains on (a branch: the abandoned future stays in the charts, dashed);
"Present" returns to the newest weights.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSlider, QWidget

from .live_label import LiveLabel


class TimelineBar(QWidget):
    """``show_snapshot(snapshot)`` keeps it in step; emits ``viewRequested(index)`` (``-1``: the present)
    and ``branchRequested(index)``."""

    viewRequested = Signal(int)
    branchRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setPageStep(1)
        self.slider.setToolTip("Scrub back through training: every view shows the model as it was "
                               "(the right end is the present)")
        self.slider.valueChanged.connect(self._moved)
        self.label = LiveLabel("present")  # it changes at every epoch while training
        self.label.setFixedWidth(self.fontMetrics().horizontalAdvance("epoch 9999/9999 · update 99,999,999  (64 of 64 points)"))
        self.label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.branch_button = QPushButton("Train from here")
        self.branch_button.setToolTip("Go back to this point for good and train on from it (a new branch; "
                                      "the abandoned curves stay in the charts, dashed)")
        self.branch_button.clicked.connect(lambda: self.branchRequested.emit(self.slider.value()))
        self.present_button = QPushButton("Present")
        self.present_button.setToolTip("Show the newest weights again")
        self.present_button.clicked.connect(lambda: self.slider.setValue(self.slider.maximum()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(QLabel("History"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.branch_button)
        layout.addWidget(self.present_button)
        self.points: tuple = ()
        self._set_buttons(False)

    @property
    def present(self) -> int:
        """The slider position of the present (one past the last recorded point)."""
        return len(self.points)

    def show_snapshot(self, snapshot) -> None:
        self.points = snapshot.timeline
        self.slider.blockSignals(True)
        self.slider.setRange(0, self.present)
        if not self.slider.isSliderDown():
            self.slider.setValue(self.present if snapshot.viewing is None else snapshot.viewing)
        self.slider.blockSignals(False)
        self._describe(self.slider.value())

    def _describe(self, value: int) -> None:
        viewing = value < self.present
        if viewing:
            p = self.points[value]
            self.label.setText(f"{p.label} · update {p.step:,}  ({value + 1} of {self.present} points)")
        else:
            self.label.setText(f"present ({self.present} points recorded)")
        self._set_buttons(viewing)

    def _set_buttons(self, viewing: bool) -> None:
        self.branch_button.setEnabled(viewing)
        self.present_button.setEnabled(viewing)

    def _moved(self, value: int) -> None:
        self._describe(value)
        self.viewRequested.emit(value if value < self.present else -1)
