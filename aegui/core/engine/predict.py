"""Predictions in rating units: reconstructions, held-out RMSE and recommendations.

The prediction of cell ``(u, i)`` is ``s·y_i`` (``s`` the input scale, 5 by default; centred models add
the baseline ``b_ui``, see :mod:`.observations`) where ``y`` is the network's output for the observation's
*training* input (user ``u``'s row, or movie ``i``'s row when item-based), clipped to the rating range
``[low, high]`` of the training data. A cell whose user or movie has no training rating is predicted by
the bias-only baseline (:mod:`.baselines`): the network knows nothing of it. RMSE over a set ``T`` of
ratings is ``√(1/|T| Σ (pred − r)²)``.
"""

from __future__ import annotations


import numpy as np
import torch

from ..data.ratings import Ratings
from .baselines import Baseline
from .network import Network
from .observations import Observations
from .snapshot import Recommendation, default_min_ratings

CHUNK = 512


def _chunks(rows: np.ndarray, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


@torch.no_grad()
def reconstruct(network: Network, inputs: Observations, rows: np.ndarray) -> np.ndarray:
    """``(len(rows), m)`` unclipped predictions ``s·y`` for the given observation rows."""
    rows = torch.as_tensor(np.asarray(rows, dtype=np.int64))
    x, _ = inputs.block(rows)
    return inputs.to_ratings(network.forward(x)[-1], rows).cpu().numpy()


@torch.no_grad()
def squared_error(network: Network, inputs: Observations, targets: Ratings, low: float, high: float,
                  baseline: Baseline | None = None) -> tuple[float, int]:
    """``(Σ (clip(pred) − r)², |T|)`` over the ratings of ``targets`` (observation-major, same index
    space as ``inputs``), in chunks of rows. With ``baseline`` (oriented as ``inputs``), cells of rows
    or columns without a rating in ``inputs`` are predicted by it."""
    known = inputs.ratings
    unseen = np.zeros(targets.n_ratings, dtype=bool)
    if baseline is not None:
        unseen = ((known.ratings_per_user == 0)[targets.users]
                  | (np.bincount(known.movies, minlength=known.n_movies) == 0)[targets.movies])
    total = baseline.squared_error(targets.users[unseen], targets.movies[unseen], targets.values[unseen]) \
        if unseen.any() else 0.0
    seen = targets.subset(~unseen) if unseen.any() else targets
    for chunk in _chunks(np.flatnonzero(seen.ratings_per_user)):
        index = torch.as_tensor(chunk)
        x, _ = inputs.block(index)
        r, c, v = seen.rows_slice(chunk)
        pred = inputs.to_ratings(network.forward(x)[-1], index)[torch.as_tensor(r), torch.as_tensor(c)]
        d = pred.clamp_(low, high).double() - torch.as_tensor(v, dtype=torch.float64, device=pred.device)
        total += float((d * d).sum())
    return total, targets.n_ratings


@torch.no_grad()
def user_predictions(network: Network, inputs: Observations, user: int, item_based: bool) -> np.ndarray:
    """``(n_movies,)`` unclipped predicted ratings of one user for every movie."""
    if not item_based:
        return reconstruct(network, inputs, np.array([user]))[0]
    out = np.empty(inputs.n, dtype=np.float32)
    for chunk in _chunks(np.arange(inputs.n)):
        index = torch.as_tensor(chunk)
        x, _ = inputs.block(index)
        out[chunk] = inputs.to_ratings(network.forward(x)[-1], index)[:, user].cpu().numpy()
    return out


def recommend_unrated(predictions: np.ndarray, rated: np.ndarray, low: float, high: float, top: int,
                      counts: np.ndarray, min_ratings: int | None = None) -> list[Recommendation]:
    """The ``top`` movies with ``rated`` false and at least ``min_ratings`` training ratings (``counts``,
    ``(n_movies,)``; ``None``: :func:`~.snapshot.default_min_ratings` of ``counts``), ranked by the
    unclipped ``(n_movies,)`` predictions (so that movies above the top of the scale still differ; ties
    go to the lower index) and reported clipped to ``[low, high]``, ``clipped`` when above ``high``."""
    counts = np.asarray(counts)
    least = resolve_min_ratings(min_ratings, counts)
    candidates = np.flatnonzero(~np.asarray(rated, dtype=bool) & (counts >= least))
    best = candidates[np.lexsort((candidates, -predictions[candidates]))[:max(top, 0)]]
    return [Recommendation(int(m), float(np.clip(predictions[m], low, high)), int(counts[m]),
                           bool(predictions[m] > high)) for m in best]


def resolve_min_ratings(min_ratings: int | None, counts: np.ndarray) -> int:
    """``min_ratings`` as asked (at least 0), or the default rule on ``counts`` when ``None``."""
    if min_ratings is None:
        return default_min_ratings(counts)
    if int(min_ratings) < 0:
        raise ValueError(f"the minimum number of ratings cannot be negative ({min_ratings})")
    return int(min_ratings)


def recommend(predictions: np.ndarray, train: Ratings, user: int, top: int = 10,
              min_ratings: int | None = None) -> list[Recommendation]:
    """:func:`recommend_unrated` for a user of ``train`` (its rating range, their rated movies, each
    movie's number of ratings in ``train``)."""
    rated = np.zeros(train.n_movies, dtype=bool)
    rated[train.movies[train.user_indptr[user]:train.user_indptr[user + 1]]] = True
    return recommend_unrated(predictions, rated, float(train.values.min()), float(train.values.max()), top,
                             train.ratings_per_movie, min_ratings)


def rated_rmse(predictions: np.ndarray, ratings: np.ndarray) -> float:
    """``sqrt(1/n Σ (p_i − r_i)²)`` over the ``n`` cells with ``r_i > 0`` (``(n_movies,)`` each; NaN when
    none is rated)."""
    cells = ratings > 0
    if not cells.any():
        return float("nan")
    return float(np.sqrt(np.mean((predictions[cells].astype(np.float64) - ratings[cells]) ** 2)))


@torch.no_grad()
def hidden_codes(network: Network, inputs: Observations, rows: np.ndarray, stop: int | None = None
                 ) -> list[np.ndarray]:
    """``[h_1, …, h_stop]`` (``stop`` defaults to the last hidden layer ``L−1``), each
    ``(len(rows), n_l)``: the hidden activations of the given observations' inputs, in chunks."""
    stop = network.n_layers - 1 if stop is None else stop
    parts: list[list[np.ndarray]] = [[] for _ in range(stop)]
    for chunk in _chunks(np.asarray(rows, dtype=np.int64)):
        x, _ = inputs.block(torch.as_tensor(chunk))
        for l, h in enumerate(network.forward(x, stop=stop)[1:]):
            parts[l].append(h.cpu().numpy())
    return [np.concatenate(p) if p else np.zeros((0, network.sizes[l + 1]), dtype=np.float32)
            for l, p in enumerate(parts)]


def code_activations(network: Network, inputs: Observations, code_layer: int) -> np.ndarray:
    """``(n_observations, n_k)`` codes ``z = h_k`` of every observation."""
    return hidden_codes(network, inputs, np.arange(inputs.n), stop=code_layer)[-1]


def dormant_mask(codes: np.ndarray, rho: float) -> np.ndarray:
    """``(n_k,) bool`` for ``(n, n_k)`` activations: units whose mean ``|h|`` stays below ``ρ/10`` — the
    units a sparse autoencoder has switched off (sigmoid: mean below ρ/10; a dead ReLU: never active;
    tanh or identity: staying at 0)."""
    if not len(codes):
        return np.zeros(codes.shape[1], dtype=bool)
    return np.abs(codes).mean(0) < rho / 10


def dormant_units(network: Network, inputs: Observations, code_layer: int, rho: float) -> list[int]:
    """0-based indices of the dormant code units (:func:`dormant_mask`) over all observations."""
    return [int(j) for j in np.flatnonzero(dormant_mask(code_activations(network, inputs, code_layer), rho))]
