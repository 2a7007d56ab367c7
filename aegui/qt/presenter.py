"""Presenter mode (View ▸ Presenter mode, F11, ``aegui --presenter``): a full-screen window for a
projector, run from the keyboard.

The main window stays as it is, behind; a second, full-screen window (:attr:`PresenterMode.screen`)
borrows one big view at a time: the network (1), the error charts (2) or the selected user's
recommendations (3). Texts, nodes and edges are scaled by a zoom (Ctrl+= / Ctrl+- / Ctrl+0, kept in the
settings under :data:`ZOOM_KEY`), colours are :data:`~aegui.qt.palette.HIGH_CONTRAST` on
:func:`~aegui.qt.palette.high_contrast_palette`'s black, and a bar at the top holds large Play and Step
buttons. Space plays or pauses and → steps one observation, as in the main window. Leaving (F11 or Esc)
gives the views back: the main window's layout (state, geometry, docks, fonts, palette) was never
touched, so it is exactly as it was; the colour scheme, the plots' looks and the network view's own
zoom are restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QBrush, QColor, QFont, QKeySequence, QPalette, QPen
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QSizePolicy, QStackedWidget, QToolBar, QToolButton,
                               QWidget)

from . import palette

#: the zoom is kept in the settings under this key
ZOOM_KEY = "presenter/zoom"
#: the zoom of a first presentation (and of Ctrl+0): texts and nodes 1.5 × their desktop size
ZOOM_DEFAULT = 1.5
#: the zoom's range, and its step for Ctrl+= and Ctrl+-
ZOOM_MIN, ZOOM_MAX, ZOOM_STEP = 1.0, 3.0, 0.25
#: the central views, in the order of their keys 1, 2, 3
VIEWS = ("network", "charts", "recommendations")
VIEW_TITLES = {"network": "Network", "charts": "Charts", "recommendations": "Recommendations"}
#: the presenter bar's buttons: this much larger than the (already zoomed) texts
BAR_FONT_RATIO = 1.1


def clamp_zoom(value) -> float:
    """A zoom from anywhere (the settings file is outside input) within ``[ZOOM_MIN, ZOOM_MAX]``,
    rounded to the step; :data:`ZOOM_DEFAULT` for anything that is not a finite number."""
    try:
        z = float(value)
    except (TypeError, ValueError):
        return ZOOM_DEFAULT
    if not ZOOM_MIN - 1 < z < ZOOM_MAX + 1:  # also NaN
        return ZOOM_DEFAULT
    return min(ZOOM_MAX, max(ZOOM_MIN, round(z / ZOOM_STEP) * ZOOM_STEP))


@dataclass
class _PlotLook:
    """What presenter mode changes in one pyqtgraph plot, as it was."""

    plot: pg.PlotWidget
    background: QBrush
    axes: list = field(default_factory=list)     # (axis, pen, text pen, tick font, label font)
    legend: tuple | None = None                  # (legend, text colour, text size)


@dataclass
class _Normal:
    """What presenter mode changes outside its own window, as it was."""

    scheme: palette.Scheme
    state: QByteArray                 # the main window's docks and bars (saveState)
    network_scale: float
    network_fit: bool
    network_range: list
    focus: QWidget | None
    plots: list[_PlotLook] = field(default_factory=list)


class _StandIn(QWidget):
    """An empty widget the size of ``widget``, with its size hints and policy: the main window's
    docks keep their sizes while the network view is away."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self._hint, self._minimum = widget.sizeHint(), widget.minimumSizeHint()
        self.setSizePolicy(widget.sizePolicy())
        self.setMinimumSize(widget.minimumSize())
        self.setMaximumSize(widget.maximumSize())
        self.resize(widget.size())

    def sizeHint(self):
        return self._hint

    def minimumSizeHint(self):
        return self._minimum


class PresenterScreen(QMainWindow):
    """The full-screen window of presenter mode: the presenter bar on top, the borrowed view below;
    closing it (the window manager's close) leaves presenter mode."""

    closed = Signal()

    def closeEvent(self, event) -> None:
        self.closed.emit()
        super().closeEvent(event)


class PresenterMode(QObject):
    """Presenter mode of ``window`` (a :class:`~aegui.qt.main_window.MainWindow`): :attr:`action` (F11,
    checkable) enters and leaves it; :meth:`enter`, :meth:`leave`, :meth:`show_view` and
    :meth:`set_zoom` do it from code. ``toggled(bool)`` when it starts or ends, ``viewChanged(str)``
    when another view fills the screen."""

    toggled = Signal(bool)
    viewChanged = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._normal: _Normal | None = None
        self.screen: PresenterScreen | None = None
        self.stack: QStackedWidget | None = None
        self.toolbar: QToolBar | None = None
        self.view = VIEWS[0]

        def action(text, shortcuts, tip, slot, checkable=False):
            a = QAction(text, window)
            keys = list({QKeySequence(s).toString(): QKeySequence(s) for s in shortcuts}.values())
            a.setShortcuts(keys)  # each once: a key bound twice to one action triggers nothing
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.setCheckable(checkable)
            (a.toggled if checkable else a.triggered).connect(slot)
            window.addAction(a)  # the keys work with the menu bar hidden too
            return a

        self.action = action("&Presenter mode", ["F11"], "Full screen for a projector, run from the keyboard: "
                             "Space play/pause, → step, 1/2/3 network/charts/recommendations, Ctrl+= / Ctrl+- "
                             "zoom, F11 or Esc to leave", self._toggled, checkable=True)
        self.leave_action = action("Leave presenter mode", ["Esc"], "Leave presenter mode (Esc or F11)", self.leave)
        self.zoom_in_action = action("Zoom in", ["Ctrl+=", QKeySequence.StandardKey.ZoomIn, "Ctrl+Shift+="],
                                     "Larger texts and nodes (Ctrl+=)", lambda: self.set_zoom(self.zoom + ZOOM_STEP))
        self.zoom_out_action = action("Zoom out", ["Ctrl+-", QKeySequence.StandardKey.ZoomOut],
                                      "Smaller texts and nodes (Ctrl+-)", lambda: self.set_zoom(self.zoom - ZOOM_STEP))
        self.zoom_reset_action = action("Default zoom", ["Ctrl+0"], f"Texts and nodes {ZOOM_DEFAULT:g} × (Ctrl+0)",
                                        lambda: self.set_zoom(ZOOM_DEFAULT))
        self.zoom_in_action.setIconText("A+")  # the bar's buttons show the icon text
        self.zoom_out_action.setIconText("A−")
        self.leave_action.setIconText("Leave (Esc)")
        # the bar's Step: the Training panel's action under a shorter name (its own key stays →)
        step = window.training_panel.step_obs_action
        self.step_action = QAction("Step →", self)
        self.step_action.setToolTip("Step one observation (→)")
        self.step_action.triggered.connect(step.trigger)
        self.step_action.setEnabled(step.isEnabled())
        step.changed.connect(lambda: self.step_action.setEnabled(step.isEnabled()))
        self.view_group = QActionGroup(self)
        self.view_actions: dict[str, QAction] = {}
        for key, name in enumerate(VIEWS, start=1):
            a = action(f"&{key} {VIEW_TITLES[name]}", [str(key)], f"Show the {name} full screen ({key})",
                       lambda _=False, name=name: self.show_view(name))
            a.setCheckable(True)
            self.view_group.addAction(a)
            self.view_actions[name] = a
        self.view_actions[self.view].setChecked(True)
        self._while_presenting = (self.leave_action, self.zoom_in_action, self.zoom_out_action,
                                  self.zoom_reset_action, *self.view_actions.values())
        self._enable(False)

    # ------------------------------------------------------------------ state
    @property
    def presenting(self) -> bool:
        return self._normal is not None

    @property
    def zoom(self) -> float:
        """Texts, nodes and edges this many times their desktop size (kept in the settings)."""
        return clamp_zoom(self.window.settings.value(ZOOM_KEY, ZOOM_DEFAULT))

    def set_zoom(self, zoom: float) -> None:
        """Keep ``zoom`` (clamped to the range) in the settings; applied at once while presenting."""
        zoom = clamp_zoom(zoom)
        self.window.settings.setValue(ZOOM_KEY, zoom)
        if self.presenting:
            self._apply_zoom()

    def _enable(self, on: bool) -> None:
        for a in self._while_presenting:
            a.setEnabled(on)

    def _toggled(self, on: bool) -> None:
        if on != self.presenting:
            self.enter() if on else self.leave()

    # ------------------------------------------------------------------ in and out
    def enter(self) -> None:
        """The presenter's window, full screen: the high-contrast colours, the zoom, the presenter bar,
        the last view chosen."""
        if self.presenting:
            return
        w = self.window
        view = w.network_view
        self._normal = _Normal(scheme=palette.scheme(), state=w.saveState(), network_scale=view.drawing.scale,
                               network_fit=view.drawing.auto_fit, network_range=view.vb.viewRange(),
                               focus=QApplication.focusWidget())
        self._normal.plots = [_look_of(plot) for plot in self._plots()]
        palette.use(palette.HIGH_CONTRAST)
        screen = self.screen = PresenterScreen(w)  # a window of its own, deleted with the main window
        screen.setObjectName("presenter-screen")
        screen.setWindowTitle(f"{w.windowTitle().replace('[*]', '')} — presenter mode")
        screen.setWindowIcon(w.windowIcon())
        screen.setPalette(palette.high_contrast_palette())
        screen.closed.connect(self.leave)
        for a in (*w.training_panel.actions_all, self.action, *self._while_presenting):
            screen.addAction(a)  # the keys work in the presenter's window
        self._base_font = QFont(w.font())
        self._lend_views()
        self._add_toolbar()
        view.drawing.auto_fit = True
        self._apply_zoom()
        self._enable(True)
        self._set_checked(True)
        if w.screen() is not None:
            screen.setGeometry(w.screen().geometry())  # on the main window's screen
        screen.showFullScreen()
        screen.activateWindow()
        self.show_view(self.view)
        self.toggled.emit(True)

    def leave(self) -> None:
        """The views back in the main window, which is as it was; the presenter's window closed."""
        if not self.presenting:
            return
        w, normal, screen = self.window, self._normal, self.screen
        self._normal = None  # first: closing the screen below calls leave() again
        view = w.network_view
        palette.use(normal.scheme)
        self._return_views()
        # a new central widget makes the main window fit its docks again: their sizes as they were
        w.restoreState(normal.state)
        for look in normal.plots:
            _restore_look(look)
        view.set_scale(normal.network_scale)
        view.drawing.auto_fit = normal.network_fit
        if normal.network_fit:
            view.fit()
        else:
            (x0, x1), (y0, y1) = normal.network_range
            view.vb.setRange(QRectF(x0, y0, x1 - x0, y1 - y0), padding=0)
        self.toolbar = None
        self.screen = None
        screen.closed.disconnect(self.leave)
        screen.close()
        screen.deleteLater()
        self._enable(False)
        self._set_checked(False)
        w.activateWindow()
        if normal.focus is not None and normal.focus.window() is w:
            normal.focus.setFocus()
        self.toggled.emit(False)

    def _set_checked(self, on: bool) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(on)
        self.action.blockSignals(False)

    # ------------------------------------------------------------------ the central views
    def _panels(self) -> dict[str, QWidget]:
        w = self.window
        return {"network": w.network_view, "charts": w.charts_panel, "recommendations": w.user_panel}

    def _lend_views(self) -> None:
        """The network view, the charts and the user panel into one stack in the presenter's window; a
        blank stands in for the network view in the main window (its docks keep their sizes)."""
        w = self.window
        self.stack = QStackedWidget()
        self.stack.setObjectName("presenter-views")
        self.stack.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        w.takeCentralWidget()
        self._blank = _StandIn(w.network_view)
        w.setCentralWidget(self._blank)
        for panel in self._panels().values():
            self.stack.addWidget(panel)  # out of its dock for now
        self.screen.setCentralWidget(self.stack)

    def _return_views(self) -> None:
        w = self.window
        panels = self._panels()
        for panel in panels.values():
            self.stack.removeWidget(panel)
        w.setCentralWidget(panels["network"])  # deletes the blank
        w.docks["Charts"].setWidget(panels["charts"])
        w.docks["User"].setWidget(panels["recommendations"])
        for panel in panels.values():
            panel.show()  # the stack hid those behind the current one
        self.stack = None
        self._blank = None

    def show_view(self, name: str) -> None:
        """Fill the screen with ``name`` (one of :data:`VIEWS`); remembered for the next presentation."""
        if name not in VIEWS:
            raise ValueError(f"no view {name!r}; choose one of {', '.join(VIEWS)}")
        self.view = name
        self.view_actions[name].setChecked(True)
        if self.stack is None:
            return
        panel = self._panels()[name]
        self.stack.setCurrentWidget(panel)
        self.stack.setFocus()
        self.window.panel_shown(panel)
        self.viewChanged.emit(name)

    # ------------------------------------------------------------------ zoom
    def _plots(self) -> list:
        return [p for panel in (self.window.charts_panel, self.window.user_panel)
                for p in panel.findChildren(pg.PlotWidget)]

    def _apply_zoom(self) -> None:
        """The window's font, the network's nodes and edges, the plots' texts and the bar at the zoom."""
        zoom, w, screen = self.zoom, self.window, self.screen
        font = _scaled(self._base_font, zoom)
        screen.setFont(font)
        w.network_view.set_scale(zoom)
        text, base = screen.palette().color(QPalette.ColorRole.Text), screen.palette().color(QPalette.ColorRole.Base)
        for plot in self._plots():
            _present_look(plot, font, text, base)
        if self.toolbar is not None:
            self.toolbar.setFont(_scaled(font, BAR_FONT_RATIO, bold=True))
            self.zoom_label.setText(f"{round(100 * zoom)} %")

    # ------------------------------------------------------------------ the presenter bar
    def _add_toolbar(self) -> None:
        tp = self.window.training_panel
        bar = QToolBar("Presenter", self.screen)
        bar.setObjectName("toolbar-presenter")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        def button(a: QAction, tip: str | None = None, width: int = 56) -> QToolButton:
            b = QToolButton()
            b.setDefaultAction(a)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and → stay the window's
            b.setMinimumSize(width, 48)
            b.setToolTip(tip or a.toolTip())
            bar.addWidget(b)
            return b

        self.play_button = button(tp.play_action, "Play / pause (Space)", 140)
        self.step_button = button(self.step_action, width=120)
        bar.addSeparator()
        for a in self.view_actions.values():
            button(a)
        bar.addSeparator()
        button(self.zoom_out_action)
        self.zoom_label = QLabel()
        self.zoom_label.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.zoom_label)
        button(self.zoom_in_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        button(self.leave_action)
        self.screen.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

# ---------------------------------------------------------------------- helpers
def _scaled(font: QFont, ratio: float, bold: bool = False) -> QFont:
    f = QFont(font)
    if font.pointSizeF() > 0:
        f.setPointSizeF(font.pointSizeF() * ratio)
    else:
        f.setPixelSize(max(1, round(font.pixelSize() * ratio)))
    if bold:
        f.setBold(True)
    return f


def _look_of(plot: pg.PlotWidget) -> _PlotLook:
    item = plot.getPlotItem()
    look = _PlotLook(plot, QBrush(plot.backgroundBrush()))
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        look.axes.append((axis, QPen(axis.pen()), QPen(axis.textPen()), axis.style.get("tickFont"),
                          QFont(axis.label.font())))
    legend = item.legend
    if legend is not None:
        look.legend = (legend, legend.opts.get("labelTextColor"), legend.opts.get("labelTextSize"))
    return look


def _present_look(plot: pg.PlotWidget, font: QFont, text: QColor, base: QColor) -> None:
    """``plot`` on the window's background, its axes and legend in its text colour and ``font``."""
    plot.setBackground(base)
    item = plot.getPlotItem()
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))
        axis.setTickFont(font)
        axis.label.setFont(font)
    if item.legend is not None:
        _legend_text(item.legend, text, f"{font.pointSizeF():.0f}pt" if font.pointSizeF() > 0
                     else f"{font.pixelSize()}px")


def _restore_look(look: _PlotLook) -> None:
    for axis, pen, text_pen, tick_font, label_font in look.axes:
        axis.setPen(pen)
        axis.setTextPen(text_pen)
        axis.setTickFont(tick_font)
        axis.label.setFont(label_font)
    if look.legend is not None:
        _legend_text(*look.legend)
    look.plot.setBackgroundBrush(look.background)


def _legend_text(legend, color, size) -> None:
    """Every label of ``legend`` in ``color`` and ``size`` (CSS; ``None``: pyqtgraph's default)."""
    legend.opts["labelTextColor"], legend.opts["labelTextSize"] = color, size
    for _, label in legend.items:
        label.opts["color"] = color
        if size is None:
            label.opts.pop("size", None)
        else:
            label.opts["size"] = size
        label.setText(label.text)
    legend.layout.invalidate()
    legend.updateSize()
