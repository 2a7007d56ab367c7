"""The drawn network as numbers, without Qt: where columns and units sit, which units a long column
shows, which edges are kept and how strong, what lies under a point, and how units are named. Expected
values are written out by hand or follow from weights built for the purpose."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aegui.core.data.demo import load_demo
from aegui.core.data.ratings import Ratings
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer
from aegui.core.layout import (MAX_EDGES, MAX_NODES, Edges, Frame, Hit, WeightNorms, edit_target, layer_edges,
                               strongest)
from aegui.core.scene import captions, unit_name


def snapshot(n_movies=6, hidden=(4, 2), n_users=8, ratings: Ratings | None = None):
    if ratings is None:
        rng = np.random.default_rng(0)
        g = rng.integers(1, 6, size=(n_users, n_movies)).astype(float)
        g[:, 0] = 3
        ratings = Ratings.from_dense(g)
    t = Trainer(ratings, ModelSpec(hidden=hidden), TrainSpec(epochs=2, batch_size=4))
    t.step_observation()
    return t.snapshot()


def with_weights(s, weights, biases=None):
    biases = biases if biases is not None else [np.zeros(w.shape[0]) for w in weights]
    return dataclasses.replace(s, weights=tuple(np.asarray(w, float) for w in weights),
                               biases=tuple(np.asarray(b, float) for b in biases))


# ---------------------------------------------------------------------- columns
def test_columns_stand_at_their_index_with_units_centred_one_apart():
    f, _ = Frame.build(snapshot(), set(), None)      # sizes 6, 4, 2, 4, 6
    assert [c.x for c in f.columns] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert np.allclose(f.columns[1].y, [-1.5, -0.5, 0.5, 1.5])
    assert np.allclose(f.columns[2].y, [-0.5, 0.5])
    assert f.columns[1].bias_y == pytest.approx(-3.5)       # two spacings above the first unit
    assert [c.has_bias for c in f.columns] == [True, True, True, True, False]
    assert not any(c.has_marker for c in f.columns)
    assert f.columns[3].row_of(2) == 2 and f.columns[3].row_of(7) == -1
    assert list(f.node_column) == [0] * 6 + [1] * 4 + [2] * 2 + [3] * 4 + [4] * 6


def test_an_expanded_column_packs_its_units_into_the_span():
    s = snapshot(n_movies=100, hidden=(3,))
    f, _ = Frame.build(s, {0}, None)
    col = f.columns[0]
    assert len(col.units) == 100 and col.spacing == pytest.approx(0.64)   # 64 / 100
    assert col.y[0] == pytest.approx(-49.5 * 0.64) and col.y[-1] == pytest.approx(49.5 * 0.64)
    assert col.bias_y == pytest.approx(-49.5 * 0.64 - 1.4)                 # spacings count as 0.7 at least
    assert col.marker_y == pytest.approx(49.5 * 0.64 + 0.7) and col.has_marker and col.hidden == 0
    assert len(f.columns[-1].units) == MAX_NODES and f.columns[-1].hidden == 52


def test_long_columns_show_the_rated_movies_and_the_units_of_largest_weights():
    """Movie i has every weight ∝ (i + 1), hidden unit j every weight ∝ g_j: the shown movies are the
    three rated ones (the smallest weights) and the 45 of largest index; the shown hidden units those
    with g_j = 1."""
    s = snapshot(n_movies=60, hidden=(60,))
    a = (np.arange(60) + 1) / 60
    dropped = [1, 7, 13, 22, 30, 31, 40, 41, 50, 51, 58, 59]
    g = np.where(np.isin(np.arange(60), dropped), 0.5, 1.0)
    w1 = g[:, None] * a[None, :]           # (hidden, movies)
    s = with_weights(s, [w1, w1.T.copy()])
    rated = np.zeros(60, bool)
    rated[[0, 1, 2]] = True
    s = dataclasses.replace(s, trace=dataclasses.replace(s.trace, rated=rated))
    f, _ = Frame.build(s, set(), None)
    assert list(f.columns[0].units) == [0, 1, 2] + list(range(15, 60))
    assert np.array_equal(f.columns[2].units, f.columns[0].units)
    assert list(f.columns[1].units) == [j for j in range(60) if j not in dropped]
    assert f.columns[0].hidden == 12


# ---------------------------------------------------------------------- edges
def small():
    """A 2-2-2 network with ``W_1 = [[1, −2], [0.5, 4]]``, ``b_1 = [8, −1]``."""
    s = snapshot(n_movies=2, hidden=(2,))
    return with_weights(s, [[[1, -2], [0.5, 4]], [[1, 0], [0, 1]]], [[8, -1], [0, 0]])


def test_an_edge_is_measured_against_its_layers_largest_weight():
    s = small()
    f, _ = Frame.build(s, set(), None)
    e = layer_edges(s, f.columns, 0, f.norms)     # row by row: from unit 0, unit 1, the bias unit
    assert list(e.row) == [0, 0, 0, 1, 1, 1] and list(e.col) == [0, 1, -1, 0, 1, -1]
    assert list(e.w) == [1, -2, 8, 0.5, 4, -1]
    assert np.allclose(e.mag, [0.25, 0.5, 1.0, 0.125, 1.0, 0.25])   # |w| / 4, a bias capped at 1
    assert list(e.x0) == [0] * 6 and list(e.x1) == [1] * 6
    assert list(e.y0) == [-0.5, 0.5, -2.5, -0.5, 0.5, -2.5]
    assert list(e.y1) == [-0.5, -0.5, -0.5, 0.5, 0.5, 0.5]
    x, y = e.segments(np.array([1, 5]))
    assert list(x) == [0, 1, 0, 1] and list(y) == [0.5, -0.5, -2.5, 0.5]


def test_the_slider_quantile_keeps_the_strongest_edges_never_more_than_the_cap():
    s = small()
    f, _ = Frame.build(s, set(), None)
    e = layer_edges(s, f.columns, 0, f.norms)
    kept = strongest(e, 0.5)                    # ⌈0.5 · 6⌉ = 3 of the largest mag
    assert {(int(r), int(c)) for r, c in zip(kept.row, kept.col)} == {(0, -1), (1, 1), (0, 1)}
    assert strongest(e, 0.0) is e and len(strongest(e, 0.99).w) == 1
    n = MAX_EDGES + 1000
    many = Edges(*[np.zeros(n, np.intp)] * 3, np.arange(n), np.arange(n) / n, *[np.zeros(n)] * 4, n)  # w: its index
    assert sorted(strongest(many, 0.0).w.tolist()) == list(range(1000, n))


def test_the_default_keeps_every_edge_of_a_small_network():
    f, q = Frame.build(small(), set(), None)
    assert q == 0.0 and len(f.edges.w) == f.edges.candidates == 12


def test_norms_are_computed_once_per_version_of_the_weights():
    w = (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, -5.0]]))
    norms = WeightNorms(w)
    assert list(norms.rows(0)) == [5, 25] and list(norms.cols(0)) == [10, 20]
    assert norms.scale(0) == 4 and norms.scale(1) == 5
    assert WeightNorms.of(w, norms) is norms
    assert WeightNorms.of(tuple(a.copy() for a in w), norms) is not norms


# ---------------------------------------------------------------------- hits
def test_a_point_hits_the_nearest_node_a_bias_unit_or_an_edge_within_reach():
    """Data (x, y) at scene (100·x + 10, 100·y + 20); nodes 10 px across: within 7 px of their centre."""
    f, _ = Frame.build(small(), set(), None)
    hit = lambda px, py: f.hit((100.0, 100.0), (10.0, 20.0), px, py, np.full(3, 10.0), 80.0)  # noqa: E731
    assert hit(111, -29) == Hit("node", column=1, unit=0)      # unit 0 of column 1 is at (110, −30)
    assert hit(10, 76) == Hit("node", column=0, unit=1)
    assert hit(12, -229) == Hit("bias", column=0)               # the bias unit at (10, −230)
    assert hit(60, 72) == Hit("edge", layer=0, row=1, col=1)    # 2 px from (10, 70) → (110, 70)
    assert hit(60, 77) is None                                  # 7 px: nothing
    assert hit(500, 500) is None


def test_a_long_column_has_a_marker_under_it():
    f, _ = Frame.build(snapshot(n_movies=60, hidden=(3,)), set(), None)
    col = f.columns[0]
    at = lambda y: f.hit((100.0, 100.0), (0.0, 0.0), 30.0, 100 * y, np.full(3, 10.0), 80.0)  # noqa: E731
    assert at(col.marker_y) == Hit("marker", column=0)           # 30 px right: within 80 / 2
    assert at(col.marker_y + 0.1) is None                        # 10 px below: not


def test_a_hit_edits_a_weight_or_a_bias():
    assert edit_target(Hit("edge", layer=1, row=2, col=3)) == (1, "weight", 2, 3)
    assert edit_target(Hit("edge", layer=1, row=2, col=-1)) == (1, "bias", 2, 0)
    assert edit_target(Hit("node", column=2, unit=4)) == (1, "bias", 4, 0)
    assert edit_target(Hit("node", column=0, unit=4)) is None
    assert edit_target(Hit("bias", column=0)) is None and edit_target(None) is None


# ---------------------------------------------------------------------- names
def test_units_are_named_by_their_movie_or_their_column():
    s = snapshot(ratings=load_demo("seed-toy"))      # 6 movies, hidden 4, 2: the code is column 2
    assert captions(s)[2].startswith("code (bottleneck)\n2 · ")
    assert captions(s)[0] == "input x\n6 movies · rating ÷ 5"
    assert unit_name(s, 0, 0) == "input “The Matrix”" and unit_name(s, 4, 1) == "output “Titanic”"
    assert unit_name(s, 1, 2) == "hidden 1 unit 3" and unit_name(s, 2, 0) == "code (bottleneck) unit 1"
    assert unit_name(s, 3, -1) == "+1 (bias unit)"
