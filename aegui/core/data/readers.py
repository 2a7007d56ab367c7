"""Reading and writing ratings files: a CSV grid (:mod:`.csv_grid`) and the three MovieLens layouts
(:mod:`.movielens`), after the checks of :mod:`.file_checks`.

Formats, told apart by the content (never by the file name):

- ``csv-grid``: a header ``user,<title>,<title>…`` (the first cell is any text), then one row per user: the
  name, then one cell per movie, ``0.5``..``5`` in half stars, ``0`` or empty = not rated. The delimiter is
  sniffed: ``,``, ``;`` (whose cells may use a decimal comma, ``3,5``) or a tab.
- ``ml-100k``: MovieLens 100K ``u.data``, ``user<TAB>movie<TAB>rating<TAB>timestamp``.
- ``ml-dat``: MovieLens 1M/10M ``ratings.dat``, ``user::movie::rating::timestamp``.
- ``ml-csv``: MovieLens ``ratings.csv``, header ``userId,movieId,rating,timestamp``, half stars (``3.5``).

Every problem raises :class:`RatingsError` before anything is built, located by the 1-based physical line (a
header counts) and, as the column, the 1-based *field number* (the cell number in a grid). An exact duplicate
``user, movie, rating`` line is collapsed silently; the same user and movie with a different rating is an error.
Writers replace the target in one step (:func:`~aegui.core.safe_write.atomic_write`).
"""

from __future__ import annotations

import os
import re

from .csv_grid import MAX_GRID_CELLS, read_grid, sniff_delimiter, write_csv_grid
from .errors import RatingsError
from .file_checks import (BOM, FORMATS, MAX_FILE_BYTES, MOVIELENS_FORMATS, SNIFF_BYTES, check_no_nul, check_not_utf16,
                          check_regular, checked_format)
from .movielens import SEPARATORS, read_movielens, write_movielens
from .ratings import Ratings

__all__ = ["FORMATS", "MOVIELENS_FORMATS", "MAX_FILE_BYTES", "MAX_GRID_CELLS", "detect_format", "load_ratings",
           "write_csv_grid", "write_movielens"]

_ID_LIKE = re.compile(r"[+-]?(\d+\.?\d*|0[xX][0-9a-fA-F]+)")


def detect_format(path: str | os.PathLike) -> str:
    """The format of a ratings file (one of :data:`FORMATS`), judged from its first lines, not its name."""
    path = os.fspath(path)
    check_regular(path)
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as e:
        raise RatingsError(f"cannot read: {e.strerror}", path) from None
    fmt = _detect(head, path)
    check_not_utf16(head, path)
    check_no_nul(head, path, SEPARATORS.get(fmt) or sniff_delimiter(head.decode("latin-1")).encode())
    return fmt


def load_ratings(path: str | os.PathLike, format: str | None = None) -> Ratings:
    """Read a ratings file in any of :data:`FORMATS`; ``format`` forces one instead of detecting it.

    Raises :class:`RatingsError` (file, line, field) for any problem; nothing is returned half-read.
    """
    path = os.fspath(path)
    fmt = detect_format(path) if format is None else checked_format(format, FORMATS)
    return read_grid(path) if fmt == "csv-grid" else read_movielens(path, fmt)


def _detect(head: bytes, path: str) -> str:
    """The MovieLens layout that at least half of the first (up to 10) lines follow, unless the first line
    looks like a grid header (its second field is not a whole number); else a CSV grid."""
    lines = [line.strip() for line in head.removeprefix(BOM).decode("latin-1").splitlines() if line.strip()][:10]
    if not lines:
        raise RatingsError("empty file", path)
    if "::" in lines[0]:
        return "ml-dat"
    if re.match(r'"?userid"?\s*,\s*"?movieid"?', lines[0], re.IGNORECASE):
        return "ml-csv"
    for fmt, sep in (("ml-100k", "\t"), ("ml-csv", ",")):
        fields = [line.split(sep) for line in lines]
        header_like = len(fields[0]) > 1 and not _ID_LIKE.fullmatch(fields[0][1].strip())
        # user, movie, rating[, timestamp]: ids that look like numbers (the MovieLens reader then says
        # exactly what is wrong with one that is not a whole number)
        fits = sum(len(f) in (3, 4) and all(_ID_LIKE.fullmatch(x.strip()) for x in f[:2]) for f in fields)
        if not header_like and 2 * fits >= len(lines):
            return fmt
    return "csv-grid"
