"""The drawn network as numbers (numpy only, no Qt): which units each column shows and where, which
edges are kept, and what lies under a point.

Column ``c`` sits at ``x = c``; its ``n`` drawn units at ``y_k = (k − (n − 1)/2) · spacing`` with
``spacing = min(1, MAX_SPAN / n)``, its ``+1`` bias unit two spacings above the first (every column but
the output), and a "… N more" marker one spacing below the last when it has over :data:`MAX_NODES`
units. An edge of layer ``l`` runs from a unit (or the bias unit, ``col = −1``) of column ``l`` to a
unit of column ``l + 1``; its strength is ``mag = min(|w| / max |W_l|, 1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .column_values import ColumnValues, Grads, read_values
from .engine.snapshot import Snapshot
from .scene import captions, trace_levels

#: units drawn per column before the rest hide behind "… N more"
MAX_NODES = 48
#: edges drawn until the user moves the slider
DEFAULT_EDGES = 2_000
#: edges drawn at most, whatever the slider says
MAX_EDGES = 5_000
#: a column is never taller than this many data units (expanded columns pack their units closer)
MAX_SPAN = 64.0


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest scores, ascending."""
    if len(scores) <= n:
        return np.arange(len(scores))
    return np.sort(np.argpartition(-scores, n - 1)[:n])


class WeightNorms:
    """Full-matrix numbers of one version of the weights ``W_l`` ``(n_l, n_{l−1})``, each computed once
    when first asked for: ``rows(l)[j] = Σ_i W_l[j, i]²``, ``cols(l)[i] = Σ_j W_l[j, i]²`` and
    ``scale(l) = max(max |W_l|, 1e-12)``. Snapshot arrays are never written, so one version is one
    tuple of arrays: :meth:`of` hands back the previous object when the arrays are the same ones."""

    def __init__(self, weights: tuple[np.ndarray, ...]):
        self.weights = weights
        self._rows: dict[int, np.ndarray] = {}
        self._cols: dict[int, np.ndarray] = {}
        self._scale: dict[int, float] = {}

    @classmethod
    def of(cls, weights: tuple[np.ndarray, ...], previous: WeightNorms | None = None) -> WeightNorms:
        if previous is not None and len(previous.weights) == len(weights) and all(
                a is b for a, b in zip(previous.weights, weights)):
            return previous
        return cls(tuple(weights))

    def rows(self, layer: int) -> np.ndarray:
        if layer not in self._rows:
            w = self.weights[layer]
            self._rows[layer] = np.einsum("ij,ij->i", w, w)
        return self._rows[layer]

    def cols(self, layer: int) -> np.ndarray:
        if layer not in self._cols:
            w = self.weights[layer]
            self._cols[layer] = np.einsum("ij,ij->j", w, w)
        return self._cols[layer]

    def scale(self, layer: int) -> float:
        if layer not in self._scale:
            w = self.weights[layer]
            self._scale[layer] = max(float(w.max()), -float(w.min()), 1e-12)
        return self._scale[layer]


@dataclass
class Column:
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
        """Units not drawn."""
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


def layout(s: Snapshot, values: list[ColumnValues], expanded: set[int], norms: WeightNorms) -> list[Column]:
    """Which units each column draws and where: all of a column of at most :data:`MAX_NODES` units or
    in ``expanded``, else the :data:`MAX_NODES` of highest score. A movie unit ``i`` scores
    ``n_i / max n + 2·rated_i`` with ``n = cols(W_1) + rows(W_L)`` (input and output rank alike, so
    they show the same movies); a hidden unit ``j`` of column ``c`` scores ``rows(W_c)[j] +
    cols(W_{c+1})[j]`` (see :class:`WeightNorms`)."""
    n_layers = len(s.weights)
    names = captions(s)
    movie_scores = None
    columns = []
    for c, size in enumerate(s.sizes):
        if size <= MAX_NODES or c in expanded:
            units = np.arange(size)
        else:
            if c in (0, n_layers):
                if movie_scores is None:
                    norm = norms.cols(0) + norms.rows(n_layers - 1)
                    movie_scores = norm / (norm.max() or 1.0)
                    rated = values[0].rated if values[0].rated is not None else values[-1].rated
                    if rated is not None:
                        movie_scores = movie_scores + 2.0 * rated
                scores = movie_scores
            else:
                scores = norms.rows(c - 1) + norms.cols(c)
            units = _top(scores, MAX_NODES)
        n = len(units)
        spacing = min(1.0, MAX_SPAN / max(n, 1))
        y = (np.arange(n) - (n - 1) / 2) * spacing
        columns.append(Column(float(c), size, units, y, spacing, c in expanded, names[c], c < n_layers))
    return columns


@dataclass
class Edges:
    """Edges, one entry each: ``layer``, ``row`` (unit of column ``layer + 1``), ``col`` (unit of column
    ``layer``, −1 for the bias unit), the weight ``w``, ``mag = min(|w| / max |W_layer|, 1)`` (biases
    are measured against the layer's weights too) and the end points ``(x0, y0) → (x1, y1)``;
    ``candidates`` counts the edges they were chosen from."""

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

    FIELDS = ("layer", "row", "col", "w", "mag", "x0", "y0", "x1", "y1")

    @classmethod
    def empty(cls) -> Edges:
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.intp)
        return cls(zi, zi, zi, z, z, z, z, z, z, 0)

    @classmethod
    def concat(cls, parts: list[Edges]) -> Edges:
        if not parts:
            return cls.empty()
        return cls(*[np.concatenate([getattr(p, f) for p in parts]) for f in cls.FIELDS],
                   sum(p.candidates for p in parts))

    def take(self, keep: np.ndarray) -> Edges:
        return Edges(*[getattr(self, f)[keep] for f in self.FIELDS], self.candidates)

    def segments(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``(x, y)`` point arrays ``(2·len(k),)`` of edges ``k``: start, end, start, end, …"""
        x, y = np.empty(2 * len(k)), np.empty(2 * len(k))
        x[0::2], x[1::2], y[0::2], y[1::2] = self.x0[k], self.x1[k], self.y0[k], self.y1[k]
        return x, y


def layer_edges(s: Snapshot, columns: list[Column], layer: int, norms: WeightNorms, rows: np.ndarray | None = None,
                cols: np.ndarray | None = None) -> Edges:
    """Every edge of ``layer`` between drawn units (only into ``rows`` / out of ``cols`` when given;
    col −1 is the bias unit), row by row."""
    src, dst = columns[layer], columns[layer + 1]
    w, b = s.weights[layer], s.biases[layer]
    rows = dst.units if rows is None else rows
    cols = np.append(src.units, -1) if cols is None else cols
    weights = np.where(cols[None, :] >= 0, w[np.ix_(rows, np.maximum(cols, 0))], b[rows][:, None]).ravel()
    r = np.repeat(rows, len(cols))
    c = np.tile(cols, len(rows))
    src_y = np.where(c >= 0, src.y[np.searchsorted(src.units, np.maximum(c, 0)).clip(0, len(src.units) - 1)],
                     src.bias_y)
    dst_y = dst.y[np.searchsorted(dst.units, r)]
    n = len(weights)
    mag = np.minimum(np.abs(weights) / norms.scale(layer), 1.0)
    return Edges(np.full(n, layer), r, c, weights, mag, np.full(n, src.x), src_y, np.full(n, dst.x), dst_y, n)


def strongest(edges: Edges, quantile: float) -> Edges:
    """The ``min(MAX_EDGES, ⌈(1 − quantile)·n⌉)`` edges of largest ``mag``, ``n`` the candidates."""
    n = len(edges.w)
    keep = min(MAX_EDGES, n, math.ceil((1.0 - quantile) * n))
    if keep >= n:
        return edges
    return edges.take(np.argpartition(-edges.mag, keep - 1)[:keep])


def edge_values(weights, biases, edges: Edges) -> np.ndarray:
    """Each edge's value in ``weights``/``biases`` (indexable by layer: ``weights[l][row, col]``, the
    bias ``biases[l][row]`` for col −1), ``(len(edges.w),)``."""
    out = np.zeros(len(edges.w))
    for layer in np.unique(edges.layer).tolist():
        k = np.flatnonzero(edges.layer == layer)
        row, col = edges.row[k], edges.col[k]
        out[k] = np.where(col >= 0, weights[layer][row, np.maximum(col, 0)], biases[layer][row])
    return out


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


def edit_target(hit: Hit | None) -> tuple[int, str, int, int] | None:
    """``(layer, "weight" | "bias", row, col)`` of the parameter a hit can edit: an edge's weight (or
    bias, from the bias unit), a non-input node's bias (col 0); ``None`` for anything else."""
    if hit is None:
        return None
    if hit.kind == "edge":
        return (hit.layer, "bias", hit.row, 0) if hit.col < 0 else (hit.layer, "weight", hit.row, hit.col)
    if hit.kind == "node" and hit.column > 0:
        return hit.column - 1, "bias", hit.unit, 0
    return None


@dataclass
class Frame:
    """Everything one drawing is made of: the snapshot, per column its :class:`ColumnValues` and
    :class:`Column`, per layer the tooltip gradients, the kept :class:`Edges`, the drawn nodes flattened
    column by column (``node_column``, ``node_unit``, ``node_x``, ``node_y``, each ``(n_drawn,)``), and
    the trace's levels → columns and layers (:func:`~aegui.core.scene.trace_levels`)."""

    snapshot: Snapshot
    values: list[ColumnValues]
    grads: Grads
    columns: list[Column]
    edges: Edges
    node_column: np.ndarray
    node_unit: np.ndarray
    node_x: np.ndarray
    node_y: np.ndarray
    levels: list[list[int]]
    level_layers: list[int]
    norms: WeightNorms

    @classmethod
    def build(cls, s: Snapshot, expanded: set[int], quantile: float | None,
              previous: Frame | None = None) -> tuple[Frame, float]:
        """The frame and the quantile used (``None``: the :data:`DEFAULT_EDGES` strongest, ``q = 1 −
        DEFAULT_EDGES / n``); the norms of ``previous`` are reused when its weights are the same arrays."""
        norms = WeightNorms.of(s.weights, previous.norms if previous is not None else None)
        values, grads = read_values(s)
        columns = layout(s, values, expanded, norms)
        edges = Edges.concat([layer_edges(s, columns, layer, norms) for layer in range(len(s.weights))])
        n = edges.candidates
        q = quantile if quantile is not None else max(0.0, 1.0 - DEFAULT_EDGES / max(n, 1))
        node_column = np.concatenate([np.full(len(c.units), i) for i, c in enumerate(columns)])
        return cls(s, values, grads, columns, strongest(edges, q), node_column,
                   np.concatenate([c.units for c in columns]),
                   np.concatenate([np.full(len(c.units), c.x) for c in columns]),
                   np.concatenate([c.y for c in columns]), *trace_levels(s), norms), q

    def node_edges(self, column: int, unit: int) -> Edges:
        """Every edge between drawn units (any ``|w|``) into a drawn unit (with its bias) and out of it."""
        s, parts = self.snapshot, []
        if column > 0:
            parts.append(layer_edges(s, self.columns, column - 1, self.norms, rows=np.array([unit])))
        if column < len(self.columns) - 1:
            parts.append(layer_edges(s, self.columns, column, self.norms, cols=np.array([unit])))
        return Edges.concat(parts)

    def hit(self, scale: tuple[float, float], offset: tuple[float, float], px: float, py: float,
            node_px: np.ndarray, marker_px: float) -> Hit | None:
        """What lies at ``(px, py)`` in scene coordinates, with data ``(x, y)`` at scene ``(scale_x·x +
        offset_x, scale_y·y + offset_y)``: the nearest node within ``node_px[column] / 2 + 2`` (the
        column's node diameter), else a bias unit within that, a marker within ``marker_px / 2`` across
        and 9 down, else the nearest edge within 4 (its segment's distance)."""
        def to_scene(x, y):
            return scale[0] * x + offset[0], scale[1] * y + offset[1]

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
