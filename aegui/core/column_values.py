"""What each drawn column holds for the observation shown, read from a :class:`Snapshot` (numpy only).

Column ``c`` of the network (:mod:`aegui.core.scene`) gets one :class:`ColumnValues`: the values that
fill its nodes, which inputs count in the loss, the reconstruction target, and the ``name = value[unit]``
rows its tooltips list. A trace fills the columns :func:`~aegui.core.scene.trace_levels` names; an RBM
chain fills its visible and hidden columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .engine.snapshot import InStars, Snapshot
from .scene import BOUNDED, trace_levels

#: per layer, the ``(name, ∂/Δ W, ∂/Δ b)`` the tooltips list; ``name`` has a ``{}`` for "w" or "b"
Grads = list[list[tuple[str, np.ndarray, np.ndarray]]]


@dataclass
class ColumnValues(InStars):
    """What one column's units hold (``None`` where the snapshot has nothing), each array ``(n_c,)``.

    ``fill`` colours the nodes on ``[−vmax, vmax]``; ``rated`` marks the inputs in the loss; ``target``
    is the reconstruction target of an output column; ``clean`` the uncorrupted input when denoising
    changed it; a rating is ``offset + scale · value``; ``rows`` are the tooltip's ``name = value[unit]``
    lines."""

    fill: np.ndarray | None = None
    vmax: float = 1.0
    rated: np.ndarray | None = None
    target: np.ndarray | None = None
    clean: np.ndarray | None = None
    scale: float = 1.0
    rows: list[tuple[str, np.ndarray]] = field(default_factory=list)
    #: centred inputs: the baseline's prediction per unit, in stars
    offset: np.ndarray | None = None


def read_values(s: Snapshot) -> tuple[list[ColumnValues], Grads]:
    """Per column (``L + 1``) its :class:`ColumnValues`; per layer (``L``) the gradients and updates
    the tooltips list (this observation's ``∂L/∂W``, the last update's ``∂L/∂W`` and ``ΔW``).

    A column of a bounded activation fills on ``[−1, 1]``; any other hidden column on its own largest
    ``|h|``."""
    n_layers = len(s.weights)
    values = [ColumnValues() for _ in range(n_layers + 1)]
    grads: Grads = [[] for _ in range(n_layers)]
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
        values[k] = ColumnValues(r.v0, rated=r.rated if k == 0 else None, scale=s.input_scale if k == 0 else 1.0,
                                 rows=[("v₀ (data)", r.v0), (f"v_{r.k} = p(v|h) after CD-{r.k}", r.vk)])
        values[k + 1] = ColumnValues(r.h0, rows=[("p(h|v₀)", r.h0), ("h₀ sample", r.h0_sample),
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
