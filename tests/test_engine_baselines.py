"""The baselines an autoencoder has to beat, centred inputs, and test cells the network never saw."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aegui.core.data.demo import ml100k_like, synthetic
from aegui.core.data.ratings import Ratings
from aegui.core.data.splits import align, split_random
from aegui.core.engine.baselines import MOVIE_DAMPING, USER_DAMPING, Baseline, baseline_table
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer


def tiny() -> Ratings:
    # users 0, 1; movies 0, 1, 2: μ = (5 + 3 + 4 + 2) / 4 = 3.5
    return Ratings.from_triples(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 2]), np.array([5, 3, 4, 2], np.float32))


def test_biases_by_hand():
    b = Baseline.fit(tiny())
    assert b.mean == 3.5
    # b_i = Σ (r − μ) / (n_i + λ_i)
    np.testing.assert_allclose(b.movie_bias, [(1.5 + 0.5) / (2 + MOVIE_DAMPING), -0.5 / (1 + MOVIE_DAMPING),
                                              -1.5 / (1 + MOVIE_DAMPING)])
    bi = b.movie_bias
    # b_u = Σ (r − μ − b_i) / (n_u + λ_u)
    np.testing.assert_allclose(b.user_bias, [(1.5 - bi[0] + -0.5 - bi[1]) / (2 + USER_DAMPING),
                                             (0.5 - bi[0] + -1.5 - bi[2]) / (2 + USER_DAMPING)])
    p = b.predict(np.array([0, 1, -1, 0]), np.array([2, 1, 0, -1]))
    np.testing.assert_allclose(p, [3.5 + bi[2] + b.user_bias[0], 3.5 + bi[1] + b.user_bias[1],
                                   3.5 + bi[0], 3.5 + b.user_bias[0]])   # −1: not in training, bias 0
    assert b.predict(np.array([0]), np.array([0]), "global mean")[0] == 3.5
    with pytest.raises(ValueError, match="unknown baseline"):
        b.predict(np.array([0]), np.array([0]), "median")


def test_each_baseline_beats_the_one_before_on_held_out_ratings():
    train, test = split_random(ml100k_like(seed=3), 0.1, seed=0)
    table = baseline_table(train, test)
    rmse = [table[name]["test_rmse"] for name in ("global mean", "movie mean", "bias-only")]
    assert rmse[0] > rmse[1] > rmse[2]


def test_a_fresh_centred_network_is_the_baseline():
    train, test = split_random(synthetic(120, 80, density=0.15, seed=1), 0.15, seed=2)
    t = Trainer(train, ModelSpec(hidden=(6,), centered=True), TrainSpec(epochs=1), test=test)
    # a fresh centred network's output layer is zero: it predicts the baseline exactly
    assert t.metrics()["test_rmse"] == pytest.approx(t.baseline.rmse(test), rel=1e-5)
    # inputs: (r − b_ui)/s on rated cells, 0 elsewhere
    x, mask = t.inputs.block(torch.tensor([0]))
    rated = np.flatnonzero(mask[0].numpy())
    r = train.dense_rows(np.array([0]))[0]
    b = t.baseline.predict(np.zeros(len(rated), np.int64), rated)
    b_unclipped = t.baseline.mean + t.baseline.user_bias[0] + t.baseline.movie_bias[rated]
    np.testing.assert_allclose(x[0].numpy()[rated], (r[rated] - b_unclipped) / 5, atol=1e-6)
    assert np.all(x[0].numpy()[np.setdiff1d(np.arange(train.n_movies), rated)] == 0)
    assert b.shape == rated.shape


def test_centred_training_beats_the_baseline_it_starts_from():
    train, test = split_random(synthetic(300, 200, density=0.1, seed=4), 0.1, seed=0)
    t = Trainer(train, ModelSpec(hidden=(20,), centered=True, activation="tanh"),
                TrainSpec(epochs=40, weight_decay=1e-4, validation_fraction=0.05, patience=8), test=test)
    t.run()
    assert t.metrics()["test_rmse"] < t.baseline_rmse()["test"]
    assert math.isfinite(t.history().baseline_test_rmse)


def test_centred_needs_an_output_that_can_go_below_zero():
    with pytest.raises(ValueError, match="output activation"):
        ModelSpec(centered=True, output_activation="sigmoid")


def test_unseen_test_cells_are_predicted_by_the_baseline_and_counted(tmp_path):
    (tmp_path / "u1.base").write_text("".join(f"{u}\t{m}\t{1 + (u * m) % 5}\t0\n" for u in range(1, 9)
                                              for m in range(1, 7) if (u + m) % 3))
    (tmp_path / "u1.test").write_text("1\t3\t4\t0\n2\t2\t3\t0\n99\t1\t5\t0\n3\t77\t1\t0\n")
    from aegui.core.data.readers import load_ratings

    train = load_ratings(tmp_path / "u1.base")
    test, unseen = align(train, load_ratings(tmp_path / "u1.test"))
    assert test.n_ratings == 2 and len(unseen) == 2
    t = Trainer(train, ModelSpec(hidden=(3,)), TrainSpec(epochs=2), test=test, test_unseen=unseen)
    with_unseen = t.metrics()["test_rmse"]
    alone = Trainer(train, ModelSpec(hidden=(3,)), TrainSpec(epochs=2), test=test).metrics()["test_rmse"]
    unseen_se = t.baseline.squared_error(unseen.users, unseen.movies, unseen.values)
    assert with_unseen == pytest.approx(math.sqrt((alone ** 2 * 2 + unseen_se) / 4), rel=1e-6)
    table = baseline_table(train, test, unseen)
    assert t.baseline_rmse()["test"] == pytest.approx(table["bias-only"]["test_rmse"])


def test_a_centred_trace_reads_back_the_ratings_in_stars():
    train = synthetic(60, 30, density=0.3, seed=5)
    t = Trainer(train, ModelSpec(hidden=(4,), centered=True, input_scale=1.0, activation="tanh"), TrainSpec(epochs=1))
    tr = t.trace(3)
    assert tr.in_stars and tr.offset is not None
    rated = tr.rated.astype(bool)
    np.testing.assert_allclose(tr.as_rating(tr.x)[rated], train.dense_rows(np.array([3]))[0][rated], atol=1e-5)
    # the outputs read as ratings are the engine's own predictions (before clipping)
    from aegui.core.engine.predict import reconstruct

    np.testing.assert_allclose(tr.as_rating(tr.post[-1]), reconstruct(t.network, t.inputs, np.array([3]))[0],
                               atol=1e-4)


def test_a_centred_export_predicts_what_the_engine_predicts(tmp_path):
    import json

    from aegui.core.engine.predict import reconstruct

    train = synthetic(50, 20, density=0.4, seed=6)
    t = Trainer(train, ModelSpec(hidden=(5,), centered=True, input_scale=1.0, activation="tanh"), TrainSpec(epochs=3))
    t.run()
    pt, js = t.export_model(str(tmp_path / "model"))
    spec = json.loads(js.read_text())
    acts = {"tanh": torch.nn.Tanh, "identity": torch.nn.Identity}
    net = torch.nn.Sequential(*[m for layer in spec["layers"]
                                for m in (torch.nn.Linear(layer["in"], layer["out"]), acts[layer["activation"]]())])
    net.load_state_dict(torch.load(pt, weights_only=True))
    base = spec["baseline"]
    r = train.to_dense()
    b = base["mean"] + np.array([base["row_bias"][u] for u in train.user_ids])[:, None] + np.array(base["column_bias"])
    x = np.where(r > 0, (r - b) / spec["input_scale"], 0.0)
    with torch.no_grad():
        predicted = b + spec["input_scale"] * net(torch.as_tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(predicted, reconstruct(t.network, t.inputs, np.arange(train.n_users)), atol=1e-4)


def test_early_stopping_never_ends_worse_than_where_it_began():
    train, test = split_random(synthetic(80, 40, density=0.3, seed=8), 0.15, seed=1)
    # a step far too large: every epoch is worse than the baseline the centred network starts at
    t = Trainer(train, ModelSpec(hidden=(30,), centered=True, input_scale=1.0, activation="tanh"),
                TrainSpec(lr=5.0, epochs=6, validation_fraction=0.1, patience=2), test=test)
    start = t.network.params.clone()
    t.run()
    assert "stopped early" in t.message
    assert torch.equal(t.network.params, start)
    assert t.metrics()["test_rmse"] == pytest.approx(t.baseline.rmse(test), rel=1e-5)
