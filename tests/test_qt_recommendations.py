"""The recommendation tables of the user and new-user panels, on a really trained network: each movie's
number of ratings, predictions clipped at the top marked, and the "min. ratings" spin box."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from aegui.core.data.demo import synthetic
from aegui.core.data.ratings import Ratings
from aegui.core.engine.snapshot import MIN_RATINGS, default_min_ratings
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer
from aegui.qt.new_user_panel import NewUserPanel
from aegui.qt.user_panel import CLIPPED_TIP, UserPanel


@pytest.fixture(scope="module")
def boosted():
    """A network trained on the demo grid whose prediction of user 1's least-rated unrated movie is
    pushed far above the top of the scale (what an autoencoder does to a movie one person loved)."""
    ratings = synthetic(40, 12, density=0.6, n_genres=4, seed=0)
    t = Trainer(ratings, ModelSpec(hidden=(4,)), TrainSpec(batch_size=8, lr=0.05, seed=0))
    for _ in range(2):
        t.step_epoch()
    counts = ratings.ratings_per_movie
    unrated = np.flatnonzero(ratings.dense_rows(np.array([0]))[0] == 0)
    rare = int(unrated[np.argmin(counts[unrated])])
    with torch.no_grad():
        t.network.biases[-1][rare] += 10.0
    return ratings, t, rare


def panel(qtbot, cls):
    p = cls()
    qtbot.addWidget(p)
    p.resize(900, 600)
    p.show()
    return p


def test_the_table_shows_counts_and_marks_clipped_predictions(qtbot, boosted, tmp_path):
    ratings, t, rare = boosted
    p = panel(qtbot, UserPanel)
    p.set_data(ratings)
    ins = t.insight(0, top=12, min_ratings=1)
    p.show_insight(ins)
    header = [p.table.horizontalHeaderItem(c).text() for c in range(p.table.columnCount())]
    assert header == ["#", "movie", "predicted", "ratings"]
    assert p.table.rowCount() == len(ins.recommendations) == int((ins.user_ratings == 0).sum())
    assert p.table.item(0, 1).text() == ratings.movie_titles[rare]
    assert p.table.item(0, 2).text() == "5.00 ▲" and p.table.item(0, 2).toolTip() == CLIPPED_TIP
    for k, rec in enumerate(ins.recommendations):
        assert p.table.item(k, 3).text() == str(ratings.ratings_per_movie[rec.movie])
        assert ("▲" in p.table.item(k, 2).text()) == rec.clipped
    assert sum(r.clipped for r in ins.recommendations) >= 1
    assert not all(r.clipped for r in ins.recommendations)   # the unmarked rows exist and stay unmarked
    p.ask_csv_path = lambda: str(tmp_path / "user.csv")
    qtbot.mouseClick(p.csv_button, Qt.MouseButton.LeftButton)
    with open(tmp_path / "user.csv", encoding="utf-8") as f:
        rows = {r["title"]: r for r in csv.DictReader(f)}
    assert len(rows) == ratings.n_movies
    assert all(int(rows[ratings.movie_titles[m]]["n_ratings"]) == ratings.ratings_per_movie[m]
               for m in range(ratings.n_movies))
    assert rows[ratings.movie_titles[rare]]["recommended"] == "1"


def test_the_min_ratings_spin_box_starts_at_the_rule_and_asks_again(qtbot, boosted):
    ratings, t, rare = boosted
    p = panel(qtbot, UserPanel)
    with qtbot.assertNotEmitted(p.minRatingsChanged):   # new data sets the default quietly
        p.set_data(ratings)
    assert p.min_ratings.value() == default_min_ratings(ratings.ratings_per_movie) == MIN_RATINGS
    assert "at least this many training ratings" in p.min_ratings.toolTip()
    # it sits beside "top" in the same row
    assert abs(p.min_ratings.geometry().center().y() - p.top.geometry().center().y()) < 5
    assert p.min_ratings.geometry().left() > p.top.geometry().right()
    k = int(ratings.ratings_per_movie[rare]) + 1
    emitted = []
    p.minRatingsChanged.connect(emitted.append)
    p.min_ratings.setFocus()
    p.min_ratings.lineEdit().selectAll()
    qtbot.keyClicks(p.min_ratings.lineEdit(), str(k))
    assert emitted == []          # typing a number asks once it is entered
    qtbot.keyClick(p.min_ratings.lineEdit(), Qt.Key.Key_Return)
    assert emitted == [k] and p.min_ratings.value() == k
    qtbot.keyClick(p.min_ratings.lineEdit(), Qt.Key.Key_Up)   # the arrows ask at once
    assert emitted == [k, k + 1]
    p.min_ratings.setValue(k)
    strict = t.insight(0, top=12, min_ratings=p.min_ratings.value())
    p.show_insight(strict)
    shown = [p.table.item(r, 1).text() for r in range(p.table.rowCount())]
    assert ratings.movie_titles[rare] not in shown and shown
    assert all(int(p.table.item(r, 3).text()) >= k for r in range(p.table.rowCount()))
    assert f"at least {k} training ratings" in p.table.toolTip()
    # a value the person chose survives new data; a fresh panel on a tiny dense grid adapts its default
    p.set_data(ratings)
    assert p.min_ratings.value() == k
    grid = np.full((5, 4), 4.0)
    grid[0, 2] = 0
    fresh = panel(qtbot, UserPanel)
    fresh.set_data(Ratings.from_dense(grid))
    assert fresh.min_ratings.value() == 3


def test_the_new_user_table_shows_counts_and_marks(qtbot, boosted):
    ratings, t, rare = boosted
    p = panel(qtbot, NewUserPanel)
    p.set_data(ratings, False)
    row = ratings.dense_rows(np.array([0]))[0]
    with qtbot.waitSignal(p.ratingsChanged):
        p.rate(int(np.flatnonzero(row)[0]), float(row[np.flatnonzero(row)[0]]))
    encoding = t.encode(p.model.values, top=12, min_ratings=1)
    p.show_encoding(encoding)
    header = [p.predictions.horizontalHeaderItem(c).text() for c in range(p.predictions.columnCount())]
    assert header == ["recommended for you", "predicted", "ratings"]
    assert p.predictions.rowCount() == len(encoding.recommendations) == ratings.n_movies - 1
    clipped = {r.movie for r in encoding.recommendations if r.clipped}
    assert rare in clipped
    for k, rec in enumerate(encoding.recommendations):
        assert p.predictions.item(k, 0).text() == ratings.movie_titles[rec.movie]
        assert p.predictions.item(k, 2).text() == str(ratings.ratings_per_movie[rec.movie])
        assert ("▲" in p.predictions.item(k, 1).text()) == (rec.movie in clipped)
