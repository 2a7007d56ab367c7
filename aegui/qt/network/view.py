"""The network view: the autoencoder drawn left to right from one :class:`Snapshot`.

Columns are the layers (input movies, hidden layers, the code in the middle, reconstructed movies); each
layer but the output has a square ``+1`` bias unit feeding the next one (:mod:`aegui.core.layout`).
Layers the current phase does not train are greyed. A single step or slow motion draws the seed's
steps 2–8 of the observation in turn (:mod:`aegui.core.steps`; the caption above names the step, the
Steps panel marks the same one); the edges whose weights changed most since the previous frame glow;
dormant hidden units (from an :class:`Insight`) get a dashed ring. Past
:data:`~aegui.core.layout.MAX_NODES` units a column shows its most informative ones and a clickable
"… N more"; the edge slider keeps the strongest edges, never more than
:data:`~aegui.core.layout.MAX_EDGES`. The items are :class:`~.drawing.NetworkDrawing`'s; this widget
wires them to the controls, the mouse and the step timer.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (QFileDialog, QGraphicsItem, QGraphicsView, QHBoxLayout, QInputDialog, QLabel, QMenu,
                               QPushButton, QSizePolicy, QSlider, QToolTip, QVBoxLayout, QWidget)

from ...core import steps
from ...core.engine.snapshot import Snapshot
from ...core.layout import MAX_EDGES, Frame, Hit, edge_values, edit_target
from .. import palette
from ..live_label import LiveLabel
from ..plot_export import export_view
from . import texts
from .drawing import NetworkDrawing
from .style import Style

_SLIDER_STEPS = 1000


class NetworkView(QWidget):
    """The central view: :meth:`show_snapshot` draws a :class:`Snapshot` (cheap enough for 30 fps).

    Hover shows a value, its pre-activation and gradients; a click selects a node (its edges
    highlighted); a double click, or the context menu, asks for a new weight or bias and emits
    :attr:`parameterEditRequested` — the view never changes the model itself.

    A snapshot one observation after the last (a single step, or slow motion slow enough for it, see
    :meth:`set_step_interval`) is drawn as the seed's steps in turn (:meth:`advance` moves on;
    :attr:`step_timer` spreads them over :data:`~aegui.core.steps.SINGLE_STEP_S` or the slow-motion
    interval): 2 the input lights up, 3–4 the layers left to right with the edges computing them, 5 the
    error on the outputs, 6 ``δ`` right to left with each layer's edges drawn by ``−∂L/∂w``, 7 the
    update, 8 the end of the epoch. Otherwise the whole pass is drawn at once. The edges whose weights
    changed most since the previous frame glow (a display-only difference of the two frames' weights).

    Public state for callers and tests: :attr:`frame` (what is drawn), :attr:`drawing` (its items),
    :attr:`plan` and :attr:`beat` (the steps walked), :attr:`selected`."""

    #: (layer 0-based into ``snapshot.weights``, "weight" or "bias", row, col (0 for a bias), value)
    parameterEditRequested = Signal(int, str, int, int, float)
    #: (column, unit) of the selected node; (−1, −1) when the selection is cleared
    nodeSelected = Signal(int, int)
    #: the seed's step drawn now (2–8); 0 when the whole pass is drawn at once
    stepChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.header = LiveLabel("no snapshot yet", rich=True)
        self.step_label = QLabel()
        self.step_label.setTextFormat(Qt.TextFormat.RichText)
        self.step_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.step_label.setWordWrap(True)
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.step_label.setFixedHeight(2 * self.fontMetrics().height() + 4)  # no jumps from step to step
        self.step_label.setToolTip("The seed's training step drawn now (the Steps panel marks the same one). "
                                   "Step observation (→) and slow motion walk steps 2–8 for the observation shown")
        self.graphics = pg.GraphicsView()
        self.graphics.setAntialiasing(True)
        self._update_mode = self.graphics.viewportUpdateMode()  # pyqtgraph's, restored after live frames
        self.vb = pg.ViewBox(enableMenu=False, invertY=True)
        self.vb.disableAutoRange()
        self.graphics.setCentralItem(self.vb)
        self.drawing = NetworkDrawing(self.vb, self._style())
        self.graphics.setBackground(self.drawing.style.base)

        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Show the whole network")
        self.fit_button.clicked.connect(self.fit)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the drawing as PNG or SVG")
        self.export_button.clicked.connect(self._export_clicked)
        self.edge_slider = QSlider(Qt.Orientation.Horizontal)
        self.edge_slider.setRange(0, _SLIDER_STEPS - 1)
        self.edge_slider.setMinimumWidth(70)
        self.edge_slider.setMaximumWidth(140)
        self.edge_slider.setToolTip("Show the edges whose |w| (relative to their layer's largest) is at or "
                                    f"above this quantile; never more than {MAX_EDGES:,}")
        self.edge_slider.valueChanged.connect(self._slider_moved)
        self.edge_label = QLabel()
        self.edge_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("0.00·max (5,000 of 9,999,999)"))
        self.legend = palette.ColorLegend("w ÷ layer max, h")
        self.legend.setToolTip("Colours: a weight divided by its layer's largest |w|, and an activation h")
        tools = QHBoxLayout()
        tools.setContentsMargins(4, 0, 4, 0)
        for widget in (self.fit_button, self.export_button):
            tools.addWidget(widget)
        tools.addSpacing(12)
        for widget in (QLabel("Edges |w| ≥"), self.edge_slider, self.edge_label):
            tools.addWidget(widget)
        tools.addStretch(1)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 4, 0)
        top.addWidget(self.header, 1)
        top.addSpacing(16)
        top.addWidget(self.legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.step_label)
        layout.addWidget(self.graphics, 1)
        layout.addLayout(tools)

        self._expanded: set[int] = set()
        self._quantile: float | None = None
        self._interval = 0.0                       # seconds between observations while training
        #: the steps of the observation shown (:func:`aegui.core.steps.plan`), and which is drawn
        self.plan = steps.Plan(again=False, base="none")
        self._beat = 0
        #: moves the drawing to the next step (:meth:`advance`) while one observation's steps are walked
        self.step_timer = QTimer(self)
        self.step_timer.timeout.connect(self.advance)
        self._step_shown = 0
        self._base: Snapshot | None = None         # the weights the glow measures the change from
        self.menu = QMenu(self)

        self.graphics.viewport().installEventFilter(self)
        self.graphics.scene().sigMouseClicked.connect(self._clicked)
        self.vb.sigRangeChangedManually.connect(self._range_changed_manually)
        self.vb.sigTransformChanged.connect(self._transform_changed)

    # ------------------------------------------------------------------ what is shown
    @property
    def frame(self) -> Frame | None:
        """What is drawn: the snapshot and its layout (``None`` before the first snapshot)."""
        return self.drawing.frame

    @property
    def selected(self) -> tuple[int, int] | None:
        """The selected node ``(column, unit)``, ``None`` when none."""
        return self.drawing.selected

    @property
    def model(self):
        """The :class:`ModelSpec` trained (it names the penalty and gives ρ)."""
        return self.drawing.model

    @property
    def insight(self):
        """The last :class:`Insight` (dormant units, mean activations)."""
        return self.drawing.insight

    @property
    def beat(self) -> steps.Beat | None:
        """The beat of the observation's steps drawn now; ``None`` when the whole pass is drawn at once."""
        return self.plan.beats[self._beat] if self.plan.beats else None

    @property
    def step(self) -> int:
        """The seed's step drawn now (2–8), 0 when the whole pass is drawn at once."""
        return self.beat.step if self.beat is not None else 0

    # ------------------------------------------------------------------ public API
    def hold_paint(self) -> None:
        """Change the drawing without repainting it until :meth:`paint_now`: the window runs a live
        frame's update and its repaint in two turns of its event loop (each a few milliseconds; in one
        they held it for 10–20 ms)."""
        self.graphics.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.NoViewportUpdate)

    def paint_now(self) -> None:
        """Repaint the drawing at once, and repaint on every change again."""
        self.graphics.viewport().repaint()
        self.graphics.setViewportUpdateMode(self._update_mode)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Draw ``snapshot``, updating the existing items in place (one observation after the last: its
        steps in turn)."""
        d = self.drawing
        previous = d.frame
        f, q = Frame.build(snapshot, self._expanded, self._quantile, previous)
        d.frame = f
        if self._quantile is None:
            self.edge_slider.blockSignals(True)
            self.edge_slider.setValue(min(_SLIDER_STEPS - 1, round(q * _SLIDER_STEPS)))
            self.edge_slider.blockSignals(False)
        if d.selected is not None and f.columns[d.selected[0]].row_of(d.selected[1]) < 0:
            self._select(None)
        d.show_frame(f)
        shown = len(f.edges.w)
        floor = float(f.edges.mag.min()) if shown else 0.0
        self.edge_label.setText(f"{floor:.2f}·max  ({shown:,} of {f.edges.candidates:,})")
        self.header.setText(texts.header(snapshot, d.model))
        if previous is None or snapshot is not previous.snapshot:
            self._follow(previous.snapshot if previous is not None else None, snapshot)
        d.beat = self.beat
        if self._base is not None:
            change = f.edges.w - edge_values(self._base.weights, self._base.biases, f.edges)
            k = steps.glowing(change)
            d.glowing = (k, np.abs(change[k]) / (np.abs(change[k]).max() if len(k) else 1.0))
        else:
            d.glowing = (np.zeros(0, dtype=np.intp), np.zeros(0))
        d.redraw()
        d.draw_highlight()
        self._draw_beat()

    def set_step_interval(self, seconds: float) -> None:
        """Seconds between two observations while training (the speed slider; 0 = full speed): slow
        motion slow enough shows each observation's steps in that time."""
        self._interval = max(0.0, float(seconds))

    def set_scale(self, scale: float) -> None:
        """Nodes and edges ``scale`` × their size (presenter mode's zoom; the texts follow the widget's
        font); fitted again unless the person zoomed the view themselves."""
        self.drawing.set_scale(scale)
        if self.frame is not None:
            self.drawing.fit() if self.drawing.auto_fit else self.drawing.draw_nodes()

    def set_model(self, model) -> None:
        """The :class:`ModelSpec` being trained (it names the penalty and gives ρ); a new network: the
        last insight and the glow's reference weights no longer apply."""
        self.drawing.model, self.drawing.insight, self._base = model, None, None
        if self.frame is not None:
            self.show_snapshot(self.frame.snapshot)

    def show_insight(self, insight) -> None:
        """Mark the hidden units the insight finds dormant; their tooltips give each unit's mean activation."""
        self.drawing.insight = insight
        if self.frame is not None:
            self.drawing.redraw()

    def advance(self) -> bool:
        """Draw the next step of the observation's pass; ``False`` (and the timer stops) after the last."""
        if self._beat + 1 >= len(self.plan.beats):
            self.step_timer.stop()
            return False
        self._beat += 1
        self.drawing.beat = self.beat
        self.drawing.draw_nodes()
        self._draw_beat()
        return True

    def hold_step(self, step: int) -> bool:
        """Stop the walk of the observation's steps at the seed's ``step`` (2–8, its first beat) and keep
        it drawn until the next observation; ``False`` when the walk shown has no such step (none, or
        the epoch did not end with it)."""
        for k, beat in enumerate(self.plan.beats):
            if beat.step == step:
                self.step_timer.stop()
                self._beat = k
                self.drawing.beat = beat
                self.drawing.draw_nodes()
                self._draw_beat()
                return True
        return False

    def fit(self) -> None:
        """Show the whole network with its labels."""
        self.drawing.auto_fit = True
        if self.frame is not None:
            self.drawing.fit()

    def export(self, path: str) -> None:
        """Save the drawing as shown, PNG or SVG by the extension (:func:`~aegui.qt.plot_export.export_view`);
        the labels are painted as vector text for it, not from their cached pixmap."""
        labels = self.drawing.labels
        labels.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            export_view(self.graphics, path, "aegui network")
        finally:
            labels.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def ask_value(self, title: str, label: str, value: float) -> float | None:
        """Ask for a number (tests override this)."""
        new, ok = QInputDialog.getDouble(self, title, label, value, -1e6, 1e6, 6)
        return new if ok else None

    def ask_export_path(self) -> str | None:
        """Ask where to export (tests override this)."""
        path, _ = QFileDialog.getSaveFileName(self, "Export the network", "network.png",
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        return path or None

    def set_expanded(self, column: int, expanded: bool) -> None:
        """Show every unit of ``column`` (or only the :data:`~aegui.core.layout.MAX_NODES` most informative)."""
        (self._expanded.add if expanded else self._expanded.discard)(column)
        if self.frame is not None:
            self.show_snapshot(self.frame.snapshot)

    def hit_at(self, scene_pos: QPointF) -> Hit | None:
        """What is drawn at a scene position."""
        if self.frame is None:
            return None
        fm = QFontMetricsF(self.drawing.labels.font)
        tr = self.vb.childGroup.sceneTransform()
        return self.frame.hit((tr.m11(), tr.m22()), (tr.m31(), tr.m32()), scene_pos.x(), scene_pos.y(),
                              self.drawing.node_px, fm.horizontalAdvance("… 99,999 more"))

    def scene_pos(self, column: int, unit: int | None = None) -> QPointF:
        """Scene position of a drawn unit (``None``: the column's bias unit)."""
        c = self.frame.columns[column]
        y = c.bias_y if unit is None else float(c.y[c.row_of(unit)])
        return self.vb.childGroup.mapToScene(QPointF(c.x, y))

    def describe(self, hit: Hit) -> str:
        """The tooltip text of a hit."""
        lines = texts.unit_insight(self.frame, hit.column, hit.unit, self.insight, self.model) \
            if hit.kind == "node" else []
        return texts.describe(self.frame, hit, lines)

    def menu_for(self, hit: Hit | None) -> QMenu | None:
        """The context menu of what was hit (one menu, refilled): "Edit weight…" on an edge, "Edit
        bias…" on a unit that has one; ``None`` elsewhere."""
        target = edit_target(hit)
        if target is None:
            return None
        self.menu.clear()
        action = self.menu.addAction("Edit weight…" if target[1] == "weight" else "Edit bias…")
        action.triggered.connect(lambda: self.edit(hit))
        return self.menu

    def edit(self, hit: Hit) -> None:
        """Ask for a new value of the weight or bias behind ``hit`` and emit the request."""
        target = edit_target(hit)
        if target is None or self.frame is None:
            return
        layer, kind, row, col = target
        s = self.frame.snapshot
        old = float(s.weights[layer][row, col] if kind == "weight" else s.biases[layer][row])
        value = self.ask_value(f"Edit {kind}", texts.edit_label(s, layer, kind, row, col), old)
        if value is not None:
            self.parameterEditRequested.emit(layer, kind, row, col, float(value))

    # ------------------------------------------------------------------ the steps of one observation
    def _follow(self, prev: Snapshot | None, s: Snapshot) -> None:
        """A new snapshot: which weights the glow measures from, and the steps to walk
        (:func:`aegui.core.steps.plan`); the same moment sent again keeps the steps being walked."""
        plan = steps.plan(prev, s, self.frame.edges, self._interval)
        if plan.base == "none":
            self._base = None
        elif plan.base == "previous":
            self._base = prev
        if plan.again:
            return
        self.plan, self._beat = plan, 0
        if plan.beats:
            self.step_timer.start(plan.beat_ms)
        else:
            self.step_timer.stop()

    def _draw_beat(self) -> None:
        """The beat's highlights, its caption, and the step told to the Steps panel."""
        self.drawing.draw_beat()
        self.step_label.setText(texts.step_caption(self.frame, self.beat, self.plan, len(self.drawing.glowing[0]),
                                                   self._interval, self.model))
        if self.step != self._step_shown:
            self._step_shown = self.step
            self.stepChanged.emit(self.step)

    # ------------------------------------------------------------------ interaction
    def eventFilter(self, obj, event) -> bool:
        """Hover and double click straight from the viewport (pyqtgraph's scene rate-limits moves and
        reports a double click only on the release that follows it)."""
        kind = event.type()
        if kind == QEvent.Type.MouseMove and not event.buttons():
            self._hover(event.position().toPoint(), event.globalPosition().toPoint())
        elif kind == QEvent.Type.MouseButtonDblClick and event.button() == Qt.MouseButton.LeftButton:
            hit = self.hit_at(self.graphics.mapToScene(event.position().toPoint()))
            if hit is not None:
                self.edit(hit)
                return True
        elif kind == QEvent.Type.Leave:
            QToolTip.hideText()
        return super().eventFilter(obj, event)

    def _hover(self, pos: QPoint, global_pos: QPoint) -> None:
        hit = self.hit_at(self.graphics.mapToScene(pos))
        if hit is None:
            QToolTip.hideText()
            return
        QToolTip.showText(global_pos, self.describe(hit), self.graphics)

    def _clicked(self, ev) -> None:
        hit = self.hit_at(ev.scenePos())
        if ev.button() == Qt.MouseButton.RightButton:
            menu = self.menu_for(hit)
            if menu is not None:
                menu.popup(ev.screenPos().toPoint())
            return
        if ev.button() != Qt.MouseButton.LeftButton or ev.double():
            return
        if hit is not None and hit.kind == "marker":
            self.set_expanded(hit.column, not self.frame.columns[hit.column].expanded)
        elif hit is not None and hit.kind == "node":
            self._select((hit.column, hit.unit))
        else:
            self._select(None)

    def _select(self, node: tuple[int, int] | None) -> None:
        self.drawing.selected = node
        self.drawing.draw_ring()
        self.drawing.draw_highlight()
        self.nodeSelected.emit(*(node if node is not None else (-1, -1)))

    def _slider_moved(self, value: int) -> None:
        self._quantile = value / _SLIDER_STEPS
        if self.frame is not None:
            self.show_snapshot(self.frame.snapshot)

    def _export_clicked(self) -> None:
        path = self.ask_export_path()
        if path:
            self.export(path)

    def _range_changed_manually(self, *args) -> None:
        self.drawing.auto_fit = False

    def _transform_changed(self, *args) -> None:
        self.drawing.draw_nodes()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.drawing.auto_fit:
            self.fit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.step_label.setFixedHeight(2 * self.fontMetrics().height() + 4)
            self.drawing.set_style(self._style())
            self.graphics.setBackground(self.drawing.style.base)
            if event.type() == QEvent.Type.FontChange and self.drawing.auto_fit and self.frame is not None:
                self.drawing.fit()  # room for the texts in their new size
            else:
                self.drawing.draw_nodes()

    def _style(self) -> Style:
        """Pens, brushes and fonts from the widget's palette and font (light and dark themes)."""
        return Style.of(self.palette(), self.font())
