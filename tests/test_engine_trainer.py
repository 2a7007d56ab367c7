"""The trainer: learning modes, stepping, phases, determinism, divergence, threads and snapshots."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch

from aegui.core.data.ratings import Ratings
from aegui.core.engine.network import Network
from aegui.core.engine.objective import Penalty, evaluate
from aegui.core.engine.spec import KINDS, ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer


def grid(n_users=24, n_movies=10, seed=0, density=0.5):
    rng = np.random.default_rng(seed)
    taste = rng.normal(size=(n_users, 2)) @ rng.normal(size=(2, n_movies))
    values = np.clip(np.round(3 + taste), 1, 5)
    values[rng.random((n_users, n_movies)) > density] = 0
    values[:, 0] = np.where(values[:, 0] == 0, 3, values[:, 0])
    return Ratings.from_dense(values)


def spec(kind="basic", **kw):
    defaults = {"hidden": (6, 3), "pretrain_epochs": 2}
    defaults.update(kw)
    return ModelSpec(kind=kind, **defaults)


@pytest.mark.parametrize("mode,updates", [("online", 24), ("minibatch", 3), ("batch", 1)])
def test_learning_modes_make_the_seeds_number_of_updates(mode, updates):
    t = Trainer(grid(), spec(), TrainSpec(mode=mode, batch_size=10, epochs=3))
    t.step_epoch()
    assert t.steps == updates
    assert t.epoch == 1


def test_stepping_observations_updates_only_when_the_batch_completes():
    ratings = grid()
    a = Trainer(ratings, spec(), TrainSpec(mode="minibatch", batch_size=8, epochs=2, seed=3))
    b = Trainer(ratings, spec(), TrainSpec(mode="minibatch", batch_size=8, epochs=2, seed=3))
    before = a.network.params.clone()
    for _ in range(7):
        a.step_observation()
        assert torch.equal(a.network.params, before)  # steps 2-6 only: no update inside the batch
        assert a._trace is not None
    a.step_observation()  # the 8th closes the batch: one update
    assert a.steps == 1 and not torch.equal(a.network.params, before)
    b.step_batch()
    assert torch.equal(a.network.params, b.network.params)  # the same update as a whole batch


def test_online_trace_is_the_update_it_precedes():
    t = Trainer(grid(), spec(), TrainSpec(mode="online", optimizer="sgd", lr=0.1, momentum=0.0, epochs=1))
    theta = t.network.params.clone()
    t.step_observation()
    tr = t._trace
    grad = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(tr.grad_w, tr.grad_b)])
    np.testing.assert_allclose(t.network.params.numpy(), theta.numpy() - 0.1 * grad, rtol=1e-5, atol=1e-7)
    # the trace's numbers are the formulas: z = f(W1·x + b1), y = g(W2·z + b2), L = 1/n Σ rated e²
    w1, b1 = theta[:60].reshape(6, 10).numpy(), theta[60:66].numpy()
    a1 = w1 @ tr.x_in + b1
    np.testing.assert_allclose(tr.pre[0], a1, rtol=1e-5)
    np.testing.assert_allclose(tr.post[0], 1 / (1 + np.exp(-a1)), rtol=1e-5)
    assert tr.loss == pytest.approx(float((tr.error ** 2).sum() / tr.rated.sum()), rel=1e-5)
    assert tr.n_rated == int(tr.rated.sum())


@pytest.mark.parametrize("kind", KINDS)
def test_every_type_trains_and_lowers_its_error(kind):
    hidden = (14,) if kind in ("overcomplete", "sparse") else (6, 3)
    t = Trainer(grid(40, 10), spec(kind, hidden=hidden), TrainSpec(epochs=40, lr=0.01, batch_size=8))
    assert t.run() == "finished"
    h = t.history()
    finetune = h.epoch_train_rmse[h.epoch_phase == len(t.phases) - 1]
    assert finetune[-1] < finetune[0]
    assert np.isfinite(h.step_loss).all()
    if kind in ("stacked", "deep"):
        assert [p.kind for p in t.phases] == ["pretrain" if kind == "stacked" else "rbm"] * 2 + ["finetune"]


def test_pretraining_writes_the_stages_into_the_whole_network():
    t = Trainer(grid(), spec("stacked"), TrainSpec(epochs=1))
    first = t.stage
    t.step_epoch()
    t.step_epoch()  # layer 1's autoencoder is done: its encoder is W1, its decoder the mirror W4
    assert t.stage.info.layer == 1
    assert torch.equal(t.network.weights[0], first.network.weights[0])
    assert torch.equal(t.network.weights[3], first.network.weights[1])
    assert t.snapshot().trainable == (False, True, True, False)
    d = Trainer(grid(), spec("deep", pretrain_epochs=1), TrainSpec(epochs=1, batch_size=8))
    rbm = d.stage.rbm
    d.step_epoch()
    assert torch.equal(d.network.weights[0], rbm.weight)
    assert torch.equal(d.network.weights[3], rbm.weight.t())  # unrolled: the decoder starts as Wᵀ
    assert torch.equal(d.network.biases[3], rbm.visible_bias)
    assert d.stage.info.kind == "rbm" and d.stage.info.layer == 1 and d.snapshot().rbm is None  # no chain yet
    d.step_batch()
    chain = d.snapshot().rbm   # the second RBM's chain, on the first RBM's hidden probabilities
    assert chain is not None and chain.layer == 1 and chain.v0.shape == (6,) and chain.h0.shape == (3,)


def test_same_seed_same_run_and_display_does_not_disturb_it():
    ratings = grid()
    runs = []
    for look in (False, True):
        t = Trainer(ratings, spec("denoising"), TrainSpec(epochs=3, seed=11))
        while t.step_batch():
            if look:
                t.display_observation = 2
                t.snapshot()  # a view sampling the state must not change training
        runs.append(t.network.params.clone())
    assert torch.equal(runs[0], runs[1])
    other = Trainer(ratings, spec("denoising"), TrainSpec(epochs=3, seed=12))
    other.run()
    assert not torch.equal(runs[0], other.network.params)


def test_divergence_stops_and_keeps_the_last_good_weights():
    events = []
    t = Trainer(grid(), spec(hidden=(6,)), TrainSpec(optimizer="sgd", lr=90.0, momentum=0.0, epochs=50),
                on_event=events.append)
    state = t.run()
    assert state == "diverged"
    assert "diverged" in t.message and "learning rate" in t.message
    assert torch.isfinite(t.network.params).all()
    assert any(e.kind == "diverged" for e in events)
    ev = evaluate(t.network, *_all_rows(t), Penalty(1), gradient=False)
    assert np.isfinite(ev.loss)


def test_divergence_restores_weights_that_were_not_yet_exploding():
    """SGD at a learning rate of 100: the loss grows for a while before it overflows; what is kept is
    the end of the last epoch that ended well (or the start), not the update before the overflow."""
    t = Trainer(grid(), spec(hidden=(6,)), TrainSpec(optimizer="sgd", lr=100.0, momentum=0.0, epochs=50,
                                                     batch_size=4))
    start = evaluate(t.network, *_all_rows(t), Penalty(1), gradient=False).reconstruction
    assert t.run() == "diverged"
    restored = evaluate(t.network, *_all_rows(t), Penalty(1), gradient=False).reconstruction
    assert restored < 10 * start                       # a sane network, not one about to overflow
    assert max(float(b.abs().max()) for b in t.network.biases) < 1e3
    step = int(t.message.split("the weights after update ")[1].split()[0])
    assert step < t.steps and "the last epoch that ended well" in t.message


def _all_rows(t):
    x, mask = t.inputs.block(torch.arange(t.n_obs))
    return x, x, mask


def test_pause_and_stop_from_another_thread():
    t = Trainer(grid(200, 30), spec(), TrainSpec(mode="online", epochs=10_000))
    worker = threading.Thread(target=t.run)
    worker.start()
    time.sleep(0.2)
    t.pause()
    worker.join(2)
    assert not worker.is_alive() and t.state == "paused"
    steps = t.steps
    time.sleep(0.05)
    assert t.steps == steps  # nothing runs while paused
    worker = threading.Thread(target=t.run)
    worker.start()
    time.sleep(0.1)
    t.stop()
    worker.join(2)
    assert not worker.is_alive() and t.state == "stopped" and t.steps > steps


def test_early_stopping_and_metrics_with_a_test_set():
    ratings = grid(80, 12, density=0.7)
    rng = np.random.default_rng(0)
    test_mask = rng.random(ratings.n_ratings) < 0.2
    train, test = ratings.subset(~test_mask), ratings.subset(test_mask)
    t = Trainer(train, spec(hidden=(8,)), TrainSpec(epochs=300, lr=0.05, validation_fraction=0.2, patience=3),
                test=test)
    assert t.run() == "finished"
    assert t.epoch < 300 and "early" in t.message
    m = t.metrics()
    assert all(np.isfinite(m[k]) for k in ("train_rmse", "val_rmse", "test_rmse"))
    best = min(t.history().epoch_val_rmse)
    assert m["val_rmse"] == pytest.approx(best, rel=1e-5)  # the best weights were restored


def test_item_based_orientation():
    ratings = grid(30, 12)
    t = Trainer(ratings, spec(item_based=True), TrainSpec(epochs=2))
    assert (t.n_obs, t.n_features) == (12, 30)
    assert t.network.sizes[0] == 30
    t.run()
    assert np.isfinite(t.metrics()["train_rmse"])


def test_snapshots_are_immutable_copies():
    t = Trainer(grid(), spec(), TrainSpec(epochs=3))
    t.step_batch()
    before = t.snapshot()
    t.step_batch()
    s = t.snapshot()
    assert s.weights[0].shape == (6, 10) and s.biases[0].shape == (6,)
    with pytest.raises(ValueError):
        s.weights[0][0, 0] = 1.0
    np.testing.assert_allclose(s.update_w[0], s.weights[0] - before.weights[0], atol=1e-7)
    kept = s.weights[0].copy()
    t.step_epoch()
    np.testing.assert_array_equal(s.weights[0], kept)


def test_editing_a_weight_is_what_training_continues_from():
    t = Trainer(grid(), spec(), TrainSpec(epochs=3))
    old = t.set_parameter(0, "weight", 2, 3, 0.75)
    assert float(t.network.weights[0][2, 3]) == 0.75 and old != 0.75
    assert t.snapshot().weights[0][2, 3] == 0.75
    t.set_parameter(1, "bias", 1, 0, -0.5)
    assert float(t.network.biases[1][1]) == -0.5
    with pytest.raises(IndexError):
        t.set_parameter(0, "weight", 6, 0, 1.0)
    with pytest.raises(ValueError):
        t.set_parameter(0, "weight", 0, 0, float("nan"))


def test_absurd_settings_are_refused_with_a_message():
    with pytest.raises(ValueError, match="learning rate"):
        TrainSpec(lr=-1)
    with pytest.raises(ValueError, match="hidden layer size"):
        ModelSpec(hidden=(0,))
    with pytest.raises(ValueError, match="sigmoid"):
        ModelSpec(kind="sparse", activation="relu")
    with pytest.raises(ValueError, match="unknown autoencoder type"):
        ModelSpec(kind="fancy")
    with pytest.raises(ValueError, match="epochs"):
        TrainSpec(epochs=10 ** 9)


def test_network_state_dict_loads_into_plain_torch():
    net = Network((5, 3, 5), ("sigmoid", "identity")).init_(torch.Generator().manual_seed(0))
    plain = torch.nn.Module()
    plain.layers = torch.nn.ModuleList([torch.nn.Linear(5, 3), torch.nn.Linear(3, 5)])
    plain.load_state_dict(net.state_dict())
    x = torch.rand(2, 5)
    y = plain.layers[1](torch.sigmoid(plain.layers[0](x)))
    assert torch.allclose(y, net.forward(x)[-1])


def test_core_imports_no_qt():
    code = ("import sys, aegui.core.engine.trainer, aegui.core.data, aegui.cli, aegui.core.layout, aegui.core.steps; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
