"""Recording what the window draws: :class:`Recorder` grabs a widget (``QWidget.grab()``, the pixels
the window itself paints, never a second renderer) every 1/fps seconds into an
:class:`~aegui.core.animation.AnimationWriter`, which writes the GIF, APNG or MP4 atomically on
:meth:`Recorder.stop`."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from ..core.animation import AnimationError, AnimationWriter
from ..core.safe_write import WriteError


def fit_within(size: QSize, limit: tuple[int, int] | None) -> QSize:
    """``size`` scaled down (never up) to fit in ``limit`` = (width, height), keeping its shape."""
    if limit is None or (size.width() <= limit[0] and size.height() <= limit[1]):
        return QSize(size)
    return size.scaled(QSize(*limit), Qt.AspectRatioMode.KeepAspectRatio)


def grab_rgb(widget: QWidget, size: QSize | None = None) -> np.ndarray:
    """What ``widget`` draws now, as ``(H, W, 3) uint8`` RGB, scaled smoothly to ``size`` when given and
    different (in device pixels: a high-DPI screen gives the sharper frame)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    if size is not None and image.size() != size:
        image = image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8, count=h * stride).reshape(h, stride)
    return rows[:, :3 * w].reshape(h, w, 3).copy()


class Recorder(QObject):
    """``Recorder(widget, path, fps, size=None)``: :meth:`start` grabs ``widget`` every ``1/fps`` s,
    each frame at the first one's size (or ``size`` = (width, height) exactly); :meth:`stop` writes
    ``path`` and emits :attr:`saved`; :meth:`cancel` writes nothing. A GIF or APNG recording that
    reaches its memory limit stops and saves by itself (:attr:`limitReached` first).

    Raises :class:`~aegui.core.animation.AnimationError` at once for a bad path, format or fps."""

    #: seconds recorded so far, after each frame
    ticked = Signal(float)
    limitReached = Signal()
    #: the file written
    saved = Signal(str)
    #: why nothing was written
    failed = Signal(str)

    def __init__(self, widget: QWidget, path: str, fps: float, size: tuple[int, int] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.widget = widget
        self.writer = AnimationWriter(path, fps)
        self.size = QSize(*size) if size else None
        self._t0 = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(max(1, round(1000 / self.writer.fps)))
        self._timer.timeout.connect(self.grab)

    @property
    def recording(self) -> bool:
        return self._timer.isActive()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self._t0 if self.recording else 0.0

    def start(self) -> None:
        self._t0 = time.monotonic()
        self.grab()
        self._timer.start()

    def grab(self) -> None:
        """Take one frame now."""
        t = time.monotonic() - self._t0
        frame = grab_rgb(self.widget, self.size)
        if self.size is None:  # the first frame's size is the recording's
            self.size = QSize(frame.shape[1], frame.shape[0])
        if not self.writer.add(frame, t):
            self.limitReached.emit()
            self.stop()
            return
        self.ticked.emit(t)

    def stop(self) -> str | None:
        """Stop grabbing and write the file; its path, or ``None`` (and :attr:`failed`) when it could
        not be written."""
        self._timer.stop()
        try:
            path = str(self.writer.finish())
        except (AnimationError, WriteError) as exc:
            self.failed.emit(str(exc))
            return None
        self.saved.emit(path)
        return path

    def cancel(self) -> None:
        self._timer.stop()
        self.writer.abort()
