"""One network drawing in a pyqtgraph ``ViewBox``: the items and how a :class:`~aegui.core.layout.Frame`
is drawn with them.

One scatter for the units, one for the bias units, one :class:`~.items.EdgeLayer` for the edges, one
for the layer at work in a step, segments for the glow and the selection, scatters for the rings, and
two :class:`~.items.Labels` for every text; all updated in place at up to 30 fps. One diverging scale
(:mod:`aegui.qt.palette`) colours a node by its value for the shown observation and an edge by the
sign of its weight, its width and opacity growing with ``|w| / max |W_l|``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from ...core import steps
from ...core.layout import Frame, edge_values
from ...core.scene import feature_label
from .. import palette
from . import texts
from .items import EdgeLayer, Labels, Run, Segments, same_points
from .style import Style

#: movie titles are elided to this width (px), less when the view is narrow, never below the minimum
_TITLE_PX, _MIN_TITLE_PX = 170, 60
#: the gap (px) fit() tries to keep between two columns before it shortens the titles
_COLUMN_GAP = 110
#: the largest node diameter (px) at scale 1 (:meth:`NetworkDrawing.set_scale` multiplies it)
_NODE_PX = 22.0
#: the widest value texts beside an input and an output movie (their width is reserved)
_INPUT_SAMPLE, _OUTPUT_SAMPLE = "0.84 (4.5)", "4.5 → 3.7 (+0.0)"
#: … and beside a denoising input (what entered ← the clean value)
_NOISY_SAMPLE = "x̃ −0.84 ← 0.84 (4.5)"


class NetworkDrawing:
    """The items of one drawing, added to ``vb``, and what they show: the :attr:`frame`, the
    :attr:`beat` of its steps (``None``: the whole pass), the :attr:`selected` node, the last
    :attr:`insight` (dormant units) and :attr:`model` (penalty, ρ, noise), and what :attr:`glowing`
    (indices into ``frame.edges`` and each one's ``|Δ|`` ÷ the largest). The owner sets those and calls
    the ``draw_*`` methods; :attr:`node_px` is each column's node diameter (px) as last drawn."""

    def __init__(self, vb: pg.ViewBox, style: Style):
        self.vb = vb
        self.edges = EdgeLayer()
        self.edges.setZValue(-10)
        self.highlight = Segments()
        self.highlight.setZValue(5)
        self.flow = EdgeLayer()  # the layer being computed (steps 3–4) or back-propagated through (6)
        self.flow.setZValue(4)
        self.glow = Segments()   # halos over the edges that changed most, and those edges
        self.glow.setZValue(3)
        for item in (self.edges, self.highlight, self.flow, self.glow):
            vb.addItem(item, ignoreBounds=True)
        self.band = QGraphicsRectItem()
        self.band.setZValue(-30)
        self.band.setPen(QPen(Qt.PenStyle.NoPen))
        vb.addItem(self.band, ignoreBounds=True)
        self.nodes = pg.ScatterPlotItem(pxMode=True)
        self.bias_nodes = pg.ScatterPlotItem(pxMode=True, symbol="s")
        self.crosses = pg.ScatterPlotItem(pxMode=True, symbol="x")
        self.dormant = pg.ScatterPlotItem(pxMode=True, symbol="o", brush=None)
        self.signal = pg.ScatterPlotItem(pxMode=True, symbol="o", brush=None)  # the error and δ (steps 5–6)
        self.ring = pg.ScatterPlotItem(pxMode=True, symbol="o", brush=None)
        self._scatters = (self.nodes, self.bias_nodes, self.crosses, self.dormant, self.signal, self.ring)
        for z, item in enumerate(self._scatters):
            item.setZValue(10 + z)
            vb.addItem(item, ignoreBounds=True)
        self.labels = Labels(style.font, cached=True)      # titles, captions, unit numbers
        self.value_labels = Labels(style.font)             # the values of the observation shown
        for item in (self.labels, self.value_labels):
            item.setZValue(20)
            vb.addItem(item, ignoreBounds=True)

        self.frame: Frame | None = None
        self.beat: steps.Beat | None = None
        self.selected: tuple[int, int] | None = None
        self.insight = None
        self.model = None
        self.glowing = (np.zeros(0, dtype=np.intp), np.zeros(0))
        self.auto_fit = True
        self.scale = 1.0
        self.node_px = np.zeros(0)
        self._extent: tuple | None = None
        self._node_pen_ids: list[int] = []
        self._titles: dict[str, str] = {}
        self._title_px = float(_TITLE_PX)
        self.set_style(style)

    def set_style(self, style: Style) -> None:
        """Draw in a new palette and font from now on (the bias units and crosses again at once)."""
        self.style = style
        self._node_pen_ids = []  # new pens (a freed pen's id may come back)
        for item in (self.bias_nodes, self.crosses):  # drawn again in the new colours, not kept
            item.clear()
        for item in (self.labels, self.value_labels):
            item.set_font(style.font)
        self._titles.clear()
        self.edges.set_colors(style.base, style.dim)
        self.flow.set_colors(style.base, style.dim)
        self.band.setBrush(style.band)

    def set_scale(self, scale: float) -> None:
        """Nodes up to ``scale`` × 22 px across and edges ``scale`` × as wide (presenter mode's zoom);
        the caller fits or draws again."""
        self.scale = float(scale)
        for layer in (self.edges, self.flow):
            layer.set_scale(self.scale)

    # ------------------------------------------------------------------ per frame
    def show_frame(self, frame: Frame) -> None:
        """Take a new frame: its edges, and the band behind the columns of an RBM being trained."""
        self.frame = frame
        self.edges.set_edges(frame.edges, ~np.asarray(frame.snapshot.trainable, dtype=bool))
        rbm = frame.snapshot.rbm
        self.band.setVisible(rbm is not None)
        if rbm is not None:
            a, b = frame.columns[rbm.layer], frame.columns[rbm.layer + 1]
            top = min(a.bias_y, b.bias_y) - 0.6
            bottom = max(float(a.y[-1]), float(b.y[-1])) + 0.8
            self.band.setRect(QRectF(a.x - 0.22, top, b.x - a.x + 0.44, bottom - top))

    def redraw(self) -> None:
        """Fit the view again when what it must make room for changed, else draw the nodes and texts."""
        f = self.frame
        extent = (tuple(len(c.units) for c in f.columns), f.values[0].fill is None, f.values[-1].fill is None,
                  self._noisy(), any(self._hidden_note(i) for i in range(1, len(f.columns) - 1)))
        if self.auto_fit and extent != self._extent:
            self._extent = extent
            self.fit()
        else:
            self.draw_nodes()

    def fit(self) -> None:
        """Show the whole network with its labels (titles shortened to keep the columns apart)."""
        cols = self.frame.columns
        fm = QFontMetricsF(self.labels.font)
        w, h = max(self.vb.width(), 200.0), max(self.vb.height(), 150.0)
        values_px = self._value_px(fm, 0) + self._value_px(fm, len(cols) - 1) + 76
        title_px = float(np.clip((w - values_px - (len(cols) - 1) * _COLUMN_GAP) / 2, _MIN_TITLE_PX, _TITLE_PX))
        if title_px != self._title_px:
            self._title_px = title_px
            self._titles.clear()
        title = self._widest_title(fm)
        left = self._value_px(fm, 0) + title + 38
        right = self._value_px(fm, len(cols) - 1) + title + 38
        note_lines = max([len(texts.input_note(self.frame).splitlines())]
                         + [1 for i in range(1, len(cols) - 1) if self._hidden_note(i)])
        top, bottom = 4.4 * fm.height() + 16, (1.2 + note_lines + 0.6 * bool(note_lines)) * fm.height() + 14
        x_span = max(cols[-1].x - cols[0].x, 1.0)
        y_top = min(c.bias_y if c.has_bias else float(c.y[0]) for c in cols)
        y_bottom = max(c.marker_y if c.has_marker else float(c.y[-1]) for c in cols)
        y_span = max(y_bottom - y_top, 1.0)
        per_x = x_span / max(w - left - right, 60.0)
        per_y = y_span / max(h - top - bottom, 60.0)
        self.vb.setRange(xRange=(cols[0].x - left * per_x, cols[-1].x + right * per_x),
                         yRange=(y_top - top * per_y, y_bottom + bottom * per_y), padding=0)
        self.draw_nodes()

    def draw_nodes(self) -> None:
        """Node sizes follow the zoom (70 % of the spacing, 2–22 px × :attr:`scale`; outlined from 5 px, so a packed
        column shows only its filled units); the labels sit beside them. Columns the step drawn has not
        reached are faint discs; dormant units get a dashed ring, the error or ``δ`` of steps 5–6 a ring
        whose size grows with it."""
        f, st = self.frame, self.style
        if f is None:
            return
        per_px = self.vb.viewPixelSize()[1]
        ppu = 1.0 / per_px if per_px > 0 and math.isfinite(per_px) else 10.0
        self.node_px = np.array([float(np.clip(0.7 * c.spacing * ppu, 2.0, _NODE_PX * self.scale)) for c in f.columns])
        pending = steps.pending(f.levels, self.beat)
        brushes, pens, xs, ys, sizes, cross = [], [], [], [], [], []
        for i, (c, v) in enumerate(zip(f.columns, f.values)):
            fill = v.fill[c.units] if v.fill is not None else np.zeros(len(c.units))
            col_brushes = [st.brushes[k] for k in palette.levels(fill, v.vmax).tolist()]
            outlined = self.node_px[i] >= 5
            col_pens = [st.node_pen if outlined else st.no_pen] * len(c.units)
            if i in pending:
                col_brushes, col_pens = [st.pending_brush] * len(c.units), [st.no_pen] * len(c.units)
            elif v.rated is not None:
                hollow = ~v.rated[c.units]
                if v.clean is not None:
                    masked = v.rated[c.units] & (fill == 0) & (v.clean[c.units] != 0)
                    hollow |= masked
                    cross.extend((np.flatnonzero(masked) + len(xs)).tolist())
                hollow_pen = st.hollow_pen if outlined else st.no_pen
                for k in np.flatnonzero(hollow).tolist():
                    col_brushes[k], col_pens[k] = st.hollow_brush, hollow_pen
            brushes += col_brushes
            pens += col_pens
            xs += [c.x] * len(c.units)
            ys += c.y.tolist()
            sizes += [self.node_px[i]] * len(c.units)
        pen_ids = [id(pen) for pen in pens]  # a few shared pens: the same objects mean the same outlines
        if same_points(self.nodes, xs, ys, sizes):  # the usual frame: only the fills change
            self.nodes.setBrush(brushes, update=pen_ids == self._node_pen_ids)
            if pen_ids != self._node_pen_ids:
                self.nodes.setPen(pens)
        else:
            self.nodes.setData(x=xs, y=ys, size=sizes, brush=brushes, pen=pens)
        self._node_pen_ids = pen_ids
        cross = np.asarray(cross, dtype=np.intp)
        cross_xy = (np.asarray(xs)[cross], np.asarray(ys)[cross], 0.8 * np.asarray(sizes)[cross])
        if not same_points(self.crosses, *cross_xy):
            self.crosses.setData(x=cross_xy[0], y=cross_xy[1], size=cross_xy[2], pen=st.no_pen, brush=st.dim)
        bias = [i for i, c in enumerate(f.columns) if c.has_bias]
        bias_xy = ([f.columns[i].x for i in bias], [f.columns[i].bias_y for i in bias],
                   [max(5.0, 0.8 * self.node_px[i]) for i in bias])
        if not same_points(self.bias_nodes, *bias_xy):
            self.bias_nodes.setData(x=bias_xy[0], y=bias_xy[1], size=bias_xy[2], brush=st.brushes[-1],
                                    pen=st.node_pen)
        dormant = [(i, k) for i in range(1, len(f.columns) - 1) for k in np.flatnonzero(
            self.insight.dormant[i - 1][f.columns[i].units]).tolist()] \
            if texts.insight_fits(self.insight, f.snapshot.sizes) else []
        if dormant or len(self.dormant.data):  # (most frames have none: not even an empty update)
            self.dormant.setData(x=[f.columns[i].x for i, _ in dormant], y=[f.columns[i].y[k] for i, k in dormant],
                                 size=[self.node_px[i] + 7 for i, _ in dormant], pen=st.dormant_pen, brush=None)
        self._draw_signal()
        static, values = self._runs(pending)
        self.labels.set_runs(static)
        self.value_labels.set_runs(values)
        self.draw_ring()
        for item in self._scatters:  # an empty scatter still costs its paint a few hundred µs
            item.setVisible(len(item.data) > 0)

    def _draw_signal(self) -> None:
        """Step 5: a ring on each rated output, growing with its error ``e = y − x``; step 6: on the units
        ``δ`` has reached, growing with ``|δ|``; coloured by the sign (on the layer's largest)."""
        f = self.frame
        xs, ys, sizes, pens = [], [], [], []
        shown = steps.signal(f.snapshot.trace, f.levels, self.beat)
        for i in shown[1] if shown is not None else []:
            c = f.columns[i]
            v = shown[0][c.units]
            for k in np.flatnonzero(np.abs(v) >= steps.SIGNAL_FLOOR).tolist():
                xs.append(c.x)
                ys.append(float(c.y[k]))
                sizes.append(self.node_px[i] + 5 + 12 * abs(float(v[k])))
                pens.append(self.style.signal_pens[bool(v[k] > 0)])
        if xs or len(self.signal.data):
            self.signal.setData(x=xs, y=ys, size=sizes, pen=pens, brush=None)
        self.signal.setVisible(bool(xs))

    def _runs(self, pending: set[int]) -> tuple[list[Run], list[Run]]:
        """The texts, as ``(static, values)``: captions above, titles beside the movie columns, unit
        numbers beside hidden units, "+1" beside bias units, "… N more" below long columns; and the
        values beside the movie columns, which change with every snapshot."""
        f, st = self.frame, self.style
        fm = QFontMetricsF(self.labels.font)
        cols, values = f.columns, f.values
        last = len(cols) - 1
        top = min(c.bias_y if c.has_bias else float(c.y[0]) for c in cols)
        step = self.beat.step if self.beat is not None else 0
        runs, values_runs = [], []
        right, left, centre = Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignHCenter
        for i, c in enumerate(cols):
            r = self.node_px[i] / 2 + 4
            runs.append(Run(c.x, np.array([top]), [c.caption], 0.0, centre, st.text,
                            dy=-(self.node_px[i] / 2 + 6), font=st.bold, wrap=True))
            if c.has_bias:
                runs.append(Run(c.x, np.array([c.bias_y]), ["+1"], -r, right, st.dim))
            if c.has_marker:
                text = "▴ show fewer" if c.expanded else f"… {c.hidden:,} more"
                runs.append(Run(c.x, np.array([c.marker_y]), [text], 0.0, centre, st.link))
            if i in (0, last):
                shown, counted = texts.movie_texts(values[i], c.units, output=i == last, errors=5 <= step or not step)
                if i in pending:
                    shown = [""] * len(shown)
                titles = [self._title(u) for u in c.units.tolist()]
                value_w = self._value_px(fm, i)
                sign, align = (1.0, left) if i == last else (-1.0, right)
                colors = [st.text if ok else st.dim for ok in counted]
                values_runs.append(Run(c.x, c.y, shown, sign * r, align, colors, c.spacing))
                runs.append(Run(c.x, c.y, titles, sign * (r + value_w + 8), align, st.text, c.spacing))
            else:
                runs.append(Run(c.x, c.y, [str(u + 1) for u in c.units.tolist()], -r, right, st.dim, c.spacing,
                                font=st.small))
        for i, note in enumerate([texts.input_note(f)] + [self._hidden_note(i) for i in range(1, last)]):
            if note:
                c = cols[i]
                lines = note.count("\n") + 1
                runs.append(Run(c.x, np.array([c.marker_y if c.has_marker else float(c.y[-1])]), [note], 0.0,
                                centre, st.dim, dy=fm.height() * (1.0 + lines / 2), font=st.small))
        return runs, values_runs

    def draw_beat(self) -> None:
        """What the beat adds over the edges: the layer at work (steps 3–4 its weights, step 6 its
        ``−∂L/∂w``) over the dimmed rest, and the glow (from step 7 on, or while training without steps)."""
        f, b = self.frame, self.beat
        flow = None
        layer = steps.flow_layer(f.level_layers, b)
        if layer is not None:
            edges = f.edges.take(np.flatnonzero(f.edges.layer == layer))
            tr = f.snapshot.trace
            if b.step < 6:
                flow = edges
            elif tr.grad_w is not None:
                gw, gb = tr.grad_w[b.level - 1], tr.grad_b[b.level - 1]
                g = -edge_values({layer: gw}, {layer: gb}, edges)
                top = max(float(np.abs(gw).max()), float(np.abs(gb).max()), 1e-30)
                flow = replace(edges, w=g, mag=np.minimum(np.abs(g) / top, 1.0))
        self.flow.setVisible(flow is not None)
        if flow is not None:
            self.flow.set_edges(flow, ~np.asarray(f.snapshot.trainable, dtype=bool))
        self.edges.set_dimmed(self.selected is not None or flow is not None)
        k, strength = self.glowing
        if not steps.glow_shown(b, f.snapshot.state):
            k, strength = k[:0], strength[:0]
        # opaque halos (translucent wide lines are slow), the glowing edges drawn again over them
        self.glow.set_groups([(self.style.glow_pens[strong], *f.edges.segments(k[(strength >= 0.75) == strong]))
                                    for strong in (False, True)] + self.edges.groups_of(k))

    def draw_ring(self) -> None:
        """The ring around the selected node."""
        if self.selected is None or self.frame is None:
            self.ring.setData(x=[], y=[])
            self.ring.setVisible(False)
            return
        column, unit = self.selected
        c = self.frame.columns[column]
        self.ring.setData(x=[c.x], y=[float(c.y[c.row_of(unit)])], size=[self.node_px[column] + 9],
                          pen=self.style.ring_pen, brush=None)
        self.ring.setVisible(True)

    def draw_highlight(self) -> None:
        """Every edge (drawn units, any |w|) into and out of the selected node, on top of the dimmed rest."""
        f = self.frame
        if self.selected is None or f is None:
            self.highlight.set_groups([])
            self.edges.set_dimmed(self.flow.isVisible())
            return
        e = f.node_edges(*self.selected)
        self.highlight.set_groups([(pen, *e.segments(np.flatnonzero((e.w >= 0) == positive)))
                                   for positive, pen in self.style.highlight_pens.items()])
        self.edges.set_dimmed(True)

    # ------------------------------------------------------------------ texts' room
    def _hidden_note(self, column: int) -> str:
        return texts.hidden_note(self.frame, column, self.insight, self.model)

    def _title(self, unit: int) -> str:
        title = feature_label(self.frame.snapshot, unit)
        short = self._titles.get(title)
        if short is None:
            short = QFontMetricsF(self.labels.font).elidedText(title, Qt.TextElideMode.ElideRight, self._title_px)
            self._titles[title] = short
        return short

    def _noisy(self) -> bool:
        """The input column shows corrupted inputs beside the clean ones (denoising)."""
        return self.frame.values[0].clean is not None or (self.model is not None and self.model.kind == "denoising")

    def _value_px(self, fm: QFontMetricsF, column: int) -> float:
        """Room for the values beside a movie column (none while the snapshot has none)."""
        if self.frame.values[column].fill is None:
            return 0.0
        if column:
            return fm.horizontalAdvance(_OUTPUT_SAMPLE)
        return fm.horizontalAdvance(_NOISY_SAMPLE if self._noisy() else _INPUT_SAMPLE)

    def _widest_title(self, fm: QFontMetricsF) -> float:
        f = self.frame
        units = np.union1d(f.columns[0].units, f.columns[-1].units)
        if not len(units):
            return 0.0
        return max(fm.horizontalAdvance(self._title(u)) for u in units.tolist())
