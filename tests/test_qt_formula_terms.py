"""The Steps panel writes out a = Σ W·h + b for the node clicked: its terms and its total must be the
node's own, for every type and phase (a pre-training stage's small autoencoder fills three columns of the
whole network; the RBM phase has no pass to show). Checked against a forward pass computed here."""

from __future__ import annotations

import re

import numpy as np
import pytest

from aegui.core.data.demo import synthetic
from aegui.core.engine.spec import KINDS, ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer
from aegui.qt.formula_panel import TERMS, FormulaPanel

ACT = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh, "identity": lambda a: a,
       "relu": lambda a: np.maximum(a, 0)}


def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


def expected_pass(s):
    """Per column, the values a forward pass from the trace's input gives, computed here: the whole
    network's, or a pre-training stage's (layer k and its mirror) from the codes it was fed."""
    tr, n_layers = s.trace, len(s.weights)
    if s.phase.kind == "pretrain":
        k = s.phase.layer
        layers, start = [k, n_layers - 1 - k], k
    else:
        layers, start = list(range(n_layers)), 0
    h, out = tr.x_in.astype(np.float64), {}
    columns = [start + 1, n_layers - start] if len(layers) == 2 else list(range(1, n_layers + 1))
    for layer, column in zip(layers, columns):
        a = s.weights[layer] @ h + s.biases[layer]
        out[column] = (h, layer, a)
        h = ACT[s.activations[layer]](a)
    return out


def check_node(panel, s, column, unit, inputs, layer, a):
    panel.select(column, unit)
    html = panel._html
    line = next(l for l in html.split("<br>") if l.startswith("a = Σ W·h + b"))
    total = float(re.search(r"<b>([^<]+)</b>\s*$", line).group(1))
    assert total == pytest.approx(a[unit], rel=2e-3, abs=2e-3), (column, unit, line)
    terms = s.weights[layer][unit] * inputs
    # the terms written out are the largest products of this node's own inputs and weights
    written = re.findall(r"([-+]?[\d.e+-]+)·([-+]?[\d.e+-]+)", line.split("=")[2])
    top = np.argsort(-np.abs(terms), kind="stable")[:TERMS]
    shown = [i for i in top if terms[i] != 0]
    assert len(written) == len(shown)
    for (w, h), i in zip(written, shown):
        assert float(w) == pytest.approx(s.weights[layer][unit, i], rel=1e-3, abs=1e-4)
        assert float(h) == pytest.approx(inputs[i], rel=1e-3, abs=1e-4)
    assert terms.sum() + s.biases[layer][unit] == pytest.approx(total, rel=2e-3, abs=2e-3)


@pytest.mark.parametrize("kind", KINDS)
def test_every_written_sum_is_the_nodes_own_in_every_phase(qtbot, kind):
    train = synthetic(30, 10, density=0.5, seed=2)
    hidden = (12,) if kind == "overcomplete" else (6, 3)
    spec = ModelSpec(kind=kind, hidden=hidden, pretrain_epochs=1,
                     output_activation="sigmoid" if kind == "deep" else "identity")
    t = Trainer(train, spec, TrainSpec(epochs=1, mode="minibatch", batch_size=8))
    panel = FormulaPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_model(spec)
    phases_seen = set()
    while not t.finished:
        t.step_observation()   # the pass of the observation just stepped, in whatever stage this is
        s = t.snapshot()
        panel.show_snapshot(s)
        phases_seen.add(s.phase.kind)
        if s.trace is None:
            assert s.phase.kind == "rbm"   # CD-k has no forward pass of the autoencoder to write out
        else:
            for column, (inputs, layer, a) in expected_pass(s).items():
                for unit in range(len(a)):
                    check_node(panel, s, column, unit, inputs, layer, a)
        t.step_epoch()
    expected = {"stacked": {"pretrain", "finetune"}, "deep": {"rbm", "finetune"}}.get(kind, {"finetune"})
    assert phases_seen == expected
