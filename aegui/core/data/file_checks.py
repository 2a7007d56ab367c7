"""Checks every ratings reader makes before it parses: a known format name, a regular file of a sane size,
text rather than binary data; and how a byte offset is located as ``(line, field)`` for an error.

Every refusal is a :class:`~.errors.RatingsError` naming the file (and the line and field where there is one).
"""

from __future__ import annotations

import os
import stat
from typing import Sequence

import numpy as np

from .errors import RatingsError
from .ratings import MAX_RATING, MIN_RATING

FORMATS = ("csv-grid", "ml-100k", "ml-dat", "ml-csv")
MOVIELENS_FORMATS = FORMATS[1:]
#: larger files are refused before reading
MAX_FILE_BYTES = 2 * 1024 ** 3
#: how much of a file format detection (and the binary-data check that goes with it) reads
SNIFF_BYTES = 65536
BOM = b"\xef\xbb\xbf"


def checked_format(name: str, allowed: Sequence[str]) -> str:
    if name not in allowed:
        raise RatingsError(f"unknown format {name!r}; expected one of {', '.join(allowed)}")
    return name


def check_regular(path: str) -> None:
    """Refuse what is not a regular file before reading a byte: a FIFO would block, a device such as
    ``/dev/zero`` or ``/dev/urandom`` never ends."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        raise RatingsError(f"cannot read: {e.strerror}", path) from None
    if stat.S_ISDIR(mode):
        raise RatingsError("is a folder, not a ratings file", path)
    if not stat.S_ISREG(mode):
        raise RatingsError("is not a regular file (a device, FIFO or socket); refused without reading it", path)


def check_not_utf16(head: bytes, path: str) -> None:
    """Refuse UTF-16 text (a byte-order mark, or NUL in every other byte of the first four), naming it as
    such, with how to convert it."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and head[1:4:2] == b"\x00\x00"
                                                        and head[0:4:2] != b"\x00\x00"):
        raise RatingsError("the file is UTF-16 text; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 FILE > "
                           "FILE.utf8.csv) and open that", path)


def check_no_nul(data: bytes, path: str, sep: bytes, first_line: int = 1, skipped: int = 0) -> None:
    """Refuse binary data: a NUL byte in ``data``, located by line and field. ``data`` may be a tail of
    the file: ``skipped`` bytes (``first_line − 1`` lines) come before it."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line, field = position(data, nul, sep)
        raise RatingsError(f"binary data (NUL byte), not a ratings file: the first is at offset {skipped + nul}",
                           path, line + first_line - 1, field)


def read_bytes(path: str) -> bytes:
    """The whole file; refused when missing, not a regular file, over :data:`MAX_FILE_BYTES` or empty."""
    check_regular(path)
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            raise RatingsError(f"file is {_amount(size)}, over the limit of {_amount(MAX_FILE_BYTES)}", path)
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise RatingsError(f"cannot read: {e.strerror}", path) from None
    if not data or data.isspace():
        raise RatingsError("empty file", path)
    return data


def _amount(n_bytes: int) -> str:
    for unit, size in (("GB", 1024 ** 3), ("MB", 1024 ** 2)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f} {unit}"
    return f"{n_bytes} bytes"


def position(text: str | bytes, pos: int, sep: str | bytes) -> tuple[int, int]:
    """``(line, field)`` (1-based) of offset ``pos`` in ``text`` split by newlines and ``sep``."""
    nl = "\n" if isinstance(text, str) else b"\n"
    start = text.rfind(nl, 0, pos) + 1
    return text.count(nl, 0, pos) + 1, text.count(sep, start, pos) + 1


def rating_problem(value: float) -> str:
    """Why ``value`` is not a rating, in words."""
    if not np.isfinite(value):
        return f"rating {value} is not a finite number"
    return f"rating {value:g} is not a rating (expected {MIN_RATING:g}..{MAX_RATING:g} in half stars)"
