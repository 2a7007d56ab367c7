"""Whether a panel can be seen.

Qt 6 keeps a dock that sits behind another tab "visible" (``isVisible()`` is true) and moves it out of
the window instead of hiding it, so it gets no show event when its tab is chosen either. A panel skips
its drawing while :func:`on_screen` is false; the main window calls its ``revealed()`` when its dock
comes into view (``QDockWidget.visibilityChanged``), and ``showEvent`` does for a panel on its own.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    """Shown, and some of it inside the window (not in a dock behind another tab)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
