"""The Ratings type: construction, validation and the derived views."""

from __future__ import annotations

import numpy as np
import pytest

from aegui.core.data import Ratings, RatingsError
from aegui.core.data import ratings as ratings_module
from aegui.core.data.ratings import check_rating_values, invalid_ratings


def small() -> Ratings:
    """3 users × 4 movies, given out of order."""
    return Ratings.from_triples([2, 0, 1, 0, 2], [3, 1, 0, 0, 0], [5, 4, 3.5, 1, 2],
                                user_ids=["ann", "bob", "cy"], movie_ids=["10", "20", "30", "40"],
                                movie_titles=["A", "B", "C", "D"])


def test_from_triples_sorts_by_user_then_movie():
    r = small()
    assert r.users.tolist() == [0, 0, 1, 2, 2]
    assert r.movies.tolist() == [0, 1, 0, 0, 3]
    assert r.values.tolist() == [1, 4, 3.5, 2, 5]
    assert (r.users.dtype, r.movies.dtype, r.values.dtype) == (np.int32, np.int32, np.float32)
    assert (r.n_users, r.n_movies, r.n_ratings) == (3, 4, 5)
    assert r.density == pytest.approx(5 / 12)


def test_from_triples_accepts_sorted_input_and_default_labels():
    r = Ratings.from_triples([0, 0, 1], [0, 2, 1], [1, 2, 3])
    assert r.user_ids == ("User 1", "User 2")
    assert r.movie_ids == r.movie_titles == ("Movie 1", "Movie 2", "Movie 3")


@pytest.mark.parametrize("users, movies", [([0, 1, 0], [2, 0, 2]), ([0, 0], [1, 1])])
def test_from_triples_refuses_duplicate_cells(users, movies):
    with pytest.raises(RatingsError, match="rated twice"):
        Ratings.from_triples(users, movies, np.ones(len(users)))


@pytest.mark.parametrize("value", [0, 0.25, 5.5, 7, -1, np.nan, np.inf, 3.3])
def test_from_triples_refuses_values_that_are_not_ratings(value):
    with pytest.raises(RatingsError, match="is not a rating"):
        Ratings.from_triples([0, 1], [0, 0], [3, value])


def test_from_triples_refuses_indices_out_of_range_and_label_counts():
    with pytest.raises(RatingsError, match="user index out of range"):
        Ratings.from_triples([0, 3], [0, 0], [1, 1], n_users=2)
    with pytest.raises(RatingsError, match="movie index out of range"):
        Ratings.from_triples([0], [-1], [1])
    with pytest.raises(RatingsError, match="expected 1 movie labels, got 2"):
        Ratings.from_triples([0, 1], [0, 0], [1, 1], user_ids=["a", "b"], movie_ids=["x"], movie_titles=["x", "y"])
    with pytest.raises(RatingsError, match="differ in length"):
        Ratings.from_triples([0, 1], [0], [1, 1])


def test_invalid_ratings_mask():
    values = np.array([0.5, 1, 4.5, 5, 0, 5.5, 2.25, np.nan, -np.inf, np.inf])
    assert invalid_ratings(values).tolist() == [False] * 4 + [True] * 6
    check_rating_values(values[:4])


def test_from_dense_and_back():
    grid = np.array([[0, 3, 0], [4.5, 0, 1]])
    r = Ratings.from_dense(grid)
    assert r.n_ratings == 3
    np.testing.assert_array_equal(r.to_dense(), grid)
    with pytest.raises(RatingsError, match="2-D"):
        Ratings.from_dense(np.ones(3))
    with pytest.raises(RatingsError, match=r"cell \(user 2, movie 1\) is not a number"):
        Ratings.from_dense([[1, 2], [np.nan, 3]])


def test_row_access():
    r = small()
    np.testing.assert_array_equal(r.user_indptr, [0, 2, 3, 5])
    np.testing.assert_array_equal(r.ratings_per_user, [2, 1, 2])
    np.testing.assert_array_equal(r.ratings_per_movie, [3, 1, 0, 1])
    rows, movies, values = r.rows_slice(np.array([2, 0]))
    assert rows.tolist() == [0, 0, 1, 1] and movies.tolist() == [0, 3, 0, 1] and values.tolist() == [2, 5, 1, 4]
    np.testing.assert_array_equal(r.dense_rows(np.array([1])), [[3.5, 0, 0, 0]])
    assert r.value_at(2, 3) == 5 and r.value_at(1, 3) == 0


def test_to_dense_refuses_huge_sets(monkeypatch):
    monkeypatch.setattr(ratings_module, "MAX_DENSE_CELLS", 11)
    with pytest.raises(RatingsError, match="3 × 4 is too large"):
        small().to_dense()


def test_subset_keeps_the_index_space():
    r = small()
    s = r.subset(r.values > 2)
    assert s.n_ratings == 3 and (s.n_users, s.n_movies) == (3, 4) and s.user_ids == r.user_ids


def test_transposed_swaps_users_and_movies():
    t = small().transposed()
    assert (t.n_users, t.n_movies) == (4, 3)
    assert t.user_ids == ("A", "B", "C", "D") and t.movie_ids == ("ann", "bob", "cy")
    np.testing.assert_array_equal(t.to_dense(), small().to_dense().T)


def test_with_cells_sets_and_clears():
    r = small().with_cells(np.array([1, 0]), np.array([2, 0]), np.array([4, 0]))
    assert r.value_at(1, 2) == 4 and r.value_at(0, 0) == 0 and r.n_ratings == 5
    with pytest.raises(RatingsError):
        small().with_cells(np.array([0]), np.array([0]), np.array([9]))


def test_summary():
    s = small().summary()
    assert s["ratings"] == 5 and s["half_stars"] and s["rating_min"] == 1 and s["rating_max"] == 5
    assert Ratings.from_triples([], [], [], n_users=1, n_movies=1).summary()["rating_mean"] is None
