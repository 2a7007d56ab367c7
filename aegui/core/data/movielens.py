"""The three MovieLens layouts (``ml-100k``, ``ml-dat``, ``ml-csv`` in :mod:`.readers`): reading and writing.

- ``ml-100k``: MovieLens 100K ``u.data``, ``user<TAB>movie<TAB>rating<TAB>timestamp``.
- ``ml-dat``: MovieLens 1M/10M ``ratings.dat``, ``user::movie::rating::timestamp``.
- ``ml-csv``: MovieLens ``ratings.csv``, header ``userId,movieId,rating,timestamp``, half stars (``3.5``).

Real ids become dense indices in increasing numeric order; ``user_ids``/``movie_ids`` keep the real ids as
text. Titles (and the first genre of each movie, as ``movie_groups``) come from ``u.item``, ``movies.dat`` or
``movies.csv`` when that file lies beside the ratings file. An exact duplicate ``user, movie, rating`` line is
collapsed silently; the same user and movie with a different rating is an error.

Reading takes a vectorised path: numpy checks the layout of every line over the raw bytes, one
``np.fromstring`` per block parses all numbers, and ranges, duplicates and conflicts are checked over whole
columns (located by row = line). Only when that path meets anything unusual (a malformed line, a blank line,
``+5``, ``3.50``) does a line-by-line reader run: it accepts what is merely unusual and names the first bad line.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from array import array
from typing import Callable, Sequence

import numpy as np

from ..safe_write import atomic_write
from .errors import RatingsError
from .file_checks import BOM, MOVIELENS_FORMATS, check_no_nul, checked_format, rating_problem, read_bytes
from .ratings import Ratings, invalid_ratings

SEPARATORS = {"ml-100k": b"\t", "ml-dat": b"::", "ml-csv": b","}
_FIELDS = ("user id", "movie id", "rating", "timestamp")
_TITLE_FILES = {"ml-100k": "u.item", "ml-dat": "movies.dat", "ml-csv": "movies.csv"}
_ML_CSV_HEADER = b"userId,movieId,rating,timestamp\n"
#: the genre flags of ``u.item``, in file order
_ML100K_GENRES = ("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
                  "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
                  "Thriller", "War", "Western")
#: separators, decimal point and line ends as spaces, for one np.fromstring over a block
_TO_SPACES = bytes.maketrans(b":\t,.\r\n", b"      ")
_BLOCK_BYTES = 1 << 24
_WHOLE = re.compile(rb"[+-]?\d+")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def read_movielens(path: str, fmt: str) -> Ratings:
    data = read_bytes(path)
    body, first_line = _body(data, fmt)
    skipped = len(data) - len(body)                     # a BOM, an ml-csv header
    del data
    check_no_nul(body, path, SEPARATORS[fmt], first_line, skipped)
    if not body or body.isspace():
        raise RatingsError("no ratings after the header", path, first_line - 1)
    columns = _fast_columns(body, fmt)
    if columns is not None:
        del body                                        # the text is no longer needed: free it before building
        return _build(columns, lambda row: first_line + row, path, fmt)
    columns, lines = _slow_columns(body, SEPARATORS[fmt], first_line, path)
    del body
    return _build(columns, lambda row: int(lines[row]), path, fmt)


def write_movielens(ratings: Ratings, path: str | os.PathLike, format: str) -> None:
    """Write ``u.data``, ``ratings.dat`` or ``ratings.csv`` lines (timestamp ``0``), sorted by user then movie.

    Ids that are not all whole numbers (names, titles) are written as dense index + 1. Vectorised per user:
    every ``(movie, rating)`` tail is formatted once and each user's lines are one ``bytes.join``.
    """
    path = os.fspath(path)
    fmt = checked_format(format, MOVIELENS_FORMATS)
    sep = SEPARATORS[fmt].decode()
    user_ids, movie_ids = _whole_ids(ratings.user_ids), _whole_ids(ratings.movie_ids)
    stars = [f"{k / 2:.1f}" if fmt == "ml-csv" else f"{k / 2:g}" for k in range(1, 11)]
    code = ratings.movies.astype(np.int64) * 10 + np.rint(ratings.values * 2).astype(np.int64) - 1
    used = np.zeros(ratings.n_movies * 10, dtype=bool)
    used[code] = True
    tails = [f"{movie_ids[k // 10]}{sep}{stars[k % 10]}{sep}0\n".encode() for k in np.flatnonzero(used).tolist()]
    code = (np.cumsum(used) - 1)[code]          # index into tails
    indptr = ratings.user_indptr

    def write(f) -> None:
        f.write(_ML_CSV_HEADER if fmt == "ml-csv" else b"")
        chunk: list[bytes] = []
        for u in np.flatnonzero(np.diff(indptr)).tolist():
            prefix = f"{user_ids[u]}{sep}".encode()
            chunk += (prefix, prefix.join(map(tails.__getitem__, code[indptr[u]:indptr[u + 1]].tolist())))
            if len(chunk) > 20_000:
                f.write(b"".join(chunk))
                chunk.clear()
        f.write(b"".join(chunk))

    atomic_write(path, write)


def _whole_ids(ids: Sequence[str]) -> list[str]:
    """The ids as canonical whole numbers, or ``1..n`` when any id is not one."""
    if all(i.isascii() and i.isdecimal() for i in ids):
        return [str(int(i)) for i in ids]
    return [str(k + 1) for k in range(len(ids))]


def _body(data: bytes, fmt: str) -> tuple[bytes, int]:
    """The data lines (a BOM and an ``ml-csv`` header removed) and the line number of the first one."""
    data = data.removeprefix(BOM)
    end = data.find(b"\n")
    first = data[:end if end >= 0 else len(data)].strip()
    if fmt == "ml-csv" and (first[:1].isalpha() or first[:1] == b'"'):
        return (data[end + 1:] if end >= 0 else b""), 2
    return data, 1


def _fast_columns(body: bytes, fmt: str) -> list[np.ndarray] | None:
    """``[users, movies, ratings]``: ``(n,)`` real ids and values, one per line; None if any line is unusual.

    Blocks of whole lines go through :func:`_parse_block` into preallocated columns; a blank line in the
    middle or any line outside the plain layout sends the file to the line-by-line reader.
    """
    sep = SEPARATORS[fmt]
    end = len(body)
    while body[end - 1:end].isspace():
        end -= 1                                        # trailing blank lines are not rows
    n = body.count(b"\n", 0, end) + 1
    users, movies, ratings = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.float64)
    start = row = 0
    while start < end:
        stop = min(body.find(b"\n", start + _BLOCK_BYTES) + 1 or end, end)
        block = body[start:stop] if body[stop - 1:stop] == b"\n" else body[start:stop] + b"\n"
        columns = _parse_block(block, sep)
        if columns is None:
            return None
        k = len(columns[0])
        users[row:row + k], movies[row:row + k], ratings[row:row + k] = columns
        start, row = stop, row + k
    return [users, movies, ratings]


def _parse_block(block: bytes, sep: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Parse lines ``user<sep>movie<sep>rating<sep>timestamp\\n`` of digits (the rating ``d`` or ``d.d``).

    Vectorised over the bytes: only digits, ``.``, separators and line ends; exactly 3 separators in each line
    (the separator positions, taken 3 per line in order, must stay inside their line); each ``.`` inside a
    rating with one digit after it, at most one per line. One ``np.fromstring`` then reads every digit run as
    an integer (``d.d`` gives two) and the columns are gathered; as many runs as 4 per line plus the dots
    proves that no field is empty. None when any check fails.
    """
    if block.translate(None, b"0123456789.\r\n" + sep) or (b"\r" in block and
                                                           block.count(b"\r") != block.count(b"\r\n")):
        return None
    buf = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)                    # (n,) the newline of each line
    seps = np.flatnonzero(buf == sep[0])
    if len(seps) != 3 * len(sep) * len(ends):
        return None
    seps = seps.reshape(len(ends), 3, len(sep))         # (n, 3, len(sep)) the bytes of each separator
    starts = np.concatenate(([0], ends[:-1] + 1))
    if (seps[:, 0, 0] < starts).any() or (seps[:, 2, -1] > ends).any() or (np.diff(seps, axis=2) != 1).any():
        return None                                     # a line with other than 3 separators, or a split "::"
    dots = np.flatnonzero(buf == 46)
    line = np.searchsorted(ends, dots)                  # (d,) the line of each dot
    if ((dots - 1 <= seps[line, 1, -1]) | (dots + 2 != seps[line, 2, 0])).any() or (np.diff(line) == 0).any():
        return None                                     # a dot that is not in a rating "d.d"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            numbers = np.fromstring(block.translate(_TO_SPACES), dtype=np.int64, sep=" ")
    except (ValueError, DeprecationWarning):
        return None
    if len(numbers) != 4 * len(ends) + len(dots) or (numbers == np.iinfo(np.int64).max).any():
        return None                                     # an empty field; or a number that overflowed (clamped)
    has_dot = np.zeros(len(ends), dtype=np.int64)
    has_dot[line] = 1
    first = np.cumsum(4 + has_dot) - (4 + has_dot)      # (n,) index of each line's first number
    tenths = np.where(has_dot > 0, numbers[np.minimum(first + 3, len(numbers) - 1)], 0)
    return numbers[first], numbers[first + 1], numbers[first + 2] + tenths / 10


def _slow_columns(body: bytes, sep: bytes, first_line: int, path: str) -> tuple[list[np.ndarray], np.ndarray]:
    """Line by line: the columns and each row's line number; raises at the first malformed line."""
    users, movies, lines, ratings = array("q"), array("q"), array("q"), array("d")
    expected = None
    for line, raw in enumerate(io.BytesIO(body), first_line):
        text = raw.strip(b" \r\n")
        if not text:
            continue
        fields = text.split(sep)
        if expected is None and len(fields) in (3, 4):
            expected = len(fields)   # with or without timestamps: every line as the first
        if len(fields) != expected:
            wanted = {None: "3 or 4 fields (user, movie, rating[, timestamp])", 3: "3 fields (user, movie, rating)",
                      4: "4 fields (user, movie, rating, timestamp)"}[expected]
            raise RatingsError(f"expected {wanted}, found {len(fields)}", path, line, min(len(fields), expected or 4) + 1)
        user, movie, rating = (_field_value(token, k, path, line) for k, token in enumerate(fields[:3]))
        if len(fields) == 4:
            _field_value(fields[3], 3, path, line)
        users.append(user)
        movies.append(movie)
        ratings.append(rating)
        lines.append(line)
    columns = [np.frombuffer(users, np.int64), np.frombuffer(movies, np.int64), np.frombuffer(ratings, np.float64)]
    return columns, np.frombuffer(lines, np.int64)


def _field_value(token: bytes, k: int, path: str, line: int) -> int | float:
    """Field ``k`` (0 user, 1 movie, 2 rating, 3 timestamp) as a number, or a located error."""
    token = token.strip()
    if k == 2 and _NUMBER.fullmatch(token):
        return float(token)
    if k != 2 and _WHOLE.fullmatch(token):
        value = int(token)
        if abs(value) < 2 ** 63:
            return value
        problem = f"{_FIELDS[k]} {token.decode()} is too large"
    elif not token:
        problem = f"{_FIELDS[k]} is empty"
    elif any(b < 32 or b > 126 for b in token):
        problem = f"{_FIELDS[k]} holds binary or non-text bytes {token[:20]!r}"
    elif _NUMBER.fullmatch(token):
        problem = f"{_FIELDS[k]} {token.decode()} is not a whole number"
    else:
        problem = f"{_FIELDS[k]} {token.decode()!r} is not a number"
    raise RatingsError(problem, path, line, k + 1)


def _build(columns: list[np.ndarray], line_of: Callable[[int], int], path: str, fmt: str) -> Ratings:
    """Validate ``[users, movies, ratings]`` (``(n,)`` real ids and values; row ``k`` read from line
    ``line_of(k)``) into a :class:`Ratings`. Empties ``columns`` to own the arrays and free each early."""
    users, movies, ratings = columns
    columns.clear()
    value_problem = _first_value_problem(users, movies, ratings)
    user_real, user_idx = _dense_index(users)
    movie_real, movie_idx = _dense_index(movies)
    del users, movies
    cell = user_idx * len(movie_real) + movie_idx
    order = np.argsort(cell, kind="stable")        # stable: file order among the lines of one cell
    same = np.diff(cell[order]) == 0               # (n - 1,): row order[k + 1] repeats the cell of order[k]
    del cell
    problems = [p for p in (value_problem, _first_conflict(order, same, ratings, line_of)) if p is not None]
    if problems:
        row, field, message = min(problems, key=lambda p: p[:2])
        raise RatingsError(message, path, line_of(row), field)
    keep = order[np.concatenate(([True], ~same))]
    del order, same
    users, movies, ratings = user_idx[keep], movie_idx[keep], ratings[keep]
    del user_idx, movie_idx, keep
    movie_ids = [str(m) for m in movie_real.tolist()]
    titles = _sibling_titles(path, fmt)
    return Ratings.from_triples(users, movies, ratings, user_ids=[str(u) for u in user_real.tolist()],
                                movie_ids=movie_ids, movie_titles=[titles.get(m, (m, None))[0] for m in movie_ids],
                                source=fmt, **_genre_groups([titles.get(m, (m, None))[1] for m in movie_ids]))


def _dense_index(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(n,)`` real ids → (sorted distinct ids ``(k,)``, dense index ``(n,) int64``); O(n) for compact ids."""
    lo, hi = int(ids.min()), int(ids.max())
    if hi - lo > 4 * len(ids) + 1_000_000:
        real, index = np.unique(ids, return_inverse=True)
        return real, index.astype(np.int64)
    offset = np.subtract(ids, lo, dtype=np.int64)
    present = np.zeros(hi - lo + 1, dtype=bool)
    present[offset] = True
    return np.flatnonzero(present) + lo, (np.cumsum(present) - 1)[offset]


def _first_value_problem(users: np.ndarray, movies: np.ndarray,
                         ratings: np.ndarray) -> tuple[int, int, str] | None:
    """``(row, field, message)`` of the first negative id or bad rating, or None."""
    checks = ((users < 0, 1, lambda k: f"user id {users[k]} is negative"),
              (movies < 0, 2, lambda k: f"movie id {movies[k]} is negative"),
              (invalid_ratings(ratings), 3, lambda k: rating_problem(ratings[k])))
    found = [(int(mask.argmax()), field, message) for mask, field, message in checks if mask.any()]
    if not found:
        return None
    row, field, message = min(found, key=lambda f: f[:2])
    return row, field, message(row)


def _first_conflict(order: np.ndarray, same: np.ndarray, ratings: np.ndarray,
                    line_of: Callable[[int], int]) -> tuple[int, int, str] | None:
    """The first row that rates an already rated cell differently: ``(row, 3, message)``, or None."""
    conflict = np.flatnonzero(same & (ratings[order[1:]] != ratings[order[:-1]]))
    if not len(conflict):
        return None
    k = conflict[np.argmin(order[conflict + 1])]
    earlier, row = int(order[k]), int(order[k + 1])
    return row, 3, (f"rating {ratings[row]:g} conflicts with rating {ratings[earlier]:g} for the same user "
                    f"and movie on line {line_of(earlier)}")


def _sibling_titles(path: str, fmt: str) -> dict[str, tuple[str, str | None]]:
    """``movie id → (title, first genre or None)`` from the titles file beside ``path``, if there is one."""
    titles_path = os.path.join(os.path.dirname(os.path.abspath(path)), _TITLE_FILES[fmt])
    if not os.path.isfile(titles_path):
        return {}
    text = _decode_titles(read_bytes(titles_path))
    out = {}
    rows = csv.reader(io.StringIO(text)) if fmt == "ml-csv" else (
        line.split("|" if fmt == "ml-100k" else "::") for line in text.splitlines())
    for line, fields in enumerate(rows, 1):
        if not fields or not "".join(fields).strip() or (line == 1 and fields[0].strip().isalpha()):
            continue                                      # blank line or movies.csv header
        if len(fields) < 2 or not fields[0].strip().isdigit():
            raise RatingsError("expected 'movie id, title, …'", titles_path, line, 1)
        if fmt == "ml-100k":
            genre = next((g for g, flag in zip(_ML100K_GENRES, fields[5:]) if flag.strip() == "1"), None)
        else:
            genre = fields[2].split("|")[0].strip() if len(fields) > 2 else ""
        out[str(int(fields[0]))] = (fields[1].strip(), genre or None)
    return out


def _decode_titles(data: bytes) -> str:
    """UTF-8 (ML-10M and later), else Latin-1 (ML-100K, ML-1M)."""
    try:
        return data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _genre_groups(genres: Sequence[str | None]) -> dict:
    """``movie_groups`` / ``group_names`` keywords (names sorted; ``unknown`` for a movie without one)."""
    if all(g is None for g in genres):
        return {}
    names = sorted({g or "unknown" for g in genres})
    index = {name: k for k, name in enumerate(names)}
    return {"movie_groups": np.array([index[g or "unknown"] for g in genres], dtype=np.int32),
            "group_names": tuple(names)}
