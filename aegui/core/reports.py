"""Tables of results as CSV: one user's ratings, predictions and recommendations."""

from __future__ import annotations

import csv
import os

import numpy as np

from .data.ratings import Ratings
from .engine.snapshot import Insight


def user_table(insight: Insight, ratings: Ratings) -> list[dict]:
    """One row per movie, best prediction first: id, title, the user's training and held-out rating
    (empty when none), the predicted rating, the recommendation rank (recommended movies only) and the
    movie's number of training ratings (``n_ratings``; from the recommendations alone when the insight
    does not carry every movie's count)."""
    rank = {rec.movie: k + 1 for k, rec in enumerate(insight.recommendations)}
    if insight.movie_ratings is not None:
        counts = {m: int(c) for m, c in enumerate(insight.movie_ratings)}
    else:
        counts = {rec.movie: rec.n_ratings for rec in insight.recommendations}
    order = np.lexsort((np.arange(ratings.n_movies), -insight.user_predictions))
    return [{"movie_id": ratings.movie_ids[m], "title": ratings.movie_titles[m],
             "rating": _cell(insight.user_ratings[m]), "test_rating": _cell(insight.user_test[m]),
             "predicted": round(float(insight.user_predictions[m]), 4), "recommended": rank.get(int(m), ""),
             "n_ratings": counts.get(int(m), "")}
            for m in order]


def _cell(value: float) -> float | str:
    return float(value) if value else ""


def write_user_table(path: str | os.PathLike, insight: Insight, ratings: Ratings) -> None:
    rows = user_table(insight, ratings)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["movie_id", "title", "rating", "test_rating", "predicted",
                                               "recommended", "n_ratings"])
        writer.writeheader()
        writer.writerows(rows)
