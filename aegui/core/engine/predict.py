"""Predictions in rating units: reconstructions, held-out RMSE and recommendations.

The prediction of cell ``(u, i)`` is ``s·y_i`` (``s`` the input scale, 5 by default) where ``y`` is the network's output for the observation's
*training* input (user ``u``'s row, or movie ``i``'s row when item-based), clipped to the rating range
``[low, high]`` of the training data. RMSE over a set ``T`` of ratings is ``√(1/|T| Σ (pred − r)²)``.
"""

from __future__ import annotations


import numpy as np
import torch

from ..data.ratings import Ratings
from .network import Network
from .observations import Observations

CHUNK = 512


def _chunks(rows: np.ndarray, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


@torch.no_grad()
def reconstruct(network: Network, inputs: Observations, rows: np.ndarray) -> np.ndarray:
    """``(len(rows), m)`` unclipped predictions ``s·y`` for the given observation rows."""
    x, _ = inputs.block(torch.as_tensor(np.asarray(rows, dtype=np.int64)))
    return (network.forward(x)[-1] * inputs.scale).cpu().numpy()


@torch.no_grad()
def squared_error(network: Network, inputs: Observations, targets: Ratings, low: float, high: float
                  ) -> tuple[float, int]:
    """``(Σ (clip(pred) − r)², |T|)`` over the ratings of ``targets`` (observation-major, same index
    space as ``inputs``), in chunks of rows."""
    rows = np.flatnonzero(targets.ratings_per_user)
    total = 0.0
    for chunk in _chunks(rows):
        x, _ = inputs.block(torch.as_tensor(chunk))
        y = network.forward(x)[-1]
        r, c, v = targets.rows_slice(chunk)
        pred = (y[torch.as_tensor(r), torch.as_tensor(c)] * inputs.scale).clamp_(low, high)
        d = pred.double() - torch.as_tensor(v, dtype=torch.float64, device=pred.device)
        total += float((d * d).sum())
    return total, targets.n_ratings


@torch.no_grad()
def user_predictions(network: Network, inputs: Observations, user: int, item_based: bool) -> np.ndarray:
    """``(n_movies,)`` unclipped predicted ratings of one user for every movie."""
    if not item_based:
        return reconstruct(network, inputs, np.array([user]))[0]
    out = np.empty(inputs.n, dtype=np.float32)
    for chunk in _chunks(np.arange(inputs.n)):
        x, _ = inputs.block(torch.as_tensor(chunk))
        out[chunk] = (network.forward(x)[-1][:, user] * inputs.scale).cpu().numpy()
    return out


def recommend(network: Network, inputs: Observations, train: Ratings, user: int, item_based: bool,
              top: int = 10) -> list[tuple[int, float]]:
    """The user's unrated movies as ``(movie, predicted rating)``, best first (clipped to the range)."""
    pred = user_predictions(network, inputs, user, item_based)
    low, high = float(train.values.min()), float(train.values.max())
    rated = np.zeros(train.n_movies, dtype=bool)
    lo, hi = train.user_indptr[user], train.user_indptr[user + 1]
    rated[train.movies[lo:hi]] = True
    candidates = np.flatnonzero(~rated)
    scores = np.clip(pred[candidates], low, high)
    order = np.lexsort((candidates, -scores))[:top]
    return [(int(candidates[k]), float(scores[k])) for k in order]


@torch.no_grad()
def code_activations(network: Network, inputs: Observations, code_layer: int) -> np.ndarray:
    """``(n_observations, n_k)`` codes ``z = h_k`` of every observation, in chunks."""
    out = []
    for chunk in _chunks(np.arange(inputs.n)):
        x, _ = inputs.block(torch.as_tensor(chunk))
        out.append(network.forward(x, stop=code_layer)[-1].cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, network.sizes[code_layer]), dtype=np.float32)


def dormant_units(network: Network, inputs: Observations, code_layer: int, rho: float) -> list[int]:
    """Code units whose mean activation over all observations stays below ``ρ/10`` (0-based indices):
    the units a sparse autoencoder has switched off."""
    mean = code_activations(network, inputs, code_layer).mean(0)
    return [int(j) for j in np.flatnonzero(mean < rho / 10)]
