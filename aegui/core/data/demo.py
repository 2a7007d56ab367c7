"""Built-in ratings sets: the seed's examples and a realistic synthetic generator.

The generator (:func:`synthetic`) draws a small world and lets it rate:

- each movie has a genre (some genres commoner, as Drama and Comedy are), a quality ``q_i`` and a popularity
  rank within its genre that leans towards quality; popularity falls as a power of that rank (Zipf-like);
- each user has a bias ``b_u``, tastes ``z_u`` (one standard normal per genre; the largest is the favourite
  genre, ``user_groups``) and an activity level (log-normal, at least ``min_per_user`` ratings);
- which cells are rated: user ``u`` picks a genre with probability ``∝ exp(β z_u[g]) · (mass of g)``, then a
  movie of it by popularity, without replacement (they watch what is popular and what they like). Rounds of
  draws reject the cells already taken, so no users × movies matrix is ever built; every movie gets a rating;
- the rating ``r_ui = clip(round(μ + b_u + q_i + α z_u[g_i] + ε_ui), 1, 5)`` (or to half stars from 0.5).

The constants are calibrated on the MovieLens 100K shape: mean ≈ 3.53 and shares ≈ 6 / 11 / 27 / 34 / 21 %.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .errors import RatingsError
from .ratings import Ratings

#: genres, commonest first (MovieLens' own genre names)
GENRES = ("Drama", "Comedy", "Action", "Thriller", "Romance", "Adventure", "Sci-Fi", "Crime", "Horror",
          "Children's", "War", "Mystery", "Musical", "Animation", "Fantasy", "Western", "Documentary", "Film-Noir")

# calibrated on ml100k_like (see the module docstring); ratings are in stars
_MEAN = 3.03            # μ (below the resulting mean: users rate what they expect to like)
_USER_SD = 0.45         # b_u: skewed, this standard deviation
_QUALITY_SD = 1.1       # q_i: skewed (a long tail of bad movies), this standard deviation
_SKEW_SHAPE = 1.5       # k of the Gamma behind b_u and q_i (smaller is more skewed)
_TASTE_WEIGHT = 0.30    # α
_NOISE_SD = 0.70        # ε ~ N(0, σ²)
_TASTE_PICK = 0.8       # β: how much tastes steer which movies get rated
_ZIPF = 1.5             # popularity within a genre ∝ (rank + _ZIPF_OFFSET) ** -_ZIPF
_ZIPF_OFFSET = 2.0
_ACTIVITY_SD = 0.9      # log-normal spread of the number of ratings per user

_ADJECTIVES = ("Silent", "Golden", "Last", "Hidden", "Broken", "Crimson", "Distant", "Electric", "Endless", "Fallen",
               "Frozen", "Gentle", "Glass", "Hollow", "Iron", "Lonely", "Lost", "Midnight", "Northern", "Paper",
               "Quiet", "Restless", "Scarlet", "Secret", "Shining", "Silver", "Stolen", "Summer", "Velvet", "Wild",
               "Wandering", "Winter", "Burning", "Painted", "Sleeping", "Forgotten", "Brave", "Bitter", "Blue",
               "Bright", "Dark", "Final", "First", "Savage", "Strange", "Sweet", "Tender", "Twisted")
_NOUNS = ("Harbor", "River", "Garden", "Kingdom", "Letter", "Mirror", "Mountain", "Road", "Shadow", "Storm", "Sky",
          "Station", "Stranger", "Tide", "Valley", "Voyage", "Whisper", "Widow", "Window", "Witness",
          "Frontier", "Heart", "Horizon", "Island", "Journey", "Lantern", "Legacy", "Machine", "Melody", "Promise",
          "Empire", "Canyon", "Castle", "City", "Comet", "Crown", "Dance", "Desert", "Dream", "Echo", "Fire",
          "Forest", "Fortune", "Ghost", "Hunter", "Knight", "Lake", "Moon", "Night", "Ocean", "Orchard", "Planet",
          "Prince", "Rain", "Sister", "Song", "Star", "Sun", "Thief", "Train", "Wind", "Wolf")
_YEARS = np.arange(1930, 2010)


# ====================================================================== the seed's examples
#: the seed's 4-2-4 encoder weights (movie k → its column): the decoder is the transpose, no bias
SEED_W1 = np.array([[1.0, 1.0, -1.0, -1.0],
                    [1.0, -1.0, 1.0, -1.0]])


def seed_onehot() -> Ratings:
    """The seed's 4 × 4 example: user ``k`` rated only movie ``k``, with ``1``."""
    return Ratings.from_dense(np.eye(4), user_ids=[f"User {k}" for k in range(1, 5)],
                              movie_ids=[f"Movie {k}" for k in range(1, 5)], source="seed-onehot")


_TOY_MOVIES = ("The Matrix", "Titanic", "Toy Story", "Alien", "Notting Hill", "Finding Nemo")
_TOY_GENRES = ("Sci-Fi", "Romance", "Animation")
_TOY_GENRE_OF = (0, 1, 2, 0, 1, 2)
_TOY_GRID = ((5, 1, 0, 4, 0, 2),     # Ann: science fiction
             (4, 0, 2, 5, 1, 0),     # Ben
             (1, 5, 3, 0, 5, 0),     # Cleo: romance
             (0, 4, 2, 1, 5, 3),     # Dev
             (2, 0, 5, 0, 3, 5),     # Eve: animation
             (0, 2, 4, 2, 0, 5),     # Finn
             (5, 3, 0, 5, 2, 0),     # Gus
             (3, 0, 4, 0, 4, 4))     # Hana
_TOY_USERS = ("Ann", "Ben", "Cleo", "Dev", "Eve", "Finn", "Gus", "Hana")


def seed_toy() -> Ratings:
    """A hand-made 8 users × 6 movies grid in the spirit of the seed's picture, genres in ``movie_groups``."""
    grid = np.array(_TOY_GRID, dtype=np.float64)
    favourite = np.array([np.bincount(_TOY_GENRE_OF, weights=row, minlength=3).argmax() for row in grid])
    return Ratings.from_dense(grid, user_ids=_TOY_USERS, movie_ids=_TOY_MOVIES, source="seed-toy",
                              user_groups=favourite.astype(np.int32),
                              movie_groups=np.array(_TOY_GENRE_OF, dtype=np.int32), group_names=_TOY_GENRES)


# ====================================================================== the generator
def synthetic(n_users: int = 300, n_movies: int = 120, n_ratings: int | None = None, density: float = 0.1,
              n_genres: int = 6, seed: int = 0, half_stars: bool = False, min_per_user: int = 20,
              taste_weight: float = _TASTE_WEIGHT, noise_sd: float = _NOISE_SD) -> Ratings:
    """A realistic ratings set (see the module docstring); deterministic for a ``seed``. ``taste_weight``
    (α) and ``noise_sd`` (σ) set how much of a rating is taste and how much is noise.

    ``n_ratings`` defaults to ``density × n_users × n_movies``. Each user rates at least
    ``min(min_per_user, n_ratings // (3 n_users))`` movies (and at least one); each movie is rated at least once.
    Ids are ``"1"..``; titles are invented (``"The Silent Harbor (1994)"``), genre names in ``group_names``.
    """
    if n_ratings is None:
        n_ratings = int(round(density * n_users * n_movies))
    if not 0 < n_genres <= min(len(GENRES), n_movies):
        raise RatingsError(f"n_genres must be 1..{min(len(GENRES), n_movies)}, got {n_genres}")
    if not max(n_users, n_movies) <= n_ratings <= n_users * n_movies:
        raise RatingsError(f"{n_ratings} ratings cannot fill {n_users} users × {n_movies} movies with every user "
                           f"and movie rated (need {max(n_users, n_movies)}..{n_users * n_movies})")
    rng = np.random.default_rng(seed)
    genre = rng.choice(n_genres, size=n_movies, p=_normalised(np.arange(1, n_genres + 1) ** -0.8))
    genre[rng.choice(n_movies, size=n_genres, replace=False)] = np.arange(n_genres)   # no genre left empty
    quality = _skewed(rng, n_movies, _QUALITY_SD)
    taste = rng.normal(size=(n_users, n_genres))
    bias = _skewed(rng, n_users, _USER_SD)
    lowest = max(1, min(min_per_user, n_ratings // (3 * n_users)))
    counts = _allocate(n_ratings, rng.lognormal(0, _ACTIVITY_SD, n_users), lowest,
                       max(lowest, min(n_movies, int(np.ceil(max(0.6 * n_movies, 3 * n_ratings / n_users))))))
    by_rank = np.lexsort((-(quality + rng.normal(0, 2 * _QUALITY_SD, n_movies)), genre))   # popular ≈ good
    users, movies = _sample_cells(rng, counts, genre, by_rank, np.exp(_TASTE_PICK * taste))
    raw = (_MEAN + bias[users] + quality[movies] + taste_weight * taste[users, genre[movies]]
           + rng.normal(0, noise_sd, len(users)))
    values = np.clip(np.rint(raw * 2) / 2, 0.5, 5) if half_stars else np.clip(np.rint(raw), 1, 5)
    return Ratings.from_triples(users, movies, values, user_ids=[str(k + 1) for k in range(n_users)],
                                movie_ids=[str(k + 1) for k in range(n_movies)],
                                movie_titles=_titles(rng, n_movies), source="synthetic",
                                user_groups=taste.argmax(axis=1).astype(np.int32),
                                movie_groups=genre.astype(np.int32), group_names=GENRES[:n_genres])


def _normalised(x: np.ndarray) -> np.ndarray:
    return x / x.sum()


def _skewed(rng: np.random.Generator, n: int, sd: float) -> np.ndarray:
    """``(n,)`` mean 0, standard deviation ``sd``, skewed left (a long tail of low values): ``-(Gamma(k) - k)``."""
    return -(rng.gamma(_SKEW_SHAPE, 1.0, n) - _SKEW_SHAPE) * (sd / np.sqrt(_SKEW_SHAPE))


def _allocate(total: int, weights: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``(n,) int64`` counts in ``[lo, hi]`` summing to ``total``, the part above ``lo`` ∝ ``weights`` (capped)."""
    room = total - lo * len(weights)
    scale_lo, scale_hi = 0.0, room / weights.min()
    for _ in range(100):                          # bisection: Σ min(hi - lo, s·w) = room
        scale = (scale_lo + scale_hi) / 2
        if np.minimum(hi - lo, scale * weights).sum() < room:
            scale_lo = scale
        else:
            scale_hi = scale
    share = np.minimum(hi - lo, scale_hi * weights)
    counts = np.floor(share).astype(np.int64)
    short = room - counts.sum()                  # < n: give one more to the largest remainders with room
    remainder = np.where(counts < hi - lo, share - counts, -1.0)
    counts[np.argsort(-remainder, kind="stable")[:short]] += 1
    return lo + counts


def _sample_cells(rng: np.random.Generator, counts: np.ndarray, genre: np.ndarray, by_rank: np.ndarray,
                  liking: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rated cells ``(users, movies)``: ``counts[u]`` distinct movies for user ``u``, sorted by cell.

    ``by_rank`` lists the movies by genre, then by popularity; ``liking`` is ``(n_users, n_genres)``. User ``u``
    draws genre ``g`` with probability ``∝ liking[u, g] · mass[g]``, then a movie of that genre by a power law
    over its popularity rank (density ``∝ (rank + c) ** -_ZIPF``). Draws repeat in rounds, each asking a user
    for exactly its missing count and keeping the cells not taken yet: sampling without replacement with
    rejection, never an overshoot to trim and never a users × movies matrix.
    """
    (n_users, n_genres), n_movies = liking.shape, len(genre)
    cell_type = np.int32 if n_users * n_movies < 2 ** 31 else np.int64     # cell = user · n_movies + movie
    size = np.bincount(genre, minlength=n_genres)                     # movies per genre, none empty
    begin = np.cumsum(size) - size
    power = 1.0 - _ZIPF
    low, high = _ZIPF_OFFSET ** power, (size + _ZIPF_OFFSET) ** power  # ∫ of the density is ∝ high - low
    pick = liking * (high - low)
    pick /= pick.sum(axis=1, keepdims=True)
    width = (high - low).astype(np.float32)
    by_rank = by_rank.astype(cell_type)
    # every movie once, from a user drawn in proportion to the counts (so no user exceeds its count)
    slots = rng.choice(int(counts.sum()), size=n_movies, replace=False)
    owner = np.searchsorted(np.cumsum(counts), slots, side="right")
    taken = [np.sort((owner * n_movies + np.arange(n_movies)).astype(cell_type))]
    have = np.bincount(owner, minlength=n_users)
    while (want := counts - have).any():
        users = np.flatnonzero(want)
        per_genre = rng.multinomial(want[users], pick[users])          # (len(users), n_genres)
        who = np.repeat(users.astype(cell_type), want[users])
        g = np.repeat(np.tile(np.arange(n_genres), len(users)), per_genre.ravel())
        rank = (low + rng.random(len(g), dtype=np.float32) * width[g]) ** np.float32(1 / power) - _ZIPF_OFFSET
        cells = np.sort(who * n_movies + by_rank[begin[g] + np.minimum(rank.astype(np.int32), size[g] - 1)])
        cells = cells[np.concatenate(([True], cells[1:] != cells[:-1]))]
        new = cells[~np.any([_isin_sorted(cells, t) for t in taken], axis=0)]
        have += np.bincount(new // n_movies, minlength=n_users)
        taken.append(new)
        while len(taken) > 1 and 4 * len(taken[-1]) >= len(taken[-2]):   # keep few runs: merge similar sizes
            taken[-2:] = [np.sort(np.concatenate(taken[-2:]), kind="stable")]
    cells = np.sort(np.concatenate(taken), kind="stable")            # merges the sorted runs
    return cells // n_movies, cells % n_movies


def _isin_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``(n,) bool``: which values occur in the sorted array ``sorted_set``."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    return sorted_set[np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)] == values


def _titles(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct invented titles such as ``"The Silent Harbor (1994)"`` or ``"Crimson Tide (1971)"``."""
    space = len(_ADJECTIVES) * len(_NOUNS) * len(_YEARS)
    picks = rng.choice(space, size=n, replace=n > space)
    adjective, rest = np.divmod(picks, len(_NOUNS) * len(_YEARS))
    noun, year = np.divmod(rest, len(_YEARS))
    return [f"{'The ' if k % 3 else ''}{_ADJECTIVES[a]} {_NOUNS[b]} ({_YEARS[y]})" + (f" #{k + 1}" if n > space else "")
            for k, (a, b, y) in enumerate(zip(adjective.tolist(), noun.tolist(), year.tolist()))]


# ====================================================================== MovieLens-shaped sets
def ml100k_like(seed: int = 0) -> Ratings:
    """MovieLens 100K's shape: 943 users × 1,682 movies, 100,000 ratings, whole stars."""
    return synthetic(943, 1682, n_ratings=100_000, n_genres=18, seed=seed)


def ml1m_like(seed: int = 0) -> Ratings:
    """MovieLens 1M's shape: 6,040 users × 3,706 movies, 1,000,209 ratings, whole stars."""
    return synthetic(6040, 3706, n_ratings=1_000_209, n_genres=18, seed=seed)


def ml10m_like(seed: int = 0) -> Ratings:
    """MovieLens 10M's shape: 69,878 users × 10,677 movies, 10,000,054 ratings, half stars."""
    return synthetic(69_878, 10_677, n_ratings=10_000_054, n_genres=18, seed=seed, half_stars=True)


def demo_grid() -> Ratings:
    """The window's first set: 120 users × 12 movies of 3 genres, 60 % rated (864 ratings). Tastes
    weigh more and noise less than in MovieLens (α = 1.0, σ = 0.5 instead of 0.3 and 0.7), so that a
    3-unit bottleneck has genres to find and a class sees the test error fall well below the
    baseline's (chosen over four worlds and three splits each: 0.13–0.18 stars below, every time; on
    this world's splits of ``aegui train demo --seed 0/1/2``, 0.10–0.15)."""
    return synthetic(120, 12, density=0.6, n_genres=3, seed=0, taste_weight=1.0, noise_sd=0.5)


DEMO_SETS: dict[str, Callable[[], Ratings]] = {
    "seed-onehot": seed_onehot,
    "seed-toy": seed_toy,
    "synthetic-small": lambda: synthetic(40, 12, density=0.6, n_genres=4, seed=0),
    "synthetic-medium": lambda: synthetic(300, 120, density=0.1, n_genres=6, seed=0),
    "ml100k-like": ml100k_like,
    "demo": demo_grid,
}


def load_demo(name: str) -> Ratings:
    """The built-in set called ``name`` (one of :data:`DEMO_SETS`)."""
    if name not in DEMO_SETS:
        raise RatingsError(f"unknown demo set {name!r}; expected one of {', '.join(DEMO_SETS)}")
    return DEMO_SETS[name]()
