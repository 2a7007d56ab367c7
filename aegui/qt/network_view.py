"""The network view: the autoencoder drawn left to right from one :class:`Snapshot`.

Columns are the layers (input movies, hidden layers, the code in the middle, reconstructed movies); each
layer but the output has a square ``+1`` bias unit feeding the next one. One diverging scale
(:mod:`aegui.qt.palette`) colours everything: a node by its value for the shown observation, an edge by the
sign of its weight, its width and opacity growing with ``|w| / max |W_l|``. Layers the current phase does
not train are greyed. A single step or slow motion draws the seed's steps 2–8 of the observation in turn
(the caption above names the step; the Steps panel marks the same one); the edges whose weights changed
most since the previous frame glow; dormant hidden units (from an :class:`Insight`) get a dashed ring.

Everything is a handful of items updated in place at up to 30 fps: one scatter for the units, one for the
bias units, one item for the edges (sixteen pens, sign × four |w| bins × trained/frozen, each pen's edges
one ``arrayToQPath(..., connect="pairs")`` path) and one item that paints every text at a fixed pixel
size. Past
:data:`MAX_NODES` units a column shows its most informative ones and a clickable "… N more"; the edge
slider keeps the strongest edges, never more than :data:`MAX_EDGES`. Hit-testing (hover, click, double
click, context menu) is numpy over the drawn nodes and edges in scene coordinates.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen, QStaticText, QTransform
from PySide6.QtWidgets import (QFileDialog, QGraphicsItem, QGraphicsRectItem, QGraphicsView, QHBoxLayout, QInputDialog,
                               QLabel, QMenu, QPushButton, QSizePolicy, QSlider, QToolTip, QVBoxLayout, QWidget)

from ..core.engine.snapshot import Snapshot, as_rating
from ..core.scene import BOUNDED, code_column, feature_label, trace_levels
from . import palette
from .live_label import LiveLabel
from .formula_panel import STEPS, penalty_text
from .plot_export import export_view

#: units drawn per column before the rest hide behind "… N more"
MAX_NODES = 48
#: edges drawn until the user moves the slider
DEFAULT_EDGES = 2_000
#: edges drawn at most, whatever the slider says
MAX_EDGES = 5_000
#: a column is never taller than this many data units (expanded columns pack their units closer)
MAX_SPAN = 64.0
#: |w| / max |W_l| bin edges, and each bin's pen width (px) and opacity
_MAG_EDGES = np.array([0.3, 0.55, 0.8])
_WIDTHS = (0.6, 1.1, 1.9, 3.0)
_ALPHAS = (60, 110, 170, 235)
#: edges per layer drawn at full strength and width; denser layers fade (down to 65 %) and thin
_CLEAR_EDGES = 150
#: edges antialiased at most (smoothing 2,000 wide lines costs ~25 ms a repaint; a crowd of lines hides it)
_SMOOTH_EDGES = 1_000
#: movie titles are elided to this width (px), less when the view is narrow, never below the minimum
_TITLE_PX, _MIN_TITLE_PX = 170, 60
#: the gap (px) fit() tries to keep between two columns before it shortens the titles
_COLUMN_GAP = 110
#: the widest value texts beside an input and an output movie (their width is reserved)
_INPUT_SAMPLE, _OUTPUT_SAMPLE = "0.84 (4.5)", "4.5 → 3.7 (+0.0)"
#: … and beside a denoising input (what entered ← the clean value)
_NOISY_SAMPLE = "x̃ −0.84 ← 0.84 (4.5)"
#: width (px) of the box a text is aligned in, and how far left of its anchor the box starts
_TEXT_BOX = 600.0
_BOX_SHIFT = {Qt.AlignmentFlag.AlignRight: 1.0, Qt.AlignmentFlag.AlignHCenter: 0.5}
#: one-line texts kept laid out at most (the cache starts again when full)
_STATIC_TEXTS = 4096
_SLIDER_STEPS = 1000
#: the edges that glow for their change since the previous frame: at most this many, each changed by at
#: least this share of the largest change
GLOW_EDGES, GLOW_SHARE = 40, 0.5
#: the steps of a single step take this long; in slow motion this share of the time between observations
SINGLE_STEP_S, SLOW_MOTION_SHARE = 1.2, 0.8
#: shorter steps than this are not animated (one observation every 0.1 s, 0.03 s…): the view samples
MIN_BEAT_S = 0.025
#: errors and δ below this share of their layer's largest get no ring
SIGNAL_FLOOR = 0.05


def _fmt(v: float) -> str:
    return f"{float(v):.4g}"


def _fmt2(v: float) -> str:
    return f"{float(v):.2g}"


def _stars(v: float) -> str:
    """A target rating: nearest half star (the network sees rating ÷ 5 in float32)."""
    return f"{round(float(v) * 2) / 2:g}"


def _sq_col_norms(w: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->j", w, w)


def _sq_row_norms(w: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", w, w)


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest scores, ascending."""
    if len(scores) <= n:
        return np.arange(len(scores))
    return np.sort(np.argpartition(-scores, n - 1)[:n])


# ====================================================================== what the snapshot says
@dataclass
class _Values:
    """What one column's units hold for the shown observation (``None`` where the snapshot has nothing):
    ``fill`` colours the nodes on ``[−vmax, vmax]``; ``rated`` marks the inputs in the loss; ``target`` is
    the reconstruction target of an output column; ``clean`` the uncorrupted input when denoising changed
    it; values × ``scale`` are ratings; ``rows`` are the tooltip's ``name = value[unit]`` lines."""

    fill: np.ndarray | None = None
    vmax: float = 1.0
    rated: np.ndarray | None = None
    target: np.ndarray | None = None
    clean: np.ndarray | None = None
    scale: float = 1.0
    rows: list[tuple[str, np.ndarray]] = field(default_factory=list)
    #: centred inputs: the baseline's prediction per unit, in stars (a rating is offset + scale·value)
    offset: np.ndarray | None = None

    def stars(self, values: np.ndarray) -> np.ndarray:
        return as_rating(values, self.scale, self.offset)

    @property
    def in_stars(self) -> bool:
        return self.scale != 1 or self.offset is not None


def _read_values(s: Snapshot) -> tuple[list[_Values], list[list[tuple[str, np.ndarray, np.ndarray]]]]:
    """Per column its :class:`_Values`; per layer the ``(name, ∂/Δ W, ∂/Δ b)`` the tooltips list (``name``
    has a ``{}`` for "w" or "b")."""
    n_layers = len(s.weights)
    values = [_Values() for _ in range(n_layers + 1)]
    grads: list[list[tuple[str, np.ndarray, np.ndarray]]] = [[] for _ in range(n_layers)]
    tr = s.trace
    columns, layers = trace_levels(s)
    whole = bool(columns) and columns[0] == [0]   # the trace is the whole network's: its ends are ratings
    scale, offset = (tr.scale, tr.offset) if whole else (1.0, None)
    for t, cs in enumerate(columns):
        for c in cs:
            v = values[c]
            if t == 0:
                v.fill, v.rated, v.scale, v.offset = tr.x_in, tr.rated, scale, offset
                v.rows = [("x (what entered)", tr.x_in)]
                if not np.array_equal(tr.x_in, tr.x):
                    v.clean = tr.x
                    v.rows.append(("x (clean)", tr.x))
                continue
            v.fill = tr.post[t - 1]
            v.rows = [("y" if c == n_layers else "h", tr.post[t - 1]), ("a (pre-activation)", tr.pre[t - 1]),
                      ("∂L/∂a (this observation)", tr.deltas[t - 1])]
            if t == len(columns) - 1:
                v.target, v.rated, v.scale, v.offset = tr.x, tr.rated, scale, offset
    if tr is not None and tr.grad_w is not None:  # left out of snapshots streamed at full speed
        for t, layer in enumerate(layers):
            grads[layer].append(("∂L/∂{} (this observation)", tr.grad_w[t], tr.grad_b[t]))
    if s.rbm is not None:
        r, k = s.rbm, s.rbm.layer
        values[k] = _Values(r.v0, rated=r.rated if k == 0 else None, scale=s.input_scale if k == 0 else 1.0,
                            rows=[("v₀ (data)", r.v0), (f"v_{r.k} = p(v|h) after CD-{r.k}", r.vk)])
        values[k + 1] = _Values(r.h0, rows=[("p(h|v₀)", r.h0), ("h₀ sample", r.h0_sample),
                                            (f"p(h|v_{r.k})", r.hk)])
    if s.grad_w is not None:
        for layer in range(n_layers):
            grads[layer].append(("∂L/∂{} (last update)", s.grad_w[layer], s.grad_b[layer]))
    if s.update_w is not None:
        for layer in range(n_layers):
            grads[layer].append(("Δ{} (last update)", s.update_w[layer], s.update_b[layer]))
    for c in range(1, n_layers):
        f = values[c].fill
        if f is not None and s.activations[c - 1] not in BOUNDED:
            values[c].vmax = float(np.abs(f).max()) or 1.0
    return values, grads


# ====================================================================== layout
@dataclass
class _Column:
    """One drawn layer: ``units`` (ascending) at heights ``y``, its ``+1`` bias unit (not on the output)
    and the "… N more" marker below it."""

    x: float
    size: int
    units: np.ndarray
    y: np.ndarray
    spacing: float
    expanded: bool
    caption: str
    has_bias: bool

    @property
    def hidden(self) -> int:
        return self.size - len(self.units)

    @property
    def bias_y(self) -> float:
        return float(self.y[0]) - 2.0 * max(self.spacing, 0.7)

    @property
    def marker_y(self) -> float:
        return float(self.y[-1]) + max(self.spacing, 0.7)

    @property
    def has_marker(self) -> bool:
        return self.size > MAX_NODES

    def row_of(self, unit: int) -> int:
        """Position of ``unit`` among the drawn units, or −1."""
        k = int(np.searchsorted(self.units, unit))
        return k if k < len(self.units) and self.units[k] == unit else -1


def _captions(s: Snapshot) -> list[str]:
    n_layers = len(s.weights)
    features = "users" if s.item_based else "movies"  # item-based: a movie enters, its users' ratings
    scale = f" ÷ {s.input_scale:g}" if s.input_scale != 1 else ""
    out = [f"input x\n{s.sizes[0]:,} {features} · rating{scale}"]
    for c in range(1, n_layers):
        act = s.activations[c - 1]
        if c == code_column(n_layers):
            name = "code (bottleneck)" if s.sizes[c] < s.sizes[0] else "code"
        else:
            name = f"hidden {c}"
        out.append(f"{name}\n{s.sizes[c]:,} · {act}")
    out.append(f"output y\n{s.sizes[-1]:,} {features} · {s.activations[-1]}")
    if s.rbm is not None:
        k = s.rbm.layer
        out[k] += "\nRBM visible v"
        out[k + 1] += "\nRBM hidden h"
    return out


def _layout(s: Snapshot, values: list[_Values], expanded: set[int]) -> list[_Column]:
    """Which units each column draws and where. Movie columns rank the rated first, then by weight norm
    (input and output rank alike, so they show the same movies); hidden columns by the norm of their
    incoming and outgoing weights."""
    w = s.weights
    n_layers = len(w)
    captions = _captions(s)
    movie_scores = None
    columns = []
    for c, size in enumerate(s.sizes):
        if size <= MAX_NODES or c in expanded:
            units = np.arange(size)
        else:
            if c in (0, n_layers):
                if movie_scores is None:
                    norm = _sq_col_norms(w[0]) + _sq_row_norms(w[-1])
                    movie_scores = norm / (norm.max() or 1.0)
                    rated = values[0].rated if values[0].rated is not None else values[-1].rated
                    if rated is not None:
                        movie_scores = movie_scores + 2.0 * rated
                scores = movie_scores
            else:
                scores = _sq_row_norms(w[c - 1]) + _sq_col_norms(w[c])
            units = _top(scores, MAX_NODES)
        n = len(units)
        spacing = min(1.0, MAX_SPAN / max(n, 1))
        y = (np.arange(n) - (n - 1) / 2) * spacing
        columns.append(_Column(float(c), size, units, y, spacing, c in expanded, captions[c], c < n_layers))
    return columns


@dataclass
class _Edges:
    """The drawn edges: ``layer``, ``row`` (unit of column ``layer + 1``), ``col`` (unit of column
    ``layer``, −1 for the bias unit), their weight, ``mag = min(|w| / max |W_layer|, 1)`` (biases are
    measured against the layer's weights too) and end points."""

    layer: np.ndarray
    row: np.ndarray
    col: np.ndarray
    w: np.ndarray
    mag: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    candidates: int

    @classmethod
    def empty(cls) -> "_Edges":
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.intp)
        return cls(zi, zi, zi, z, z, z, z, z, z, 0)

    def take(self, keep: np.ndarray) -> "_Edges":
        return _Edges(self.layer[keep], self.row[keep], self.col[keep], self.w[keep], self.mag[keep],
                      self.x0[keep], self.y0[keep], self.x1[keep], self.y1[keep], self.candidates)


def _layer_edges(s: Snapshot, columns: list[_Column], layer: int, rows: np.ndarray | None = None,
                 cols: np.ndarray | None = None) -> _Edges:
    """Every edge of ``layer`` between drawn units (restricted to ``rows``/``cols`` when given; col −1 is
    the bias unit)."""
    src, dst = columns[layer], columns[layer + 1]
    w, b = s.weights[layer], s.biases[layer]
    scale = max(float(w.max()), -float(w.min()), 1e-12)
    rows = dst.units if rows is None else rows
    cols = np.append(src.units, -1) if cols is None else cols
    weights = np.where(cols[None, :] >= 0, w[np.ix_(rows, np.maximum(cols, 0))], b[rows][:, None]).ravel()
    r = np.repeat(rows, len(cols))
    c = np.tile(cols, len(rows))
    src_y = np.where(c >= 0, src.y[np.searchsorted(src.units, np.maximum(c, 0)).clip(0, len(src.units) - 1)],
                     src.bias_y)
    dst_y = dst.y[np.searchsorted(dst.units, r)]
    n = len(weights)
    mag = np.minimum(np.abs(weights) / scale, 1.0)
    return _Edges(np.full(n, layer), r, c, weights, mag, np.full(n, src.x), src_y, np.full(n, dst.x), dst_y, n)


def _concat(parts: list[_Edges]) -> _Edges:
    if not parts:
        return _Edges.empty()
    cat = [np.concatenate([getattr(p, f) for p in parts]) for f in
           ("layer", "row", "col", "w", "mag", "x0", "y0", "x1", "y1")]
    return _Edges(*cat, sum(p.candidates for p in parts))


def _strongest(edges: _Edges, quantile: float) -> _Edges:
    """Edges whose ``|w| / max |W_l|`` is at or above that quantile, at most :data:`MAX_EDGES`."""
    n = len(edges.w)
    keep = min(MAX_EDGES, n, math.ceil((1.0 - quantile) * n))
    if keep >= n:
        return edges
    return edges.take(np.argpartition(-edges.mag, keep - 1)[:keep])


def _edge_values(weights, biases, edges: _Edges) -> np.ndarray:
    """Each edge's value in ``weights``/``biases`` (one array per layer; the bias for col −1)."""
    out = np.zeros(len(edges.w))
    for layer in np.unique(edges.layer).tolist():
        k = np.flatnonzero(edges.layer == layer)
        row, col = edges.row[k], edges.col[k]
        out[k] = np.where(col >= 0, weights[layer][row, np.maximum(col, 0)], biases[layer][row])
    return out


def _glowing(change: np.ndarray) -> np.ndarray:
    """Indices of the edges that glow: the :data:`GLOW_EDGES` largest ``|change|``, only those at least
    :data:`GLOW_SHARE` of the largest (none when nothing changed)."""
    size = np.abs(change)
    top = float(size.max()) if len(size) else 0.0
    if top == 0:
        return np.zeros(0, dtype=np.intp)
    k = np.flatnonzero(size >= GLOW_SHARE * top)
    return k if len(k) <= GLOW_EDGES else k[np.argpartition(-size[k], GLOW_EDGES - 1)[:GLOW_EDGES]]


# ====================================================================== the steps of one observation
@dataclass(frozen=True)
class _Beat:
    """One moment of an observation's pass: the seed's ``step`` (2–8) and the trace ``level`` it is at
    (steps 2–4: the last level computed; 5: the output level; 6: the level whose ``δ`` is shown)."""

    step: int
    level: int = -1


def _beats(levels: int, epoch_ended: bool) -> list[_Beat]:
    """The sequence for a trace of ``levels`` levels: the input enters, the layers left to right (the
    encoder's half is step 3, the decoder's step 4), the error, ``δ`` right to left, the update and, when
    this observation ended it, the epoch."""
    last = levels - 1
    beats = [_Beat(2, 0)] + [_Beat(3 if 2 * t <= last else 4, t) for t in range(1, levels)] + [_Beat(5, last)]
    beats += [_Beat(6, t) for t in range(last, 0, -1)] + [_Beat(7)]
    return beats + [_Beat(8)] if epoch_ended else beats


def _moment(s: Snapshot) -> tuple:
    """Where training stands: two snapshots of one moment differ only in what they show of it."""
    return s.phase.index, s.epoch, s.step, s.position, s.viewing


def _one_observation_later(prev: Snapshot, s: Snapshot) -> bool:
    """Whether ``s`` is ``prev`` plus one observation (a single step, or one in slow motion): an epoch
    that ended left the cursor at its end, which the next observation restarts from."""
    start = prev.position if prev.position < prev.n_observations else 0
    return s.trace is not None and s.position - start == 1 and s.step >= prev.step and s.viewing is None


# ====================================================================== drawing items
@dataclass
class _Run:
    """Texts anchored at ``(x, y[k])`` and drawn ``dx``/``dy`` pixels away, left-, right- or centre-aligned
    there; ``spacing`` (data units between neighbours) lets overlapping rows be thinned; ``wrap`` breaks a
    text into the width of one column gap (one data unit) instead of letting it run over its neighbours."""

    x: float
    y: np.ndarray
    texts: list[str]
    dx: float
    align: Qt.AlignmentFlag
    color: QColor | list[QColor]
    spacing: float = 0.0
    dy: float = 0.0
    font: QFont | None = None
    wrap: bool = False


class _ViewSized(pg.GraphicsObject):
    """An item that covers the visible view and paints in device pixels (``p.resetTransform()`` after
    mapping its anchors with the painter's transform), so sizes stay fixed whatever the zoom."""

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        vb = self.getViewBox()
        return QRectF(vb.viewRect()) if vb is not None else QRectF()


class _Labels(_ViewSized):
    """All the view's text in one item: fixed pixel size whatever the zoom; rows that would overlap are
    thinned to every k-th; rows outside the visible range are skipped."""

    def __init__(self, font: QFont, cached: bool = False):
        """``cached``: texts that rarely change (titles, captions) are rendered once into a pixmap that
        Qt reuses until they or the view's zoom change; the per-frame values are not cached."""
        super().__init__()
        self.font = font
        self.runs: list[_Run] = []
        self._key = None
        self._static: dict[tuple[str, str], QStaticText] = {}  # one-line texts laid out once
        if cached:
            self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_runs(self, runs: list[_Run]) -> None:
        key = [(r.x, r.dx, r.dy, r.spacing, r.wrap, r.align, id(r.font), r.y.tobytes(), tuple(r.texts),
                tuple(c.rgba() for c in r.color) if isinstance(r.color, list) else r.color.rgba()) for r in runs]
        if key == self._key:
            return
        self._key = key
        self.runs = runs
        self.update()

    def paint(self, p, *args) -> None:
        view = self.boundingRect()
        tr = p.transform()
        p.resetTransform()
        for run in self.runs:
            font = run.font or self.font
            p.setFont(font)
            line = QFontMetricsF(font).height()
            spacing_px = abs(tr.m22()) * run.spacing
            step = max(1, math.ceil(0.95 * line / spacing_px)) if spacing_px > 0 else 1
            margin = 3 * max(run.spacing, 1.0)
            ks = np.arange(0, len(run.y), step)
            ks = ks[(run.y[ks] >= view.top() - margin) & (run.y[ks] <= view.bottom() + margin)]
            single = isinstance(run.color, QColor)
            if single:
                p.setPen(run.color)
            box = min(_TEXT_BOX, max(abs(tr.m11()) - 6, 40.0)) if run.wrap else _TEXT_BOX
            left = run.dx - box * _BOX_SHIFT.get(run.align, 0.0)
            flags = run.align | (Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap if run.wrap
                                 else Qt.AlignmentFlag.AlignVCenter)
            shift = _BOX_SHIFT.get(run.align, 0.0)
            font_key = font.key()
            ys = run.y[ks]  # the anchors in device pixels (the view only scales and translates)
            xs_px = (tr.m11() * run.x + tr.m21() * ys + tr.m31()).tolist()
            ys_px = (tr.m12() * run.x + tr.m22() * ys + tr.m32()).tolist()
            for k, x, y in zip(ks.tolist(), xs_px, ys_px):
                text = run.texts[k]
                if not text:
                    continue
                if not single:
                    p.setPen(run.color[k])
                if run.wrap:  # the text's bottom sits dy below the anchor
                    p.drawText(QRectF(x + left, y + run.dy - 8 * line, box, 8 * line), flags, text)
                elif "\n" in text:
                    h = line * (text.count("\n") + 1)
                    p.drawText(QRectF(x + left, y + run.dy - h / 2, box, h), flags, text)
                else:  # the same place as drawText(rect, flags, text) would give, without shaping it again
                    static = self._laid_out(text, font, font_key)
                    size = static.size()
                    p.drawStaticText(QPointF(x + run.dx - shift * size.width(), y + run.dy - size.height() / 2), static)

    def _laid_out(self, text: str, font: QFont, font_key: str) -> QStaticText:
        """``text`` as a :class:`QStaticText` in ``font``, kept for the next frames (values repeat: most
        inputs and many outputs keep their text from frame to frame)."""
        static = self._static.get((text, font_key))
        if static is None:
            if len(self._static) >= _STATIC_TEXTS:
                self._static.clear()
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
            self._static[text, font_key] = static
        return static


class _Segments(_ViewSized):
    """Straight lines batched by pen: ``groups`` of ``(pen, x, y)`` where points ``2k`` and ``2k + 1`` are
    one segment's ends; each group is one ``arrayToQPath(..., connect="pairs")`` drawn in device pixels
    (a wide cosmetic pen under the view's scaling makes Qt stroke the whole path as one outline, a
    hundred times slower)."""

    def __init__(self):
        super().__init__()
        self.groups: list[tuple[QPen, np.ndarray, np.ndarray]] = []
        self.antialias = True

    def set_groups(self, groups: list[tuple[QPen, np.ndarray, np.ndarray]]) -> None:
        self.groups = groups
        self.update()

    def paint(self, p, *args) -> None:
        tr = p.transform()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, self.antialias)
        for pen, x, y in self.groups:
            if len(x):
                p.setPen(pen)
                p.drawPath(pg.arrayToQPath(tr.m11() * x + tr.m21() * y + tr.m31(),
                                           tr.m12() * x + tr.m22() * y + tr.m32(), connect="pairs",
                                           finiteCheck=False))


def _ends(edges: _Edges, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``(x, y)`` point arrays of edges ``k`` for :class:`_Segments`: start, end, start, end, …"""
    x, y = np.empty(2 * len(k)), np.empty(2 * len(k))
    x[0::2], x[1::2], y[0::2], y[1::2] = edges.x0[k], edges.x1[k], edges.y0[k], edges.y1[k]
    return x, y


class _EdgeLayer(_Segments):
    """The edges in sixteen groups, (frozen?, sign, |w| bin), weak bins under strong ones: width and
    strength by bin, frozen layers grey and faint. Pens are opaque, pre-blended with the background
    (translucent wide lines are as slow as the scaled ones); dense layers and a selection elsewhere
    fade them further."""

    KEYS = [(fz, pos, b) for fz in (True, False) for b in range(len(_WIDTHS)) for pos in (False, True)]

    def __init__(self):
        super().__init__()
        self.background, self.grey = QColor("white"), QColor("#9a9a9a")
        self.density, self.dimmed = 1.0, False
        self.pens: dict[tuple[bool, bool, int], QPen] = {}
        self._pens_for: tuple | None = None
        self._edges, self._frozen = _Edges.empty(), np.zeros(0, dtype=bool)

    def set_colors(self, background: QColor, grey: QColor) -> None:
        self.background, self.grey = QColor(background), QColor(grey)
        self._regroup()

    def set_dimmed(self, dimmed: bool) -> None:
        if dimmed != self.dimmed:
            self.dimmed = dimmed
            self._regroup()

    def set_edges(self, edges: _Edges, frozen_layers: np.ndarray) -> None:
        self.antialias = len(edges.w) <= _SMOOTH_EDGES
        per_layer = len(edges.w) / max(len(frozen_layers), 1)
        self.density = round(float(np.clip(math.sqrt(_CLEAR_EDGES / max(per_layer, 1.0)), 0.3, 1.0)), 1)
        self._edges, self._frozen = edges, frozen_layers
        self._regroup()

    def _update_pens(self) -> None:
        fade = (0.5 + 0.5 * self.density) * (0.3 if self.dimmed else 1.0)
        key = (self.background.rgba(), self.grey.rgba(), fade)
        if key == self._pens_for:
            return
        self._pens_for = key
        for frozen, positive, b in self.KEYS:
            color = self.grey if frozen else palette.qcolor(1.0 if positive else -1.0)
            strength = _ALPHAS[b] / 255 * fade / (3 if frozen else 1)
            self.pens[frozen, positive, b] = QPen(_blend(color, self.background, strength),
                                                  _WIDTHS[b] * (0.6 + 0.4 * self.density))

    def groups_of(self, k: np.ndarray) -> list[tuple[QPen, np.ndarray, np.ndarray]]:
        """Edges ``k`` (indices into those set) in this layer's groups and pens."""
        e = self._edges
        frozen = self._frozen[e.layer[k]]
        bins = np.searchsorted(_MAG_EDGES, e.mag[k], side="right")
        positive = e.w[k] >= 0
        return [(self.pens[fz, pos, b], *_ends(e, k[(frozen == fz) & (positive == pos) & (bins == b)]))
                for fz, pos, b in self.KEYS]

    def _regroup(self) -> None:
        self._update_pens()
        self.set_groups(self.groups_of(np.arange(len(self._edges.w))))


def _same_points(item: pg.ScatterPlotItem, x, y, size) -> bool:
    """Whether ``item`` already has exactly these points (positions and sizes): then only their
    brushes and pens need setting, not the whole ``setData``."""
    d = item.data
    return (len(d) == len(x) and np.array_equal(d["x"], x) and np.array_equal(d["y"], y)
            and np.array_equal(d["size"], size))


def _blend(color: QColor, background: QColor, t: float) -> QColor:
    """``t · color + (1 − t) · background``, opaque."""
    return QColor.fromRgbF(*(t * a + (1 - t) * b for a, b in zip(color.getRgbF()[:3], background.getRgbF()[:3])))


# ====================================================================== hit-testing
@dataclass(frozen=True)
class Hit:
    """What is under the mouse: a ``"node"`` (``column``, ``unit``), a ``"bias"`` unit (``column``), a
    ``"marker"`` (``column``) or an ``"edge"`` (``layer``, ``row``, ``col``; ``col`` −1 = from the bias)."""

    kind: str
    column: int = -1
    unit: int = -1
    layer: int = -1
    row: int = -1
    col: int = -1


@dataclass
class _Frame:
    """Everything one drawing is made of, kept for hit-testing and tooltips."""

    snapshot: Snapshot
    values: list[_Values]
    grads: list[list[tuple[str, np.ndarray, np.ndarray]]]
    columns: list[_Column]
    edges: _Edges
    node_column: np.ndarray
    node_unit: np.ndarray
    node_x: np.ndarray
    node_y: np.ndarray
    levels: list[list[int]]
    level_layers: list[int]

    @classmethod
    def build(cls, s: Snapshot, expanded: set[int], quantile: float | None) -> tuple["_Frame", float]:
        """The frame and the quantile used (``None`` = :data:`DEFAULT_EDGES` strongest)."""
        values, grads = _read_values(s)
        columns = _layout(s, values, expanded)
        edges = _concat([_layer_edges(s, columns, layer) for layer in range(len(s.weights))])
        n = edges.candidates
        q = quantile if quantile is not None else max(0.0, 1.0 - DEFAULT_EDGES / max(n, 1))
        node_column = np.concatenate([np.full(len(c.units), i) for i, c in enumerate(columns)])
        return cls(s, values, grads, columns, _strongest(edges, q), node_column,
                   np.concatenate([c.units for c in columns]),
                   np.concatenate([np.full(len(c.units), c.x) for c in columns]),
                   np.concatenate([c.y for c in columns]), *trace_levels(s)), q

    def hit(self, tr, px: float, py: float, node_px: np.ndarray, marker_px: float) -> Hit | None:
        """The nearest node within its radius, else a bias unit, a marker, else the nearest edge within
        4 px; ``tr`` maps data to scene coordinates, ``node_px`` is each column's node size."""
        def to_scene(x, y):
            return tr.m11() * x + tr.m31(), tr.m22() * y + tr.m32()

        sx, sy = to_scene(self.node_x, self.node_y)
        if len(sx):
            d = np.hypot(sx - px, sy - py)
            k = int(np.argmin(d))
            if d[k] <= node_px[self.node_column[k]] / 2 + 2:
                return Hit("node", column=int(self.node_column[k]), unit=int(self.node_unit[k]))
        for i, c in enumerate(self.columns):
            bx, by = to_scene(c.x, c.bias_y)
            if c.has_bias and math.hypot(bx - px, by - py) <= node_px[i] / 2 + 2:
                return Hit("bias", column=i)
            mx, my = to_scene(c.x, c.marker_y)
            if c.has_marker and abs(mx - px) <= marker_px / 2 and abs(my - py) <= 9:
                return Hit("marker", column=i)
        e = self.edges
        if not len(e.w):
            return None
        x0, y0 = to_scene(e.x0, e.y0)
        x1, y1 = to_scene(e.x1, e.y1)
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((px - x0) * dx + (py - y0) * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0.0, 1.0)
        d = np.hypot(x0 + t * dx - px, y0 + t * dy - py)
        k = int(np.argmin(d))
        if d[k] > 4:
            return None
        return Hit("edge", layer=int(e.layer[k]), row=int(e.row[k]), col=int(e.col[k]))


# ====================================================================== the widget
class NetworkView(QWidget):
    """The central view: :meth:`show_snapshot` draws a :class:`Snapshot` (cheap enough for 30 fps).

    Hover shows a value, its pre-activation and gradients; a click selects a node (its edges
    highlighted); a double click, or the context menu, asks for a new weight or bias and emits
    :attr:`parameterEditRequested` — the view never changes the model itself.

    A snapshot one observation after the last (a single step, or slow motion slow enough for it, see
    :meth:`set_step_interval`) is drawn as the seed's steps in turn (:meth:`advance` moves on; a timer
    spreads them over :data:`SINGLE_STEP_S` or the slow-motion interval): 2 the input lights up, 3–4 the
    layers left to right with the edges computing them, 5 the error on the outputs, 6 ``δ`` right to
    left with each layer's edges drawn by ``−∂L/∂w``, 7 the update, 8 the end of the epoch. Otherwise
    the whole pass is drawn at once. The edges whose weights changed most since the previous frame
    glow (a display-only difference of the two frames' weights)."""

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

        self.edges = _EdgeLayer()
        self.edges.setZValue(-10)
        self.highlight = _Segments()
        self.highlight.setZValue(5)
        self.flow = _EdgeLayer()  # the layer being computed (steps 3–4) or back-propagated through (6)
        self.flow.setZValue(4)
        self.glow = _Segments()   # halos over the edges that changed most, and those edges
        self.glow.setZValue(3)
        for item in (self.edges, self.highlight, self.flow, self.glow):
            self.vb.addItem(item, ignoreBounds=True)
        self.band = QGraphicsRectItem()
        self.band.setZValue(-30)
        self.band.setPen(QPen(Qt.PenStyle.NoPen))
        self.vb.addItem(self.band, ignoreBounds=True)
        self.nodes = pg.ScatterPlotItem(pxMode=True)
        self.bias_nodes = pg.ScatterPlotItem(pxMode=True, symbol="s")
        self.crosses = pg.ScatterPlotItem(pxMode=True, symbol="x")
        self.dormant = pg.ScatterPlotItem(pxMode=True, symbol="o", brush=None)
        self.signal = pg.ScatterPlotItem(pxMode=True, symbol="o", brush=None)  # the error and δ (steps 5–6)
        self.ring = pg.ScatterPlotItem(pxMode=True, symbol="o", brush=None)
        self._scatters = (self.nodes, self.bias_nodes, self.crosses, self.dormant, self.signal, self.ring)
        for z, item in enumerate(self._scatters):
            item.setZValue(10 + z)
            self.vb.addItem(item, ignoreBounds=True)
        self.labels = _Labels(self.font(), cached=True)      # titles, captions, unit numbers
        self.value_labels = _Labels(self.font())             # the values of the observation shown
        for item in (self.labels, self.value_labels):
            item.setZValue(20)
            self.vb.addItem(item, ignoreBounds=True)

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
        tools.addWidget(self.fit_button)
        tools.addWidget(self.export_button)
        tools.addSpacing(12)
        tools.addWidget(QLabel("Edges |w| ≥"))
        tools.addWidget(self.edge_slider)
        tools.addWidget(self.edge_label)
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

        self.frame: _Frame | None = None
        self.selected: tuple[int, int] | None = None
        self._expanded: set[int] = set()
        self._quantile: float | None = None
        self._auto_fit = True
        self._extent: tuple | None = None
        self._node_px = np.zeros(0)
        self._node_pen_ids: list[int] = []
        self._titles: dict[str, str] = {}
        self._title_px = float(_TITLE_PX)
        self.model = None                          # the ModelSpec trained (names the penalty, gives ρ)
        self.insight = None                        # the last Insight (dormant units, mean activations)
        self._interval = 0.0                       # seconds between observations while training
        self._beats: list[_Beat] = []              # the steps of the observation shown, and where they are
        self._beat = 0
        self._beat_timer = QTimer(self)
        self._beat_timer.timeout.connect(self.advance)
        self._updated = False                      # that observation brought an update
        self._ended: tuple[int, int] = (0, 0)      # (epoch, of) it ended, if it did
        self._step_shown = 0
        self._base: Snapshot | None = None         # the weights the glow measures the change from
        self._glow = (np.zeros(0, dtype=np.intp), np.zeros(0))  # glowing edges, their |Δ| ÷ the largest
        self.menu = QMenu(self)
        self._apply_palette()

        self.graphics.viewport().installEventFilter(self)
        self.graphics.scene().sigMouseClicked.connect(self._clicked)
        self.vb.sigRangeChangedManually.connect(self._range_changed_manually)
        self.vb.sigTransformChanged.connect(self._transform_changed)

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
        previous = self.frame.snapshot if self.frame is not None else None
        self.frame, q = _Frame.build(snapshot, self._expanded, self._quantile)
        if self._quantile is None:
            self.edge_slider.blockSignals(True)
            self.edge_slider.setValue(min(_SLIDER_STEPS - 1, round(q * _SLIDER_STEPS)))
            self.edge_slider.blockSignals(False)
        f = self.frame
        if self.selected is not None and f.columns[self.selected[0]].row_of(self.selected[1]) < 0:
            self._select(None)
        self.edges.set_edges(f.edges, ~np.asarray(snapshot.trainable, dtype=bool))
        shown = len(f.edges.w)
        floor = float(f.edges.mag.min()) if shown else 0.0
        self.edge_label.setText(f"{floor:.2f}·max  ({shown:,} of {f.edges.candidates:,})")
        self._draw_band()
        self.header.setText(_header(snapshot, self.model))
        if snapshot is not previous:
            self._follow(previous, snapshot)
        if self._base is not None:
            change = f.edges.w - _edge_values(self._base.weights, self._base.biases, f.edges)
            k = _glowing(change)
            self._glow = (k, np.abs(change[k]) / (np.abs(change[k]).max() if len(k) else 1.0))
        else:
            self._glow = (np.zeros(0, dtype=np.intp), np.zeros(0))
        self._redraw()
        self._draw_highlight()
        self._draw_beat()

    def set_step_interval(self, seconds: float) -> None:
        """Seconds between two observations while training (the speed slider; 0 = full speed): slow
        motion slow enough shows each observation's steps in that time."""
        self._interval = max(0.0, float(seconds))

    def set_model(self, model) -> None:
        """The :class:`ModelSpec` being trained (it names the penalty and gives ρ); a new network: the
        last insight and the glow's reference weights no longer apply."""
        self.model, self.insight, self._base = model, None, None
        if self.frame is not None:
            self.show_snapshot(self.frame.snapshot)

    def show_insight(self, insight) -> None:
        """Mark the hidden units the insight finds dormant; their tooltips give each unit's mean activation."""
        self.insight = insight
        if self.frame is not None:
            self._redraw()

    @property
    def step(self) -> int:
        """The seed's step drawn now (2–8), 0 when the whole pass is drawn at once."""
        return self._beats[self._beat].step if self._beats else 0

    def advance(self) -> bool:
        """Draw the next step of the observation's pass; ``False`` (and the timer stops) after the last."""
        if self._beat + 1 >= len(self._beats):
            self._beat_timer.stop()
            return False
        self._beat += 1
        self._draw_nodes()
        self._draw_beat()
        return True

    def fit(self) -> None:
        """Show the whole network with its labels."""
        self._auto_fit = True
        if self.frame is None:
            return
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
        note_lines = max([len(self._input_note().splitlines())]
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
        self._draw_nodes()

    def export(self, path: str) -> None:
        """Save the drawing as shown, PNG or SVG by the extension (:func:`~aegui.qt.plot_export.export_view`);
        the labels are painted as vector text for it, not from their cached pixmap."""
        self.labels.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            export_view(self.graphics, path, "aegui network")
        finally:
            self.labels.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

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
        """Show every unit of ``column`` (or only the :data:`MAX_NODES` most informative)."""
        (self._expanded.add if expanded else self._expanded.discard)(column)
        if self.frame is not None:
            self.show_snapshot(self.frame.snapshot)

    def hit_at(self, scene_pos: QPointF) -> Hit | None:
        """What is drawn at a scene position."""
        if self.frame is None:
            return None
        fm = QFontMetricsF(self.labels.font)
        return self.frame.hit(self.vb.childGroup.sceneTransform(), scene_pos.x(), scene_pos.y(),
                              self._node_px, fm.horizontalAdvance("… 99,999 more"))

    def scene_pos(self, column: int, unit: int | None = None) -> QPointF:
        """Scene position of a drawn unit (``None``: the column's bias unit)."""
        c = self.frame.columns[column]
        y = c.bias_y if unit is None else float(c.y[c.row_of(unit)])
        return self.vb.childGroup.mapToScene(QPointF(c.x, y))

    def describe(self, hit: Hit) -> str:
        """The tooltip text of a hit."""
        f = self.frame
        if hit.kind == "node":
            return _describe_node(f, hit.column, hit.unit, self._unit_insight(hit.column, hit.unit))
        if hit.kind == "edge":
            return _describe_edge(f, hit.layer, hit.row, hit.col)
        if hit.kind == "bias":
            return _describe_bias_unit(f, hit.column)
        c = f.columns[hit.column]
        return "Show fewer units" if c.expanded else f"Show all {c.size:,} units of this layer"

    # ------------------------------------------------------------------ drawing
    def _redraw(self) -> None:
        """Fit the view again when what it must make room for changed, else draw the nodes and texts."""
        f = self.frame
        extent = (tuple(len(c.units) for c in f.columns), f.values[0].fill is None, f.values[-1].fill is None,
                  self._noisy(), any(self._hidden_note(i) for i in range(1, len(f.columns) - 1)))
        if self._auto_fit and extent != self._extent:
            self._extent = extent
            self.fit()
        else:
            self._draw_nodes()

    def _draw_nodes(self) -> None:
        """Node sizes follow the zoom (70 % of the spacing, 2–22 px; outlined from 5 px, so a packed
        column shows only its filled units); the labels sit beside them. Columns the step drawn has not
        reached are faint discs; dormant units get a dashed ring, the error or ``δ`` of steps 5–6 a ring
        whose size grows with it."""
        f = self.frame
        if f is None:
            return
        per_px = self.vb.viewPixelSize()[1]
        ppu = 1.0 / per_px if per_px > 0 and math.isfinite(per_px) else 10.0
        self._node_px = np.array([float(np.clip(0.7 * c.spacing * ppu, 2.0, 22.0)) for c in f.columns])
        pending = self._pending()
        brushes, pens, xs, ys, sizes, cross = [], [], [], [], [], []
        for i, (c, v) in enumerate(zip(f.columns, f.values)):
            fill = v.fill[c.units] if v.fill is not None else np.zeros(len(c.units))
            col_brushes = [self._brushes[k] for k in palette.levels(fill, v.vmax).tolist()]
            outlined = self._node_px[i] >= 5
            col_pens = [self._node_pen if outlined else self._no_pen] * len(c.units)
            if i in pending:
                col_brushes, col_pens = [self._pending_brush] * len(c.units), [self._no_pen] * len(c.units)
            elif v.rated is not None:
                hollow = ~v.rated[c.units]
                if v.clean is not None:
                    masked = v.rated[c.units] & (fill == 0) & (v.clean[c.units] != 0)
                    hollow |= masked
                    cross.extend((np.flatnonzero(masked) + len(xs)).tolist())
                hollow_pen = self._hollow_pen if outlined else self._no_pen
                for k in np.flatnonzero(hollow).tolist():
                    col_brushes[k], col_pens[k] = self._hollow_brush, hollow_pen
            brushes += col_brushes
            pens += col_pens
            xs += [c.x] * len(c.units)
            ys += c.y.tolist()
            sizes += [self._node_px[i]] * len(c.units)
        pen_ids = [id(pen) for pen in pens]  # a few shared pens: the same objects mean the same outlines
        if _same_points(self.nodes, xs, ys, sizes):  # the usual frame: only the fills change
            self.nodes.setBrush(brushes, update=pen_ids == self._node_pen_ids)
            if pen_ids != self._node_pen_ids:
                self.nodes.setPen(pens)
        else:
            self.nodes.setData(x=xs, y=ys, size=sizes, brush=brushes, pen=pens)
        self._node_pen_ids = pen_ids
        cross = np.asarray(cross, dtype=np.intp)
        cross_xy = (np.asarray(xs)[cross], np.asarray(ys)[cross], 0.8 * np.asarray(sizes)[cross])
        if not _same_points(self.crosses, *cross_xy):
            self.crosses.setData(x=cross_xy[0], y=cross_xy[1], size=cross_xy[2], pen=self._no_pen, brush=self._dim)
        bias = [i for i, c in enumerate(f.columns) if c.has_bias]
        bias_xy = ([f.columns[i].x for i in bias], [f.columns[i].bias_y for i in bias],
                   [max(5.0, 0.8 * self._node_px[i]) for i in bias])
        if not _same_points(self.bias_nodes, *bias_xy):
            self.bias_nodes.setData(x=bias_xy[0], y=bias_xy[1], size=bias_xy[2], brush=self._brushes[-1],
                                    pen=self._node_pen)
        dormant = [(i, k) for i in range(1, len(f.columns) - 1) for k in np.flatnonzero(
            self._dormant(i)[f.columns[i].units]).tolist()] if self._insight_fits() else []
        if dormant or len(self.dormant.data):  # (most frames have none: not even an empty update)
            self.dormant.setData(x=[f.columns[i].x for i, _ in dormant], y=[f.columns[i].y[k] for i, k in dormant],
                                 size=[self._node_px[i] + 7 for i, _ in dormant], pen=self._dormant_pen, brush=None)
        self._draw_signal()
        static, values = self._runs()
        self.labels.set_runs(static)
        self.value_labels.set_runs(values)
        self._draw_ring()
        for item in self._scatters:  # an empty scatter still costs its paint a few hundred µs
            item.setVisible(len(item.data) > 0)

    def _runs(self) -> tuple[list[_Run], list[_Run]]:
        """The texts, as ``(static, values)``: captions above, titles beside the movie columns, unit
        numbers beside hidden units, "+1" beside bias units, "… N more" below long columns; and the
        values beside the movie columns, which change with every snapshot."""
        f = self.frame
        fm = QFontMetricsF(self.labels.font)
        cols, values = f.columns, f.values
        last = len(cols) - 1
        top = min(c.bias_y if c.has_bias else float(c.y[0]) for c in cols)
        runs, values_runs = [], []
        pending, step = self._pending(), self.step
        for i, c in enumerate(cols):
            r = self._node_px[i] / 2 + 4
            runs.append(_Run(c.x, np.array([top]), [c.caption], 0.0, Qt.AlignmentFlag.AlignHCenter, self._text,
                             dy=-(self._node_px[i] / 2 + 6), font=self._bold, wrap=True))
            if c.has_bias:
                runs.append(_Run(c.x, np.array([c.bias_y]), ["+1"], -r, Qt.AlignmentFlag.AlignRight, self._dim))
            if c.has_marker:
                text = "▴ show fewer" if c.expanded else f"… {c.hidden:,} more"
                runs.append(_Run(c.x, np.array([c.marker_y]), [text], 0.0, Qt.AlignmentFlag.AlignHCenter,
                                 self._link))
            if i in (0, last):
                texts, colors = _movie_texts(values[i], c.units, output=i == last, errors=5 <= step or not step)
                if i in pending:
                    texts = [""] * len(texts)
                titles = [self._title(f.snapshot, u) for u in c.units.tolist()]
                value_w = self._value_px(fm, i)
                sign, align = ((1.0, Qt.AlignmentFlag.AlignLeft) if i == last
                               else (-1.0, Qt.AlignmentFlag.AlignRight))
                text_colors = [self._text if ok else self._dim for ok in colors]
                values_runs.append(_Run(c.x, c.y, texts, sign * r, align, text_colors, c.spacing))
                runs.append(_Run(c.x, c.y, titles, sign * (r + value_w + 8), align, self._text, c.spacing))
            else:
                runs.append(_Run(c.x, c.y, [str(u + 1) for u in c.units.tolist()], -r, Qt.AlignmentFlag.AlignRight,
                                 self._dim, c.spacing, font=self._small))
        for i, note in enumerate([self._input_note()] + [self._hidden_note(i) for i in range(1, last)]):
            if note:
                c = cols[i]
                lines = note.count("\n") + 1
                runs.append(_Run(c.x, np.array([c.marker_y if c.has_marker else float(c.y[-1])]), [note], 0.0,
                                 Qt.AlignmentFlag.AlignHCenter, self._dim, dy=fm.height() * (1.0 + lines / 2),
                                 font=self._small))
        return runs, values_runs

    def _input_note(self) -> str:
        """What the hollow and crossed input nodes and the ``x̃ ← x`` texts mean, when some are drawn."""
        c, v = self.frame.columns[0], self.frame.values[0]
        notes = []
        if v.rated is not None and not v.rated[c.units].all():
            notes.append("◌ not rated: left out of the loss")
        if v.clean is not None and (v.clean[c.units] != v.fill[c.units]).any():
            if ((v.fill[c.units] == 0) & (v.clean[c.units] != 0)).any():
                notes.append("✕ dropped by the noise (the target keeps it)")
            notes.append("x̃ ← x: the corrupted input that entered ← the clean target")
        return "\n".join(notes)

    # ------------------------------------------------------------------ insight: dormant units, ρ
    def _insight_fits(self) -> bool:
        """The last insight describes this network's hidden layers."""
        ins, sizes = self.insight, self.frame.snapshot.sizes
        return ins is not None and [len(d) for d in ins.dormant] == list(sizes[1:-1])

    def _dormant(self, column: int) -> np.ndarray:
        return self.insight.dormant[column - 1]

    def _rho(self, column: int) -> float | None:
        """The sparsity target ρ when ``column`` is the code of a sparse autoencoder."""
        m = self.model
        code = code_column(len(self.frame.columns) - 1)
        return m.sparsity_target if m is not None and m.kind == "sparse" and column == code else None

    def _hidden_note(self, column: int) -> str:
        """Below a hidden column: how many of its units are dormant, and ρ on a sparse code."""
        parts = []
        if self._insight_fits() and self._dormant(column).any():
            parts.append(f"◌ {int(self._dormant(column).sum()):,} dormant")
        if self._rho(column) is not None:
            parts.append(f"target ρ = {self._rho(column):g}")
        return " · ".join(parts)

    def _unit_insight(self, column: int, unit: int) -> list[str]:
        """Tooltip lines of a hidden unit from the insight: its mean activation, dormant or not, ρ."""
        if not 0 < column < len(self.frame.columns) - 1 or not self._insight_fits():
            return []
        who = "movies" if self.frame.snapshot.item_based else "users"
        lines = [f"mean h over all {who} = {_fmt(self.insight.mean_activation[column - 1][unit])}"]
        if self._rho(column) is not None:
            lines[0] += f" (target ρ = {self._rho(column):g})"
        if self._dormant(column)[unit]:
            limit = f" {self.model.sparsity_target / 10:g}" if self.model is not None else " ρ/10"
            lines.append(f"dormant: its mean |h| stays below{limit} (switched off)")
        return lines

    # ------------------------------------------------------------------ the steps of one observation
    def _follow(self, prev: Snapshot | None, s: Snapshot) -> None:
        """A new snapshot: which weights the glow measures from (the frame before; kept when the same
        moment is merely sent again; none after a new network or a jump in the history), and the steps
        to walk when it is one observation after ``prev``."""
        f = self.frame
        again = prev is not None and _moment(prev) == _moment(s)
        if prev is None or [w.shape for w in prev.weights] != [w.shape for w in s.weights] \
                or prev.viewing != s.viewing or s.step < prev.step:
            self._base = None
        elif not (again and np.array_equal(_edge_values(prev.weights, prev.biases, f.edges), f.edges.w)):
            self._base = prev
        if again:
            return
        beats = []
        if prev is not None and f.levels and _one_observation_later(prev, s):
            beats = _beats(len(f.levels), (prev.phase.index, prev.epoch) != (s.phase.index, s.epoch))
            duration = SLOW_MOTION_SHARE * self._interval if s.state == "running" else SINGLE_STEP_S
            if duration / len(beats) < MIN_BEAT_S:
                beats = []
            else:
                self._updated, self._ended = s.step > prev.step, (prev.epoch + 1, prev.phase.epochs)
                self._beat_timer.start(round(1000 * duration / len(beats)))
        if not beats:
            self._beat_timer.stop()
        self._beats, self._beat = beats, 0

    def _current(self) -> _Beat | None:
        return self._beats[self._beat] if self._beats else None

    def _pending(self) -> set[int]:
        """The columns the pass has not reached at the step drawn."""
        b = self._current()
        if b is None or b.step > 4:
            return set()
        return {c for t, cs in enumerate(self.frame.levels) if t > b.level for c in cs}

    def _draw_signal(self) -> None:
        """Step 5: a ring on each rated output, growing with its error ``e = y − x``; step 6: on the units
        ``δ`` has reached, growing with ``|δ|``; coloured by the sign (on the layer's largest)."""
        f, b = self.frame, self._current()
        xs, ys, sizes, pens = [], [], [], []
        if b is not None and b.step in (5, 6):
            tr = f.snapshot.trace
            values = tr.error if b.step == 5 else tr.deltas[b.level - 1]
            top = float(np.abs(values).max())
            for i in f.levels[b.level] if top > 0 else []:
                c = f.columns[i]
                v = values[c.units] / top
                for k in np.flatnonzero(np.abs(v) >= SIGNAL_FLOOR).tolist():
                    xs.append(c.x)
                    ys.append(float(c.y[k]))
                    sizes.append(self._node_px[i] + 5 + 12 * abs(float(v[k])))
                    pens.append(self._signal_pens[bool(v[k] > 0)])
        if xs or len(self.signal.data):
            self.signal.setData(x=xs, y=ys, size=sizes, pen=pens, brush=None)
        self.signal.setVisible(bool(xs))

    def _draw_beat(self) -> None:
        """What the step drawn adds over the edges: the layer at work (steps 3–4 its weights, step 6 its
        ``−∂L/∂w``) over the dimmed rest, the glow (from step 7 on, or while training without steps), and the
        step's caption; tells the Steps panel the step."""
        f, b = self.frame, self._current()
        flow = None
        if b is not None and b.step in (3, 4, 6):
            layer = f.level_layers[b.level - 1]
            edges = f.edges.take(np.flatnonzero(f.edges.layer == layer))
            tr = f.snapshot.trace
            if b.step < 6:
                flow = edges
            elif tr.grad_w is not None:
                gw, gb = tr.grad_w[b.level - 1], tr.grad_b[b.level - 1]
                g = -_edge_values({layer: gw}, {layer: gb}, edges)
                top = max(float(np.abs(gw).max()), float(np.abs(gb).max()), 1e-30)
                flow = replace(edges, w=g, mag=np.minimum(np.abs(g) / top, 1.0))
        self.flow.setVisible(flow is not None)
        if flow is not None:
            self.flow.set_edges(flow, ~np.asarray(f.snapshot.trainable, dtype=bool))
        self.edges.set_dimmed(self.selected is not None or flow is not None)
        k, strength = self._glow
        if (b.step < 7) if b is not None else f.snapshot.state != "running":  # glows while it changes
            k, strength = k[:0], strength[:0]
        # opaque halos (translucent wide lines are slow), the glowing edges drawn again over them
        self.glow.set_groups([(self._glow_pens[strong], *_ends(f.edges, k[(strength >= 0.75) == strong]))
                              for strong in (False, True)] + self.edges.groups_of(k))
        self.step_label.setText(self._step_text(b))
        if self.step != self._step_shown:
            self._step_shown = self.step
            self.stepChanged.emit(self.step)

    def _step_text(self, b: _Beat | None) -> str:
        """The caption: the step's number, name and formula (as in the Steps panel) and its numbers."""
        s = self.frame.snapshot
        if b is None:
            if s.state == "running":
                pace = "full speed" if self._interval == 0 else f"one observation every {self._interval:g} s"
                return (f"<i>{pace}: each frame shows the newest snapshot, every step at once; the glowing edges "
                        "changed most since the frame before</i>")
            return ("<i>Step observation (→) walks the steps 2–8 of one observation; slow motion shows them while "
                    "training. The glowing edges are the weights the last change moved most.</i>")
        number, name, formula = STEPS[b.step - 1]
        return (f"<b>Step {number} — {name}</b>&nbsp; <code>{html.escape(formula)}</code> &nbsp;·&nbsp; "
                f"{self._step_detail(b)}")

    def _step_detail(self, b: _Beat) -> str:
        f = self.frame
        s, tr = f.snapshot, f.snapshot.trace
        if b.step == 2:
            corrupted = int((tr.x_in != tr.x).sum())
            return (f"{html.escape(tr.label)} enters: {tr.n_rated:,} rated of {len(tr.x):,}"
                    + (f", {corrupted:,} corrupted by the noise (x̃ ← x)" if corrupted else ""))
        layer = f.level_layers[b.level - 1] if b.level > 0 else -1
        name = f.columns[f.levels[b.level][0]].caption.splitlines()[0] if b.level > 0 else ""
        if b.step in (3, 4):
            h = "x" if b.level == 1 and f.levels[0] == [0] else "h"
            return (f"{name} = {s.activations[layer]}(W<sub>{layer + 1}</sub>·{h} + b<sub>{layer + 1}</sub>): "
                    "its edges lit")
        if b.step == 5:
            text = f"L = <b>{_fmt(tr.loss)}</b> over n = {tr.n_rated:,} rated"
            penalty = penalty_text(self.model, tr.penalty)
            return text + (f" + {penalty}" if penalty else "") + "; rings: each rated output's error e = y − x"
        if b.step == 6:
            edges = (f"; edges of W<sub>{layer + 1}</sub>: −∂L/∂w, where each weight is pushed"
                     if tr.grad_w is not None else "")
            return f"rings: δ at {name}{edges}"
        if b.step == 7:
            if self._updated:
                when = "this observation (online)" if s.batch_size == 1 else f"the batch of {s.batch_size}"
                return f"update {s.step:,} after {when}: the {len(self._glow[0])} edges that changed most glow"
            done = (s.position - 1) % s.batch_size + 1
            total = min(s.batch_size, s.n_observations - s.position + done)
            return f"no update yet: it comes after the batch ({done} of {total} observations so far)"
        epoch, of = self._ended
        rmse = s.history.epoch_train_rmse
        return (f"epoch {epoch} of {of} done: all {s.n_observations:,} observations passed"
                + (f" (train RMSE {rmse[-1]:.3f})" if len(rmse) else ""))

    def _draw_band(self) -> None:
        """A faint band behind the two columns of the RBM being trained."""
        f = self.frame
        if f.snapshot.rbm is None:
            self.band.setVisible(False)
            return
        k = f.snapshot.rbm.layer
        a, b = f.columns[k], f.columns[k + 1]
        top = min(a.bias_y, b.bias_y) - 0.6
        bottom = max(float(a.y[-1]), float(b.y[-1])) + 0.8
        self.band.setRect(QRectF(a.x - 0.22, top, b.x - a.x + 0.44, bottom - top))
        self.band.setVisible(True)

    def _draw_ring(self) -> None:
        if self.selected is None or self.frame is None:
            self.ring.setData(x=[], y=[])
            self.ring.setVisible(False)
            return
        column, unit = self.selected
        c = self.frame.columns[column]
        self.ring.setData(x=[c.x], y=[float(c.y[c.row_of(unit)])], size=[self._node_px[column] + 9],
                          pen=self._ring_pen, brush=None)
        self.ring.setVisible(True)

    def _draw_highlight(self) -> None:
        """Every edge (drawn units, any |w|) into and out of the selected node, on top of the dimmed rest."""
        f = self.frame
        if self.selected is None or f is None:
            self.highlight.set_groups([])
            self.edges.set_dimmed(self.flow.isVisible())
            return
        column, unit = self.selected
        parts = []
        if column > 0:
            parts.append(_layer_edges(f.snapshot, f.columns, column - 1, rows=np.array([unit])))
        if column < len(f.columns) - 1:
            parts.append(_layer_edges(f.snapshot, f.columns, column, cols=np.array([unit])))
        e = _concat(parts)
        self.highlight.set_groups([(pen, *_ends(e, np.flatnonzero((e.w >= 0) == positive)))
                                   for positive, pen in self._highlight_pens.items()])
        self.edges.set_dimmed(True)

    def _title(self, s: Snapshot, unit: int) -> str:
        title = feature_label(s, unit)
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
        return max(fm.horizontalAdvance(self._title(f.snapshot, u)) for u in units.tolist())

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
        self.selected = node
        self._draw_ring()
        self._draw_highlight()
        self.nodeSelected.emit(*(node if node is not None else (-1, -1)))

    def menu_for(self, hit: Hit | None) -> QMenu | None:
        """The context menu of what was hit (one menu, refilled): "Edit weight…" on an edge, "Edit
        bias…" on a unit that has one; ``None`` elsewhere."""
        target = _edit_target(hit)
        if target is None:
            return None
        self.menu.clear()
        action = self.menu.addAction("Edit weight…" if target[1] == "weight" else "Edit bias…")
        action.triggered.connect(lambda: self.edit(hit))
        return self.menu

    def edit(self, hit: Hit) -> None:
        """Ask for a new value of the weight or bias behind ``hit`` and emit the request."""
        target = _edit_target(hit)
        if target is None or self.frame is None:
            return
        layer, kind, row, col = target
        s = self.frame.snapshot
        old = float(s.weights[layer][row, col] if kind == "weight" else s.biases[layer][row])
        names = _names(self.frame)
        if kind == "weight":
            label = f"w from {names(layer, col)} to {names(layer + 1, row)} (layer {layer + 1})"
        else:
            label = f"b of {names(layer + 1, row)} (layer {layer + 1})"
        value = self.ask_value(f"Edit {kind}", label, old)
        if value is not None:
            self.parameterEditRequested.emit(layer, kind, row, col, float(value))

    def _slider_moved(self, value: int) -> None:
        self._quantile = value / _SLIDER_STEPS
        if self.frame is not None:
            self.show_snapshot(self.frame.snapshot)

    def _export_clicked(self) -> None:
        path = self.ask_export_path()
        if path:
            self.export(path)

    def _range_changed_manually(self, *args) -> None:
        self._auto_fit = False

    def _transform_changed(self, *args) -> None:
        self._draw_nodes()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._apply_palette()
            self._draw_nodes()

    def _apply_palette(self) -> None:
        """Background, text and outline colours from the widget palette (light and dark themes)."""
        pal = self.palette()
        self._node_pen_ids = []  # new pens (a freed pen's id may come back)
        for item in (self.bias_nodes, self.crosses):  # drawn again in the new colours, not kept
            item.clear()
        base, self._text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self._dim = pal.color(QPalette.ColorRole.PlaceholderText)
        self._link = pal.color(QPalette.ColorRole.Link)
        self.graphics.setBackground(base)
        for item in (self.labels, self.value_labels):
            item.font = QFont(self.font())
            item._key = None  # colours or fonts changed: draw the texts again
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        self._titles.clear()
        outline = QColor(self._text)
        outline.setAlpha(140)
        self._node_pen = pg.mkPen(outline, width=1)
        self._no_pen = pg.mkPen(None)
        self._hollow_pen = pg.mkPen(self._dim, width=1.3, style=Qt.PenStyle.DashLine)
        self._hollow_brush = QBrush(Qt.BrushStyle.NoBrush)
        self._ring_pen = pg.mkPen(pal.color(QPalette.ColorRole.Highlight), width=3)
        self._highlight_pens = {positive: QPen(palette.qcolor(1.0 if positive else -1.0), 2.6)
                                for positive in (False, True)}
        self._brushes = [QBrush(QColor(*c)) for c in palette.level_rgba().tolist()]
        self._pending_brush = QBrush(_blend(self._dim, base, 0.18))
        self._dormant_pen = pg.mkPen(self._dim, width=1.5, style=Qt.PenStyle.DashLine)
        self._signal_pens = {positive: pg.mkPen(palette.qcolor(1.0 if positive else -1.0), width=2.2)
                             for positive in (False, True)}
        self._glow_pens = {strong: QPen(QBrush(_blend(QColor(palette.GLOW_HEX), base, 0.85 if strong else 0.6)),
                                        11.0 if strong else 8.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
                           for strong in (False, True)}
        self.edges.set_colors(base, self._dim)
        self.flow.set_colors(base, self._dim)
        band = QColor(pal.color(QPalette.ColorRole.Highlight))
        band.setAlpha(28)
        self.band.setBrush(band)


# ====================================================================== texts
def _edit_target(hit: Hit | None) -> tuple[int, str, int, int] | None:
    """``(layer, kind, row, col)`` of the parameter a hit can edit: an edge's weight (or bias, from the
    bias unit), a non-input node's bias."""
    if hit is None:
        return None
    if hit.kind == "edge":
        return (hit.layer, "bias", hit.row, 0) if hit.col < 0 else (hit.layer, "weight", hit.row, hit.col)
    if hit.kind == "node" and hit.column > 0:
        return hit.column - 1, "bias", hit.unit, 0
    return None


def _names(f: _Frame):
    """``name(column, unit)``: a movie title on the movie columns, "hidden 2 unit 7" elsewhere, "+1"
    for the bias unit (−1)."""
    s = f.snapshot
    last = len(f.columns) - 1

    def name(column: int, unit: int) -> str:
        if unit < 0:
            return "+1 (bias unit)"
        if column in (0, last):
            return f"{'input' if column == 0 else 'output'} “{feature_label(s, unit)}”"
        return f"{f.columns[column].caption.splitlines()[0]} unit {unit + 1}"

    return name


def _movie_texts(v: _Values, units: np.ndarray, output: bool, errors: bool = True) -> tuple[list[str], list[bool]]:
    """Beside each drawn movie: the input ``x`` (the rating it came from; ``x̃ ← x`` when the noise
    corrupted it, "–" when not rated), or the output ``target → reconstruction (error)`` in stars (the
    error left out unless ``errors``); and whether the unit counts in the loss."""
    n = len(units)
    if v.fill is None:
        return [""] * n, [True] * n
    rated = v.rated[units] if v.rated is not None else np.ones(n, dtype=bool)
    fill = v.fill[units]
    offset = v.offset[units] if v.offset is not None else np.zeros(n)
    texts = []
    if output:
        target = v.target[units] if v.target is not None else None
        for k in range(n):
            y = f"{round(fill[k] * v.scale + offset[k], 1) + 0.0:.1f}"
            if target is None or not rated[k]:
                texts.append(f"– → {y}")
            else:
                error = f" ({round((fill[k] - target[k]) * v.scale, 1) + 0.0:+.1f})" if errors else ""
                texts.append(f"{_stars(target[k] * v.scale + offset[k])} → {y}{error}")
        return texts, rated.tolist()
    clean = v.clean[units] if v.clean is not None else fill
    for k in range(n):
        if not rated[k]:
            texts.append("–")
        elif clean[k] != fill[k]:
            texts.append(f"x̃ {_fmt2(fill[k])} ← {_fmt2(clean[k])} ({_stars(clean[k] * v.scale + offset[k])})")
        else:
            value = _fmt2(fill[k]) if v.offset is not None else _fmt(fill[k])   # centred: short, signed
            texts.append(f"{value} ({_stars(fill[k] * v.scale + offset[k])})" if v.in_stars else value)
    return texts, rated.tolist()


def _describe_node(f: _Frame, column: int, unit: int, insight: list[str]) -> str:
    """The node's values, its bias and gradients; ``insight``: lines about the unit over all observations."""
    v = f.values[column]
    lines = [_names(f)(column, unit)]
    for name, arr in v.rows:
        lines.append(f"{name} = {_fmt(arr[unit])}")
    if v.rated is not None and not v.rated[unit]:
        lines.append("not rated: left out of the loss")
    elif v.target is not None:
        stars = " stars" if v.in_stars else ""
        lines.append(f"target {_stars(v.stars(v.target)[unit])}, reconstruction {v.stars(v.fill)[unit]:.2f}, "
                     f"error {(v.fill[unit] - v.target[unit]) * v.scale:+.2f}{stars}")
        if v.offset is not None:
            lines.append(f"(ratings are b + s·value: the baseline expects b = {v.offset[unit]:.2f})")
    elif v.clean is not None and v.clean[unit] != v.fill[unit]:
        lines.append(f"corrupted by the noise: clean {_fmt(v.clean[unit])}")
    lines += insight
    if column > 0:
        layer = column - 1
        lines.append(f"b = {_fmt(f.snapshot.biases[layer][unit])}")
        lines += [f"{name.format('b')} = {_fmt(b[unit])}" for name, _, b in f.grads[layer]]
        lines.append("double-click to edit the bias")
    return "\n".join(lines)


def _describe_edge(f: _Frame, layer: int, row: int, col: int) -> str:
    s = f.snapshot
    names = _names(f)
    head = f"from {names(layer, col)}\nto {names(layer + 1, row)}"
    if col < 0:
        lines = [f"bias b (layer {layer + 1})", head, f"b = {_fmt(s.biases[layer][row])}"]
        lines += [f"{name.format('b')} = {_fmt(b[row])}" for name, _, b in f.grads[layer]]
    else:
        lines = [f"weight w (layer {layer + 1})", head, f"w = {_fmt(s.weights[layer][row, col])}"]
        lines += [f"{name.format('w')} = {_fmt(w[row, col])}" for name, w, _ in f.grads[layer]]
    if not s.trainable[layer]:
        lines.append("frozen in this phase")
    lines.append("double-click to edit")
    return "\n".join(lines)


def _describe_bias_unit(f: _Frame, column: int) -> str:
    b = f.snapshot.biases[column]
    return (f"+1: the bias unit feeding {f.columns[column + 1].caption.splitlines()[0]}\n"
            f"its {len(b):,} biases: min {_fmt(b.min())}, mean {_fmt(b.mean())}, max {_fmt(b.max())}\n"
            "hover an edge from it for one bias")


def _header(s: Snapshot, model) -> str:
    """Observation shown · phase · loss and the type's penalty · epoch and update."""
    parts = []
    tr = s.trace
    if tr is not None:
        parts.append(f"observation <b>{html.escape(tr.label)}</b>")
    elif s.rbm is not None:
        parts.append("<b>RBM chain</b> of the last update's first observation")
    parts.append(html.escape(s.phase.title))
    if tr is not None:
        loss = f"loss {_fmt(tr.loss)}"
        if tr.in_stars and len(tr.x) == s.sizes[0]:
            loss += f" (RMSE {tr.scale * math.sqrt(max(tr.loss, 0.0)):.2f} stars)"
        penalty = penalty_text(model, tr.penalty)
        if penalty:
            loss += f" + {html.escape(penalty)}"
        parts.append(loss)
    parts.append(f"epoch {s.epoch}/{s.phase.epochs} · update {s.step:,}")
    return " · ".join(parts)
