"""The frame pump: draws each snapshot from the trainer in the network view and the panels, spread over
turns of the event loop while training so that input and timers run between the parts."""

from __future__ import annotations

import gc
from typing import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer

from ..core.engine.protocol import State
from .worker import FRAME_RATE

#: after this many frames drawn while training, the objects alive so far (Qt wrappers, modules, caches)
#: leave the garbage collector's care (``gc.freeze``): a full collection over them took 50–80 ms, a stall
#: the window showed twice every few seconds; afterwards only the few objects made per frame are tracked
GC_FREEZE_AFTER_FRAMES = 10
#: while training at full speed the panels draw a frame this long after the network view: each part and
#: its repaint take under one 60 Hz frame, where all of them at once blocked the event loop for 20–45 ms
PANELS_AFTER_MS = 1000 // (2 * FRAME_RATE)
#: … and the network view repaints this long after its update: timers that fell due meanwhile run
#: first (the update and the repaint together held the event loop for 10–20 ms)
PAINT_AFTER_MS = 4


class FramePump(QObject):
    """Draws snapshots in ``view`` (the network view), then in ``panels`` (each has ``show_snapshot``),
    then calls ``after(snapshot)``; while training, only the latest snapshot reaches the panels."""

    def __init__(self, view, panels: Sequence, after: Callable, parent: QObject | None = None):
        super().__init__(parent)
        self.view, self.panels, self.after = view, list(panels), after
        self._frames_to_freeze = GC_FREEZE_AFTER_FRAMES
        self._pending = None                  # the snapshot the panels draw next (while training)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PANELS_AFTER_MS)
        self._timer.timeout.connect(self._show_panels)

    def show(self, snapshot) -> None:
        """Draw ``snapshot``: while training in three turns of the event loop, so that it runs between
        them: the network view's update now, its repaint :data:`PAINT_AFTER_MS` later, the panels (and
        their repaints) :data:`PANELS_AFTER_MS` later; otherwise all at once."""
        running = snapshot.state == State.RUNNING
        if self._frames_to_freeze and running:
            self._frames_to_freeze -= 1
            if not self._frames_to_freeze:
                gc.collect()
                gc.freeze()
        if running:  # its repaint in a later turn of the event loop (not a 0 ms timer: a posted event, run first)
            self.view.hold_paint()
            QTimer.singleShot(PAINT_AFTER_MS, self.view, self.view.paint_now)  # not after it is gone
        self.view.show_snapshot(snapshot)
        self._pending = snapshot
        if not running:
            self._timer.stop()
            self._show_panels()
        elif not self._timer.isActive():
            self._timer.start()

    def _show_panels(self) -> None:
        snapshot, self._pending = self._pending, None
        if snapshot is None:
            return
        for panel in self.panels:
            panel.show_snapshot(snapshot)
        self.after(snapshot)
