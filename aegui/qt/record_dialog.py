"""File ▸ Record…: where to save (the extension picks GIF, animated PNG or MP4), what to record (the
network view or the whole window), the largest frame size and the frames a second. The choices are
checked here (:mod:`aegui.core.animation`), so that a recording that starts can also be saved."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget)

from ..core.animation import MAX_FPS, MP4_HINT, AnimationError, check_format, check_fps, check_target, mp4_available

#: the size choices after "as on screen": a recording is scaled down to fit in them, its shape kept
SIZE_LIMITS = ((1920, 1080), (1280, 720), (960, 540), (640, 360))
FILTERS = "Animated GIF (*.gif);;Animated PNG (*.png);;MP4 video (*.mp4)"
DEFAULT_FPS = 15.0


@dataclass(frozen=True)
class RecordingChoice:
    """What File ▸ Record… asked for: ``view`` is "network" or "window"; ``limit`` the largest
    (width, height), ``None`` for the size on screen."""

    path: str
    view: str
    fps: float
    limit: tuple[int, int] | None


class RecordDialog(QDialog):
    """``RecordDialog(view_size, window_size, start_path)``; :meth:`choice` once accepted. **Record**
    stays disabled while the file, format or rate would fail, and the reason is shown."""

    def __init__(self, view_size: QSize, window_size: QSize, start_path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Record")
        self.setMinimumWidth(520)
        self.sizes = {"network": view_size, "window": window_size}
        self.path = QLineEdit(start_path)
        self.path.setToolTip(".gif (animated GIF), .png (animated PNG) or .mp4 (H.264)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.view = QComboBox()
        self.view.addItem("Network view", "network")
        self.view.addItem("Whole window", "window")
        self.size = QComboBox()
        self.size.setToolTip("Frames are what the window draws, scaled down (never up) to fit this size")
        self.fps = QDoubleSpinBox()
        self.fps.setRange(1.0, MAX_FPS)
        self.fps.setDecimals(0)
        self.fps.setValue(DEFAULT_FPS)
        self.fps.setSuffix(" frames/s")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c62828")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record_button = self.buttons.addButton("Record", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("File", path_row)
        form.addRow("Record", self.view)
        form.addRow("Size", self.size)
        form.addRow("Rate", self.fps)
        note = "GIF and animated PNG are held in memory until you stop (up to 1 GB); MP4 streams to disk."
        if not mp4_available():
            note += " " + MP4_HINT + "."
        hint = QLabel(note)
        hint.setWordWrap(True)
        form.addRow(hint)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.view.currentIndexChanged.connect(self._fill_sizes)
        self.path.textChanged.connect(self._check)
        self.fps.valueChanged.connect(self._check)
        self._fill_sizes()
        self._check()

    def _fill_sizes(self) -> None:
        on_screen = self.sizes[self.view.currentData()]
        self.size.clear()
        self.size.addItem(f"as on screen ({on_screen.width()}×{on_screen.height()})", None)
        for w, h in SIZE_LIMITS:
            if w < on_screen.width() or h < on_screen.height():
                self.size.addItem(f"fit in {w}×{h}", (w, h))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Record to", self.path.text(), FILTERS)
        if path:
            self.path.setText(path)

    def problem_text(self) -> str:
        """Why the current choices cannot be recorded ("" when they can)."""
        path = self.path.text().strip()
        if not path:
            return "Choose a file."
        try:
            check_format(path)
            check_fps(self.fps.value())
            check_target(os.path.expanduser(path))
        except AnimationError as exc:
            return str(exc)
        return ""

    def _check(self) -> None:
        text = self.problem_text()
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self.record_button.setEnabled(not text)
        self.adjustSize()  # the wrapped message gets its lines

    def choice(self) -> RecordingChoice:
        return RecordingChoice(str(Path(os.path.expanduser(self.path.text().strip()))), self.view.currentData(),
                               self.fps.value(), self.size.currentData())
