"""The network view, driven like a user would: what it draws matches the snapshot's numbers; hover, click,
double click, the context menu, level of detail and export work through real mouse events on the viewport."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from aegui.core.data.ratings import Ratings
from aegui.core.engine.spec import KINDS, ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer
from aegui.qt import palette
from aegui.core.layout import MAX_NODES, Edges, Hit, layer_edges
from aegui.qt.network import NetworkView

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def grid(n_users=12, n_movies=6, seed=0, density=0.7) -> Ratings:
    rng = np.random.default_rng(seed)
    g = rng.integers(1, 6, size=(n_users, n_movies)).astype(float)
    g[rng.random(g.shape) > density] = 0
    g[:, 0] = np.where(g[:, 0] == 0, 3, g[:, 0])
    g[0, 1] = 0  # observation 0 leaves movie 2 out of its loss
    return Ratings.from_dense(g)


def trainer(ratings: Ratings, **model) -> Trainer:
    model.setdefault("hidden", (4, 2))
    return Trainer(ratings, ModelSpec(**model), TrainSpec(epochs=3, batch_size=4, lr=0.05))


def snapshot_of(ratings: Ratings, steps: int = 6, observation: int = 0, **model):
    t = trainer(ratings, **model)
    for _ in range(steps):
        t.step_batch()
    t.display_observation = observation
    return t.snapshot()


def at(view: NetworkView, scene_pos: QPointF) -> QPoint:
    return view.graphics.mapFromScene(scene_pos)


def edge_point(view: NetworkView, want=lambda hit: True) -> tuple[Hit, QPoint]:
    """A viewport point on a drawn edge that the view resolves to that edge (not a node, not a crossing)."""
    e = view.frame.edges
    for k in np.random.default_rng(1).permutation(len(e.w)):
        hit = Hit("edge", layer=int(e.layer[k]), row=int(e.row[k]), col=int(e.col[k]))
        if not want(hit):
            continue
        a = view.vb.childGroup.mapToScene(QPointF(e.x0[k], e.y0[k]))
        b = view.vb.childGroup.mapToScene(QPointF(e.x1[k], e.y1[k]))
        for t in np.linspace(0.15, 0.85, 29):
            p = at(view, a + (b - a) * float(t))
            if view.hit_at(view.graphics.mapToScene(p)) == hit:
                return hit, p
    raise AssertionError("no clean point on any edge")


def weight_of(s, hit: Hit) -> float:
    return float(s.biases[hit.layer][hit.row] if hit.col < 0 else s.weights[hit.layer][hit.row, hit.col])


# ---------------------------------------------------------------------- (a) faithfulness
def test_edges_are_drawn_by_sign_and_grow_with_the_weight(view):
    s = snapshot_of(grid())
    view.show_snapshot(s)
    cols = view.frame.columns
    background = view.drawing.edges.background
    drawn: dict[tuple[int, int, int], tuple[float, float, float]] = {}
    for (frozen, positive, _), (pen, x, y) in zip(view.drawing.edges.KEYS, view.drawing.edges.groups):
        if frozen:  # every layer trains in this phase
            assert not len(x)
            continue
        color = pen.color()
        strength = abs(color.redF() - background.redF()) + abs(color.blueF() - background.blueF())
        if len(x):
            assert (color.blueF() > color.redF()) == positive
        for x0, y0, y1 in zip(x[::2], y[::2], y[1::2]):
            layer = int(round(x0))
            src, dst = cols[layer], cols[layer + 1]
            row = int(dst.units[np.argmin(abs(dst.y - y1))])
            col = -1 if np.isclose(y0, src.bias_y) else int(src.units[np.argmin(abs(src.y - y0))])
            w = weight_of(s, Hit("edge", layer=layer, row=row, col=col))
            assert (w >= 0) == positive
            drawn[layer, row, col] = (abs(w), pen.widthF(), strength, positive)
    sizes = s.sizes
    assert len(drawn) == sum(sizes[l + 1] * (sizes[l] + 1) for l in range(len(s.weights)))
    for layer in range(len(s.weights)):
        rows = sorted(v for k, v in drawn.items() if k[0] == layer)
        widths = np.array([r[1] for r in rows])
        assert (np.diff(widths) >= 0).all() and widths[-1] > widths[0]
        for sign in (False, True):  # and colour strength, within each sign
            strengths = np.array([r[2] for r in rows if r[3] == sign])
            assert (np.diff(strengths) >= -1e-9).all()


def test_nodes_are_filled_by_their_value_and_outputs_say_target_to_reconstruction(view):
    s = snapshot_of(grid())
    tr = s.trace
    view.show_snapshot(snapshot_of(grid(), steps=1, observation=3))  # the same layout, other fills before
    view.show_snapshot(s)
    cols = view.frame.columns
    last = len(cols) - 1
    spots = view.drawing.nodes.points()
    assert len(spots) == sum(s.sizes)
    for spot in spots:
        c = int(round(spot.pos().x()))
        unit = int(cols[c].units[np.argmin(abs(cols[c].y - spot.pos().y()))])
        value = tr.x_in[unit] if c == 0 else tr.post[c - 1][unit]
        if c in (0, last) and not tr.rated[unit]:
            assert spot.brush().style() == Qt.BrushStyle.NoBrush  # hollow: not in the loss
            continue
        got = spot.brush().color().getRgb()
        assert np.allclose(got, palette.rgba(value, 1.0), atol=6), (c, unit, value, got)

    output_runs = [r for r in view.drawing.value_labels.runs if r.x == last and any("→" in t for t in r.texts)]
    assert len(output_runs) == 1
    texts = output_runs[0].texts
    for k, unit in enumerate(cols[last].units.tolist()):
        y = 5 * float(tr.post[-1][unit])
        if tr.rated[unit]:
            target = round(5 * float(tr.x[unit]))
            assert texts[k].startswith(f"{target} → {round(y, 1) + 0.0:.1f}")
        else:
            assert texts[k].startswith("– →")
    assert not tr.rated[1] and texts[1].startswith("– →")


# ---------------------------------------------------------------------- (b) hover
@pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True)  # offscreen: the tooltip window
def test_hovering_a_node_and_an_edge_shows_their_numbers(view):
    s = snapshot_of(grid())
    tr = s.trace
    view.show_snapshot(s)
    QTest.mouseMove(view.graphics.viewport(), at(view, view.scene_pos(1, 2)))
    text = QToolTip.text()
    assert "hidden 1 unit 3" in text
    for v in (tr.post[0][2], tr.pre[0][2], tr.deltas[0][2], s.biases[0][2], tr.grad_b[0][2], s.grad_b[0][2],
              s.update_b[0][2]):
        assert f"{float(v):.4g}" in text

    hit, p = edge_point(view, lambda h: h.col >= 0)
    QTest.mouseMove(view.graphics.viewport(), p)
    text = QToolTip.text()
    i, j, layer = hit.col, hit.row, hit.layer
    for v in (s.weights[layer][j, i], tr.grad_w[layer][j, i], s.grad_w[layer][j, i], s.update_w[layer][j, i]):
        assert f"{float(v):.4g}" in text
    assert f"layer {layer + 1}" in text


# ---------------------------------------------------------------------- (c) selection
def test_clicking_a_node_selects_it_and_highlights_its_edges(view, qtbot):
    s = snapshot_of(grid())
    view.show_snapshot(s)
    with qtbot.waitSignal(view.nodeSelected) as signal:
        QTest.mouseClick(view.graphics.viewport(), LEFT, NO_MOD, at(view, view.scene_pos(2, 1)))
    assert signal.args == [2, 1] and view.selected == (2, 1)
    node = view.frame.columns[2]
    node_y = float(node.y[node.row_of(1)])
    segments = [(x0, y0, x1, y1) for _, x, y in view.drawing.highlight.groups
                for x0, y0, x1, y1 in zip(x[::2], y[::2], x[1::2], y[1::2])]
    assert len(segments) == (s.sizes[1] + 1) + s.sizes[3]  # in (with the bias), out
    assert all((x1 == 2 and y1 == node_y) or (x0 == 2 and y0 == node_y) for x0, y0, x1, y1 in segments)
    assert view.drawing.edges.dimmed

    with qtbot.waitSignal(view.nodeSelected) as signal:
        QTest.mouseClick(view.graphics.viewport(), LEFT, NO_MOD, QPoint(4, 4))
    assert signal.args == [-1, -1] and view.selected is None and not view.drawing.edges.dimmed
    assert view.drawing.highlight.groups == []


# ---------------------------------------------------------------------- (d) editing
def test_double_clicks_and_the_menu_request_weight_and_bias_edits(view, qtbot):
    s = snapshot_of(grid())
    view.show_snapshot(s)
    asked = []
    view.ask_value = lambda title, label, value: asked.append((title, label, value)) or 0.25

    hit, p = edge_point(view, lambda h: h.col >= 0)
    with qtbot.waitSignal(view.parameterEditRequested) as signal:
        QTest.mouseDClick(view.graphics.viewport(), LEFT, NO_MOD, p)
    assert signal.args == [hit.layer, "weight", hit.row, hit.col, 0.25]
    assert asked[-1][0] == "Edit weight" and asked[-1][2] == pytest.approx(weight_of(s, hit))

    with qtbot.waitSignal(view.parameterEditRequested) as signal:
        QTest.mouseDClick(view.graphics.viewport(), LEFT, NO_MOD, at(view, view.scene_pos(1, 3)))
    assert signal.args == [0, "bias", 3, 0, 0.25]
    assert asked[-1][2] == pytest.approx(float(s.biases[0][3]))

    hit, p = edge_point(view, lambda h: h.col < 0)
    with qtbot.waitSignal(view.parameterEditRequested) as signal:
        QTest.mouseDClick(view.graphics.viewport(), LEFT, NO_MOD, p)
    assert signal.args == [hit.layer, "bias", hit.row, 0, 0.25]

    with qtbot.assertNotEmitted(view.parameterEditRequested):
        QTest.mouseDClick(view.graphics.viewport(), LEFT, NO_MOD, at(view, view.scene_pos(0, 0)))  # an input

    hit, p = edge_point(view, lambda h: h.col >= 0)
    menu = view.menu_for(view.hit_at(view.graphics.mapToScene(p)))
    assert [a.text() for a in menu.actions()] == ["Edit weight…"]
    view.ask_value = lambda title, label, value: None  # cancelled: nothing is requested
    with qtbot.assertNotEmitted(view.parameterEditRequested):
        menu.actions()[0].trigger()
    view.ask_value = lambda title, label, value: -1.5
    with qtbot.waitSignal(view.parameterEditRequested) as signal:
        menu.actions()[0].trigger()
    assert signal.args == [hit.layer, "weight", hit.row, hit.col, -1.5]


# ---------------------------------------------------------------------- (e) level of detail
def test_a_long_layer_shows_its_most_informative_units_and_expands_on_click(view):
    s = snapshot_of(grid(n_users=10, n_movies=200, density=0.15), steps=2)
    view.show_snapshot(s)
    col = view.frame.columns[0]
    assert len(col.units) == MAX_NODES and col.hidden == 152
    rated = s.trace.rated
    assert rated[col.units].sum() == min(MAX_NODES, rated.sum())  # the rated come first
    assert np.array_equal(view.frame.columns[-1].units, col.units)  # output shows the same movies
    texts = [t for r in view.drawing.labels.runs for t in r.texts]
    assert texts.count("… 152 more") == 2

    marker = view.vb.childGroup.mapToScene(QPointF(col.x, col.marker_y))
    QTest.mouseClick(view.graphics.viewport(), LEFT, NO_MOD, at(view, marker))
    assert len(view.frame.columns[0].units) == 200
    assert len(view.frame.columns[-1].units) == MAX_NODES
    assert len(view.drawing.nodes.points()) == 200 + 4 + 2 + 4 + MAX_NODES

    col = view.frame.columns[0]
    marker = view.vb.childGroup.mapToScene(QPointF(col.x, col.marker_y))
    QTest.mouseClick(view.graphics.viewport(), LEFT, NO_MOD, at(view, marker))
    assert len(view.frame.columns[0].units) == MAX_NODES


def test_the_edge_slider_keeps_the_strongest_edges(view):
    s = snapshot_of(grid(n_users=10, n_movies=200, density=0.15), steps=2, hidden=(40, 20))
    view.show_snapshot(s)
    cols = view.frame.columns
    # every pair of drawn units in adjacent columns, and each drawn unit's bias, is a candidate edge
    n_candidates = sum(len(cols[l + 1].units) * (len(cols[l].units) + 1) for l in range(len(s.weights)))

    # every candidate's strength |w| / max |W_l| (that measure is checked by hand in test_scene_layout.py)
    every = Edges.concat([layer_edges(s, cols, l, view.frame.norms) for l in range(len(s.weights))])
    strength = dict(zip(zip(every.layer.tolist(), every.row.tolist(), every.col.tolist()), every.mag.tolist()))

    def check(n_shown):
        e = view.frame.edges
        assert e.candidates == n_candidates == len(strength) and len(e.w) == n_shown
        drawn = set(zip(e.layer.tolist(), e.row.tolist(), e.col.tolist()))
        assert len(drawn) == n_shown and drawn <= strength.keys()
        assert min(strength[k] for k in drawn) >= max(m for k, m in strength.items() if k not in drawn)

    assert n_candidates > 2_000
    check(2_000)                                          # the default: the 2,000 strongest
    view.edge_slider.setValue(view.edge_slider.maximum())  # |w| at or above the 99.9 % quantile
    check(int(np.ceil(0.001 * n_candidates)))


# ---------------------------------------------------------------------- (f) export
def test_export_writes_png_and_svg(view, tmp_path):
    view.show_snapshot(snapshot_of(grid()))
    png, svg = tmp_path / "net.png", tmp_path / "net.svg"
    view.export(str(png))
    view.export(str(svg))
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 200
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "<path" in text and "input x" in text


# ---------------------------------------------------------------------- (g) every type
@pytest.mark.parametrize("kind", KINDS)
def test_every_type_draws_through_all_its_phases(view, kind):
    t = trainer(grid(), kind=kind, hidden=(8,) if kind == "overcomplete" else (4, 2), pretrain_epochs=1,
                noise_rate=0.5)
    phases = set()
    while t.step_observation():
        s = t.snapshot()
        view.show_snapshot(s)
        phases.add(s.phase.kind)
        if s.rbm is not None:
            assert s.trace is None and view.drawing.band.isVisible()
            assert "RBM visible v" in view.frame.columns[s.rbm.layer].caption
            assert view.frame.values[s.rbm.layer + 1].fill is s.rbm.h0
        if s.phase.kind == "pretrain" and s.trace is not None:
            k = s.phase.layer
            assert view.frame.values[k].fill is s.trace.x_in  # the small autoencoder's input column
            assert view.frame.values[len(s.weights) - k].target is s.trace.x
        if kind == "denoising" and s.trace is not None:
            masked = s.trace.rated & (s.trace.x_in == 0) & (s.trace.x != 0)
            assert len(view.drawing.crosses.points()) == masked.sum()
    assert phases == {"stacked": {"pretrain", "finetune"}, "deep": {"rbm", "finetune"}}.get(kind, {"finetune"})


def test_captions_name_what_the_columns_hold(view):
    """User-based: movies in and out; item-based: a movie enters with its users' ratings."""
    ratings = grid()
    for item_based, features in ((False, "movies"), (True, "users")):
        s = snapshot_of(ratings, item_based=item_based)
        view.show_snapshot(s)
        texts = [t for r in view.drawing.labels.runs for t in r.texts]
        n_in = ratings.n_users if item_based else ratings.n_movies
        assert f"input x\n{n_in} {features} · rating ÷ 5" in texts
        assert any(t.startswith(f"output y\n{n_in} {features}") for t in texts)


def test_a_new_palette_redraws_every_node_in_its_colours(view):
    view.show_snapshot(snapshot_of(grid()))
    pal = view.palette()
    pal.setColor(QPalette.ColorRole.Text, QColor("#ff0000"))
    view.setPalette(pal)  # a dark or light desktop theme arriving
    outlines = {p.pen().color().name() for p in (*view.drawing.nodes.points(), *view.drawing.bias_nodes.points())
                if p.pen().style() == Qt.PenStyle.SolidLine}
    assert outlines == {"#ff0000"}
