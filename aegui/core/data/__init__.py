"""Ratings data: the :class:`Ratings` set, file readers and writers, built-in demo sets and splits (numpy only)."""

from __future__ import annotations

from .demo import DEMO_SETS, load_demo, synthetic
from .errors import RatingsError
from .ratings import Ratings
from .readers import FORMATS, detect_format, load_ratings, write_csv_grid, write_movielens
from .splits import align, split_random

__all__ = ["DEMO_SETS", "FORMATS", "Ratings", "RatingsError", "align", "detect_format", "load_demo",
           "load_ratings", "split_random", "synthetic", "write_csv_grid", "write_movielens"]
