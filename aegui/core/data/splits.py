"""Train / test splits on one index space.

:func:`split_random` holds out a fraction of one set's ratings; :func:`align` re-expresses a test set read
from its own file (MovieLens ``u1.base`` / ``u1.test`` style) on the train set's users and movies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import RatingsError
from .ratings import Ratings


@dataclass(frozen=True)
class Unseen:
    """Test cells whose user or movie has no place in the training set: ``users`` and ``movies`` are
    indices into the training set's users and movies, ``-1`` where absent; ``values`` the ratings. The
    bias-only baseline predicts them (:mod:`aegui.core.engine.baselines`)."""

    users: np.ndarray
    movies: np.ndarray
    values: np.ndarray

    @classmethod
    def none(cls) -> "Unseen":
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self.values)


def split_random(ratings: Ratings, fraction: float, seed: int = 0,
                 keep_one_per_user: bool = True) -> tuple[Ratings, Ratings]:
    """``(train, test)``: ``round(fraction · n)`` ratings drawn at random (seeded) go to test.

    Both keep every user and movie of ``ratings`` (same indices and labels), so a model trained on one scores
    the other. With ``keep_one_per_user`` one random rating of each user stays in train, so nobody is unseen
    at test time; test then gets fewer ratings only if the rest cannot fill it.
    """
    if fraction == 0:
        _refuse_fraction(fraction)
    test = random_test_mask(ratings, fraction, seed, keep_one_per_user)
    return ratings.subset(~test), ratings.subset(test)


def _refuse_fraction(fraction: float) -> None:
    raise RatingsError(f"the test fraction must be between 0 and 1 (exclusive), got {fraction}")


def random_test_mask(ratings: Ratings, fraction: float, seed: int = 0, keep_one_per_user: bool = True) -> np.ndarray:
    """``(n_ratings,)`` bool: the ratings :func:`split_random` puts in test (none for ``fraction`` 0), as
    the window marks test cells in its grid."""
    if not 0 <= fraction < 1:
        _refuse_fraction(fraction)
    if fraction == 0:
        return np.zeros(ratings.n_ratings, dtype=bool)
    rng = np.random.default_rng(seed)
    n = ratings.n_ratings
    order = rng.permutation(n)                          # test takes from the front
    if keep_one_per_user:
        counts = ratings.ratings_per_user[ratings.ratings_per_user > 0]
        starts = ratings.user_indptr[:-1][ratings.ratings_per_user > 0]
        kept = np.zeros(n, dtype=bool)
        kept[starts + (rng.random(len(counts)) * counts).astype(np.int64)] = True    # one per user, at random
        order = order[~kept[order]]
    test = np.zeros(n, dtype=bool)
    test[order[:int(round(fraction * n))]] = True
    return test


def align(train: Ratings, test: Ratings) -> tuple[Ratings, Unseen]:
    """``(aligned, unseen)``: ``test`` on ``train``'s index space, matched by real user and movie ids.

    Test ratings whose user or movie does not occur in ``train`` have no place there: they are returned
    apart, as :class:`Unseen` cells, for the baseline to predict. Labels and groups of ``aligned`` are
    ``train``'s.
    """
    user_of = _index_map(test.user_ids, train.user_ids)[test.users]
    movie_of = _index_map(test.movie_ids, train.movie_ids)[test.movies]
    known = (user_of >= 0) & (movie_of >= 0)
    aligned = Ratings.from_triples(user_of[known], movie_of[known], test.values[known], user_ids=train.user_ids,
                                   movie_ids=train.movie_ids, movie_titles=train.movie_titles,
                                   source=test.source, user_groups=train.user_groups,
                                   movie_groups=train.movie_groups, group_names=train.group_names)
    return aligned, Unseen(user_of[~known], movie_of[~known], test.values[~known].copy())


def _index_map(ids: tuple[str, ...], onto: tuple[str, ...]) -> np.ndarray:
    """``(len(ids),) int64``: the index of each id in ``onto``, ``-1`` where absent."""
    position = {ident: k for k, ident in enumerate(onto)}
    return np.array([position.get(ident, -1) for ident in ids], dtype=np.int64)
