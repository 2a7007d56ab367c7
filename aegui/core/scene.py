"""Where things sit in the drawn network, defined once for every view (numpy only, no Qt).

The network is drawn as ``L + 1`` columns of units: column 0 the input ``x``, column ``l`` the
activations ``h_l`` of layer ``l`` (``W_l`` maps column ``l − 1`` to column ``l``), column ``L`` the
output ``y``. The network view, the Steps panel and the Readout read these functions instead of
deriving columns, layers and labels each their own way.
"""

from __future__ import annotations

#: activations whose values stay in a fixed range (the views scale their fills to it)
BOUNDED = ("sigmoid", "tanh")


def code_column(n_layers: int) -> int | None:
    """The column of the code ``z`` (the bottleneck of an autoencoder of ``n_layers = 2k`` layers:
    column ``k``); ``None`` when the layers are not mirrored (an odd count)."""
    return n_layers // 2 if n_layers % 2 == 0 and n_layers > 0 else None


def trace_levels(snapshot) -> tuple[list[list[int]], list[int]]:
    """Where a snapshot's trace lands: per level ``t`` (0 = what entered, ``t`` = ``post[t − 1]``) the
    columns it fills, and per trace layer the network layer it is (both empty without a trace).

    A stacked pre-training trace is the small autoencoder of layer ``k``: its input lands on column
    ``k``, its code on ``k + 1`` (and on the mirror's input ``L − 1 − k``), its reconstruction on
    ``L − k``; its two layers are the whole network's layers ``k`` and ``L − 1 − k``."""
    n_layers, tr = len(snapshot.weights), snapshot.trace
    if tr is not None and len(tr.post) == n_layers:
        return [[c] for c in range(n_layers + 1)], list(range(n_layers))
    if tr is not None and snapshot.phase.kind == "pretrain" and len(tr.post) == 2:
        k = snapshot.phase.layer
        return [[k], sorted({k + 1, n_layers - 1 - k}), [n_layers - k]], [k, n_layers - 1 - k]
    return [], []


def traced_unit(snapshot, column: int) -> tuple[int, int] | None:
    """``(t, layer)`` for a column the trace computed: it holds ``post[t − 1]``, made by the trace's layer
    ``t − 1``, which is the network's layer ``layer`` (weights ``snapshot.weights[layer]``); ``None``
    for the column that entered (level 0) and for columns the trace does not reach."""
    columns, layers = trace_levels(snapshot)
    for t, cs in enumerate(columns):
        if t > 0 and column in cs:
            return t, layers[t - 1]
    return None


def feature_label(snapshot, unit: int) -> str:
    """The input or output unit's name: its movie (user, item-based) title, or a numbered fallback."""
    labels = snapshot.feature_labels
    if 0 <= unit < len(labels):
        return labels[unit]
    return f"{'user' if snapshot.item_based else 'movie'} {unit + 1}"


def captions(snapshot) -> list[str]:
    """Per column its caption, two or three lines: the column's name (``input x``, ``hidden l``, ``code``,
    ``output y``), its size and what it holds or computes, and its RBM role while one trains."""
    s = snapshot
    n_layers = len(s.weights)
    features = "users" if s.item_based else "movies"  # item-based: a movie enters, its users' ratings
    scale = f" ÷ {s.input_scale:g}" if s.input_scale != 1 else ""
    out = [f"input x\n{s.sizes[0]:,} {features} · rating{scale}"]
    for c in range(1, n_layers):
        if c == code_column(n_layers):
            name = "code (bottleneck)" if s.sizes[c] < s.sizes[0] else "code"
        else:
            name = f"hidden {c}"
        out.append(f"{name}\n{s.sizes[c]:,} · {s.activations[c - 1]}")
    out.append(f"output y\n{s.sizes[-1]:,} {features} · {s.activations[-1]}")
    if s.rbm is not None:
        k = s.rbm.layer
        out[k] += "\nRBM visible v"
        out[k + 1] += "\nRBM hidden h"
    return out


def column_name(snapshot, column: int) -> str:
    """The first line of the column's caption: ``input x``, ``hidden 2``, ``code (bottleneck)``, ``output y``."""
    return captions(snapshot)[column].splitlines()[0]


def unit_name(snapshot, column: int, unit: int) -> str:
    """A unit as the tooltips and dialogs name it: ``input “title”`` / ``output “title”`` on the movie
    columns, ``hidden 2 unit 7`` (the caption's first line, then ``unit + 1``) elsewhere, and
    ``+1 (bias unit)`` for ``unit`` −1."""
    if unit < 0:
        return "+1 (bias unit)"
    last = len(snapshot.weights)
    if column in (0, last):
        return f"{'input' if column == 0 else 'output'} “{feature_label(snapshot, unit)}”"
    return f"{column_name(snapshot, column)} unit {unit + 1}"
