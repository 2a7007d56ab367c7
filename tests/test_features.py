"""What the network learned, in numbers (aegui.core.features): each helper against a brute-force or
textbook computation on small data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aegui.core import features as ft
from aegui.core.data.demo import seed_onehot, seed_toy, synthetic


# ---------------------------------------------------------------------- attributes
def brute_attributes(ratings, item_based):
    """Loops over the ratings: (favourite or own genre | None, counts, means)."""
    n = ratings.n_movies if item_based else ratings.n_users
    per = [[] for _ in range(n)]
    for u, i, v in zip(ratings.users.tolist(), ratings.movies.tolist(), ratings.values.tolist()):
        per[i if item_based else u].append((u, i, v))
    counts = np.array([len(p) for p in per], dtype=float)
    means = np.array([np.mean([v for *_, v in p]) if p else np.nan for p in per])
    genre = None
    if item_based and ratings.movie_groups is not None:
        genre = np.asarray(ratings.movie_groups)
    elif not item_based and ratings.user_groups is not None:
        genre = np.asarray(ratings.user_groups)
    elif not item_based and ratings.movie_groups is not None:
        genre = np.full(n, -1)
        for u, p in enumerate(per):
            by_genre = {}
            for _, i, v in p:
                by_genre.setdefault(int(ratings.movie_groups[i]), []).append(v)
            if by_genre:
                best = max(np.mean(vs) for vs in by_genre.values())
                genre[u] = min(g for g, vs in by_genre.items() if np.mean(vs) == best)
    return genre, counts, means


@pytest.mark.parametrize("item_based", [False, True])
@pytest.mark.parametrize("groups", ["both", "movies only"])
def test_attributes_match_a_brute_force_count(item_based, groups):
    ratings = synthetic(30, 14, density=0.4, n_genres=4, seed=3)
    if groups == "movies only":
        ratings = dataclasses.replace(ratings, user_groups=None)
    attributes = ft.observation_attributes(ratings, item_based)
    genre, counts, means = brute_attributes(ratings, item_based)
    by_name = {a.name: a for a in attributes}
    assert [a.name for a in attributes] == [("genre" if item_based else "favourite genre"), "number of ratings",
                                            "mean rating"]
    first = attributes[0]
    assert first.categorical and first.categories == ratings.group_names
    assert np.array_equal(first.values, genre)
    assert np.array_equal(by_name["number of ratings"].values, counts)
    assert np.allclose(by_name["mean rating"].values, means, equal_nan=True)
    assert not by_name["mean rating"].categorical


def test_without_genres_there_is_no_genre_attribute_and_unrated_users_have_no_mean():
    ratings = seed_onehot().subset(np.array([True, True, False, True]))   # user 3 rated nothing
    attributes = ft.observation_attributes(ratings, item_based=False)
    assert [a.name for a in attributes] == ["number of ratings", "mean rating"]
    assert attributes[0].values.tolist() == [1, 1, 0, 1]
    assert np.isnan(attributes[1].values[2]) and attributes[1].values[0] == 1


def test_names_and_feature_groups_follow_the_orientation():
    ratings = seed_toy()
    assert ft.observation_names(ratings, False) == ratings.user_ids
    assert ft.feature_names(ratings, False) == ratings.movie_titles
    assert ft.observation_names(ratings, True) == ratings.movie_titles
    assert ft.observation_names(synthetic(30, 14, density=0.4, seed=1), False)[:2] == ("user 1", "user 2")
    assert np.array_equal(ft.feature_groups(ratings, False), ratings.movie_groups)
    assert np.array_equal(ft.feature_groups(ratings, True), ratings.user_groups)
    assert ft.group_names(dataclasses.replace(ratings, group_names=("Sci-Fi",))) == ("Sci-Fi", "group 2", "group 3")


# ---------------------------------------------------------------------- unit features
def stack(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(size=(b, a)) for a, b in zip(sizes[:-1], sizes[1:]))


@pytest.mark.parametrize("layer, unit", [(0, 1), (1, 2), (2, 0)])
def test_unit_features_are_rows_and_columns_of_the_weight_products(layer, unit):
    w = stack((9, 4, 3, 4, 9))                                  # W1 … W4, hidden layers h1 h2 h3
    into = [w[0], w[1] @ w[0], w[2] @ w[1] @ w[0]][layer]
    out = [w[3] @ w[2] @ w[1], w[3] @ w[2], w[3]][layer]
    assert np.allclose(ft.input_weights(w, layer), into)
    f = ft.unit_features(w, layer, unit, top=5)
    for index, weight, full in ((f.in_index, f.in_weight, into[unit]), (f.out_index, f.out_weight, out[:, unit])):
        assert len(index) == 5
        assert np.allclose(weight, full[index])                               # signed values of those indices
        assert np.all(np.diff(np.abs(weight)) <= 0)                           # strongest first
        assert np.abs(weight[-1]) >= np.sort(np.abs(full))[-5] - 1e-12         # the top five
    assert (f.in_linearised, f.out_linearised) == (layer > 0, layer < 2)


def test_a_single_hidden_layer_reads_its_weights_directly():
    w = stack((7, 3, 7), seed=2)
    f = ft.unit_features(w, 0, 1, top=100)
    assert not f.in_linearised and not f.out_linearised
    assert np.array_equal(np.sort(f.in_index), np.arange(7))
    assert np.allclose(f.in_weight, w[0][1, f.in_index]) and np.allclose(f.out_weight, w[1][f.out_index, 1])


# ---------------------------------------------------------------------- genre alignment
def test_genre_alignment_is_pearson_r_with_each_genre_indicator():
    rng = np.random.default_rng(4)
    groups = np.array([0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 1, -1, 0])             # no genre 3; one movie without
    w = rng.normal(size=(5, len(groups)))
    w[2] = (groups == 1) * 2.0 + 0.1 * rng.normal(size=len(groups))           # unit 2 is the genre-1 unit
    a = ft.genre_alignment(w, groups, 4)
    expected = np.array([[np.corrcoef(w[j], groups == g)[0, 1] for g in range(3)] for j in range(5)])
    assert a.r.shape == (5, 4)
    assert np.allclose(a.r[:, :3], expected)
    assert np.all(a.r[:, 3] == 0)                                              # constant indicator: r = 0
    assert np.array_equal(a.best, np.abs(expected).argmax(axis=1))
    assert a.best[2] == 1 and a.best_r[2] > 0.9
    assert np.allclose(a.best_r, expected[np.arange(5), a.best])


# ---------------------------------------------------------------------- latent projection
@pytest.mark.parametrize("k", [5, 40])
def test_pca_matches_the_svd_up_to_sign(k):
    rng = np.random.default_rng(k)
    z = rng.normal(size=(300, 3)) * [5.0, 2.0, 1.0]
    codes = (z @ rng.normal(size=(3, k)) + 0.1 * rng.normal(size=(300, k)) + 3.0).astype(np.float32)
    basis = ft.pca_2d(codes)
    x = codes.astype(np.float64)
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    signs = np.sign(np.sum(basis.components * vt[:2], axis=1))
    assert not basis.identity
    assert np.allclose(basis.components, signs[:, None] * vt[:2], atol=1e-5)
    assert np.allclose(basis.explained, s[:2] ** 2 / np.sum(s ** 2), atol=1e-6)
    assert np.allclose(basis.project(codes), centred @ vt[:2].T * signs, atol=1e-3)
    assert np.allclose(basis.project(codes[7]), basis.project(codes)[7])
    assert np.allclose(np.linalg.norm(basis.components, axis=1), 1)


def test_two_units_are_their_own_axes_and_one_unit_gets_a_flat_second_axis():
    rng = np.random.default_rng(0)
    codes = rng.random((50, 2)) * [1.0, 3.0]
    basis = ft.pca_2d(codes)
    assert basis.identity and np.array_equal(basis.project(codes), codes)
    assert np.allclose(basis.explained, codes.var(axis=0) / codes.var(axis=0).sum())
    one = ft.pca_2d(codes[:, :1])
    assert one.identity and np.array_equal(one.project(codes[:, :1]), np.c_[codes[:, 0], np.zeros(50)])


def test_top_eigenvectors_agree_with_eigh_and_the_histogram_with_numpy():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(200, 30)) * np.linspace(4, 1, 30)
    c = np.cov(a.T)
    lam, vec = ft.top_eigenvectors(c)
    w, v = np.linalg.eigh(c)
    assert np.allclose(lam, w[::-1][:2])
    assert np.allclose(np.abs(np.sum(vec * v[:, ::-1][:, :2], axis=0)), 1)
    values = rng.normal(size=(6, 9))
    edges, counts = ft.symmetric_histogram(values, 10)
    top = np.abs(values).max()
    expected, expected_edges = np.histogram(values, 10, range=(-top, top))
    assert np.array_equal(counts, expected) and np.allclose(edges, expected_edges)
    assert ft.symmetric_histogram(np.zeros(3), 4)[1].tolist() == [0, 0, 3, 0]
