"""Built-in sets: the seed's examples, the synthetic generator and its MovieLens 100K calibration."""

from __future__ import annotations

import numpy as np
import pytest

from aegui.core.data import DEMO_SETS, RatingsError, load_demo, synthetic
from aegui.core.data.demo import GENRES, ml100k_like, seed_onehot, seed_toy

#: MovieLens 100K: shares of 1..5 stars (percent) and the mean rating
ML100K_SHARES = np.array([6.1, 11.4, 27.1, 34.2, 21.2])
ML100K_MEAN = 3.53


def test_seed_onehot():
    r = seed_onehot()
    np.testing.assert_array_equal(r.to_dense(), np.eye(4))
    assert r.user_ids == ("User 1", "User 2", "User 3", "User 4")
    assert r.movie_titles == ("Movie 1", "Movie 2", "Movie 3", "Movie 4")


def test_seed_toy():
    r = seed_toy()
    grid = r.to_dense()
    assert grid.shape == (8, 6) and (grid == 0).any() and set(np.unique(grid[grid > 0])) <= {1, 2, 3, 4, 5}
    assert "Titanic" in r.movie_titles and r.group_names == ("Sci-Fi", "Romance", "Animation")
    assert r.movie_groups.tolist() == [0, 1, 2, 0, 1, 2]
    assert r.user_groups[r.user_ids.index("Ann")] == 0 and r.user_groups[r.user_ids.index("Cleo")] == 1


def test_synthetic_shape_and_labels():
    r = synthetic(120, 60, density=0.15, n_genres=5, seed=2)
    assert (r.n_users, r.n_movies, r.n_ratings) == (120, 60, 1080)
    assert r.source == "synthetic" and r.group_names == GENRES[:5]
    assert r.user_ids == tuple(str(k) for k in range(1, 121))
    assert len(set(r.movie_titles)) == 60 and all(t.endswith(")") for t in r.movie_titles)
    assert r.movie_groups.min() == 0 and r.movie_groups.max() == 4 and 0 <= r.user_groups.min()
    assert r.ratings_per_movie.min() >= 1 and r.ratings_per_user.min() >= 3
    assert set(np.unique(r.values)) <= {1, 2, 3, 4, 5}


def test_synthetic_is_deterministic_per_seed():
    a, b, c = synthetic(seed=5), synthetic(seed=5), synthetic(seed=6)
    for x, y in ((a.users, b.users), (a.movies, b.movies), (a.values, b.values)):
        np.testing.assert_array_equal(x, y)
    assert a.movie_titles == b.movie_titles
    assert not (a.n_ratings == c.n_ratings and (a.movies == c.movies).all() and (a.values == c.values).all())


def test_synthetic_half_stars_and_a_full_grid():
    assert set(np.unique(synthetic(50, 30, seed=1, half_stars=True).values)) == set(np.arange(1, 11) / 2)
    full = synthetic(20, 8, density=1.0, n_genres=3)
    assert full.n_ratings == 160 and (full.to_dense() > 0).all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_users=10, n_movies=5, n_ratings=9, n_genres=3), "9 ratings cannot fill 10 users × 5 movies"),
    (dict(n_users=10, n_movies=5, n_ratings=51, n_genres=3), "need 10..50"),
    (dict(n_genres=0), "n_genres must be 1..18, got 0"),
    (dict(n_movies=4, n_genres=5, density=0.5), "n_genres must be 1..4, got 5"),
])
def test_synthetic_refuses_impossible_shapes(kwargs, message):
    with pytest.raises(RatingsError, match=message):
        synthetic(**kwargs)


@pytest.mark.parametrize("seed", [0, 1])
def test_ml100k_like_is_calibrated(seed):
    r = ml100k_like(seed)
    assert (r.n_users, r.n_movies, r.n_ratings) == (943, 1682, 100_000)
    shares = np.bincount(r.values.astype(int), minlength=6)[1:] / r.n_ratings * 100
    np.testing.assert_allclose(shares, ML100K_SHARES, atol=2.0)
    assert r.values.mean() == pytest.approx(ML100K_MEAN, abs=0.05)
    assert r.ratings_per_user.min() >= 20 and r.ratings_per_movie.min() >= 1
    assert r.ratings_per_movie.max() > 20 * np.median(r.ratings_per_movie)       # a few very popular movies


def test_tastes_show_in_the_ratings():
    """Users rate their favourite genre higher than the rest, on average."""
    r = synthetic(400, 100, density=0.2, seed=3)
    favourite = r.user_groups[r.users] == r.movie_groups[r.movies]
    assert r.values[favourite].mean() > r.values[~favourite].mean() + 0.2


def test_demo_sets():
    assert list(DEMO_SETS) == ["seed-onehot", "seed-toy", "synthetic-small", "synthetic-medium", "ml100k-like", "demo"]
    demo = load_demo("demo")   # the window's first set: three genres for a 3-unit bottleneck to find
    assert (demo.n_users, demo.n_movies, demo.n_ratings) == (120, 12, 864) and len(demo.group_names) == 3
    small = load_demo("synthetic-small")
    assert (small.n_users, small.n_movies) == (40, 12) and small.density > 0.5
    assert load_demo("synthetic-medium").n_users == 300
    with pytest.raises(RatingsError, match="unknown demo set 'big'; expected one of seed-onehot, seed-toy"):
        load_demo("big")
