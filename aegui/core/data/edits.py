"""Structural edits of a ratings set: add, remove and rename users and movies, and parse pasted blocks.

Every function is pure: it returns a new :class:`Ratings` (sharing arrays where nothing changed) and never
touches its input. Removals also return ``kept``, the indices of the old ratings that survive in order, so a
per-rating array such as the test mask follows with ``mask[kept]``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .errors import RatingsError
from .ratings import MAX_RATING, MIN_RATING, Ratings, invalid_ratings

#: the group given to users and movies added by hand (appended to ``group_names`` when missing)
UNKNOWN_GROUP = "unknown"


def _clean(name: str, what: str) -> str:
    name = str(name).strip()
    if not name:
        raise RatingsError(f"a {what} needs a non-empty name")
    return name


def _with_unknown_group(r: Ratings, groups: np.ndarray | None) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """``groups`` with one more entry, the "unknown" group, and the group names that include it."""
    if groups is None:
        return None, r.group_names
    names = r.group_names if UNKNOWN_GROUP in r.group_names else r.group_names + (UNKNOWN_GROUP,)
    extra = np.array([names.index(UNKNOWN_GROUP)], dtype=np.asarray(groups).dtype)
    return np.concatenate([np.asarray(groups), extra]), names


def add_user(r: Ratings, name: str) -> Ratings:
    """``r`` with one more user, ``name`` (no ratings yet), as the last row."""
    name = _clean(name, "user")
    if name in r.user_ids:
        raise RatingsError(f"there is already a user called {name!r}")
    groups, names = _with_unknown_group(r, r.user_groups)
    return dataclasses.replace(r, user_ids=r.user_ids + (name,), user_groups=groups, group_names=names)


def _new_movie_id(r: Ratings, title: str) -> str:
    """The next free number when every id is a number (as in MovieLens), else the title itself."""
    if r.movie_ids and all(m.isdigit() for m in r.movie_ids):
        return str(max(int(m) for m in r.movie_ids) + 1)
    return title if title not in r.movie_ids else f"{title} #{r.n_movies + 1}"


def add_movie(r: Ratings, title: str) -> Ratings:
    """``r`` with one more movie, ``title`` (no ratings yet), as the last column."""
    title = _clean(title, "movie")
    if title in r.movie_titles:
        raise RatingsError(f"there is already a movie called {title!r}")
    groups, names = _with_unknown_group(r, r.movie_groups)
    return dataclasses.replace(r, movie_ids=r.movie_ids + (_new_movie_id(r, title),),
                               movie_titles=r.movie_titles + (title,), movie_groups=groups, group_names=names)


def _keep_mask(n: int, indices, what: str) -> np.ndarray:
    indices = np.asarray(indices, dtype=np.int64).ravel()
    if len(indices) and (indices.min() < 0 or indices.max() >= n):
        raise RatingsError(f"{what} index out of range 0..{n - 1}")
    keep = np.ones(n, dtype=bool)
    keep[indices] = False
    return keep


def remove_users(r: Ratings, indices) -> tuple[Ratings, np.ndarray]:
    """``r`` without the given users, and the indices of the ratings kept (in order)."""
    keep = _keep_mask(r.n_users, indices, "user")
    new_index = np.cumsum(keep) - 1                      # old user → new user, monotone: the order survives
    kept = np.flatnonzero(keep[r.users])
    ids = tuple(np.asarray(r.user_ids, dtype=object)[keep])
    groups = None if r.user_groups is None else np.asarray(r.user_groups)[keep]
    return Ratings(new_index[r.users[kept]].astype(np.int32), r.movies[kept], r.values[kept], ids, r.movie_ids,
                   r.movie_titles, r.source, groups, r.movie_groups, r.group_names), kept


def remove_movies(r: Ratings, indices) -> tuple[Ratings, np.ndarray]:
    """``r`` without the given movies, and the indices of the ratings kept (in order)."""
    keep = _keep_mask(r.n_movies, indices, "movie")
    new_index = np.cumsum(keep) - 1
    kept = np.flatnonzero(keep[r.movies])
    ids = tuple(np.asarray(r.movie_ids, dtype=object)[keep])
    titles = tuple(np.asarray(r.movie_titles, dtype=object)[keep])
    groups = None if r.movie_groups is None else np.asarray(r.movie_groups)[keep]
    return Ratings(r.users[kept], new_index[r.movies[kept]].astype(np.int32), r.values[kept], r.user_ids, ids,
                   titles, r.source, r.user_groups, groups, r.group_names), kept


def rename_user(r: Ratings, i: int, name: str) -> Ratings:
    """``r`` with user ``i`` called ``name``."""
    name = _clean(name, "user")
    if name in r.user_ids[:i] + r.user_ids[i + 1:]:
        raise RatingsError(f"there is already a user called {name!r}")
    return dataclasses.replace(r, user_ids=r.user_ids[:i] + (name,) + r.user_ids[i + 1:])


def rename_movie(r: Ratings, i: int, title: str) -> Ratings:
    """``r`` with movie ``i`` titled ``title`` (its id stays)."""
    title = _clean(title, "movie")
    if title in r.movie_titles[:i] + r.movie_titles[i + 1:]:
        raise RatingsError(f"there is already a movie called {title!r}")
    return dataclasses.replace(r, movie_titles=r.movie_titles[:i] + (title,) + r.movie_titles[i + 1:])


def _bad_cells(values: np.ndarray) -> np.ndarray:
    """Where a parsed value is neither ``0`` (clear) nor a rating in half stars."""
    return (values != 0) & invalid_ratings(values)


def _to_float(cell: str) -> float:
    """A cell as a number; empty is ``0``; ``ValueError`` if not a number. A decimal comma is accepted."""
    cell = cell.strip().replace(",", ".")
    return float(cell) if cell else 0.0


def parse_rating(text: str) -> float | None:
    """One typed rating: ``"4"``, ``"4.5"``, ``"4,5"``; ``""`` and ``"0"`` are ``0`` (clear); ``None`` if invalid."""
    try:
        value = _to_float(text)
    except ValueError:
        return None
    return None if _bad_cells(np.array([value]))[0] else value


def parse_block(text: str) -> np.ndarray:
    """A tab-separated block (a spreadsheet copy) as a ``(rows, columns) float64`` array, ``0`` for empty cells.

    Short rows are padded with empty cells; a decimal comma is accepted. Raises :class:`RatingsError` naming
    the row and column (1-based, within the block) of the first cell that is not ``0`` or a rating in half stars.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()                                       # spreadsheets end the block with a newline
    if not lines:
        raise RatingsError("the pasted text is empty")
    rows = [line.split("\t") for line in lines]
    width = max(len(row) for row in rows)
    cells = np.array([row + [""] * (width - len(row)) for row in rows], dtype=str)
    raw = np.char.strip(cells)
    cells = np.char.replace(raw, ",", ".")
    try:
        block = np.where(cells == "", "0", cells).astype(np.float64)
        bad = _bad_cells(block)
    except ValueError:                                    # some cell is not a number: find the first one
        bad = np.array([[parse_rating(c) is None for c in row] for row in cells.tolist()])
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise RatingsError(f"row {r + 1}, column {c + 1}: {str(raw[r, c])!r} is not a rating "
                           f"(expected {MIN_RATING:g} to {MAX_RATING:g} in half stars, or empty)")
    return block
