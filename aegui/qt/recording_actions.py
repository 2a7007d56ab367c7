"""File ▸ Record… for a :class:`~aegui.qt.main_window.MainWindow`: the dialog, the recording, and the red
indicator in the status bar that shows its time (a click stops and saves)."""

from __future__ import annotations

import os

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolButton

#: the recording indicator in the status bar: white on red
REC_STYLE = ("QToolButton { color: white; background: #d32f2f; border: none; border-radius: 4px; "
             "padding: 1px 8px; font-weight: bold; }")


class RecordingActions:
    """:attr:`action` (File ▸ Record…), :attr:`indicator`, :attr:`recorder` (the recording under way,
    or ``None``) and :attr:`dialog` (the last dialog shown) of ``window``."""

    def __init__(self, window):
        self.window = window
        self.recorder = None
        self.dialog = None
        self.action = QAction("&Record…", window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        tip = ("Record the network view or the whole window to an animated GIF, animated "
               "PNG or MP4 (again to stop and save)")
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(self.toggle)
        self.indicator = QToolButton()
        self.indicator.setObjectName("rec-indicator")
        self.indicator.setStyleSheet(REC_STYLE)
        self.indicator.setToolTip("Recording: click to stop and save")
        self.indicator.clicked.connect(self.stop)
        self.indicator.hide()
        window.statusBar().addPermanentWidget(self.indicator)

    def _message(self, text: str, ms: int = 0) -> None:
        self.window.statusBar().showMessage(text, ms)

    def toggle(self) -> None:
        """File ▸ Record…: the dialog, or, while recording, stop and save."""
        if self.recorder is not None:
            self.stop()
            return
        from .record_dialog import RecordDialog

        w = self.window
        start = str(w.settings.value("record_path", "", type=str)
                    or os.path.join(w.start_folder(), "aegui-recording.gif"))
        dpr = w.devicePixelRatioF()
        self.dialog = RecordDialog(w.network_view.size() * dpr, w.size() * dpr, start, w)
        self.dialog.accepted.connect(lambda: self.start(self.dialog.choice()))
        self.dialog.open()

    def start(self, choice) -> bool:
        """Record ``choice`` (a :class:`~aegui.qt.record_dialog.RecordingChoice`) until :meth:`stop`;
        the red indicator shows the time. ``False`` (and a message) when it cannot start."""
        from ..core.animation import AnimationError
        from .recorder import Recorder, fit_within

        w = self.window
        widget = w.network_view if choice.view == "network" else w
        size = fit_within(widget.size() * w.devicePixelRatioF(), choice.limit)
        try:
            self.recorder = Recorder(widget, choice.path, choice.fps, (size.width(), size.height()), w)
        except AnimationError as exc:
            w.report_error(f"Cannot record:\n{exc}")
            return False
        w.settings.setValue("record_path", choice.path)
        self.recorder.ticked.connect(self._show_time)
        self.recorder.limitReached.connect(lambda: self._message(
            "the recording reached its memory limit (1 GB of frames) and was saved", 15000))
        self.recorder.saved.connect(self._saved)
        self.recorder.failed.connect(self._failed)
        self.action.setText("Stop &recording")
        self._show_time(0.0)
        self.indicator.show()
        self.recorder.start()
        return True

    def stop(self) -> None:
        """Stop the recording and write its file (atomically)."""
        if self.recorder is None:
            return
        if self.recorder.recording:
            self._message(f"saving {self.recorder.writer.path}…")
            self.recorder.stop()  # saved or failed: _over
        else:
            self._over()

    def _over(self) -> None:
        if self.recorder is not None:
            self.recorder.deleteLater()
        self.recorder = None
        self.indicator.hide()
        self.action.setText("&Record…")

    def _show_time(self, seconds: float) -> None:
        text = f"● REC {int(seconds) // 60}:{int(seconds) % 60:02d}"
        if self.indicator.text() != text:
            self.indicator.setText(text)

    def _saved(self, path: str) -> None:
        self._over()
        self._message(f"recorded {path}", 10000)

    def _failed(self, text: str) -> None:
        self._over()
        self.window.report_error(f"The recording was not saved:\n{text}")
