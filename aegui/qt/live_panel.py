"""The plumbing every panel that draws the trainer's state shares, written once.

Qt 6 keeps a dock behind another tab "visible" (``isVisible()`` is true) and moves it out of the window
instead of hiding it, so it gets no show event when its tab is chosen either (:func:`on_screen`). A
:class:`LivePanel` therefore draws only while it can be seen: new state that arrives while it cannot
makes it *stale*, and :meth:`LivePanel.revealed` draws the latest when it comes into view (the main
window calls it when a dock's tab is chosen or presenter mode shows the panel; ``showEvent`` for a panel
on its own). While training runs, a panel with a :attr:`LivePanel.max_rate` draws at most that many
times a second: the last state is drawn when training pauses.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QWidget

#: draws a second, while training runs, of the panels whose drawing is expensive (axes, heat maps)
EXPENSIVE_RATE = 4


def on_screen(widget: QWidget) -> bool:
    """Shown, and some of it inside the window (not in a dock behind another tab)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class LivePanel(QWidget):
    """A panel that draws the latest state with :meth:`draw` when :meth:`due` says so (subclasses
    implement :meth:`draw`, and call :meth:`due` as new state arrives)."""

    #: draws a second while training runs (``None``: every time new state arrives)
    max_rate: float | None = None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        #: new state arrived while the panel could not be seen: it is drawn when it can
        self.stale = False
        self._drawn_at = 0.0

    def draw(self) -> None:
        """Draw the latest state."""
        raise NotImplementedError

    def due(self, running: bool = False) -> bool:
        """Whether to draw new state now: not while off screen (the panel is then stale), and while
        training runs (``running``) not more often than :attr:`max_rate`."""
        if not on_screen(self):
            self.stale = True
            return False
        now = time.monotonic()
        if running and self.max_rate and now - self._drawn_at < 1 / self.max_rate:
            return False
        self._drawn_at = now
        self.stale = False
        return True

    def revealed(self) -> None:
        """Brought into view: draw what came while out of it."""
        if self.stale:
            self.stale = False
            self.draw()

    def showEvent(self, event) -> None:
        self.revealed()
        super().showEvent(event)
