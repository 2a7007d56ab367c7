"""Recommendations a practitioner can trust: a minimum number of training ratings per movie (with a
default that adapts to small grids), each movie's count, and predictions clipped at the top marked."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from aegui.core.data.demo import synthetic
from aegui.core.data.ratings import Ratings
from aegui.core.engine.predict import recommend, recommend_unrated, resolve_min_ratings
from aegui.core.engine.snapshot import MIN_RATINGS, Recommendation, default_min_ratings
from aegui.core.engine.spec import ModelSpec, TrainSpec
from aegui.core.engine.trainer import Trainer


def test_a_movie_rated_once_with_a_huge_prediction_needs_min_ratings_1():
    predictions = np.array([9.0, 4.0, 4.5, 3.0], dtype=np.float32)
    rated = np.array([False, False, False, True])
    counts = np.array([1, 12, 30, 40])
    kept = recommend_unrated(predictions, rated, 1.0, 5.0, 10, counts, min_ratings=2)
    assert [r.movie for r in kept] == [2, 1]
    assert all(not r.clipped for r in kept)
    assert [r.n_ratings for r in kept] == [30, 12]
    everything = recommend_unrated(predictions, rated, 1.0, 5.0, 10, counts, min_ratings=1)
    assert everything[0] == Recommendation(movie=0, predicted=5.0, n_ratings=1, clipped=True)
    assert [r.movie for r in everything] == [0, 2, 1]   # the rated movie 3 never
    # exactly the minimum is enough, one below is not
    assert 1 in [r.movie for r in recommend_unrated(predictions, rated, 1.0, 5.0, 10, counts, 12)]
    assert 1 not in [r.movie for r in recommend_unrated(predictions, rated, 1.0, 5.0, 10, counts, 13)]


def test_clipped_only_above_the_top_and_ranked_by_the_unclipped_value():
    predictions = np.array([5.0, 6.0, 7.5, 0.2, 5.0001, 4.99], dtype=np.float32)
    counts = np.full(6, 20)
    recs = recommend_unrated(predictions, np.zeros(6, bool), 1.0, 5.0, 6, counts, 1)
    assert [r.movie for r in recs] == [2, 1, 4, 0, 5, 3]
    assert {r.movie: r.clipped for r in recs} == {2: True, 1: True, 4: True, 0: False, 5: False, 3: False}
    assert {r.movie: r.predicted for r in recs}[3] == 1.0       # clipped at the bottom: not marked
    assert [r.predicted for r in recs[:3]] == [5.0, 5.0, 5.0]


def test_recommend_counts_the_training_ratings_of_each_movie():
    grid = np.array([[5, 0, 0, 3],
                     [4, 2, 0, 0],
                     [5, 0, 1, 4],
                     [3, 0, 0, 5]], dtype=np.float32)
    train = Ratings.from_dense(grid)
    predictions = np.array([4.0, 4.5, 4.8, 3.9], dtype=np.float32)
    recs = recommend(predictions, train, 0, top=5, min_ratings=1)
    assert [(r.movie, r.n_ratings) for r in recs] == [(2, 1), (1, 1)]
    assert recommend(predictions, train, 0, top=5, min_ratings=2) == []
    assert [r.movie for r in recommend(predictions, train, 1, top=5, min_ratings=2)] == [3]
    with pytest.raises(ValueError, match="negative"):
        recommend(predictions, train, 0, min_ratings=-1)


def test_the_default_minimum_adapts_to_the_data():
    many = np.random.default_rng(0).integers(15, 400, size=500)
    many[:50] = 1   # obscure movies rated once
    assert default_min_ratings(many) == MIN_RATINGS == 10
    sparse = np.array([1, 1, 2, 3, 3, 3, 4, 8, 40])   # typical movie rated 3 times
    assert default_min_ratings(sparse) == 3
    dense_tiny = np.array([5, 5, 4, 5])                # 5 users who rated nearly everything
    assert default_min_ratings(dense_tiny) == 3
    assert default_min_ratings(np.array([1, 1, 2])) == 1
    assert default_min_ratings(np.zeros(4, int)) == 1 and default_min_ratings(np.zeros(0, int)) == 1
    assert resolve_min_ratings(None, sparse) == 3 and resolve_min_ratings(7, sparse) == 7
    assert resolve_min_ratings(0, sparse) == 0


def tiny_trainer(grid, epochs=3):
    t = Trainer(Ratings.from_dense(np.asarray(grid, dtype=np.float32)), ModelSpec(hidden=(3,)),
                TrainSpec(mode="minibatch", batch_size=2, epochs=epochs, seed=0))
    for _ in range(epochs):
        t.step_epoch()
    return t


def test_a_hand_typed_grid_still_gets_recommendations_by_default():
    # user 1 left movie 3 blank; every other cell is rated: a minimum of 10 (or the median, 5) would
    # leave user 1 with nothing to recommend
    grid = np.full((5, 4), 4.0)
    grid[0, 2] = 0
    grid[1:, 2] = [5, 3, 4, 2]
    t = tiny_trainer(grid)
    ins = t.insight(0)
    assert ins.min_ratings == 3
    assert [(r.movie, r.n_ratings) for r in ins.recommendations] == [(2, 4)]
    assert t.insight(0, min_ratings=5).recommendations == ()
    enc = t.encode(grid[0])
    assert enc.min_ratings == 3 and [r.movie for r in enc.recommendations] == [2]
    assert t.encode(grid[0], min_ratings=5).recommendations == ()
    with pytest.raises(ValueError, match="negative"):
        t.insight(0, min_ratings=-2)


def test_the_demo_grid_recommends_with_the_full_minimum():
    data = synthetic(40, 12, density=0.6, n_genres=4, seed=0)
    t = tiny_trainer(data.to_dense(), epochs=2)
    user = int(np.argmin(data.ratings_per_user))   # the user with most unrated movies
    ins = t.insight(user, top=12)
    unrated = data.dense_rows(np.array([user]))[0] == 0
    assert ins.min_ratings == MIN_RATINGS
    assert len(ins.recommendations) == unrated.sum() > 0   # every movie of the demo has ≥ 10 ratings
    assert all(r.n_ratings == data.ratings_per_movie[r.movie] for r in ins.recommendations)
    strict = t.insight(user, top=12, min_ratings=int(np.median(data.ratings_per_movie)) + 1)
    assert 0 < len(strict.recommendations) < len(ins.recommendations)
    assert all(r.n_ratings > np.median(data.ratings_per_movie) for r in strict.recommendations)


def test_recommendations_cross_a_pipe():
    grid = np.full((5, 4), 4.0)
    grid[0, 2] = 0
    t = tiny_trainer(grid, epochs=1)
    ins = t.insight(0, min_ratings=1)
    back = pickle.loads(pickle.dumps(ins))
    assert back.recommendations == ins.recommendations and isinstance(back.recommendations[0], Recommendation)
