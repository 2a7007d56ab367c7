"""The engine's maths: gradients against autograd and finite differences, optimisers against torch.optim,
the trainer's updates against both, CD-k against its formula, and the seed's 4-2-4 example."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aegui.core.data.ratings import Ratings
from aegui.core.engine import activations as act
from aegui.core.engine.network import Network
from aegui.core.engine.objective import Penalty, _contractive_from, evaluate
from aegui.core.engine.observations import Observations
from aegui.core.engine.optimizers import FlatOptimizer
from aegui.core.engine.rbm import RBM
from aegui.core.engine.seed_example import seed_network, seed_pass
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer


def make_batch(b=5, m=7, seed=0, density=0.5):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(1, 6, (b, m), generator=g).double() / 5
    mask = (torch.rand((b, m), generator=g) < density).double()
    mask[:, 0] = 1  # every row has a rating
    return x * mask, mask


def make_net(sizes, hidden_act, out_act, seed=1):
    n = len(sizes) - 1
    net = Network(sizes, [hidden_act] * (n - 1) + [out_act], dtype=torch.float64)
    net.init_(torch.Generator().manual_seed(seed))
    with torch.no_grad():
        net.params.add_(torch.randn(net.n_params, generator=torch.Generator().manual_seed(seed + 1),
                                    dtype=torch.float64) * 0.1)  # non-zero biases too
    return net


def total_loss(net, x_in, x, mask, penalty):
    return evaluate(net, x_in, x, mask, penalty, gradient=False).loss


def autograd_loss(net, x_in, x, mask, penalty, flat):
    """The same objective written with plain torch ops on autograd leaves (an independent definition)."""
    ws, bs = net.split(flat)
    h = x_in
    hs = [h]
    for l, (w, b) in enumerate(zip(ws, bs)):
        h = act.forward(net.activations[l], h @ w.t() + b)
        hs.append(h)
    e = (h - x) * mask
    loss = (e ** 2).sum() / mask.sum()
    z = hs[penalty.code_layer]
    if penalty.kl_weight:
        rho, rho_hat = penalty.kl_target, z.mean(0)
        loss = loss + penalty.kl_weight * (rho * torch.log(rho / rho_hat)
                                           + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()
    if penalty.l1_weight:
        loss = loss + penalty.l1_weight * z.abs().sum() / z.shape[0]
    if penalty.contractive_weight:
        # exact Jacobian by autograd, sample by sample: ∂z_b/∂x_b
        jac = 0
        for b in range(x_in.shape[0]):
            xb = x_in[b:b + 1].detach().requires_grad_()
            hb = xb
            for l in range(penalty.code_layer):
                hb = act.forward(net.activations[l], hb @ ws[l].t() + bs[l])
            rows = [torch.autograd.grad(hb[0, j], xb, create_graph=True)[0] for j in range(hb.shape[1])]
            jac = jac + (torch.cat(rows) ** 2).sum()
        loss = loss + penalty.contractive_weight * jac / x_in.shape[0]
    return loss


CASES = [
    ("basic-sigmoid", (7, 4, 3, 4, 7), "sigmoid", "identity", Penalty(2)),
    ("basic-tanh", (7, 5, 7), "tanh", "sigmoid", Penalty(1)),
    ("basic-relu", (7, 6, 7), "relu", "identity", Penalty(1)),
    ("identity", (7, 3, 7), "identity", "identity", Penalty(1)),
    ("sparse-kl-l1", (7, 9, 7), "sigmoid", "identity", Penalty(1, kl_weight=0.3, kl_target=0.1, l1_weight=0.05)),
    ("sparse-deep", (7, 5, 3, 5, 7), "sigmoid", "sigmoid", Penalty(2, kl_weight=0.2, kl_target=0.2)),
    ("contractive-1", (7, 4, 7), "sigmoid", "identity", Penalty(1, contractive_weight=0.5)),
    ("contractive-2", (7, 5, 3, 5, 7), "tanh", "identity", Penalty(2, contractive_weight=0.3)),
]


@pytest.mark.parametrize("name,sizes,hidden,out,penalty", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_autograd_and_finite_differences(name, sizes, hidden, out, penalty):
    net = make_net(sizes, hidden, out)
    x, mask = make_batch(m=sizes[0])
    x_in = x.clone()
    if name.startswith("basic-tanh"):  # denoising: the input is corrupted, the target clean
        x_in = x * (torch.rand(x.shape, generator=torch.Generator().manual_seed(3)) > 0.3).double()
    evaluate(net, x_in, x, mask, penalty)
    manual = net.grad.clone()

    flat = net.params.detach().clone().requires_grad_()
    autograd_loss(net, x_in, x, mask, penalty, flat).backward()
    assert torch.allclose(manual, flat.grad, rtol=1e-7, atol=1e-9)

    # central finite differences on every parameter of a small net
    eps = 1e-6
    theta = net.params
    numeric = torch.empty_like(theta)
    for k in range(theta.numel()):
        old = float(theta[k])
        theta[k] = old + eps
        up = total_loss(net, x_in, x, mask, penalty)
        theta[k] = old - eps
        down = total_loss(net, x_in, x, mask, penalty)
        theta[k] = old
        numeric[k] = (up - down) / (2 * eps)
    assert torch.allclose(manual, numeric, rtol=1e-5, atol=1e-7), (manual - numeric).abs().max()


def test_loss_is_the_seed_formula_on_rated_cells_only():
    net = make_net((6, 3, 6), "sigmoid", "identity")
    x = torch.tensor([[0.8, 0.0, 0.2, 0.0, 1.0, 0.0]], dtype=torch.float64)
    mask = (x > 0).double()
    ev = evaluate(net, x, x, mask, Penalty(1), gradient=False)
    y = net.forward(x)[-1][0]
    rated = [0, 2, 4]
    expected = sum(float(x[0, i] - y[i]) ** 2 for i in rated) / 3
    assert ev.reconstruction == pytest.approx(expected, rel=1e-12)
    assert ev.n_rated == 3
    assert torch.all(ev.error[0, [1, 3, 5]] == 0)


def test_contractive_penalty_equals_explicit_jacobian():
    net = make_net((6, 4, 3, 4, 6), "sigmoid", "identity")
    x, _ = make_batch(b=3, m=6)
    leaves = [(w, b) for w, b in zip(net.weights[:2], net.biases[:2])]
    fast = float(_contractive_from(net, x, 2, leaves))
    total = 0.0
    for b in range(3):
        jac = torch.autograd.functional.jacobian(lambda v: net.forward(v.unsqueeze(0), stop=2)[-1][0], x[b])
        total += float((jac ** 2).sum())
    assert fast == pytest.approx(total / 3, rel=1e-10)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_flat_optimizers_match_torch_optim(name):
    net = make_net((6, 4, 6), "sigmoid", "identity")
    torch_params = [p.detach().clone().requires_grad_() for p in net.weights + net.biases]
    weights, biases = torch_params[:2], torch_params[2:]
    kwargs = {"lr": 0.05}
    if name == "sgd":
        cls, kwargs["momentum"] = torch.optim.SGD, 0.9
    elif name == "rmsprop":
        cls = torch.optim.RMSprop
    else:
        cls = torch.optim.Adam
    reference = cls([{"params": weights, "weight_decay": 0.1}, {"params": biases, "weight_decay": 0.0}], **kwargs)
    mine = FlatOptimizer(name, net.params, net.decay_mask, weight_decay=0.1, **kwargs)
    g = torch.Generator().manual_seed(5)
    for _ in range(6):
        grad = torch.randn(net.n_params, generator=g, dtype=torch.float64)
        ws, bs = net.split(grad)
        for p, gp in zip(torch_params, ws + bs):
            p.grad = gp.clone()
        reference.step()
        mine.step(grad.clone())
    flat_reference = torch.cat([p.detach().reshape(-1) for pair in zip(weights, biases) for p in pair])
    assert torch.allclose(net.params, flat_reference, rtol=1e-10, atol=1e-12)


def test_evaluate_without_keeping_the_error_gives_the_same_gradient():
    net = make_net((7, 5, 3, 5, 7), "sigmoid", "identity")
    x, mask = make_batch()
    penalty = Penalty(2, kl_weight=0.2, kl_target=0.2)
    kept = evaluate(net, x, x, mask, penalty)
    grad = net.grad.clone()
    lean = evaluate(net, x, x, mask, penalty, keep_error=False)
    assert lean.error is None and lean.loss == kept.loss
    assert torch.equal(net.grad, grad)


def test_masks_are_the_rated_cells_cached_or_not():
    rng = np.random.default_rng(2)
    values = rng.integers(1, 11, (9, 6)) / 2  # half stars
    values[rng.random(values.shape) < 0.5] = 0
    ratings = Ratings.from_dense(values)
    rows = torch.tensor([4, 0, 7])
    cached, streamed = Observations(ratings), Observations(ratings, cache_cells=0)
    for obs in (cached, streamed):
        x, mask = obs.block(rows)
        assert torch.equal(mask, (torch.from_numpy(values[[4, 0, 7]]) > 0).float())
        assert torch.equal(x, torch.from_numpy(values[[4, 0, 7]] / 5).float())
    assert torch.equal(cached.block(rows[:1])[1], streamed.block(rows[:1])[1])


def ratings_grid(n_users=24, n_movies=10, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, (n_users, n_movies)).astype(float)
    values[rng.random(values.shape) > 0.5] = 0
    values[:, 0] = np.where(values[:, 0] == 0, 3, values[:, 0])
    return Ratings.from_dense(values)


UPDATE_CASES = [
    ("basic", {}, "rmsprop"),
    ("overcomplete", {"hidden": (14,)}, "adam"),
    ("sparse", {"sparsity_weight": 0.3, "l1_weight": 0.05}, "rmsprop"),
    ("denoising", {"noise": "mask"}, "adam"),
    ("denoising", {"noise": "gaussian", "noise_rate": 0.1}, "sgd"),
    ("contractive", {"contractive_weight": 0.2}, "rmsprop"),
    ("stacked", {}, "adam"),  # its first pre-training stage: a shallow autoencoder on the ratings
    ("deep", {"pretrain_epochs": 0, "output_activation": "sigmoid"}, "sgd"),
]


@pytest.mark.parametrize("kind,extra,optimizer", UPDATE_CASES,
                         ids=[f"{k}-{e.get('noise', '')}{o}" for k, e, o in UPDATE_CASES])
def test_trainer_updates_equal_autograd_and_torch_optim(kind, extra, optimizer):
    """The trainer's update (written-out backward pass, fused optimiser kernels, masks made as sign(x),
    ∂L/∂y made in place) moves θ as autograd and torch.optim do, over several batches and two epochs."""
    model = ModelSpec(kind=kind, **{"hidden": (6, 3), **extra})
    t = Trainer(ratings_grid(), model, TrainSpec(mode="minibatch", batch_size=8, optimizer=optimizer, lr=0.01,
                                                 weight_decay=0.01, epochs=5, seed=4))
    stage = t.stage
    net = stage.network
    weights = [w.detach().clone().requires_grad_() for w in net.weights]
    biases = [b.detach().clone().requires_grad_() for b in net.biases]
    cls, kwargs = {"sgd": (torch.optim.SGD, {"momentum": 0.9}), "rmsprop": (torch.optim.RMSprop, {}),
                   "adam": (torch.optim.Adam, {})}[optimizer]
    reference = cls([{"params": weights, "weight_decay": 0.01}, {"params": biases, "weight_decay": 0.0}],
                    lr=0.01, **kwargs)
    for _ in range(6):
        _, _, x, _, x_in = t._current_batch()  # the batch (and its corruption) the update will use
        flat = torch.cat([p.reshape(-1) for pair in zip(weights, biases) for p in pair])
        reference.zero_grad()
        autograd_loss(net, x_in, x, (x > 0).to(x.dtype), stage.penalty, flat).backward()
        reference.step()
        t.step_batch()
    assert t.stage is stage and t.steps == 6
    expected = torch.cat([p.detach().reshape(-1) for pair in zip(weights, biases) for p in pair])
    torch.testing.assert_close(net.params, expected, rtol=1e-4, atol=1e-5)


def test_cd1_update_follows_the_formula():
    g = torch.Generator().manual_seed(0)
    rbm = RBM(5, 3, g, dtype=torch.float64)
    v0 = torch.rand((4, 5), generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    rated = (v0 > 0.3).double()
    v0 = v0 * rated
    w, b, c = rbm.weight.clone(), rbm.hidden_bias.clone(), rbm.visible_bias.clone()
    state = g.get_state()
    chain = rbm.cd_step(v0, rated, k=1, lr=0.1)
    # replay the chain by hand from the same random state
    g2 = torch.Generator()
    g2.set_state(state)
    h0 = torch.sigmoid(v0 @ w.t() + b)
    hs = (torch.rand(h0.shape, generator=g2, dtype=torch.float64) < h0).double()
    v1 = torch.sigmoid(hs @ w + c) * rated
    h1 = torch.sigmoid(v1 @ w.t() + b)
    assert torch.allclose(chain["h0_sample"], hs)
    assert torch.allclose(rbm.weight, w + 0.1 / 4 * (h0.t() @ v0 - h1.t() @ v1))
    assert torch.allclose(rbm.hidden_bias, b + 0.1 / 4 * (h0 - h1).sum(0))
    assert torch.allclose(rbm.visible_bias, c + 0.1 / 4 * ((v0 - v1) * rated).sum(0))
    assert torch.all(chain["vk"][rated == 0] == 0)  # missing ratings are not reconstructed


def test_seed_example_numbers():
    for k in range(4):
        x = np.eye(4)[k]
        p = seed_pass(x)
        np.testing.assert_array_equal(p.argmax, x)  # every one-hot input reconstructs itself
    p = seed_pass([1, 0, 0, 0])
    np.testing.assert_array_equal(p.hidden, [1, 1])
    np.testing.assert_array_equal(p.output, [2, 0, 0, -2])
    e = np.exp([2.0, 0.0, 0.0, -2.0])
    np.testing.assert_allclose(p.softmax, e / e.sum(), rtol=1e-12)
    np.testing.assert_allclose(p.softmax, [0.7758, 0.1050, 0.1050, 0.0142], atol=5e-5)
    cold = seed_pass([1, 0, 0, 0], temperature=0.05)
    assert cold.softmax[0] > 0.999999  # softmax tends to the arg-max as T → 0
    hot = seed_pass([1, 0, 0, 0], temperature=100.0)
    assert np.ptp(hot.softmax) < 0.02  # and to uniform as T grows


def test_seed_biases_shift_the_output():
    net = seed_network(output_bias=(0.0, 3.0, 0.0, 0.0))
    p = seed_pass([1, 0, 0, 0], network=net)
    np.testing.assert_array_equal(p.output, [2, 3, 0, -2])
    np.testing.assert_array_equal(p.argmax, [0, 1, 0, 0])  # with this bias the input is no longer reproduced
