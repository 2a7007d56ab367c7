"""What the trained network says (insight, a new user's encoding, the exported model) and the timeline."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from aegui.core.data.ratings import Ratings
from aegui.core.data.splits import split_random
from aegui.core.engine import timeline as timeline_module
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer

ACT = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "identity": lambda a: a, "relu": lambda a: np.maximum(a, 0),
       "tanh": np.tanh}


def grid(n_users=30, n_movies=12, seed=0):
    rng = np.random.default_rng(seed)
    values = np.clip(np.round(3 + rng.normal(size=(n_users, 2)) @ rng.normal(size=(2, n_movies))), 1, 5)
    values[rng.random((n_users, n_movies)) > 0.55] = 0
    values[:, 0] = np.where(values[:, 0] == 0, 4, values[:, 0])
    return Ratings.from_dense(values)


def numpy_pass(snapshot, x):
    """``[h_1 … h_L]`` computed here from the snapshot's numbers: an independent forward pass."""
    hs, h = [], x
    for w, b, act in zip(snapshot.weights, snapshot.biases, snapshot.activations):
        h = ACT[act](h @ w.T.astype(np.float64) + b)
        hs.append(h)
    return hs


def trained(kind="basic", epochs=4, **model):
    ratings = grid()
    train, test = split_random(ratings, 0.2, seed=1)
    spec = ModelSpec(kind=kind, hidden=model.pop("hidden", (6, 3)), pretrain_epochs=2, **model)
    t = Trainer(train, spec, TrainSpec(mode="minibatch", batch_size=8, epochs=epochs, seed=2), test=test)
    for _ in range(epochs):
        t.step_epoch()
    return t, train, test


def test_insight_codes_predictions_and_recommendations_follow_the_weights():
    t, train, test = trained()
    user = 3
    ins = t.insight(user, top=4, min_ratings=1)
    s = t.snapshot()
    x = train.to_dense() / 5.0
    hs = numpy_pass(s, x)
    assert len(ins.codes) == 3 and ins.code_layer == 1
    np.testing.assert_array_equal(ins.rows, np.arange(train.n_users))
    for got, want in zip(ins.codes, hs[:-1]):
        np.testing.assert_allclose(got, want, atol=1e-5)
    np.testing.assert_allclose(ins.mean_activation[1], hs[1].mean(0), atol=1e-5)
    np.testing.assert_array_equal(ins.dormant[1], hs[1].mean(0) < t.model.sparsity_target / 10)
    pred = np.clip(5 * hs[-1][user], train.values.min(), train.values.max())
    np.testing.assert_allclose(ins.user_predictions, pred, atol=1e-4)
    np.testing.assert_array_equal(ins.user_ratings, train.to_dense()[user])
    np.testing.assert_array_equal(ins.user_test, test.to_dense()[user] if user < test.n_users else 0)
    for got, values in zip(ins.user_rmse, (ins.user_ratings, ins.user_test)):
        cells = values > 0
        assert cells.any() and np.isclose(got, np.sqrt(np.mean((pred[cells] - values[cells]) ** 2)), atol=1e-4)
    rated = train.to_dense()[user] > 0
    movies = [r.movie for r in ins.recommendations]
    assert len(movies) == 4 and not rated[movies].any()
    best = np.sort(pred[~rated])[::-1][:4]
    np.testing.assert_allclose([r.predicted for r in ins.recommendations], best, atol=1e-4)
    assert [r.n_ratings for r in ins.recommendations] == list(train.ratings_per_movie[movies])
    assert ins.min_ratings == 1 and list(ins.movie_ratings) == list(train.ratings_per_movie)
    with pytest.raises(ValueError, match="user 31 does not exist"):
        t.insight(30)


def test_dormant_units_are_the_switched_off_ones():
    t, *_ = trained("sparse", hidden=(8,), activation="relu", sparsity_weight=0.0, l1_weight=0.01)
    with torch.no_grad():  # switch unit 2 off for good: every pre-activation negative
        t.network.weights[0][2].zero_()
        t.network.biases[0][2] = -1.0
    ins = t.insight(0)
    assert ins.dormant[0][2] and ins.mean_activation[0][2] == 0


def test_a_new_user_is_encoded_without_training():
    t, train, _ = trained()
    before = t.network.params.clone()
    row = train.to_dense()[5]
    enc = t.encode(row)
    assert torch.equal(t.network.params, before)
    np.testing.assert_allclose(enc.predictions, t.insight(5).user_predictions, atol=1e-5)
    np.testing.assert_allclose(enc.codes[enc.code_layer], t.insight(5).codes[1][5], atol=1e-6)
    only_one = np.zeros(train.n_movies, np.float32)
    only_one[2] = 5
    assert not np.allclose(t.encode(only_one).predictions, enc.predictions)
    with pytest.raises(ValueError, match="rates 12 movies, got 3"):
        t.encode(np.ones(3))
    with pytest.raises(Exception, match="7"):
        t.encode(np.full(train.n_movies, 7.0))


def test_item_based_networks_cannot_encode_a_new_user():
    t, *_ = trained(item_based=True)
    with pytest.raises(ValueError, match="item-based"):
        t.encode(np.zeros(12))
    ins = t.insight(2)  # the user's predictions come from the movies' reconstructions
    assert ins.user_predictions.shape == (12,) and ins.codes[0].shape[0] == 12


def test_the_exported_model_loads_with_plain_torch(tmp_path):
    t, train, _ = trained()
    pt, js = t.export_model(str(tmp_path / "model"))
    assert pt.name == "model.pt" and js.name == "model.json"
    spec = json.loads(js.read_text())
    acts = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "identity": torch.nn.Identity}
    net = torch.nn.Sequential(*[m for layer in spec["layers"]
                                for m in (torch.nn.Linear(layer["in"], layer["out"]), acts[layer["activation"]]())])
    net.load_state_dict(torch.load(pt, weights_only=True))
    x = torch.as_tensor(train.to_dense() / spec["input_scale"], dtype=torch.float32)
    with torch.no_grad():
        torch.testing.assert_close(net(x), t.network.forward(x)[-1])
    assert spec["inputs"] == list(train.movie_ids) and spec["orientation"] == "user-based"


def test_the_timeline_records_epochs_and_shows_the_past():
    t, *_ = trained(epochs=4)
    s = t.snapshot()
    assert [p.label for p in s.timeline] == ["start", "epoch 1", "epoch 2", "epoch 3", "epoch 4"]
    present = t.network.params.clone()
    t.view(2)
    s = t.snapshot()
    assert s.state == "viewing" and s.viewing == 2 and s.epoch == 2
    np.testing.assert_array_equal(np.concatenate([w.ravel() for w in s.weights]),
                                  np.concatenate([w.ravel() for w in t.network.split(t.timeline.points[2].params)[0]]))
    assert t.insight(0).epoch == 2
    with pytest.raises(ValueError, match="past"):
        t.set_parameter(0, "weight", 0, 0, 1.0)
    assert torch.equal(t.present_network().params, present)   # what a session saves: the present
    t.view(None)
    assert torch.equal(t.network.params, present) and t.snapshot().viewing is None
    t.set_training(t.training.with_(epochs=8))
    steps = t.steps
    t.view(1)
    assert t.step_batch()  # training goes back to the present first
    assert t.viewing is None and t.steps == steps + 1


def test_branching_cuts_the_history_and_trains_on_from_that_point():
    t, *_ = trained(epochs=6)
    abandoned = t.history()
    point = t.timeline.points[2]
    t.branch(2)
    assert torch.equal(t.network.params, point.params)
    assert t.epoch == 2 and t.steps == point.step and len(t.history().epoch_train_rmse) == 2
    assert len(t.timeline.points) == 3 and t.state == "paused"
    (branch,) = t.snapshot().branches
    assert branch.at_epoch == 2
    np.testing.assert_array_equal(branch.history.epoch_train_rmse, abandoned.epoch_train_rmse)
    assert max(t.history().step_index) <= point.step
    while t.step_epoch():
        pass
    assert t.state == "finished" and len(t.history().epoch_train_rmse) == 6
    assert [p.label for p in t.timeline.describe()][-1] == "epoch 6"


def test_branching_back_into_pretraining_restores_that_stage():
    t, *_ = trained("stacked", epochs=2)
    t.step_epoch()
    t.step_epoch()
    phases = [p.phase for p in t.timeline.points]
    assert phases[:3] == [0, 0, 0] and t.phase_index == 2   # layer 1 for 2 epochs, then layer 2 …
    k = 1                                                # layer 1 pre-training, epoch 1
    t.branch(k)
    assert t.phase_index == 0 and t.epoch == 1 and t.stage.info.kind == "pretrain"
    torch.testing.assert_close(t.stage.network.weights[0], t.network.weights[0])
    torch.testing.assert_close(t.stage.network.weights[1], t.network.weights[-1])
    while t.step_epoch():
        pass
    assert t.state == "finished" and len(t.history().epoch_train_rmse) == 2 + 2 + 2


def test_the_timeline_thins_itself_evenly_under_its_cap(monkeypatch):
    monkeypatch.setattr(timeline_module, "MAX_POINTS", 5)
    t, *_ = trained(epochs=12)
    serials = [p.serial for p in t.timeline.points]
    assert len(serials) <= 5 and serials[0] == 0
    assert np.unique(np.diff(serials)).size == 1      # evenly spread
    assert serials[-1] + t.timeline.stride > 12        # up to the last epoch the stride allows


def test_stepping_shows_the_observation_just_trained_then_the_selected_one_again():
    ratings = grid()
    t = Trainer(ratings, ModelSpec(kind="denoising", hidden=(5,)), TrainSpec(mode="online", epochs=3, seed=4))
    t.display_observation = 2
    stepped = []
    for _ in range(4):
        t.step_observation()
        stepped.append(int(t._order[t.position - 1]))
        s = t.snapshot()
        assert s.trace.observation == stepped[-1]           # the real pass of the one trained …
        assert s.trace is t._trace                          # … with the corruption it was trained on
    assert len(set(stepped)) > 1
    t.display_observation = 2                               # a selection shows that user at once
    assert t.snapshot().trace.observation == 2
    t.step_observation()
    t.step_batch()                                          # after a whole batch: the selected one again
    assert t.snapshot().trace.observation == 2
