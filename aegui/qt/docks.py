"""The main window's dockable panels: made, arranged (data on the left; training, its curves and the other
views tabbed on the right), and their layout saved in and restored from the window's QSettings."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QWidget

#: the first window size (the network view needs ~900 pixels between the docks)
DEFAULT_SIZE = (1720, 960)
#: docks holding forms: they scroll rather than force the window to grow on a small screen
SCROLLING_DOCKS = ("Model", "Compare")
#: the docks tabbed together below Training, in this order
RIGHT_TABS = ("Charts", "Readout", "User", "New user", "Hidden units", "Latent space", "Weights", "Compare")


def _scrolling(widget):
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


class Docks:
    """One dock per ``(name, panel)`` in ``panels`` (Data on the left, the rest on the right) in
    ``window``; :attr:`docks` maps the names to the docks. ``first`` is the tab raised at first."""

    def __init__(self, window: QMainWindow, panels: list[tuple[str, QWidget]], first: str):
        self.window, self.first = window, first
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}
        self._arranged = False
        for name, widget in panels:
            dock = QDockWidget(name, window)
            dock.setObjectName(f"dock-{name}")
            dock.setWidget(_scrolling(widget) if name in SCROLLING_DOCKS else widget)
            area = Qt.DockWidgetArea.LeftDockWidgetArea if name == "Data" else Qt.DockWidgetArea.RightDockWidgetArea
            window.addDockWidget(area, dock)
            self.docks[name] = dock
            self.panels[name] = widget

    def on_revealed(self, shown: Callable[[QWidget], None]) -> None:
        """Call ``shown(panel)`` when a dock's tab is brought forward: it draws, and asks for what it draws."""
        for name, dock in self.docks.items():
            dock.visibilityChanged.connect(lambda visible, panel=self.panels[name]: visible and shown(panel))

    def arrange_once(self) -> None:
        """The default arrangement, then the saved layout over it; the first time only. Done when the
        window is first shown: Qt 6.11 leaves a stray copy of a tab bar drawn over the docks when they
        are tabified before."""
        if self._arranged:
            return
        self._arranged = True
        w, docks = self.window, self.docks
        # the story reads left to right: data → network → training and its error curves
        w.splitDockWidget(docks["Training"], docks["Charts"], Qt.Orientation.Vertical)
        w.tabifyDockWidget(docks["Training"], docks["Model"])
        w.tabifyDockWidget(docks["Training"], docks["Steps"])
        for before, name in zip(RIGHT_TABS, RIGHT_TABS[1:]):
            w.tabifyDockWidget(docks[before], docks[name])
        docks["Training"].raise_()
        docks[self.first].raise_()
        self._restore_layout()

    def default_size(self) -> QSize:
        """:data:`DEFAULT_SIZE`, within 95 % of the screen's free area on a real screen."""
        size = QSize(*DEFAULT_SIZE)
        screen = self.window.screen()
        if screen is not None and screen.availableGeometry().width() >= 1024:
            free = screen.availableGeometry().size() * 0.95
            size = size.boundedTo(free)
        return size

    def _restore_layout(self) -> None:
        """The saved layout, or the default proportions: the network view gets the most room."""
        w = self.window
        geometry = w.settings.value("geometry")
        state = w.settings.value("window_state")
        w.layout().activate()  # the minimum size of the docks as now arranged, not before
        if not isinstance(geometry, QByteArray) or not w.restoreGeometry(geometry):
            w.resize(self.default_size())
        if isinstance(state, QByteArray) and w.restoreState(state):
            return
        w.resizeDocks([self.docks["Data"], self.docks["Training"]], [360, 440], Qt.Orientation.Horizontal)
        w.resizeDocks([self.docks["Training"], self.docks["Charts"]], [220, 680], Qt.Orientation.Vertical)

    def save_layout(self) -> None:
        self.window.settings.setValue("geometry", self.window.saveGeometry())
        self.window.settings.setValue("window_state", self.window.saveState())
