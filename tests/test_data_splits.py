"""Train / test splits: sizes, disjointness, one index space, and aligning separately loaded test files."""

from __future__ import annotations

import numpy as np
import pytest

from aegui.core.data import Ratings, RatingsError, align, load_ratings, split_random, synthetic
from aegui.core.data.demo import seed_onehot


def cells(r: Ratings) -> set[tuple[str, str, float]]:
    return {(r.user_ids[u], r.movie_ids[m], float(v)) for u, m, v in zip(r.users, r.movies, r.values)}


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5])
def test_split_sizes_disjoint_and_complete(fraction):
    r = synthetic(200, 80, density=0.15, seed=1)
    train, test = split_random(r, fraction, seed=3)
    assert test.n_ratings == round(fraction * r.n_ratings)
    assert train.n_ratings + test.n_ratings == r.n_ratings
    assert not cells(train) & cells(test) and cells(train) | cells(test) == cells(r)
    for part in (train, test):
        assert part.user_ids == r.user_ids and part.movie_ids == r.movie_ids
        assert (part.n_users, part.n_movies) == (r.n_users, r.n_movies)


def test_split_keeps_one_training_rating_per_user():
    r = synthetic(300, 40, density=0.05, seed=2)           # 600 ratings, 2 per user on average
    train, test = split_random(r, 0.3)
    assert (train.ratings_per_user >= 1).all() and test.n_ratings == round(0.3 * r.n_ratings)
    train, test = split_random(r, 0.6)                      # 360 wanted, but 300 must stay
    assert (train.ratings_per_user >= 1).all() and test.n_ratings == r.n_ratings - r.n_users
    train, test = split_random(r, 0.6, keep_one_per_user=False)
    assert test.n_ratings == round(0.6 * r.n_ratings) and (train.ratings_per_user == 0).any()
    train, test = split_random(seed_onehot(), 0.5)          # every user has one rating: nothing can be held out
    assert (train.n_ratings, test.n_ratings) == (4, 0)


def test_split_is_seeded():
    r = synthetic(seed=4)
    a, b, c = split_random(r, 0.2, seed=1)[1], split_random(r, 0.2, seed=1)[1], split_random(r, 0.2, seed=2)[1]
    assert cells(a) == cells(b) and cells(a) != cells(c)


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_split_fraction_must_be_inside_0_1(fraction):
    with pytest.raises(RatingsError, match=f"between 0 and 1 .exclusive., got {fraction}"):
        split_random(seed_onehot(), fraction)


def test_align_maps_by_real_ids_and_keeps_unknowns_apart(tmp_path):
    (tmp_path / "u1.base").write_text("1\t10\t4\t0\n1\t20\t3\t0\n2\t10\t5\t0\n3\t30\t2\t0\n")
    (tmp_path / "u1.test").write_text("3\t10\t1\t0\n2\t30\t4\t0\n9\t10\t3\t0\n1\t99\t2\t0\n")
    train, test = load_ratings(tmp_path / "u1.base"), load_ratings(tmp_path / "u1.test")
    assert test.user_ids == ("1", "2", "3", "9") and test.movie_ids == ("10", "30", "99")
    aligned, unseen = align(train, test)
    assert len(unseen) == 2     # user 9 is unknown; movie 99 is unknown (user 1 is known)
    assert sorted(zip(unseen.users.tolist(), unseen.movies.tolist(), unseen.values.tolist())) == [(-1, 0, 3.0),
                                                                                                  (0, -1, 2.0)]
    assert aligned.user_ids == train.user_ids and aligned.movie_ids == train.movie_ids
    assert cells(aligned) == {("3", "10", 1.0), ("2", "30", 4.0)}
    np.testing.assert_array_equal(aligned.users, [1, 2]) and np.testing.assert_array_equal(aligned.movies, [2, 0])


def test_align_of_a_split_is_the_identity():
    r = synthetic(60, 30, density=0.3, seed=7)
    train, test = split_random(r, 0.3)
    aligned, unseen = align(train, test)
    assert len(unseen) == 0
    for a, b in ((aligned.users, test.users), (aligned.movies, test.movies), (aligned.values, test.values)):
        np.testing.assert_array_equal(a, b)
