"""The CSV grid: one row per user, one column per movie (``csv-grid`` in :mod:`.readers`).

A header ``user,<title>,<title>…`` (the first cell is any text), then one row per user: the name, then one
cell per movie, ``0.5``..``5`` in half stars, ``0`` or empty = not rated. The delimiter is sniffed: ``,``,
``;`` (whose cells may use a decimal comma, ``3,5``) or a tab. Text is UTF-8, else Windows-1252; control
characters are binary junk. Errors are located by line and cell number (1-based).
"""

from __future__ import annotations

import csv
import io
import os
import re
from typing import Sequence

import numpy as np

from ..safe_write import atomic_write
from .errors import RatingsError
from .file_checks import SNIFF_BYTES, position, rating_problem, read_bytes
from .ratings import Ratings, invalid_ratings

#: users × movies above this are refused by :func:`write_csv_grid` (use a MovieLens format)
MAX_GRID_CELLS = 5_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_grid(path: str) -> Ratings:
    data = read_bytes(path)
    delimiter = sniff_delimiter(data[:SNIFF_BYTES].decode("latin-1"))
    text = _grid_text(data, path, delimiter)
    rows = _grid_rows(text, delimiter, path)
    header_line, header = next(rows, (1, None))
    if header is None:
        raise RatingsError("empty file", path)
    titles = _grid_titles(header, path, header_line)
    names: dict[str, int] = {}             # name → line
    values = []
    for line, cells in rows:
        if len(cells) != len(header):
            raise RatingsError(f"row has {len(cells)} cells but the header has {len(header)}", path, line,
                               min(len(cells), len(header)) + 1)
        name = cells[0].strip() or f"User {len(names) + 1}"
        if name in names:
            raise RatingsError(f"user {name!r} appears twice (also on line {names[name]})", path, line, 1)
        names[name] = line
        values.append(_grid_cells(cells[1:], delimiter != ",", path, line))
    if not names:
        raise RatingsError("header only: no user rows", path, header_line)
    grid = np.array(values, dtype=np.float64).reshape(len(names), len(titles))
    bad = invalid_ratings(grid) & (grid != 0)
    if bad.any():
        u, i = np.argwhere(bad)[0]
        raise RatingsError(f"{rating_problem(grid[u, i])}; 0 or empty means not rated", path,
                           list(names.values())[u], i + 2)
    return Ratings.from_dense(grid, user_ids=list(names), movie_ids=titles, movie_titles=titles, source="csv-grid")


def write_csv_grid(ratings: Ratings, path: str | os.PathLike) -> None:
    """Write the dense grid (empty cell = not rated). Titles and names repeated in the set get ``[id]`` added.

    Refused above :data:`MAX_GRID_CELLS` cells. ``load_ratings`` gives back the same triples, with the user names
    as ``user_ids`` and the header titles as both ``movie_ids`` and ``movie_titles``.
    """
    path = os.fspath(path)
    cells = ratings.n_users * ratings.n_movies
    if cells > MAX_GRID_CELLS:
        raise RatingsError(f"{ratings.n_users} × {ratings.n_movies} = {cells:,} cells is too large for a CSV grid "
                           f"(limit {MAX_GRID_CELLS:,}); write a MovieLens format instead", path)
    names = _unique_labels(ratings.user_ids, [str(k + 1) for k in range(ratings.n_users)])
    titles = _unique_labels(ratings.movie_titles, ratings.movie_ids)
    text_of = np.array([""] + [f"{k / 2:g}" for k in range(1, 11)], dtype=object)   # by 2 × rating
    block = max(1, 1_000_000 // max(ratings.n_movies, 1))

    def write(f) -> None:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["user", *titles])
        for lo in range(0, ratings.n_users, block):
            codes = np.rint(ratings.dense_rows(np.arange(lo, min(lo + block, ratings.n_users))) * 2).astype(np.intp)
            out.writerows([name, *text_of[row]] for name, row in zip(names[lo:lo + block], codes))

    def write_text(fh) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        write(text)
        text.flush()
        text.detach()    # the file stays open for atomic_write to sync and close

    atomic_write(path, write_text)


def _unique_labels(labels: Sequence[str], ids: Sequence[str]) -> list[str]:
    """Labels with blanks replaced by the id and repeated ones suffixed ``[id]``."""
    labels = [label if label.strip() else ident for label, ident in zip(labels, ids)]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [f"{label} [{ident}]" if seen[label] > 1 else label for label, ident in zip(labels, ids)]


def sniff_delimiter(sample: str) -> str:
    """``,``, ``;`` or tab as the csv module's sniffer sees the first lines; ``,`` when it cannot tell."""
    sample = sample[:sample.rfind("\n") + 1] or sample
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _grid_text(data: bytes, path: str, delimiter: str) -> str:
    """Decoded text (UTF-8, else Windows-1252); control characters are binary junk."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            line, field = position(data, utf8_error.start, delimiter.encode())
            raise RatingsError(f"not text: byte 0x{data[utf8_error.start]:02x} is neither UTF-8 nor Windows-1252",
                               path, line, field) from None
    bad = _CONTROL.search(text)
    if bad:
        raise RatingsError(f"binary data (control character 0x{ord(bad.group()):02x}), not a ratings grid", path,
                           *position(text, bad.start(), delimiter))
    return text


def _grid_rows(text: str, delimiter: str, path: str):
    """``(line, cells)`` for each row that is not blank; ``line`` is where the row ends. Line ends may
    be LF, CRLF or CR alone (old Mac files)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:   # e.g. a field over the csv module's 131,072-character limit
            raise RatingsError(f"not a ratings grid: {exc}", path, reader.line_num) from None
        if any(c.strip() for c in cells):
            yield reader.line_num, cells


def _grid_titles(header: list[str], path: str, line: int) -> list[str]:
    titles = [t.strip() for t in header[1:]]
    if not titles:
        raise RatingsError("the header names no movies (expected 'user,<title>,<title>,…')", path, line)
    seen: dict[str, int] = {}
    for column, title in enumerate(titles, 2):
        if not title:
            raise RatingsError("empty movie title", path, line, column)
        if title in seen:
            raise RatingsError(f"movie title {title!r} appears twice (also in column {seen[title]})", path, line,
                               column)
        seen[title] = column
    return titles


def _grid_cells(cells: list[str], decimal_comma: bool, path: str, line: int) -> list[float]:
    """One row's cells as numbers (empty = 0); a located error for a cell that is not a number."""
    values = []
    for column, cell in enumerate(cells, 2):
        text = cell.strip().replace(",", ".") if decimal_comma else cell.strip()
        try:
            values.append(float(text) if text else 0.0)
        except ValueError:
            raise RatingsError(f"cell {cell.strip()!r} is not a number", path, line, column) from None
    return values
