"""The step planner without Qt: which beats a new snapshot walks, how long each takes, which weights the
glow measures from, and what each beat highlights. Expected sequences and numbers are written out."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aegui.core.data.ratings import Ratings
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer
from aegui.core.layout import Frame
from aegui.core.steps import (GLOW_EDGES, Beat, beats, flow_layer, glow_shown, glowing, pending, penalty_text,
                              plan, signal)


def stepped(hidden=(3,), steps=4, kind="basic"):
    """Snapshots of four users (one batch of 4, no shuffle) before and after each single step."""
    rng = np.random.default_rng(0)
    g = rng.integers(1, 6, size=(4, 6)).astype(float)
    g[:, 0] = 3
    t = Trainer(Ratings.from_dense(g), ModelSpec(kind=kind, hidden=hidden, pretrain_epochs=1),
                TrainSpec(epochs=3, batch_size=4, lr=0.05, shuffle=False))
    shots = [t.snapshot()]
    for _ in range(steps):
        t.step_observation()
        shots.append(t.snapshot())
    return shots


def planned(prev, s, interval=0.0):
    return plan(prev, s, Frame.build(s, set(), None)[0].edges, interval)


def test_the_beats_go_left_to_right_then_back():
    assert beats(3, False) == [Beat(2, 0), Beat(3, 1), Beat(4, 2), Beat(5, 2), Beat(6, 2), Beat(6, 1), Beat(7)]
    assert [b.step for b in beats(5, True)] == [2, 3, 3, 4, 4, 5, 6, 6, 6, 6, 7, 8]
    assert [b.level for b in beats(5, True)][:5] == [0, 1, 2, 3, 4]


def test_one_observation_later_walks_its_steps_over_the_single_step_time():
    shots = stepped()
    first = planned(None, shots[1])
    assert first.base == "none" and not first.again and first.beats == ()
    p = planned(shots[1], shots[2])
    assert p.beats == tuple(beats(3, False)) and p.base == "previous" and not p.updated
    assert p.duration_s == 1.2 and p.beat_ms == 171            # 1,200 ms over 7 beats
    last = planned(shots[3], shots[4])                          # the fourth user: the batch and the epoch end
    assert last.updated and last.ended == (1, 3) and last.beats[-1] == Beat(8)


def test_slow_motion_walks_the_steps_only_when_there_is_time_for_them():
    shots = [dataclasses.replace(s, state="running") for s in stepped()]
    p = planned(shots[1], shots[2], interval=0.35)
    assert p.duration_s == pytest.approx(0.28) and p.beat_ms == 40     # 0.8 · 0.35 s over 7 beats
    assert planned(shots[1], shots[2], interval=0.1).beats == ()        # 11 ms a beat: too short
    assert planned(shots[1], shots[2], interval=0.0).beats == ()


def test_the_glow_reference_follows_the_moment():
    shots = stepped()
    s = shots[2]
    again = planned(s, dataclasses.replace(s))
    assert again.again and again.base == "keep"
    w = [np.array(a) for a in s.weights]
    w[0][0, 0] += 1.0
    edited = planned(s, dataclasses.replace(s, weights=tuple(w)))
    assert edited.again and edited.base == "previous"
    assert planned(shots[4], shots[1]).base == "none"                            # back in time
    assert planned(s, dataclasses.replace(s, viewing=0)).base == "none"          # a timeline point
    assert planned(stepped(hidden=(2,))[1], s).base == "none"                    # another network
    assert planned(shots[1], shots[3]).beats == ()                               # two observations on


def test_a_beat_highlights_what_the_pass_has_reached():
    levels = [[0], [1], [2], [3], [4]]
    assert pending(levels, Beat(2, 0)) == {1, 2, 3, 4}
    assert pending(levels, Beat(3, 2)) == {3, 4}
    assert pending(levels, Beat(5, 4)) == set() and pending(levels, None) == set()
    pretrain = [[1], [2, 3], [4]]        # layer 1's small autoencoder in a 5-column network
    assert pending(pretrain, Beat(3, 1)) == {4}
    assert flow_layer([1, 2], Beat(3, 1)) == 1 and flow_layer([1, 2], Beat(6, 2)) == 2
    assert flow_layer([1, 2], Beat(5, 2)) is None and flow_layer([1, 2], None) is None
    assert [glow_shown(b, "paused") for b in (Beat(6, 1), Beat(7), Beat(8), None)] == [False, True, True, False]
    assert glow_shown(None, "running")


def test_the_rings_scale_the_error_and_delta_to_their_largest():
    s = stepped()[1]
    n = s.sizes[-1]
    error = np.zeros(n)
    error[:3] = [0.2, -0.4, 0.1]
    tr = dataclasses.replace(s.trace, error=error, deltas=(np.array([0.0, 0.3, -0.6]), s.trace.deltas[1]))
    values, columns = signal(tr, [[0], [1], [2]], Beat(5, 2))
    assert columns == [2] and np.allclose(values[:3], [0.5, -1.0, 0.25]) and not values[3:].any()
    values, columns = signal(tr, [[0], [1], [2]], Beat(6, 1))
    assert columns == [1] and np.allclose(values, [0.0, 0.5, -1.0])
    assert signal(dataclasses.replace(tr, error=np.zeros(n)), [[0], [1], [2]], Beat(5, 2)) is None
    assert signal(tr, [[0], [1], [2]], Beat(7)) is None


def test_the_edges_that_changed_most_glow():
    assert list(glowing(np.array([0.1, -1.0, 0.6, 0.49, 0.5, 0.0]))) == [1, 2, 4]   # ≥ half the largest
    assert len(glowing(np.zeros(5))) == 0 and len(glowing(np.zeros(0))) == 0
    many = glowing(np.linspace(1.0, 0.9, GLOW_EDGES + 10))
    assert sorted(many.tolist()) == list(range(GLOW_EDGES))


def test_the_penalty_is_named_by_the_type():
    assert penalty_text(ModelSpec(kind="sparse", hidden=(3,)), 0.01234567) == "β·KL = 0.01235"
    assert penalty_text(ModelSpec(kind="contractive", hidden=(3,)), 2.0) == "λ‖J‖²_F = 2"
    assert penalty_text(ModelSpec(hidden=(3,)), 0.0) == "" and penalty_text(None, 0.5) == "penalty = 0.5"
