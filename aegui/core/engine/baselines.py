"""The predictors an autoencoder has to beat, fitted on training ratings (numpy only).

* global mean: ``p(u, i) = μ``;
* movie mean: ``p(u, i) = μ + b_i`` with ``b_i = Σ_u (r_ui − μ) / (n_i + λ_i)``;
* bias-only ("everyone's average taste" plus how this user and this movie differ from it):
  ``p(u, i) = μ + b_i + b_u`` with ``b_u = Σ_i (r_ui − μ − b_i) / (n_u + λ_u)``.

The damping ``λ`` shrinks the biases of users and movies with few ratings toward zero (Koren, "Factor in
the neighbors", 2008: λ_i = 25, λ_u = 10). Every prediction is clipped to the training ratings' range.
A user or movie without training ratings has bias 0, so the baselines predict every cell, including
those of users and movies an autoencoder never saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.ratings import Ratings
from ..data.splits import Unseen

#: damping of the movie and user biases (in ratings' worth of pull toward zero)
MOVIE_DAMPING = 25.0
USER_DAMPING = 10.0
#: the three baselines, in the order reports list them
NAMES = ("global mean", "movie mean", "bias-only")


@dataclass(frozen=True)
class Baseline:
    """Fitted biases on one index space: ``mean`` μ, ``movie_bias`` ``(n_movies,)``, ``user_bias``
    ``(n_users,)``, and the rating range ``[low, high]`` predictions are clipped to."""

    mean: float
    movie_bias: np.ndarray
    user_bias: np.ndarray
    low: float
    high: float

    @classmethod
    def fit(cls, train: Ratings, movie_damping: float = MOVIE_DAMPING, user_damping: float = USER_DAMPING
            ) -> "Baseline":
        if not train.n_ratings:
            return cls(3.0, np.zeros(train.n_movies), np.zeros(train.n_users), 0.5, 5.0)
        values = train.values.astype(np.float64)
        mu = float(values.mean())
        movie_sum = np.bincount(train.movies, weights=values - mu, minlength=train.n_movies)
        b_i = movie_sum / (train.ratings_per_movie + movie_damping)
        user_sum = np.bincount(train.users, weights=values - mu - b_i[train.movies], minlength=train.n_users)
        b_u = user_sum / (train.ratings_per_user + user_damping)
        return cls(mu, b_i, b_u, float(values.min()), float(values.max()))

    def transposed(self) -> "Baseline":
        """The same predictor with users and movies swapped (item-based observations are movies)."""
        return Baseline(self.mean, self.user_bias, self.movie_bias, self.low, self.high)

    def centre(self) -> tuple[float, np.ndarray, np.ndarray]:
        """``(μ, b_u (n_users,), b_i (n_movies,))``: what :class:`~.observations.Observations` centres on."""
        return self.mean, self.user_bias, self.movie_bias

    def new_user_bias(self, ratings: np.ndarray) -> float:
        """``b_u`` of a user who is not in the set, from their ``(n_movies,)`` ratings (0 = not rated)."""
        rated = np.flatnonzero(ratings)
        residual = ratings[rated] - self.mean - self.movie_bias[rated]
        return float(residual.sum() / (len(rated) + USER_DAMPING))

    def predict(self, users: np.ndarray, movies: np.ndarray, which: str = "bias-only") -> np.ndarray:
        """``(n,)`` predictions of baseline ``which`` (one of :data:`NAMES`) for the cells
        ``(users[k], movies[k])``; an index of ``-1`` means "not in training" (bias 0)."""
        users, movies = np.asarray(users, dtype=np.int64), np.asarray(movies, dtype=np.int64)
        p = np.full(len(users), self.mean)
        if which in ("movie mean", "bias-only"):
            p += np.where(movies >= 0, self.movie_bias[np.maximum(movies, 0)], 0.0)
        if which == "bias-only":
            p += np.where(users >= 0, self.user_bias[np.maximum(users, 0)], 0.0)
        elif which not in NAMES:
            raise ValueError(f"unknown baseline {which!r}; choose one of {', '.join(NAMES)}")
        return np.clip(p, self.low, self.high)

    def squared_error(self, users: np.ndarray, movies: np.ndarray, values: np.ndarray,
                      which: str = "bias-only") -> float:
        """``Σ (p − r)²`` over the given cells."""
        d = self.predict(users, movies, which) - np.asarray(values, dtype=np.float64)
        return float(d @ d)

    def rmse(self, test: Ratings, which: str = "bias-only") -> float:
        """RMSE on ``test`` (same index space as the training set; NaN when it is empty)."""
        if not test.n_ratings:
            return float("nan")
        return float(np.sqrt(self.squared_error(test.users, test.movies, test.values, which) / test.n_ratings))


def baseline_table(train: Ratings, test: Ratings, unseen: Unseen | None = None) -> dict[str, dict[str, float | None]]:
    """Per baseline (:data:`NAMES`), its ``train_rmse`` and ``test_rmse``: fitted on ``train``, the
    ``unseen`` test cells (:func:`~aegui.core.data.splits.align`) predicted and counted."""
    fitted = Baseline.fit(train)
    u = unseen if unseen is not None else Unseen.none()
    n = test.n_ratings + len(u)
    out: dict[str, dict[str, float | None]] = {}
    for name in NAMES:
        total = (fitted.squared_error(test.users, test.movies, test.values, name)
                 + fitted.squared_error(u.users, u.movies, u.values, name))
        out[name] = {"train_rmse": fitted.rmse(train, name), "test_rmse": float(np.sqrt(total / n)) if n else None}
    return out
