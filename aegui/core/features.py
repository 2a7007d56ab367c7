"""What a trained network learned, as numbers the insight views draw (numpy only: no torch, no Qt).

Observations are users (movies when item-based) and features movies (users when item-based). Weights
are in the formula's orientation, ``weights[l − 1] = W_l`` of shape ``(n_l, n_{l−1})``; hidden layers
are numbered as :class:`~aegui.core.engine.snapshot.Insight` numbers its codes: ``layer = k`` is
``h_{k+1}``, whose input weights are ``W_{k+1} = weights[k]`` and output weights ``weights[k + 1]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data.ratings import Ratings


# ====================================================================== names and attributes
@dataclass(frozen=True, eq=False)
class Attribute:
    """One value per observation: ``values`` ``(n,)`` float (numeric, NaN = unknown), or, when
    ``categories`` is not empty, ``int`` codes into ``categories`` (``−1`` = unknown)."""

    name: str
    values: np.ndarray
    categories: tuple[str, ...] = ()

    @property
    def categorical(self) -> bool:
        return bool(self.categories)


def group_names(ratings: Ratings) -> tuple[str, ...]:
    """Names of the group codes of ``ratings`` (``"group k"`` past the known names)."""
    groups = [g for g in (ratings.user_groups, ratings.movie_groups) if g is not None and len(g)]
    n = max([int(np.max(g)) + 1 for g in groups] + [len(ratings.group_names)])
    return tuple(ratings.group_names) + tuple(f"group {k + 1}" for k in range(len(ratings.group_names), n))


def observation_names(ratings: Ratings, item_based: bool) -> tuple[str, ...]:
    """Display names of the observations: movie titles when item-based, else user ids (``"user 7"``
    for a bare number)."""
    if item_based:
        return ratings.movie_titles
    return tuple(f"user {u}" if u.isdigit() else u for u in ratings.user_ids)


def feature_names(ratings: Ratings, item_based: bool) -> tuple[str, ...]:
    """Display names of the features (the network's inputs and outputs)."""
    return observation_names(ratings, not item_based)


def feature_groups(ratings: Ratings, item_based: bool) -> np.ndarray | None:
    """``(n_features,) int`` genre of each feature: the movies' genres, or, item-based, each user's
    favourite genre; ``None`` when the data has none."""
    return ratings.user_groups if item_based else ratings.movie_groups


def _mean_rating(index: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(count, mean)`` of ``values`` grouped by ``index`` in ``[0, n)``; the mean is NaN where
    ``count = 0``."""
    count = np.bincount(index, minlength=n)
    total = np.bincount(index, weights=values, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return count, np.where(count > 0, total / np.maximum(count, 1), np.nan)


def observation_attributes(ratings: Ratings, item_based: bool) -> tuple[Attribute, ...]:
    """What the latent space can be coloured by, one value per observation.

    Users: *favourite genre* (``user_groups`` when the data has them, else
    ``argmax_g mean{r_ui : genre(i) = g}`` over the genres the user rated; omitted without genres),
    *number of ratings* and *mean rating*. Movies (item-based): *genre*, *number of ratings*, *mean
    rating*. Vectorised: one ``bincount`` over the ratings per quantity.
    """
    names = group_names(ratings)
    values = ratings.values.astype(np.float64)
    if item_based:
        index, n = ratings.movies, ratings.n_movies
        genre = None
        if ratings.movie_groups is not None:
            genre = Attribute("genre", np.asarray(ratings.movie_groups, int), names)
    else:
        index, n = ratings.users, ratings.n_users
        genre = None
        if ratings.user_groups is not None:
            genre = Attribute("favourite genre", np.asarray(ratings.user_groups, int), names)
        elif ratings.movie_groups is not None and len(names):
            g = len(names)
            cell = index.astype(np.int64) * g + np.asarray(ratings.movie_groups, np.int64)[ratings.movies]
            count, mean = _mean_rating(cell, values, n * g)
            mean = np.where(count > 0, mean, -np.inf).reshape(n, g)
            favourite = np.where(np.isfinite(mean).any(axis=1), mean.argmax(axis=1), -1)
            genre = Attribute("favourite genre", favourite, names)
    count, mean = _mean_rating(index, values, n)
    numeric = (Attribute("number of ratings", count.astype(np.float64)), Attribute("mean rating", mean))
    return ((genre,) if genre is not None else ()) + numeric


# ====================================================================== units
def input_weights(weights, layer: int) -> np.ndarray:
    """``(n_{k+1}, n_0)`` what enters hidden layer ``k`` from the inputs: ``W_{k+1} ··· W_2 W_1``.

    Exact for the first hidden layer (``W_1``); deeper, a linearisation that ignores the activations'
    slopes (it reads ``h = f(W h_prev + b)`` as ``h ≈ W h_prev``)."""
    out = np.asarray(weights[0], dtype=np.float64)
    for w in weights[1:layer + 1]:
        out = np.asarray(w, dtype=np.float64) @ out
    return out


@dataclass(frozen=True, eq=False)
class UnitFeature:
    """A hidden unit's strongest features: ``in_index``/``in_weight`` the inputs that drive it,
    ``out_index``/``out_weight`` the outputs it drives, strongest ``|w|`` first, signed.
    ``in_linearised``/``out_linearised``: the weights are products of several matrices."""

    layer: int
    unit: int
    in_index: np.ndarray
    in_weight: np.ndarray
    out_index: np.ndarray
    out_weight: np.ndarray
    in_linearised: bool
    out_linearised: bool


def _strongest(w: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-np.abs(w), kind="stable")[:top]
    return order, w[order]


def unit_features(weights, layer: int, unit: int, top: int = 10) -> UnitFeature:
    """Unit ``j = unit`` of hidden layer ``k = layer``: its row of :func:`input_weights` (``W_1[j, :]``
    for the first hidden layer) and its column of ``W_L ··· W_{k+2}`` (``W_L[:, j]`` for the last; deeper,
    the same linearisation), the ``top`` largest by ``|w|``. Vector–matrix products, never a whole
    matrix product."""
    w_in = np.asarray(weights[layer][unit], dtype=np.float64)
    for w in reversed(weights[:layer]):
        w_in = w_in @ np.asarray(w, dtype=np.float64)
    w_out = np.asarray(weights[layer + 1][:, unit], dtype=np.float64)
    for w in weights[layer + 2:]:
        w_out = np.asarray(w, dtype=np.float64) @ w_out
    in_index, in_weight = _strongest(w_in, top)
    out_index, out_weight = _strongest(w_out, top)
    return UnitFeature(layer, unit, in_index, in_weight, out_index, out_weight,
                       in_linearised=layer > 0, out_linearised=layer + 2 < len(weights))


@dataclass(frozen=True, eq=False)
class Alignment:
    """``r`` ``(n_h, n_groups)`` Pearson correlations; ``best`` ``(n_h,)`` the genre of largest
    ``|r|`` per unit (``−1`` when every ``r`` is 0)."""

    r: np.ndarray
    best: np.ndarray

    @property
    def best_r(self) -> np.ndarray:
        """``(n_h,)`` signed ``r`` of each unit's best genre (0 where none)."""
        return np.where(self.best >= 0, self.r[np.arange(len(self.best)), np.maximum(self.best, 0)], 0.0)


def genre_alignment(in_weights: np.ndarray, groups: np.ndarray, n_groups: int) -> Alignment:
    """How well each unit's input weights line up with each genre.

    ``r[j, g] = corr(w_j, 1[group = g])`` over the ``m`` features: ``w_j = in_weights[j]`` ``(m,)``
    and the genre's indicator vector; ``(w − w̄)·(e − ē) / (‖w − w̄‖ ‖e − ē‖)``, 0 where either
    is constant. Features of group ``−1`` belong to no genre."""
    w = np.asarray(in_weights, dtype=np.float64)
    groups = np.asarray(groups, dtype=np.int64)
    e = (groups[:, None] == np.arange(n_groups)[None, :]).astype(np.float64)      # (m, n_groups)
    wc = w - w.mean(axis=1, keepdims=True)
    ec = e - e.mean(axis=0, keepdims=True)
    denominator = np.linalg.norm(wc, axis=1)[:, None] * np.linalg.norm(ec, axis=0)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(denominator > 0, (wc @ ec) / denominator, 0.0)
    best = np.full(len(r), -1, dtype=np.int64)
    if n_groups:
        strength = np.abs(r)
        best = np.where(strength.max(axis=1) > 0, strength.argmax(axis=1), -1)
    return Alignment(r, best)


# ====================================================================== latent space
@dataclass(frozen=True, eq=False)
class Projection:
    """A 2-D view of the codes: ``project(c) = (c − mean) · componentsᵀ``.

    ``components`` ``(2, k)`` orthonormal rows, ``explained`` ``(2,)`` the share of the codes' total
    variance along each; ``identity``: the axes are the bottleneck units themselves (``k ≤ 2``)."""

    mean: np.ndarray
    components: np.ndarray
    explained: np.ndarray
    identity: bool

    def project(self, codes: np.ndarray) -> np.ndarray:
        """``(n, k)`` or ``(k,)`` codes → ``(n, 2)`` or ``(2,)`` float64 points (the product in the
        codes' own float precision: no float64 copy of a large float32 block)."""
        c = _floats(codes)
        return c @ self.components.T.astype(c.dtype) - self.mean @ self.components.T


def _floats(a) -> np.ndarray:
    a = np.asarray(a)
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float64)


def top_eigenvectors(c: np.ndarray, count: int = 2, oversample: int = 8, tol: float = 1e-10,
                     max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """``(λ (count,), V (k, count))``: the largest eigenpairs of a symmetric positive semi-definite ``c``.

    Orthogonal iteration on a block of ``p = count + oversample`` vectors with Rayleigh–Ritz (``eigh`` of
    the small ``Qᵀ C Q``) until every residual ``‖C v − λ v‖ ≤ tol · λ_max``, converging as
    ``(λ_{p+1} / λ_count)^steps``. After ``max_iter`` steps it returns the Ritz pairs reached: the spectrum
    is then nearly flat, and any two of the leading directions show about as much variance. A few
    ``k × p`` products instead of LAPACK's whole decomposition, which takes up to seconds when other
    processes (the trainer) keep the cores busy."""
    k = len(c)
    p = min(k, count + oversample)
    q = np.linalg.qr(np.random.default_rng(0).standard_normal((k, p)))[0]
    for _ in range(max_iter):
        z = c @ q
        w, v = np.linalg.eigh(q.T @ z)
        v = v[:, ::-1][:, :count]
        lam, vec = w[::-1][:count], q @ v
        if p == k or (np.linalg.norm(z @ v - vec * lam, axis=0) <= tol * max(w[-1], 0.0)).all():
            break
        q = np.linalg.qr(z)[0]
    return lam, vec


def pca_2d(codes: np.ndarray) -> Projection:
    """The two principal axes of ``codes`` ``(n, k)``.

    ``k > 2``: the top two eigenvectors of the ``k × k`` covariance ``C = X̃ᵀX̃ / (n − 1)`` (``X̃`` the
    centred codes, in their own precision; :func:`top_eigenvectors`), each signed so that its largest
    entry is positive; ``explained = λ / tr C``. ``k ≤ 2``: the identity (the units as axes, a zero
    second axis when ``k = 1``), explained = each unit's share of the variance."""
    x = _floats(codes)
    n, k = x.shape
    mean = x.mean(axis=0, dtype=np.float64) if n else np.zeros(k)
    xc = x - mean.astype(x.dtype)
    cov = (xc.T @ xc).astype(np.float64) / max(n - 1, 1)
    trace = float(np.trace(cov))
    if k <= 2:
        components = np.eye(2, k)
        share = components @ np.diag(cov) / trace if trace > 0 else np.zeros(2)
        return Projection(np.zeros(k), components, share, identity=True)
    lam, vec = top_eigenvectors(cov)
    components = vec.T.copy()
    components *= np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])[:, None]
    explained = np.maximum(lam, 0.0) / trace if trace > 0 else np.zeros(2)
    return Projection(mean, components, explained, identity=False)


def symmetric_histogram(values: np.ndarray, bins: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """``(edges (bins + 1,), counts (bins,))`` of the finite ``values`` over ``[−max|v|, max|v|]``
    (``[−1, 1]`` when all are 0): symmetric, like the colour scale of the weights."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    top = float(np.abs(v).max()) if len(v) else 0.0
    counts, edges = np.histogram(v, bins=bins, range=(-top, top) if top > 0 else (-1.0, 1.0))
    return edges, counts
