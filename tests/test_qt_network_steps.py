"""The network view walks the seed's steps: a single step (or slow motion) draws steps 2–8 in turn for the
observation, the Steps panel marks the same step, the edges that changed most glow, dormant units and each
type's penalty and noise are drawn from what the snapshot and the insight say."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aegui.core.data.ratings import Ratings
from aegui.core.engine.spec import KINDS, ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer
from aegui.core.layout import edge_values
from aegui.core.steps import SIGNAL_FLOOR, STEPS
from aegui.qt.formula_panel import FormulaPanel
from aegui.qt.network import NetworkView


def grid(n_users=4, n_movies=6, seed=0) -> Ratings:
    rng = np.random.default_rng(seed)
    g = rng.integers(1, 6, size=(n_users, n_movies)).astype(float)
    g[rng.random(g.shape) > 0.7] = 0
    g[:, 0] = np.where(g[:, 0] == 0, 3, g[:, 0])
    return Ratings.from_dense(g)


def stepped(model: ModelSpec, steps: int, n_users: int = 4, batch_size: int = 4) -> tuple[Trainer, list]:
    """A trainer and the snapshots after each of ``steps`` single steps (each traces the stepped observation)."""
    t = Trainer(grid(n_users), model, TrainSpec(epochs=3, batch_size=batch_size, lr=0.05, shuffle=False))
    shots = [t.snapshot()]
    for _ in range(steps):
        t.step_observation()
        shots.append(t.snapshot())
    return t, shots


def segments(groups) -> set[tuple[float, float, float, float]]:
    return {(x0, y0, x1, y1) for _, x, y in groups for x0, y0, x1, y1 in zip(x[::2], y[::2], x[1::2], y[1::2])}


def edge_segments(view: NetworkView, k) -> set[tuple[float, float, float, float]]:
    e = view.frame.edges
    return {(e.x0[i], e.y0[i], e.x1[i], e.y1[i]) for i in np.asarray(k).tolist()}


def node_brushes(view: NetworkView, column: int) -> list:
    return [p.brush() for p in view.drawing.nodes.points() if round(p.pos().x()) == column]


# ---------------------------------------------------------------------- the steps of one observation
def test_a_single_step_draws_steps_2_to_8_in_order(view, qtbot):
    """The fourth of four users ends its batch (an update) and the epoch: every step is drawn, in order,
    each showing what it is about, and the Steps panel marks the same step."""
    panel = FormulaPanel()
    qtbot.addWidget(panel)
    panel.show()
    view.stepChanged.connect(panel.show_step)
    _, shots = stepped(ModelSpec(hidden=(4, 2)), 4)
    view.show_snapshot(shots[3])
    assert view.step == 0 and "Step observation" in view.step_label.text()
    panel.show_snapshot(shots[4])
    view.show_snapshot(shots[4])
    view.step_timer.stop()  # driven by hand below
    s, tr, f = shots[4], shots[4].trace, view.frame
    last = len(f.columns) - 1
    seen = []
    while True:
        step, beat = view.step, view.beat
        seen.append(step)
        assert f"Step {step} — " in view.step_label.text()
        assert f"▶ {STEPS[step - 1][1]}" in panel.text.toPlainText()
        out_texts = [r for r in view.drawing.value_labels.runs if r.x == last][0].texts
        if step == 2:  # the input is lit, nothing after it yet
            assert view.frame.values[0].fill is tr.x_in
            assert all(b.color() == view.drawing.style.pending_brush.color() for b in node_brushes(view, last))
            assert out_texts == [""] * len(out_texts) and not view.drawing.flow.isVisible()
        elif step in (3, 4):  # the layer being computed: its edges over the dimmed rest
            layer = beat.level - 1
            assert view.drawing.flow.isVisible() and view.drawing.edges.dimmed
            assert segments(view.drawing.flow.groups) == edge_segments(view, np.flatnonzero(f.edges.layer == layer))
            assert (step == 3) == (beat.level <= 2)
            assert segments(view.drawing.glow.groups) == set()  # the update comes at step 7
        elif step == 5:  # a ring on each rated output, the loss in the caption
            error = np.abs(tr.error[f.columns[last].units])
            assert len(view.drawing.signal.points()) == (error >= SIGNAL_FLOOR * np.abs(tr.error).max()).sum() > 0
            assert f"L = <b>{tr.loss:.4g}</b>" in view.step_label.text()
            assert all(("(" in text) == ok for text, ok in zip(out_texts, tr.rated[f.columns[last].units]))
        elif step == 6:  # δ and −∂L/∂w of the layer it has reached, right to left
            layer = beat.level - 1
            g = -edge_values(tr.grad_w, tr.grad_b, view.drawing.flow.edges)
            assert (view.drawing.flow.edges.layer == layer).all() and np.allclose(view.drawing.flow.edges.w, g)
            assert len(view.drawing.signal.points()) > 0
        elif step == 7:  # the batch completed: its update glows
            assert view.plan.updated and len(view.drawing.glowing[0]) > 0
            assert segments(view.drawing.glow.groups) == edge_segments(view, view.drawing.glowing[0])
            assert f"update {s.step:,}" in view.step_label.text()
        else:
            assert "epoch 1 of 3 done" in view.step_label.text()
        if not view.advance():
            break
    assert seen == [2, 3, 3, 4, 4, 5, 6, 6, 6, 6, 7, 8]
    assert view.step == 8  # the last step stays drawn until the next observation


def test_an_observation_without_an_update_says_the_update_waits(view):
    _, shots = stepped(ModelSpec(hidden=(3,)), 2)
    view.show_snapshot(shots[1])
    view.show_snapshot(shots[2])
    while view.advance():
        pass
    assert view.step == 7 and "no update yet" in view.step_label.text() and "2 of 4" in view.step_label.text()
    assert segments(view.drawing.glow.groups) == set()  # nothing changed


def test_slow_motion_spreads_the_steps_over_the_time_between_observations(view, qtbot):
    _, shots = stepped(ModelSpec(hidden=(3,)), 2)
    running = [dataclasses.replace(s, state="running") for s in shots]
    emitted = []
    view.stepChanged.connect(emitted.append)
    view.set_step_interval(0.35)
    view.show_snapshot(running[1])
    view.show_snapshot(running[2])
    assert emitted == [2] and view.step_timer.interval() == round(1000 * 0.8 * 0.35 / 7)
    qtbot.waitUntil(lambda: view.step == 7, timeout=3000)
    assert emitted == [2, 3, 4, 5, 6, 7]
    qtbot.waitUntil(lambda: not view.step_timer.isActive(), timeout=1000)

    for interval in (0.0, 0.01):  # full speed, or too fast to see: the whole pass at once
        view.set_step_interval(interval)
        view.show_snapshot(running[1])
        view.show_snapshot(running[2])
        assert view.step == 0 and not view.step_timer.isActive() and emitted[-1] == 0
        assert "each frame shows the newest snapshot" in view.step_label.text()


# ---------------------------------------------------------------------- the glow
def test_the_glow_marks_exactly_the_largest_changes_between_two_frames(view):
    _, shots = stepped(ModelSpec(hidden=(4, 2)), 1)
    s0 = dataclasses.replace(shots[1], state="running")   # the glow is for weights changing as one watches
    w = [np.array(a) for a in s0.weights]
    b = [np.array(a) for a in s0.biases]
    w[0][1, 2] += 0.5      # the largest change
    b[2][0] -= 0.45        # a bias, as large as a weight
    w[3][4, 1] -= 0.3      # ≥ half the largest: glows too
    w[1][0, 3] += 0.2      # < half: does not
    s1 = dataclasses.replace(s0, weights=tuple(w), biases=tuple(b), step=s0.step + 1, trace=None)
    view.show_snapshot(s0)
    view.show_snapshot(s1)
    e = view.frame.edges
    hits = {(int(e.layer[k]), int(e.row[k]), int(e.col[k])) for k in view.drawing.glowing[0].tolist()}
    assert hits == {(0, 1, 2), (2, 0, -1), (3, 4, 1)}
    assert segments(view.drawing.glow.groups) == edge_segments(view, view.drawing.glowing[0])
    strong = segments([view.drawing.glow.groups[1]])
    assert strong == edge_segments(view, [k for k in view.drawing.glowing[0] if (e.layer[k], e.row[k]) != (3, 4)])

    view.show_snapshot(dataclasses.replace(s1))  # the same moment sent again: the glow stays
    glowing = view.drawing.glowing[0]
    assert segments(view.drawing.glow.groups) == edge_segments(view, glowing) and len(glowing) == 3
    view.show_snapshot(dataclasses.replace(s1, state="paused"))  # paused: nothing is changing, no glow
    assert segments(view.drawing.glow.groups) == set()
    view.show_snapshot(dataclasses.replace(s1, step=s1.step + 1))  # a new moment, nothing changed: none
    assert segments(view.drawing.glow.groups) == set()


def test_the_glow_follows_training_at_full_speed(view):
    """Snapshots streamed at full speed carry no update: the glow is the difference of the frames. Two
    weights moved by hand far more than training moves any: they glow, an untouched one does not."""
    t, shots = stepped(ModelSpec(hidden=(8, 3)), 1, n_users=12)
    view.show_snapshot(dataclasses.replace(t.snapshot(gradients=False), state="running"))
    e = view.frame.edges
    moved = [k for k in range(len(e.w)) if e.col[k] >= 0][:2]
    still = next(k for k in range(len(e.w)) if e.col[k] >= 0 and k not in moved and e.layer[k] != e.layer[moved[0]])
    t.step_batch()
    for k in moved:
        layer, row, col = int(e.layer[k]), int(e.row[k]), int(e.col[k])
        t.set_parameter(layer, "weight", row, col, float(t.snapshot().weights[layer][row, col]) + 50.0)
    view.show_snapshot(dataclasses.replace(t.snapshot(gradients=False), state="running"))  # streamed at full speed
    glowing = segments(view.drawing.glow.groups)
    assert edge_segments(view, moved) <= glowing
    assert not edge_segments(view, [still]) & glowing


# ---------------------------------------------------------------------- every type, truthfully
def test_dormant_units_and_the_sparsity_target_come_from_the_insight(view):
    spec = ModelSpec(kind="sparse", hidden=(4, 2), sparsity_target=0.2)
    t, shots = stepped(spec, 1)
    insight = t.insight(0)
    dormant = (np.array([True, False, False, True]), np.array([False, True]), np.array([True, False, False, False]))
    view.set_model(spec)
    view.show_snapshot(shots[1])
    view.show_insight(dataclasses.replace(insight, dormant=dormant))
    f = view.frame
    marked = {(round(p.pos().x()), round(p.pos().y(), 6)) for p in view.drawing.dormant.points()}
    expected = {(c, round(float(f.columns[c].y[k]), 6)) for c in (1, 2, 3) for k in np.flatnonzero(dormant[c - 1])}
    assert marked == expected
    texts = [t for r in view.drawing.labels.runs for t in r.texts]
    assert "◌ 2 dormant" in texts and "◌ 1 dormant · target ρ = 0.2" in texts

    code = view.describe(view.hit_at(view.scene_pos(2, 1)))
    assert f"mean h over all users = {insight.mean_activation[1][1]:.4g} (target ρ = 0.2)" in code
    assert "dormant: its mean |h| stays below 0.02 (switched off)" in code
    assert "dormant" not in view.describe(view.hit_at(view.scene_pos(2, 0)))

    view.show_insight(dataclasses.replace(insight, dormant=(np.ones(5, bool),) * 3))  # another network's
    texts = "".join(t for r in view.drawing.labels.runs for t in r.texts)
    assert not len(view.drawing.dormant.points()) and "dormant" not in texts


@pytest.mark.parametrize("kind, name", [("sparse", "β·KL"), ("contractive", "λ‖J‖²_F")])
def test_the_penalty_is_named_with_the_traces_number(view, qtbot, kind, name):
    spec = ModelSpec(kind=kind, hidden=(4, 2))
    _, shots = stepped(spec, 2)
    s = shots[2]
    assert s.trace.penalty > 0
    text = f"{name} = {s.trace.penalty:.4g}"
    panel = FormulaPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_model(spec)
    panel.show_snapshot(s)
    view.set_model(spec)
    view.show_snapshot(shots[1])
    view.show_snapshot(s)
    assert text in view.header.text() and text in panel.text.toPlainText()
    while view.step != 5:
        view.advance()
    assert text in view.step_label.text()


def test_denoising_shows_the_corrupted_input_beside_the_clean_one(view):
    spec = ModelSpec(kind="denoising", hidden=(4, 2), noise="gaussian", noise_rate=0.3)
    _, shots = stepped(spec, 1)
    tr = shots[1].trace
    view.set_model(spec)
    view.show_snapshot(shots[1])
    units = view.frame.columns[0].units
    texts = [r for r in view.drawing.value_labels.runs if r.x == 0][0].texts
    noisy = [k for k, u in enumerate(units.tolist()) if tr.x_in[u] != tr.x[u]]
    assert noisy
    for k in noisy:
        u = units[k]
        assert texts[k].startswith(f"x̃ {tr.x_in[u]:.2g} ← {tr.x[u]:.2g} (")
    notes = [t for r in view.drawing.labels.runs for t in r.texts if "x̃ ← x" in t]
    assert notes and "corrupted input" in notes[0]


@pytest.mark.parametrize("kind", KINDS)
def test_every_type_walks_its_steps(view, kind):
    """Stacked pre-training walks its small autoencoder's steps; an RBM phase has no trace to walk."""
    spec = ModelSpec(kind=kind, hidden=(8,) if kind == "overcomplete" else (4, 2), pretrain_epochs=1)
    _, shots = stepped(spec, 2)
    view.set_model(spec)
    view.show_snapshot(shots[1])
    view.show_snapshot(shots[2])
    if shots[2].phase.kind == "rbm":
        assert view.step == 0 and not view.step_timer.isActive()
        return
    seen = [view.step]
    while view.advance():
        seen.append(view.step)
    levels = len(view.frame.levels)
    assert seen == sorted(seen) and seen[0] == 2 and seen[-1] == 7 and seen.count(6) == levels - 1
