"""The network view's words: the header, the step caption, tooltips, the values beside the movies and
the notes below the columns. Plain functions of a :class:`~aegui.core.layout.Frame` (no Qt); the
header and the caption are HTML, the rest plain text."""

from __future__ import annotations

import html
import math

import numpy as np

from ...core.column_values import ColumnValues
from ...core.engine.protocol import State
from ...core.engine.snapshot import Snapshot
from ...core.layout import Frame, Hit
from ...core.scene import code_column, column_name, unit_name
from ...core.steps import STEPS, Beat, Plan, penalty_text


def _fmt(v: float) -> str:
    return f"{float(v):.4g}"


def _fmt2(v: float) -> str:
    return f"{float(v):.2g}"


def _stars(v: float) -> str:
    """A target rating: nearest half star (the network sees rating ÷ 5 in float32)."""
    return f"{round(float(v) * 2) / 2:g}"


# ---------------------------------------------------------------------- insight: dormant units, ρ
def insight_fits(insight, sizes) -> bool:
    """The insight describes the hidden layers of a network of these ``sizes``."""
    return insight is not None and [len(d) for d in insight.dormant] == list(sizes[1:-1])


def sparsity_target(model, column: int, n_layers: int) -> float | None:
    """The sparsity target ρ when ``column`` is the code of a sparse autoencoder, else ``None``."""
    m = model
    return m.sparsity_target if m is not None and m.kind == "sparse" and column == code_column(n_layers) else None


def hidden_note(f: Frame, column: int, insight, model) -> str:
    """Below a hidden column: how many of its units are dormant, and ρ on a sparse code."""
    parts = []
    if insight_fits(insight, f.snapshot.sizes) and insight.dormant[column - 1].any():
        parts.append(f"◌ {int(insight.dormant[column - 1].sum()):,} dormant")
    rho = sparsity_target(model, column, len(f.columns) - 1)
    if rho is not None:
        parts.append(f"target ρ = {rho:g}")
    return " · ".join(parts)


def unit_insight(f: Frame, column: int, unit: int, insight, model) -> list[str]:
    """Tooltip lines of a hidden unit from the insight: its mean activation, dormant or not, ρ."""
    if not 0 < column < len(f.columns) - 1 or not insight_fits(insight, f.snapshot.sizes):
        return []
    who = "movies" if f.snapshot.item_based else "users"
    lines = [f"mean h over all {who} = {_fmt(insight.mean_activation[column - 1][unit])}"]
    rho = sparsity_target(model, column, len(f.columns) - 1)
    if rho is not None:
        lines[0] += f" (target ρ = {rho:g})"
    if insight.dormant[column - 1][unit]:
        limit = f" {model.sparsity_target / 10:g}" if model is not None else " ρ/10"
        lines.append(f"dormant: its mean |h| stays below{limit} (switched off)")
    return lines


def input_note(f: Frame) -> str:
    """What the hollow and crossed input nodes and the ``x̃ ← x`` texts mean, when some are drawn."""
    c, v = f.columns[0], f.values[0]
    notes = []
    if v.rated is not None and not v.rated[c.units].all():
        notes.append("◌ not rated: left out of the loss")
    if v.clean is not None and (v.clean[c.units] != v.fill[c.units]).any():
        if ((v.fill[c.units] == 0) & (v.clean[c.units] != 0)).any():
            notes.append("✕ dropped by the noise (the target keeps it)")
        notes.append("x̃ ← x: the corrupted input that entered ← the clean target")
    return "\n".join(notes)


# ---------------------------------------------------------------------- beside the movies
def movie_texts(v: ColumnValues, units: np.ndarray, output: bool, errors: bool = True) -> tuple[list[str], list[bool]]:
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


# ---------------------------------------------------------------------- tooltips
def describe(f: Frame, hit: Hit, insight_lines: list[str]) -> str:
    """The tooltip of a hit; ``insight_lines``: a node's lines from :func:`unit_insight`."""
    if hit.kind == "node":
        return _describe_node(f, hit.column, hit.unit, insight_lines)
    if hit.kind == "edge":
        return _describe_edge(f, hit.layer, hit.row, hit.col)
    if hit.kind == "bias":
        return _describe_bias_unit(f, hit.column)
    c = f.columns[hit.column]
    return "Show fewer units" if c.expanded else f"Show all {c.size:,} units of this layer"


def _describe_node(f: Frame, column: int, unit: int, insight: list[str]) -> str:
    """The node's values, its bias and gradients; ``insight``: lines about the unit over all observations."""
    v = f.values[column]
    lines = [unit_name(f.snapshot, column, unit)]
    for name, arr in v.rows:
        lines.append(f"{name} = {_fmt(arr[unit])}")
    if v.rated is not None and not v.rated[unit]:
        lines.append("not rated: left out of the loss")
    elif v.target is not None:
        stars = " stars" if v.in_stars else ""
        lines.append(f"target {_stars(v.as_rating(v.target)[unit])}, reconstruction {v.as_rating(v.fill)[unit]:.2f}, "
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


def _describe_edge(f: Frame, layer: int, row: int, col: int) -> str:
    s = f.snapshot
    head = f"from {unit_name(s, layer, col)}\nto {unit_name(s, layer + 1, row)}"
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


def _describe_bias_unit(f: Frame, column: int) -> str:
    b = f.snapshot.biases[column]
    return (f"+1: the bias unit feeding {column_name(f.snapshot, column + 1)}\n"
            f"its {len(b):,} biases: min {_fmt(b.min())}, mean {_fmt(b.mean())}, max {_fmt(b.max())}\n"
            "hover an edge from it for one bias")


def edit_label(s: Snapshot, layer: int, kind: str, row: int, col: int) -> str:
    """The edit dialog's label: which weight (from, to) or bias, and its layer (1-based)."""
    if kind == "weight":
        return f"w from {unit_name(s, layer, col)} to {unit_name(s, layer + 1, row)} (layer {layer + 1})"
    return f"b of {unit_name(s, layer + 1, row)} (layer {layer + 1})"


# ---------------------------------------------------------------------- the header and the step caption
def header(s: Snapshot, model) -> str:
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


def step_caption(f: Frame, beat: Beat | None, plan: Plan, glowing: int, interval: float, model) -> str:
    """The caption above the drawing: the step's number, name and formula (as in the Steps panel) and
    its numbers; without a beat, how to read the frame. ``glowing``: how many edges glow."""
    s = f.snapshot
    if beat is None:
        if s.state == State.RUNNING:
            pace = "full speed" if interval == 0 else f"one observation every {interval:g} s"
            return (f"<i>{pace}: each frame shows the newest snapshot, every step at once; the glowing edges "
                    "changed most since the frame before</i>")
        return ("<i>Step observation (→) walks the steps 2–8 of one observation; slow motion shows them while "
                "training. The glowing edges are the weights the last change moved most.</i>")
    number, name, formula = STEPS[beat.step - 1]
    return (f"<b>Step {number} — {name}</b>&nbsp; <code>{html.escape(formula)}</code> &nbsp;·&nbsp; "
            f"{_step_detail(f, beat, plan, glowing, model)}")


def _step_detail(f: Frame, b: Beat, plan: Plan, glowing: int, model) -> str:
    s, tr = f.snapshot, f.snapshot.trace
    if b.step == 2:
        corrupted = int((tr.x_in != tr.x).sum())
        return (f"{html.escape(tr.label)} enters: {tr.n_rated:,} rated of {len(tr.x):,}"
                + (f", {corrupted:,} corrupted by the noise (x̃ ← x)" if corrupted else ""))
    layer = f.level_layers[b.level - 1] if b.level > 0 else -1
    name = column_name(s, f.levels[b.level][0]) if b.level > 0 else ""
    if b.step in (3, 4):
        h = "x" if b.level == 1 and f.levels[0] == [0] else "h"
        return (f"{name} = {s.activations[layer]}(W<sub>{layer + 1}</sub>·{h} + b<sub>{layer + 1}</sub>): "
                "its edges lit")
    if b.step == 5:
        text = f"L = <b>{_fmt(tr.loss)}</b> over n = {tr.n_rated:,} rated"
        penalty = penalty_text(model, tr.penalty)
        return text + (f" + {penalty}" if penalty else "") + "; rings: each rated output's error e = y − x"
    if b.step == 6:
        edges = (f"; edges of W<sub>{layer + 1}</sub>: −∂L/∂w, where each weight is pushed"
                 if tr.grad_w is not None else "")
        return f"rings: δ at {name}{edges}"
    if b.step == 7:
        if plan.updated:
            when = "this observation (online)" if s.batch_size == 1 else f"the batch of {s.batch_size}"
            return f"update {s.step:,} after {when}: the {glowing} edges that changed most glow"
        done = (s.position - 1) % s.batch_size + 1
        total = min(s.batch_size, s.n_observations - s.position + done)
        return f"no update yet: it comes after the batch ({done} of {total} observations so far)"
    epoch, of = plan.ended
    rmse = s.history.epoch_train_rmse
    return (f"epoch {epoch} of {of} done: all {s.n_observations:,} observations passed"
            + (f" (train RMSE {rmse[-1]:.3f})" if len(rmse) else ""))
