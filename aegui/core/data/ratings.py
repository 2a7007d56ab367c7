"""The in-memory ratings set: sparse triples, never the whole users × movies matrix.

A grid cell ``(u, i)`` holds a rating in ``[0.5, 5]`` (half stars allowed) or is *not rated*; the
seeds write "not rated" as ``0`` and so do dense blocks made from a :class:`Ratings`. Memory grows with
the number of ratings: three arrays of ``n`` entries (``int32, int32, float32``) plus the labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Sequence

import numpy as np

from .errors import RatingsError

MIN_RATING = 0.5
MAX_RATING = 5.0
#: dense blocks larger than this many cells are refused (about 1 GB of float32)
MAX_DENSE_CELLS = 250_000_000


def _labels(values: Sequence[object] | None, n: int, prefix: str) -> tuple[str, ...]:
    if values is None:
        return tuple(f"{prefix}{k + 1}" for k in range(n))
    out = tuple(str(v) for v in values)
    if len(out) != n:
        raise RatingsError(f"expected {n} {prefix.strip().lower() or 'label'} labels, got {len(out)}")
    return out


def invalid_ratings(values: np.ndarray) -> np.ndarray:
    """``(n,) bool``: true where a value is not finite, outside [0.5, 5] or not a multiple of 0.5."""
    twice = np.asarray(values, dtype=np.float64) * 2       # NaN fails every comparison, ±inf the range
    return ~((twice >= 2 * MIN_RATING) & (twice <= 2 * MAX_RATING) & (twice == np.rint(twice)))


def check_rating_values(values: np.ndarray, what: str = "rating") -> None:
    """Raise :class:`RatingsError` unless every value is finite, in [0.5, 5] and a multiple of 0.5."""
    values = np.asarray(values, dtype=np.float64)
    bad = invalid_ratings(values)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise RatingsError(f"{what} {values[k]!r} at position {k + 1} is not a rating "
                           f"(expected {MIN_RATING:g}..{MAX_RATING:g} in half stars)")


@dataclass(frozen=True, eq=False)
class Ratings:
    """A ratings set in coordinate form, sorted by ``(user, movie)``, one entry per rated cell.

    Attributes:
        users: ``(n,) int32`` dense user index in ``[0, n_users)`` (rows, the observations).
        movies: ``(n,) int32`` dense movie index in ``[0, n_movies)`` (columns, the features).
        values: ``(n,) float32`` ratings in ``[0.5, 5]``.
        user_ids: real user ids or names, one per dense index (results speak of these).
        movie_ids: real movie ids, one per dense index.
        movie_titles: display titles, one per movie (the ids when no titles are known).
        source: the format the set came from (``"csv-grid"``, ``"ml-100k"``, ``"synthetic"`` …).
        user_groups: optional ``(n_users,) int`` attribute per user (a favourite genre on demo data).
        movie_groups: optional ``(n_movies,) int`` attribute per movie (a genre on demo data).
        group_names: names of the group values, when known.
    """

    users: np.ndarray
    movies: np.ndarray
    values: np.ndarray
    user_ids: tuple[str, ...]
    movie_ids: tuple[str, ...]
    movie_titles: tuple[str, ...]
    source: str = "memory"
    user_groups: np.ndarray | None = field(default=None, repr=False)
    movie_groups: np.ndarray | None = field(default=None, repr=False)
    group_names: tuple[str, ...] = ()

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_triples(cls, users: np.ndarray, movies: np.ndarray, values: np.ndarray, *,
                     user_ids: Sequence[object] | None = None, movie_ids: Sequence[object] | None = None,
                     movie_titles: Sequence[object] | None = None, n_users: int | None = None,
                     n_movies: int | None = None, source: str = "memory", **groups) -> "Ratings":
        """Validate, sort and freeze triples of dense indices. Duplicate cells are an error."""
        users = np.asarray(users, dtype=np.int64).ravel()
        movies = np.asarray(movies, dtype=np.int64).ravel()
        values = np.asarray(values, dtype=np.float64).ravel()
        if not (len(users) == len(movies) == len(values)):
            raise RatingsError("users, movies and values differ in length")
        n_users = int(n_users if n_users is not None else (len(user_ids) if user_ids is not None
                                                           else (users.max() + 1 if len(users) else 0)))
        n_movies = int(n_movies if n_movies is not None else (len(movie_ids) if movie_ids is not None
                                                              else (movies.max() + 1 if len(movies) else 0)))
        if len(users) and (users.min() < 0 or users.max() >= n_users):
            raise RatingsError(f"user index out of range 0..{n_users - 1}")
        if len(movies) and (movies.min() < 0 or movies.max() >= n_movies):
            raise RatingsError(f"movie index out of range 0..{n_movies - 1}")
        check_rating_values(values)
        key = users * max(n_movies, 1) + movies              # cell key, user-major
        if not (key[1:] > key[:-1]).all():                   # else already sorted, without duplicates
            order = np.argsort(key, kind="stable")           # as lexsort((movies, users)), several times faster
            users, movies, values, key = users[order], movies[order], values[order], key[order]
            dup = key[1:] == key[:-1]
            if dup.any():
                k = int(np.flatnonzero(dup)[0])
                raise RatingsError(f"user {users[k] + 1}, movie {movies[k] + 1} is rated twice")
        movie_ids_t = _labels(movie_ids, n_movies, "Movie ")
        for name, n in (("user_groups", n_users), ("movie_groups", n_movies)):
            g = groups.get(name)
            if g is not None:
                g = np.asarray(g)
                if g.shape != (n,) or g.dtype.kind not in "iu" or (len(g) and g.min() < 0):
                    raise RatingsError(f"{name} must hold one whole number ≥ 0 for each of the {n} "
                                       f"{name.split('_')[0]}s, got shape {g.shape}")
                names = groups.get("group_names") or ()
                if names and len(g) and g.max() >= len(names):
                    raise RatingsError(f"{name} refers to group {int(g.max())}, but only {len(names)} are named")
        return cls(users.astype(np.int32), movies.astype(np.int32), values.astype(np.float32),
                   _labels(user_ids, n_users, "User "), movie_ids_t,
                   movie_ids_t if movie_titles is None else _labels(movie_titles, n_movies, "Movie "),
                   source, **groups)

    @classmethod
    def from_dense(cls, grid: np.ndarray, **labels) -> "Ratings":
        """From a ``(n_users, n_movies)`` grid where ``0`` means not rated."""
        grid = np.asarray(grid, dtype=np.float64)
        if grid.ndim != 2:
            raise RatingsError(f"a ratings grid must be 2-D, got shape {grid.shape}")
        if not np.isfinite(grid).all():
            u, i = np.argwhere(~np.isfinite(grid))[0]
            raise RatingsError(f"cell (user {u + 1}, movie {i + 1}) is not a number")
        u, i = np.nonzero(grid)
        return cls.from_triples(u, i, grid[u, i], n_users=grid.shape[0], n_movies=grid.shape[1], **labels)

    # ------------------------------------------------------------------ shape and summary
    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_movies(self) -> int:
        return len(self.movie_ids)

    @property
    def n_ratings(self) -> int:
        return int(self.values.shape[0])

    @property
    def density(self) -> float:
        cells = self.n_users * self.n_movies
        return self.n_ratings / cells if cells else 0.0

    def summary(self) -> dict:
        """The facts ``aegui inspect`` prints."""
        v = self.values
        return {"format": self.source, "users": self.n_users, "movies": self.n_movies,
                "ratings": self.n_ratings, "density": round(self.density, 6),
                "rating_min": float(v.min()) if len(v) else None,
                "rating_max": float(v.max()) if len(v) else None,
                "rating_mean": round(float(v.mean()), 4) if len(v) else None,
                "half_stars": bool(len(v) and (v != np.round(v)).any())}

    # ------------------------------------------------------------------ row access
    @cached_property
    def user_indptr(self) -> np.ndarray:
        """``(n_users + 1,) int64`` CSR row pointers: user ``u``'s ratings are ``[indptr[u], indptr[u+1])``."""
        return np.searchsorted(self.users, np.arange(self.n_users + 1)).astype(np.int64)

    @cached_property
    def cell_keys(self) -> np.ndarray:
        """``(n,) int64`` one number per rated cell, ``user · n_movies + movie`` (sorted: the triples are)."""
        return self.users.astype(np.int64) * self.n_movies + self.movies

    @cached_property
    def ratings_per_user(self) -> np.ndarray:
        return np.diff(self.user_indptr)

    @cached_property
    def ratings_per_movie(self) -> np.ndarray:
        return np.bincount(self.movies, minlength=self.n_movies)

    def rows_slice(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ratings of the given users: ``(row_in_batch, movie, value)`` arrays, vectorised."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, stops = self.user_indptr[rows], self.user_indptr[rows + 1]
        counts = stops - starts
        total = int(counts.sum())
        batch_row = np.repeat(np.arange(len(rows)), counts)
        # position of each entry = its row's start + its rank inside the row
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        idx = np.repeat(starts, counts) + offsets
        return batch_row, self.movies[idx], self.values[idx]

    def dense_rows(self, rows: np.ndarray) -> np.ndarray:
        """A ``(len(rows), n_movies) float32`` block of the grid, ``0`` where not rated."""
        rows = np.asarray(rows, dtype=np.int64)
        block = np.zeros((len(rows), self.n_movies), dtype=np.float32)
        r, m, v = self.rows_slice(rows)
        block[r, m] = v
        return block

    def to_dense(self) -> np.ndarray:
        """The whole grid; only for sets small enough (see :data:`MAX_DENSE_CELLS`)."""
        if self.n_users * self.n_movies > MAX_DENSE_CELLS:
            raise RatingsError(f"{self.n_users} × {self.n_movies} is too large for a dense grid")
        return self.dense_rows(np.arange(self.n_users))

    # ------------------------------------------------------------------ derived sets
    def subset(self, keep: np.ndarray) -> "Ratings":
        """The same users and movies with only the ratings where ``keep`` (a boolean mask) is true."""
        keep = np.asarray(keep, dtype=bool)
        return Ratings(self.users[keep], self.movies[keep], self.values[keep], self.user_ids,
                       self.movie_ids, self.movie_titles, self.source, self.user_groups,
                       self.movie_groups, self.group_names)

    def transposed(self) -> "Ratings":
        """Movies as observations (item-based, as in I-AutoRec): users ↔ movies swapped."""
        order = np.lexsort((self.users, self.movies))
        return Ratings(self.movies[order], self.users[order], self.values[order], self.movie_titles,
                       self.user_ids, self.user_ids, self.source, self.movie_groups, self.user_groups,
                       self.group_names)

    def with_cells(self, users: np.ndarray, movies: np.ndarray, values: np.ndarray) -> "Ratings":
        """A copy with the given cells set (``0`` clears a cell); the labels stay."""
        users = np.asarray(users, dtype=np.int64).ravel()
        movies = np.asarray(movies, dtype=np.int64).ravel()
        values = np.asarray(values, dtype=np.float64).ravel()
        nonzero = values != 0
        check_rating_values(values[nonzero])
        keep = ~np.isin(self.cell_keys, users * self.n_movies + movies)
        return Ratings.from_triples(
            np.concatenate([self.users[keep], users[nonzero]]),
            np.concatenate([self.movies[keep], movies[nonzero]]),
            np.concatenate([self.values[keep], values[nonzero]]),
            user_ids=self.user_ids, movie_ids=self.movie_ids, movie_titles=self.movie_titles,
            source=self.source, user_groups=self.user_groups, movie_groups=self.movie_groups,
            group_names=self.group_names)

    def value_at(self, user: int, movie: int) -> float:
        """The rating of one cell, ``0.0`` when not rated."""
        lo, hi = self.user_indptr[user], self.user_indptr[user + 1]
        k = lo + int(np.searchsorted(self.movies[lo:hi], movie))
        return float(self.values[k]) if k < hi and self.movies[k] == movie else 0.0
