"""Training panel: play/pause (dominant), step one observation / batch / epoch, stop, reset, a speed
control from slow motion to full speed, and a progress line (phase, epoch, step, elapsed, ETA).

It only shows state and emits requests; the :class:`QAction` objects live here so the main window can put
the same actions in its menus and shortcuts (Space, →).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QSlider, QToolButton, QVBoxLayout, QWidget)

from .live_label import LiveLabel

#: slider position → seconds between observations; the last position is full speed (no delay)
SPEEDS = (2.0, 1.0, 0.5, 0.25, 0.1, 0.03, 0.01, 0.005, 0.0)


def speed_text(delay: float, n_observations: int = 0) -> str:
    """What a speed means: observations (online: updates) a second, and epochs a second over
    ``n_observations`` a epoch (when known)."""
    if delay == 0:
        return "full speed"
    per_s = 1 / delay
    epochs = f" ≈ {per_s / n_observations:.2g} epochs/s" if n_observations else ""
    return f"{per_s:g} observations/s{epochs}"


class TrainingPanel(QWidget):
    playToggled = Signal(bool)       # True: play, False: pause
    stepRequested = Signal(str)      # "observation", "batch", "epoch"
    stopRequested = Signal()
    resetRequested = Signal()
    speedChanged = Signal(float)     # seconds between observations (0 = full speed)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.play_action = QAction("Play", self)
        self.play_action.setCheckable(True)
        self.play_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.play_action.setToolTip("Train continuously (Space); press again to pause")
        self.step_obs_action = QAction("Step observation", self)
        self.step_obs_action.setShortcut(QKeySequence(Qt.Key.Key_Right))
        self.step_obs_action.setToolTip("Feed one observation: steps 2–6 (→); the update comes when its batch completes")
        self.step_batch_action = QAction("Step batch", self)
        self.step_batch_action.setShortcut(QKeySequence("Shift+Right"))
        self.step_batch_action.setToolTip("Finish the current batch: one weight update (Shift+→)")
        self.step_epoch_action = QAction("Step epoch", self)
        self.step_epoch_action.setShortcut(QKeySequence("Ctrl+Right"))
        self.step_epoch_action.setToolTip("Finish the current epoch (Ctrl+→)")
        self.stop_action = QAction("Stop", self)
        self.stop_action.setToolTip("Stop training (the weights stay as they are)")
        self.reset_action = QAction("Reset", self)
        self.reset_action.setShortcut(QKeySequence("Ctrl+R"))
        self.reset_action.setToolTip("Build a fresh network with new random weights (Ctrl+R)")
        self.actions_all = (self.play_action, self.step_obs_action, self.step_batch_action, self.step_epoch_action,
                            self.stop_action, self.reset_action)

        self.play_action.toggled.connect(self._on_play)
        self.step_obs_action.triggered.connect(lambda: self.stepRequested.emit("observation"))
        self.step_batch_action.triggered.connect(lambda: self.stepRequested.emit("batch"))
        self.step_epoch_action.triggered.connect(lambda: self.stepRequested.emit("epoch"))
        self.stop_action.triggered.connect(self.stopRequested)
        self.reset_action.triggered.connect(self.resetRequested)

        self.play_button = QToolButton()
        self.play_button.setDefaultAction(self.play_action)
        self.play_button.setMinimumSize(96, 40)
        font = self.play_button.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.play_button.setFont(font)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        for action in self.actions_all[1:]:
            b = QToolButton()
            b.setDefaultAction(action)
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(len(SPEEDS) - 1)
        self.speed.setToolTip("From slow motion (one observation every 2 s, each step shown) to full speed")
        self._n_observations = 0
        self.speed_label = QLabel(speed_text(0.0))
        self.speed.valueChanged.connect(self._on_speed)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("speed"))
        speed_row.addWidget(self.speed, 1)
        speed_row.addWidget(self.speed_label)

        self.progress = QProgressBar()
        self.progress.setToolTip("Progress through all epochs of all phases")
        self.status = LiveLabel("preparing the engine…", lines=4, wrap=True)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(speed_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.set_enabled(False)

    def _on_play(self, on: bool) -> None:
        self.play_action.setText("Pause" if on else "Play")
        self.playToggled.emit(on)

    def _on_speed(self, index: int) -> None:
        delay = SPEEDS[index]
        self.speed_label.setText(speed_text(delay, self._n_observations))
        self.speedChanged.emit(delay)

    def set_delay(self, delay: float) -> None:
        """Move the speed control to the speed closest to ``delay`` seconds between observations."""
        self.speed.setValue(min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - delay)))

    @property
    def delay(self) -> float:
        return SPEEDS[self.speed.value()]

    def set_enabled(self, on: bool) -> None:
        for action in self.actions_all:
            action.setEnabled(on)

    def set_running(self, running: bool) -> None:
        """Reflect the trainer's state without re-emitting ``playToggled``."""
        self.play_action.blockSignals(True)
        self.play_action.setChecked(running)
        self.play_action.setText("Pause" if running else "Play")
        self.play_action.blockSignals(False)

    def show_snapshot(self, s) -> None:
        """Progress over all phases: epochs done / epochs planned, and the time left at this pace."""
        total = sum(p.epochs for p in s.phases) or 1
        done = sum(p.epochs for p in s.phases[:s.phase.index]) + s.epoch + s.position / max(1, s.n_observations)
        if s.n_observations != self._n_observations:
            self._n_observations = s.n_observations
            self.speed_label.setText(speed_text(self.delay, s.n_observations))
        percent = min(100, int(100 * done / total))   # the last epoch's cursor stays at its end
        if percent != self.progress.value():  # a progress bar repaints on every set
            self.progress.setValue(percent)
        eta = ""
        if 0 < done < total and s.elapsed_s > 0:
            eta = f" · ETA {s.elapsed_s * (total - done) / done:.0f} s"
        self.status.setText(f"{s.phase.title}\nepoch {s.epoch}/{s.phase.epochs} · observation {s.position}/"
                            f"{s.n_observations} · update {s.step} · {s.elapsed_s:.1f} s{eta}\n{s.message}")
